package handlers_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// TestPages runs the page checks that need no browser on both engines,
// each on one database holding the demo tender and the payload candidates.
func TestPages(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newPagesFixture(t, e)
			t.Run("statuses", f.testStatuses)
			t.Run("every page renders", f.testEveryPage)
			t.Run("blind pages name no candidate", f.testBlind)
			t.Run("exports match the API", f.testExportsMatchAPI)
			t.Run("CSV neutralises formulas", f.testCSVFormulas)
			t.Run("battery page stays small", f.testBatterySize)
		})
	}
}

func (f *pagesFixture) testStatuses(t *testing.T) {
	pid := f.profileID
	for _, tt := range []struct {
		path     string
		status   int
		ctype    string // prefix
		location string // for redirects: a substring
	}{
		{"/", 200, "text/html", ""},
		{"/handsets/atlas-r1", 200, "text/html", ""},
		{"/handsets/no-such", 404, "text/html", ""},
		{"/handsets/ZZ?blind=1", 404, "text/html", ""},
		{"/handsets/atlas-r1?blind=1", 302, "", "?blind=1"},
		{"/compare", 200, "text/html", ""},
		{"/compare?kind=nope", 422, "text/html", ""},
		{"/compare?kind=drop&procedure=operation_cold", 422, "text/html", ""},
		{"/compare?kind=drop&handsets=no-such", 422, "text/html", ""},
		{"/compare?kind=drop&confidence=2", 422, "text/html", ""},
		{"/compare?kind=drop&handsets=atlas-r1,dune-p5&blind=1", 302, "", "blind=1"},
		{"/compare?kind=ingress&ip_code=IP68&handsets=atlas-r1", 200, "text/html", ""},
		{"/compare/export.csv?kind=ingress", 200, "text/csv", ""},
		{"/compare/export.json?kind=battery", 200, "application/json", ""},
		{"/compare/export.csv", 422, "text/html", ""},
		{"/compare/export.json?kind=drop&handsets=atlas-r1&blind=1", 302, "", "/compare/export.json?"},
		{"/profiles", 200, "text/html", ""},
		{"/profiles/no-such/matrix", 404, "text/html", ""},
		{"/profiles/" + pid + "/matrix?version=9", 404, "text/html", ""},
		{"/profiles/" + pid + "/matrix?version=x", 422, "text/html", ""},
		{"/profiles/" + pid + "/matrix/export.csv?version=1", 200, "text/csv", ""},
		{"/profiles/" + pid + "/matrix/export.json?version=2&from=1", 200, "application/json", ""},
		{"/runs/no-such", 404, "text/html", ""},
		{"/runs?ids=no-such", 404, "text/html", ""},
		{"/runs?ids=" + strings.Join(f.evidence, ","), 200, "text/html", ""},
	} {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := f.get(t, tt.path)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%.1500s", resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); tt.ctype != "" && !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want %s", ct, tt.ctype)
			}
			if tt.location != "" {
				loc := resp.Header.Get("Location")
				if !strings.Contains(loc, tt.location) {
					t.Errorf("Location %q, want it to contain %q", loc, tt.location)
				}
				f.assertNoSecrets(t, "Location", loc)
			}
			if tt.status >= 400 && !strings.Contains(body, "<nav class=\"site\"") {
				t.Errorf("error page without the nav bar:\n%.800s", body)
			}
		})
	}
}

