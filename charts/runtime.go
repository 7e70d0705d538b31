package charts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// RuntimeGroup is one candidate in a battery-runtime chart: every unit's
// mean runtime (the dots) and the mean over units with its t interval.
type RuntimeGroup struct {
	// Label names the candidate; user text, escaped.
	Label string
	// UnitMeans holds one runtime per unit, in hours. Empty draws an empty
	// slot, labelled Empty ("" means NoData) under the candidate.
	UnitMeans []float64
	Empty     string
	// Mean is the mean of UnitMeans; HasCI says whether Lower and Upper
	// (the t interval) exist, which needs two units.
	Mean         float64
	HasCI        bool
	Lower, Upper float64
}

// Layout and series names of the battery-runtime chart.
const (
	runtimeHeight     = 400
	runtimeDotSeries  = "Unit (mean of its runs)"
	runtimeMeanSeries = "Mean over units"
	runtimeInk        = "#1b1f24"
	// runtimeJitter spreads a candidate's dots sideways by this many pixels
	// per column, over five columns, so units with close runtimes stay
	// visible as separate dots (n < 10 is the usual case, domain.md §6.3).
	runtimeJitter = 7
)

// BatteryRuntime builds the "battery-runtime" chart of api.md §8: for each
// candidate, every unit as a dot (never a bare bar: with n = 3–10 the
// spread is the finding), the mean as a bar-shaped mark, and the t interval
// as a whisker (the boxplot technique of PassRate). Dots take the
// candidate's colour; the y axis (hours) is scaled to the data, not to 0.
//
// confidence is the level of the t intervals, which the subtitle, legend
// and tooltips name. It returns ErrNoData for no groups, and an error for an
// empty or repeated label, a non-finite or negative runtime, a confidence
// outside (0, 1), or an interval that does not contain its mean.
func BatteryRuntime(id, title string, confidence float64, groups []RuntimeGroup) (Chart, error) {
	if len(groups) == 0 {
		return Chart{}, ErrNoData
	}
	if err := checkRuntime(groups); err != nil {
		return Chart{}, err
	}
	level, err := levelLabel(confidence)
	if err != nil {
		return Chart{}, err
	}
	ciSeries := level + " interval (t)"
	labels := make([]string, len(groups))
	var dots, means []runtimeItem
	whiskers := make([]boxItem, len(groups))
	for i, g := range groups {
		labels[i] = g.Label
		whiskers[i] = boxItem{Value: []any{"-", "-", "-", "-", "-"}}
		if len(g.UnitMeans) == 0 {
			labels[i] = emptySlot(g.Label, g.Empty)
			continue
		}
		// Sorted, so the zigzag places neighbouring values side by side.
		sorted := slices.Clone(g.UnitMeans)
		slices.Sort(sorted)
		for k, v := range sorted {
			dx := float64((k%5)-2) * runtimeJitter
			dots = append(dots, runtimeItem{Name: g.Label, Value: []any{i, roundTo(v, 2)}, SymbolOffset: &[2]float64{dx, 0},
				ItemStyle: &itemStyle{Color: Color(i), Opacity: 0.85, BorderColor: "#ffffff", BorderWidth: 1},
				Tooltip:   &seriesTooltip{Formatter: "{b}<br/>unit mean " + strconv.FormatFloat(roundTo(v, 2), 'f', 2, 64) + " h"}})
		}
		tip, err := runtimeTooltip(g, level)
		if err != nil {
			return Chart{}, err
		}
		means = append(means, runtimeItem{Name: g.Label, Value: []any{i, roundTo(g.Mean, 2)}, Tooltip: &seriesTooltip{Formatter: tip}})
		if g.HasCI {
			m := roundTo(g.Mean, 2)
			whiskers[i] = boxItem{Value: []any{roundTo(g.Lower, 2), m, m, m, roundTo(g.Upper, 2)}, Tooltip: &itemTooltip{Formatter: tip}}
		}
	}

	series := []any{
		runtimeSeries{Type: "boxplot", Name: ciSeries, Data: whiskers, BoxWidth: []string{"28", "28"},
			ItemStyle: &itemStyle{Color: "transparent", BorderColor: runtimeInk, BorderWidth: 1.5}, Z: 2},
		// The series colour only paints the legend icon: each dot carries
		// its candidate's colour.
		runtimeSeries{Type: "scatter", Name: runtimeDotSeries, Data: nonNilItems(dots), Symbol: "circle", SymbolSize: 11,
			ItemStyle: &itemStyle{Color: "#8a949e"}, Z: 3},
		runtimeSeries{Type: "scatter", Name: runtimeMeanSeries, Data: nonNilItems(means), Symbol: "rect",
			SymbolSize: []int{40, 4}, ItemStyle: &itemStyle{Color: runtimeInk}, Z: 4},
	}
	bar := echarts.NewBar() // any rect chart: the series are replaced
	bar.SetGlobalOptions(
		echarts.WithTitleOpts(note("Dots: one per unit. Bar: mean over units. Whisker: "+level+" t interval.")),
		echarts.WithLegendOpts(legendOf([]legendItem{
			// each dot has its candidate's colour: the key is the shape
			outlineKey(runtimeDotSeries, "circle"),
			{Name: runtimeMeanSeries, Icon: "rect"},
			{Name: ciSeries, Icon: whiskerIcon},
		})),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		echarts.WithGridOpts(opts.Grid{Top: gridTop(true), Bottom: "48", Left: "56", Right: "16"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "category",
			AxisLabel: &opts.AxisLabel{Interval: "0", Width: 140, Overflow: "truncate"},
			AxisTick:  &opts.AxisTick{AlignWithLabel: opts.Bool(true)}}),
		// Scaled to the data, not from 0: a 0 h baseline would squeeze
		// 27–40 h into the top quarter and hide the spread the chart shows.
		echarts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "runtime (h)", Scale: opts.Bool(true)}),
	)
	bar.SetXAxis(labels) // Validate copies it over any XAxis.Data
	option, err := optionWithSeries(bar, series)
	if err != nil {
		return Chart{}, err
	}
	return Chart{Name: "battery-runtime", ID: id, Title: title, Height: runtimeHeight, Option: option}, nil
}

