package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ruggedlab/models"
	"ruggedlab/store"
)

// importsSeed is atlas-r1 (ATL-0001) registered by a units import, and
// three drop runs imported by tom from junk.csv. It returns the two imports.
func importsSeed(t *testing.T, a *authAPI) (units, drops models.Import) {
	t.Helper()
	ctx := context.Background()
	if _, err := a.store.CreateHandset(ctx, models.Handset{Code: "atlas-r1", Name: "Atlas R1", Manufacturer: "Atlas", FormFactor: "phone"}, adminName); err != nil {
		t.Fatal(err)
	}
	units, err := a.store.CreateImport(ctx, "units", strings.NewReader("handset,serial,notes\natlas-r1,ATL-0001,\n"), store.ImportOptions{By: techName, FileName: "units.csv"})
	if err != nil {
		t.Fatal(err)
	}
	csv := "handset,unit,method,started_at,ended_at,technician,height_m,surface,protective_case,planned_drops,drops_completed,first_failure_drop,worst_severity\n" +
		"atlas-r1,ATL-0001,MIL-STD-810H 516.8 IV,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,tom,1.5,concrete,false,26,26,,1\n" +
		"atlas-r1,ATL-0001,MIL-STD-810H 516.8 IV,2026-03-03T09:00:00Z,2026-03-03T10:00:00Z,tom,1.5,concrete,false,26,26,,1\n" +
		"atlas-r1,ATL-0001,MIL-STD-810H 516.8 IV,2026-03-04T09:00:00Z,2026-03-04T10:00:00Z,tom,1.5,concrete,false,26,4,4,3\n"
	drops, err = a.store.CreateImport(ctx, "drop", strings.NewReader(csv), store.ImportOptions{By: techName, FileName: "junk.csv"})
	if err != nil {
		t.Fatal(err)
	}
	return units, drops
}

func TestImportsPage(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		units, drops := importsSeed(t, a)
		html := func(who, path string) response {
			return a.call(t, "GET", path, "", append(a.as(who), "Accept", "text/html")...)
		}
		post := func(who, path string, form url.Values) response {
			return a.postForm(t, who, path, form, "Accept", "text/html")
		}
		retract := "/imports/" + drops.ID + "/retract"
		list := html(techName, "/imports")
		body := string(list.Body)
		for _, want := range []string{"junk.csv", "units.csv", `<td class="num">3</td>`, `href="/runs?import=` + drops.ID + `"`,
			`href="` + retract + `"`, "Rows 1–2 of 2 · page 1 of 1", `<a href="/imports" aria-current="page">Imports</a>`} {
			if !strings.Contains(body, want) {
				t.Errorf("/imports lacks %q", want)
			}
		}
		if list.Status != 200 || strings.Contains(body, "/imports/"+units.ID+"/retract") || strings.Contains(body, "/runs?import="+units.ID) {
			t.Errorf("/imports: %d; a units import offers runs or a retraction\n%.3000s", list.Status, body)
		}
		// an evaluator may not see the list, its nav link, or retract
		if r := html(evalName, "/imports"); r.Status != http.StatusForbidden {
			t.Errorf("evaluator /imports: %d, want 403", r.Status)
		}
		if r := html(evalName, "/"); strings.Contains(string(r.Body), `href="/imports"`) {
			t.Errorf("an evaluator's nav bar links /imports")
		}
		if r := post(evalName, retract, url.Values{"reason": {"junk file"}, "confirm": {"yes"}}); r.Status != http.StatusForbidden {
			t.Errorf("evaluator retract: %d, want 403", r.Status)
		}

		for _, tt := range []struct {
			name   string
			form   url.Values
			status int
			has    []string
		}{
			{"too short a reason", url.Values{"reason": {"no"}}, 422, []string{`data-error-for="reason"`}},
			{"no reason, even confirmed", url.Values{"confirm": {"yes"}}, 422, []string{`data-error-for="reason"`}},
			{"the confirmation step", url.Values{"reason": {"junk battery file"}}, 200,
				[]string{"Retract 3 runs?", `name="confirm" value="yes"`, `name="reason" value="junk battery file"`, "Retract 3 runs</button>"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := post(techName, retract, tt.form)
				if r.Status != tt.status {
					t.Fatalf("status %d, want %d\n%.2000s", r.Status, tt.status, r.Body)
				}
				for _, s := range tt.has {
					if !strings.Contains(string(r.Body), s) {
						t.Errorf("answer lacks %q\n%.3000s", s, r.Body)
					}
				}
				if n := activeRuns(t, a); n != 3 {
					t.Errorf("%d active runs after %s, want 3", n, tt.name)
				}
			})
		}
		if r := html(techName, retract); r.Status != 200 || !strings.Contains(string(r.Body), `name="reason"`) || !strings.Contains(string(r.Body), "3 drop runs imported from junk.csv by tom") {
			t.Errorf("retract form: %d\n%.2000s", r.Status, r.Body)
		}

		done := post(techName, retract, url.Values{"reason": {"junk battery file"}, "confirm": {"yes"}})
		if done.Status != http.StatusSeeOther || done.Header.Get("Location") != "/runs?import="+drops.ID {
			t.Fatalf("confirmed: %d to %q\n%.2000s", done.Status, done.Header.Get("Location"), done.Body)
		}
		if n := activeRuns(t, a); n != 0 {
			t.Errorf("%d active runs after the retraction, want 0", n)
		}
		runs := string(html(techName, done.Header.Get("Location")).Body)
		if n := strings.Count(runs, `<tr class="retracted">`); n != 3 {
			t.Errorf("the import's runs: %d struck through, want 3\n%.3000s", n, runs)
		}
		after := string(html(techName, "/imports").Body)
		row := regexp.MustCompile(`(?s)<tr id="import-` + regexp.QuoteMeta(drops.ID) + `" class="retracted">.*?</tr>`).FindString(after)
		if !strings.Contains(row, "by tom on") || !strings.Contains(row, "junk battery file") || strings.Contains(row, retract) {
			t.Errorf("the retracted import's row: %q", row)
		}
		if r := post(techName, retract, url.Values{"reason": {"again please"}, "confirm": {"yes"}}); r.Status != http.StatusConflict {
			t.Errorf("second retraction: %d, want 409", r.Status)
		}
		if r := html(techName, "/imports?page=zero"); r.Status != 422 || !strings.Contains(string(r.Body), "<td><code>page</code></td>") {
			t.Errorf("/imports?page=zero: %d", r.Status)
		}
		if r := html(techName, "/imports/no-such/retract"); r.Status != 404 {
			t.Errorf("unknown import: %d, want 404", r.Status)
		}
	})
}

