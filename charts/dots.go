package charts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// DotGroup is one candidate in a unit-dots chart: one value per unit.
type DotGroup struct {
	// Label names the candidate; user text, escaped.
	Label string
	// Values holds one value per unit; empty draws an empty slot,
	// labelled Empty ("" means NoData) under the candidate.
	Values []float64
	Empty  string
}

// UnitDots builds a chart named name with, for each candidate, every unit's
// value as a dot in the candidate's colour (the repair compare page: steps
// and minutes per unit, where the worst unit is what counts). yName labels
// the axis and the tooltips ("steps", "min"). The y axis starts at 0.
//
// It returns ErrNoData for no groups, and an error for an empty or repeated
// label or a non-finite or negative value.
func UnitDots(name, id, title, yName string, groups []DotGroup) (Chart, error) {
	if len(groups) == 0 {
		return Chart{}, ErrNoData
	}
	seen := map[string]bool{}
	for i, g := range groups {
		if strings.TrimSpace(g.Label) == "" || seen[g.Label] {
			return Chart{}, fmt.Errorf("charts: dot group %d (%q): empty or repeated label", i, g.Label)
		}
		seen[g.Label] = true
		for _, v := range g.Values {
			if !finite(v) || v < 0 {
				return Chart{}, fmt.Errorf("charts: dot group %d (%q): value %v", i, g.Label, v)
			}
		}
	}
	unit, err := literalText(yName)
	if err != nil {
		return Chart{}, err
	}
	labels := make([]string, len(groups))
	var dots []runtimeItem
	for i, g := range groups {
		labels[i] = g.Label
		if len(g.Values) == 0 {
			labels[i] = emptySlot(g.Label, g.Empty)
		}
		// Units with the same (rounded) value share one dot whose tooltip
		// counts them: 10,000 runs stay a page of a few hundred kB.
		counts := map[float64]int{}
		var values []float64
		for _, v := range g.Values {
			r := roundTo(v, 1)
			if counts[r] == 0 {
				values = append(values, r)
			}
			counts[r]++
		}
		slices.Sort(values)
		for k, v := range values {
			dx := float64((k%5)-2) * runtimeJitter
			who := "1 unit"
			if n := counts[v]; n > 1 {
				who = strconv.Itoa(n) + " units"
			}
			dots = append(dots, runtimeItem{Name: g.Label, Value: []any{i, v}, SymbolOffset: &[2]float64{dx, 0},
				ItemStyle: &itemStyle{Color: Color(i), Opacity: 0.85, BorderColor: "#ffffff", BorderWidth: 1},
				Tooltip:   &seriesTooltip{Formatter: "{b}<br/>" + who + ": " + strconv.FormatFloat(v, 'f', -1, 64) + " " + unit}})
		}
	}
	series := []any{runtimeSeries{Type: "scatter", Name: "Unit", Data: nonNilItems(dots), Symbol: "circle", SymbolSize: 11,
		ItemStyle: &itemStyle{Color: "#8a949e"}, Z: 3}}
	bar := echarts.NewBar()
	bar.SetGlobalOptions(
		// No legend: its one grey key would match no dot (each has its
		// candidate's colour). The note is the first line.
		echarts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		echarts.WithTitleOpts(opts.Title{Subtitle: "Dots: units (one dot per value; the worst unit counts).", Left: "left", Top: legendTop}),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		echarts.WithGridOpts(opts.Grid{Top: gridTopPlain, Bottom: "48", Left: "56", Right: "16"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "category",
			AxisLabel: &opts.AxisLabel{Interval: "0", Width: 140, Overflow: "truncate"},
			AxisTick:  &opts.AxisTick{AlignWithLabel: opts.Bool(true)}}),
		echarts.WithYAxisOpts(opts.YAxis{Type: "value", Name: yName, Min: 0}),
	)
	bar.SetXAxis(labels)
	option, err := optionWithSeries(bar, series)
	if err != nil {
		return Chart{}, err
	}
	return Chart{Name: name, ID: id, Title: title, Height: 320, Option: option}, nil
}
