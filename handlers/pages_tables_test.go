package handlers_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"ruggedlab/models"
)

// tableSeed is atlas-r1 with ATL-0001 and ATL-0002 and 120 drop runs, one
// an hour from 2026-03-02 09:00 UTC, alternating units, every tenth
// retracted; and borealis-x with one temperature run that starts at
// 23:30 UTC on 2 March, already 3 March in Paris.
func tableSeed(t *testing.T, a *authAPI) []models.Run {
	t.Helper()
	ctx := context.Background()
	st := a.store
	for _, h := range []models.Handset{{Code: "atlas-r1", Name: "Atlas R1", Manufacturer: "Atlas", FormFactor: "phone"},
		{Code: "borealis-x", Name: "Borealis X", Manufacturer: "Borealis", FormFactor: "phone"}} {
		if _, err := st.CreateHandset(ctx, h, "t"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CreateUnits(ctx, []models.Unit{{Handset: "atlas-r1", Serial: "ATL-0001"}, {Handset: "atlas-r1", Serial: "ATL-0002"},
		{Handset: "borealis-x", Serial: "BOR-0001"}}, "t"); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var runs []models.Run
	for i := range 120 {
		at := base.Add(time.Duration(i) * time.Hour)
		runs = append(runs, models.Run{Kind: models.Drop, Handset: "atlas-r1", Unit: fmt.Sprintf("ATL-000%d", 1+i%2), Method: "MIL-STD-810H 516.8 IV",
			StartedAt: at, EndedAt: at.Add(time.Hour), HeightM: ptrTo(1.5), Surface: "concrete", ProtectiveCase: ptrTo(false),
			PlannedDrops: ptrTo(26), DropsCompleted: ptrTo(26), WorstSeverity: ptrTo(1)})
	}
	late := time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC)
	runs = append(runs, models.Run{Kind: models.Temperature, Handset: "borealis-x", Unit: "BOR-0001", Method: "IEC 60068-2-1",
		StartedAt: late, EndedAt: late.Add(time.Hour), Procedure: "operation_cold", SetpointC: ptrTo(-20.0), DwellMin: ptrTo(120.0),
		Passed: ptrTo(true), ShutdownObserved: ptrTo(false)})
	created, err := st.CreateRuns(ctx, runs, "t")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 120; i += 10 {
		if created[i], err = st.RetractRun(ctx, created[i].ID, models.Retraction{Reason: "wrong fixture"}, "t"); err != nil {
			t.Fatal(err)
		}
	}
	return created
}

var (
	pageOf   = regexp.MustCompile(`Rows (\d+)–(\d+) of (\d+) · page (\d+) of (\d+)`)
	runLinks = regexp.MustCompile(`<a href="/runs/([0-9a-f-]{36})">`)
)

// page GETs a page as a browser does (Accept: text/html) as ada.
func (a *authAPI) page(t *testing.T, path string) response {
	t.Helper()
	return a.call(t, "GET", path, "", append(a.as(adminName), "Accept", "text/html")...)
}

// pageLine reads "Rows a–b of n · page p of m" off a page.
func pageLine(t *testing.T, body []byte) string {
	t.Helper()
	m := pageOf.FindSubmatch(body)
	if m == nil {
		if strings.Contains(string(body), "No rows match · page 1 of 1") {
			return "none"
		}
		t.Fatalf("no page line in\n%.3000s", body)
	}
	return fmt.Sprintf("%s-%s/%s p%s/%s", m[1], m[2], m[3], m[4], m[5])
}

func TestRunsPage(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		runs := tableSeed(t, a)
		for _, tt := range []struct {
			name, path, where string
			first             string   // id of the first run listed, "" to skip
			has, lacks        []string // in the HTML
		}{
			{name: "everything, newest first", path: "/runs", where: "1-50/121 p1/3", first: runs[119].ID,
				has: []string{`href="/runs?page=2" rel="next"`, `href="/runs?page=3" rel="last"`, "121 runs, newest start first"}},
			{name: "page 3", path: "/runs?page=3", where: "101-121/121 p3/3", first: "",
				has: []string{`href="/runs" rel="first"`, `href="/runs?page=2" rel="prev"`}, lacks: []string{`rel="next"`}},
			{name: "past the last page is the last", path: "/runs?page=40", where: "101-121/121 p3/3"},
			{name: "unit of a handset, links keep the filters", path: "/runs?handset=atlas-r1&unit=ATL-0002&page=2", where: "51-60/60 p2/2", first: runs[19].ID,
				has: []string{`href="/runs?handset=atlas-r1&amp;unit=ATL-0002" rel="first"`, `<option value="ATL-0002" selected>ATL-0002</option>`}},
			{name: "serial search", path: "/runs?serial=bor", where: "1-1/1 p1/1", first: runs[120].ID},
			{name: "kind and status", path: "/runs?kind=drop&status=retracted", where: "1-12/12 p1/1", first: runs[110].ID,
				has: []string{`<tr class="retracted">`, `<option value="retracted" selected>`}},
			{name: "active only: nothing struck through", path: "/runs?status=active", where: "1-50/109 p1/3", lacks: []string{`<tr class="retracted">`}},
			{name: "sort by unit, ascending", path: "/runs?sort=serial&order=asc", where: "1-50/121 p1/3", first: runs[118].ID,
				has: []string{`href="/runs?sort=serial&amp;order=asc&amp;page=2" rel="next"`, "121 runs<"}},
			{name: "sort by kind, descending", path: "/runs?sort=kind", where: "1-50/121 p1/3", first: runs[120].ID},
			// 23:30 UTC on 2 March is 00:30 on 3 March in Paris: the day
			// filters read the lab's days, and the page says so.
			{name: "to is the lab's day", path: "/runs?handset=borealis-x&to=2026-03-02", where: "none"},
			{name: "from is the lab's day", path: "/runs?handset=borealis-x&from=2026-03-03&to=2026-03-03", where: "1-1/1 p1/1",
				has: []string{"2026-03-03 00:30 CET"}},
			{name: "times in the lab's zone", path: "/runs?handset=atlas-r1&from=2026-03-02&to=2026-03-02&order=asc", where: "1-14/14 p1/1",
				first: runs[0].ID, has: []string{"2026-03-02 10:00 CET", "2026-03-02 23:00 CET"}},
			{name: "no match", path: "/runs?kind=ingress", where: "none", has: []string{`Clear the filters`}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := a.page(t, tt.path)
				if r.Status != 200 {
					t.Fatalf("status %d\n%.2000s", r.Status, r.Body)
				}
				if got := pageLine(t, r.Body); got != tt.where {
					t.Errorf("%s, want %s", got, tt.where)
				}
				if tt.first != "" {
					if m := runLinks.FindSubmatch(r.Body); m == nil || string(m[1]) != tt.first {
						t.Errorf("first run %s, want %s", m, tt.first)
					}
				}
				for _, s := range tt.has {
					if !strings.Contains(string(r.Body), s) {
						t.Errorf("page lacks %q", s)
					}
				}
				for _, s := range tt.lacks {
					if strings.Contains(string(r.Body), s) {
						t.Errorf("page has %q", s)
					}
				}
			})
		}
	})
}

