package handlers_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"ruggedlab/handlers"
	"ruggedlab/internal/browsertest"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// TestImportsPageRetractInBrowser: a technician opens /imports, retracts
// an import of three runs through its form and the confirmation step, and
// lands on the import's runs, all three struck through (issue #16 item 2).
func TestImportsPageRetractInBrowser(t *testing.T) {
	b := browsertest.New(t)
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			st := storetest.Open(t, e)
			a := &authAPI{testAPI: &testAPI{store: st}}
			_, drops := importsSeed(t, a)
			if _, _, err := st.CreateAccount(context.Background(), techName, models.Technician, testPassword); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer((&handlers.Server{Store: st, Log: slog.New(slog.DiscardHandler), Auth: &handlers.Auth{}}).Routes())
			t.Cleanup(srv.Close)
			tab := b.Tab(t)
			do(t, tab, "log in", append(browserLogin(srv.URL, techName, "/imports"), chromedp.WaitVisible(chromedp.CSS("#imports")))...)
			do(t, tab, "open the retract form", chromedp.Click(chromedp.CSS("#import-"+drops.ID+" a[data-retract-import]")),
				chromedp.WaitVisible(chromedp.CSS("#f-reason")))
			do(t, tab, "give a reason", chromedp.SendKeys(chromedp.CSS("#f-reason"), "junk battery file"),
				chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)), chromedp.WaitReady(chromedp.CSS(`input[name="confirm"]`)))
			h1 := run(t, tab, "confirmation", chromedp.Text(chromedp.CSS("main h1")))
			if h1 != "Retract 3 runs?" {
				t.Errorf("confirmation heading %q", h1)
			}
			do(t, tab, "confirm", chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#runs")))
			struck := run(t, tab, "struck rows", chromedp.Evaluate[int](`Array.from(document.querySelectorAll("#runs tbody tr")).filter(tr =>
				tr.classList.contains("retracted") && getComputedStyle(tr.querySelector("td")).textDecorationLine.includes("line-through")).length`))
			path := run(t, tab, "address", chromedp.Evaluate[string](`location.pathname + location.search`))
			if struck != 3 || path != "/runs?import="+drops.ID {
				t.Errorf("after the retraction: %d rows struck through at %s, want 3 at /runs?import=%s", struck, path, drops.ID)
			}
		})
	}
}
