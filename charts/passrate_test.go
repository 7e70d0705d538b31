package charts

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func mustPassRate(t *testing.T, title string, bars []PassRateBar) (Chart, map[string]any) {
	t.Helper()
	c, err := PassRate("pass-rate-test", title, 0.95, bars)
	if err != nil {
		t.Fatalf("PassRate: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(c.Option, &m); err != nil {
		t.Fatal(err)
	}
	return c, m
}

func TestPassRateOption(t *testing.T) {
	c, m := mustPassRate(t, "Ingress IP68", []PassRateBar{
		{Label: "atlas-r1", Color: "#0072b2", Passed: 5, N: 6, Estimate: 5.0 / 6, Lower: 0.4365, Upper: 0.9699},
		{Label: "brick-x", Passed: 10, N: 10, Estimate: 1, Lower: 0.7225, Upper: 1},
		{Label: "crag-2", N: 0, Estimate: math.NaN(), Lower: math.NaN(), Upper: math.NaN()},
	})
	if c.Name != "pass-rate" || c.ID != "pass-rate-test" || c.Title != "Ingress IP68" || c.Validate() != nil {
		t.Fatalf("chart = %+v, Validate %v", c, c.Validate())
	}

	checks := []struct {
		path []any
		want any
	}{
		{[]any{"animation"}, false},
		{[]any{"series", 0, "type"}, "bar"},
		{[]any{"series", 1, "type"}, "boxplot"},
		{[]any{"xAxis", 0, "data", 2}, "crag-2"},
		{[]any{"yAxis", 0, "min"}, 0.0},
		{[]any{"yAxis", 0, "max"}, 100.0},
		{[]any{"yAxis", 0, "axisLabel", "formatter"}, "{value} %"},
		{[]any{"legend", "data", 1, "name"}, "95 % interval (Wilson)"},
		{[]any{"legend", "data", 1, "icon"}, whiskerIcon},
		// bar 0: estimate as a percentage, literal x/n label lifted above the cap
		{[]any{"series", 0, "data", 0, "value"}, 83.3},
		{[]any{"series", 0, "data", 0, "label", "formatter"}, "5/6"},
		{[]any{"series", 0, "data", 0, "label", "offset", 1}, -math.Round((0.9699 - 5.0/6) * passRatePlotH)},
		{[]any{"series", 0, "data", 1, "label", "formatter"}, "10/10"},
		// each bar in its candidate's colour, when given
		{[]any{"series", 0, "data", 0, "itemStyle", "color"}, "#0072b2"},
		{[]any{"series", 0, "data", 1, "label", "offset", 1}, 0.0},
		// whisker: [lower, est, est, est, upper]
		{[]any{"series", 1, "data", 0, "value", 0}, 43.7},
		{[]any{"series", 1, "data", 0, "value", 1}, 83.3},
		{[]any{"series", 1, "data", 0, "value", 2}, 83.3},
		{[]any{"series", 1, "data", 0, "value", 3}, 83.3},
		{[]any{"series", 1, "data", 0, "value", 4}, 97.0},
		// n = 0: an empty slot saying so (an invisible bar carries the
		// label), no NaN anywhere
		{[]any{"series", 0, "data", 2, "value"}, 0.0},
		{[]any{"series", 0, "data", 2, "label", "formatter"}, NoData},
		{[]any{"series", 1, "data", 2, "value", 4}, "-"},
		{[]any{"series", 0, "data", 0, "tooltip", "formatter"},
			"{b}<br/>5/6 passed (83.3 %)<br/>95 % Wilson interval 43.7–97.0 %"},
	}
	for _, tt := range checks {
		if got := dig(t, m, tt.path...); got != tt.want {
			t.Errorf("option %v = %#v, want %#v", tt.path, got, tt.want)
		}
	}
	if n := len(dig(t, m, "series").([]any)); n != 2 {
		t.Errorf("%d series, want 2", n)
	}
}

func TestPassRateErrors(t *testing.T) {
	good := PassRateBar{Label: "a", Passed: 1, N: 2, Estimate: 0.5, Lower: 0.09, Upper: 0.91}
	with := func(f func(*PassRateBar)) []PassRateBar {
		b := good
		f(&b)
		return []PassRateBar{b}
	}
	for _, tt := range []struct {
		name    string
		bars    []PassRateBar
		wantErr string
	}{
		{"no bars", nil, "no data"},
		{"NaN estimate", with(func(b *PassRateBar) { b.Estimate = math.NaN() }), "non-finite"},
		{"Inf upper", with(func(b *PassRateBar) { b.Upper = math.Inf(1) }), "non-finite"},
		{"lower above estimate", with(func(b *PassRateBar) { b.Lower = 0.6 }), "lower ≤ estimate"},
		{"upper above 1", with(func(b *PassRateBar) { b.Upper = 1.2 }), "upper ≤ 1"},
		{"negative lower", with(func(b *PassRateBar) { b.Lower = -0.1 }), "0 ≤ lower"},
		{"passed above n", with(func(b *PassRateBar) { b.Passed = 3 }), "3 passed of 2"},
		{"negative n", with(func(b *PassRateBar) { b.N, b.Passed = -1, 0 }), "passed of -1"},
		{"blank label", with(func(b *PassRateBar) { b.Label = "  " }), "empty label"},
		{"repeated label", []PassRateBar{good, good}, "repeated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := PassRate("pr", "t", 0.95, tt.bars)
			if err == nil {
				t.Fatalf("PassRate = %s, want an error", c.Option)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to mention %q", err, tt.wantErr)
			}
		})
	}
	if _, err := PassRate("pr", "t", 0.95, nil); !errors.Is(err, ErrNoData) {
		t.Errorf("no bars: %v, want ErrNoData", err)
	}
}

func TestPassRateEscapesLabels(t *testing.T) {
	bars := []PassRateBar{
		{Label: payloadScript, Passed: 1, N: 1, Estimate: 1, Lower: 0.2, Upper: 1},
		{Label: payloadMarker, Passed: 0, N: 1, Estimate: 0, Lower: 0, Upper: 0.8},
		{Label: "{b|rich} {a}", Passed: 1, N: 2, Estimate: 0.5, Lower: 0.1, Upper: 0.9},
	}
	c, err := PassRate("pass-rate-xss", payloadScript, 0.95, bars)
	if err != nil {
		t.Fatal(err)
	}
	h, err := c.HTML()
	if err != nil {
		t.Fatal(err)
	}
	html := string(h)
	if strings.Contains(html, "</script><script>") || strings.Count(html, "</script") != 1 {
		t.Fatalf("user text can end the script element:\n%s", html)
	}
	m := optionFromHTML(t, html)
	for i, b := range bars {
		if got := dig(t, m, "xAxis", 0, "data", i); got != b.Label {
			t.Errorf("category %d = %q, want %q", i, got, b.Label)
		}
		// Labels reach ECharts only as data (category names, escaped by
		// ECharts in tooltips via {b}), never inside a formatter string.
		tip := dig(t, m, "series", 0, "data", i, "tooltip", "formatter").(string)
		if strings.Contains(tip, b.Label) {
			t.Errorf("tooltip formatter %q embeds the label", tip)
		}
	}
	checkTitleIsLabelOnly(t, "pass-rate", html, m, payloadScript)
}

func TestLiteralText(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"5/5", true},
		{"0/12", true},
		{"", true},
		{"{b}", false},
		{"5/5 {a|x}", false},
		{"}", false},
	} {
		got, err := literalText(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.in) {
			t.Errorf("literalText(%q) = %q, %v; want ok=%v", tt.in, got, err, tt.ok)
		}
	}
}