// TestRunsPageBadQuery: every bad parameter is named at once, in a 422 page.
func TestRunsPageBadQuery(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		tableSeed(t, a)
		for _, tt := range []struct {
			name, path string
			fields     []string
		}{
			{"everything wrong", "/runs?handset=nosuch&kind=vibration&status=gone&from=yesterday&to=2026-13-01&sort=notes&order=up&page=0",
				[]string{"handset", "kind", "status", "from", "to", "sort", "order", "page"}},
			{"to before from", "/runs?from=2026-03-05&to=2026-03-01", []string{"to"}},
			{"unit of another handset", "/handsets/atlas-r1?unit=BOR-0001&page=x", []string{"unit", "page"}},
			{"handset page", "/handsets/atlas-r1?kind=x&sort=x", []string{"kind", "sort"}},
			{"audit", "/audit?outcome=maybe&page=-2", []string{"outcome", "page"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := a.page(t, tt.path)
				if r.Status != 422 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
					t.Fatalf("status %d %s, want a 422 page\n%.2000s", r.Status, r.Header.Get("Content-Type"), r.Body)
				}
				for _, f := range tt.fields {
					if !strings.Contains(string(r.Body), "<td><code>"+f+"</code></td>") {
						t.Errorf("the page does not name %s\n%.3000s", f, r.Body)
					}
				}
			})
		}
	})
}

