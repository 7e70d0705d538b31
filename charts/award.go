package charts

import (
	"fmt"
	"strconv"
	"strings"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// RankBar is one candidate in the rank-acceptability chart: P(rank r+1)
// for each rank, each in [0, 1], summing to 1.
type RankBar struct {
	// Label names the candidate; user text, escaped.
	Label string
	// Acceptability[r] is the share of draws in which it ranks r+1.
	Acceptability []float64
}

// rankColors run from dark (rank 1) to light: a sequential blue scale, so
// the eye reads "how much of the bar is first" at once.
var rankColors = [...]string{"#08306b", "#2171b5", "#6baed6", "#bdd7e7", "#deebf7", "#f7fbff"}

func rankColor(r int) string { return rankColors[min(r, len(rankColors)-1)] }

// RankAcceptability builds the "rank-acceptability" chart of the award
// page: one stacked bar per candidate, a segment per rank whose height is
// the share of SMAA-2 draws giving it that rank (0–100 %); segments of at
// least 8 % carry their percentage. Every bar has as many ranks as bars.
//
// It returns ErrNoData for no bars, and an error for an empty or repeated
// label, a bar with the wrong number of ranks, or a share that is not
// finite or outside [0, 1].
func RankAcceptability(id, title string, bars []RankBar) (Chart, error) {
	if len(bars) == 0 {
		return Chart{}, ErrNoData
	}
	k := len(bars)
	seen := map[string]bool{}
	for i, b := range bars {
		if strings.TrimSpace(b.Label) == "" || seen[b.Label] {
			return Chart{}, fmt.Errorf("charts: rank bar %d (%q): empty or repeated label", i, b.Label)
		}
		seen[b.Label] = true
		if len(b.Acceptability) != k {
			return Chart{}, fmt.Errorf("charts: rank bar %d (%q): %d ranks for %d candidates", i, b.Label, len(b.Acceptability), k)
		}
		for _, p := range b.Acceptability {
			if !finite(p) || p < 0 || p > 1+1e-9 {
				return Chart{}, fmt.Errorf("charts: rank bar %d (%q): share %v", i, b.Label, p)
			}
		}
	}
	labels := make([]string, k)
	for i, b := range bars {
		labels[i] = b.Label
	}
	series := make([]any, k)
	for r := range k {
		name := "Rank " + strconv.Itoa(r+1)
		items := make([]barItem, k)
		for i, b := range bars {
			v := pct(b.Acceptability[r])
			text := strconv.FormatFloat(v, 'f', 1, 64) + " %"
			items[i] = barItem{Value: v, Tooltip: &itemTooltip{Formatter: "{b}<br/>" + name + ": " + text + " of draws"}}
			if b.Acceptability[r] >= 0.08 {
				ink := "#ffffff"
				if r >= 2 {
					ink = passRateInkColor
				}
				items[i].Label = &itemLabel{Show: true, Position: "inside", Formatter: text, Color: ink, FontSize: 12}
			}
		}
		series[r] = stackSeries{Type: "bar", Name: name, Stack: "ranks", Data: items, BarMaxWidth: "72",
			ItemStyle: &itemStyle{Color: rankColor(r), BorderColor: "#ffffff", BorderWidth: 0.5}}
	}
	legend := make([]string, k)
	for r := range k {
		legend[r] = "Rank " + strconv.Itoa(r+1)
	}
	bar := echarts.NewBar()
	bar.SetGlobalOptions(
		echarts.WithTitleOpts(note("Share of the draws giving each rank (SMAA-2).")),
		echarts.WithLegendOpts(legendOf(legend)),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		echarts.WithGridOpts(opts.Grid{Top: gridTop(true), Bottom: "48", Left: "56", Right: "16"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "category",
			AxisLabel: &opts.AxisLabel{Interval: "0", Width: 140, Overflow: "truncate"},
			AxisTick:  &opts.AxisTick{AlignWithLabel: opts.Bool(true)}}),
		echarts.WithYAxisOpts(opts.YAxis{Type: "value", Min: 0, Max: 100, SplitNumber: 5,
			AxisLabel: &opts.AxisLabel{Formatter: "{value} %"}}),
	)
	bar.SetXAxis(labels)
	option, err := optionWithSeries(bar, series)
	if err != nil {
		return Chart{}, err
	}
	return Chart{Name: "rank-acceptability", ID: id, Title: title, Height: 360, Option: option}, nil
}

// StabilityBar is one criterion in the weight-stability tornado: the
// range [Lo, Hi] of its weight over which the deterministic winner stays
// first, and its published Weight, all in [0, 1].
type StabilityBar struct {
	// Label names the criterion; user text, escaped.
	Label          string
	Lo, Hi, Weight float64
}

// Tornado builds the "weight-stability" chart of the award page: one
// horizontal bar per criterion from Lo to Hi on a 0–100 % weight axis, and
// a dot at the published weight. A short bar is a criterion whose weight
// decides the winner. Bars are drawn in the order given, first on top.
//
// It returns ErrNoData for no bars, and an error for an empty or repeated
// label or values that are not 0 ≤ Lo ≤ Weight ≤ Hi ≤ 1.
func Tornado(id, title string, bars []StabilityBar) (Chart, error) {
	if len(bars) == 0 {
		return Chart{}, ErrNoData
	}
	seen := map[string]bool{}
	for i, b := range bars {
		if strings.TrimSpace(b.Label) == "" || seen[b.Label] {
			return Chart{}, fmt.Errorf("charts: stability bar %d (%q): empty or repeated label", i, b.Label)
		}
		seen[b.Label] = true
		const eps = 1e-6
		if !finite(b.Lo, b.Hi, b.Weight) || b.Lo < -eps || b.Lo > b.Weight+eps || b.Weight > b.Hi+eps || b.Hi > 1+eps {
			return Chart{}, fmt.Errorf("charts: stability bar %d (%q): want 0 ≤ lo ≤ weight ≤ hi ≤ 1, got %v ≤ %v ≤ %v", i, b.Label, b.Lo, b.Weight, b.Hi)
		}
	}
	n := len(bars)
	// ECharts draws a category y axis bottom-up; reverse so the first bar is on top.
	labels := make([]string, n)
	base, span := make([]barItem, n), make([]barItem, n)
	dots := make([]runtimeItem, n)
	for k, b := range bars {
		i := n - 1 - k
		labels[i] = b.Label
		lo, hi, w := pct(b.Lo), pct(b.Hi), pct(b.Weight)
		// Only {b} (escaped by ECharts) and our digits: tooltips are HTML.
		tip := fmt.Sprintf("{b}<br/>the winner stays first for a weight from %s to %s %%<br/>published weight %s %%",
			strconv.FormatFloat(lo, 'f', 1, 64), strconv.FormatFloat(hi, 'f', 1, 64), strconv.FormatFloat(w, 'f', 1, 64))
		base[i] = barItem{Value: lo}
		span[i] = barItem{Value: roundTo(hi-lo, 1), Tooltip: &itemTooltip{Formatter: tip}}
		dots[i] = runtimeItem{Name: b.Label, Value: []any{w, i}, Tooltip: &seriesTooltip{Formatter: "{b}<br/>published weight " + strconv.FormatFloat(w, 'f', 1, 64) + " %"}}
	}
	series := []any{
		stackSeries{Type: "bar", Name: "base", Stack: "range", Data: base, Silent: true, Tooltip: hidden(),
			ItemStyle: &itemStyle{Color: "transparent"}},
		stackSeries{Type: "bar", Name: "Winner stays first", Stack: "range", Data: span, BarMaxWidth: "28",
			ItemStyle: &itemStyle{Color: "#56b4e9"}},
		runtimeSeries{Type: "scatter", Name: "Published weight", Data: nonNilItems(dots), Symbol: "diamond", SymbolSize: 14,
			ItemStyle: &itemStyle{Color: passRateInkColor}, Z: 3},
	}
	bar := echarts.NewBar()
	bar.SetGlobalOptions(
		echarts.WithTitleOpts(note("Weight range over which the deterministic winner stays first (others rescaled).")),
		echarts.WithLegendOpts(legendOf([]string{"Winner stays first", "Published weight"})),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		echarts.WithGridOpts(opts.Grid{Top: gridTop(true), Bottom: "40", Left: "160", Right: "24"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Min: 0, Max: 100, SplitNumber: 5,
			AxisLabel: &opts.AxisLabel{Formatter: "{value} %"}}),
		echarts.WithYAxisOpts(opts.YAxis{Type: "category", Data: labels,
			AxisLabel: &opts.AxisLabel{Interval: "0", Width: 150, Overflow: "truncate"}}),
	)
	option, err := optionWithSeries(bar, series)
	if err != nil {
		return Chart{}, err
	}
	return Chart{Name: "weight-stability", ID: id, Title: title, Height: max(220, 120+48*n), Option: option}, nil
}

// stackSeries is a bar series with the fields go-echarts' SingleSeries
// needs per item (labels, tooltips) and stacking.
type stackSeries struct {
	Type        string         `json:"type"`
	Name        string         `json:"name"`
	Stack       string         `json:"stack"`
	Data        []barItem      `json:"data"`
	BarMaxWidth string         `json:"barMaxWidth,omitempty"`
	Silent      bool           `json:"silent,omitempty"`
	Tooltip     *seriesTooltip `json:"tooltip,omitempty"`
	ItemStyle   *itemStyle     `json:"itemStyle,omitempty"`
}