func activeRuns(t *testing.T, a *authAPI) int {
	t.Helper()
	rt, err := a.store.RunTable(context.Background(), store.RunTableQuery{Status: models.Active})
	if err != nil {
		t.Fatal(err)
	}
	return rt.Total
}

// TestImportsPageDryRun: the upload form's dry-run box checks the file
// and records nothing.
func TestImportsPageDryRun(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		formsSeed(t, a)
		form := a.must(t, 200, "GET", "/imports/new", "", a.as(techName)...)
		if !strings.Contains(string(form.Body), `name="dry_run" type="checkbox" value="true"`) {
			t.Fatalf("the import form has no dry-run box\n%s", form.Body)
		}
		token := a.formToken(t, techName, "/imports/new")
		units := "handset,serial,notes\natlas-r1,ok-1,\natlas-r1,ok-2,\n"
		body, ct := multipartForm(t, map[string]string{"token": token, "kind": "units", "dry_run": "true"}, "units.csv", units)
		r := a.call(t, "POST", "/imports/new", body, append([]string{"Content-Type", ct}, a.as(techName)...)...)
		if r.Status != 200 || !strings.Contains(string(r.Body), "Dry run: 2 rows checked, all valid; nothing was recorded.") {
			t.Fatalf("dry run: %d\n%s", r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), "Open it") {
			t.Errorf("a dry run links to what it did not create")
		}
		got, _, err := a.store.Units(context.Background(), "atlas-r1", store.Page{})
		if err != nil || len(got) != 1 {
			t.Errorf("units after a dry run: %d, %v; want only ATL-0001", len(got), err)
		}
		// the same form then imports for real
		body, ct = multipartForm(t, map[string]string{"token": token, "kind": "units"}, "units.csv", units)
		if r := a.call(t, "POST", "/imports/new", body, append([]string{"Content-Type", ct}, a.as(techName)...)...); r.Status != 200 || !strings.Contains(string(r.Body), "Imported 2 rows") {
			t.Errorf("real import after the dry run: %d\n%s", r.Status, r.Body)
		}
	})
}
