// Package browsertest drives Debian's chromium through chromedp so that tests
// can check a page the way an evaluator's browser sees it: no JavaScript
// errors, no failed or cross-origin requests (lab networks are air-gapped),
// no dialogs (an alert is how injected script shows itself), and charts that
// actually drew.
//
//	b := browsertest.New(t)                       // one browser per test
//	r := b.Visit(t, srv.URL+"/compare?kind=ingress", "compare/ingress.png")
//	r.AssertClean(t)
//
// chromedp v0.20+ has a generic, iterator-based API that differs from most
// published examples; see docs/API.md in its module.
package browsertest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// Browser is a headless chromium that lives as long as the test that made it.
// Each Visit opens its own tab, so one Browser can serve many subtests,
// including parallel ones.
type Browser struct {
	ctx context.Context // owns the browser; tabs are derived from it
}

// New starts chromium for t and stops it in t.Cleanup.
//
// The browser is $RUGGEDLAB_CHROMIUM, else /usr/bin/chromium, else
// "chromium" on PATH. If none exists, the test is skipped with a message saying
// how to install it, unless RUGGEDLAB_BROWSER_TESTS=1 or CI=true, where a
// missing browser must not pass silently and the test fails instead.
func New(t testing.TB) *Browser {
	t.Helper()
	exe, err := findChromium()
	if err != nil {
		msg := "browsertest: " + err.Error() + " (install it with `apt-get install -y chromium`)"
		if required() {
			t.Fatal(msg + "; browser tests are required because RUGGEDLAB_BROWSER_TESTS=1 or CI=true")
		}
		t.Skip(msg + "; skipping (set RUGGEDLAB_BROWSER_TESTS=1 to make this a failure)")
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // tests run as root in CI; chromium refuses root with a sandbox
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoFirstRun,
		// Keep the browser itself from phoning home, so that every request
		// the tab sees comes from the page under test.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// Cancel the browser context first, then the allocator, whose cancel
	// waits for the process to exit before t.TempDir is removed.
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Do binds the browser's life to ctx, which must therefore
	// have no timeout; per-visit timeouts are derived from it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start %s: %v", exe, err)
	}
	return &Browser{ctx: ctx}
}

// required reports whether a missing browser is a failure rather than a skip.
func required() bool {
	return os.Getenv("RUGGEDLAB_BROWSER_TESTS") == "1" || os.Getenv("CI") == "true"
}

// findChromium returns $RUGGEDLAB_CHROMIUM if set (another build, or a
// developer's Chrome), else Debian's chromium.
func findChromium() (string, error) {
	if p := os.Getenv("RUGGEDLAB_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", errors.New("RUGGEDLAB_CHROMIUM: " + err.Error())
		}
		return p, nil
	}
	if _, err := os.Stat(chromiumPath); err == nil {
		return chromiumPath, nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", errors.New("chromium not found at " + chromiumPath + " or on PATH")
}
