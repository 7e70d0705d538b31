// Package report lays out a test report (issue #13 item 3, ISO/IEC
// 17025:2017 §7.8.2.1) as a PDF. It is pure: a Report in, the PDF's bytes
// out. Handlers gather the figures from the same store and verdict calls
// the pages use and put them, already formatted and in the reader's
// language, into a Report; this package only places them on pages, draws
// the charts with the PDF library's own vector primitives (no browser, no
// raster), and numbers every page "page n of N".
//
// The library is codeberg.org/go-pdf/fpdf: the maintained fork of
// jung-kurt/gofpdf, pure Go (no cgo, nothing to install), with embedded
// UTF-8 TrueType fonts. The fonts are DejaVu Sans (fonts/, the Bitstream
// Vera licence in fonts/LICENSE), so French accents, "≥", "·" and "–"
// print and extract as text.
package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"ruggedlab/i18n"
)

//go:embed fonts/DejaVuSans.ttf
var fontRegular []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var fontBold []byte

// Report is everything a report shows, formatted.
type Report struct {
	// ID is the report's unique identifier, printed on every page.
	ID    string
	Title string
	Lab   Lab
	// Subject says what was tested, e.g. "Requirement profile FSI-2020,
	// version 2" or "Candidate atlas-r1".
	Subject string
	Issued  time.Time
	// TestedFrom and TestedTo bound the tests' start dates (nil: none).
	TestedFrom, TestedTo *time.Time
	Sections             []Section
	// Tr is the reader's language (nil: English).
	Tr *i18n.Printer
}

// Lab is the laboratory that issues the report.
type Lab struct {
	Name    string
	Address string // may hold several lines
}

// Section is one numbered part of the report.
type Section struct {
	Heading string
	Text    []string // paragraphs, before the tables and charts
	Tables  []Table
	Charts  []Chart
}

// Table is a captioned table; every cell is already formatted text.
type Table struct {
	Caption string
	Header  []string
	// Weights share the width between columns (nil: equal shares).
	Weights []float64
	// Num right-aligns the columns holding figures.
	Num  []bool
	Rows [][]string
	// Empty is shown instead of the rows when there are none.
	Empty string
	// FontSize in points (0: 7.5, or 6.5 past eight columns).
	FontSize float64
}

// Chart is one drawn figure: exactly one of Steps and Bars.
type Chart struct {
	Title  string
	XLabel string
	YLabel string
	Steps  []StepSeries // a step chart (Kaplan–Meier survival)
	Bars   *BarChart    // a bar chart with interval whiskers
}

// StepSeries is one curve of a step chart: the value holds from each
// point to the next.
type StepSeries struct {
	Label  string
	Color  string // "#rrggbb"
	Points []Point
}

// Point is one step: Y from X on.
type Point struct{ X, Y float64 }

// BarChart groups bars (one per series) by category, each with an
// optional interval and a target line per category.
type BarChart struct {
	Categories []string
	Series     []BarSeries
	// YMax is the axis' top (e.g. 100 for percentages); 0: from the data.
	YMax float64
	// Targets holds one target per category (nil: none), drawn as a dashed line.
	Targets []*float64
}

// BarSeries is one candidate's bars, one value per category.
type BarSeries struct {
	Label  string
	Color  string
	Values []Bar
}

// Bar is a value with its interval; Value nil draws nothing.
type Bar struct {
	Value, Lower, Upper *float64
}

// Page geometry, in millimetres (A4 portrait).
const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
	bodyW        = pageW - 2*margin
	lineH        = 4.6
	font         = "dejavu"
	// nbAlias is replaced by the page count when the document closes.
	nbAlias = "{nb}"
)

