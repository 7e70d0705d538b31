package charts

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// ErrNoData is returned by builders given nothing to draw. A page should show
// its empty state instead of an empty chart.
var ErrNoData = errors.New("charts: no data to draw")

// PassRateBar is one candidate in a pass-rate chart: x of n units passed,
// the point estimate and its Wilson interval, all as proportions in [0, 1].
type PassRateBar struct {
	// Label names the candidate on the axis (code, name, or "Candidate A" in
	// blind mode). It is user text; it is escaped.
	Label string
	// Passed and N are the counts behind the estimate. N == 0 draws an empty
	// slot (no bar, no whisker); the float fields are then ignored, so a NaN
	// from "0 of 0" is fine.
	Passed, N int
	// Color is the candidate's colour (as in the page's other charts and
	// tables); empty draws the default bar colour.
	Color string
	// Estimate, Lower and Upper are x/n and the Wilson bounds at the
	// chart's confidence.
	Estimate, Lower, Upper float64
	// Empty is what an empty slot (N == 0) says on the chart, in the
	// page's language; "" means "no data".
	Empty string
}

// Layout of the pass-rate chart, in CSS pixels. The plot height is fixed
// (only the width follows the window), which lets each "x/n" label be lifted
// above its whisker by a computed pixel offset instead of a JS formatter.
const (
	passRateHeight    = 360
	passRateGridTop   = 48 // gridTopPlain: legend only, no note
	passRateGridBot   = 48
	passRatePlotH     = passRateHeight - passRateGridTop - passRateGridBot
	passRateBarColor  = "#56b4e9" // Okabe–Ito sky blue
	passRateInkColor  = "#1b1f24"
	passRateSeries    = "Pass rate"
	passRateLabelSize = 13
)

