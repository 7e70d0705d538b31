package handlers_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ruggedlab/handlers"
	"ruggedlab/internal/browsertest"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// TestTableHandset30kInBrowser: the handset page of a candidate with
// 30,000 runs opens on page 1 of 600 of its "All runs" table, and the
// next link shows the next 50 runs (issue #16 item 3).
func TestTableHandset30kInBrowser(t *testing.T) {
	b := browsertest.New(t)
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, e)
			if _, err := st.CreateHandset(ctx, models.Handset{Code: "atlas-r1", Name: "Atlas R1", Manufacturer: "Atlas Mobile", FormFactor: "phone"}, "test"); err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateUnits(ctx, []models.Unit{{Handset: "atlas-r1", Serial: "ATL-0001"}, {Handset: "atlas-r1", Serial: "ATL-0002"}}, "test"); err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateImport(ctx, "drop", strings.NewReader(oneHandsetDrops(t, st, "atlas-r1", 30_000)), store.ImportOptions{By: "test"}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.CreateAccount(ctx, evalName, models.Evaluator, testPassword); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer((&handlers.Server{Store: st, Log: slog.New(slog.DiscardHandler), Auth: &handlers.Auth{}}).Routes())
			t.Cleanup(srv.Close)
			tab := b.Tab(t)
			do(t, tab, "log in", append(browserLogin(srv.URL, evalName, "/handsets/atlas-r1"), chromedp.WaitVisible(chromedp.CSS("#all-runs")))...)
			firstRun := `document.querySelector("#all-runs tbody a").getAttribute("href")`
			where := run(t, tab, "page line", chromedp.Text(chromedp.CSS("nav.pager .page-of")))
			first := run(t, tab, "first run", chromedp.Evaluate[string](firstRun))
			rows := run(t, tab, "rows", chromedp.Evaluate[int](`document.querySelectorAll("#all-runs tbody tr").length`))
			if !strings.Contains(where, "Rows 1–50 of 30000 · page 1 of 600") || rows != 50 {
				t.Fatalf("page 1: %q, %d rows", where, rows)
			}
			do(t, tab, "next page", chromedp.Click(chromedp.CSS(`nav.pager a[rel="next"]`)),
				chromedp.WaitVisible(chromedp.CSS(`nav.pager a[rel="prev"]`)))
			where = run(t, tab, "page line", chromedp.Text(chromedp.CSS("nav.pager .page-of")))
			second := run(t, tab, "first run", chromedp.Evaluate[string](firstRun))
			url := run(t, tab, "address", chromedp.Evaluate[string](`location.pathname + location.search`))
			if !strings.Contains(where, "page 2 of 600") || second == first || url != "/handsets/atlas-r1?page=2" {
				t.Errorf("after next: %q at %s, first run %s (page 1 began with %s)", where, url, second, first)
			}
		})
	}
}
