package handlers_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/i18n"
	"ruggedlab/internal/testdb"
)

// Entry (issue #16 item 1): times in the lab's zone, a unit picker,
// one round of problems, "save and enter the next unit", a confirmed
// retraction, and messages in people's words in both languages.

// eachEntryEngine is eachAuthEngine with a catalogue that reports every
// French text the forms ask for in vain.
func eachEntryEngine(t *testing.T, fn func(t *testing.T, a *authAPI, m *missing)) {
	t.Helper()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			cat, err := i18n.Load()
			if err != nil {
				t.Fatal(err)
			}
			m := &missing{keys: map[string]bool{}}
			cat.OnMissing = m.add
			a := newAuthAPI(t, e, func(s *handlers.Server) { s.I18n = cat })
			fn(t, a, m)
			if keys := m.take(); len(keys) > 0 {
				t.Errorf("French texts missing from fr.json: %q", keys)
			}
		})
	}
}

// entrySeed registers atlas-r1 with units ATL-0001 to ATL-0003.
func entrySeed(t *testing.T, a *authAPI) {
	t.Helper()
	formsSeed(t, a)
	for _, serial := range []string{"ATL-0003", "ATL-0002"} {
		a.must(t, 201, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "`+serial+`"}`, a.as(adminName)...)
	}
}

var french = []string{"Cookie", "rl_lang=fr"}

// errorFor is the error a form shows beside the field name, or "".
func errorFor(body []byte, name string) string {
	m := regexp.MustCompile(`data-error-for="` + regexp.QuoteMeta(name) + `">([^<]*)<`).FindSubmatch(body)
	if m == nil {
		return ""
	}
	return htmlText(string(m[1]))
}

func htmlText(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&quot;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

// A wrongly typed value, an unregistered unit and a missing field: one
// submit shows all three beside their fields, in English and in French.
func TestRunFormOneRoundOfProblems(t *testing.T) {
	eachEntryEngine(t, func(t *testing.T, a *authAPI, _ *missing) {
		entrySeed(t, a)
		for _, tc := range []struct {
			lang                 []string
			height, unit, method string
		}{
			{nil, `"two" is not a number`, `unit "ATL-9999" is not registered for handset "atlas-r1": register it first`, "is required"},
			{french, `"two" n'est pas un nombre`, `l'exemplaire "ATL-9999" n'est pas enregistré pour le terminal "atlas-r1" : enregistrez-le d'abord`, "est obligatoire"},
		} {
			form := dropForm(a.formToken(t, techName, "/runs/new?kind=drop"))
			form.Set("height_m", "two")
			form.Set("unit", "ATL-9999")
			form.Set("method", "")
			r := a.postForm(t, techName, "/runs/new?kind=drop", form, tc.lang...)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", r.Status, r.Body)
			}
			for name, want := range map[string]string{"height_m": tc.height, "unit": tc.unit, "method": tc.method} {
				if got := errorFor(r.Body, name); got != want {
					t.Errorf("%v: error beside %s = %q, want %q", tc.lang, name, got, want)
				}
			}
			if bytes.Contains(r.Body, []byte("/api/v1/")) {
				t.Errorf("the form quotes an API path")
			}
			// The unregistered serial stays chosen, so its error has a value to be about.
			if !bytes.Contains(r.Body, []byte(`<option value="ATL-9999" selected>`)) {
				t.Errorf("the unregistered unit is not kept")
			}
		}
		if n := runCount(t, a); n != 0 {
			t.Errorf("%d runs recorded, want 0", n)
		}
	})
}

// "no" is too short a reason, in either language, for an amendment and
// a retraction alike; the labels are people's, not the API's keys.
func TestReasonTooShortInBothLanguages(t *testing.T) {
	eachEntryEngine(t, func(t *testing.T, a *authAPI, _ *missing) {
		entrySeed(t, a)
		loc := savedRun(t, a.postForm(t, techName, "/runs/new?kind=drop", dropForm(a.formToken(t, techName, "/runs/new?kind=drop"))))
		amend := dropForm("")
		for _, k := range []string{"token", "handset", "unit"} {
			amend.Del(k)
		}
		amend.Set("worst_severity", "3")
		amend.Set("revision", "1")
		amend.Set("reason", "no")
		for _, tc := range []struct {
			lang          []string
			retract, edit string
			label         string
		}{
			{nil, "must be at least 3 characters: say why the run is retracted (ISO/IEC 17025 §7.5.2)",
				"must be at least 3 characters: say why the run is amended (ISO/IEC 17025 §7.5.2)", "Drop height (m)"},
			{french, "doit faire au moins 3 caractères : dites pourquoi l'essai est retiré (ISO/IEC 17025 §7.5.2)",
				"doit faire au moins 3 caractères : dites pourquoi l'essai est modifié (ISO/IEC 17025 §7.5.2)", "Hauteur de chute (m)"},
		} {
			r := a.postForm(t, techName, loc+"/retract", url.Values{"reason": {"no"}}, tc.lang...)
			if got := errorFor(r.Body, "reason"); r.Status != 422 || got != tc.retract {
				t.Errorf("%v retract: %d, %q; want 422, %q", tc.lang, r.Status, got, tc.retract)
			}
			r = a.postForm(t, techName, loc+"/amend", amend, tc.lang...)
			if got := errorFor(r.Body, "reason"); r.Status != 422 || got != tc.edit {
				t.Errorf("%v amend: %d, %q; want 422, %q", tc.lang, r.Status, got, tc.edit)
			}
			if !bytes.Contains(r.Body, []byte(">"+tc.label+" <span")) {
				t.Errorf("%v: no label %q on the amendment form", tc.lang, tc.label)
			}
			if bytes.Contains(r.Body, []byte(">Height m")) || bytes.Contains(r.Body, []byte(">height_m")) {
				t.Errorf("%v: a label spells the field's key", tc.lang)
			}
		}
	})
}

// Times are typed in the lab's zone (Europe/Paris by default) and stored
// as the right UTC instant on both sides of each change of the clocks; a
// time the clocks skip or repeat is refused beside its field.
func TestRunFormTimesInLabZone(t *testing.T) {
	eachEntryEngine(t, func(t *testing.T, a *authAPI, _ *missing) {
		entrySeed(t, a)
		for _, tc := range []struct{ typed, stored, problem string }{
			{"2026-01-15T10:00", "2026-01-15T09:00:00Z", ""},          // CET, UTC+1
			{"2026-05-30T11:00", "2026-05-30T09:00:00Z", ""},          // CEST, UTC+2
			{"2026-03-29T01:59", "2026-03-29T00:59:00Z", ""},          // the last minute of winter time
			{"2026-03-29T03:00", "2026-03-29T01:00:00Z", ""},          // the first of summer time
			{"2025-10-26T01:30", "2025-10-25T23:30:00Z", ""},          // still summer time
			{"2025-10-26T03:30", "2025-10-26T02:30:00Z", ""},          // winter time again
			{"2025-10-26T02:30:15", "", "happens twice"},              // 02:00–03:00 comes twice
			{"2026-03-29T02:30", "", "does not exist"},                // 02:00–03:00 is skipped
			{"2025-10-26T02:30:00+02:00", "2025-10-26T00:30:00Z", ""}, // an explicit offset settles it
		} {
			form := dropForm(a.formToken(t, techName, "/runs/new?kind=drop"))
			form.Set("started_at", tc.typed)
			form.Set("ended_at", "2026-05-30T13:00")
			r := a.postForm(t, techName, "/runs/new?kind=drop", form)
			if tc.problem != "" {
				if got := errorFor(r.Body, "started_at"); r.Status != 422 || !strings.Contains(got, tc.problem) {
					t.Errorf("%s: %d, %q; want 422 saying %q", tc.typed, r.Status, got, tc.problem)
				}
				continue
			}
			loc := savedRun(t, r)
			run := object(t, a.must(t, 200, "GET", "/api/v1"+loc, "", a.as(techName)...))
			if run["started_at"] != tc.stored || run["ended_at"] != "2026-05-30T11:00:00Z" {
				t.Errorf("%s: stored started_at %v, ended_at %v; want %s, 2026-05-30T11:00:00Z", tc.typed, run["started_at"], run["ended_at"], tc.stored)
			}
			// The amendment form shows it back in the lab's time, as typed.
			page := a.must(t, 200, "GET", loc+"/amend", "", a.as(techName)...).Body
			want := tc.typed
			if strings.Contains(want, "+") {
				want = "2025-10-26T02:30" // shown in the zone, the first 02:30
			}
			if !bytes.Contains(page, []byte(`name="started_at" type="datetime-local" value="`+want+`"`)) {
				t.Errorf("%s: the amendment form does not show it back in the lab's time", tc.typed)
			}
		}
		form := a.must(t, 200, "GET", "/runs/new?kind=drop", "", a.as(techName)...).Body
		if !bytes.Contains(form, []byte("lab time, Europe/Paris")) {
			t.Errorf("the time fields do not name the zone")
		}
	})
}

// "Save and enter the next unit" three times: each form says what was
// saved and starts on the next registered unit with the same method,
// dates and programme and none of the previous unit's results.
func TestRunFormNextUnit(t *testing.T) {
	eachEntryEngine(t, func(t *testing.T, a *authAPI, _ *missing) {
		entrySeed(t, a)
		form := dropForm(a.formToken(t, techName, "/runs/new?kind=drop"))
		form.Set("started_at", "2026-05-30T11:00")
		form.Set("ended_at", "2026-05-30T13:00")
		form.Set("next", "1")
		for i, serial := range []string{"ATL-0001", "ATL-0002", "ATL-0003"} {
			r := a.postForm(t, techName, "/runs/new?kind=drop", form)
			next := r.Header.Get("Location")
			if r.Status != http.StatusSeeOther || !strings.HasPrefix(next, "/runs/new?kind=drop&next=") {
				t.Fatalf("unit %s: status %d to %q, want 303 to the next unit's form\n%s", serial, r.Status, next, r.Body)
			}
			page := a.must(t, 200, "GET", next, "", a.as(techName)...).Body
			if !bytes.Contains(page, []byte("Saved: drop run of atlas-r1, unit "+serial+", started 2026-05-30 11:00 CEST.")) {
				t.Errorf("unit %s: no saved banner\n%s", serial, page)
			}
			values := formValues(t, page)
			wantUnit := []string{"ATL-0002", "ATL-0003", ""}[i]
			for name, want := range map[string]string{
				"unit": wantUnit, "handset": "atlas-r1", "method": "MIL-STD-810H 516.8 IV", "started_at": "2026-05-30T11:00", "ended_at": "2026-05-30T13:00",
				"height_m": "1.22", "surface": "plywood_on_concrete", "protective_case": "false", "planned_drops": "26",
				"drops_completed": "", "worst_severity": "", "notes": "",
			} {
				if got := values.Get(name); got != want {
					t.Errorf("after unit %s: %s = %q, want %q", serial, name, got, want)
				}
			}
			if wantUnit == "" && !bytes.Contains(page, []byte("Unit ATL-0003 was the last registered unit of handset atlas-r1")) {
				t.Errorf("after the last unit: no word that it was the last")
			}
			// The next form's values, with the results of the next unit.
			form = values
			form.Set("drops_completed", "26")
			form.Set("worst_severity", "1")
			form.Set("next", "1")
		}
		runs := decodeList(t, a.must(t, 200, "GET", "/api/v1/runs?handset=atlas-r1", "", a.as(techName)...)).Items
		if len(runs) != 3 {
			t.Fatalf("%d runs, want 3", len(runs))
		}
		for _, run := range runs {
			if run["method"] != "MIL-STD-810H 516.8 IV" || run["started_at"] != "2026-05-30T09:00:00Z" || run["height_m"] != 1.22 {
				t.Errorf("run of %v: method %v, started_at %v, height %v", run["unit"], run["method"], run["started_at"], run["height_m"])
			}
		}
		// The run page says it was saved, and offers the next unit.
		loc := savedRun(t, a.postForm(t, techName, "/runs/new?kind=drop", dropForm(a.formToken(t, techName, "/runs/new?kind=drop"))))
		page := a.must(t, 200, "GET", loc+"?saved=1", "", a.as(techName)...).Body
		if !bytes.Contains(page, []byte("data-saved>Run saved.")) || !bytes.Contains(page, []byte(`href="/runs/new?kind=drop&amp;next=`)) {
			t.Errorf("run page after saving: no banner or no next-unit button\n%s", page)
		}
	})
}

