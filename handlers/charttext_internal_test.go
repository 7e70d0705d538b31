package handlers

import (
	"encoding/json"
	"strings"
	"testing"

	"ruggedlab/charts"
	"ruggedlab/i18n"
)

// French chart pages get the charts' own words in French, legend entries
// still naming their series; candidate names and data stay as they are.
func TestChartWordsInFrench(t *testing.T) {
	cat := i18n.MustLoad()
	cat.OnMissing = func(k string) { t.Errorf("a chart word looked up without a French text: %q", k) }
	fr := cat.Printer(i18n.FR)
	pr, err := charts.PassRate("pr", "x", 0.95, []charts.PassRateBar{
		{Label: "Atlas R1 (atlas-r1)", Color: charts.Color(0), Passed: 4, N: 5, Estimate: 0.8, Lower: 0.38, Upper: 0.96},
		{Label: "air", Passed: 1, N: 1, Estimate: 1, Lower: 0.2, Upper: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	km, err := charts.KaplanMeier("km", "x", "drops", 0.95, []charts.KMCurve{
		{Label: "a", Steps: []charts.KMStep{{T: 3, Surv: 0.5, Lower: 0.1, Upper: 0.9, Events: 1, N: 2}}},
		{Label: "b", Steps: []charts.KMStep{{T: 3, Surv: 0.5, Lower: 0.1, Upper: 0.9, Events: 1, N: 2}}},
		{Label: "c", Steps: []charts.KMStep{{T: 3, Surv: 0.5, Lower: 0.1, Upper: 0.9, Events: 1, N: 2}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		chart charts.Chart
		want  []string
		keep  []string
	}{
		{pr, []string{`"Taux de réussite"`, `"intervalle à 95 % (Wilson)"`}, []string{`"Atlas R1 (atlas-r1)"`, `"air"`}},
		{km, []string{`"Pointez un candidat`, `"chutes"`, `"intacts"`}, []string{`"name":"a"`}},
	} {
		opt, err := translateOption(fr, tt.chart.Option)
		if err != nil {
			t.Fatal(err)
		}
		text := string(opt)
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no %s in\n%.600s", tt.chart.Name, w, text)
			}
		}
		for _, w := range tt.keep {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %s changed", tt.chart.Name, w)
			}
		}
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
			var name string
			if json.Unmarshal(d, &name) != nil {
				var item struct{ Name string }
				_ = json.Unmarshal(d, &item)
				name = item.Name
			}
			if !names[name] {
				t.Errorf("%s: legend entry %q names no series once translated", tt.chart.Name, name)
			}
		}
	}
}
