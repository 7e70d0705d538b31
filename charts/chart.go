// Package charts builds ECharts options for RuggedLab's pages and renders
// them safely.
//
// Builders are pure: slices of numbers in, a [Chart] out; no database, no
// HTTP. Options are built with go-echarts but never rendered by it: its
// page/chart Render points at a CDN and writes option text into a <script>
// unescaped (a series name "</script><script>…" or "__f__…__f__" becomes
// live JavaScript; see stack-notes §2.4). Instead [Options] takes the option
// map from go-echarts and [Chart.HTML] writes it, through html/template's
// escaping, into a <script type="application/json"> data block: data, never
// code. One static file, static/charts.js, finds every [data-chart] element,
// JSON.parses its block and draws it.
//
// Consequences:
//   - No option may be a JavaScript function (formatters, renderItem,
//     event handlers): a types.FuncStr arrives in the browser as a plain
//     string. Use ECharts string templates ("{b}: {c}") or literal text.
//   - Pages run under a strict Content-Security-Policy (docs/api.md
//     "Security headers"): no inline script, no style attribute, nothing
//     from another origin. A page with charts loads, once, in its <head>:
//     <script src="{{echartsPath}}"></script> and then
//     <script src="{{static "charts.js"}}" defer></script>
//     (layout.html does it when the page data says HasCharts). New pages
//     embed charts only through Chart.HTML, and any other script of theirs
//     as a static file under static/ with its data in data-* attributes or
//     a <script type="application/json"> block, never inline code or
//     onclick= handlers; colours and sizes go in app.css classes (see the
//     .swatch.cN classes), or are set from static JS through the CSSOM
//     (element.style.x = …), which the policy allows.
package charts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
)

// DefaultHeight is the chart height in CSS pixels when Chart.Height is 0.
const DefaultHeight = 400

// Chart is one chart on a page: where it goes and what it draws.
type Chart struct {
	// Name is the data-chart attribute that tests and scripts find the chart
	// by (api.md §8), e.g. "pass-rate", "km". Pattern ^[a-z][a-z0-9-]*$.
	Name string
	// ID is the element id, unique on the page. It is caller-chosen and
	// deterministic (never random, never from user input) so pages diff
	// cleanly in golden files. Same pattern as Name.
	ID string
	// Title is the accessible name of the chart (aria-label) and the title
	// of its downloaded image; the option draws no title (see layout.go).
	// It may be user text; it is escaped.
	Title string
	// Caption, when set, is shown above the chart as its figure's caption:
	// for a chart its section's heading does not name (one of two charts
	// in a section, a chart under a general heading). Leave it empty when
	// the heading names the chart, which it would only repeat. Escaped.
	Caption string
	// Height is the container height in CSS pixels; 0 means DefaultHeight.
	Height int
	// Option is the ECharts option object as JSON, from [Options] or a
	// builder such as [PassRate].
	Option json.RawMessage
}

// chartHTML is all a chart puts in the page: a container and its option as
// a JSON data block, which browsers never execute. The option is inserted in
// a script element of type application/json, where html/template encodes
// it as a JS value: JSON, with <, > and & escaped as \u003c… (so
// "</script>" cannot end the element). static/charts.js reads the block
// with JSON.parse, so go-echarts' "__f__" function markers stay strings.
// The height travels as data-height; charts.js sets it through the CSSOM,
// which the page's Content-Security-Policy allows, unlike a style attribute.
const chartHTML = `{{with .Caption}}<figcaption class="chart-title">{{.}}</figcaption>
{{end}}<div data-chart="{{.Name}}" id="{{.ID}}" data-height="{{.Height}}"{{with .Title}} role="img" aria-label="{{.}}"{{end}}></div>
<script type="application/json" data-chart-option="{{.ID}}">{{.Option}}</script>
`

// Validate reports what is wrong with c, if anything: a bad Name or ID, a
// Height outside 100–4000 px (0 is allowed and means DefaultHeight), or an
// Option that is not a JSON object (for example the empty option that
// go-echarts emits when encoding fails).
func (c Chart) Validate() error {
	var errs []error
	if err := checkIdent("name", c.Name); err != nil {
		errs = append(errs, err)
	}
	if err := checkIdent("id", c.ID); err != nil {
		errs = append(errs, err)
	}
	if c.Height != 0 && (c.Height < 100 || c.Height > 4000) {
		errs = append(errs, fmt.Errorf("height %d px outside 100–4000", c.Height))
	}
	if t := bytes.TrimSpace(c.Option); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		errs = append(errs, errors.New("option is not a JSON object"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("charts: chart %q: %w", c.ID, err)
	}
	return nil
}

// HTML renders the chart container and its option data block. It returns an error
// from Validate, or from template execution. Call it from a page template as
// {{.Chart.HTML}} or put its result in the page data.
//
// The template is parsed per call on purpose: it takes microseconds, and the
// package keeps no state.
func (c Chart) HTML() (template.HTML, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	if c.Height == 0 {
		c.Height = DefaultHeight
	}
	t, err := template.New("chart").Parse(chartHTML)
	if err != nil {
		return "", fmt.Errorf("charts: parse chart template: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, c); err != nil {
		return "", fmt.Errorf("charts: render chart %q: %w", c.ID, err)
	}
	return template.HTML(buf.String()), nil
}

// checkIdent enforces ^[a-z][a-z0-9-]*$ and a sane length. Written out
// rather than as a package-level regexp to keep the package stateless.
func checkIdent(what, s string) error {
	if s == "" || len(s) > 64 {
		return fmt.Errorf("%s %q: want 1–64 characters", what, s)
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-'):
		default:
			return fmt.Errorf("%s %q: want ^[a-z][a-z0-9-]*$", what, s)
		}
	}
	return nil
}
