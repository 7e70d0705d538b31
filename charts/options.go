package charts

import (
	"encoding/json"
	"fmt"
)

// Optioner is what every go-echarts chart (Bar, BoxPlot, Line, …) provides.
type Optioner interface {
	// Validate finalises the option (copies axis data into place); go-echarts
	// only calls it from Render, which RuggedLab never uses.
	Validate()
	// JSON returns the option object as a map.
	JSON() map[string]interface{}
}

// Options turns a go-echarts chart into ECharts option JSON for
// Chart.Option. It calls c.Validate() first, turns animation off (pages are
// static reports, and browser tests sample the canvas right after load), and
// encodes with encoding/json.
//
// It returns an error when the option cannot be encoded, typically a NaN or
// ±Inf data value ("json: unsupported value: NaN"). go-echarts' own Render
// swallows that error and emits an empty option, so the chart silently does
// not draw. Use "-" (opts.BarData{Value: "-"}) for a missing point.
//
// c is mutated by Validate; build a fresh chart per call.
func Options(c Optioner) (json.RawMessage, error) {
	c.Validate()
	m := c.JSON()
	m["animation"] = false
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("charts: encode option: %w", err)
	}
	return b, nil
}
