package charts

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// palette gives each candidate on a page its colour: Okabe–Ito, which stays
// distinguishable with the common colour-vision deficiencies. Yellow is left
// out (unreadable as a thin line on white); past seven candidates colours
// repeat, and the legend and tables still tell them apart.
var palette = [...]string{"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#000000"}

// Color returns the colour of the i-th candidate (0-based), the same in
// every chart of a page, so pages can colour table rows or keys to match.
func Color(i int) string {
	if i < 0 {
		i = -i
	}
	return palette[i%len(palette)]
}

// optionWithSeries is Options for charts whose series need ECharts fields
// go-echarts' SingleSeries lacks (silent, z, symbolOffset, per-item styles)
// or whose data must stay compact ([x, y] arrays rather than go-echarts'
// {"value": [x, y]} objects, which triple the size of a long curve). The
// go-echarts chart still supplies everything else (title, legend, axes,
// grid, tooltip); its series list is replaced by series, which must encode
// to the ECharts series array.
func optionWithSeries(c Optioner, series any) (json.RawMessage, error) {
	c.Validate()
	m := c.JSON()
	m["series"] = series
	m["animation"] = false
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("charts: encode option: %w", err)
	}
	return b, nil
}

// point is one [x, y] data item: a JSON array, the smallest form ECharts
// reads.
type point [2]float64

// roundTo rounds v to dec decimals: charts cannot show more, and every
// digit dropped is a byte less on a page of 80,000 points.
func roundTo(v float64, dec int) float64 {
	p := math.Pow(10, float64(dec))
	return math.Round(v*p) / p
}

// finite reports whether every value is a number JSON can carry.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// seriesTooltip is a series- or item-level tooltip: a literal string
// template (see literalText) or hidden.
type seriesTooltip struct {
	Show      *bool  `json:"show,omitempty"`
	Formatter string `json:"formatter,omitempty"`
}

type lineStyle struct {
	Color   string  `json:"color,omitempty"`
	Width   float64 `json:"width"`
	Type    string  `json:"type,omitempty"`
	Opacity float64 `json:"opacity"`
}

type areaStyle struct {
	Color   string  `json:"color"`
	Opacity float64 `json:"opacity"`
}

type itemStyle struct {
	Color       string  `json:"color,omitempty"`
	BorderColor string  `json:"borderColor,omitempty"`
	BorderWidth float64 `json:"borderWidth,omitempty"`
	Opacity     float64 `json:"opacity,omitempty"`
}

// emphasis switches off the hover highlight where it would only flicker
// (bands, many overlaid curves).
type emphasis struct {
	Disabled bool `json:"disabled"`
	// AreaStyle is the area's look when emphasised (a KM band shown on
	// hover).
	AreaStyle *areaStyle `json:"areaStyle,omitempty"`
}

func hidden() *seriesTooltip { f := false; return &seriesTooltip{Show: &f} }

// ColorClass returns the app.css class that paints a colour key (.swatch)
// in color, one of the palette's colours: "c0" for Color(0), and so on.
// Pages use it instead of a style attribute, which their
// Content-Security-Policy forbids. It returns "" for any other colour.
func ColorClass(color string) string {
	for i, c := range palette {
		if c == color {
			return "c" + strconv.Itoa(i)
		}
	}
	return ""
}
