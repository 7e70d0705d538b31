package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/internal/pdftext"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// reportLab has accents, which must come out of the PDF as typed.
var reportLab = handlers.Lab{Name: "Laboratoire d'essais Élancourt", Address: "3 rue de l'Église\n78990 Élancourt"}

// pdfPages fetches path, checks it is a PDF download and returns its
// pages' text.
func (f *pagesFixture) pdfPages(t *testing.T, path string, header ...string) []string {
	t.Helper()
	resp, body := f.get(t, path, header...)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%.400s", path, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="report-`) || !strings.HasSuffix(strings.SplitN(cd, ";", 3)[1], `.pdf"`) {
		t.Errorf("GET %s: Content-Disposition %q", path, cd)
	}
	pages, err := pdftext.Pages([]byte(body))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if len(pages) == 0 {
		t.Fatalf("GET %s: no page", path)
	}
	return pages
}

var reportIDPattern = regexp.MustCompile(`RL-[PH]-\S+-\d{8}T\d{6}Z-[0-9a-f]{8}`)

// checkPaging checks "page n of N" (or "sur") and the report id on every page.
func checkPaging(t *testing.T, pages []string, of string) string {
	t.Helper()
	id := reportIDPattern.FindString(pages[0])
	if id == "" {
		t.Fatalf("no report id on page 1: %.300s", pages[0])
	}
	for i, p := range pages {
		want := fmt.Sprintf("page %d %s %d", i+1, of, len(pages))
		if !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q: …%s", i+1, want, p[max(0, len(p)-200):])
		}
		if !strings.Contains(p, id) {
			t.Errorf("page %d lacks the report id %s", i+1, id)
		}
	}
	return id
}

type apiMatrix struct {
	Handsets []string `json:"handsets"`
	Rows     []struct {
		Title  string `json:"title"`
		Rule   string `json:"rule"`
		Metric string `json:"metric"`
		Cells  []struct {
			Handset     string    `json:"handset"`
			Verdict     string    `json:"verdict"`
			NUnits      int       `json:"n_units"`
			PassedUnits int       `json:"passed_units"`
			Estimate    *float64  `json:"estimate"`
			CI          []float64 `json:"ci"`
		} `json:"cells"`
	} `json:"rows"`
}

// TestReportPDF: the profile and handset reports carry what the matrix
// shows, in English and French, blind or not, on both stores.
func TestReportPDF(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newPagesFixture(t, e, func(s *handlers.Server) { s.Lab = reportLab })
			t.Run("profile report holds the matrix's figures", f.testProfileReport)
			t.Run("French report", f.testFrenchReport)
			t.Run("handset report", f.testHandsetReport)
			t.Run("blind reports name no candidate", f.testBlindReport)
			t.Run("no evidence", f.testEmptyReport)
			t.Run("unknown candidate or profile", f.testReportNotFound)
			t.Run("pages link the reports", f.testReportLinks)
		})
	}
}