var (
	inputValue  = regexp.MustCompile(`<input id="[^"]*" name="([^"]+)" type="[^"]*" value="([^"]*)"`)
	hiddenValue = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	selectBlock = regexp.MustCompile(`(?s)<select id="[^"]*" name="([^"]+)".*?</select>`)
	selected    = regexp.MustCompile(`<option value="([^"]*)" selected>`)
	textarea    = regexp.MustCompile(`(?s)<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>`)
)

// formValues are the values a browser would post from the form page.
func formValues(t *testing.T, page []byte) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range inputValue.FindAllSubmatch(page, -1) {
		v.Set(string(m[1]), htmlText(string(m[2])))
	}
	for _, m := range hiddenValue.FindAllSubmatch(page, -1) {
		v.Set(string(m[1]), htmlText(string(m[2])))
	}
	for _, m := range textarea.FindAllSubmatch(page, -1) {
		v.Set(string(m[1]), htmlText(string(m[2])))
	}
	for _, m := range selectBlock.FindAllSubmatch(page, -1) {
		val := ""
		if s := selected.FindSubmatch(m[0]); s != nil {
			val = htmlText(string(s[1]))
		}
		v.Set(string(m[1]), val)
	}
	return v
}

// The unit is chosen from the registered units, grouped by handset, with
// a link that registers one and comes back to the form.
func TestRunFormUnitPicker(t *testing.T) {
	eachEntryEngine(t, func(t *testing.T, a *authAPI, _ *missing) {
		entrySeed(t, a)
		page := string(a.must(t, 200, "GET", "/runs/new?kind=drop&handset=atlas-r1", "", a.as(techName)...).Body)
		want := `<optgroup label="atlas-r1" data-group="atlas-r1"><option value="ATL-0001">ATL-0001</option><option value="ATL-0002">ATL-0002</option><option value="ATL-0003">ATL-0003</option></optgroup>`
		if !strings.Contains(page, want) {
			t.Errorf("no unit picker %s\n%s", want, page)
		}
		link := `href="/handsets/atlas-r1/units/new?next=%2Fruns%2Fnew%3Fkind%3Ddrop%26handset%3Datlas-r1">Register a unit</a>`
		if !strings.Contains(page, link) {
			t.Errorf("no link to register a unit")
		}
		units := a.must(t, 200, "GET", "/handsets/atlas-r1/units/new?next=%2Fruns%2Fnew%3Fkind%3Ddrop%26handset%3Datlas-r1", "", a.as(techName)...).Body
		v := formValues(t, units)
		v.Set("serials", "ATL-0009")
		r := a.postForm(t, techName, "/handsets/atlas-r1/units/new", v)
		if got := r.Header.Get("Location"); r.Status != http.StatusSeeOther || got != "/runs/new?kind=drop&handset=atlas-r1&unit=ATL-0009" {
			t.Errorf("after registering: %d to %q, want back to the run form with the new unit", r.Status, got)
		}
		page = string(a.must(t, 200, "GET", "/runs/new?kind=drop&handset=atlas-r1&unit=ATL-0009", "", a.as(techName)...).Body)
		if !strings.Contains(page, `<option value="ATL-0009" selected>`) {
			t.Errorf("the new unit is not chosen")
		}
		// Only the run form is a place to return to.
		for i, next := range []string{"//evil.example/runs/new?kind=drop&handset=atlas-r1", "/runs/x?kind=drop&handset=atlas-r1", "https://evil.example/"} {
			r := a.postForm(t, techName, "/handsets/atlas-r1/units/new", url.Values{"serials": {"ATL-10" + string(rune('0'+i))}, "next": {next}})
			if got := r.Header.Get("Location"); got != "/handsets/atlas-r1#units" {
				t.Errorf("next=%q: went to %q", next, got)
			}
		}
	})
}

