package handlers

import (
	"cmp"
	"context"
	"crypto/sha256"
	"slices"
	"strconv"
	"strings"
	"time"

	"ruggedlab/i18n"
	"ruggedlab/models"
	"ruggedlab/store"
)

// cast names the candidates on one page: by code and name, or, in blind
// mode (api.md §8), as "Candidate A", "Candidate B", … with no code, name,
// manufacturer or serial anywhere — in the text, the charts, the exports or
// the URLs.
//
// Letters are given over every handset of the deployment, not over those a
// page shows, so "Candidate B" is the same candidate on every page and in
// every permalink. The order is that of sha256(handset id): fixed for a
// deployment (ids never change), yet it reveals neither the alphabetical
// order of codes nor the order candidates were registered in, either of
// which an evaluator who knows the bidders could decode.
type cast struct {
	blind   bool
	all     []models.Handset // in letter order when blind, by code otherwise
	byCode  map[string]int   // code → index in all
	byLabel map[string]int   // letter ("A", "AB") → index in all
	letters map[string]string
	// units maps handset code → serial → 1-based position in serial order,
	// for blind unit labels; filled by loadUnits.
	units map[string]map[string]int
	// secrets are replaced in free text (notes, methods, reasons) in blind
	// mode, longest first so that "Atlas R1" goes before "Atlas".
	secrets []secret
	// tr is the page's language (nil: English, as the API speaks).
	tr *i18n.Printer
	// zone is the lab's time zone for the times a page shows (when); nil
	// shows UTC.
	zone *time.Location
}

type secret struct{ text, label string }

// newCast reads every handset; blind chooses the labels.
func newCast(ctx context.Context, st *store.Store, blind bool) (*cast, error) {
	hs, err := st.AllHandsets(ctx)
	if err != nil {
		return nil, err
	}
	c := castOf(hs, blind)
	c.tr = i18n.FromContext(ctx)
	return c, nil
}

// T translates page text into the request's language (English without
// one: the API's blind mask builds a cast too, and never translates).
func (c *cast) T(key string, args ...any) string { return i18n.TOr(c.tr, key, args...) }

// Word translates a word or text with no arguments (a state, a kind).
func (c *cast) Word(key string) string {
	if c.tr == nil {
		return key
	}
	return c.tr.Text(key)
}

// dec gives numbers in s the request's decimal mark.
func (c *cast) dec(s string) string {
	if c.tr == nil {
		return s
	}
	return c.tr.Decimal(s)
}

// castOf names the handsets hs, which must be every handset of the
// deployment in code order (as Store.AllHandsets returns them).
func castOf(hs []models.Handset, blind bool) *cast {
	c := &cast{blind: blind, byCode: map[string]int{}, byLabel: map[string]int{}, letters: map[string]string{}, units: map[string]map[string]int{}}
	blindOrder := slices.Clone(hs)
	slices.SortStableFunc(blindOrder, func(a, b models.Handset) int {
		ha, hb := sha256.Sum256([]byte(a.ID)), sha256.Sum256([]byte(b.ID))
		return cmp.Or(slices.Compare(ha[:], hb[:]), cmp.Compare(a.ID, b.ID))
	})
	for i, h := range blindOrder {
		c.letters[h.Code] = letters(i)
	}
	c.all = hs // AllHandsets orders by code
	if blind {
		c.all = blindOrder
	}
	for i, h := range c.all {
		c.byCode[h.Code] = i
		c.byLabel[c.letters[h.Code]] = i
		label := c.Label(h.Code)
		for _, s := range []string{h.Code, h.Name, h.Manufacturer} {
			if strings.TrimSpace(s) != "" {
				c.secrets = append(c.secrets, secret{s, label})
			}
		}
	}
	c.sortSecrets()
	return c
}

func (c *cast) sortSecrets() {
	slices.SortStableFunc(c.secrets, func(a, b secret) int { return cmp.Compare(len(b.text), len(a.text)) })
}