// Render lays out r as a PDF. Errors come from the PDF library (a font
// that cannot be read, a broken layout) and are bugs, not bad input.
func Render(r Report) ([]byte, error) {
	t := func(key string, args ...any) string { return i18n.TOr(r.Tr, key, args...) }
	f := fpdf.New("P", "mm", "A4", "")
	f.SetMargins(margin, margin+8, margin)
	f.SetAutoPageBreak(true, margin+8)
	f.AddUTF8FontFromBytes(font, "", fontRegular)
	f.AddUTF8FontFromBytes(font, "B", fontBold)
	f.AliasNbPages(nbAlias)
	// The dates inside the file are the issue date, so the same report
	// issued twice is byte for byte the same file.
	f.SetCreationDate(r.Issued)
	f.SetModificationDate(r.Issued)
	f.SetCatalogSort(true)
	f.SetTitle(r.Title+" "+r.ID, true)
	f.SetCreator("RuggedLab", true)
	f.SetAuthor(r.Lab.Name, true)
	lang := "en"
	if r.Tr != nil {
		lang = string(r.Tr.Lang)
	}
	f.SetLang(lang)

	f.SetHeaderFunc(func() {
		f.SetFont(font, "", 7.5)
		f.SetTextColor(90, 90, 90)
		f.SetXY(margin, 8)
		f.CellFormat(bodyW/2, 4, r.Lab.Name, "", 0, "L", false, 0, "")
		f.CellFormat(bodyW/2, 4, t("Report %s", r.ID), "", 0, "R", false, 0, "")
		f.SetDrawColor(180, 180, 180)
		f.SetLineWidth(0.2)
		f.Line(margin, 13, pageW-margin, 13)
		f.SetTextColor(0, 0, 0)
		f.SetXY(margin, margin+8)
	})
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont(font, "", 7.5)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(bodyW/2, 4, r.Title, "", 0, "L", false, 0, "")
		f.CellFormat(bodyW/2, 4, t("page %s of %s", strconv.Itoa(f.PageNo()), nbAlias), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})

	f.AddPage()
	titleBlock(f, r, t)
	for i, s := range r.Sections {
		section(f, i+1, s, t)
	}
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return buf.Bytes(), nil
}

func titleBlock(f *fpdf.Fpdf, r Report, t func(string, ...any) string) {
	f.SetFont(font, "B", 16)
	f.MultiCell(bodyW, 7, r.Title, "", "L", false)
	f.Ln(1)
	f.SetFont(font, "", 10.5)
	f.MultiCell(bodyW, 5.5, r.Subject, "", "L", false)
	f.Ln(2)
	date := func(d time.Time) string {
		if r.Tr != nil {
			return r.Tr.Date(d)
		}
		return d.UTC().Format("2006-01-02")
	}
	tested := t("no test recorded")
	if r.TestedFrom != nil && r.TestedTo != nil {
		tested = t("%s to %s", date(*r.TestedFrom), date(*r.TestedTo))
	}
	issued := date(r.Issued) + " " + r.Issued.UTC().Format("15:04") + " UTC"
	rows := [][2]string{
		{t("Report id"), r.ID},
		{t("Laboratory"), strings.TrimSpace(r.Lab.Name + "\n" + r.Lab.Address)},
		{t("Dates of the tests"), tested},
		{t("Date of issue"), issued},
	}
	f.SetDrawColor(180, 180, 180)
	f.SetLineWidth(0.2)
	for _, kv := range rows {
		f.SetFont(font, "B", 9)
		lines := f.SplitText(kv[1], bodyW-45)
		h := float64(max(1, len(lines))) * lineH
		y := f.GetY()
		f.CellFormat(45, h, kv[0], "T", 0, "L", false, 0, "")
		f.SetFont(font, "", 9)
		f.SetXY(margin+45, y)
		f.MultiCell(bodyW-45, lineH, kv[1], "T", "L", false)
		f.SetY(y + h)
	}
	f.Line(margin, f.GetY(), pageW-margin, f.GetY())
	f.Ln(4)
}

func section(f *fpdf.Fpdf, n int, s Section, t func(string, ...any) string) {
	if f.GetY() > pageH-margin-40 {
		f.AddPage()
	}
	f.SetFont(font, "B", 12)
	f.MultiCell(bodyW, 6.5, strconv.Itoa(n)+". "+s.Heading, "", "L", false)
	f.Ln(1)
	f.SetFont(font, "", 9)
	for _, p := range s.Text {
		f.MultiCell(bodyW, lineH, p, "", "L", false)
		f.Ln(1.5)
	}
	for _, tb := range s.Tables {
		table(f, tb)
	}
	for _, c := range s.Charts {
		chart(f, c, t)
	}
	f.Ln(3)
}