// PassRate builds the "pass-rate" chart of api.md §8: one bar per candidate
// at its estimated pass rate, a whisker for the Wilson interval, and an
// "x/n" label above each whisker. The y axis runs 0–100 %.
//
// ECharts has no error-bar series and a custom series would need a JS
// renderItem, so the whisker is the measured no-JS technique of
// stack-notes §2.3: a boxplot overlapped on the bars whose five values are
// [lower, est, est, est, upper].
//
// id is the element id (see Chart.ID); title is shown above the chart;
// confidence is the level of the bars' intervals, which the legend and
// tooltips name. It returns ErrNoData for no bars, and an error for an empty
// or repeated label, impossible counts, a confidence outside (0, 1), or
// (when N > 0) a bound that is not finite or not ordered
// 0 ≤ lower ≤ estimate ≤ upper ≤ 1.
func PassRate(id, title string, confidence float64, bars []PassRateBar) (Chart, error) {
	if len(bars) == 0 {
		return Chart{}, ErrNoData
	}
	if err := checkPassRate(bars); err != nil {
		return Chart{}, err
	}
	level, err := levelLabel(confidence)
	if err != nil {
		return Chart{}, err
	}
	ciSeries := level + " interval (Wilson)"

	labels := make([]string, len(bars))
	barItems := make([]barItem, len(bars))
	boxItems := make([]boxItem, len(bars))
	for i, b := range bars {
		labels[i] = b.Label
		if b.N == 0 {
			// A zero-height, invisible bar carries the label, so the slot
			// says why it is empty (issue #16 item 6).
			empty, err := literalText(cmp.Or(b.Empty, NoData))
			if err != nil {
				return Chart{}, err
			}
			barItems[i] = barItem{Value: 0,
				ItemStyle: &opts.ItemStyle{Opacity: opts.Float(0)},
				Label:     &itemLabel{Show: true, Position: "top", Formatter: empty, Color: mutedInk, FontSize: passRateLabelSize},
				Tooltip:   &itemTooltip{Formatter: "{b}<br/>" + empty}}
			boxItems[i] = boxItem{Value: []any{"-", "-", "-", "-", "-"}}
			continue
		}
		xn, err := literalText(strconv.Itoa(b.Passed) + "/" + strconv.Itoa(b.N))
		if err != nil {
			return Chart{}, err
		}
		tip, err := passRateTooltip(b, level)
		if err != nil {
			return Chart{}, err
		}
		est := pct(b.Estimate)
		barItems[i] = barItem{
			Value: est,
			Label: &itemLabel{
				Show:      true,
				Position:  "top",
				Formatter: xn,
				// Lift the label from the bar top to just above the upper cap.
				Offset:     [2]int{0, -int(math.Round((b.Upper - b.Estimate) * passRatePlotH))},
				Color:      passRateInkColor,
				FontSize:   passRateLabelSize,
				FontWeight: "bold",
			},
			Tooltip: &itemTooltip{Formatter: tip},
		}
		if b.Color != "" {
			barItems[i].ItemStyle = &opts.ItemStyle{Color: b.Color}
		}
		boxItems[i] = boxItem{
			Value:   []any{pct(b.Lower), est, est, est, pct(b.Upper)},
			Tooltip: &itemTooltip{Formatter: tip},
		}
	}

	// The legend's key matches the marks: bars in candidates' colours get
	// an outline key, not the default colour's swatch that no bar has.
	barKey := legendItem{Name: passRateSeries, Icon: "rect"}
	for _, b := range bars {
		if b.Color != "" {
			barKey = outlineKey(passRateSeries, "rect")
		}
	}
	bar := echarts.NewBar()
	bar.SetGlobalOptions(
		echarts.WithTitleOpts(note("")),
		echarts.WithLegendOpts(legendOf([]legendItem{
			barKey,
			// A boxplot's default legend icon is a filled box; show a whisker.
			{Name: ciSeries, Icon: whiskerIcon},
		})),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		echarts.WithGridOpts(opts.Grid{
			Top: px(passRateGridTop), Bottom: px(passRateGridBot), Left: "56", Right: "16",
		}),
		echarts.WithXAxisOpts(opts.XAxis{
			Type: "category",
			AxisLabel: &opts.AxisLabel{
				Interval: "0", Width: 120, Overflow: "truncate",
				ShowMinLabel: opts.Bool(true), ShowMaxLabel: opts.Bool(true),
			},
			AxisTick: &opts.AxisTick{AlignWithLabel: opts.Bool(true)},
		}),
		echarts.WithYAxisOpts(opts.YAxis{
			Type: "value", Min: 0, Max: 100, SplitNumber: 5,
			AxisLabel: &opts.AxisLabel{Formatter: "{value} %"},
		}),
	)
	bar.SetXAxis(labels)
	bar.AddSeries(passRateSeries, nil,
		echarts.WithSeriesOpts(func(s *echarts.SingleSeries) {
			s.Data = barItems
			s.BarMaxWidth = "72"
		}),
		echarts.WithItemStyleOpts(opts.ItemStyle{Color: passRateBarColor}),
	)
	box := echarts.NewBoxPlot()
	box.AddSeries(ciSeries, nil,
		echarts.WithSeriesOpts(func(s *echarts.SingleSeries) { s.Data = boxItems }),
		echarts.WithItemStyleOpts(opts.ItemStyle{
			Color: "transparent", BorderColor: passRateInkColor, BorderWidth: 1.5,
		}),
	)
	bar.Overlap(box)

	option, err := Options(bar)
	if err != nil {
		return Chart{}, err
	}
	return Chart{Name: "pass-rate", ID: id, Title: title, Height: passRateHeight, Option: option}, nil
}

// barItem and boxItem are data items with the few fields go-echarts'
// opts.BarData lacks (label offset), encoded as ECharts expects.
type barItem struct {
	Value     any             `json:"value"`
	ItemStyle *opts.ItemStyle `json:"itemStyle,omitempty"`
	Label     *itemLabel      `json:"label,omitempty"`
	Tooltip   *itemTooltip    `json:"tooltip,omitempty"`
}

