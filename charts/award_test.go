package charts

import (
	"errors"
	"strings"
	"testing"
)

func TestRankAcceptabilityOption(t *testing.T) {
	c, err := RankAcceptability("ranks", "Rank acceptability", []RankBar{
		{Label: "atlas-r1", Acceptability: []float64{0.6146, 0.3465, 0.0389}},
		{Label: "</script><b>x", Acceptability: []float64{0.3531, 0.4754, 0.1715}},
		{Label: "cobalt-t8", Acceptability: []float64{0.0323, 0.1781, 0.7896}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "rank-acceptability" {
		t.Fatalf("name %q", c.Name)
	}
	m := decodeOption(t, c)
	for _, tt := range []struct {
		path []any
		want any
	}{
		{[]any{"animation"}, false},
		{[]any{"series", 0, "name"}, "Rank 1"},
		{[]any{"series", 0, "stack"}, "ranks"},
		{[]any{"series", 0, "data", 0, "value"}, 61.5},
		{[]any{"series", 0, "data", 0, "label", "formatter"}, "61.5 %"},
		{[]any{"series", 2, "data", 2, "value"}, 79.0},
		{[]any{"xAxis", 0, "data", 1}, "</script><b>x"},
		{[]any{"yAxis", 0, "max"}, 100.0},
	} {
		if got := dig(t, m, tt.path...); got != tt.want {
			t.Errorf("%v = %v, want %v", tt.path, got, tt.want)
		}
	}
	// A 3 % segment carries no label (it would not fit).
	if l := dig(t, m, "series", 0, "data", 2).(map[string]any)["label"]; l != nil {
		t.Errorf("small segment labelled: %v", l)
	}
	h, err := c.HTML()
	if err != nil || strings.Contains(string(h), "</script><b>") {
		t.Errorf("HTML: %v\n%s", err, h)
	}
	if _, err := RankAcceptability("r", "t", nil); !errors.Is(err, ErrNoData) {
		t.Errorf("no bars: %v", err)
	}
	for _, bad := range [][]RankBar{
		{{Label: "a", Acceptability: []float64{1}}, {Label: "b", Acceptability: []float64{1}}},
		{{Label: "a", Acceptability: []float64{1.5}}},
		{{Label: "", Acceptability: []float64{1}}},
	} {
		if _, err := RankAcceptability("r", "t", bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestTornadoOption(t *testing.T) {
	c, err := Tornado("stab", "Weight stability", []StabilityBar{
		{Label: "price", Lo: 0, Hi: 0.437, Weight: 0.4},
		{Label: "robustness", Lo: 0.247, Hi: 1, Weight: 0.3},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := decodeOption(t, c)
	for _, tt := range []struct {
		path []any
		want any
	}{
		{[]any{"yAxis", 0, "data", 1}, "price"}, // first bar on top
		{[]any{"series", 0, "data", 0, "value"}, 24.7},
		{[]any{"series", 1, "data", 0, "value"}, 75.3},
		{[]any{"series", 1, "data", 1, "value"}, 43.7},
		{[]any{"series", 2, "data", 1, "value", 0}, 40.0},
		{[]any{"series", 0, "silent"}, true},
		{[]any{"xAxis", 0, "max"}, 100.0},
	} {
		if got := dig(t, m, tt.path...); got != tt.want {
			t.Errorf("%v = %v, want %v", tt.path, got, tt.want)
		}
	}
	if c.Name != "weight-stability" {
		t.Errorf("name %q", c.Name)
	}
	if _, err := Tornado("s", "t", []StabilityBar{{Label: "a", Lo: 0.5, Hi: 0.4, Weight: 0.45}}); err == nil {
		t.Error("lo > hi accepted")
	}
}
