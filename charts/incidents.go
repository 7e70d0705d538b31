package charts

import (
	"fmt"
	"strings"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// IncidentSeries is one incident category in the field-trial chart: its
// rate per 1,000 device-days for each candidate, in the order of the
// chart's labels. A NaN (no exposure) draws nothing for that candidate.
type IncidentSeries struct {
	// Category names the series in the legend ("display_cracked"); user
	// text, escaped, and must not contain a brace.
	Category string
	Rates    []float64
}

// Incidents builds the "trial-incidents" chart of a field trial
// (/trials/{id}): one stacked bar per candidate, one segment per incident
// category, in incidents per 1,000 device-days, so candidates carried for
// different exposures compare fairly. Each candidate's overall exact
// interval is on the trial page's table, not on the chart (a stack has no
// single whisker per segment).
//
// It returns ErrNoData for no labels or no series, and an error for an
// empty or repeated label, a series of the wrong length, a brace in a
// name, or a negative or infinite rate.
func Incidents(id, title string, labels []string, series []IncidentSeries) (Chart, error) {
	if len(labels) == 0 || len(series) == 0 {
		return Chart{}, ErrNoData
	}
	seen := map[string]bool{}
	for i, l := range labels {
		if strings.TrimSpace(l) == "" || seen[l] {
			return Chart{}, fmt.Errorf("charts: incident label %d (%q): empty or repeated", i, l)
		}
		seen[l] = true
	}
	bar := echarts.NewBar()
	bar.SetGlobalOptions(
		echarts.WithTitleOpts(note("Incidents per 1,000 device-days, by category (retracted incidents left out).")),
		echarts.WithLegendOpts(legendOf(nil)),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: "{b}<br/>{a}: {c} / 1,000 device-days"}),
		echarts.WithGridOpts(opts.Grid{Top: gridTop(true), Bottom: "48", Left: "56", Right: "16"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "category",
			AxisLabel: &opts.AxisLabel{Interval: "0", Width: 140, Overflow: "truncate"},
			AxisTick:  &opts.AxisTick{AlignWithLabel: opts.Bool(true)}}),
		echarts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "per 1,000 device-days", Min: 0}),
	)
	bar.SetXAxis(labels)
	for i, s := range series {
		name, err := literalText(s.Category)
		if err != nil {
			return Chart{}, err
		}
		if strings.TrimSpace(name) == "" || len(s.Rates) != len(labels) {
			return Chart{}, fmt.Errorf("charts: incident series %d (%q): empty name or %d rates for %d candidates", i, name, len(s.Rates), len(labels))
		}
		data := make([]opts.BarData, len(labels))
		for k, r := range s.Rates {
			switch {
			case r != r: // NaN: no exposure
				data[k] = opts.BarData{Value: "-"}
			case !finite(r) || r < 0:
				return Chart{}, fmt.Errorf("charts: incident series %q: rate %v", name, r)
			default:
				data[k] = opts.BarData{Value: roundTo(r, 2)}
			}
		}
		bar.AddSeries(name, data, echarts.WithBarChartOpts(opts.BarChart{Stack: "incidents"}),
			echarts.WithItemStyleOpts(opts.ItemStyle{Color: Color(i)}))
	}
	option, err := Options(bar)
	if err != nil {
		return Chart{}, err
	}
	return Chart{Name: "trial-incidents", ID: id, Title: title, Height: 420, Option: option}, nil
}
