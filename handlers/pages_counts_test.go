package handlers_test

import (
	"context"
	"strings"
	"testing"

	"ruggedlab/internal/testdb"
	"ruggedlab/store"
)

// With more runs on a unit than the handset page shows, the page lists the
// latest ones, numbered in the unit's sequence, says how many earlier runs
// it leaves out and links to them; the dashboard counts every active run.
func TestHandsetPageShowsTheLatestRuns(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newPagesFixture(t, e)
			ctx := context.Background()
			const extra = 4000 // spread over every demo unit: about 85 runs each
			if imp, err := f.st.CreateImport(ctx, "drop", strings.NewReader(scaleDropFile(t, f.st, extra)), store.ImportOptions{By: "test"}); err != nil || imp.Rows != extra {
				t.Fatalf("import: %d rows, %.300v", imp.Rows, err)
			}
			runs, _, err := f.st.Runs(ctx, store.RunFilter{Handset: "atlas-r1", Unit: "ATL-0001", IncludeRetracted: true, Page: store.Page{Limit: 200}})
			if err != nil {
				t.Fatal(err)
			}
			total := len(runs)
			if total <= 50 || total >= 200 {
				t.Fatalf("ATL-0001 has %d runs; the test wants 50 < n < 200", total)
			}
			resp, body := f.get(t, "/handsets/atlas-r1")
			if resp.StatusCode != 200 {
				t.Fatalf("GET /handsets/atlas-r1: %d", resp.StatusCode)
			}
			if want := "earlier runs not shown"; !strings.Contains(body, want) {
				t.Errorf("the handset page does not say %q", want)
			}
			if want := "/api/v1/runs?handset=atlas-r1&amp;limit=200&amp;unit=ATL-0001"; !strings.Contains(body, want) && !strings.Contains(body, "unit=ATL-0001") {
				t.Errorf("the handset page does not link to ATL-0001's earlier runs")
			}
			// the newest run of the unit is shown, with its place in the sequence
			if !strings.Contains(body, runs[0].ID) {
				t.Errorf("the newest run of ATL-0001 (%s) is not on the page", runs[0].ID)
			}
			if strings.Contains(body, runs[len(runs)-1].ID) {
				t.Errorf("the oldest run of ATL-0001 is on the page, beyond the latest 50")
			}
			if !strings.Contains(body, `<span class="n">`+itoa(total)+`.</span>`) {
				t.Errorf("the newest run is not numbered %d", total)
			}
		})
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