// The series form speaks of its own fields, not of the API's query
// string (issue #16 item 4).
func TestSeriesFormSpeaksOfItsFields(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		formsSeed(t, a)
		id := object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody("battery", nil), a.as(techName)...))["id"].(string)
		upload := func(fields map[string]string) response {
			body, ct := multipartForm(t, fields, "series.csv", seriesCSV(20))
			return a.call(t, "POST", "/runs/"+id+"/series/new", body, append([]string{"Content-Type", ct}, a.as(techName)...)...)
		}
		if r := upload(nil); r.Status != http.StatusSeeOther {
			t.Fatalf("first upload: %d\n%s", r.Status, r.Body)
		}
		for _, tc := range []struct {
			fields map[string]string
			status int
			want   string
		}{
			{nil, http.StatusConflict, "to replace it, choose yes under Replace the series and give a Reason"},
			{map[string]string{"replace": "true"}, http.StatusUnprocessableEntity, "replacing a series records a new revision of the run: say why in Reason"},
		} {
			r := upload(tc.fields)
			if r.Status != tc.status || !strings.Contains(htmlText(string(r.Body)), tc.want) || bytes.Contains(r.Body, []byte("?replace=")) {
				t.Errorf("%v: %d, want %d saying %q and no query string\n%s", tc.fields, r.Status, tc.status, tc.want, r.Body)
			}
		}
	})
}

