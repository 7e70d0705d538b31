package handlers_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"ruggedlab/internal/browsertest"
	"ruggedlab/internal/testdb"
)

// chartsJS reads each chart of the page the way a person downloads it:
// the figure's PNG and SVG buttons (un-hidden by static/charts.js) and
// what window.RuggedLabCharts makes of the chart in the browser.
const chartsJS = `(() => Array.from(document.querySelectorAll("[data-chart]")).map(el => {
  const fig = el.closest("figure");
  const kinds = fig ? Array.from(fig.querySelectorAll("[data-chart-save]")).filter(b => !b.hidden && !b.closest("[hidden]")).map(b => b.getAttribute("data-chart-save")) : [];
  return {id: el.id, name: el.getAttribute("data-chart"), label: el.getAttribute("aria-label") || "", buttons: kinds,
    png: window.RuggedLabCharts.png(el.id), svg: window.RuggedLabCharts.svg(el.id)};
}))()`

type chartDownload struct {
	ID, Name, Label, PNG, SVG string
	Buttons                   []string
}

// TestChartDownloadsInBrowser (issue #16 item 6): every chart offers a
// PNG and an SVG download made in the browser, titled with the chart's
// name; KM bands of more than two candidates show for the candidates left
// selected; the battery chart hides the axis of a channel switched off.
// The JavaScript does not depend on the store: one engine is enough.
func TestChartDownloadsInBrowser(t *testing.T) {
	b := browsertest.New(t)
	f := newPagesFixture(t, testdb.Engines(t)[0])
	for _, path := range []string{"/compare?kind=drop", "/compare?kind=battery", "/runs/" + f.batteryRun, "/profiles/" + f.profileID + "/award", "/compare?kind=drop&lang=fr"} {
		t.Run(path, func(t *testing.T) {
			tab := b.Tab(t)
			do(t, tab, "open", chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("[data-chart] canvas")))
			got := run(t, tab, "downloads", chromedp.Evaluate[[]chartDownload](chartsJS))
			if len(got) == 0 {
				t.Fatal("no chart")
			}
			for _, c := range got {
				saveExport(t, c)
				if strings.Join(c.Buttons, ",") != "png,svg" {
					t.Errorf("%s: download buttons %v, want png and svg", c.ID, c.Buttons)
				}
				if !strings.HasPrefix(c.PNG, "data:image/png;base64,") {
					t.Errorf("%s: PNG %.40q is not a PNG data URL", c.ID, c.PNG)
				}
				if !strings.Contains(c.SVG, "<svg") || !strings.Contains(c.SVG, "</svg>") {
					t.Errorf("%s: SVG %.80q is not an SVG document", c.ID, c.SVG)
				}
				// the downloaded image is titled, as the page's heading is not in it
				if word, _, _ := strings.Cut(c.Label, " "); word != "" && !strings.Contains(c.SVG, xmlText(word)) {
					t.Errorf("%s: SVG lacks its title %q", c.ID, c.Label)
				}
			}
		})
	}

	t.Run("KM bands for the selected candidates", func(t *testing.T) {
		tab := b.Tab(t)
		do(t, tab, "open", chromedp.Navigate(f.srv.URL+"/compare?kind=drop"), chromedp.WaitVisible(chromedp.CSS(`[data-chart="km"] canvas`)))
		type bands struct {
			Names   int
			Before  []float64
			After   []float64
			Visible []string
		}
		got := run(t, tab, "toggle legend", chromedp.Evaluate[bands](`(() => {
  const inst = echarts.getInstanceByDom(document.querySelector('[data-chart="km"]'));
  const read = () => inst.getOption().series.filter(s => (s.id || "").startsWith("km-band-")).map(s => s.areaStyle.opacity);
  const before = read();
  const names = inst.getOption().legend[0].data.map(d => typeof d === "string" ? d : d.name);
  names.slice(2).forEach(n => inst.dispatchAction({type: "legendToggleSelect", name: n}));
  const visible = inst.getOption().series.filter(s => (s.id || "").startsWith("km-band-") && s.areaStyle.opacity > 0).map(s => s.name);
  return {names: names.length, before: before, after: read(), visible: visible};
})()`))
		if got.Names <= 2 {
			t.Skipf("%d candidates: every band is always shaded", got.Names)
		}
		for _, op := range got.Before {
			if op != 0 {
				t.Errorf("with %d candidates a band rests at opacity %v, want hidden", got.Names, op)
			}
		}
		if len(got.Visible) == 0 || len(got.Visible) > 2 {
			t.Errorf("after leaving 2 candidates selected, bands shown for %v", got.Visible)
		}
	})

	t.Run("KM band shows on hover", func(t *testing.T) {
		tab := b.Tab(t)
		do(t, tab, "open", chromedp.Navigate(f.srv.URL+"/compare?kind=drop"), chromedp.WaitVisible(chromedp.CSS(`[data-chart="km"] canvas`)))
		// Ink on the canvas before and while the mouse points at a
		// candidate's curve: charts.js links the curve's mouseover to every
		// series of the candidate, its band among them.
		count := chromedp.Evaluate[int](`(() => {
  const el = document.querySelector('[data-chart="km"]');
  let n = 0;
  el.querySelectorAll("canvas").forEach(cv => {
    const d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
    for (let p = 0; p < d.length; p += 4) if (d[p + 3] > 16 && !(d[p] > 240 && d[p + 1] > 240 && d[p + 2] > 240)) n++;
  });
  return n;
})()`)
		before := run(t, tab, "ink before", count)
		// The page point of the first candidate's second step, on its curve.
		at := run(t, tab, "find a curve point", chromedp.Evaluate[[]float64](`(() => {
  const el = document.querySelector('[data-chart="km"]');
  el.scrollIntoView();
  const inst = echarts.getInstanceByDom(el);
  const series = inst.getOption().series;
  const i = series.findIndex(s => s.symbol === "circle" && s.data.length > 1);
  const p = inst.convertToPixel({seriesIndex: i}, series[i].data[1].value);
  const r = el.getBoundingClientRect();
  return [r.left + p[0], r.top + p[1]];
})()`))
		do(t, tab, "point at the curve", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at[0]-1, at[1]-1),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at[0], at[1]), chromedp.Sleep(300*time.Millisecond))
		ink := []int{before, run(t, tab, "ink after", count)}
		if ink[1] < ink[0]+ink[0]/50 {
			t.Errorf("highlighting a candidate: %d → %d ink pixels, want its band drawn", ink[0], ink[1])
		}
	})

	t.Run("battery axes switch with their channel", func(t *testing.T) {
		tab := b.Tab(t)
		do(t, tab, "open", chromedp.Navigate(f.srv.URL+"/runs/"+f.batteryRun), chromedp.WaitVisible(chromedp.CSS(`[data-chart="discharge"] canvas`)))
		shown := run(t, tab, "switch voltage off", chromedp.Evaluate[[]bool](`(() => {
  const inst = echarts.getInstanceByDom(document.querySelector('[data-chart="discharge"]'));
  inst.dispatchAction({type: "legendToggleSelect", name: inst.getOption().series[1].name});
  return inst.getOption().yAxis.map(a => a.show !== false);
})()`))
		if len(shown) < 4 || !shown[0] || shown[1] || !shown[2] {
			t.Errorf("axes shown %v, want the second (voltage) hidden, the others shown", shown)
		}
	})
}

func xmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// saveExport keeps what a download would give beside the screenshots
// (browsertest.ScreenshotDir), for people to look at.
func saveExport(t *testing.T, c chartDownload) {
	dir := filepath.Join(browsertest.ScreenshotDir(), "chart-exports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("chart exports: %v", err)
		return
	}
	if _, b64, ok := strings.Cut(c.PNG, ","); ok {
		if png, err := base64.StdEncoding.DecodeString(b64); err == nil {
			_ = os.WriteFile(filepath.Join(dir, c.ID+".png"), png, 0o644)
		}
	}
	_ = os.WriteFile(filepath.Join(dir, c.ID+".svg"), []byte(c.SVG), 0o644)
}
