package handlers_test

import (
	"regexp"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/handlers/openapi"
	"ruggedlab/i18n"
	"ruggedlab/internal/testdb"
)

// TestAPIDocsPage: /docs/api draws every operation of the served contract,
// needs no account, loads nothing from another origin, and is a page of
// the site in both languages.
func TestAPIDocsPage(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := &missing{keys: map[string]bool{}}
	cat.OnMissing = m.add
	a := newAuthAPI(t, testdb.SQLite(t), func(s *handlers.Server) { s.I18n = cat })
	ops := 0
	for _, g := range openapi.Ref().Groups {
		ops += len(g.Operations)
	}
	external := regexp.MustCompile(`(?:src|href)="(?:https?:)?//`)
	for _, tc := range []struct{ lang, title string }{{"en", "REST API reference"}, {"fr", "Référence de l&#39;API REST"}} {
		t.Run(tc.lang, func(t *testing.T) {
			r := a.call(t, "GET", "/docs/api", "", "Accept", browserAccept, "Cookie", "rl_lang="+tc.lang)
			body := string(r.Body)
			if r.Status != 200 || !strings.Contains(body, `<html lang="`+tc.lang+`">`) || !strings.Contains(body, tc.title) {
				t.Fatalf("status %d\n%.600s", r.Status, body)
			}
			if n := strings.Count(body, `<article class="api-op"`); n != ops {
				t.Errorf("%d operations drawn, the document has %d", n, ops)
			}
			for _, want := range []string{`id="op-compare"`, `<code>dialect</code>`, `standard | fr`, `href="/api/v1/openapi.json" data-openapi`, `<div lang="en">`} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
			if loc := external.FindString(body); loc != "" {
				t.Errorf("the page loads from another origin: %s", loc)
			}
			if ks := m.take(); tc.lang == "fr" && len(ks) > 0 {
				t.Errorf("French page asks for messages the catalogue lacks: %q", ks)
			}
		})
	}
}
