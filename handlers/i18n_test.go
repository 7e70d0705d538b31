package handlers_test

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/i18n"
	"ruggedlab/internal/testdb"
	"ruggedlab/store"
)

// missing collects the catalogue keys a French page asked for in vain.
type missing struct {
	mu   sync.Mutex
	keys map[string]bool
}

func (m *missing) add(k string) { m.mu.Lock(); m.keys[k] = true; m.mu.Unlock() }
func (m *missing) take() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.keys {
		out = append(out, k)
	}
	m.keys = map[string]bool{}
	sort.Strings(out)
	return out
}

// newI18nFixture is the pages fixture with a catalogue that reports
// missing French messages.
func newI18nFixture(t *testing.T, e testdb.Engine) (*pagesFixture, *missing, *i18n.Catalog) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := &missing{keys: map[string]bool{}}
	cat.OnMissing = m.add
	f := newPagesFixture(t, e, func(s *handlers.Server) { s.I18n = cat })
	return f, m, cat
}

var (
	htmlLang     = regexp.MustCompile(`<html lang="([a-z]+)">`)
	scriptBlock  = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<pre.*?</pre>|<code>.*?</code>`)
	tag          = regexp.MustCompile(`(?s)<[^>]*>`)
	englishWords = regexp.MustCompile(`\b(?:the|and|of|with|No|not|are|is|for|per|runs|units|candidates|Units|Runs|Candidates|Compare|Dashboard|Profiles|Export|Permalink|Log out|Blind view|pass rate|Pass rate|Kind|Charts|Apply|any|Confidence|Latest|missing|Missing|Nothing|Requirement|Status|Amend|Retract|Record|Submit|Save|Cancel|Back|Unit|Handset|Name|Manufacturer|Started|Ended|Technician|Method|Reason|Changes|When|Who|Evidence)\b`)
)

var chromeParts = regexp.MustCompile(`(?s)<nav class="site".*?</nav>|<p class="(?:exports|actions) page-links">.*?</p>|<title>.*?</title>|<h[123][ >].*?</h[123]>|<th[ >].*?</th>|<caption>.*?</caption>|<summary>.*?</summary>|<label>.*?</label>|<button[ >].*?</button>|<p class="lede">.*?</p>|<option value="">.*?</option>`)

// chromeOf is the page's own wording: the nav bar, page links, titles,
// headings, table headers and captions, form labels and buttons, ledes.
// Table cells and notes built in Go (verdict reasons, run summaries) are
// not translated yet, so they are not checked.
func chromeOf(body string) string {
	return strings.Join(chromeParts.FindAllString(body, -1), "\n")
}

// visibleText is a page's text as read: no scripts, styles, code samples
// or tags.
func visibleText(body string) string {
	s := scriptBlock.ReplaceAllString(body, " ")
	s = tag.ReplaceAllString(s, " ")
	return html.UnescapeString(s)
}

// TestPagesInTwoLanguages renders every page in English and French: the
// html lang attribute says which, a French page asks the catalogue for no
// message it lacks and shows no English word, and the language comes from
// the switch, the cookie (garbage → English) or Accept-Language.
func TestPagesInTwoLanguages(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f, miss, cat := newI18nFixture(t, e)
			all := map[string]bool{}
			for _, p := range f.pages() {
				t.Run(p.name, func(t *testing.T) {
					_, en := f.get(t, p.path, "Accept-Language", "en-GB,en;q=0.9")
					if m := htmlLang.FindStringSubmatch(en); m == nil || m[1] != "en" {
						t.Errorf("English page: lang %v", m)
					}
					miss.take()
					resp, fr := f.get(t, p.path, "Cookie", "rl_lang=fr")
					if resp.StatusCode != 200 {
						t.Fatalf("status %d", resp.StatusCode)
					}
					if m := htmlLang.FindStringSubmatch(fr); m == nil || m[1] != "fr" {
						t.Errorf("French page: lang %v", m)
					}
					if ks := miss.take(); len(ks) > 0 {
						for _, k := range ks {
							all[k] = true
						}
						t.Errorf("French page asks for %d messages the catalogue lacks: %q", len(ks), ks)
					}
					f.assertNoEnglish(t, cat, chromeOf(fr))
				})
			}
			if os.Getenv("RUGGEDLAB_I18N_DUMP") != "" && len(all) > 0 {
				out := map[string]string{}
				for k := range all {
					out[k] = ""
				}
				b, _ := json.MarshalIndent(out, "", "  ")
				os.WriteFile(os.Getenv("RUGGEDLAB_I18N_DUMP"), b, 0o644)
			}
			f.testChoice(t)
		})
	}
}

// assertNoEnglish fails on English words in a French page's text, once
// the fixture's own data (names, methods, notes typed in English) is
// taken out.
func (f *pagesFixture) assertNoEnglish(t *testing.T, cat *i18n.Catalog, body string) {
	t.Helper()
	text := visibleText(body)
	for _, d := range f.dataTexts(t) {
		text = strings.ReplaceAll(text, d, " ")
	}
	if m := englishWords.FindAllStringIndex(text, 5); len(m) > 0 {
		var ctx []string
		for _, ix := range m {
			lo, hi := max(0, ix[0]-40), min(len(text), ix[1]+40)
			ctx = append(ctx, strings.Join(strings.Fields(text[lo:hi]), " "))
		}
		t.Errorf("English left on a French page: %q", ctx)
	}
}

// dataTexts are texts of the fixture's records, which stay as typed:
// candidates, notes, requirement titles (longest first).
func (f *pagesFixture) dataTexts(t *testing.T) []string {
	out := append([]string{"bought from", "unit of", "RuggedLab"}, f.secrets...)
	list, _, err := f.st.Profiles(context.Background(), store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		out = append(out, p.Name)
		for _, r := range p.Requirements {
			out = append(out, r.Title)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func (f *pagesFixture) testChoice(t *testing.T) {
	for _, tt := range []struct {
		name, path string
		header     []string
		want       string
		setCookie  string
	}{
		{"Accept-Language fr", "/", []string{"Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5"}, "fr", ""},
		{"Accept-Language en", "/", []string{"Accept-Language", "en-US"}, "en", ""},
		{"Accept-Language de falls back to English", "/", []string{"Accept-Language", "de-DE"}, "en", ""},
		{"no header", "/", nil, "en", ""},
		{"cookie en beats Accept-Language", "/", []string{"Accept-Language", "fr", "Cookie", "rl_lang=en"}, "en", ""},
		{"garbage cookie is English", "/", []string{"Accept-Language", "fr", "Cookie", "rl_lang=%3Cscript%3E"}, "en", ""},
		{"switch to French is remembered", "/?lang=fr", nil, "fr", "rl_lang=fr"},
		{"switch beats the cookie", "/profiles?lang=en", []string{"Cookie", "rl_lang=fr"}, "en", "rl_lang=en"},
		{"garbage switch is ignored", "/?lang=xx", []string{"Cookie", "rl_lang=fr"}, "fr", ""},
		{"error page in French", "/handsets/no-such", []string{"Cookie", "rl_lang=fr"}, "fr", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.get(t, tt.path, tt.header...)
			if m := htmlLang.FindStringSubmatch(body); m == nil || m[1] != tt.want {
				t.Errorf("lang %v, want %s", m, tt.want)
			}
			sc := resp.Header.Get("Set-Cookie")
			if tt.setCookie == "" && strings.Contains(sc, "rl_lang") {
				t.Errorf("Set-Cookie %q, want none", sc)
			}
			if tt.setCookie != "" && !strings.HasPrefix(sc, tt.setCookie+";") {
				t.Errorf("Set-Cookie %q, want %s", sc, tt.setCookie)
			}
			other := map[string]string{"fr": "English", "en": "Français"}[tt.want]
			if !strings.Contains(body, "data-lang-switch>"+other+"<") {
				t.Errorf("no switch to %s", other)
			}
		})
	}
}
