package handlers_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// formsSeed registers atlas-r1 with unit ATL-0001 through the API.
func formsSeed(t *testing.T, a *authAPI) {
	t.Helper()
	a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset), a.as(adminName)...)
	a.must(t, 201, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`, a.as(adminName)...)
}

// dropForm is a valid drop run as the form posts it.
func dropForm(token string) url.Values {
	return url.Values{"token": {token}, "handset": {"atlas-r1"}, "unit": {"ATL-0001"}, "method": {"MIL-STD-810H 516.8 IV"},
		"started_at": {"2026-05-30 09:00"}, "ended_at": {"2026-05-30T11:00:00Z"}, "height_m": {"1.22"},
		"surface": {"plywood_on_concrete"}, "protective_case": {"false"}, "planned_drops": {"26"},
		"drops_completed": {"26"}, "worst_severity": {"2"}}
}

// postForm posts form as who (a token, so no cookie jar is needed).
func (a *authAPI) postForm(t *testing.T, who, path string, form url.Values, hdr ...string) response {
	t.Helper()
	return a.call(t, "POST", path, form.Encode(), append(append([]string{"Content-Type", "application/x-www-form-urlencoded"}, a.as(who)...), hdr...)...)
}

var tokenInput = regexp.MustCompile(`name="token" value="([0-9a-f]+)"`)

// formToken renders the form at path and returns its per-render token.
func (a *authAPI) formToken(t *testing.T, who, path string) string {
	t.Helper()
	r := a.must(t, 200, "GET", path, "", a.as(who)...)
	m := tokenInput.FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("GET %s: no token in the form\n%s", path, r.Body)
	}
	return string(m[1])
}

// savedRun is the page of the run a form saved: its Location, 303 to
// /runs/{id}?saved=1, without the banner's query.
func savedRun(t *testing.T, r response) string {
	t.Helper()
	loc := r.Header.Get("Location")
	path, ok := strings.CutSuffix(loc, "?saved=1")
	if r.Status != http.StatusSeeOther || !ok || !strings.HasPrefix(path, "/runs/") {
		t.Fatalf("status %d to %q, want 303 to /runs/{id}?saved=1\n%s", r.Status, loc, r.Body)
	}
	return path
}

func runCount(t *testing.T, a *authAPI) int {
	t.Helper()
	return len(decodeList(t, a.must(t, 200, "GET", "/api/v1/runs?include_retracted=true", "", a.as(adminName)...)).Items)
}

func TestRunFormDoubleSubmitCreatesOneRun(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		formsSeed(t, a)
		form := dropForm(a.formToken(t, techName, "/runs/new?kind=drop"))
		first := a.postForm(t, techName, "/runs/new?kind=drop", form)
		second := a.postForm(t, techName, "/runs/new?kind=drop", form)
		for _, r := range []response{first, second} {
			if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/runs/") {
				t.Fatalf("status %d, Location %q; want 303 to /runs/{id}\n%s", r.Status, r.Header.Get("Location"), r.Body)
			}
		}
		if first.Header.Get("Location") != second.Header.Get("Location") {
			t.Errorf("second submit went to %s, first to %s", second.Header.Get("Location"), first.Header.Get("Location"))
		}
		if n := runCount(t, a); n != 1 {
			t.Errorf("%d runs recorded, want 1", n)
		}
		page := a.must(t, 200, "GET", first.Header.Get("Location"), "", a.as(techName)...)
		if !bytes.Contains(page.Body, []byte("Amend")) || !bytes.Contains(page.Body, []byte("R")) {
			t.Errorf("run page lacks the Amend button\n%s", page.Body)
		}
	})
}

func TestRunFormErrorsBesideFields(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		formsSeed(t, a)
		form := dropForm(a.formToken(t, techName, "/runs/new?kind=drop"))
		form.Set("height_m", "122")
		form.Set("surface", "")
		form.Set("planned_drops", "twenty")
		form.Set("notes", strings.Repeat("x", 4001))
		r := a.postForm(t, techName, "/runs/new?kind=drop", form)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422\n%s", r.Status, r.Body)
		}
		for _, name := range []string{"height_m", "surface", "planned_drops", "notes"} {
			id := "f-" + strings.ReplaceAll(name, "_", "-")
			if !bytes.Contains(r.Body, []byte(`aria-describedby="`+id+`-hint `+id+`-error"`)) ||
				!bytes.Contains(r.Body, []byte(`id="`+id+`-error" data-error-for="`+name+`"`)) {
				t.Errorf("%s: no error beside the field", name)
			}
		}
		for _, kept := range []string{`value="122"`, `value="twenty"`, `value="MIL-STD-810H 516.8 IV"`} {
			if !bytes.Contains(r.Body, []byte(kept)) {
				t.Errorf("entered value %s not kept", kept)
			}
		}
		if n := runCount(t, a); n != 0 {
			t.Errorf("%d runs recorded, want 0", n)
		}
	})
}

func TestAmendFormShowsDiffThenSaves(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		formsSeed(t, a)
		loc := savedRun(t, a.postForm(t, techName, "/runs/new?kind=drop", dropForm(a.formToken(t, techName, "/runs/new?kind=drop"))))
		form := dropForm("")
		form.Del("token")
		form.Del("handset")
		form.Del("unit")
		form.Set("started_at", "2026-05-30T09:00:00Z")
		form.Set("technician", techName)
		form.Set("worst_severity", "3")
		form.Set("revision", "1")

		form.Set("reason", "")
		if r := a.postForm(t, techName, loc+"/amend", form); r.Status != 422 || !bytes.Contains(r.Body, []byte(`data-error-for="reason"`)) {
			t.Errorf("no reason: status %d, want 422 with the error beside reason", r.Status)
		}
		// "no" gets the store's words, as the API gets them.
		form.Set("reason", "no")
		if r := a.postForm(t, techName, loc+"/amend", form); r.Status != 422 || !bytes.Contains(r.Body, []byte("at least 3 characters")) {
			t.Errorf("reason no: status %d, want 422 saying at least 3 characters\n%s", r.Status, r.Body)
		}
		if p := a.must(t, 422, "POST", "/api/v1"+loc+"/amendments", `{"reason": "no", "revision": 1, "changes": {"worst_severity": 3}}`, a.as(techName)...).Body; !bytes.Contains(p, []byte("at least 3 characters")) {
			t.Errorf("API reason no: %s, want at least 3 characters", p)
		}
		form.Set("reason", "re-inspected under a magnifier")
		r := a.postForm(t, techName, loc+"/amend", form)
		if r.Status != 200 || !bytes.Contains(r.Body, []byte(`<td>Worst severity (0–6)</td><td>2</td><td>3</td>`)) ||
			!bytes.Contains(r.Body, []byte(`name="confirm" value="1"`)) {
			t.Fatalf("first POST: status %d, want 200 with the diff worst_severity 2 → 3 to confirm\n%s", r.Status, r.Body)
		}
		if rev := object(t, a.must(t, 200, "GET", "/api/v1"+loc, "", a.as(techName)...))["revision"]; rev != 1.0 {
			t.Errorf("revision after the preview = %v, want 1", rev)
		}
		form.Set("confirm", "1")
		r = a.postForm(t, techName, loc+"/amend", form)
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != loc {
			t.Fatalf("confirm: status %d to %q, want 303 to %s\n%s", r.Status, r.Header.Get("Location"), loc, r.Body)
		}
		run := object(t, a.must(t, 200, "GET", "/api/v1"+loc, "", a.as(techName)...))
		if run["revision"] != 2.0 || run["worst_severity"] != 3.0 {
			t.Errorf("after confirm: revision %v, worst_severity %v; want 2, 3", run["revision"], run["worst_severity"])
		}
		// The same form again is against revision 1: stale.
		r = a.postForm(t, techName, loc+"/amend", form)
		if r.Status != http.StatusConflict || !bytes.Contains(r.Body, []byte("revision 2")) {
			t.Errorf("stale revision: status %d, want 409 naming revision 2\n%s", r.Status, r.Body)
		}
	})
}

func TestRetractFormNeedsReason(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		formsSeed(t, a)
		loc := savedRun(t, a.postForm(t, techName, "/runs/new?kind=drop", dropForm(a.formToken(t, techName, "/runs/new?kind=drop"))))
		r := a.postForm(t, techName, loc+"/retract", url.Values{"reason": {" "}})
		if r.Status != 422 || !bytes.Contains(r.Body, []byte(`data-error-for="reason"`)) {
			t.Errorf("no reason: status %d, want 422 with the error beside reason\n%s", r.Status, r.Body)
		}
		if st := object(t, a.must(t, 200, "GET", "/api/v1"+loc, "", a.as(techName)...))["status"]; st != "active" {
			t.Errorf("status %v after a refused retraction", st)
		}
		if r := a.postForm(t, techName, loc+"/retract", url.Values{"reason": {"no"}}); r.Status != 422 || !bytes.Contains(r.Body, []byte("at least 3 characters")) {
			t.Errorf("reason no: status %d, want 422 saying at least 3 characters\n%s", r.Status, r.Body)
		}
		if p := a.must(t, 422, "POST", "/api/v1"+loc+"/retraction", `{"reason": "no"}`, a.as(techName)...).Body; !bytes.Contains(p, []byte("at least 3 characters")) {
			t.Errorf("API reason no: %s, want at least 3 characters", p)
		}
		// A valid reason asks for confirmation first, as an amendment does.
		r = a.postForm(t, techName, loc+"/retract", url.Values{"reason": {"rig misaligned"}})
		if r.Status != http.StatusOK || !bytes.Contains(r.Body, []byte("Retract this run?")) ||
			!bytes.Contains(r.Body, []byte(`name="confirm" value="yes"`)) || !bytes.Contains(r.Body, []byte("rig misaligned")) {
			t.Fatalf("retract: status %d, want 200 asking to confirm\n%s", r.Status, r.Body)
		}
		if st := object(t, a.must(t, 200, "GET", "/api/v1"+loc, "", a.as(techName)...))["status"]; st != "active" {
			t.Errorf("status %v before the confirmation", st)
		}
		r = a.postForm(t, techName, loc+"/retract", url.Values{"reason": {"rig misaligned"}, "confirm": {"yes"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != loc {
			t.Errorf("confirmed retract: status %d to %q, want 303 to %s\n%s", r.Status, r.Header.Get("Location"), loc, r.Body)
		}
		if st := object(t, a.must(t, 200, "GET", "/api/v1"+loc, "", a.as(techName)...))["status"]; st != "retracted" {
			t.Errorf("status %v after the confirmation, want retracted", st)
		}
	})
}

// TestFormsPolicy: evaluators get no form and no link, and their POSTs are
// refused; a form posted from another site is refused whoever is logged in.
func TestFormsPolicy(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		formsSeed(t, a)
		loc := savedRun(t, a.postForm(t, techName, "/runs/new?kind=drop", dropForm(a.formToken(t, techName, "/runs/new?kind=drop"))))
		posts := []struct{ path string }{
			{"/runs/new?kind=drop"}, {loc + "/amend"}, {loc + "/retract"}, {"/handsets/atlas-r1/units/new"},
			{"/handsets/new"}, {"/imports/new"}, {loc + "/series/new"},
		}
		for _, p := range posts {
			r := a.postForm(t, evalName, p.path, url.Values{"reason": {"because"}, "serials": {"X-1"}})
			wantAccessProblem(t, r, http.StatusForbidden, "forbidden")
			if r := a.call(t, "GET", strings.Split(p.path, "?")[0], "", a.as(evalName)...); r.Status != http.StatusForbidden && !strings.HasPrefix(p.path, "/runs/new") {
				t.Errorf("GET %s as evaluator: %d, want 403", p.path, r.Status)
			}
			cross := a.postForm(t, techName, p.path, url.Values{"reason": {"because"}}, "Sec-Fetch-Site", "cross-site")
			wantAccessProblem(t, cross, http.StatusForbidden, "cross-site")
		}
		if r := a.postForm(t, techName, "/handsets/new", url.Values{"code": {"x1"}}); r.Status != http.StatusForbidden {
			t.Errorf("technician registering a handset: %d, want 403", r.Status)
		}
		for _, path := range []string{"/", "/handsets/atlas-r1", loc} {
			body := a.must(t, 200, "GET", path, "", a.as(evalName)...).Body
			for _, link := range []string{"/runs/new", "/imports/new", "/amend", "/retract", "/units/new"} {
				if bytes.Contains(body, []byte(link)) {
					t.Errorf("%s shows an evaluator a link to %s", path, link)
				}
			}
			tech := a.must(t, 200, "GET", path, "", a.as(techName)...).Body
			if !bytes.Contains(tech, []byte(`class="button secondary"`)) {
				t.Errorf("%s shows a technician no form buttons", path)
			}
		}
		if n := runCount(t, a); n != 1 {
			t.Errorf("%d runs, want 1: a refused POST recorded something", n)
		}
	})
}

func TestUnitsFormAllOrNothing(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		formsSeed(t, a)
		r := a.postForm(t, techName, "/handsets/atlas-r1/units/new", url.Values{"serials": {"ATL-0002\nbad serial!\n\nATL-0003"}})
		if r.Status != 422 || !bytes.Contains(r.Body, []byte("line 2")) {
			t.Errorf("bad line: status %d, want 422 naming line 2\n%s", r.Status, r.Body)
		}
		r = a.postForm(t, techName, "/handsets/atlas-r1/units/new", url.Values{"serials": {"ATL-0002\nATL-0001"}})
		if r.Status != http.StatusConflict {
			t.Errorf("existing serial: status %d, want 409\n%s", r.Status, r.Body)
		}
		r = a.postForm(t, techName, "/handsets/atlas-r1/units/new", url.Values{"serials": {"ATL-0002\r\nATL-0003\r\n"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("status %d, want 303\n%s", r.Status, r.Body)
		}
		units := decodeList(t, a.must(t, 200, "GET", "/api/v1/handsets/atlas-r1/units", "", a.as(techName)...)).Items
		if len(units) != 3 {
			t.Errorf("%d units, want 3 (ATL-0001 and the two from the form, none from the refused ones)", len(units))
		}
	})
}

// TestUnitsFormInline: a technician registers units on the handset page
// itself, with the units form inline (the same POST as its own page),
// and comes back to the page's units.
func TestUnitsFormInline(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		formsSeed(t, a)
		page := a.must(t, 200, "GET", "/handsets/atlas-r1", "", a.as(techName)...).Body
		for _, want := range []string{`<form method="post" action="/handsets/atlas-r1/units/new"`, `name="serials"`, `name="notes"`} {
			if !bytes.Contains(page, []byte(want)) {
				t.Errorf("handset page lacks the inline units form's %s", want)
			}
		}
		r := a.postForm(t, techName, "/handsets/atlas-r1/units/new", url.Values{"serials": {"ATL-0042"}, "notes": {""}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/handsets/atlas-r1#units" {
			t.Fatalf("inline register: %d to %q, want 303 to the handset page's units", r.Status, r.Header.Get("Location"))
		}
		if page := a.must(t, 200, "GET", "/handsets/atlas-r1", "", a.as(techName)...).Body; !bytes.Contains(page, []byte("ATL-0042")) {
			t.Error("the registered unit is not on the handset page")
		}
	})
}

func TestHandsetFormAndAudit(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		r := a.postForm(t, adminName, "/handsets/new", url.Values{"code": {"atlas-r1"}, "name": {"Atlas R1"},
			"manufacturer": {"Atlas"}, "form_factor": {"phone"}, "declared.drop_height_m": {"1.5"}, "declared.nominal_voltage_v": {"lots"}})
		if r.Status != 422 || !bytes.Contains(r.Body, []byte(`data-error-for="declared.nominal_voltage_v"`)) {
			t.Errorf("bad declared value: status %d, want 422 beside the field\n%s", r.Status, r.Body)
		}
		r = a.postForm(t, adminName, "/handsets/new", url.Values{"code": {"atlas-r1"}, "name": {"Atlas R1"},
			"manufacturer": {"Atlas"}, "form_factor": {"phone"}, "declared.drop_height_m": {"1.5"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/handsets/atlas-r1" {
			t.Fatalf("status %d to %q, want 303 to /handsets/atlas-r1\n%s", r.Status, r.Header.Get("Location"), r.Body)
		}
		audit := a.must(t, 200, "GET", "/audit", "", a.as(adminName)...)
		if !bytes.Contains(audit.Body, []byte("POST /handsets/new")) {
			t.Errorf("/audit lacks the handset form's POST\n%s", audit.Body)
		}
		if r := a.call(t, "GET", "/audit", "", a.as(techName)...); r.Status != http.StatusForbidden {
			t.Errorf("/audit as technician: %d, want 403", r.Status)
		}
	})
}

// multipartForm builds a form with fields, then the file last.
func multipartForm(t *testing.T, fields map[string]string, fileName, file string) (string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile("file", fileName)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(file))
	_ = w.Close()
	return b.String(), w.FormDataContentType()
}

func TestImportFormWithoutScript(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		formsSeed(t, a)
		token := a.formToken(t, techName, "/imports/new")
		bad := "handset,serial,notes\natlas-r1,ok-1,\natlas-r1,bad serial,\natlas-r1,,\nnope,ok-2,\n"
		body, ct := multipartForm(t, map[string]string{"token": token, "kind": "units"}, "units.csv", bad)
		r := a.call(t, "POST", "/imports/new", body, append([]string{"Content-Type", ct}, a.as(techName)...)...)
		if r.Status != 422 {
			t.Fatalf("status %d, want 422\n%s", r.Status, r.Body)
		}
		for _, row := range []string{`<td class="num">3</td>`, `<td class="num">4</td>`, `<td class="num">5</td>`} {
			if !bytes.Contains(r.Body, []byte(row)) {
				t.Errorf("problem table lacks row %s\n%s", row, r.Body)
			}
		}
		good := "handset,serial,notes\natlas-r1,ok-1,\natlas-r1,ok-2,\n"
		for i := range 2 { // the second submit of the same form records nothing more
			body, ct = multipartForm(t, map[string]string{"token": token, "kind": "units"}, "units.csv", good)
			r = a.call(t, "POST", "/imports/new", body, append([]string{"Content-Type", ct}, a.as(techName)...)...)
			if r.Status != 200 || !bytes.Contains(r.Body, []byte("2 rows")) {
				t.Fatalf("submit %d: status %d, want 200 saying 2 rows\n%s", i+1, r.Status, r.Body)
			}
		}
		units := decodeList(t, a.must(t, 200, "GET", "/api/v1/handsets/atlas-r1/units", "", a.as(techName)...)).Items
		if len(units) != 3 {
			t.Errorf("%d units, want 3", len(units))
		}
	})
}

// TestImportFormOpensItsRuns: after an import through the form, "Open it"
// leads to the runs that import created (it used to be /runs with no ids,
// "0 runs"), a hundred a page.
func TestImportFormOpensItsRuns(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		formsSeed(t, a)
		token := a.formToken(t, techName, "/imports/new")
		body, ct := multipartForm(t, map[string]string{"token": token, "kind": "drop"}, "tumbler.csv", dropFile(250, nil))
		r := a.call(t, "POST", "/imports/new", body, append([]string{"Content-Type", ct}, a.as(techName)...)...)
		if r.Status != 200 {
			t.Fatalf("import: status %d\n%s", r.Status, r.Body)
		}
		m := regexp.MustCompile(`href="(/runs\?import=[^"&]+)"`).FindSubmatch(r.Body)
		if m == nil {
			t.Fatalf("no link to the import's runs:\n%s", r.Body)
		}
		open := html.UnescapeString(string(m[1]))
		rows := func(b []byte) int { return bytes.Count(b, []byte(`<a href="/runs/`)) }
		page1 := a.must(t, 200, "GET", open, "", a.as(evalName)...)
		if n := rows(page1.Body); n != 100 || !bytes.Contains(page1.Body, []byte("Page 1 of 3")) || !bytes.Contains(page1.Body, []byte("tumbler.csv")) {
			t.Errorf("page 1: %d run links, want 100, with \"Page 1 of 3\" and the file name\n%.3000s", n, page1.Body)
		}
		page3 := a.must(t, 200, "GET", open+"&page=3", "", a.as(evalName)...)
		if n := rows(page3.Body); n != 50 || !bytes.Contains(page3.Body, []byte(`rel="prev"`)) || bytes.Contains(page3.Body, []byte(`rel="next"`)) {
			t.Errorf("page 3: %d run links, want 50, a previous link and no next", n)
		}
		if r := a.call(t, "GET", open+"&page=zero", "", a.as(evalName)...); r.Status != 422 || !bytes.Contains(r.Body, []byte("whole number")) {
			t.Errorf("page=zero: %d\n%.500s", r.Status, r.Body)
		}
		if r := a.call(t, "GET", "/runs?import=no-such-import", "", a.as(evalName)...); r.Status != 404 {
			t.Errorf("unknown import: %d", r.Status)
		}
	})
}
