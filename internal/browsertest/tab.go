package browsertest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Tab opens a tab for a test that drives a page itself with chromedp
// actions (fills a form, clicks, uploads a file). Tabs share the browser's
// cookies, so a login in one holds in the others and in Visit. The tab
// closes, and every action on it fails, after a minute or at cleanup.
//
// Every document the tab loads is watched for Content-Security-Policy
// violations, as in Visit; at cleanup t fails with each one seen.
func (b *Browser) Tab(t testing.TB) context.Context {
	t.Helper()
	return b.TabFor(t, time.Minute)
}

// TabFor is Tab for a tab that lives up to d: a sweep that loads many
// pages in one tab needs more than Tab's minute.
func (b *Browser) TabFor(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	ctx, cancelTimeout := context.WithTimeout(ctx, d)
	var (
		mu         sync.Mutex
		violations []string
	)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		mu.Lock()
		defer mu.Unlock()
		for _, v := range uniq(violations) {
			t.Errorf("browsertest: Content-Security-Policy violation: %s", v)
		}
	})
	err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*runtime.EventBindingCalled); ok {
			if line, ok := parseCSPBinding(ev); ok {
				mu.Lock()
				violations = append(violations, line)
				mu.Unlock()
			}
		}
	})
	if err != nil {
		t.Fatalf("browsertest: open tab: %v", err)
	}
	if err := watchCSP(ctx); err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	return ctx
}
