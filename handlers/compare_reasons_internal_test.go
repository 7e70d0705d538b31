package handlers

import (
	"testing"

	"ruggedlab/i18n"
)

// The compare page's "Why –" reasons quote candidates; French pages word
// them through their formats, English pages show the verdict's text as is.
func TestReasonIn(t *testing.T) {
	cat := i18n.MustLoad()
	cat.OnMissing = func(k string) { t.Errorf("a reason looked up without a French text: %q", k) }
	fr, en := cat.Printer(i18n.FR), cat.Printer(i18n.EN)
	for _, tt := range []struct{ reason, want string }{
		{"atlas-r1 has no units: Fisher's test needs units on both sides",
			"atlas-r1 n'a pas d'exemplaires : le test de Fisher demande des exemplaires des deux côtés"},
		{"neither Candidate A nor Candidate B has units: the log-rank test needs units on both sides",
			"ni Candidate A ni Candidate B n'a d'exemplaires : le test du log-rank demande des exemplaires des deux côtés"},
		{"dune-p5 has no units: a difference of means needs units on both sides",
			"dune-p5 n'a pas d'exemplaires : une différence de moyennes demande des exemplaires des deux côtés"},
		{"atlas-r1 and dune-p5 have 1 unit each: Welch's test needs at least 2 units on each side to estimate their spread",
			"atlas-r1 et dune-p5 n'ont qu'un exemplaire chacun : le test de Welch demande au moins 2 exemplaires de chaque côté pour estimer leur dispersion"},
		{"atlas-r1 has 1 unit: Welch's test needs at least 2 units on each side to estimate their spread",
			"atlas-r1 n'a qu'un exemplaire : le test de Welch demande au moins 2 exemplaires de chaque côté pour estimer leur dispersion"},
		{"the unit means of a-1 and of b-2 do not vary: Welch's test has no standard error",
			"les moyennes par exemplaire de a-1 et de b-2 ne varient pas : le test de Welch n'a pas d'erreur type"},
		{"fewer than 2 of the 3 candidates have units: the log-rank test needs 2",
			"moins de 2 des 3 candidats ont des exemplaires : le test du log-rank en demande 2"},
		{"the 4 unit means are all equal: with no spread a t interval cannot be computed",
			"les 4 moyennes par exemplaire sont toutes égales : sans dispersion, pas d'intervalle t"},
	} {
		if got := reasonIn(fr, tt.reason); got != tt.want {
			t.Errorf("French of %q:\n got %q\nwant %q", tt.reason, got, tt.want)
		}
		if got := reasonIn(en, tt.reason); got != tt.reason {
			t.Errorf("English of %q changed: %q", tt.reason, got)
		}
	}
	if got := reasonIn(fr, "a reason no one wrote down"); got != "a reason no one wrote down" {
		t.Errorf("an unknown reason: %q", got)
	}
}
