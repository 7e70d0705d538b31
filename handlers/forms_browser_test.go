package handlers_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ruggedlab/handlers"
	"ruggedlab/internal/browsertest"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// formsServer serves a database with atlas-r1/ATL-0001 (and the extra
// serials of atlas-r1), a technician (tom) and an evaluator (eve),
// accounts on, on 127.0.0.1.
func formsServer(t *testing.T, e testdb.Engine, extra ...string) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, e)
	if _, err := st.CreateHandset(ctx, models.Handset{Code: "atlas-r1", Name: "Atlas R1", Manufacturer: "Atlas Mobile", FormFactor: "phone"}, "test"); err != nil {
		t.Fatal(err)
	}
	units := []models.Unit{{Handset: "atlas-r1", Serial: "ATL-0001"}}
	for _, serial := range extra {
		units = append(units, models.Unit{Handset: "atlas-r1", Serial: serial})
	}
	if _, err := st.CreateUnits(ctx, units, "test"); err != nil {
		t.Fatal(err)
	}
	for name, role := range map[string]models.Role{techName: models.Technician, evalName: models.Evaluator} {
		if _, _, err := st.CreateAccount(ctx, name, role, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer((&handlers.Server{Store: st, Log: slog.New(slog.DiscardHandler), Auth: &handlers.Auth{}}).Routes())
	t.Cleanup(srv.Close)
	return srv
}

func browserLogin(base, name, next string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/login?next=" + next),
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Submit(chromedp.CSS("#password")),
	}
}

// run is chromedp.Run for a value, failing the test on error.
func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestFormsInBrowser drives the forms in headless chromium: a technician
// logs in, enters a drop run and lands on its page; an invalid form shows
// each error beside its field with the values kept; a CSV with three bad
// rows shows all three through the progress script; an evaluator sees no
// form links and gets 403 on a direct POST.
func TestFormsInBrowser(t *testing.T) {
	b := browsertest.New(t)
	csv := filepath.Join(t.TempDir(), "units.csv")
	if err := os.WriteFile(csv, []byte("handset,serial,notes\natlas-r1,ok-1,\natlas-r1,bad serial,\natlas-r1,,\nnope,ok-2,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			srv := formsServer(t, e)
			ctx := b.Tab(t)
			css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
			fill := []chromedp.Action[chromedp.Void]{
				chromedp.WaitVisible(css("#f-handset")),
				chromedp.SetValue(css("#f-handset"), "atlas-r1"),
				chromedp.SetValue(css("#f-unit"), "ATL-0001"),
				chromedp.SendKeys(css("#f-method"), "MIL-STD-810H 516.8 IV"),
				chromedp.SetValue(css("#f-started-at"), "2026-05-30T11:00"), // the lab's time, Europe/Paris
				chromedp.SetValue(css("#f-ended-at"), "2026-05-30T13:00"),
				chromedp.SetValue(css("#f-protective-case"), "false"),
				chromedp.SendKeys(css("#f-planned-drops"), "26"),
				chromedp.SendKeys(css("#f-drops-completed"), "26"),
				chromedp.SendKeys(css("#f-worst-severity"), "2"),
			}
			do(t, ctx, "log in", browserLogin(srv.URL, techName, "/runs/new?kind=drop")...)
			do(t, ctx, "enter a run", append(fill,
				chromedp.SendKeys(css("#f-height-m"), "1.22"),
				chromedp.SetValue(css("#f-surface"), "plywood_on_concrete"),
				chromedp.Click(css(`main button[type="submit"]`)),
				chromedp.WaitVisible(css("#revisions")))...)
			loc := run(t, ctx, "location", chromedp.Location())
			text := run(t, ctx, "run page", chromedp.Text(css("main")))
			if !strings.Contains(loc, "/runs/") || !strings.Contains(text, "plywood on concrete") || !strings.Contains(text, "Amend") {
				t.Errorf("after saving: at %s, page text %.300q", loc, text)
			}
			b.Visit(t, loc, filepath.Join("forms", e.Name+"-run.png")).AssertClean(t)

			// Invalid: out of range, missing, and values kept.
			do(t, ctx, "invalid run", append(append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(srv.URL + "/runs/new?kind=drop")}, fill...),
				chromedp.SendKeys(css("#f-height-m"), "122"),
				chromedp.Click(css(`main button[type="submit"]`)),
				chromedp.WaitVisible(css("#f-height-m-error")))...)
			heightErr := run(t, ctx, "height error", chromedp.Text(css("#f-height-m-error")))
			surfaceErr := run(t, ctx, "surface error", chromedp.Text(css("#f-surface-error")))
			height := run(t, ctx, "height", chromedp.Value(css("#f-height-m")))
			method := run(t, ctx, "method", chromedp.Value(css("#f-method")))
			described := run(t, ctx, "aria-describedby", chromedp.AttributeValue(css("#f-height-m"), "aria-describedby"))
			if !strings.Contains(heightErr, "between 0.01 and 5") || !strings.Contains(surfaceErr, "required") {
				t.Errorf("errors beside the fields: height %q, surface %q", heightErr, surfaceErr)
			}
			if height != "122" || method != "MIL-STD-810H 516.8 IV" || !strings.Contains(described.Value, "f-height-m-error") {
				t.Errorf("kept values: height %q, method %q; aria-describedby %q", height, method, described.Value)
			}

			// A CSV with three bad rows, through the progress script.
			do(t, ctx, "import", chromedp.Navigate(srv.URL+"/imports/new"),
				chromedp.SetValue(css("#f-kind"), "units"),
				chromedp.SetUploadFiles(css("#f-file"), []string{csv}),
				chromedp.Click(css(`main button[type="submit"]`)),
				chromedp.WaitVisible(css("#upload-result #problems tbody tr")))
			rows := run(t, ctx, "problem rows", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#problems tbody tr td:first-child")).map(td => td.textContent)`))
			if strings.Join(rows, ",") != "3,4,5" {
				t.Errorf("problem rows %q, want 3,4,5", rows)
			}

			// An evaluator: no form links, and a direct POST is refused.
			do(t, ctx, "evaluator login", append(browserLogin(srv.URL, evalName, "/"), chromedp.WaitVisible(css("nav.site")))...)
			dash := run(t, ctx, "dashboard", chromedp.OuterHTML(css("main")))
			do(t, ctx, "run page", chromedp.Navigate(loc), chromedp.WaitVisible(css("#revisions")))
			runPage := run(t, ctx, "run page", chromedp.OuterHTML(css("main")))
			status := run(t, ctx, "direct POST", chromedp.Evaluate[int](
				`fetch("/runs/new?kind=drop", {method: "POST", body: new URLSearchParams({token: "0123456789abcdef0123"})}).then(r => r.status)`,
				chromedp.EvalAwaitPromise))
			for _, link := range []string{"/runs/new", "/imports/new", "/amend", "/retract"} {
				if strings.Contains(dash, link) || strings.Contains(runPage, link) {
					t.Errorf("an evaluator sees a link to %s", link)
				}
			}
			if status != 403 {
				t.Errorf("evaluator POST /runs/new: %d, want 403", status)
			}
		})
	}
}
