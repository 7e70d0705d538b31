package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// openEach runs fn once per engine on a fresh, migrated database.
func openEach(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := storetest.Open(t, e, storetest.At(testNow))
			fn(t, s)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func seed(t testing.TB, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	h := models.Handset{Code: "atlas-r1", Name: "Atlas R1", Manufacturer: "Atlas Mobile", FormFactor: "phone",
		Declared: models.Declared{BatteryCapacityMAh: ptr(5000.0), NominalVoltageV: ptr(3.87)}}
	if _, err := s.CreateHandset(ctx, h, "tester"); err != nil {
		t.Fatal(err)
	}
	for _, serial := range []string{"ATL-0001", "ATL-0002"} {
		if _, err := s.CreateUnit(ctx, "atlas-r1", models.Unit{Serial: serial}, "tester"); err != nil {
			t.Fatal(err)
		}
	}
}

func dropRun(serial string, start time.Time) models.Run {
	return models.Run{Kind: models.Drop, Handset: "atlas-r1", Unit: serial, Method: "MIL-STD-810H 516.8 IV",
		StartedAt: start, EndedAt: start.Add(time.Hour), HeightM: ptr(2.0), Surface: "concrete",
		ProtectiveCase: ptr(false), PlannedDrops: ptr(26), DropsCompleted: ptr(26), WorstSeverity: ptr(1)}
}

func code(err error) models.Code {
	if err == nil {
		return ""
	}
	return models.ErrorCode(err)
}

func TestHandsetsAndUnits(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		_, err := s.CreateHandset(ctx, models.Handset{Code: "atlas-r1", Name: "Again", Manufacturer: "X", FormFactor: "phone"}, "t")
		if code(err) != models.Conflict {
			t.Errorf("duplicate code: got %v, want conflict", err)
		}
		_, err = s.CreateUnit(ctx, "atlas-r1", models.Unit{Serial: "ATL-0001"}, "t")
		if code(err) != models.Conflict {
			t.Errorf("duplicate serial: got %v, want conflict", err)
		}
		_, err = s.CreateUnit(ctx, "nope", models.Unit{Serial: "X-1"}, "t")
		if code(err) != models.NotFound {
			t.Errorf("unit of unknown handset: got %v, want not_found", err)
		}
		h, err := s.Handset(ctx, "atlas-r1")
		if err != nil || h.UnitCount != 2 || *h.Declared.NominalVoltageV != 3.87 {
			t.Errorf("Handset = %+v, %v", h, err)
		}
		units, next, err := s.Units(ctx, "atlas-r1", store.Page{Limit: 1})
		if err != nil || len(units) != 1 || units[0].Serial != "ATL-0001" || next == "" {
			t.Fatalf("Units page 1 = %v %q %v", units, next, err)
		}
		units, next, err = s.Units(ctx, "atlas-r1", store.Page{Limit: 1, Cursor: next})
		if err != nil || len(units) != 1 || units[0].Serial != "ATL-0002" || next != "" {
			t.Fatalf("Units page 2 = %v %q %v", units, next, err)
		}
		h, err = s.PatchHandset(ctx, "atlas-r1", func(h models.Handset) (models.Handset, error) {
			return models.PatchHandset(h, []byte(`{"name": "Atlas R1 Pro"}`))
		})
		if err != nil || h.Name != "Atlas R1 Pro" || h.Manufacturer != "Atlas Mobile" {
			t.Errorf("PatchHandset = %+v, %v", h, err)
		}
	})
}