func (f *pagesFixture) testProfileReport(t *testing.T) {
	path := "/profiles/" + f.profileID + "/report.pdf?version=1"
	pages := f.pdfPages(t, path)
	text := strings.Join(pages, " ")
	id := checkPaging(t, pages, "of")
	if !strings.HasPrefix(id, "RL-P-"+f.profileID+"-v1-20260901T120000Z-") {
		t.Errorf("report id %s", id)
	}
	for _, want := range []string{"Test report", reportLab.Name, "3 rue de l'Église", "78990 Élancourt", "Report id", "Date of issue 2026-09-01 12:00 UTC",
		"Dates of the tests", "Methods", "IEC 60529", "Items tested", "ATL-0001", "Verdicts and decision rules", "Amended and retracted runs", f.retractedRun,
		"Recorded by", "Reviewed by", "Annex: the runs counted", "Kaplan"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	var m apiMatrix
	f.getJSON(t, "/api/v1/profiles/"+f.profileID+"/matrix?version=1", &m)
	if len(m.Rows) == 0 {
		t.Fatal("demo matrix has no rows")
	}
	cells := 0
	for _, r := range m.Rows {
		scale, dec := 100.0, 1
		if r.Rule == string(models.MeanLowerBound) {
			scale, dec = 1, 2
		}
		switch r.Metric { // field rows: a rate per 1,000 device-days, a share, a SUS score
		case models.IncidentRate:
			scale, dec = 1, 2
		case models.SUSMean:
			scale, dec = 1, 1
		}
		for _, c := range r.Cells {
			// The results table's row: candidate, verdict, n, x, estimate, bounds.
			want := fmt.Sprintf("%s %s %d %d", c.Handset, strings.ReplaceAll(c.Verdict, "_", " "), c.NUnits, c.PassedUnits)
			if c.Estimate != nil {
				want += " " + strconv.FormatFloat(*c.Estimate*scale, 'f', dec, 64)
			}
			if len(c.CI) == 2 {
				want += fmt.Sprintf(" %s %s", strconv.FormatFloat(c.CI[0]*scale, 'f', dec, 64), strconv.FormatFloat(c.CI[1]*scale, 'f', dec, 64))
			}
			if !strings.Contains(text, want) {
				t.Errorf("%s: the report lacks the matrix cell %q", r.Title, want)
			}
			cells++
		}
	}
	if cells < 8 {
		t.Errorf("only %d cells checked", cells)
	}
}

func (f *pagesFixture) testFrenchReport(t *testing.T) {
	pages := f.pdfPages(t, "/profiles/"+f.profileID+"/report.pdf?version=1&lang=fr")
	checkPaging(t, pages, "sur")
	text := strings.Join(pages, " ")
	for _, want := range []string{"Rapport d'essai", "Identifiant du rapport", "Date d'émission 01/09/2026 12:00 UTC", "Dates des essais", "Méthodes",
		"Éléments soumis à l'essai", "Verdicts et règles de décision", "Résultats", "Essais modifiés et retirés", reportLab.Name} {
		if !strings.Contains(text, want) {
			t.Errorf("the French report lacks %q", want)
		}
	}
	// Figures carry the decimal comma.
	if !regexp.MustCompile(`\b\d+,\d \d+,\d \d+,\d\b`).MatchString(text) {
		t.Error("no estimate and interval with decimal commas in the French report")
	}
}

func (f *pagesFixture) testHandsetReport(t *testing.T) {
	pages := f.pdfPages(t, "/handsets/atlas-r1/report.pdf")
	id := checkPaging(t, pages, "of")
	if !strings.HasPrefix(id, "RL-H-atlas-r1-") {
		t.Errorf("report id %s", id)
	}
	text := strings.Join(pages, " ")
	for _, want := range []string{"Candidate Atlas R1 (atlas-r1)", "ATL-0001", "Results", "Verdicts and decision rules", "Requirement profile " + "FSI-2020", "Recorded by"} {
		if !strings.Contains(text, want) {
			t.Errorf("the handset report lacks %q", want)
		}
	}
	if strings.Contains(text, "borealis") {
		t.Error("the handset report names another candidate")
	}
}

func (f *pagesFixture) testBlindReport(t *testing.T) {
	resp, _ := f.get(t, "/handsets/atlas-r1/report.pdf?blind=1")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/handsets/") || strings.Contains(resp.Header.Get("Location"), "atlas") {
		t.Fatalf("blind report by code: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, path := range []string{resp.Header.Get("Location"), "/profiles/" + f.profileID + "/report.pdf?version=1&blind=1"} {
		pages := f.pdfPages(t, path)
		text := strings.Join(pages, " ")
		f.assertNoSecrets(t, path, text)
		if !regexp.MustCompile(`Candidate [A-Z]+\b`).MatchString(text) || !strings.Contains(text, "unit 1") {
			t.Errorf("%s: no blind labels", path)
		}
	}
}

func (f *pagesFixture) testEmptyReport(t *testing.T) {
	p, err := f.st.CreateProfile(context.Background(), models.Profile{Name: "nothing yet", Requirements: []models.Requirement{{Key: "far", Title: "4.9 m drop",
		Kind: models.Drop, Where: models.Where{HeightMMin: fptr(4.9)}, Decision: models.Decision{Rule: models.AllUnits, Confidence: 0.95}, MinUnits: 3}}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(f.pdfPages(t, "/profiles/"+p.ID+"/report.pdf"), " ")
	for _, want := range []string{"No evidence yet", "inconclusive", "no test recorded"} {
		if !strings.Contains(text, want) {
			t.Errorf("the empty report lacks %q", want)
		}
	}
}

func (f *pagesFixture) testReportNotFound(t *testing.T) {
	cases := []struct {
		name, path, accept, ctype string
	}{
		{"handset, API client", "/handsets/no-such/report.pdf", "", "application/problem+json"},
		{"handset, browser", "/handsets/no-such/report.pdf", "text/html", "text/html; charset=utf-8"},
		{"profile, API client", "/profiles/no-such/report.pdf", "application/json", "application/problem+json"},
		{"bad version", "/profiles/" + f.profileID + "/report.pdf?version=x", "", "application/problem+json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.accept != "" {
				h = []string{"Accept", tc.accept}
			}
			resp, body := f.get(t, tc.path, h...)
			want := http.StatusNotFound
			if strings.Contains(tc.path, "version=x") {
				want = http.StatusUnprocessableEntity
			}
			if resp.StatusCode != want || resp.Header.Get("Content-Type") != tc.ctype {
				t.Errorf("%d %q, want %d %q\n%.300s", resp.StatusCode, resp.Header.Get("Content-Type"), want, tc.ctype, body)
			}
		})
	}
}

var reportLink = regexp.MustCompile(`<a href="([^"]+)" data-(report|evidence-pack) download>`)

// The matrix and handset pages link their report (and the matrix its
// pack, except in blind mode), and the links answer.
func (f *pagesFixture) testReportLinks(t *testing.T) {
	cases := []struct {
		page      string
		wantLinks int
	}{
		{"/profiles/" + f.profileID + "/matrix?version=1", 2},
		{"/profiles/" + f.profileID + "/matrix?version=1&blind=1", 1},
		{"/handsets/atlas-r1", 1},
		{"/handsets/B?blind=1", 1},
	}
	for _, tc := range cases {
		_, body := f.get(t, tc.page)
		links := reportLink.FindAllStringSubmatch(body, -1)
		if len(links) != tc.wantLinks {
			t.Errorf("%s: %d report/pack links, want %d", tc.page, len(links), tc.wantLinks)
		}
		for _, l := range links {
			href := html.UnescapeString(l[1])
			resp, _ := f.get(t, href)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s links %s: %d", tc.page, href, resp.StatusCode)
			}
		}
	}
}

// An evaluator under --blind-evaluators gets the blind reports whatever
// the query, through the masker, as valid PDFs naming no candidate; a real
// code in the URL names nothing.
func TestReportForcedBlind(t *testing.T) {
	f := newBlindFixture(t, testdb.SQLite(t))
	eve := f.as(models.Evaluator)
	for _, path := range []string{"/profiles/" + f.profileID + "/report.pdf", "/handsets/" + f.letters[0] + "/report.pdf"} {
		pages := f.pdfPages(t, path, eve...)
		text := strings.Join(pages, " ")
		f.assertNoSecrets(t, path, text)
		if !strings.Contains(text, "Candidate "+f.letters[0]) {
			t.Errorf("%s does not name candidate %s", path, f.letters[0])
		}
		checkPaging(t, pages, "of")
	}
	if resp, _ := f.get(t, "/handsets/atlas-r1/report.pdf", eve...); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a real code in a forced-blind report URL: %d, want 404", resp.StatusCode)
	}
	if strings.Contains(string(f.log.Bytes()), "blind leak caught") {
		t.Error("the masker's safety net fired on a report")
	}
}
