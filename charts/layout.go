package charts

import "github.com/go-echarts/go-echarts/v2/opts"

// Layout shared by every builder (issue #16 item 6).
//
// A chart sits in a page section whose heading already names it, so the
// option draws no title text: a title repeating the heading only took the
// room the legend needed. Chart.Title stays the chart's accessible name
// (aria-label) and is the title static/charts.js draws on a downloaded PNG
// or SVG, where there is no page heading around it.
//
// What the marks mean (a note such as "Dots: one per unit") is the
// title's subtext, on its own line under the legend, which starts at the
// left and scrolls rather than wrapping into the note or the plot on a
// narrow screen.
const (
	legendTop = "0"
	noteTop   = "24"
	// Plot top with and without a note: room for the legend, the note and
	// the y axis name above the plot.
	gridTopNote  = "72"
	gridTopPlain = "48"
)

// note is the title option of a chart: no text, only the subtext (empty
// for none).
func note(text string) opts.Title {
	return opts.Title{Subtitle: text, Left: "left", Top: noteTop}
}

// legendOf is the chart's legend: data is a []string or []legendItem.
func legendOf(data any) opts.Legend {
	return opts.Legend{Show: opts.Bool(true), Type: "scroll", Left: "0", Top: legendTop, Data: data}
}

// gridTop is the plot's top edge for a chart with or without a note.
func gridTop(hasNote bool) string {
	if hasNote {
		return gridTopNote
	}
	return gridTopPlain
}

// outlineKey is a legend entry for a series whose marks carry each
// candidate's own colour (pass-rate bars, unit dots): the entry shows the
// mark's shape in ink, not a colour that no mark has.
func outlineKey(name, icon string) legendItem {
	return legendItem{Name: name, Icon: icon, ItemStyle: &itemStyle{Color: "transparent", BorderColor: passRateInkColor, BorderWidth: 1.5}}
}

// emptySlot is the category label of a candidate with nothing to draw:
// its name and, under it, why the slot is empty (issue #16 item 6).
func emptySlot(label, empty string) string {
	if empty == "" {
		empty = NoData
	}
	return label + "\n(" + empty + ")"
}
