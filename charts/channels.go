package charts

import (
	"encoding/json"
	"fmt"
	"strings"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Channel is one recorded column of a run's series, drawn against the
// run's time: state of charge, voltage, current, battery temperature.
type Channel struct {
	// Label names the channel in the legend and on its axis ("voltage");
	// Unit is its unit ("V"), shown in the axis name.
	Label, Unit string
	// Y holds one value per time of the chart (same length as its X).
	Y []float64
	// Min and Max fix the axis range (state of charge: 0–100 %); nil
	// scales the axis to the data.
	Min, Max *float64
	// Decimals kept in the option: the chart cannot show more.
	Decimals int
}

// channelAxisOffset is how far, in CSS pixels, the third and fourth axes
// sit outside the first two (left and right of the plot).
const channelAxisOffset = 64

// channelAxisRoom is the room one axis takes beside the plot: its labels
// and, outside them, its name written along it (names at the axes' ends
// would run into each other).
const channelAxisRoom = 72

// RunChannels builds a run page's series chart named name (the battery
// run's "discharge"): every channel the run uploaded, each on its own y
// axis in its own colour (axes alternate left and right, the third and
// fourth further out), against x, the time in hours. The legend switches a
// channel off, and static/charts.js hides the axis of a channel switched
// off, so the others can be read on their own (issue #16 item 5).
//
// It returns ErrNoData for no channels or no points, and an error for a
// channel without a label, a repeated label, a length that is not len(x),
// or a non-finite value.
func RunChannels(name, id, title string, x []float64, channels []Channel) (Chart, error) {
	if len(channels) == 0 || len(x) == 0 {
		return Chart{}, ErrNoData
	}
	names := make([]string, len(channels))
	for i, c := range channels {
		names[i] = c.Label
		if len(c.Y) != len(x) {
			return Chart{}, fmt.Errorf("charts: channel %d (%q): %d values for %d times", i, c.Label, len(c.Y), len(x))
		}
	}
	if err := checkGroups(names); err != nil {
		return Chart{}, err
	}
	series := make([]channelSeries, len(channels))
	axes := make([]channelAxis, len(channels))
	for i, c := range channels {
		unit, err := literalText(c.Unit)
		if err != nil {
			return Chart{}, err
		}
		data := make([]point, len(x))
		for k := range x {
			if !finite(x[k], c.Y[k]) {
				return Chart{}, fmt.Errorf("charts: channel %d (%q) point %d: non-finite value", i, c.Label, k)
			}
			data[k] = point{roundTo(x[k], lineXDecimals), roundTo(c.Y[k], c.Decimals)}
		}
		color := Color(i)
		series[i] = channelSeries{YAxisIndex: i, lineSeries: lineSeries{Type: "line", Name: c.Label, Data: data, ShowSymbol: false,
			Symbol: "none", Color: color, LineStyle: &lineStyle{Color: color, Width: 1.5, Opacity: 0.9},
			Emphasis: &emphasis{Disabled: true}, Silent: true}}
		ax := channelAxis{Type: "value", Name: axisName(c.Label, unit), NameLocation: "middle", NameGap: 44,
			NameTextStyle: axisLabel{Color: color}, Scale: c.Min == nil, Position: "left",
			AxisLine:  axisLine{Show: true, LineStyle: lineStyle{Color: color, Width: 1, Opacity: 1}},
			AxisLabel: axisLabel{Color: color},
			// one grid, from the first axis: four would be a mesh
			SplitLine: splitLine{Show: i == 0},
			Min:       c.Min, Max: c.Max}
		if i%2 == 1 {
			ax.Position = "right"
		}
		if i >= 2 {
			ax.Offset = channelAxisOffset
		}
		axes[i] = ax
	}
	// Room for the axes on each side: left ones are 0, 2; right ones 1, 3.
	left, right := channelAxisRoom+channelAxisOffset*((len(channels)-1)/2), 24
	if len(channels) > 1 {
		right = channelAxisRoom + channelAxisOffset*((len(channels)-2)/2)
	}
	line := echarts.NewLine()
	line.SetGlobalOptions(
		echarts.WithTitleOpts(note("Each channel on its own axis, in its colour; the legend switches a channel and its axis off.")),
		echarts.WithLegendOpts(legendOf(names)),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(false)}),
		echarts.WithGridOpts(opts.Grid{Top: gridTopNote, Bottom: "96", Left: px(left), Right: px(right)}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "time (h)", NameLocation: "middle", NameGap: 26, Min: 0}),
		echarts.WithDataZoomOpts(opts.DataZoom{Type: "inside", XAxisIndex: 0, FilterMode: "none"},
			opts.DataZoom{Type: "slider", XAxisIndex: 0, FilterMode: "none"}),
	)
	// go-echarts' YAxis has no offset: the axes are written here, like the
	// series.
	line.Validate()
	m := line.JSON()
	m["yAxis"] = axes
	m["series"] = series
	m["animation"] = false
	option, err := json.Marshal(m)
	if err != nil {
		return Chart{}, fmt.Errorf("charts: encode option: %w", err)
	}
	return Chart{Name: name, ID: id, Title: title, Height: lineHeight, Option: option}, nil
}

// axisName is "voltage (V)", or the label alone without a unit.
func axisName(label, unit string) string {
	if strings.TrimSpace(unit) == "" {
		return label
	}
	return label + " (" + unit + ")"
}

type channelAxis struct {
	Type          string    `json:"type"`
	Name          string    `json:"name"`
	NameLocation  string    `json:"nameLocation"`
	NameGap       int       `json:"nameGap"`
	NameTextStyle axisLabel `json:"nameTextStyle"`
	Position      string    `json:"position"`
	Offset        int       `json:"offset,omitempty"`
	Scale         bool      `json:"scale"`
	Min           *float64  `json:"min,omitempty"`
	Max           *float64  `json:"max,omitempty"`
	AxisLine      axisLine  `json:"axisLine"`
	AxisLabel     axisLabel `json:"axisLabel"`
	SplitLine     splitLine `json:"splitLine"`
}

type axisLine struct {
	Show      bool      `json:"show"`
	LineStyle lineStyle `json:"lineStyle"`
}

type axisLabel struct {
	Color string `json:"color"`
}

type splitLine struct {
	Show bool `json:"show"`
}

// channelSeries is a line on its own y axis (every channel has one).
type channelSeries struct {
	lineSeries
	YAxisIndex int `json:"yAxisIndex"`
}
