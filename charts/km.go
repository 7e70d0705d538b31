package charts

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// KMStep is the Kaplan–Meier estimate just after time T, with its interval,
// as proportions in [0, 1].
type KMStep struct {
	T                   float64
	Surv, Lower, Upper  float64
	Events, Censored, N int // n_event, n_censor and n_risk at T, for the tooltip
}

// KMCurve is one candidate's survival curve.
type KMCurve struct {
	// Label names the candidate (code, name or "Candidate A"); user text,
	// escaped.
	Label string
	// Steps are the estimate's steps in increasing T, one per distinct time
	// (events or censorings), as stats.KM returns them. Empty draws nothing
	// for this candidate but keeps its legend entry and colour, named
	// "Label (Empty)" ("" means NoData) so the legend says why.
	Steps []KMStep
	Empty string
}

// Layout of the KM chart in CSS pixels.
const (
	kmHeight = 420
	// kmBandOpacity is a shown band's opacity.
	kmBandOpacity = 0.2
	// KMBandsShown is how many candidates' bands are drawn at once. With
	// more, four or five overlapping bands turn into a wash (issue #16
	// item 6), so each band is hidden and shows as its candidate's
	// emphasis: pointing at the candidate's curve or legend entry. Leaving
	// at most this many candidates selected in the legend shows theirs
	// (static/charts.js, by the bands' ids "km-band-N").
	KMBandsShown = 2
)

// bandOpacity is the resting opacity of the bands of a chart of n curves.
func bandOpacity(n int) float64 {
	if n <= KMBandsShown {
		return kmBandOpacity
	}
	return 0
}

// censorSymbol is a "+" mark, the usual censoring tick of survival plots.
const censorSymbol = "path://M4,0H6V4H10V6H6V10H4V6H0V4H4Z"

// KaplanMeier builds the "km" chart of api.md §8: per candidate, the
// Kaplan–Meier step curve starting at (0, 100 %), its confidence band
// shaded in the candidate's colour, and a "+" where a unit was censored.
// xName names the time axis ("drops", "falls"). The y axis is 0–100 %.
//
// The band is two stacked, stepped line series (lower bound, then upper −
// lower with an area fill): ECharts has no band series, and a custom series
// would need a JavaScript renderItem (see the package doc). All of a
// candidate's series share its name, so its legend entry hides curve, band
// and marks together.
//
// confidence is the level of the bands, which the subtitle names. It
// returns ErrNoData for no curves, and an error for an empty or repeated
// label, a time that is negative, not finite or not increasing, a
// confidence outside (0, 1), or a bound outside 0 ≤ lower ≤ surv ≤ upper ≤ 1.
func KaplanMeier(id, title, xName string, confidence float64, curves []KMCurve) (Chart, error) {
	if len(curves) == 0 {
		return Chart{}, ErrNoData
	}
	if err := checkKM(curves); err != nil {
		return Chart{}, err
	}
	level, err := levelLabel(confidence)
	if err != nil {
		return Chart{}, err
	}
	unit, err := literalText(xName)
	if err != nil {
		return Chart{}, err
	}

	drawn := 0 // curves with a band: an empty one overlaps nothing
	for _, c := range curves {
		if len(c.Steps) > 0 {
			drawn++
		}
	}
	labels := make([]string, len(curves))
	var series []any
	for i, c := range curves {
		labels[i] = c.Label
		color := Color(i)
		if len(c.Steps) == 0 {
			// Keep the legend entry: "no units" is information too.
			labels[i] = c.Label + " (" + cmp.Or(c.Empty, NoData) + ")"
			series = append(series, kmLine{Type: "line", Name: labels[i], Data: []any{}, Color: color})
			continue
		}
		// The curve: (0, 1), then one corner per step; step "end" holds each
		// value until the next time, which is how S(t) is defined.
		curve := []kmItem{{Value: point{0, 100}, Tooltip: &seriesTooltip{Formatter: "{a}<br/>0 " + unit + ": 100 %"}}}
		// Band points are [value, t] with encode {x: 1, y: 0}: ECharts stacks
		// the first numeric dimension, which for [t, value] on a value x
		// axis would be t (it stacks y only over category or time axes).
		lower := []point{{100, 0}}
		width := []point{{0, 0}}
		var marks []kmItem
		for _, s := range c.Steps {
			surv, lo, hi := pct(s.Surv), pct(s.Lower), pct(s.Upper)
			tip, err := literalText(fmt.Sprintf("%s %s: %s %% (band %s–%s %%)<br/>at risk %d, events %d, censored %d",
				fmtNum(s.T), unit, pctText(s.Surv), pctText(s.Lower), pctText(s.Upper), s.N, s.Events, s.Censored))
			if err != nil {
				return Chart{}, err
			}
			curve = append(curve, kmItem{Value: point{s.T, surv}, Tooltip: &seriesTooltip{Formatter: "{a}<br/>" + tip}})
			lower = append(lower, point{lo, s.T})
			width = append(width, point{roundTo(hi-lo, 1), s.T})
			if s.Censored > 0 {
				what := "1 unit censored"
				if s.Censored > 1 {
					what = strconv.Itoa(s.Censored) + " units censored"
				}
				marks = append(marks, kmItem{Value: point{s.T, surv},
					Tooltip: &seriesTooltip{Formatter: "{a}<br/>" + what + " at " + fmtNum(s.T) + " " + unit}})
			}
		}
		stack := "km-band-" + strconv.Itoa(i)
		noLine := &lineStyle{Width: 0, Opacity: 0}
		series = append(series,
			kmLine{Type: "line", Name: c.Label, Step: "end", Stack: stack, Symbol: "none", Silent: true, Color: color,
				LineStyle: noLine, Tooltip: hidden(), Emphasis: &emphasis{Disabled: true}, Data: lower, Encode: bandEncode, Z: 1},
			kmLine{Type: "line", ID: stack, Name: c.Label, Step: "end", Stack: stack, Symbol: "none", Silent: true, Color: color,
				LineStyle: noLine, AreaStyle: &areaStyle{Color: color, Opacity: bandOpacity(drawn)},
				Tooltip: hidden(), Emphasis: &emphasis{AreaStyle: &areaStyle{Color: color, Opacity: kmBandOpacity}},
				Data: width, Encode: bandEncode, Z: 1},
			kmLine{Type: "line", Name: c.Label, Step: "end", Symbol: "circle", SymbolSize: 5, ShowSymbol: true,
				Color: color, LineStyle: &lineStyle{Color: color, Width: 2.5, Opacity: 1}, Data: curve, Z: 3},
		)
		if len(marks) > 0 {
			series = append(series, kmScatter{Type: "scatter", Name: c.Label, Symbol: censorSymbol, SymbolSize: 11,
				Color: color, Data: marks, Z: 4})
		}
	}

	bandNote := "Shaded: " + level + " log-log band (Greenwood). +: unit censored (stopped without a failure)."
	if drawn > KMBandsShown {
		bandNote = "Point at a candidate (curve or legend) to shade its " + level + " log-log band (Greenwood), or leave " +
			strconv.Itoa(KMBandsShown) + " selected in the legend. +: unit censored (stopped without a failure)."
	}
	line := echarts.NewLine()
	line.SetGlobalOptions(
		echarts.WithTitleOpts(note(bandNote)),
		echarts.WithLegendOpts(legendOf(labels)),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		echarts.WithGridOpts(opts.Grid{Top: gridTop(true), Bottom: "56", Left: "56", Right: "24"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Name: xName, NameLocation: "middle", NameGap: 30, Min: 0}),
		echarts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "surviving", Min: 0, Max: 100,
			AxisLabel: &opts.AxisLabel{Formatter: "{value} %"}}),
	)
	option, err := optionWithSeries(line, series)
	if err != nil {
		return Chart{}, err
	}
	return Chart{Name: "km", ID: id, Title: title, Height: kmHeight, Option: option}, nil
}

