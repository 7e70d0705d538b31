package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"ruggedlab/models"
	"ruggedlab/store"
)

// seedTable is 120 drop runs on atlas-r1 (one an hour, alternating
// ATL-0001 and ATL-0002, every tenth retracted) and 5 temperature runs on
// borealis-x (BOR-0001). It returns the atlas runs oldest first.
func seedTable(t *testing.T, s *store.Store) []models.Run {
	t.Helper()
	ctx := context.Background()
	seed(t, s)
	if _, err := s.CreateHandset(ctx, models.Handset{Code: "borealis-x", Name: "Borealis X", Manufacturer: "Borealis", FormFactor: "phone"}, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUnit(ctx, "borealis-x", models.Unit{Serial: "BOR-0001"}, "t"); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var runs []models.Run
	for i := range 120 {
		runs = append(runs, dropRun(fmt.Sprintf("ATL-000%d", 1+i%2), base.Add(time.Duration(i)*time.Hour)))
	}
	atlas, err := s.CreateRuns(ctx, runs, "t")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(atlas); i += 10 {
		r, err := s.RetractRun(ctx, atlas[i].ID, models.Retraction{Reason: "wrong fixture"}, "t")
		if err != nil {
			t.Fatal(err)
		}
		atlas[i] = r
	}
	var temps []models.Run
	for i := range 5 {
		at := base.Add(time.Duration(i)*time.Hour + 30*time.Minute)
		temps = append(temps, models.Run{Kind: models.Temperature, Handset: "borealis-x", Unit: "BOR-0001", Method: "IEC 60068-2-1",
			StartedAt: at, EndedAt: at.Add(time.Hour), Procedure: "operation_cold", SetpointC: ptr(-20.0), DwellMin: ptr(120.0), Passed: ptr(true), ShutdownObserved: ptr(false)})
	}
	if _, err := s.CreateRuns(ctx, temps, "t"); err != nil {
		t.Fatal(err)
	}
	return atlas
}

func TestTableRuns(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		atlas := seedTable(t, s)
		base := atlas[0].StartedAt
		newest, oldest := atlas[len(atlas)-1].ID, atlas[0].ID
		for _, tt := range []struct {
			name         string
			q            store.RunTableQuery
			total, pages int
			page, rows   int
			first        string // id of the first row ("" to skip)
			check        func(models.Run) bool
		}{
			{name: "everything, newest first", q: store.RunTableQuery{Desc: true}, total: 125, pages: 3, page: 1, rows: 50, first: newest},
			{name: "handset", q: store.RunTableQuery{Handset: "atlas-r1", Desc: true}, total: 120, pages: 3, page: 1, rows: 50, first: newest,
				check: func(r models.Run) bool { return r.Handset == "atlas-r1" }},
			{name: "handset oldest first, page 3", q: store.RunTableQuery{Handset: "atlas-r1", Page: 3}, total: 120, pages: 3, page: 3, rows: 20, first: atlas[100].ID},
			{name: "past the last page is the last", q: store.RunTableQuery{Handset: "atlas-r1", Page: 99}, total: 120, pages: 3, page: 3, rows: 20, first: atlas[100].ID},
			{name: "unit", q: store.RunTableQuery{Handset: "atlas-r1", Unit: "ATL-0002", Desc: true}, total: 60, pages: 2, page: 1, rows: 50, first: newest,
				check: func(r models.Run) bool { return r.Unit == "ATL-0002" }},
			{name: "serial search, any case", q: store.RunTableQuery{Serial: "l-0001"}, total: 60, pages: 2, page: 1, rows: 50, first: oldest,
				check: func(r models.Run) bool { return r.Unit == "ATL-0001" }},
			{name: "serial search takes % literally", q: store.RunTableQuery{Serial: "%"}, total: 0, pages: 1, page: 1, rows: 0},
			{name: "kind", q: store.RunTableQuery{Kind: models.Temperature}, total: 5, pages: 1, page: 1, rows: 5,
				check: func(r models.Run) bool { return r.Kind == models.Temperature && r.Handset == "borealis-x" }},
			{name: "retracted", q: store.RunTableQuery{Status: models.Retracted}, total: 12, pages: 1, page: 1, rows: 12, first: oldest,
				check: func(r models.Run) bool { return r.Status == models.Retracted }},
			{name: "active", q: store.RunTableQuery{Handset: "atlas-r1", Status: models.Active, PerPage: 200}, total: 108, pages: 1, page: 1, rows: 108,
				check: func(r models.Run) bool { return r.Status == models.Active }},
			{name: "date range, from inclusive, to exclusive", q: store.RunTableQuery{Handset: "atlas-r1", From: base.Add(10 * time.Hour), To: base.Add(20 * time.Hour)},
				total: 10, pages: 1, page: 1, rows: 10, first: atlas[10].ID},
			{name: "sort by serial descending", q: store.RunTableQuery{Handset: "atlas-r1", Sort: store.SortSerial, Desc: true, PerPage: 60}, total: 120, pages: 2, page: 1, rows: 60,
				first: newest, check: func(r models.Run) bool { return r.Unit == "ATL-0002" }},
			{name: "sort by kind", q: store.RunTableQuery{Sort: store.SortKind, PerPage: 120}, total: 125, pages: 2, page: 1, rows: 120, first: newest,
				check: func(r models.Run) bool { return r.Kind == models.Drop }},
			{name: "sort by status descending", q: store.RunTableQuery{Handset: "atlas-r1", Sort: store.SortStatus, Desc: true}, total: 120, pages: 3, page: 1, rows: 50,
				first: atlas[110].ID, check: func(r models.Run) bool { return r.Status == models.Retracted || r.Status == models.Active }},
			{name: "unknown handset", q: store.RunTableQuery{Handset: "no-such"}, total: 0, pages: 1, page: 1, rows: 0},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.RunTable(ctx, tt.q)
				if err != nil {
					t.Fatal(err)
				}
				if got.Total != tt.total || got.Pages != tt.pages || got.Page != tt.page || len(got.Runs) != tt.rows {
					t.Fatalf("total %d, page %d of %d, %d rows; want %d, %d of %d, %d", got.Total, got.Page, got.Pages, len(got.Runs), tt.total, tt.page, tt.pages, tt.rows)
				}
				if tt.first != "" && got.Runs[0].ID != tt.first {
					t.Errorf("first row %s (%s %s), want %s", got.Runs[0].ID, got.Runs[0].Unit, got.Runs[0].StartedAt, tt.first)
				}
				for _, r := range got.Runs {
					if tt.check != nil && !tt.check(r) {
						t.Fatalf("row %+v does not match the filter", r)
					}
				}
			})
		}
		// The sort by status puts the 12 retracted first, then the newest active.
		st, err := s.RunTable(ctx, store.RunTableQuery{Handset: "atlas-r1", Sort: store.SortStatus, Desc: true})
		if err != nil || st.Runs[11].Status != models.Retracted || st.Runs[12].Status != models.Active || st.Runs[12].ID != atlas[119].ID {
			t.Errorf("status order: %v, rows 11/12 %s/%s", err, st.Runs[11].Status, st.Runs[12].Status)
		}
		// Pages do not overlap and together are the whole table.
		seen := map[string]bool{}
		for p := 1; p <= 3; p++ {
			got, err := s.RunTable(ctx, store.RunTableQuery{Handset: "atlas-r1", Desc: true, Page: p})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range got.Runs {
				if seen[r.ID] {
					t.Fatalf("run %s on two pages", r.ID)
				}
				seen[r.ID] = true
			}
		}
		if len(seen) != 120 {
			t.Errorf("three pages hold %d runs, want 120", len(seen))
		}
	})
}

