package charts

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ruggedlab/i18n"
)

// localizeFixtures are every builder's charts (everyBuilder) plus the
// variants pages draw with other words: KM over drops with more curves
// than bands shown, and repair dots in minutes.
func localizeFixtures(t *testing.T) map[string]Chart {
	t.Helper()
	out := everyBuilder(t)
	many := append([]KMCurve{}, kmFixture...)
	for _, l := range []string{"c1", "c2", "c3"} {
		many = append(many, KMCurve{Label: l, Steps: []KMStep{{T: 3, Surv: 0.5, Lower: 0.1, Upper: 0.9, Events: 1, N: 2}}})
	}
	c, err := KaplanMeier("km-drops", "2 m onto concrete", "drops", 0.9, many)
	if err != nil {
		t.Fatal(err)
	}
	out["km-drops"] = c
	c, err = UnitDots("repair-time", "rt", "Display: time", "min", []DotGroup{{Label: "atlas-r1", Values: []float64{4.5, 4.5, 6}}})
	if err != nil {
		t.Fatal(err)
	}
	out["unit-dots-min"] = c
	return out
}

// fixtureNames are the fixtures' user texts (candidates, criteria,
// channels, incident categories): names, never translated by Localize.
var fixtureNames = []string{"atlas-r1", "dune-p5", "borealis-x", "no units yet", "empty", "none", "c1", "c2", "c3",
	"price", "battery", "set-point", "air", "state of charge", "voltage", "current", "battery temperature"}

// chartWords are the strings of an option that a reader sees as words,
// as the 390 px sweep reads them (handlers/sweep_browser_test.go): notes,
// series and axis names, legend entries and each line of a formatter.
func chartWords(t *testing.T, opt json.RawMessage) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(opt, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(x any, key string, legend, inData bool)
	walk = func(x any, key string, legend, inData bool) {
		switch x := x.(type) {
		case string:
			switch {
			case key == "formatter":
				out = append(out, strings.Split(x, tooltipBreak)...)
			case !inData && (key == "subtext" || key == "name" || key == "data" && legend):
				out = append(out, x)
			}
		case []any:
			for _, it := range x {
				walk(it, key, legend, inData)
			}
		case map[string]any:
			for k, val := range x {
				walk(val, k, k == "legend" || legend && k == "data", inData || k == "data" && !legend)
			}
		}
	}
	walk(v, "", false, false)
	return out
}

// placeholder is what a formatter line holds besides words: ECharts'
// {a} {b} {c} {value}, numbers, units and punctuation.
var placeholder = regexp.MustCompile(`\{[a-z@]+\}|[0-9.,:;()/%=+–—−-]|\b(h|min|V|mA|°C)\b`)

// isName is a fixture's name, or an empty slot named after one
// ("no units yet (no data)", its text given by the page).
func isName(s string) bool {
	for _, n := range fixtureNames {
		if s == n || strings.HasPrefix(s, n+" (") || strings.HasPrefix(s, n+"\n(") {
			return true
		}
	}
	return false
}

// TestChartWordsHaveFrench checks that every word a chart draws has a
// French text in the catalogue (exactly or as a pattern with its
// numbers), so a French page's charts show no English (issue #15 item 2).
func TestChartWordsHaveFrench(t *testing.T) {
	fr := i18n.MustLoad().Printer(i18n.FR)
	for name, c := range localizeFixtures(t) {
		for _, w := range chartWords(t, c.Option) {
			if strings.TrimSpace(placeholder.ReplaceAllString(w, "")) == "" || isName(w) {
				continue
			}
			if !fr.Known(w) {
				p, _ := i18n.Pattern(w)
				t.Errorf("%s: %q has no French text (catalogue key %q)", name, w, p)
			}
		}
	}
}

