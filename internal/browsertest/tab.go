package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Tab opens a tab for a test that drives a page itself with chromedp
// actions (fills a form, clicks, uploads a file). Tabs share the browser's
// cookies, so a login in one holds in the others and in Visit. The tab
// closes, and every action on it fails, after a minute or at cleanup.
func (b *Browser) Tab(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
	})
	return ctx
}
