package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ruggedlab/demo"
	"ruggedlab/handlers"
	"ruggedlab/internal/apicontract"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// The two measured XSS vectors of stack-notes §2.4, as handset names.
const (
	xssScript = `</script><script>alert(1)</script>`
	xssMarker = `__f__(function(){document.title='PWNED';return 'x'})()__f__`
	// formulaTitle is a requirement title a spreadsheet would evaluate.
	formulaTitle = `=HYPERLINK("http://example.invalid","click")`
)

// pagesNow is after the demo campaign, so demo.Load accepts every run.
var pagesNow = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

// pagesFixture is the real router on a migrated database holding the demo
// tender, two candidates whose names are XSS payloads, and a second
// profile version, served on 127.0.0.1.
type pagesFixture struct {
	engine string
	st     *store.Store
	srv    *httptest.Server
	router http.Handler // what srv serves, before the contract check
	// ids the page list needs
	profileID                     string
	batteryRun, chamberRun, xsRun string
	retractedRun                  string
	trialID                       string   // the demo's field pilot
	incidentID                    string   // its first incident
	evidence                      []string // a few run ids for /runs?ids=
	// secrets must not appear in a blind page or export: every code,
	// name, manufacturer and serial prefix, and the payloads.
	secrets []string
}

// newPagesFixture builds the fixture; configure may change the server (turn
// accounts on) before Routes.
func newPagesFixture(t testing.TB, e testdb.Engine, configure ...func(*handlers.Server)) *pagesFixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, e, storetest.WithNow(func() time.Time { return pagesNow }))
	if _, err := demo.Load(ctx, st, pagesNow); err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	f := &pagesFixture{engine: e.Name, st: st}
	f.addPayloadCandidates(t)
	f.addProfileVersion(t)
	f.findRuns(t)
	if ts, err := st.Trials(ctx); err != nil || len(ts) != 1 {
		t.Fatalf("demo trials %v, %v; want one", ts, err)
	} else {
		f.trialID = ts[0].ID
	}
	if ins, err := st.Incidents(ctx, f.trialID); err != nil || len(ins) == 0 {
		t.Fatalf("demo incidents %v, %v; want some", ins, err)
	} else {
		f.incidentID = ins[0].ID
	}

	hs, err := st.AllHandsets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		f.secrets = append(f.secrets, h.Code, h.Name, h.Manufacturer)
	}
	f.secrets = append(f.secrets, "ATL-", "BOR-", "COB-", "DUN-", "XSS-", "alert(1)", "__f__", "PWNED")

	srv := &handlers.Server{Store: st, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return pagesNow }}
	for _, c := range configure {
		c(srv)
	}
	f.router = srv.Routes()
	f.srv = httptest.NewServer(apicontract.Wrap(t, f.router)) // API answers checked against the OpenAPI document
	t.Cleanup(f.srv.Close)
	return f
}

func fptr(v float64) *float64 { return &v }
func iptr(v int) *int         { return &v }
func bptr(v bool) *bool       { return &v }