func TestRunsHistory(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		base := testNow.Add(-72 * time.Hour)
		first, err := s.CreateRun(ctx, dropRun("ATL-0001", base.Add(2*time.Hour)), "tech")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateRun(ctx, dropRun("ATL-0001", base), "tech"); err != nil {
			t.Fatal(err)
		}
		bad := dropRun("ATL-9999", base)
		if _, err := s.CreateRun(ctx, bad, "tech"); code(err) != models.Invalid {
			t.Errorf("run of an unregistered unit: got %v, want invalid", err)
		}
		// Amend against revision 1, then again against the stale 1.
		amended, err := s.AmendRun(ctx, first.ID, models.Amendment{Reason: "recount", Revision: 1, Changes: json.RawMessage(`{"worst_severity": 3}`)}, "chief")
		if err != nil || amended.Revision != 2 || *amended.WorstSeverity != 3 {
			t.Fatalf("AmendRun = %+v, %v", amended, err)
		}
		_, err = s.AmendRun(ctx, first.ID, models.Amendment{Reason: "again", Revision: 1, Changes: json.RawMessage(`{"worst_severity": 2}`)}, "chief")
		if code(err) != models.Conflict {
			t.Errorf("stale amendment: got %v, want conflict", err)
		}
		_, err = s.AmendRun(ctx, first.ID, models.Amendment{Reason: "typo", Revision: 2, Changes: json.RawMessage(`{"height_m": 48}`)}, "chief")
		if code(err) != models.Invalid {
			t.Errorf("invalid amendment: got %v, want invalid", err)
		}
		got, err := s.Run(ctx, first.ID)
		if err != nil || got.Revision != 2 || *got.HeightM != 2.0 {
			t.Errorf("run after rejected amendment = %+v, %v", got, err)
		}
		// The store applies the rules itself: a reason of "no" is refused
		// with the same message the API and the forms show.
		_, err = s.AmendRun(ctx, first.ID, models.Amendment{Reason: "no", Revision: 2, Changes: json.RawMessage(`{"worst_severity": 4}`)}, "chief")
		if code(err) != models.Invalid || !strings.Contains(err.Error(), "at least 3 characters") {
			t.Errorf("amendment with reason %q: got %v, want invalid, at least 3 characters", "no", err)
		}
		if _, err := s.RetractRun(ctx, first.ID, models.Retraction{Reason: " no "}, "chief"); code(err) != models.Invalid || !strings.Contains(err.Error(), "at least 3 characters") {
			t.Errorf("retraction with reason %q: got %v, want invalid, at least 3 characters", "no", err)
		}
		retracted, err := s.RetractRun(ctx, first.ID, models.Retraction{Reason: "wrong rig"}, "chief")
		if err != nil || retracted.Status != models.Retracted || retracted.Revision != 3 {
			t.Fatalf("RetractRun = %+v, %v", retracted, err)
		}
		if _, err := s.RetractRun(ctx, first.ID, models.Retraction{Reason: "again"}, "chief"); code(err) != models.Conflict {
			t.Errorf("second retraction: got %v, want conflict", err)
		}
		revs, err := s.Revisions(ctx, first.ID)
		if err != nil || len(revs) != 3 || revs[0].Reason != "created" || revs[1].Changes["worst_severity"].To != float64(3) {
			t.Errorf("Revisions = %+v, %v", revs, err)
		}
		active, _, err := s.Runs(ctx, store.RunFilter{})
		if err != nil || len(active) != 1 {
			t.Errorf("active runs = %d, %v", len(active), err)
		}
		all, _, err := s.Runs(ctx, store.RunFilter{IncludeRetracted: true})
		if err != nil || len(all) != 2 || all[0].ID != first.ID {
			t.Errorf("all runs newest first = %v, %v", all, err)
		}
		u, err := s.Unit(ctx, "atlas-r1", "ATL-0001")
		if err != nil || len(u.Runs) != 2 || u.Runs[1].ID != first.ID || u.Runs[1].Status != models.Retracted {
			t.Errorf("unit history oldest first = %+v, %v", u.Runs, err)
		}
	})
}

func TestRunsPagination(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		var runs []models.Run
		base := testNow.Add(-100 * time.Hour)
		for i := range 7 {
			// Two runs share each start time so the id tie-break matters.
			runs = append(runs, dropRun("ATL-0002", base.Add(time.Duration(i/2)*time.Hour+time.Duration(i%2)*time.Millisecond/1000)))
		}
		if _, err := s.CreateRuns(ctx, runs, "tech"); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		cursor, pages := "", 0
		for {
			page, next, err := s.Runs(ctx, store.RunFilter{Page: store.Page{Limit: 3, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page {
				if seen[r.ID] {
					t.Fatalf("run %s on two pages", r.ID)
				}
				seen[r.ID] = true
			}
			pages++
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 7 || pages != 3 {
			t.Errorf("saw %d runs on %d pages, want 7 on 3", len(seen), pages)
		}
		for _, p := range []store.Page{{Limit: 501}, {Limit: -1}, {Cursor: "garbage"}} {
			if _, _, err := s.Runs(ctx, store.RunFilter{Page: p}); code(err) != models.Invalid {
				t.Errorf("page %+v: got %v, want invalid", p, err)
			}
		}
	})
}

func TestCreateRunsAllOrNothing(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		good := dropRun("ATL-0001", testNow.Add(-time.Hour*5))
		bad := dropRun("ATL-0002", testNow.Add(-time.Hour*5))
		bad.HeightM = ptr(-1.0)
		_, err := s.CreateRuns(ctx, []models.Run{good, bad, good}, "tech")
		var me *models.Error
		if code(err) != models.Invalid || !asError(err, &me) || len(me.Fields) != 1 || me.Fields[0].Row != 2 || me.Fields[0].Field != "height_m" {
			t.Fatalf("got %v, want one problem on row 2 height_m", err)
		}
		all, _, _ := s.Runs(ctx, store.RunFilter{IncludeRetracted: true})
		if len(all) != 0 {
			t.Errorf("%d runs written by a rejected batch", len(all))
		}
	})
}

func asError(err error, target **models.Error) bool {
	e, ok := err.(*models.Error)
	*target = e
	return ok
}

func TestIdempotencyKeys(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		stored, err := s.ClaimKey(ctx, "svc", "k1", "h1")
		if err != nil || stored != nil {
			t.Fatalf("first claim = %v, %v", stored, err)
		}
		if _, err := s.ClaimKey(ctx, "svc", "k1", "h1"); err != store.ErrKeyInFlight {
			t.Errorf("claim while in flight = %v", err)
		}
		if err := s.CompleteKey(ctx, "svc", "k1", store.StoredResponse{Status: 201, ContentType: "application/json", Body: []byte(`{"id":"x"}`)}); err != nil {
			t.Fatal(err)
		}
		stored, err = s.ClaimKey(ctx, "svc", "k1", "h1")
		if err != nil || stored == nil || stored.Status != 201 || string(stored.Body) != `{"id":"x"}` {
			t.Errorf("replay = %+v, %v", stored, err)
		}
		if _, err := s.ClaimKey(ctx, "svc", "k1", "other"); code(err) != models.Invalid {
			t.Errorf("other body: got %v, want invalid", err)
		}
		// Concurrent claims of one new key: exactly one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := s.ClaimKey(ctx, "svc", "k2", "h")
				if err == nil && st == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d concurrent claims won, want 1", wins)
		}
	})
}