// letters is the spreadsheet-column name of i: A … Z, AA, AB, …
func letters(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// asBlind is c as a blind page would name candidates, for links that switch
// a page to blind mode.
func (c *cast) asBlind() *cast {
	b := *c
	b.blind = true
	return &b
}

// Label is how the page names a candidate: what the committee calls it
// with the code the lab files it under — "Atlas R1 (atlas-r1)", or the
// code alone when the handset has no other name — or "Candidate A".
func (c *cast) Label(code string) string {
	if c.blind {
		return "Candidate " + c.letters[code]
	}
	if i, ok := c.byCode[code]; ok {
		if name := strings.TrimSpace(c.all[i].Name); name != "" && name != code {
			return name + " (" + code + ")"
		}
	}
	return code
}

// Key is how exports name a candidate: its code, as the API does (the
// names are for people), or "Candidate A" when blind.
func (c *cast) Key(code string) string {
	if c.blind {
		return c.Label(code)
	}
	return code
}

// Ref is how a URL names a candidate: its code, or its letter. A letter is
// upper case and a code lower case, so the two never collide.
func (c *cast) Ref(code string) string {
	if c.blind {
		return c.letters[code]
	}
	return code
}

// Handsets returns the candidates in page order.
func (c *cast) Handsets() []models.Handset { return c.all }

// Codes returns every candidate's code in page order.
func (c *cast) Codes() []string {
	out := make([]string, len(c.all))
	for i, h := range c.all {
		out[i] = h.Code
	}
	return out
}

// Index is a candidate's position in page order (its colour), -1 if unknown.
func (c *cast) Index(code string) int {
	if i, ok := c.byCode[code]; ok {
		return i
	}
	return -1
}

// resolve turns a URL token (a code or a letter) into a code. isCode says
// the token was a real code, which a blind URL must not carry.
func (c *cast) resolve(token string) (code string, isCode, ok bool) {
	if i, found := c.byCode[token]; found {
		return c.all[i].Code, true, true
	}
	if i, found := c.byLabel[strings.ToUpper(strings.TrimPrefix(token, "Candidate "))]; found {
		return c.all[i].Code, false, true
	}
	return "", false, false
}

// selection reads a comma-separated handsets parameter into codes in page
// order; empty means every candidate. It reports tokens that name no
// candidate, and whether any token was a real code.
func (c *cast) selection(param string) (codes []string, unknown []string, hadCode bool) {
	want := map[string]bool{}
	for _, tok := range strings.Split(param, ",") {
		if tok = strings.TrimSpace(tok); tok == "" {
			continue
		}
		code, isCode, ok := c.resolve(tok)
		if !ok {
			unknown = append(unknown, tok)
			continue
		}
		hadCode = hadCode || isCode
		want[code] = true
	}
	for _, h := range c.all {
		if len(want) == 0 || want[h.Code] {
			codes = append(codes, h.Code)
		}
	}
	return codes, unknown, hadCode
}

// refs joins the URL tokens of codes for a handsets parameter. Blind
// letters are sorted (A, B, …, Z, AA): listed in any other order, such as
// that of the codes, they would hint at which letter is which code.
func (c *cast) refs(codes []string) string {
	out := make([]string, len(codes))
	for i, code := range codes {
		out[i] = c.Ref(code)
	}
	if c.blind {
		slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b)) })
	}
	return strings.Join(out, ",")
}

// loadUnits reads the units of the given handsets so that Unit can label
// them in blind mode; without blind mode it does nothing.
func (c *cast) loadUnits(ctx context.Context, st *store.Store, codes []string) error {
	if !c.blind {
		return nil
	}
	var missing []string
	for _, code := range codes {
		if _, done := c.units[code]; !done {
			missing = append(missing, code)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	unitsOf, err := st.UnitsOf(ctx, missing)
	if err != nil {
		return err
	}
	for _, code := range missing {
		c.setUnits(code, unitsOf[code])
	}
	return nil
}

// setUnits records a handset's units (as Store.Units lists them, by serial)
// for blind unit labels and for scrubbing serials out of free text.
func (c *cast) setUnits(code string, us []models.Unit) {
	if !c.blind {
		return
	}
	m := map[string]int{}
	for i, u := range us {
		m[u.Serial] = i + 1
	}
	c.units[code] = m
	label := c.Label(code)
	for _, u := range us {
		c.secrets = append(c.secrets, secret{u.Serial, label + " unit " + strconv.Itoa(m[u.Serial])})
	}
	c.sortSecrets()
}

// Unit is how the page names a unit: its serial, or "unit 3" (its place in
// serial order within its candidate) — serials such as ATL-0001 carry the
// maker's prefix. A unit loadUnits did not see is "unit ?".
func (c *cast) Unit(code, serial string) string {
	if !c.blind {
		return serial
	}
	if n, ok := c.units[code][serial]; ok {
		return "unit " + strconv.Itoa(n)
	}
	return "unit ?"
}

// Text is free text as the page may show it: unchanged, or in blind mode
// with every code, name, manufacturer and loaded serial replaced by its
// label (case-insensitively), since technicians' notes and methods may
// name the product.
func (c *cast) Text(s string) string {
	if !c.blind || s == "" {
		return s
	}
	for _, sec := range c.secrets {
		s = replaceFold(s, sec.text, sec.label)
	}
	return s
}

// replaceFold replaces every case-insensitive occurrence of old in s.
func replaceFold(s, old, repl string) string {
	if old == "" {
		return s
	}
	lower, lold := strings.ToLower(s), strings.ToLower(old)
	// ToLower can change byte lengths (e.g. "İ"); fall back to exact
	// matching rather than cut runes in half.
	if len(lower) != len(s) || len(lold) != len(old) {
		return strings.ReplaceAll(s, old, repl)
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, lold)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}