func TestHandsetPageRunsTable(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		runs := tableSeed(t, a)
		for _, tt := range []struct {
			name, path, where string
			first             string
			has               []string
		}{
			{"all runs, page 1", "/handsets/atlas-r1", "1-50/120 p1/3", runs[119].ID,
				[]string{`id="all-runs"`, `href="/handsets/atlas-r1?page=2" rel="next"`, `<option value="ATL-0001">ATL-0001</option>`,
					// the unit's sequence links its earlier runs to the table, not the API
					`href="/handsets/atlas-r1?unit=ATL-0001#all-runs"`}},
			{"a unit's page 2", "/handsets/atlas-r1?unit=ATL-0001&page=2", "51-60/60 p2/2", "",
				[]string{`href="/handsets/atlas-r1?unit=ATL-0001" rel="prev"`, `<option value="ATL-0001" selected>`}},
			{"oldest first", "/handsets/atlas-r1?order=asc", "1-50/120 p1/3", "", []string{`<tr class="retracted">`}},
			{"a kind it has none of", "/handsets/atlas-r1?kind=battery", "none", "", nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := a.page(t, tt.path)
				if r.Status != 200 {
					t.Fatalf("status %d\n%.2000s", r.Status, r.Body)
				}
				if got := pageLine(t, r.Body); got != tt.where {
					t.Errorf("%s, want %s", got, tt.where)
				}
				body := string(r.Body)
				if tt.first != "" {
					// the first run of the table, after the units' sequences
					i := strings.Index(body, `id="all-runs"`)
					if m := runLinks.FindStringSubmatch(body[i:]); m == nil || m[1] != tt.first {
						t.Errorf("first run %v, want %s", m, tt.first)
					}
				}
				for _, s := range tt.has {
					if !strings.Contains(body, s) {
						t.Errorf("page lacks %q", s)
					}
				}
			})
		}
		// blind: units by place, no serial search, no serial sort
		r := a.page(t, "/handsets/atlas-r1?blind=1") // redirected to its letter
		if r.Status != 302 {
			t.Fatalf("blind code: %d", r.Status)
		}
		r = a.page(t, r.Header.Get("Location")+"&unit=unit-2")
		body := string(r.Body)
		if r.Status != 200 || strings.Contains(body, "ATL-") || strings.Contains(body, `name="serial"`) || !strings.Contains(body, `<option value="unit-2" selected>unit 2</option>`) {
			t.Errorf("blind handset page: %d\n%.3000s", r.Status, body)
		}
	})
}

func TestAuditPage(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset), a.as(adminName)...)
		for i := range 60 {
			a.must(t, 201, "POST", "/api/v1/handsets/atlas-r1/units", fmt.Sprintf(`{"serial": "ATL-%04d"}`, i), a.as(techName)...)
		}
		a.must(t, 403, "POST", "/api/v1/handsets", mustJSON(atlasHandset), a.as(evalName)...)
		rows := regexp.MustCompile(`(?s)<table id="audit">.*?</table>`)
		count := func(body []byte) int { return strings.Count(string(rows.Find(body)), "<tr") - 1 }
		for _, tt := range []struct {
			name, path, where string
			rows              int
			has, lacks        []string
		}{
			{"everything", "/audit", "1-50/62 p1/2", 50, []string{`href="/audit?page=2" rel="next"`, "<td>eve</td>"}, nil},
			{"page 2", "/audit?page=2", "51-62/62 p2/2", 12, []string{"<td>ada</td>"}, nil},
			{"account", "/audit?account=tom", "1-50/60 p1/2", 50, []string{`href="/audit?account=tom&amp;page=2" rel="next"`}, []string{"<td>ada</td>"}},
			{"refused", "/audit?outcome=refused", "1-1/1 p1/1", 1, []string{`<tr class="refused">`, "<td>eve</td>"}, []string{"<td>tom</td>"}},
			{"text", "/audit?q=ATL-0042", "1-1/1 p1/1", 1, []string{"ATL-0042"}, []string{"ATL-0041"}},
			{"no match", "/audit?q=nothing-like-this", "none", 0, []string{"No audit entries match."}, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := a.page(t, tt.path)
				if r.Status != 200 {
					t.Fatalf("status %d\n%.2000s", r.Status, r.Body)
				}
				if got := pageLine(t, r.Body); got != tt.where {
					t.Errorf("%s, want %s", got, tt.where)
				}
				if n := count(r.Body); tt.rows > 0 && n != tt.rows {
					t.Errorf("%d rows, want %d", n, tt.rows)
				}
				for _, s := range tt.has {
					if !strings.Contains(string(r.Body), s) {
						t.Errorf("page lacks %q", s)
					}
				}
				for _, s := range tt.lacks {
					if strings.Contains(string(r.Body), s) {
						t.Errorf("page has %q", s)
					}
				}
			})
		}
	})
}
