package browsertest

import (
	"fmt"
	"testing"
)

// PageReport is what one Visit saw.
type PageReport struct {
	// URL is the page's location after loading (after any redirect).
	URL string
	// ConsoleErrors holds console.error/console.assert calls, uncaught
	// exceptions and error entries of the browser log (such as "Failed to
	// load resource: … 404"), each with where it came from when known.
	ConsoleErrors []string
	// FailedRequests holds requests that failed to load (DNS, refused,
	// blocked, canceled) and responses with an HTTP status of 400 or more.
	FailedRequests []string
	// ForeignRequests holds requests (and WebSockets) to an origin other than
	// the page's; data:, blob: and about: URLs are not network requests.
	ForeignRequests []string
	// Dialogs holds alert/confirm/prompt/beforeunload dialogs, as
	// "type: message". They were accepted so the page could go on.
	Dialogs []string
	// CSPViolations holds every Content-Security-Policy violation the
	// page's documents raised (securitypolicyviolation events): blocked
	// inline scripts, style attributes, eval, foreign loads.
	CSPViolations []string
	// Charts describes every [data-chart] element, in document order.
	Charts []ChartReport
	// Title is document.title and BodyText is document.body.innerText, as
	// rendered (so escaped text appears as the user sees it).
	Title    string
	BodyText string
	// HTML is the document as the page left it (outerHTML, after its
	// scripts ran): attributes, hidden inputs and inline chart options
	// included, for checks that user text appears nowhere (blind mode).
	HTML string
}

// ChartReport describes one [data-chart] element.
type ChartReport struct {
	// Name is the data-chart attribute, ID the element id.
	Name, ID string
	// HasInstance reports whether echarts.getInstanceByDom found a chart.
	HasInstance bool
	// Series is the number of series in the instance's option.
	Series int
	// CanvasW and CanvasH are the size of the chart's main canvas in device
	// pixels; 0 when no canvas was created.
	CanvasW, CanvasH int
	// InkPixels counts pixels of the chart's canvases that are neither
	// transparent nor near-white: a rough "something was drawn" measure
	// (a 600×400 bar chart gives tens of thousands).
	InkPixels int
	// Title is the chart title text as ECharts holds it (option title[0]),
	// or, for a chart that draws none (the page's heading names it, issue
	// #16 item 6), its aria-label: to check that user text arrived as text.
	Title string
}

// minInkPixels is the least ink a drawn chart has; axes and labels alone
// exceed it, an empty or failed canvas does not.
const minInkPixels = 500

// Problems lists everything that keeps the page from being clean, one line
// each; nil means clean. See AssertClean for the rules.
func (r PageReport) Problems() []string {
	var out []string
	for _, e := range r.ConsoleErrors {
		out = append(out, "console error: "+e)
	}
	for _, e := range r.FailedRequests {
		out = append(out, "failed request: "+e)
	}
	for _, e := range r.ForeignRequests {
		out = append(out, "request to another origin: "+e)
	}
	for _, e := range r.Dialogs {
		out = append(out, "dialog: "+e)
	}
	for _, e := range r.CSPViolations {
		out = append(out, "Content-Security-Policy violation: "+e)
	}
	for _, c := range r.Charts {
		where := fmt.Sprintf("chart %q (#%s)", c.Name, c.ID)
		switch {
		case !c.HasInstance:
			out = append(out, where+": no ECharts instance")
		case c.Series < 1:
			out = append(out, where+": no series")
		case c.InkPixels <= minInkPixels:
			out = append(out, fmt.Sprintf("%s: only %d ink pixels on a %d×%d canvas (nothing drawn?)",
				where, c.InkPixels, c.CanvasW, c.CanvasH))
		}
	}
	return out
}

// AssertClean fails t (without stopping it) for each problem: any console
// error, any failed or foreign request, any dialog, any Content-Security-
// Policy violation, and any chart without an ECharts instance, without a
// series, or with InkPixels ≤ 500.
func (r PageReport) AssertClean(t testing.TB) {
	t.Helper()
	for _, p := range r.Problems() {
		t.Errorf("%s: %s", r.URL, p)
	}
}