type boxItem struct {
	Value   []any        `json:"value"`
	Tooltip *itemTooltip `json:"tooltip,omitempty"`
}

type itemLabel struct {
	Show       bool   `json:"show"`
	Position   string `json:"position"`
	Formatter  string `json:"formatter"`
	Offset     [2]int `json:"offset"`
	Color      string `json:"color,omitempty"`
	FontSize   int    `json:"fontSize,omitempty"`
	FontWeight string `json:"fontWeight,omitempty"`
}

// legendItem names a series in the legend with its own icon.
type legendItem struct {
	Name      string     `json:"name"`
	Icon      string     `json:"icon"`
	ItemStyle *itemStyle `json:"itemStyle,omitempty"`
}

// NoData is what an empty slot or curve says when the caller gives no
// text in the page's language.
const NoData = "no data"

// mutedInk draws "no data": read, but quieter than a result.
const mutedInk = "#5f6b76"

// whiskerIcon is an I-shaped error bar (8×14 units); ECharts keeps its aspect
// ratio inside the legend's item box.
const whiskerIcon = "path://M0,0H8V1H4.5V13H8V14H0V13H3.5V1H0Z"

type itemTooltip struct {
	Formatter string `json:"formatter"`
}

// passRateTooltip is an ECharts string template: {b} (the candidate label)
// is HTML-escaped by ECharts; the rest is our own digits and markup.
func passRateTooltip(b PassRateBar, level string) (string, error) {
	text, err := literalText(fmt.Sprintf("%d/%d passed (%s %%)<br/>%s Wilson interval %s–%s %%",
		b.Passed, b.N, pctText(b.Estimate), level, pctText(b.Lower), pctText(b.Upper)))
	if err != nil {
		return "", err
	}
	return "{b}<br/>" + text, nil
}

// literalText returns s for use as an ECharts string formatter that must be
// shown as is. ECharts string templates have no escape for braces: "{b}",
// "{@x}" and rich-text "{style|text}" are substituted, so a brace in s could
// change what is shown. Builders only pass text they made from numbers, so a
// brace means a programming error and is refused rather than mangled.
func literalText(s string) (string, error) {
	if strings.ContainsAny(s, "{}") {
		return "", fmt.Errorf("charts: label %q contains a brace, which ECharts would read as a template", s)
	}
	return s, nil
}

func checkPassRate(bars []PassRateBar) error {
	seen := make(map[string]bool, len(bars))
	for i, b := range bars {
		where := fmt.Sprintf("charts: pass rate bar %d (%q)", i, b.Label)
		switch {
		case strings.TrimSpace(b.Label) == "":
			return fmt.Errorf("%s: empty label", where)
		case seen[b.Label]:
			// ECharts would merge or mislabel repeated categories.
			return fmt.Errorf("%s: label repeated", where)
		case b.N < 0 || b.Passed < 0 || b.Passed > b.N:
			return fmt.Errorf("%s: %d passed of %d", where, b.Passed, b.N)
		}
		seen[b.Label] = true
		if b.N == 0 {
			continue
		}
		for _, v := range []float64{b.Estimate, b.Lower, b.Upper} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s: non-finite value in estimate %v [%v, %v]", where, b.Estimate, b.Lower, b.Upper)
			}
		}
		const eps = 1e-9
		if b.Lower < -eps || b.Lower > b.Estimate+eps || b.Estimate > b.Upper+eps || b.Upper > 1+eps {
			return fmt.Errorf("%s: want 0 ≤ lower ≤ estimate ≤ upper ≤ 1, got %v [%v, %v]", where, b.Estimate, b.Lower, b.Upper)
		}
	}
	return nil
}

// pct converts a proportion to a percentage rounded to 0.1, the precision
// the chart can show; it keeps the option small and the tooltip tidy.
func pct(p float64) float64 { return math.Round(p*1000) / 10 }

func pctText(p float64) string { return strconv.FormatFloat(pct(p), 'f', 1, 64) }

func px(n int) string { return strconv.Itoa(n) }
