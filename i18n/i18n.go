// Package i18n holds the interface's two languages: the message catalogue
// (English keys, French text in fr.json), the choice of language for a
// request (a remembered cookie, else Accept-Language) and the French
// number and date formats shown on pages.
//
// Pages pass English text through T; fr.json maps each English key to its
// French text. A key that is not in the catalogue is shown in English and
// reported to Catalog.OnMissing, so tests fail on it.
//
// The catalogue is golang.org/x/text/message: the Go team's module (already
// in the module graph through Gin), with language matching of
// Accept-Language (language.Matcher) and printf-style messages whose
// arguments are formatted by the printer.
package i18n

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Lang is a supported interface language.
type Lang string

const (
	EN Lang = "en"
	FR Lang = "fr"
)

// Langs are the interface languages, English first (the fallback).
var Langs = []Lang{EN, FR}

// CookieName remembers the language a person picked with the switch.
const CookieName = "rl_lang"

// QueryParam switches the language on any page (?lang=fr) and remembers it.
const QueryParam = "lang"

//go:embed fr.json
var files embed.FS

// Catalog is the loaded catalogue. Build it with Load; pass it in structs.
type Catalog struct {
	fr      map[string]string
	builder *catalog.Builder
	matcher language.Matcher
	// OnMissing, when set, hears every French lookup of a key that the
	// catalogue lacks (tests set it to fail).
	OnMissing func(key string)
}

// Load reads the embedded catalogue. An unreadable fr.json is a build bug.
func Load() (*Catalog, error) {
	b, err := files.ReadFile("fr.json")
	if err != nil {
		return nil, err
	}
	fr := map[string]string{}
	if err := json.Unmarshal(b, &fr); err != nil {
		return nil, fmt.Errorf("i18n: fr.json: %w", err)
	}
	cb := catalog.NewBuilder(catalog.Fallback(language.English))
	for k, v := range fr {
		if err := cb.SetString(language.French, k, v); err != nil {
			return nil, fmt.Errorf("i18n: fr.json %q: %w", k, err)
		}
	}
	return &Catalog{fr: fr, builder: cb, matcher: language.NewMatcher([]language.Tag{language.English, language.French})}, nil
}

// MustLoad is Load for package initialisation of a server.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Has reports whether key has a French text.
func (c *Catalog) Has(key string) bool { _, ok := c.fr[key]; return ok }

// Keys are the catalogue's English keys.
func (c *Catalog) Keys() []string {
	out := make([]string, 0, len(c.fr))
	for k := range c.fr {
		out = append(out, k)
	}
	return out
}

// French returns the French text of key ("" when missing).
func (c *Catalog) French(key string) string { return c.fr[key] }

// Parse reads a cookie or query value: "fr" or "en" (any case), else ok false.
func Parse(v string) (Lang, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "fr":
		return FR, true
	case "en":
		return EN, true
	}
	return EN, false
}

// Choose picks the language of a request: the switch (?lang=) first, then
// the cookie (a cookie with garbage means English), then Accept-Language,
// then English. remember is true when the switch asked for a language.
func (c *Catalog) Choose(query string, cookie string, hasCookie bool, acceptLanguage string) (l Lang, remember bool) {
	if l, ok := Parse(query); ok && query != "" {
		return l, true
	}
	if hasCookie {
		l, _ := Parse(cookie) // garbage → English
		return l, false
	}
	if acceptLanguage != "" {
		tag, _ := language.MatchStrings(c.matcher, acceptLanguage)
		if base, _ := tag.Base(); base.String() == "fr" {
			return FR, false
		}
	}
	return EN, false
}

// Printer translates and formats for one language.
type Printer struct {
	Lang Lang
	c    *Catalog
	p    *message.Printer
}

// Printer returns the printer of l.
func (c *Catalog) Printer(l Lang) *Printer {
	tag := language.English
	if l == FR {
		tag = language.French
	}
	return &Printer{Lang: l, c: c, p: message.NewPrinter(tag, message.Catalog(c.builder))}
}

