package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ruggedlab/internal/browsertest"
	"ruggedlab/internal/testdb"
)

// TestForbiddenPageInBrowser: a technician who opens the admins' handset
// form gets a 403 page in HTML, in the site's layout, in people's words —
// not problem+json (issue 16 item 4).
func TestForbiddenPageInBrowser(t *testing.T) {
	b := browsertest.New(t)
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			srv := formsServer(t, e)
			ctx := b.Tab(t)
			do(t, ctx, "log in", append(browserLogin(srv.URL, techName, "/"), chromedp.WaitVisible(chromedp.CSS("nav.site")))...)
			do(t, ctx, "open the handset form", chromedp.Navigate(srv.URL+"/handsets/new"), chromedp.WaitVisible(chromedp.CSS("main h1")))
			ct := run(t, ctx, "content type", chromedp.Evaluate[string](`document.contentType`))
			h1 := run(t, ctx, "heading", chromedp.Text(chromedp.CSS("main h1")))
			text := run(t, ctx, "page", chromedp.Text(chromedp.CSS("main")))
			nav := run(t, ctx, "nav", chromedp.Text(chromedp.CSS("nav.site")))
			if ct != "text/html" || h1 != "Not allowed for your role" || !strings.Contains(text, "This page is for the admin role") || !strings.Contains(nav, "tom") {
				t.Errorf("403 page: %s, h1 %q, text %.300q, nav %q", ct, h1, text, nav)
			}
			if strings.Contains(text, "problem") || strings.Contains(text, `"type"`) {
				t.Errorf("403 page shows problem+json: %.300q", text)
			}
		})
	}
}
