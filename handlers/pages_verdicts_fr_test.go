package handlers_test

import (
	"strings"
	"testing"

	"ruggedlab/internal/testdb"
)

// TestVerdictPagesInFrench: the matrix, the award, the import form and a
// bad /runs query word their reasons, hints and errors in French, while
// the English pages and every export keep the API's English.
func TestVerdictPagesInFrench(t *testing.T) {
	f, miss, _ := newI18nFixture(t, testdb.SQLite(t))
	fr := func(path string) string {
		t.Helper()
		_, body := f.get(t, path, "Cookie", "rl_lang=fr")
		if ks := miss.take(); len(ks) > 0 {
			t.Errorf("French %s asks for messages the catalogue lacks: %q", path, ks)
		}
		return body
	}
	matrix := "/profiles/" + f.profileID + "/matrix?version=1"
	for _, tc := range []struct {
		path      string
		want, not []string
	}{
		{matrix, []string{"contient la cible", "il faut plus d&#39;exemplaires", "exemplaires en échec", "non concluant"},
			[]string{"contains the target", "units tested", "did not pass", ">inconclusive<"}},
		{"/profiles/" + f.profileID + "/award", []string{"exigence obligatoire « ", "oui", "linéaire"},
			[]string{"mandatory requirement", "no value for criterion", ">higher<", "yes, flagged"}},
		{"/imports/new", []string{"Contenu du fichier", "— choisir —", "Vérification seule"}, []string{"What the file holds", "Dry run"}},
		{"/runs?handset=no-such", []string{"aucun candidat « no-such »"}, []string{"no candidate"}},
	} {
		body := fr(tc.path)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("French %s lacks %q", tc.path, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(body, w) {
				t.Errorf("French %s still says %q", tc.path, w)
			}
		}
	}
	// English pages and exports, whatever the reader's language, keep the
	// reasons as the API words them.
	_, en := f.get(t, matrix, "Cookie", "rl_lang=en")
	csv := fr("/profiles/" + f.profileID + "/matrix/export.csv?version=1")
	for name, body := range map[string]string{"English page": en, "French reader's CSV export": csv} {
		if !strings.Contains(body, "contains the target") || strings.Contains(body, "contient") {
			t.Errorf("%s of the matrix does not keep the English reasons", name)
		}
	}
}
