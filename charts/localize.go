package charts

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Words is what a chart needs from a page's language to speak it: the
// message catalogue's lookup (i18n.Printer has these methods). It is an
// argument, not a package setting, so builders stay pure and the package
// keeps no state; charts does not import the catalogue.
type Words interface {
	// Known reports whether Text has a text for s: s itself, or its
	// pattern with its numbers taken out ("95 % interval (Wilson)" by
	// "%s %% interval (Wilson)").
	Known(s string) bool
	// Text translates s, putting its numbers back with the language's
	// decimal mark.
	Text(s string) string
	// Decimal gives the numbers of a text the language's decimal mark.
	Decimal(s string) string
}

// tooltipBreak separates the lines of a tooltip or label formatter; each
// line is one message of the catalogue ("{b}", "4/5 passed (80.0 %)").
const tooltipBreak = "<br/>"

// Localize returns c with the chart's own words in w's language: the
// builders write English notes, series and axis names, legends and
// tooltips; each of those strings that w knows (exactly, or as a pattern
// with its numbers) is replaced by its translation, the same everywhere,
// so a legend entry still names its series and a tooltip's {a} its
// legend. A formatter (tooltip, label, axis label) is translated line by
// line (lines end at <br/>); a line w does not know keeps its words and
// only gets the language's decimal mark ("45.0 %" → "45,0 %").
//
// Candidate names are not translated: a category axis's data and a data
// item's name are user text (a tooltip's {b}). Title is translated when w
// knows it (a section title, as the page's heading shows it); Caption is
// the caller's, already in the page's language.
func Localize(c Chart, w Words) (Chart, error) {
	var v any
	if err := json.Unmarshal(c.Option, &v); err != nil {
		return Chart{}, fmt.Errorf("charts: localize %q: %w", c.ID, err)
	}
	word := func(x any) any {
		if s, ok := x.(string); ok && s != "" && w.Known(s) {
			return w.Text(s)
		}
		return x
	}
	formatter := func(x any) any {
		s, ok := x.(string)
		if !ok {
			return x
		}
		lines := strings.Split(s, tooltipBreak)
		for i, l := range lines {
			if l != "" && w.Known(l) {
				lines[i] = w.Text(l)
			} else {
				lines[i] = w.Decimal(l)
			}
		}
		return strings.Join(lines, tooltipBreak)
	}
	// walk translates the option's words. legend: x is a legend, whose
	// data are series names; inData: x is inside a series' or axis's data,
	// where only formatters (an item's own tooltip or label) are words.
	var walk func(x any, legend, inData bool)
	walk = func(x any, legend, inData bool) {
		switch x := x.(type) {
		case map[string]any:
			for k, val := range x {
				switch {
				case k == "formatter":
					x[k] = formatter(val)
				case inData:
					walk(val, false, true)
				case k == "subtext" || k == "name":
					x[k] = word(val)
				case k == "data" && legend:
					if items, ok := val.([]any); ok {
						for i, it := range items {
							items[i] = word(it)
							walk(it, false, false)
						}
					}
				case k == "data":
					walk(val, false, true)
				default:
					walk(val, k == "legend", false)
				}
			}
		case []any:
			for _, it := range x {
				walk(it, legend, inData)
			}
		}
	}
	walk(v, false, false)
	b, err := json.Marshal(v)
	if err != nil {
		return Chart{}, fmt.Errorf("charts: localize %q: %w", c.ID, err)
	}
	c.Option = b
	if c.Title != "" && w.Known(c.Title) {
		c.Title = w.Text(c.Title)
	}
	return c, nil
}