func TestTableRunsBadQuery(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		for _, tt := range []struct {
			name  string
			q     store.RunTableQuery
			field string
		}{
			{"sort", store.RunTableQuery{Sort: "notes"}, "sort"},
			{"kind", store.RunTableQuery{Kind: "vibration"}, "kind"},
			{"status", store.RunTableQuery{Status: "deleted"}, "status"},
			{"to before from", store.RunTableQuery{From: at, To: at}, "to"},
			{"page", store.RunTableQuery{Page: -1}, "page"},
			{"per_page", store.RunTableQuery{PerPage: 501}, "per_page"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.RunTable(context.Background(), tt.q)
				var fe models.FieldErrors
				if code(err) != models.Invalid || !asFields(err, &fe) || len(fe) != 1 || fe[0].Field != tt.field {
					t.Errorf("err %v (%s), want Invalid naming %s", err, code(err), tt.field)
				}
			})
		}
	})
}

func TestTableAudit(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := range 130 {
			e := models.AuditEntry{Account: []string{"alice", "bob"}[i%2], Role: models.Technician, RequestID: fmt.Sprintf("req-%03d", i),
				Method: "POST", Route: "/api/v1/runs", Path: "/api/v1/runs", Status: 201, Detail: []byte(`{"action":"create_run"}`), Address: "10.0.0.1"}
			if i%13 == 0 {
				e.Status, e.Path, e.Detail = 403, "/api/v1/handsets", []byte(`{"action":"Create_Handset"}`)
			}
			if err := s.RecordAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct {
			name         string
			q            store.AuditQuery
			total, pages int
			rows         int
			firstReq     string
		}{
			{"everything", store.AuditQuery{}, 130, 3, 50, "req-129"},
			{"page 3", store.AuditQuery{Page: 3}, 130, 3, 30, "req-029"},
			{"account", store.AuditQuery{Account: "alice"}, 65, 2, 50, "req-128"},
			{"refused", store.AuditQuery{Outcome: store.OutcomeRefused}, 10, 1, 10, "req-117"},
			{"done", store.AuditQuery{Outcome: store.OutcomeDone}, 120, 3, 50, "req-129"},
			{"text in the detail, any case", store.AuditQuery{Q: "create_HANDSET"}, 10, 1, 10, "req-117"},
			{"text in the request id", store.AuditQuery{Q: "req-12"}, 10, 1, 10, "req-129"},
			{"account and refused", store.AuditQuery{Account: "bob", Outcome: store.OutcomeRefused}, 5, 1, 5, "req-117"},
			{"nothing matches", store.AuditQuery{Q: "_%"}, 0, 1, 0, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.AuditTable(ctx, tt.q)
				if err != nil {
					t.Fatal(err)
				}
				if got.Total != tt.total || got.Pages != tt.pages || len(got.Entries) != tt.rows {
					t.Fatalf("total %d, %d pages, %d rows; want %d, %d, %d", got.Total, got.Pages, len(got.Entries), tt.total, tt.pages, tt.rows)
				}
				if tt.firstReq != "" && got.Entries[0].RequestID != tt.firstReq {
					t.Errorf("first entry %s, want %s", got.Entries[0].RequestID, tt.firstReq)
				}
			})
		}
		_, err := s.AuditTable(ctx, store.AuditQuery{Outcome: "maybe"})
		var fe models.FieldErrors
		if code(err) != models.Invalid || !asFields(err, &fe) || fe[0].Field != "outcome" {
			t.Errorf("outcome=maybe: %v", err)
		}
	})
}

// asFields reports whether err carries field errors, and puts them in fe.
func asFields(err error, fe *models.FieldErrors) bool {
	var e *models.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return false
	}
	*fe = e.Fields
	return true
}