// addPayloadCandidates registers two candidates named with the XSS
// payloads, with units and runs of every kind, so the payloads reach the
// dashboard, the handset pages and every compare chart.
func (f *pagesFixture) addPayloadCandidates(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	for n, h := range []models.Handset{
		{Code: "xss-script", Name: xssScript, Manufacturer: xssScript + " Corp", FormFactor: "phone"},
		{Code: "xss-marker", Name: xssMarker, Manufacturer: "Marker " + xssMarker, FormFactor: "phone"},
	} {
		if _, err := f.st.CreateHandset(ctx, h, "test"); err != nil {
			t.Fatal(err)
		}
		var units []models.Unit
		var runs []models.Run
		for u := 1; u <= 3; u++ {
			serial := fmt.Sprintf("XSS-%d%02d", n, u)
			units = append(units, models.Unit{Handset: h.Code, Serial: serial, Notes: "bought from " + h.Manufacturer})
			at := time.Date(2026, 5, 1+u, 8, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
			env := func(k models.Kind, method string, d time.Duration) models.Run {
				at = at.Add(d + time.Hour)
				return models.Run{Kind: k, Handset: h.Code, Unit: serial, Method: method, StartedAt: at.Add(-d), EndedAt: at,
					Technician: "T. Test", Notes: "unit of " + h.Name}
			}
			drop := env(models.Drop, "MIL-STD-810H 516.8 IV", time.Hour)
			drop.HeightM, drop.Surface, drop.ProtectiveCase, drop.PlannedDrops = fptr(2), "concrete", bptr(false), iptr(26)
			drop.DropsCompleted, drop.WorstSeverity = iptr(26), iptr(1)
			if u == 2 {
				drop.DropsCompleted, drop.FirstFailureDrop, drop.WorstSeverity = iptr(9), iptr(9), iptr(4)
			}
			tumble := env(models.Drop, "IEC 60068-2-31 Ec", time.Hour)
			tumble.HeightM, tumble.Surface, tumble.ProtectiveCase, tumble.PlannedDrops = fptr(1), "tumbler", bptr(false), iptr(300)
			tumble.DropsCompleted, tumble.WorstSeverity = iptr(60*u), iptr(3)
			tumble.FirstFailureDrop = iptr(60 * u)
			cold := env(models.Temperature, "IEC 60068-2-1 Ad", time.Hour)
			cold.Procedure, cold.SetpointC, cold.DwellMin, cold.Passed = "operation_cold", fptr(-20), fptr(120), bptr(u != 3)
			water := env(models.Ingress, "IEC 60529 IPX8", time.Hour)
			water.IPCode, water.Medium, water.DepthM, water.DurationMin = "IP68", "fresh", fptr(1.5), fptr(30)
			water.IngressFound, water.FunctionalAfter = bptr(false), bptr(true)
			batt := env(models.Battery, "EU 2023/1669 Annex IV", 30*time.Hour)
			batt.Protocol, batt.RuntimeH, batt.StartSocPct, batt.EndSocPct = "eu_eei_loop", fptr(29+float64(u)), fptr(100), fptr(0)
			batt.BrightnessNits, batt.AmbientC = fptr(200), fptr(23)
			runs = append(runs, drop, tumble, cold, water, batt)
		}
		if n == 0 {
			// A unit with no runs yet: the dashboard lists it as missing.
			units = append(units, models.Unit{Handset: h.Code, Serial: "XSS-004"})
		}
		if _, err := f.st.CreateUnits(ctx, units, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.CreateRuns(ctx, runs, "test"); err != nil {
			t.Fatal(err)
		}
	}
}

// addProfileVersion records version 2 of the demo profile: a stricter drop
// target, and a requirement whose title is a spreadsheet formula and an
// XSS payload, for the diff view and the CSV export.
func (f *pagesFixture) addProfileVersion(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	list, _, err := f.st.Profiles(ctx, store.Page{})
	if err != nil || len(list) == 0 {
		t.Fatalf("demo profile: %v (%d profiles)", err, len(list))
	}
	p := list[0]
	f.profileID = p.ID
	next := models.Profile{Name: p.Name, Requirements: append([]models.Requirement(nil), p.Requirements...)}
	for i := range next.Requirements {
		if r := &next.Requirements[i]; r.Decision.Rule == models.LowerBound && r.Decision.Target != nil {
			r.Decision.Target = fptr(*r.Decision.Target + 0.2)
			break
		}
	}
	next.Requirements = append(next.Requirements,
		models.Requirement{Key: "formula", Title: formulaTitle, Kind: models.Ingress,
			Where: models.Where{IPCode: []string{"IP68"}}, Decision: models.Decision{Rule: models.AllUnits, Confidence: 0.95}, MinUnits: 3},
		models.Requirement{Key: "xss", Title: xssScript, Kind: models.Temperature,
			Where: models.Where{Procedure: []string{"operation_cold"}}, Decision: models.Decision{Rule: models.AllUnits, Confidence: 0.95}, MinUnits: 2})
	if _, err := f.st.CreateProfileVersion(ctx, p.ID, next, "test"); err != nil {
		t.Fatalf("CreateProfileVersion: %v", err)
	}
}

func (f *pagesFixture) findRuns(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	all, _, err := f.st.Runs(ctx, store.RunFilter{IncludeRetracted: true, Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		switch {
		case r.Kind == models.Battery && r.HasSeries && f.batteryRun == "":
			f.batteryRun = r.ID
		case r.Kind == models.Temperature && r.HasSeries && f.chamberRun == "":
			f.chamberRun = r.ID
		case r.Status == models.Retracted && f.retractedRun == "":
			f.retractedRun = r.ID
		case r.Handset == "xss-script" && f.xsRun == "":
			f.xsRun = r.ID
		}
		if len(f.evidence) < 6 && r.Kind == models.Ingress {
			f.evidence = append(f.evidence, r.ID)
		}
	}
	if f.batteryRun == "" || f.chamberRun == "" || f.retractedRun == "" || f.xsRun == "" {
		t.Fatalf("demo data lacks a run the pages need: battery %q chamber %q retracted %q xss %q", f.batteryRun, f.chamberRun, f.retractedRun, f.xsRun)
	}
}

// page is one page the tests visit: where, which charts it must draw.
type page struct {
	name   string
	path   string
	charts []string // data-chart names that must be present
	// literal is user text the page must show as typed (not in blind mode).
	literal []string
}

// pages lists every evaluator page, each reachable from "/" in two clicks
// (nav bar, then a link), with the charts it must draw.
func (f *pagesFixture) pages() []page {
	return []page{
		{"dashboard", "/", nil, []string{xssScript, xssMarker}},
		{"handset", "/handsets/atlas-r1", nil, nil},
		{"handset-xss", "/handsets/xss-script", nil, []string{xssScript, "bought from " + xssScript + " Corp"}},
		{"handset-marker", "/handsets/xss-marker", nil, []string{xssMarker}},
		{"compare", "/compare", nil, nil},
		{"compare-drop", "/compare?kind=drop", []string{"pass-rate", "km"}, nil},
		{"compare-temperature", "/compare?kind=temperature", []string{"pass-rate"}, nil},
		{"compare-ingress", "/compare?kind=ingress", []string{"pass-rate"}, nil},
		{"compare-battery", "/compare?kind=battery", []string{"battery-runtime", "discharge"}, nil},
		{"compare-repair", "/compare?kind=repair", []string{"repair-steps", "repair-time"}, nil},
		{"handset-repair-worse", "/handsets/dune-p5", nil, nil},
		{"profiles", "/profiles", nil, nil},
		{"matrix", "/profiles/" + f.profileID + "/matrix?version=1", nil, nil},
		{"matrix-diff", "/profiles/" + f.profileID + "/matrix?version=2&from=1", nil, []string{xssScript, formulaTitle}},
		{"award", "/profiles/" + f.profileID + "/award", []string{"rank-acceptability", "weight-stability"}, nil},
		{"run-battery", "/runs/" + f.batteryRun, []string{"discharge"}, nil},
		{"run-chamber", "/runs/" + f.chamberRun, []string{"chamber"}, nil},
		{"run-retracted", "/runs/" + f.retractedRun, nil, nil},
		{"run-xss", "/runs/" + f.xsRun, nil, []string{"unit of " + xssScript}},
		{"runs", "/runs?ids=" + strings.Join(f.evidence, ","), nil, nil},
		{"runs-table", "/runs", nil, nil},
		{"runs-table-filtered", "/runs?handset=atlas-r1&kind=drop&status=active&sort=kind&order=asc&from=2026-01-01", nil, nil},
		{"trials", "/trials", nil, nil},
		{"trial", "/trials/" + f.trialID, []string{"trial-incidents"}, nil},
	}
}

// blindURL adds blind=1 to a page path.
func blindURL(path string) string {
	if strings.Contains(path, "?") {
		return path + "&blind=1"
	}
	return path + "?blind=1"
}

// get fetches path from the fixture's server without following redirects;
// header holds name/value pairs to send.
func (f *pagesFixture) get(t testing.TB, path string, header ...string) (*http.Response, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, string(b)
}

// getJSON fetches path and decodes its JSON body into v, failing on a
// status other than 200.
func (f *pagesFixture) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	resp, body := f.get(t, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v\n%.500s", path, err, body)
	}
}
