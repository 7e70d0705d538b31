package charts

import (
	"fmt"
	"strings"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Curve is one line of a time chart: a run's discharge curve or one column
// of a chamber log. X and Y have the same length; points are drawn in order.
type Curve struct {
	// Group is the index of the curve's entry in the chart's legend (its
	// candidate, or its column); curves of one group share its colour and
	// its legend entry.
	Group int
	X, Y  []float64
}

// Layout of time charts.
const (
	lineHeight = 420
	// Decimals kept: 0.0001 h is 0.36 s, finer than any chamber logger;
	// 0.01 % SoC and 0.01 °C exceed what the lab records.
	lineXDecimals = 4
	lineYDecimals = 2
)

// Discharge builds the "discharge" chart of api.md §8: state of charge (%)
// against time (hours), every curve in its candidate's colour, one legend
// entry per candidate. Curves should already be reduced on the server
// (LTTB, a few thousand points each): the chart draws what it is given.
//
// It returns ErrNoData when there are no curves or no points, and an error
// for a bad group, mismatched X and Y, or a non-finite value.
func Discharge(id, title string, groups []string, curves []Curve) (Chart, error) {
	return timeChart("discharge", id, title, "state of charge (%)", groups, nil, curves, ptrF(0), ptrF(100))
}

// Chamber builds the "chamber" chart: set-point against measured air (and
// device) temperature (°C) over time (hours), so an evaluator sees whether
// the chamber held the profile. groups names the columns drawn, e.g.
// "set-point", "air", "device"; a group named with dashed[i] true is drawn
// dashed (the set-point, which is a target rather than a measurement).
func Chamber(id, title string, groups []string, dashed []bool, curves []Curve) (Chart, error) {
	return timeChart("chamber", id, title, "temperature (°C)", groups, dashed, curves, nil, nil)
}

func ptrF(v float64) *float64 { return &v }

func timeChart(name, id, title, yName string, groups []string, dashed []bool, curves []Curve, yMin, yMax *float64) (Chart, error) {
	if len(curves) == 0 || len(groups) == 0 {
		return Chart{}, ErrNoData
	}
	if err := checkGroups(groups); err != nil {
		return Chart{}, err
	}
	points := 0
	series := make([]lineSeries, 0, len(curves))
	for i, c := range curves {
		if c.Group < 0 || c.Group >= len(groups) {
			return Chart{}, fmt.Errorf("charts: curve %d: group %d of %d", i, c.Group, len(groups))
		}
		if len(c.X) != len(c.Y) {
			return Chart{}, fmt.Errorf("charts: curve %d: %d x values, %d y values", i, len(c.X), len(c.Y))
		}
		data := make([]point, len(c.X))
		for k := range c.X {
			if !finite(c.X[k], c.Y[k]) {
				return Chart{}, fmt.Errorf("charts: curve %d point %d: non-finite value", i, k)
			}
			data[k] = point{roundTo(c.X[k], lineXDecimals), roundTo(c.Y[k], lineYDecimals)}
		}
		points += len(data)
		style := &lineStyle{Color: Color(c.Group), Width: 1.5, Opacity: 0.85}
		if c.Group < len(dashed) && dashed[c.Group] {
			style.Type, style.Width, style.Color = "dashed", 2, runtimeInk
		}
		series = append(series, lineSeries{Type: "line", Name: groups[c.Group], Data: data, ShowSymbol: false,
			Symbol: "none", Color: style.Color, LineStyle: style, Emphasis: &emphasis{Disabled: true},
			// Hovering a curve of 2,000 points is noise; the axis tooltip
			// below reads values instead.
			Silent: true})
	}
	if points == 0 {
		return Chart{}, ErrNoData
	}
	yAxis := opts.YAxis{Type: "value", Name: yName, Scale: opts.Bool(yMin == nil)}
	if yMin != nil {
		yAxis.Min = *yMin
	}
	if yMax != nil {
		yAxis.Max = *yMax
	}
	line := echarts.NewLine()
	line.SetGlobalOptions(
		echarts.WithTitleOpts(note("")),
		echarts.WithLegendOpts(legendOf(groups)),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(false)}),
		// Room below the axis for its name and, under that, the zoom slider.
		echarts.WithGridOpts(opts.Grid{Top: gridTopPlain, Bottom: "96", Left: "56", Right: "24"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "time (h)", NameLocation: "middle", NameGap: 26, Min: 0}),
		echarts.WithYAxisOpts(yAxis),
		// Zooming in on the tail of a discharge (the last 20 %) is the
		// usual question; inside zoom needs no JavaScript option.
		// filterMode "none" keeps the segments that cross the window's edges.
		echarts.WithDataZoomOpts(opts.DataZoom{Type: "inside", XAxisIndex: 0, FilterMode: "none"},
			opts.DataZoom{Type: "slider", XAxisIndex: 0, FilterMode: "none"}),
	)
	option, err := optionWithSeries(line, series)
	if err != nil {
		return Chart{}, err
	}
	return Chart{Name: name, ID: id, Title: title, Height: lineHeight, Option: option}, nil
}

type lineSeries struct {
	Type       string     `json:"type"`
	Name       string     `json:"name"`
	Data       []point    `json:"data"`
	ShowSymbol bool       `json:"showSymbol"`
	Symbol     string     `json:"symbol"`
	Color      string     `json:"color"`
	LineStyle  *lineStyle `json:"lineStyle"`
	Emphasis   *emphasis  `json:"emphasis"`
	Silent     bool       `json:"silent"`
}

func checkGroups(groups []string) error {
	seen := make(map[string]bool, len(groups))
	for i, g := range groups {
		switch {
		case strings.TrimSpace(g) == "":
			return fmt.Errorf("charts: group %d: empty label", i)
		case seen[g]:
			return fmt.Errorf("charts: group %d (%q): label repeated", i, g)
		}
		seen[g] = true
	}
	return nil
}
