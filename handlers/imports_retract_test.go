package handlers_test

import (
	"strings"
	"testing"
)

// TestImportsListedAndRetracted: every committed import is listed newest
// first and paged; an import of runs is retracted as a whole with one
// reason, all its runs at once, and the bad requests are refused with
// nothing changed.
func TestImportsListedAndRetracted(t *testing.T) {
	type summary struct {
		ID       string `json:"import_id"`
		Kind     string `json:"kind"`
		Rows     int    `json:"rows"`
		FileName string `json:"file_name"`
	}
	type list struct {
		Items      []summary `json:"items"`
		NextCursor *string   `json:"next_cursor"`
	}
	type retraction struct {
		Retracted        []string `json:"retracted"`
		AlreadyRetracted []string `json:"already_retracted"`
		Reason           string   `json:"reason"`
	}
	eachImportEngine(t, func(t *testing.T, a *importAPI) {
		if l := decodeAs[list](t, a.get(t, "/api/v1/imports"), 200); len(l.Items) != 0 || l.NextCursor != nil {
			t.Fatalf("no imports yet: %+v", l)
		}
		units := decodeAs[struct {
			ID string `json:"import_id"`
		}](t, a.csv(t, "/api/v1/imports/units", "handset,serial,notes\natlas-r1,ATL-0002,\n"), 201)
		first := decodeAs[struct {
			ID      string   `json:"import_id"`
			Created []string `json:"created"`
		}](t, a.csv(t, "/api/v1/imports/drop", dropFile(5, nil)), 201)
		second := decodeAs[struct {
			ID string `json:"import_id"`
		}](t, a.csv(t, "/api/v1/imports/drop", dropFile(3, nil)), 201)

		l := decodeAs[list](t, a.get(t, "/api/v1/imports?limit=2"), 200)
		if len(l.Items) != 2 || l.Items[0].ID != second.ID || l.Items[1].ID != first.ID || l.Items[0].Rows != 3 || l.Items[0].Kind != "drop" || l.NextCursor == nil {
			t.Fatalf("first page, newest first: %+v", l)
		}
		l = decodeAs[list](t, a.get(t, "/api/v1/imports?limit=2&cursor="+*l.NextCursor), 200)
		if len(l.Items) != 1 || l.Items[0].ID != units.ID || l.Items[0].Kind != "units" || l.NextCursor != nil {
			t.Fatalf("second page: %+v", l)
		}

		retract := func(id, body string) []byte {
			return a.send(t, "/api/v1/imports/"+id+"/retract", strings.NewReader(body), "Content-Type", "application/json").Body.Bytes()
		}
		// One run retracted by hand first: the import leaves it as it was.
		if rec := a.send(t, "/api/v1/runs/"+first.Created[0]+"/retraction", strings.NewReader(`{"reason": "wrong rig"}`), "Content-Type", "application/json"); rec.Code != 200 {
			t.Fatalf("retract one run: %d %s", rec.Code, rec.Body)
		}
		before := a.counts(t)
		for _, c := range []struct {
			id, body string
			status   int
			want     string
		}{
			{first.ID, `{"reason": "no"}`, 422, "at least 3 characters"},
			{first.ID, `{}`, 422, "reason"},
			{"no-such-import", `{"reason": "junk file"}`, 404, "import"},
			{units.ID, `{"reason": "junk file"}`, 409, "units"},
		} {
			rec := a.send(t, "/api/v1/imports/"+c.id+"/retract", strings.NewReader(c.body), "Content-Type", "application/json")
			if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.want) || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("retract %s %s: %d %s, want %d naming %q", c.id, c.body, rec.Code, rec.Body, c.status, c.want)
			}
		}
		if after := a.counts(t); after != before {
			t.Errorf("a refused retraction wrote: %s, want %s", after, before)
		}

		rec := a.send(t, "/api/v1/imports/"+first.ID+"/retract", strings.NewReader(`{"reason": "the rig log shows the wrong height"}`), "Content-Type", "application/json")
		r := decodeAs[retraction](t, rec, 200)
		if len(r.Retracted) != 4 || len(r.AlreadyRetracted) != 1 || r.AlreadyRetracted[0] != first.Created[0] || r.Reason != "the rig log shows the wrong height" {
			t.Fatalf("retraction %+v", r)
		}
		active := decodeAs[struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}](t, a.get(t, "/api/v1/runs?kind=drop&limit=100"), 200)
		if len(active.Items) != 3 {
			t.Errorf("after retracting the first import, %d active drop runs, want the second import's 3", len(active.Items))
		}
		for _, id := range first.Created {
			run := decodeAs[struct {
				Status   string `json:"status"`
				Revision int    `json:"revision"`
			}](t, a.get(t, "/api/v1/runs/"+id), 200)
			if run.Status != "retracted" || run.Revision != 2 {
				t.Errorf("run %s after the import's retraction: %+v", id, run)
			}
		}
		if body := retract(first.ID, `{"reason": "again, to be sure"}`); !strings.Contains(string(body), "already retracted") {
			t.Errorf("second retraction: %s", body)
		}
	})
}
