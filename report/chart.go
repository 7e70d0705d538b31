package report

import (
	"math"
	"strconv"

	"codeberg.org/go-pdf/fpdf"
)

// Charts are drawn with the PDF's own vector operators (lines, rectangles,
// text): sharp at any zoom, their labels are text a reader can search and
// extract, and nothing needs a browser or an image library.

const (
	chartH    = 62.0 // plot area height
	axisLeft  = 14.0 // room for the y tick labels
	legendRow = 4.2
)

func chart(f *fpdf.Fpdf, c Chart, t func(string, ...any) string) {
	series := len(c.Steps)
	if c.Bars != nil {
		series = len(c.Bars.Series)
	}
	need := chartH + 22 + float64((series+2)/3)*legendRow
	if f.GetY()+need > pageH-margin-8 {
		f.AddPage()
	}
	f.SetFont(font, "B", 8.5)
	f.MultiCell(bodyW, lineH, c.Title, "", "L", false)
	x0, y0 := margin+axisLeft, f.GetY()+2
	w := bodyW - axisLeft - 2
	switch {
	case c.Bars != nil:
		bars(f, c, x0, y0, w)
	default:
		steps(f, c, x0, y0, w)
	}
	// Axis titles.
	f.SetFont(font, "", 7)
	f.SetTextColor(60, 60, 60)
	f.Text(x0, y0-0.8, c.YLabel)
	if c.XLabel != "" {
		f.SetXY(x0, y0+chartH+5)
		f.CellFormat(w, 3.5, c.XLabel, "", 0, "C", false, 0, "")
	}
	// Legend, three to a row.
	y := y0 + chartH + 9
	var labels, colors []string
	if c.Bars != nil {
		for _, s := range c.Bars.Series {
			labels, colors = append(labels, s.Label), append(colors, s.Color)
		}
	} else {
		for _, s := range c.Steps {
			labels, colors = append(labels, s.Label), append(colors, s.Color)
		}
	}
	for i, l := range labels {
		lx := margin + axisLeft + float64(i%3)*(w/3)
		ly := y + float64(i/3)*legendRow
		r, g, b := rgb(colors[i])
		f.SetFillColor(r, g, b)
		f.Rect(lx, ly, 4, 2.6, "F")
		f.Text(lx+5.5, ly+2.4, l)
	}
	f.SetTextColor(0, 0, 0)
	f.SetY(y + float64((len(labels)+2)/3)*legendRow + 3)
}

// frame draws the plot box and the y axis from 0 to ymax with ticks.
func frame(f *fpdf.Fpdf, x0, y0, w, ymax float64, yTick func(float64) string) {
	f.SetDrawColor(120, 120, 120)
	f.SetLineWidth(0.2)
	f.Line(x0, y0, x0, y0+chartH)
	f.Line(x0, y0+chartH, x0+w, y0+chartH)
	f.SetFont(font, "", 6.5)
	f.SetTextColor(60, 60, 60)
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		y := y0 + chartH - chartH*float64(i)/4
		f.SetDrawColor(225, 225, 225)
		if i > 0 {
			f.Line(x0, y, x0+w, y)
		}
		label := yTick(v)
		f.Text(x0-1.5-f.GetStringWidth(label), y+1.1, label)
	}
	f.SetDrawColor(120, 120, 120)
}