// testEveryPage checks what each page must hold besides its charts: the
// chart containers, the permalink and export links of chart pages, and
// the XSS payloads shown as text.
func (f *pagesFixture) testEveryPage(t *testing.T) {
	for _, p := range f.pages() {
		t.Run(p.name, func(t *testing.T) {
			resp, body := f.get(t, p.path)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d\n%.1500s", resp.StatusCode, body)
			}
			for _, name := range p.charts {
				if !strings.Contains(body, `data-chart="`+name+`"`) {
					t.Errorf("no data-chart=%q", name)
				}
			}
			if len(p.charts) > 0 && strings.HasPrefix(p.path, "/compare") {
				for _, attr := range []string{"data-permalink", `data-export="csv"`, `data-export="json"`} {
					if !strings.Contains(body, attr) {
						t.Errorf("no %s link", attr)
					}
				}
			}
			// The payloads may only appear escaped: as HTML text
			// (&lt;/script&gt;) or inside a JS string (\u003c/script\u003e).
			if strings.Contains(body, "<script>alert(1)") {
				t.Errorf("page contains the payload unescaped")
			}
			if n, m := strings.Count(body, "<script"), strings.Count(body, "</script>"); n != m {
				t.Errorf("%d <script vs %d </script>: user text ended a script", n, m)
			}
		})
	}
	_, dash := f.get(t, "/")
	for _, want := range []string{html.EscapeString(xssScript), html.EscapeString(xssMarker), "XSS-004"} {
		if !strings.Contains(dash, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

var (
	linkPattern   = regexp.MustCompile(`(href|action)="([^"]*)"`)
	exportPattern = regexp.MustCompile(`data-export="(csv|csv-fr|json)" href="([^"]*)"`)
	permaPattern  = regexp.MustCompile(`data-permalink href="([^"]*)"`)
)

// testBlind loads every page in blind mode and checks that no code, name,
// manufacturer or serial appears in the HTML, in its exports or in any of
// its links, and that every link keeps blind mode.
func (f *pagesFixture) testBlind(t *testing.T) {
	for _, p := range f.pages() {
		t.Run(p.name, func(t *testing.T) {
			path := blindURL(p.path)
			resp, body := f.get(t, path)
			for hops := 0; resp.StatusCode == http.StatusFound && hops < 3; hops++ {
				loc := resp.Header.Get("Location")
				f.assertNoSecrets(t, "redirect", loc)
				resp, body = f.get(t, loc)
			}
			if resp.StatusCode != 200 {
				t.Fatalf("status %d\n%.1500s", resp.StatusCode, body)
			}
			f.assertNoSecrets(t, "HTML", body)
			if !strings.Contains(body, "Candidate A") && p.name != "compare" && p.name != "profiles" {
				t.Errorf("no blind label on the page")
			}
			for _, m := range linkPattern.FindAllStringSubmatch(body, -1) {
				link := html.UnescapeString(m[2])
				// the API reference names no candidate and has no blind mode
				if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "/static/") || link == "/favicon.ico" || link == "/docs/api" {
					continue
				}
				if strings.HasPrefix(link, "/api/") {
					t.Errorf("blind page links the API, which names candidates by code: %s", link)
				}
				f.assertNoSecrets(t, "link", link)
				u, err := url.Parse(link)
				if err != nil {
					t.Errorf("link %q: %v", link, err)
					continue
				}
				// a GET form's action drops its query: its hidden input keeps blind mode
				if u.Query().Get("blind") != "1" && !(m[1] == "action" && strings.Contains(body, `name="blind" value="1"`)) {
					t.Errorf("link %q leaves blind mode", link)
				}
			}
			if m := permaPattern.FindStringSubmatch(body); m != nil && !strings.Contains(m[1], "blind=1") {
				t.Errorf("permalink %q is not blind", m[1])
			}
			for _, m := range exportPattern.FindAllStringSubmatch(body, -1) {
				eresp, export := f.get(t, html.UnescapeString(m[2]))
				if eresp.StatusCode != 200 {
					t.Errorf("export %s: status %d", m[2], eresp.StatusCode)
					continue
				}
				f.assertNoSecrets(t, m[1]+" export", export)
			}
		})
	}
}

// assertNoSecrets fails if text names a candidate (case-insensitively).
func (f *pagesFixture) assertNoSecrets(t *testing.T, where, text string) {
	t.Helper()
	lower := strings.ToLower(text)
	for _, s := range f.secrets {
		if i := strings.Index(lower, strings.ToLower(s)); i >= 0 {
			lo, hi := max(0, i-80), min(len(text), i+len(s)+80)
			t.Errorf("%s contains %q: …%s…", where, s, text[lo:hi])
		}
	}
}

// exportJSON is the shape of /compare/export.json.
type exportJSON struct {
	Meta     map[string]any `json:"meta"`
	Sections []struct {
		Title   string            `json:"title"`
		Filters map[string]string `json:"filters"`
		Tables  []struct {
			ID   string           `json:"id"`
			Rows []map[string]any `json:"rows"`
		} `json:"tables"`
	} `json:"sections"`
}

// apiCompare is the part of GET /api/v1/compare the pages show.
type apiCompare struct {
	Handsets []struct {
		Handset        string    `json:"handset"`
		Units          int       `json:"units"`
		Survived       int       `json:"survived"`
		Passed         int       `json:"passed"`
		Wilson         []float64 `json:"wilson"` // [lower, upper]
		ClopperPearson []float64 `json:"clopper_pearson"`
		N              int       `json:"n"`
		Mean           *float64  `json:"mean"`
		CI             []float64 `json:"ci"`
		KM             struct {
			Median *float64 `json:"median"`
		} `json:"km"`
	} `json:"handsets"`
	Pairwise []struct {
		A           string   `json:"a"`
		B           string   `json:"b"`
		P           *float64 `json:"p"`
		PHolm       *float64 `json:"p_holm"`
		FisherP     *float64 `json:"fisher_p"`
		FisherPHolm *float64 `json:"fisher_p_holm"`
	} `json:"pairwise"`
}

func round(v float64, dec int) float64 {
	p := math.Pow(10, float64(dec))
	return math.Round(v*p) / p
}

func sig3(v float64) float64 {
	x, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return x
}

// testExportsMatchAPI checks that every number in a compare export is the
// API's number for the same programme filter, rounded as the page shows it.
func (f *pagesFixture) testExportsMatchAPI(t *testing.T) {
	for _, kind := range []string{"drop", "temperature", "ingress", "battery"} {
		t.Run(kind, func(t *testing.T) {
			var ex exportJSON
			f.getJSON(t, "/compare/export.json?kind="+kind, &ex)
			if len(ex.Sections) == 0 {
				t.Fatal("no sections")
			}
			for _, sec := range ex.Sections {
				if sec.Filters["evidence"] == "field trials" {
					continue // field evidence beside the lab: the trial summary's numbers (TestTrialPages)
				}
				q := url.Values{"kind": {kind}}
				for k, v := range sec.Filters {
					q.Set(k, v)
				}
				var api apiCompare
				f.getJSON(t, "/api/v1/compare?"+q.Encode(), &api)
				units := sec.Tables[0].Rows
				if len(units) != len(api.Handsets) {
					t.Fatalf("%s: %d rows, API has %d handsets", sec.Title, len(units), len(api.Handsets))
				}
				for i, h := range api.Handsets {
					row := units[i]
					check := func(col string, want float64) {
						t.Helper()
						got, ok := row[col].(float64)
						if !ok || got != want {
							t.Errorf("%s, %s: %s = %v, API gives %v", sec.Title, h.Handset, col, row[col], want)
						}
					}
					if row["candidate"] != h.Handset {
						t.Fatalf("%s row %d: candidate %v, API %s", sec.Title, i, row["candidate"], h.Handset)
					}
					switch kind {
					case "battery":
						check("n", float64(h.N))
						if h.Mean != nil {
							check("mean_h", round(*h.Mean, 2))
						}
						if h.CI != nil {
							check("ci_lower_h", round(h.CI[0], 2))
							check("ci_upper_h", round(h.CI[1], 2))
						}
					default:
						check("units", float64(h.Units))
						x := h.Passed
						if kind == "drop" {
							x = h.Survived
						}
						if h.Units > 0 {
							check("wilson_lower_pct", round(h.Wilson[0]*100, 1))
							check("wilson_upper_pct", round(h.Wilson[1]*100, 1))
							check("clopper_pearson_upper_pct", round(h.ClopperPearson[1]*100, 1))
							check("estimate_pct", round(float64(x)/float64(h.Units)*100, 1))
						}
						if row["x_of_n"] != fmt.Sprintf("%d/%d", x, h.Units) {
							t.Errorf("%s, %s: x/n %v", sec.Title, h.Handset, row["x_of_n"])
						}
						if kind == "drop" && h.KM.Median != nil {
							check("km_median", round(*h.KM.Median, 0))
						}
					}
				}
				pairs := sec.Tables[1].Rows
				if len(pairs) < len(api.Pairwise) {
					t.Fatalf("%s: %d pair rows, API has %d", sec.Title, len(pairs), len(api.Pairwise))
				}
				for i, pr := range api.Pairwise {
					cols := map[string]*float64{"fisher_p": pr.FisherP, "fisher_p_holm": pr.FisherPHolm}
					switch kind {
					case "battery":
						cols = map[string]*float64{"p": pr.P, "p_holm": pr.PHolm}
					case "drop":
						cols["logrank_p"], cols["logrank_p_holm"] = pr.P, pr.PHolm
					}
					for col, v := range cols {
						var want any // null in the API, null in the export
						if v != nil {
							want = sig3(*v)
						}
						if got := pairs[i][col]; got != want || pairs[i]["a"] != pr.A || pairs[i]["b"] != pr.B {
							t.Errorf("%s pair %s–%s: %s %v (%v–%v), API %v", sec.Title, pr.A, pr.B, col, got, pairs[i]["a"], pairs[i]["b"], want)
						}
						if v == nil && pairs[i]["null_reasons"] == nil {
							t.Errorf("%s pair %s–%s: %s is null without a reason", sec.Title, pr.A, pr.B, col)
						}
					}
				}
			}
		})
	}
}

// testCSVFormulas reads the matrix export, whose version 2 has a
// requirement titled with a formula, and the battery export, which has
// negative differences.
func (f *pagesFixture) testCSVFormulas(t *testing.T) {
	read := func(path string) [][]string {
		t.Helper()
		resp, body := f.get(t, path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		r := csv.NewReader(strings.NewReader(body))
		r.FieldsPerRecord = -1 // one block per table
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return recs
	}
	var quoted, negative int
	for _, path := range []string{"/profiles/" + f.profileID + "/matrix/export.csv?version=2", "/compare/export.csv?kind=battery"} {
		for _, rec := range read(path) {
			for _, c := range rec {
				switch {
				case c == "'"+formulaTitle:
					quoted++
				case c != "" && strings.ContainsRune("=+@", rune(c[0])):
					t.Errorf("%s: cell %q would be evaluated", path, c)
				case strings.HasPrefix(c, "-"):
					if _, err := strconv.ParseFloat(c, 64); err != nil {
						t.Errorf("%s: cell %q starts with - and is no number", path, c)
					}
					negative++
				case strings.HasPrefix(c, "'-"):
					t.Errorf("%s: the number %q was quoted", path, c)
				}
			}
		}
	}
	if quoted == 0 {
		t.Errorf("no cell '%s in the matrix export", formulaTitle)
	}
	if negative == 0 {
		t.Errorf("no negative number left as is in the battery export")
	}
}

// testBatterySize: every discharge curve of the demo is drawn, reduced on
// the server, and the page stays far below the 3 MB budget.
func (f *pagesFixture) testBatterySize(t *testing.T) {
	_, body := f.get(t, "/compare?kind=battery")
	const budget = 3 << 20
	if len(body) > budget {
		t.Errorf("battery page is %d bytes, budget %d", len(body), budget)
	}
	var ex exportJSON
	f.getJSON(t, "/compare/export.json?kind=battery", &ex)
	drawn := 0
	for _, tb := range ex.Sections[0].Tables {
		if strings.HasPrefix(tb.ID, "curves") {
			for _, row := range tb.Rows {
				pts, _ := row["points"].(float64)
				samples, _ := row["samples"].(float64)
				if pts < 2 || pts > 2000 || pts > samples {
					t.Errorf("curve %v: %v points drawn of %v samples", row["run"], pts, samples)
				}
				drawn++
			}
		}
	}
	if drawn == 0 {
		t.Errorf("no discharge curve drawn")
	}
	t.Logf("battery page: %d bytes, %d curves", len(body), drawn)
}

// TestPagesNeedAnAccount: with accounts on (as serve runs), a page without
// credentials redirects to the login form and comes back after it; an
// evaluator's token opens pages and exports; assets stay public.
func TestPagesNeedAnAccount(t *testing.T) {
	f := newPagesFixture(t, testdb.SQLite(t), func(s *handlers.Server) { s.Auth = &handlers.Auth{} })
	_, token, err := f.st.CreateAccount(context.Background(), "eve", models.Evaluator, "drop-26-times-2m")
	if err != nil {
		t.Fatal(err)
	}
	const page = "/compare?kind=drop&blind=1"
	resp, _ := f.get(t, page)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape(page) {
		t.Errorf("without an account: %d to %q, want 303 to the login form", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, path := range []string{page, "/", "/compare/export.csv?kind=ingress", "/profiles/" + f.profileID + "/matrix", "/runs/" + f.batteryRun} {
		if resp, body := f.get(t, path, "Authorization", "Bearer "+token); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s as an evaluator: %d\n%.500s", path, resp.StatusCode, body)
		}
	}
	_, body := f.get(t, "/", "Authorization", "Bearer "+token)
	if !strings.Contains(body, `<form class="who" method="post" action="/logout">`) || !strings.Contains(body, "eve · evaluator") {
		t.Errorf("the page does not say who is signed in or offer to log out")
	}
	for _, m := range regexp.MustCompile(`href="(/static/[^"]+)"`).FindAllStringSubmatch(body, -1) {
		if resp, _ := f.get(t, m[1]); resp.StatusCode != http.StatusOK {
			t.Errorf("asset %s without an account: %d", m[1], resp.StatusCode)
		}
	}
}
