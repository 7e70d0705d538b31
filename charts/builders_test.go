package charts

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func decodeOption(t *testing.T, c Chart) map[string]any {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(c.Option, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

var kmFixture = []KMCurve{
	{Label: "atlas-r1", Steps: []KMStep{
		{T: 120, Surv: 0.8, Lower: 0.4, Upper: 0.95, Events: 1, N: 5},
		{T: 300, Surv: 0.8, Lower: 0.4, Upper: 0.95, Censored: 4, N: 4},
	}},
	{Label: "borealis-x", Steps: []KMStep{
		{T: 40, Surv: 0.5, Lower: 0.1, Upper: 0.8, Events: 1, N: 2},
		{T: 90, Surv: 0, Lower: 0, Upper: 0, Events: 1, N: 1},
	}},
	{Label: "no units yet"},
}

func TestKaplanMeierOption(t *testing.T) {
	c, err := KaplanMeier("km-1", "Tumbler 1 m", "falls", 0.95, kmFixture)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "km" || c.ID != "km-1" {
		t.Fatalf("chart %+v", c)
	}
	m := decodeOption(t, c)
	// atlas: band base, band width, curve, censor marks; borealis: three
	// (no censoring); the empty curve one placeholder.
	if n := len(dig(t, m, "series").([]any)); n != 4+3+1 {
		t.Fatalf("%d series, want 8", n)
	}
	for _, tt := range []struct {
		path []any
		want any
	}{
		{[]any{"animation"}, false},
		{[]any{"legend", "data", 2}, "no units yet (no data)"},
		{[]any{"yAxis", 0, "max"}, 100.0},
		{[]any{"xAxis", 0, "name"}, "falls"},
		// band: lower bound then width, stacked and stepped like the curve
		{[]any{"series", 0, "stack"}, "km-band-0"},
		{[]any{"series", 0, "step"}, "end"},
		{[]any{"series", 0, "data", 1, 0}, 40.0}, // [value, t]: see bandEncode
		{[]any{"series", 0, "data", 1, 1}, 120.0},
		{[]any{"series", 0, "encode", "x"}, 1.0},
		{[]any{"series", 0, "encode", "y"}, 0.0},
		{[]any{"series", 1, "stack"}, "km-band-0"},
		{[]any{"series", 1, "data", 1, 0}, 55.0},
		{[]any{"series", 1, "areaStyle", "color"}, Color(0)},
		// curve starts at (0, 100 %), then one corner per step
		{[]any{"series", 2, "data", 0, "value", 0}, 0.0},
		{[]any{"series", 2, "data", 0, "value", 1}, 100.0},
		{[]any{"series", 2, "data", 1, "value", 0}, 120.0},
		{[]any{"series", 2, "data", 1, "value", 1}, 80.0},
		{[]any{"series", 2, "name"}, "atlas-r1"},
		// censor marks only where units were censored
		{[]any{"series", 3, "type"}, "scatter"},
		{[]any{"series", 3, "data", 0, "value", 0}, 300.0},
		{[]any{"series", 3, "symbol"}, censorSymbol},
		{[]any{"series", 6, "data", 2, "value", 1}, 0.0},
		{[]any{"series", 4, "lineStyle", "opacity"}, 0.0},
	} {
		if got := dig(t, m, tt.path...); got != tt.want {
			t.Errorf("option %v = %#v, want %#v", tt.path, got, tt.want)
		}
	}
	tip := dig(t, m, "series", 2, "data", 1, "tooltip", "formatter").(string)
	if tip != "{a}<br/>120 falls: 80.0 % (band 40.0–95.0 %)<br/>at risk 5, events 1, censored 0" {
		t.Errorf("tooltip %q", tip)
	}
}

func TestKaplanMeierErrors(t *testing.T) {
	step := KMStep{T: 10, Surv: 0.5, Lower: 0.2, Upper: 0.8}
	with := func(f func(*KMStep)) []KMCurve {
		s := step
		f(&s)
		return []KMCurve{{Label: "a", Steps: []KMStep{s}}}
	}
	for _, tt := range []struct {
		name, xName string
		curves      []KMCurve
		want        string
	}{
		{"no curves", "drops", nil, "no data"},
		{"NaN surv", "drops", with(func(s *KMStep) { s.Surv = math.NaN() }), "non-finite"},
		{"Inf time", "drops", with(func(s *KMStep) { s.T = math.Inf(1) }), "non-finite"},
		{"negative time", "drops", with(func(s *KMStep) { s.T = -1 }), "not after"},
		{"lower above surv", "drops", with(func(s *KMStep) { s.Lower = 0.6 }), "lower ≤ surv"},
		{"upper above 1", "drops", with(func(s *KMStep) { s.Upper = 1.5 }), "upper ≤ 1"},
		{"repeated time", "drops", []KMCurve{{Label: "a", Steps: []KMStep{step, step}}}, "not after"},
		{"blank label", "drops", []KMCurve{{Label: " "}}, "empty label"},
		{"repeated label", "drops", []KMCurve{{Label: "a"}, {Label: "a"}}, "repeated"},
		{"template in axis name", "{a}", []KMCurve{{Label: "a"}}, "brace"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := KaplanMeier("km", "t", tt.xName, 0.95, tt.curves)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestBatteryRuntimeOption(t *testing.T) {
	c, err := BatteryRuntime("rt", "EU loop", 0.95, []RuntimeGroup{
		{Label: "atlas-r1", UnitMeans: []float64{38.2, 36.9, 39.4}, Mean: 38.1666, HasCI: true, Lower: 35.0, Upper: 41.3},
		{Label: "solo", UnitMeans: []float64{30}, Mean: 30},
		{Label: "none"},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := decodeOption(t, c)
	for _, tt := range []struct {
		path []any
		want any
	}{
		{[]any{"series", 0, "type"}, "boxplot"},
		{[]any{"series", 0, "data", 0, "value", 0}, 35.0},
		{[]any{"series", 0, "data", 0, "value", 2}, 38.17},
		{[]any{"series", 0, "data", 1, "value", 0}, "-"}, // one unit: no whisker
		{[]any{"series", 0, "data", 2, "value", 4}, "-"},
		{[]any{"series", 1, "type"}, "scatter"},
		// dots sorted within a candidate, category index as x
		{[]any{"series", 1, "data", 0, "value", 0}, 0.0},
		{[]any{"series", 1, "data", 0, "value", 1}, 36.9},
		{[]any{"series", 1, "data", 2, "value", 1}, 39.4},
		{[]any{"series", 1, "data", 3, "value", 0}, 1.0},
		{[]any{"series", 1, "data", 0, "name"}, "atlas-r1"},
		{[]any{"series", 1, "data", 0, "itemStyle", "color"}, Color(0)},
		{[]any{"series", 1, "data", 3, "itemStyle", "color"}, Color(1)},
		{[]any{"series", 2, "data", 1, "value", 1}, 30.0},
		{[]any{"xAxis", 0, "data", 2}, "none\n(no data)"},
		{[]any{"yAxis", 0, "scale"}, true},
	} {
		if got := dig(t, m, tt.path...); got != tt.want {
			t.Errorf("option %v = %#v, want %#v", tt.path, got, tt.want)
		}
	}
	if n := len(dig(t, m, "series", 1, "data").([]any)); n != 4 {
		t.Errorf("%d dots, want 4 (every unit)", n)
	}
	if tip := dig(t, m, "series", 2, "data", 1, "tooltip", "formatter").(string); !strings.Contains(tip, "no interval") {
		t.Errorf("single-unit tooltip %q does not say why there is no interval", tip)
	}

	for _, tt := range []struct {
		name   string
		groups []RuntimeGroup
		want   string
	}{
		{"none", nil, "no data"},
		{"NaN unit", []RuntimeGroup{{Label: "a", UnitMeans: []float64{math.NaN()}}}, "not a number"},
		{"negative", []RuntimeGroup{{Label: "a", UnitMeans: []float64{-1}}}, "not a number"},
		{"mean outside CI", []RuntimeGroup{{Label: "a", UnitMeans: []float64{1, 2}, Mean: 5, HasCI: true, Lower: 0, Upper: 3}}, "lower ≤ mean"},
		{"repeated", []RuntimeGroup{{Label: "a"}, {Label: "a"}}, "repeated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BatteryRuntime("rt", "t", 0.95, tt.groups)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestTimeCharts(t *testing.T) {
	curves := []Curve{
		{Group: 0, X: []float64{0, 1.23456789, 30}, Y: []float64{100, 97.123456, 0}},
		{Group: 1, X: []float64{0, 20}, Y: []float64{100, 0}},
		{Group: 0, X: []float64{0, 35}, Y: []float64{100, 0}},
	}
	c, err := Discharge("dis", "EU loop", []string{"atlas-r1", "borealis-x"}, curves)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "discharge" {
		t.Errorf("name %q", c.Name)
	}
	m := decodeOption(t, c)
	for _, tt := range []struct {
		path []any
		want any
	}{
		{[]any{"series", 0, "name"}, "atlas-r1"},
		{[]any{"series", 2, "name"}, "atlas-r1"}, // same candidate, same legend entry
		{[]any{"series", 2, "color"}, Color(0)},
		{[]any{"series", 1, "color"}, Color(1)},
		{[]any{"series", 0, "data", 1, 0}, 1.2346}, // rounded: bytes matter at 80,000 points
		{[]any{"series", 0, "data", 1, 1}, 97.12},
		{[]any{"yAxis", 0, "max"}, 100.0},
		{[]any{"legend", "data", 1}, "borealis-x"},
	} {
		if got := dig(t, m, tt.path...); got != tt.want {
			t.Errorf("option %v = %#v, want %#v", tt.path, got, tt.want)
		}
	}
	// Compact: [x,y] arrays, not go-echarts' {"value":[x,y]} objects.
	if strings.Contains(string(c.Option), `{"value":`) {
		t.Errorf("curve points are objects: %s", c.Option)
	}

	ch, err := Chamber("ch", "cold", []string{"set-point", "air"}, []bool{true, false}, curves[:1])
	if err != nil {
		t.Fatal(err)
	}
	cm := decodeOption(t, ch)
	if ch.Name != "chamber" || dig(t, cm, "series", 0, "lineStyle", "type") != "dashed" || dig(t, cm, "yAxis", 0, "scale") != true {
		t.Errorf("chamber option: %s", ch.Option)
	}

	for _, tt := range []struct {
		name   string
		groups []string
		curves []Curve
		want   error
		msg    string
	}{
		{"no curves", []string{"a"}, nil, ErrNoData, ""},
		{"no points", []string{"a"}, []Curve{{}}, ErrNoData, ""},
		{"bad group", []string{"a"}, []Curve{{Group: 1, X: []float64{0}, Y: []float64{1}}}, nil, "group 1 of 1"},
		{"mismatch", []string{"a"}, []Curve{{X: []float64{0, 1}, Y: []float64{1}}}, nil, "2 x values"},
		{"NaN", []string{"a"}, []Curve{{X: []float64{0}, Y: []float64{math.NaN()}}}, nil, "non-finite"},
		{"repeated group", []string{"a", "a"}, []Curve{{X: []float64{0}, Y: []float64{1}}}, nil, "repeated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Discharge("d", "t", tt.groups, tt.curves)
			switch {
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("err = %v, want %v", err, tt.want)
			case tt.want == nil && (err == nil || !strings.Contains(err.Error(), tt.msg)):
				t.Fatalf("err = %v, want %q", err, tt.msg)
			}
		})
	}
}

// Candidate names reach the new builders as legend entries, series names
// and item names; the rendered HTML must keep them inert.
func TestNewBuildersEscapeLabels(t *testing.T) {
	build := map[string]func(label string) (Chart, error){
		"km": func(l string) (Chart, error) {
			return KaplanMeier("km", l, "drops", 0.95, []KMCurve{{Label: l, Steps: []KMStep{{T: 3, Surv: 1, Lower: 1, Upper: 1, Censored: 1, N: 1}}}})
		},
		"battery-runtime": func(l string) (Chart, error) {
			return BatteryRuntime("rt", l, 0.95, []RuntimeGroup{{Label: l, UnitMeans: []float64{3, 4}, Mean: 3.5, HasCI: true, Lower: 1, Upper: 6}})
		},
		"discharge": func(l string) (Chart, error) {
			return Discharge("d", l, []string{l}, []Curve{{X: []float64{0, 1}, Y: []float64{100, 0}}})
		},
	}
	for name, f := range build {
		for _, payload := range []string{payloadScript, payloadMarker} {
			c, err := f(payload)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			h, err := c.HTML()
			if err != nil {
				t.Fatal(err)
			}
			html := string(h)
			if strings.Count(html, "</script") != 1 || strings.Contains(html, "<script>alert") {
				t.Errorf("%s: user text can end the script:\n%s", name, html)
			}
			m := optionFromHTML(t, html)
			if got := dig(t, m, "legend", "data", 0); name != "battery-runtime" && got != payload {
				t.Errorf("%s: legend %q, want the payload as text", name, got)
			}
			checkTitleIsLabelOnly(t, name, html, m, payload)
		}
	}
}