// The entry forms in French: every text from the catalogue, and no English
// word on the page but the data typed in English.
func TestEntryFormsInFrench(t *testing.T) {
	eachEntryEngine(t, func(t *testing.T, a *authAPI, _ *missing) {
		entrySeed(t, a)
		loc := savedRun(t, a.postForm(t, techName, "/runs/new?kind=drop", dropForm(a.formToken(t, techName, "/runs/new?kind=drop"))))
		pages := map[string][]byte{}
		for _, path := range []string{"/runs/new", "/runs/new?kind=drop", "/runs/new?kind=battery", loc + "?saved=1", loc + "/amend", loc + "/retract",
			"/runs/new?kind=drop&next=" + strings.TrimPrefix(loc, "/runs/")} {
			pages[path] = a.must(t, 200, "GET", path, "", append(a.as(techName), french...)...).Body
		}
		pages["retract confirmation"] = a.postForm(t, techName, loc+"/retract", url.Values{"reason": {"banc mal aligné"}}, french...).Body
		bad := dropForm(a.formToken(t, techName, "/runs/new?kind=drop"))
		bad.Set("height_m", "122")
		pages["errors"] = a.postForm(t, techName, "/runs/new?kind=drop", bad, french...).Body
		for name, body := range pages {
			text := visibleText(string(body))
			for _, data := range []string{"Atlas R1", "Atlas Mobile", "MIL-STD-810H 516.8 IV", techName} {
				text = strings.ReplaceAll(text, data, " ")
			}
			if m := englishWords.FindAllString(text, 5); len(m) > 0 {
				t.Errorf("%s: English left on the French page: %q\n%s", name, m, text)
			}
		}
	})
}
