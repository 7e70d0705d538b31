package i18n

import (
	"testing"
	"time"
)

func TestChoose(t *testing.T) {
	c := MustLoad()
	for _, tt := range []struct {
		query, cookie string
		hasCookie     bool
		accept        string
		want          Lang
		remember      bool
	}{
		{"", "", false, "", EN, false},
		{"", "", false, "fr-FR,fr;q=0.9", FR, false},
		{"", "", false, "de-DE,fr;q=0.5", FR, false},
		{"", "", false, "de-DE", EN, false},
		{"", "fr", true, "en", FR, false},
		{"", "<script>", true, "fr", EN, false}, // garbage cookie → English
		{"fr", "en", true, "", FR, true},
		{"xx", "fr", true, "", FR, false},
	} {
		l, rem := c.Choose(tt.query, tt.cookie, tt.hasCookie, tt.accept)
		if l != tt.want || rem != tt.remember {
			t.Errorf("Choose(%q, %q, %v, %q) = %s, %v; want %s, %v", tt.query, tt.cookie, tt.hasCookie, tt.accept, l, rem, tt.want, tt.remember)
		}
	}
}

func TestFormats(t *testing.T) {
	fr, en := MustLoad().Printer(FR), MustLoad().Printer(EN)
	at := time.Date(2026, 2, 17, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ got, want string }{
		{fr.Num(38.814, 2) + " h", "38,81 h"},
		{en.Num(38.814, 2) + " h", "38.81 h"},
		{fr.DateTime(at), "17/02/2026 12:00"},
		{en.DateTime(at), "2026-02-17 12:00"},
		{fr.Decimal("[0.42, 0.88] IP68 v1"), "[0,42, 0,88] IP68 v1"},
		{ParseNumber(" 38,81 "), "38.81"},
		{ParseNumber("1\u202f234,5"), "1234.5"},
		{ParseNumber("38.81"), "38.81"},
		{ParseNumber("1,2,3"), "1,2,3"}, // not a number: the form says so
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestPatternTranslation(t *testing.T) {
	fr := MustLoad().Printer(FR)
	if got, want := fr.T("2.5 m onto concrete, 26 drops planned"), "2,5 m sur béton, 26 chutes prévues"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// A clause of a standard is words, not a decimal number.
	if got, want := fr.Text("Revisions (ISO/IEC 17025 §7.5.2: nothing is edited in place)"),
		"Révisions (ISO/IEC 17025 §7.5.2 : rien n'est modifié sur place)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if pat, nums := Pattern("§7.5.2 and 3.5 m"); pat != "§7.5.2 and %s m" || len(nums) != 1 || nums[0] != "3.5" {
		t.Errorf("Pattern = %q %q", pat, nums)
	}
	var missed []string
	c := MustLoad()
	c.OnMissing = func(k string) { missed = append(missed, k) }
	c.Printer(FR).T("3 gremlins ate the phone")
	if len(missed) != 1 || missed[0] != "%s gremlins ate the phone" {
		t.Errorf("missing = %q", missed)
	}
}

// TestCatalogue checks every French text takes the same printf verbs as
// its English key, so no value is lost or garbled. A string quoted with
// %q in English may be « %s » in French: both print the one string.
func TestCatalogue(t *testing.T) {
	c := MustLoad()
	for _, k := range c.Keys() {
		if verbs(k) != verbs(c.French(k)) {
			t.Errorf("%q → %q: verbs differ", k, c.French(k))
		}
	}
}

func verbs(s string) string {
	out := ""
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' {
			v := s[i+1]
			if v == 'q' {
				v = 's'
			}
			out += string(v)
			i++
		}
	}
	return out
}

// TestQuoted: a message quoting what was typed (`no candidate "no-such"`)
// is found under its %q format, the value shown in guillemets.
func TestQuoted(t *testing.T) {
	fr := MustLoad().Printer(FR)
	s := `no candidate "no-such"`
	if got, want := fr.Text(s), "aucun candidat « no-such »"; got != want || !fr.Known(s) {
		t.Errorf("Text(%q) = %q (known %v), want %q", s, got, fr.Known(s), want)
	}
	if fr.Known(`no such thing "x"`) {
		t.Error("a quoted message the catalogue lacks is known")
	}
}