// T translates key, a printf format in English, with args. French numbers
// in args should be formatted first (Num); strings pass as they are.
//
// A text built in Go with its numbers already in it ("2 m onto concrete,
// 26 drops planned") is found under its pattern, each number replaced by
// %s ("%s m onto concrete, %s drops planned"), and the numbers are put
// back with the French decimal mark. So the catalogue holds one entry per
// sentence, not one per value.
func (p *Printer) T(key string, args ...any) string {
	if p.Lang == EN {
		if len(args) == 0 {
			return key
		}
		return fmt.Sprintf(key, args...)
	}
	if len(args) > 0 {
		if !p.c.Has(key) && p.c.OnMissing != nil {
			p.c.OnMissing(key)
		}
		return p.p.Sprintf(key, args...)
	}
	return p.Text(key)
}

// Text translates key, a text without printf arguments (a word such as
// "recorded", or a text built in Go with its numbers in it).
func (p *Printer) Text(key string) string {
	if p.Lang == EN {
		return key
	}
	if v, ok := p.c.fr[key]; ok {
		return v
	}
	if v, ok := p.quoted(key); ok {
		return v
	}
	if pat, nums := Pattern(key); len(nums) > 0 {
		if v, ok := p.c.fr[pat]; ok {
			out := make([]any, len(nums))
			for i, n := range nums {
				out[i] = FrenchDecimals(n)
			}
			return fmt.Sprintf(v, out...)
		}
		if p.c.OnMissing != nil {
			p.c.OnMissing(pat)
		}
		return key
	}
	if p.c.OnMissing != nil {
		p.c.OnMissing(key)
	}
	return key
}

// goQuoted is a value quoted as Go's %q quotes it ("no-such").
var goQuoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// quoted finds a text that quotes values as %q does (`no candidate
// "no-such"`, a validator's message naming what was typed) under its
// format ("no candidate %q"); the French shows each value as typed,
// unquoted, in its own marks (« no-such »).
func (p *Printer) quoted(s string) (string, bool) {
	spans := goQuoted.FindAllStringIndex(s, -1)
	if len(spans) == 0 {
		return "", false
	}
	var b strings.Builder
	vals := make([]any, len(spans))
	last := 0
	for i, ix := range spans {
		v, err := strconv.Unquote(s[ix[0]:ix[1]])
		if err != nil {
			return "", false
		}
		b.WriteString(strings.ReplaceAll(s[last:ix[0]], "%", "%%"))
		b.WriteString("%q")
		vals[i], last = v, ix[1]
	}
	b.WriteString(strings.ReplaceAll(s[last:], "%", "%%"))
	v, ok := p.c.fr[b.String()]
	if !ok {
		return "", false
	}
	return fmt.Sprintf(v, vals...), true
}

var (
	number = regexp.MustCompile(`-?[0-9]+(?:\.[0-9]+)?`)
	// clause is a reference to a clause of a standard ("§7.5.2"): words,
	// not a number, so it is neither a pattern's %s nor given a comma.
	clause = regexp.MustCompile(`§[0-9]+(?:\.[0-9]+)*`)
)

// Pattern replaces each number of s by %s (a literal % becomes %%) and
// returns the numbers in order; clause references ("§7.5.2") stay as
// written.
func Pattern(s string) (string, []string) {
	var spans [][]int
	clauses := clause.FindAllStringIndex(s, -1)
	for _, ix := range number.FindAllStringIndex(s, -1) {
		inClause := false
		for _, c := range clauses {
			inClause = inClause || ix[0] >= c[0] && ix[1] <= c[1]
		}
		if !inClause {
			spans = append(spans, ix)
		}
	}
	if len(spans) == 0 {
		return s, nil
	}
	var b strings.Builder
	nums := make([]string, len(spans))
	last := 0
	for i, ix := range spans {
		b.WriteString(strings.ReplaceAll(s[last:ix[0]], "%", "%%"))
		b.WriteString("%s")
		nums[i] = s[ix[0]:ix[1]]
		last = ix[1]
	}
	b.WriteString(strings.ReplaceAll(s[last:], "%", "%%"))
	return b.String(), nums
}

// Num formats v with prec decimals (-1: as few as needed): "38.81" in
// English, "38,81" in French.
func (p *Printer) Num(v float64, prec int) string {
	return p.Decimal(strconv.FormatFloat(v, 'f', prec, 64))
}