func steps(f *fpdf.Fpdf, c Chart, x0, y0, w float64) {
	xmax := 0.0
	for _, s := range c.Steps {
		for _, p := range s.Points {
			xmax = math.Max(xmax, p.X)
		}
	}
	xmax = niceCeil(xmax)
	frame(f, x0, y0, w, 1, func(v float64) string { return strconv.FormatFloat(v*100, 'f', 0, 64) + " %" })
	// x ticks
	for i := 0; i <= 5; i++ {
		v := xmax * float64(i) / 5
		x := x0 + w*float64(i)/5
		f.Line(x, y0+chartH, x, y0+chartH+1)
		label := strconv.FormatFloat(v, 'f', -1, 64)
		f.Text(x-f.GetStringWidth(label)/2, y0+chartH+3.8, label)
	}
	px := func(v float64) float64 { return x0 + w*v/xmax }
	py := func(v float64) float64 { return y0 + chartH*(1-v) }
	f.SetLineWidth(0.5)
	for _, s := range c.Steps {
		r, g, b := rgb(s.Color)
		f.SetDrawColor(r, g, b)
		// A survival curve starts at 1 at time 0 and falls at each step.
		x, y := 0.0, 1.0
		for _, p := range s.Points {
			f.Line(px(x), py(y), px(p.X), py(y))
			f.Line(px(p.X), py(y), px(p.X), py(p.Y))
			x, y = p.X, p.Y
		}
		if len(s.Points) > 0 {
			// The last step holds to the end of observation.
			f.Line(px(x), py(y), px(x)+0.8, py(y))
		}
	}
	f.SetLineWidth(0.2)
}

func bars(f *fpdf.Fpdf, c Chart, x0, y0, w float64) {
	bc := c.Bars
	ymax := bc.YMax
	if ymax <= 0 {
		for _, s := range bc.Series {
			for _, v := range s.Values {
				for _, p := range []*float64{v.Value, v.Upper} {
					if p != nil {
						ymax = math.Max(ymax, *p)
					}
				}
			}
		}
		ymax = niceCeil(ymax)
	}
	frame(f, x0, y0, w, ymax, func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) })
	n := len(bc.Categories)
	if n == 0 || len(bc.Series) == 0 {
		return
	}
	groupW := w / float64(n)
	barW := math.Min(groupW*0.8/float64(len(bc.Series)), 12)
	py := func(v float64) float64 { return y0 + chartH*(1-math.Max(0, math.Min(v, ymax))/ymax) }
	f.SetFont(font, "", 6.3)
	f.SetTextColor(60, 60, 60)
	for gi, cat := range bc.Categories {
		gx := x0 + groupW*float64(gi)
		start := gx + (groupW-barW*float64(len(bc.Series)))/2
		for si, s := range bc.Series {
			if gi >= len(s.Values) || s.Values[gi].Value == nil {
				continue
			}
			v := s.Values[gi]
			bx := start + barW*float64(si)
			r, g, b := rgb(s.Color)
			f.SetFillColor(r, g, b)
			f.Rect(bx+0.3, py(*v.Value), barW-0.6, y0+chartH-py(*v.Value), "F")
			if v.Lower != nil && v.Upper != nil {
				mx := bx + barW/2
				f.SetDrawColor(30, 30, 30)
				f.SetLineWidth(0.25)
				f.Line(mx, py(*v.Lower), mx, py(*v.Upper))
				f.Line(mx-0.8, py(*v.Lower), mx+0.8, py(*v.Lower))
				f.Line(mx-0.8, py(*v.Upper), mx+0.8, py(*v.Upper))
			}
		}
		if gi < len(bc.Targets) && bc.Targets[gi] != nil {
			f.SetDrawColor(200, 0, 0)
			f.SetLineWidth(0.3)
			f.SetDashPattern([]float64{1.2, 0.8}, 0)
			y := py(*bc.Targets[gi])
			f.Line(gx+1, y, gx+groupW-1, y)
			f.SetDashPattern([]float64{}, 0)
		}
		lines := f.SplitText(cat, groupW-1)
		for j, l := range lines {
			if j == 2 {
				break
			}
			f.Text(gx+(groupW-f.GetStringWidth(l))/2, y0+chartH+3+float64(j)*2.6, l)
		}
	}
	f.SetDrawColor(120, 120, 120)
	f.SetLineWidth(0.2)
	f.SetTextColor(0, 0, 0)
}

// niceCeil rounds v up to a round multiple of a power of ten (1 for v ≤ 0),
// so the five tick steps are round numbers.
func niceCeil(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