// TestLocalize checks what French charts say: their own words in French
// with decimal commas, candidate names and English pages unchanged, and
// legend entries still naming their series.
func TestLocalize(t *testing.T) {
	cat := i18n.MustLoad()
	cat.OnMissing = func(k string) { t.Errorf("a chart word looked up without a French text: %q", k) }
	fr, en := cat.Printer(i18n.FR), cat.Printer(i18n.EN)
	charts := localizeFixtures(t)
	for _, tt := range []struct {
		chart      string
		want, keep []string // strings of the option, or parts of one
	}{
		{"pass-rate", []string{"Taux de réussite", "intervalle à 95 % (Wilson)", "{b}<br/>2/4 réussis (50,0 %)<br/>intervalle de Wilson à 95 % : 15,0–85,0 %", "aucune donnée"},
			[]string{"atlas-r1", "empty"}},
		{"km", []string{"chutes", "intacts", "{a}<br/>120 chutes : 80,0 % (bande 40,0–95,0 %)<br/>à risque 5, événements 1, censurés 0",
			"{a}<br/>4 exemplaires censurés à 300 chutes", "{a}<br/>0 chutes : 100 %", "Zone ombrée : bande log-log à 95 %"}, []string{"atlas-r1", "no units yet (no data)"}},
		{"km-drops", []string{"Pointez un candidat", "{a}<br/>3 chutes : 50,0 % (bande 10,0–90,0 %)", "bande log-log à 90 %"}, []string{"c3"}},
		{"battery-runtime", []string{"{b}<br/>moyenne de l'exemplaire 38,20 h", "{b}<br/>n = 2 exemplaires, moyenne 38,65 h<br/>intervalle t à 95 % : 33,00–44,00 h",
			"Exemplaire (moyenne de ses essais)", "Moyenne des exemplaires", "autonomie (h)"}, nil},
		{"unit-dots", []string{"{b}<br/>1 exemplaire : 9 étapes", "étapes", "Points : exemplaires"}, nil},
		{"unit-dots-min", []string{"{b}<br/>2 exemplaires : 4,5 min", "{b}<br/>1 exemplaire : 6 min"}, nil},
		{"rank-acceptability", []string{"Rang 1", "{b}<br/>Rang 2 : 40,0 % des tirages", "60,0 %", "Part des tirages"}, nil},
		{"weight-stability", []string{"Le gagnant reste premier", "{b}<br/>poids publié 40,0 %",
			"{b}<br/>le gagnant reste premier pour un poids de 0,0 à 50,0 %<br/>poids publié 40,0 %"}, []string{"price"}},
		{"incidents", []string{"pour 1 000 jours-terminal", "{b}<br/>{a} : {c} / 1 000 jours-terminal", "Incidents pour 1 000 jours-terminal"}, nil},
		{"discharge", []string{"temps (h)", "état de charge (%)"}, []string{"dune-p5"}},
	} {
		c, ok := charts[tt.chart]
		if !ok {
			t.Fatalf("no fixture %s", tt.chart)
		}
		got, err := Localize(c, fr)
		if err != nil {
			t.Fatal(err)
		}
		strs := optionStrings(t, got.Option)
		for _, w := range append(tt.want, tt.keep...) {
			if !slices.ContainsFunc(strs, func(s string) bool { return strings.Contains(s, w) }) {
				t.Errorf("%s: no %q in %q", tt.chart, w, strs)
			}
		}
		legendNamesSeries(t, tt.chart, got.Option)

		same, err := Localize(c, en)
		if err != nil {
			t.Fatal(err)
		}
		if !jsonEqual(t, same.Option, c.Option) || same.Title != c.Title {
			t.Errorf("%s: English changed by Localize", tt.chart)
		}
	}
}

// optionStrings are every string of an option, decoded.
func optionStrings(t *testing.T, opt json.RawMessage) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(opt, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(x any)
	walk = func(x any) {
		switch x := x.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, it := range x {
				walk(it)
			}
		case map[string]any:
			for _, it := range x {
				walk(it)
			}
		}
	}
	walk(v)
	return out
}

// legendNamesSeries checks every legend entry of opt still names a series.
func legendNamesSeries(t *testing.T, name string, opt json.RawMessage) {
	t.Helper()
	var o struct {
		Legend struct {
			Data []json.RawMessage `json:"data"`
		} `json:"legend"`
		Series []struct {
			Name string `json:"name"`
		} `json:"series"`
	}
	if err := json.Unmarshal(opt, &o); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range o.Series {
		names[s.Name] = true
	}
	for _, d := range o.Legend.Data {
		var entry string
		if json.Unmarshal(d, &entry) != nil {
			var item struct{ Name string }
			_ = json.Unmarshal(d, &item)
			entry = item.Name
		}
		if !names[entry] {
			t.Errorf("%s: legend entry %q names no series once translated", name, entry)
		}
	}
}

func jsonEqual(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		t.Fatal("invalid JSON")
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}