// Decimal rewrites an already formatted number (or a text holding numbers
// such as "38.81 h" or "0.42–0.88") with the language's decimal mark: a
// point between two digits becomes a comma in French.
func (p *Printer) Decimal(s string) string {
	if p.Lang != FR {
		return s
	}
	return FrenchDecimals(s)
}

// FrenchDecimals replaces each point that sits between two ASCII digits
// with a comma ("38.81 h" → "38,81 h"); other points (a code, "e.g.", a
// version "v1.2" is also digit.digit and changes, so callers pass only
// numbers and prose) are kept.
func FrenchDecimals(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	b := []byte(s)
	for i := 1; i+1 < len(b); i++ {
		if b[i] == '.' && isDigit(b[i-1]) && isDigit(b[i+1]) {
			b[i] = ','
		}
	}
	return string(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// DateTime formats t (in UTC, as pages always have): "2026-02-17 12:00" in
// English, "17/02/2026 12:00" in French.
func (p *Printer) DateTime(t time.Time) string {
	if p.Lang == FR {
		return t.UTC().Format("02/01/2006 15:04")
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// DateTimeSec is DateTime with seconds.
func (p *Printer) DateTimeSec(t time.Time) string {
	if p.Lang == FR {
		return t.UTC().Format("02/01/2006 15:04:05")
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// Date formats the day: "2026-02-17" or "17/02/2026".
func (p *Printer) Date(t time.Time) string {
	if p.Lang == FR {
		return t.UTC().Format("02/01/2006")
	}
	return t.UTC().Format("2006-01-02")
}

// ParseNumber reads a number typed in a form: a decimal comma is accepted
// beside the point ("38,81" = "38.81"), spaces (also no-break) are
// dropped. It returns the normalised text with a point.
func ParseNumber(s string) string {
	t := strings.TrimSpace(s)
	t = strings.NewReplacer("\u00a0", "", "\u202f", "").Replace(t)
	if strings.Count(t, ",") == 1 && !strings.Contains(t, ".") {
		t = strings.Replace(t, ",", ".", 1)
	}
	return t
}

type ctxKey struct{}

// NewContext carries p in ctx, for code that builds page text from a
// context only.
func NewContext(ctx context.Context, p *Printer) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext is the printer NewContext put in ctx, or nil.
func FromContext(ctx context.Context) *Printer {
	p, _ := ctx.Value(ctxKey{}).(*Printer)
	return p
}

// TOr translates with p, or formats the English when p is nil (API code
// paths, tests that build views directly).
func TOr(p *Printer, key string, args ...any) string {
	if p == nil {
		if len(args) == 0 {
			return key
		}
		return fmt.Sprintf(key, args...)
	}
	return p.T(key, args...)
}

// DateTimeIn formats t in loc with the zone's abbreviation, as a page
// shows a time in the lab's zone: "2026-02-17 13:00 CET" in English,
// "17/02/2026 13:00 CET" in French.
func (p *Printer) DateTimeIn(t time.Time, loc *time.Location) string {
	if p != nil && p.Lang == FR {
		return t.In(loc).Format("02/01/2006 15:04 MST")
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// DateTimeSecIn is DateTimeIn to the second, rounded (a stored
// 21:28:47.999999 is 21:28:48): "2026-02-17 13:00:05 CET" in English,
// "17/02/2026 13:00:05 CET" in French.
func (p *Printer) DateTimeSecIn(t time.Time, loc *time.Location) string {
	t = t.Round(time.Second).In(loc)
	if p != nil && p.Lang == FR {
		return t.Format("02/01/2006 15:04:05 MST")
	}
	return t.Format("2006-01-02 15:04:05 MST")
}

// Has reports whether key has a text in p's language (every key has one in
// English).
func (p *Printer) Has(key string) bool {
	return p == nil || p.Lang == EN || p.c.Has(key)
}

// Known reports whether Text finds a text in p's language for s: the key
// itself, its format with quoted values taken out (`no candidate "x"` by
// "no candidate %q"), or its pattern with the numbers taken out ("95 %
// interval" by "%s %% interval"). English knows everything.
func (p *Printer) Known(s string) bool {
	if p == nil || p.Lang == EN || p.c.Has(s) {
		return true
	}
	if _, ok := p.quoted(s); ok {
		return true
	}
	pat, nums := Pattern(s)
	return len(nums) > 0 && p.c.Has(pat)
}