type runtimeSeries struct {
	Type       string     `json:"type"`
	Name       string     `json:"name"`
	Data       any        `json:"data"`
	Symbol     string     `json:"symbol,omitempty"`
	SymbolSize any        `json:"symbolSize,omitempty"`
	BoxWidth   []string   `json:"boxWidth,omitempty"`
	ItemStyle  *itemStyle `json:"itemStyle,omitempty"`
	Z          int        `json:"z"`
}

// runtimeItem is a scatter point on the category axis. Name repeats the
// candidate label because a scatter tooltip's {b} is the item's name, not
// the category's; ECharts escapes it like any {b}.
type runtimeItem struct {
	Name         string         `json:"name"`
	Value        []any          `json:"value"`
	SymbolOffset *[2]float64    `json:"symbolOffset,omitempty"`
	ItemStyle    *itemStyle     `json:"itemStyle,omitempty"`
	Tooltip      *seriesTooltip `json:"tooltip,omitempty"`
}

func nonNilItems(s []runtimeItem) []runtimeItem {
	if s == nil {
		return []runtimeItem{}
	}
	return s
}

// runtimeTooltip is a string template: {b} is the candidate (escaped by
// ECharts), the rest our own digits.
func runtimeTooltip(g RuntimeGroup, level string) (string, error) {
	s := fmt.Sprintf("n = %d units, mean %.2f h", len(g.UnitMeans), g.Mean)
	if g.HasCI {
		s += fmt.Sprintf("<br/>%s t interval %.2f–%.2f h", level, g.Lower, g.Upper)
	} else {
		s += "<br/>no interval: one unit says nothing about spread"
	}
	text, err := literalText(s)
	if err != nil {
		return "", err
	}
	return "{b}<br/>" + text, nil
}

func checkRuntime(groups []RuntimeGroup) error {
	seen := make(map[string]bool, len(groups))
	for i, g := range groups {
		where := fmt.Sprintf("charts: runtime group %d (%q)", i, g.Label)
		switch {
		case strings.TrimSpace(g.Label) == "":
			return fmt.Errorf("%s: empty label", where)
		case seen[g.Label]:
			return fmt.Errorf("%s: label repeated", where)
		}
		seen[g.Label] = true
		for _, v := range g.UnitMeans {
			if !finite(v) || v < 0 {
				return fmt.Errorf("%s: runtime %v is not a number of hours", where, v)
			}
		}
		if len(g.UnitMeans) == 0 {
			continue
		}
		if !finite(g.Mean) {
			return fmt.Errorf("%s: non-finite mean", where)
		}
		if g.HasCI {
			const eps = 1e-9
			if !finite(g.Lower, g.Upper) || g.Lower > g.Mean+eps || g.Mean > g.Upper+eps {
				return fmt.Errorf("%s: want lower ≤ mean ≤ upper, got %v [%v, %v]", where, g.Mean, g.Lower, g.Upper)
			}
		}
	}
	return nil
}