// table draws tb, repeating its header on each new page.
func table(f *fpdf.Fpdf, tb Table) {
	cols := len(tb.Header)
	if cols == 0 {
		return
	}
	widths := make([]float64, cols)
	total := 0.0
	for i := range widths {
		w := 1.0
		if i < len(tb.Weights) && tb.Weights[i] > 0 {
			w = tb.Weights[i]
		}
		widths[i] = w
		total += w
	}
	for i := range widths {
		widths[i] = widths[i] / total * bodyW
	}
	const cellH = 3.8
	size := 7.5
	if cols > 8 {
		size = 6.5
	}
	if tb.FontSize > 0 {
		size = tb.FontSize
	}
	if f.GetY() > pageH-margin-30 {
		f.AddPage()
	}
	if tb.Caption != "" {
		f.SetFont(font, "B", 8.5)
		f.MultiCell(bodyW, lineH, tb.Caption, "", "L", false)
	}
	f.SetDrawColor(160, 160, 160)
	f.SetLineWidth(0.15)
	row := func(cells []string, bold, fill bool) {
		style := ""
		if bold {
			style = "B"
		}
		f.SetFont(font, style, size)
		lines := make([][]string, cols)
		n := 1
		for i := 0; i < cols; i++ {
			txt := ""
			if i < len(cells) {
				txt = cells[i]
			}
			lines[i] = f.SplitText(txt, widths[i])
			n = max(n, len(lines[i]))
		}
		h := float64(n)*cellH + 1
		if f.GetY()+h > pageH-margin-8 {
			f.AddPage()
			if !bold {
				header(f, tb, widths, size)
				f.SetFont(font, style, size)
			}
		}
		x, y := margin, f.GetY()
		for i := 0; i < cols; i++ {
			if fill {
				f.SetFillColor(235, 238, 242)
			}
			f.Rect(x, y, widths[i], h, map[bool]string{true: "FD", false: "D"}[fill])
			align := "L"
			if i < len(tb.Num) && tb.Num[i] && !bold {
				align = "R"
			}
			for j, l := range lines[i] {
				f.SetXY(x, y+0.5+float64(j)*cellH)
				f.CellFormat(widths[i], cellH, l, "", 0, align, false, 0, "")
			}
			x += widths[i]
		}
		f.SetXY(margin, y+h)
	}
	header(f, tb, widths, size)
	if len(tb.Rows) == 0 && tb.Empty != "" {
		row([]string{tb.Empty}, false, false)
	}
	for _, r := range tb.Rows {
		row(r, false, false)
	}
	f.Ln(3)
}

func header(f *fpdf.Fpdf, tb Table, widths []float64, size float64) {
	f.SetFont(font, "B", size)
	const cellH = 3.8
	n := 1
	lines := make([][]string, len(widths))
	for i := range widths {
		lines[i] = f.SplitText(tb.Header[i], widths[i])
		n = max(n, len(lines[i]))
	}
	h := float64(n)*cellH + 1
	x, y := margin, f.GetY()
	f.SetFillColor(225, 230, 238)
	for i := range widths {
		f.Rect(x, y, widths[i], h, "FD")
		for j, l := range lines[i] {
			f.SetXY(x, y+0.5+float64(j)*cellH)
			f.CellFormat(widths[i], cellH, l, "", 0, "L", false, 0, "")
		}
		x += widths[i]
	}
	f.SetXY(margin, y+h)
}

// rgb reads "#rrggbb"; anything else is grey.
func rgb(s string) (int, int, int) {
	if len(s) == 7 && s[0] == '#' {
		if v, err := strconv.ParseUint(s[1:], 16, 32); err == nil {
			return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)
		}
	}
	return 100, 100, 100
}
