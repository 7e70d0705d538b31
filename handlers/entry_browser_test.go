package handlers_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ruggedlab/internal/browsertest"
	"ruggedlab/internal/testdb"
)

// TestBrowserNextUnit enters drop runs for three units in a row in
// headless chromium (issue #16 item 1): the first form is filled in full,
// with the date-time pickers in the lab's time; "Save and enter the next
// unit" then shows what was saved and starts the next registered unit
// with the same method, dates and programme, so only the results are
// typed; after the last unit the form says so. The three runs are stored
// with the same UTC start.
func TestBrowserNextUnit(t *testing.T) {
	b := browsertest.New(t)
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			srv := formsServer(t, e, "ATL-0002", "ATL-0003")
			ctx := b.Tab(t)
			css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
			val := func(sel string) string { return run(t, ctx, "value of "+sel, chromedp.Value(css(sel))) }
			do(t, ctx, "log in", browserLogin(srv.URL, techName, "/runs/new?kind=drop")...)
			do(t, ctx, "first unit",
				chromedp.WaitVisible(css("#f-handset")),
				chromedp.SetValue(css("#f-handset"), "atlas-r1"),
				// A person's choice fires change: the picker shows the handset's units.
				chromedp.Evaluate[chromedp.Void](`document.getElementById("f-handset").dispatchEvent(new Event("change")), ({})`),
				chromedp.SetValue(css("#f-unit"), "ATL-0001"),
				chromedp.SendKeys(css("#f-method"), "MIL-STD-810H 516.8 IV"),
				chromedp.SetValue(css("#f-started-at"), "2026-05-30T11:00"),
				chromedp.SetValue(css("#f-ended-at"), "2026-05-30T13:00"),
				chromedp.SendKeys(css("#f-height-m"), "1,22"), // a French keyboard's decimal comma
				chromedp.SetValue(css("#f-surface"), "plywood_on_concrete"),
				chromedp.SetValue(css("#f-protective-case"), "false"),
				chromedp.SendKeys(css("#f-planned-drops"), "26"))
			hidden := run(t, ctx, "unit groups", chromedp.Evaluate[[]string](
				`Array.from(document.querySelectorAll("#f-unit optgroup")).filter(g => !g.hidden).map(g => g.label)`))
			if strings.Join(hidden, ",") != "atlas-r1" {
				t.Errorf("unit groups shown: %q, want atlas-r1 only", hidden)
			}
			for i, serial := range []string{"ATL-0001", "ATL-0002", "ATL-0003"} {
				do(t, ctx, "results of "+serial,
					// The banner of the last save goes, so that waiting for one waits for the next page.
					chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("[data-saved]").forEach(e => e.remove()), ({})`),
					chromedp.SendKeys(css("#f-drops-completed"), "26"),
					chromedp.SendKeys(css("#f-worst-severity"), []string{"1", "2", "3"}[i]),
					chromedp.Click(css(`main button[name="next"]`)),
					chromedp.WaitVisible(css("[data-saved]")))
				banner := run(t, ctx, "banner", chromedp.Text(css("[data-saved]")))
				if !strings.Contains(banner, "unit "+serial+", started 2026-05-30 11:00 CEST") {
					t.Errorf("after %s: banner %q", serial, banner)
				}
				next := []string{"ATL-0002", "ATL-0003", ""}[i]
				if got := val("#f-unit"); got != next {
					t.Errorf("after %s: unit %q, want %q", serial, got, next)
				}
				for sel, want := range map[string]string{"#f-method": "MIL-STD-810H 516.8 IV", "#f-started-at": "2026-05-30T11:00",
					"#f-ended-at": "2026-05-30T13:00", "#f-height-m": "1.22", "#f-surface": "plywood_on_concrete", "#f-planned-drops": "26",
					"#f-drops-completed": "", "#f-worst-severity": ""} {
					if got := val(sel); got != want {
						t.Errorf("after %s: %s = %q, want %q", serial, sel, got, want)
					}
				}
				if i == 0 {
					loc := run(t, ctx, "location", chromedp.Location())
					b.Visit(t, loc, filepath.Join("forms", e.Name+"-next-unit.png")).AssertClean(t)
				}
			}
			last := run(t, ctx, "messages", chromedp.Text(css("#form-messages")))
			if !strings.Contains(last, "ATL-0003 was the last registered unit") {
				t.Errorf("after the last unit: %q", last)
			}
			runs := run(t, ctx, "runs", chromedp.Evaluate[[]string](
				`fetch("/api/v1/runs?handset=atlas-r1").then(r => r.json()).then(l => l.items.map(r => r.unit + " " + r.started_at + " " + r.worst_severity).sort())`,
				chromedp.EvalAwaitPromise))
			want := "ATL-0001 2026-05-30T09:00:00Z 1,ATL-0002 2026-05-30T09:00:00Z 2,ATL-0003 2026-05-30T09:00:00Z 3"
			if strings.Join(runs, ",") != want {
				t.Errorf("runs stored: %q, want %s", runs, want)
			}

			// Retracting the first one takes a confirmation.
			saved := run(t, ctx, "saved run", chromedp.AttributeValue(css("[data-saved] a"), "href"))
			do(t, ctx, "retract", chromedp.Navigate(srv.URL+saved.Value+"/retract"),
				chromedp.WaitVisible(css("#f-reason")),
				chromedp.SendKeys(css("#f-reason"), "rig misaligned"),
				chromedp.Click(css(`main button[type="submit"]`)),
				chromedp.WaitReady(css(`input[name="confirm"]`)))
			heading := run(t, ctx, "confirmation", chromedp.Text(css("main h1")))
			status := run(t, ctx, "status before confirming", chromedp.Evaluate[string](
				`fetch("/api/v1`+saved.Value+`").then(r => r.json()).then(r => r.status)`, chromedp.EvalAwaitPromise))
			if heading != "Retract this run?" || status != "active" {
				t.Errorf("before confirming: heading %q, run %s", heading, status)
			}
			do(t, ctx, "confirm", chromedp.Click(css(`main button[type="submit"]`)), chromedp.WaitVisible(css("h1.retracted")))
		})
	}
}
