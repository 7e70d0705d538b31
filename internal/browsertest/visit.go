package browsertest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

const (
	// visitTimeout bounds one Visit: navigation, checks and screenshot.
	visitTimeout = 30 * time.Second
	// settle is the wait after the load event: charts draw synchronously
	// with animation off, but give late resources and timers a moment.
	settle = 300 * time.Millisecond
)

// inspectJS reads the title, the body text and every [data-chart] element.
// Ink is counted on every canvas of a chart (ECharts may add a hover layer)
// as pixels with some alpha that are not near-white.
const inspectJS = `(() => {
  const charts = [];
  for (const el of document.querySelectorAll("[data-chart]")) {
    const c = {name: el.getAttribute("data-chart") || "", id: el.id || "",
      hasInstance: false, series: 0, canvasW: 0, canvasH: 0, inkPixels: 0, title: ""};
    const inst = (typeof echarts !== "undefined") ? echarts.getInstanceByDom(el) : null;
    if (inst) {
      c.hasInstance = true;
      const opt = inst.getOption() || {};
      c.series = Array.isArray(opt.series) ? opt.series.length : 0;
      const t = Array.isArray(opt.title) ? opt.title[0] : opt.title;
      c.title = (t && typeof t.text === "string") ? t.text : "";
    }
    if (!c.title) c.title = el.getAttribute("aria-label") || "";
    el.querySelectorAll("canvas").forEach((cv, i) => {
      if (i === 0) { c.canvasW = cv.width; c.canvasH = cv.height; }
      if (!cv.width || !cv.height) return;
      const d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
      for (let p = 0; p < d.length; p += 4) {
        if (d[p + 3] > 16 && !(d[p] > 240 && d[p + 1] > 240 && d[p + 2] > 240)) c.inkPixels++;
      }
    });
    charts.push(c);
  }
  return {url: location.href, title: document.title,
    body: document.body ? document.body.innerText : "",
    html: document.documentElement ? document.documentElement.outerHTML : "", charts};
})()`

type inspection struct {
	URL    string `json:"url"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	HTML   string `json:"html"`
	Charts []struct {
		Name        string `json:"name"`
		ID          string `json:"id"`
		HasInstance bool   `json:"hasInstance"`
		Series      int    `json:"series"`
		CanvasW     int    `json:"canvasW"`
		CanvasH     int    `json:"canvasH"`
		InkPixels   int    `json:"inkPixels"`
		Title       string `json:"title"`
	} `json:"charts"`
}

// Visit loads pageURL in a new tab, waits for the load event and ~300 ms
// more, and reports what happened (see PageReport). Dialogs are accepted and
// recorded, so a page that calls alert() cannot hang the test.
//
// If screenshotPath is not empty, a full-page PNG is written there; a
// relative path is taken under ScreenshotDir(), and directories are created.
//
// Visit fails t only when the browser cannot do its job (bad URL, navigation
// error, timeout); what the page does wrong is in the report, for
// AssertClean or for the test's own expectations.
func (b *Browser) Visit(t testing.TB, pageURL, screenshotPath string) PageReport {
	t.Helper()
	origin, err := originOf(pageURL)
	if err != nil || origin == "" {
		t.Fatalf("browsertest: Visit(%q): not a network URL: %v", pageURL, err)
	}

	tab, closeTab := chromedp.NewContext(b.ctx)
	defer closeTab()
	acceptDialog := func() {
		// Runs a command, so it cannot run inside the Listen callback. It
		// uses the tab context: the dialog may block a pending action.
		go chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
	}
	rec := newRecorder(origin, acceptDialog)
	// Listen opens the tab; it must be in place before the navigation.
	if err := chromedp.Listen(tab, rec.event); err != nil {
		t.Fatalf("browsertest: open tab: %v", err)
	}
	if err := watchCSP(tab); err != nil {
		t.Fatalf("browsertest: %v", err)
	}

	ctx, cancel := context.WithTimeout(tab, visitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL), chromedp.Sleep(settle)); err != nil {
		t.Fatalf("browsertest: load %s: %v", pageURL, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](inspectJS))
	if err != nil {
		t.Fatalf("browsertest: inspect %s: %v", pageURL, err)
	}
	var in inspection
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatalf("browsertest: decode inspection of %s: %v", pageURL, err)
	}

	if screenshotPath != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("browsertest: screenshot %s: %v", pageURL, err)
		}
		path := screenshotPath
		if !filepath.IsAbs(path) {
			path = filepath.Join(ScreenshotDir(), path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("browsertest: %v", err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatalf("browsertest: %v", err)
		}
		t.Logf("browsertest: screenshot of %s: %s", pageURL, path)
	}

	rep := PageReport{URL: in.URL, Title: in.Title, BodyText: in.Body, HTML: in.HTML}
	for _, c := range in.Charts {
		rep.Charts = append(rep.Charts, ChartReport(c))
	}
	// Everything the browser sent before answering the commands above has
	// been recorded (see recorder).
	rec.fill(&rep)
	return rep
}