type kmLine struct {
	Type       string         `json:"type"`
	ID         string         `json:"id,omitempty"`
	Name       string         `json:"name"`
	Step       string         `json:"step,omitempty"`
	Stack      string         `json:"stack,omitempty"`
	Symbol     string         `json:"symbol,omitempty"`
	SymbolSize float64        `json:"symbolSize,omitempty"`
	ShowSymbol bool           `json:"showSymbol"`
	Silent     bool           `json:"silent,omitempty"`
	Color      string         `json:"color,omitempty"`
	LineStyle  *lineStyle     `json:"lineStyle,omitempty"`
	AreaStyle  *areaStyle     `json:"areaStyle,omitempty"`
	Tooltip    *seriesTooltip `json:"tooltip,omitempty"`
	Emphasis   *emphasis      `json:"emphasis,omitempty"`
	Data       any            `json:"data"`
	Encode     *encode        `json:"encode,omitempty"`
	Z          int            `json:"z,omitempty"`
}

// encode maps data columns to axes.
type encode struct {
	X int `json:"x"`
	Y int `json:"y"`
}

var bandEncode = &encode{X: 1, Y: 0}

type kmScatter struct {
	Type       string   `json:"type"`
	Name       string   `json:"name"`
	Symbol     string   `json:"symbol"`
	SymbolSize float64  `json:"symbolSize"`
	Color      string   `json:"color"`
	Data       []kmItem `json:"data"`
	Z          int      `json:"z"`
}

type kmItem struct {
	Value   point          `json:"value"`
	Tooltip *seriesTooltip `json:"tooltip,omitempty"`
}

func checkKM(curves []KMCurve) error {
	seen := make(map[string]bool, len(curves))
	for i, c := range curves {
		where := fmt.Sprintf("charts: KM curve %d (%q)", i, c.Label)
		switch {
		case strings.TrimSpace(c.Label) == "":
			return fmt.Errorf("%s: empty label", where)
		case seen[c.Label]:
			return fmt.Errorf("%s: label repeated", where)
		}
		seen[c.Label] = true
		prev := 0.0
		for j, s := range c.Steps {
			if !finite(s.T, s.Surv, s.Lower, s.Upper) {
				return fmt.Errorf("%s step %d: non-finite value", where, j)
			}
			if s.T < prev || (j > 0 && s.T == prev) {
				return fmt.Errorf("%s step %d: time %v not after %v", where, j, s.T, prev)
			}
			prev = s.T
			const eps = 1e-9
			if s.Lower < -eps || s.Lower > s.Surv+eps || s.Surv > s.Upper+eps || s.Upper > 1+eps {
				return fmt.Errorf("%s step %d: want 0 ≤ lower ≤ surv ≤ upper ≤ 1, got %v [%v, %v]", where, j, s.Surv, s.Lower, s.Upper)
			}
		}
	}
	return nil
}

// fmtNum prints a time without a trailing ".0": drops are whole numbers.
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
