package browsertest_test

import (
	"bytes"
	"html/template"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"ruggedlab/charts"
	"ruggedlab/internal/browsertest"
	"ruggedlab/static"
)

// The two measured XSS vectors of stack-notes §2.4.
const (
	payloadScript = `</script><script>alert(1)</script>`
	payloadMarker = `__f__(function(){document.title='PWNED'})()__f__`
)

// page is a minimal stand-in for the handlers' layout: stylesheet, favicon
// and ECharts from package static, charts from package charts.
type page struct {
	Title  string
	Head   template.HTML // extra <head> content (for the broken pages)
	Body   template.HTML // extra <body> content
	Note   string        // user text shown in the body
	Charts []charts.Chart
	// CSP is the Content-Security-Policy header to send; pages without
	// one are the broken pages that need an inline script to misbehave.
	CSP string
}

// strictCSP is the policy RuggedLab serves (handlers/headers.go): the
// stand-in pages must draw under it without a violation.
const strictCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

const layout = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<link rel="icon" href="{{static "favicon.svg"}}" type="image/svg+xml">
<link rel="stylesheet" href="{{static "app.css"}}">
<script src="{{echartsPath}}"></script>
<script src="{{static "charts.js"}}" defer></script>
{{.Head}}
</head>
<body>
<nav class="site"><a class="brand" href="/">RuggedLab</a><a href="/" aria-current="page">Compare</a></nav>
<main>
<h1>{{.Title}}</h1>
{{with .Note}}<p id="note">{{.}}</p>{{end}}
{{range .Charts}}<figure class="chart">{{.HTML}}</figure>
{{end}}{{.Body}}
</main>
</body>
</html>
`

func render(t *testing.T, p page) []byte {
	t.Helper()
	tmpl := template.Must(template.New("page").Funcs(template.FuncMap{
		"static":      static.Path,
		"echartsPath": static.EChartsPath,
	}).Parse(layout))
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, p); err != nil {
		t.Fatalf("render %q: %v", p.Title, err)
	}
	return buf.Bytes()
}

func passRate(t *testing.T, id, title string, bars []charts.PassRateBar) charts.Chart {
	t.Helper()
	c, err := charts.PassRate(id, title, 0.95, bars)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func payloadBar(t *testing.T) charts.Chart {
	t.Helper()
	bar := echarts.NewBar()
	bar.SetGlobalOptions(echarts.WithTitleOpts(opts.Title{Title: payloadScript}))
	bar.SetXAxis([]string{payloadScript, payloadMarker})
	bar.AddSeries(payloadScript, []opts.BarData{{Value: 3}, {Value: 5}})
	bar.AddSeries(payloadMarker, []opts.BarData{{Value: 4}, {Value: 2}})
	option, err := charts.Options(bar)
	if err != nil {
		t.Fatal(err)
	}
	return charts.Chart{Name: "xss-bar", ID: "xss-bar", Title: payloadMarker, Option: option}
}

// stylesBody uses every building block app.css documents, so the
// screenshot doubles as a visual check of the stylesheet.
const stylesBody template.HTML = `
<h2>Requirement matrix</h2>
<div class="table-wrap"><table>
<thead><tr><th>Requirement</th><th>atlas-r1</th><th>brick-x</th><th>crag-2</th></tr></thead>
<tbody>
<tr><td>Drop 1.5 m × 26</td><td class="verdict met">met <small>6/6, CI 61–100 %</small></td>
<td class="verdict not_met">not met <small>2/6</small></td><td class="verdict inconclusive">inconclusive <small>n = 2</small></td></tr>
<tr><td>IP68 30 min</td><td class="verdict met">met</td><td class="verdict met">met</td><td class="verdict not_met">not met</td></tr>
</tbody></table></div>
<h2>Runs</h2>
<div class="table-wrap"><table>
<thead><tr><th>Run</th><th>Unit</th><th class="num">Runtime (h)</th><th>Verdict</th></tr></thead>
<tbody>
<tr><td><a href="#">r-101</a></td><td>atlas-r1 / SN-0001</td><td class="num">14.25</td><td><span class="verdict met">met</span></td></tr>
<tr class="retracted"><td><a href="#">r-102</a> <span class="badge">retracted</span></td><td>atlas-r1 / SN-0002</td><td class="num">3.10</td><td><span class="verdict not_met">not met</span></td></tr>
<tr><td><a href="#">r-103</a></td><td>brick-x / SN-0107</td><td class="num">12.00</td><td><span class="verdict inconclusive">inconclusive</span></td></tr>
</tbody></table></div>
<p class="exports"><a data-export="csv" href="#">Export CSV</a><a data-export="json" href="#">Export JSON</a></p>
<h2>New run</h2>
<form>
<div class="field"><label for="height">Drop height (m)</label><input id="height" name="height_m" value="2,0" aria-invalid="true">
<span class="field-error">Use a dot as the decimal separator, e.g. 2.0</span></div>
<div class="field"><label for="unit">Unit</label><select id="unit"><option>SN-0001</option></select></div>
<div class="field"><label for="notes">Notes</label><textarea id="notes" rows="2"></textarea></div>
<div class="form-errors"><strong>3 rows could not be imported</strong>
<table><thead><tr><th class="num">Row</th><th>Column</th><th>Value</th><th>Problem</th></tr></thead>
<tbody><tr><td class="num">7</td><td>height_m</td><td>2,0</td><td>not a number</td></tr></tbody></table></div>
<button type="submit">Save run</button> <a class="button secondary" href="#">Cancel</a>
</form>
<div class="empty"><strong>No runs yet</strong>Record the first drop run for this unit, or import a CSV file.</div>
`

// server serves the test pages and the real static handler on 127.0.0.1.
func server(t *testing.T) *httptest.Server {
	t.Helper()
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]page{
		"/pass-rate": {Title: "Ingress IP68: pass rate", CSP: strictCSP, Charts: []charts.Chart{
			passRate(t, "pass-rate-ingress", "Ingress IP68 (30 min at 1.5 m)", []charts.PassRateBar{
				{Label: "atlas-r1", Passed: 5, N: 6, Estimate: 5.0 / 6, Lower: 0.4365, Upper: 0.9699},
				{Label: "brick-x", Passed: 10, N: 10, Estimate: 1, Lower: 0.7225, Upper: 1},
				{Label: "crag-2", Passed: 0, N: 3, Estimate: 0, Lower: 0, Upper: 0.5615},
				{Label: "dune-s (no units yet)", N: 0},
			}),
		}},
		"/xss": {Title: payloadScript, Note: payloadMarker, CSP: strictCSP, Charts: []charts.Chart{
			passRate(t, "pass-rate-xss", payloadScript, []charts.PassRateBar{
				{Label: payloadScript, Passed: 2, N: 3, Estimate: 2.0 / 3, Lower: 0.2077, Upper: 0.9385},
				{Label: payloadMarker, Passed: 3, N: 3, Estimate: 1, Lower: 0.4385, Upper: 1},
			}),
			payloadBar(t),
		}},
		"/styles":            {Title: "Stylesheet reference", Body: stylesBody, CSP: strictCSP},
		"/bad/inline-script": {Title: "inline script", CSP: strictCSP, Body: `<script>document.title = "ran"</script>`},
		"/bad/style-attr":    {Title: "style attribute", CSP: strictCSP, Body: `<p style="color: red">red</p>`},
		"/bad/foreign-script": {Title: "foreign",
			Head: `<script src="http://example.invalid/x.js"></script>`},
		"/bad/no-echarts": {Title: "no echarts", Body: `<div data-chart="km" id="km"></div>`},
		"/bad/alert":      {Title: "alert", Body: `<script>alert("boom")</script>`},
		"/bad/missing-css": {Title: "missing css",
			Head: template.HTML(`<link rel="stylesheet" href="/static/` + static.Version() + `/nope.css">`)},
		"/bad/empty-chart": {Title: "empty chart", CSP: strictCSP, Charts: []charts.Chart{
			{Name: "empty", ID: "empty", Option: []byte(`{"series":[]}`)},
		}},
	}
	mux := http.NewServeMux()
	mux.Handle(static.Prefix, assets)
	mux.Handle(static.FaviconPath, assets)
	for path, p := range pages {
		body := render(t, p)
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if p.CSP != "" {
				w.Header().Set("Content-Security-Policy", p.CSP)
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(body)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowser(t *testing.T) {
	b := browsertest.New(t)
	srv := server(t)

	t.Run("pass-rate page is clean", func(t *testing.T) {
		r := b.Visit(t, srv.URL+"/pass-rate", "browsertest/pass-rate.png")
		r.AssertClean(t)
		if len(r.Charts) != 1 {
			t.Fatalf("charts = %+v, want 1", r.Charts)
		}
		c := r.Charts[0]
		if c.Name != "pass-rate" || c.ID != "pass-rate-ingress" || c.Series != 2 || c.CanvasH != 360 {
			t.Errorf("chart = %+v", c)
		}
		t.Logf("chart %+v", c)
	})

	t.Run("stylesheet reference page is clean", func(t *testing.T) {
		r := b.Visit(t, srv.URL+"/styles", "browsertest/styles.png")
		r.AssertClean(t)
		if !strings.Contains(r.BodyText, "No runs yet") {
			t.Errorf("body text lacks the empty state:\n%s", r.BodyText)
		}
	})

	t.Run("XSS payloads stay text", func(t *testing.T) {
		r := b.Visit(t, srv.URL+"/xss", "browsertest/xss.png")
		r.AssertClean(t) // no dialog, no syntax error, both charts drawn
		if r.Title != payloadScript {
			t.Errorf("document.title = %q, want the payload verbatim (PWNED means the marker ran)", r.Title)
		}
		for _, p := range []string{payloadScript, payloadMarker} {
			if !strings.Contains(r.BodyText, p) {
				t.Errorf("body text lacks %q:\n%s", p, r.BodyText)
			}
		}
		want := map[string]string{"pass-rate-xss": payloadScript, "xss-bar": payloadScript}
		for _, c := range r.Charts {
			if c.Title != want[c.ID] {
				t.Errorf("chart %s title = %q, want %q", c.ID, c.Title, want[c.ID])
			}
		}
		if len(r.Charts) != 2 {
			t.Errorf("charts = %+v, want 2", r.Charts)
		}
	})

	t.Run("broken pages are reported", func(t *testing.T) {
		for _, tt := range []struct {
			path string
			want []string // substrings that must each appear in some problem
		}{
			{"/bad/foreign-script", []string{
				"request to another origin: http://example.invalid/x.js",
				"failed request: http://example.invalid/x.js",
			}},
			{"/bad/no-echarts", []string{`chart "km" (#km): no ECharts instance`}},
			{"/bad/alert", []string{"dialog: alert: boom"}},
			{"/bad/missing-css", []string{"failed request: " + srv.URL + "/static/", "HTTP 404", "console error: "}},
			{"/bad/empty-chart", []string{`chart "empty" (#empty): no series`}},
			{"/bad/inline-script", []string{"Content-Security-Policy violation: script-src-elem blocked \"inline\""}},
			{"/bad/style-attr", []string{"Content-Security-Policy violation: style-src-attr blocked \"inline\""}},
		} {
			t.Run(tt.path, func(t *testing.T) {
				r := b.Visit(t, srv.URL+tt.path, "")
				problems := r.Problems()
				for _, w := range tt.want {
					if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, w) }) {
						t.Errorf("no problem mentions %q; got:\n%s", w, strings.Join(problems, "\n"))
					}
				}
			})
		}
	})
}
