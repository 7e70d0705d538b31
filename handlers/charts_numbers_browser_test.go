package handlers_test

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ruggedlab/internal/browsertest"
	"ruggedlab/internal/testdb"
)

// chartNumbersJS reads, for each chart of the page, the numbers ECharts
// writes itself (issue #15 item 2): what each value axis's label
// formatter, each data zoom's label formatter and each axis pointer make
// of 1234.5 (a string when no function is installed: English pages keep
// ECharts' own formatting), the texts drawn in the chart's SVG export, and
// the tooltip ECharts shows for the first data item of the first series
// whose tooltip template has {c}, with that item's value.
const chartNumbersJS = `(() => Array.from(document.querySelectorAll("[data-chart]")).map(el => {
  const inst = echarts.getInstanceByDom(el), o = inst.getOption();
  const out = {id: el.id, ticks: [], zoom: [], pointer: [], svg: "", tip: "", tipValue: null};
  for (const k of ["xAxis", "yAxis"]) for (const a of (o[k] || [])) {
    if (a.type !== "value") continue;
    const f = a.axisLabel && a.axisLabel.formatter;
    out.ticks.push(typeof f === "function" ? f(1234.5, 0) : "not a function: " + f);
    const p = a.axisPointer && a.axisPointer.label && a.axisPointer.label.formatter;
    out.pointer.push(typeof p === "function" ? p({value: 1234.5}) : "not a function: " + p);
  }
  for (const dz of (o.dataZoom || [])) {
    out.zoom.push(typeof dz.labelFormatter === "function" ? dz.labelFormatter(1234.5, "1,234.5") : "not a function: " + dz.labelFormatter);
  }
  // read in Go: a DOMParser document would inherit the page's CSP and
  // report the SVG's own style attributes as violations
  out.svg = window.RuggedLabCharts.svg(el.id);
  const global = (o.tooltip && o.tooltip[0]) || {};
  for (let i = 0; i < o.series.length; i++) {
    const s = o.series[i], d = s.data && s.data[0];
    const v = d && typeof d === "object" && !Array.isArray(d) ? d.value : d;
    if (typeof v !== "number" || !(s.tooltip && s.tooltip.formatter || global.formatter)) continue;
    inst.dispatchAction({type: "showTip", seriesIndex: i, dataIndex: 0});
    const box = Array.from(el.querySelectorAll("div")).filter(x => !x.querySelector("canvas") && x.innerText.trim() !== "").pop();
    out.tip = box ? box.innerText : "";
    out.tipValue = v;
    break;
  }
  return out;
}))()`

type chartNumbers struct {
	ID                   string
	Ticks, Zoom, Pointer []string
	SVG                  string
	Tip                  string
	TipValue             *float64
}

var (
	svgText      = regexp.MustCompile(`<text[^>]*>([^<]*)</text>`)
	decimalPoint = regexp.MustCompile(`\d\.\d`)
	// a comma that is not a thousands separator ("1,234") is a decimal comma
	decimalComma = regexp.MustCompile(`\d,(\d{1,2}|\d{4,})\b`)
)

// TestChartNumbersInBrowser (issue #15 item 2): on a French page the
// numbers ECharts formats itself — axis ticks, data zoom handles, axis
// pointers, {c} in tooltips — have a decimal comma and a narrow no-break
// space between thousands, as the page's own numbers; an English page
// keeps ECharts' own formatting (no formatter function is installed).
// The charts' drawn texts are read from their SVG export, which draws the
// option the page draws.
func TestChartNumbersInBrowser(t *testing.T) {
	b := browsertest.New(t)
	f := newPagesFixture(t, testdb.SQLite(t))
	paths := []string{"/compare?kind=drop", "/compare?kind=battery", "/runs/" + f.batteryRun, "/profiles/" + f.profileID + "/award", "/trials/" + f.trialID}
	sawTip := map[string]bool{}
	for _, lang := range []string{"fr", "en"} {
		for _, path := range paths {
			t.Run(lang+path, func(t *testing.T) {
				tab := b.Tab(t)
				sep := "?"
				if strings.Contains(path, "?") {
					sep = "&"
				}
				do(t, tab, "open", chromedp.Navigate(f.srv.URL+path+sep+"lang="+lang), chromedp.WaitVisible(chromedp.CSS("[data-chart] canvas")))
				got := run(t, tab, "numbers", chromedp.Evaluate[[]chartNumbers](chartNumbersJS))
				if len(got) == 0 {
					t.Fatal("no chart")
				}
				for _, c := range got {
					checkChartNumbers(t, lang, c)
					if c.Tip != "" {
						sawTip[lang] = true
					}
				}
			})
		}
	}
	for _, lang := range []string{"fr", "en"} {
		if !sawTip[lang] {
			t.Errorf("%s: no chart showed a tooltip with {c}: the tooltip check checked nothing", lang)
		}
	}
}

func checkChartNumbers(t *testing.T, lang string, c chartNumbers) {
	t.Helper()
	const nnbsp = "\u202f"
	for what, got := range map[string][]string{"axis label": c.Ticks, "data zoom label": c.Zoom, "axis pointer": c.Pointer} {
		for _, s := range got {
			switch {
			case lang == "en" && !strings.HasPrefix(s, "not a function"):
				t.Errorf("%s: English %s formatter installed (%q): English pages keep ECharts' own numbers", c.ID, what, s)
			case lang == "fr" && !strings.Contains(s, "1"+nnbsp+"234,5"):
				t.Errorf("%s: French %s of 1234.5 is %q, want 1 234,5 (narrow no-break space, decimal comma)", c.ID, what, s)
			}
		}
	}
	fractional := 0
	texts := svgTexts(c.SVG)
	for _, s := range texts {
		switch {
		case lang == "fr" && decimalPoint.MatchString(s):
			t.Errorf("%s: French chart draws %q with a decimal point", c.ID, s)
		case lang == "en" && decimalComma.MatchString(s):
			t.Errorf("%s: English chart draws %q with a decimal comma", c.ID, s)
		case lang == "fr" && decimalComma.MatchString(s), lang == "en" && decimalPoint.MatchString(s):
			fractional++
		}
	}
	t.Logf("%s (%s): %d drawn texts, %d with a fractional number; ticks %q", c.ID, lang, len(texts), fractional, c.Ticks)
	if c.TipValue != nil {
		v := *c.TipValue
		want := strings.Replace(strings.TrimRight(strings.TrimRight(strconvF(v), "0"), "."), ".", ",", 1)
		if lang == "en" {
			want = strings.TrimRight(strings.TrimRight(strconvF(v), "0"), ".")
		}
		if !strings.Contains(c.Tip, want) {
			t.Errorf("%s: %s tooltip of value %v is %q, want it to show %q", c.ID, lang, v, c.Tip, want)
		}
		t.Logf("%s (%s): tooltip %q", c.ID, lang, c.Tip)
	}
}

func strconvF(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// svgTexts are the texts an SVG export draws.
func svgTexts(svg string) []string {
	var out []string
	for _, m := range svgText.FindAllStringSubmatch(svg, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}
