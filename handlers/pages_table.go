package handlers

import (
	"context"
	"encoding/json"
	"math"
	"mime"
	"net/http"
	"ruggedlab/i18n"
	"ruggedlab/models"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// table is a table as a page shows it and as its exports carry it: the
// HTML, the CSV and the JSON are written from the same cells, so an export
// holds exactly the numbers on the page (api.md §8), rounded as shown.
type table struct {
	ID      string // element id and export key
	Caption string
	Columns []column
	Rows    [][]cell
	// Collapsed tables (long Kaplan–Meier step lists) sit in a <details>.
	Collapsed bool
	// Translated column labels were put in the page's language by the
	// builder (they hold data, e.g. a criterion's title); the template
	// translates the others (i18n.go).
	Translated bool
	// RowClasses, when set, gives each row's class ("retracted"), by
	// index; pages only (exports carry the status column).
	RowClasses []string
}

// RowClass is row i's class, "" for none.
func (t table) RowClass(i int) string {
	if i < len(t.RowClasses) {
		return t.RowClasses[i]
	}
	return ""
}

type column struct {
	Key   string // export header: snake_case with the unit, e.g. estimate_pct
	Label string // page header
	Num   bool   // right-aligned figures
}

// cell is one value. Text is what the page shows; Num, when set, is the same
// number as shown (parsed back from Text, so the export cannot be more or
// less precise than the page); missing values have Text "–" and no Num.
type cell struct {
	Text  string
	Num   *float64
	Href  string // a link on the page (not exported)
	Class string // e.g. "verdict met"
	Color string // a colour key swatch before the text (candidate colour)
	Small string // a second, muted line (reasons)
	// Title is the cell's hover title (not exported): a start time to the
	// second where the text gives the minute.
	Title string
	// Images are thumbnails shown after the text, each linking to its
	// original (not exported: the text holds the count).
	Images []cellImage
	// Export is what exports carry instead of Text, when set: a candidate's
	// code (cast.Key) where the page shows its name.
	Export string
}

type cellImage struct{ Src, Href, Alt string }

// missing is the placeholder for "no value": never NaN, never 0.
const missing = "–"

func textCell(s string) cell {
	if s == "" {
		return cell{Text: missing}
	}
	return cell{Text: s}
}

// numCell formats v with dec decimals; NaN or ±Inf become missing.
func numCell(v float64, dec int) cell {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return cell{Text: missing}
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if s == "-0" || (len(s) > 2 && s[:2] == "-0" && allZero(s[1:])) {
		s = s[1:] // -0.0 after rounding is 0.0
	}
	n, _ := strconv.ParseFloat(s, 64)
	return cell{Text: s, Num: &n}
}

func allZero(s string) bool {
	for _, r := range s {
		if r != '0' && r != '.' {
			return false
		}
	}
	return true
}

func intCell(n int) cell { return numCell(float64(n), 0) }

func optCell(v *float64, dec int) cell {
	if v == nil {
		return cell{Text: missing}
	}
	return numCell(*v, dec)
}

// pctCell shows a proportion as a percentage with one decimal.
func pctCell(p float64) cell { return numCell(p*100, 1) }

func optPctCell(p *float64) cell {
	if p == nil {
		return cell{Text: missing}
	}
	return pctCell(*p)
}

// pCell shows a p-value with three significant digits, in the notation a
// reader expects for small values.
func pCell(p float64) cell {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return cell{Text: missing}
	}
	s := strconv.FormatFloat(p, 'g', 3, 64)
	n, _ := strconv.ParseFloat(s, 64)
	return cell{Text: s, Num: &n}
}

// exportValue is a cell in JSON: the number, the text, or null.
func (c cell) exportValue() any {
	switch {
	case c.Num != nil:
		return *c.Num
	case c.Export != "":
		return c.Export
	case c.Text == missing:
		return nil
	}
	return c.Text
}

// csvText is a cell in CSV: as shown, with "" for missing.
func (c cell) csvText() string {
	switch {
	case c.Export != "":
		return c.Export
	case c.Text == missing:
		return ""
	}
	return c.Text
}

// exportSection is one titled group of tables in an export.
type exportSection struct {
	Title   string
	Filters map[string]string
	Tables  []table
}

// exportDoc is everything an export carries besides the tables.
type exportDoc struct {
	Meta     map[string]any
	Sections []exportSection
}

// writeTablesCSV answers with the tables as CSV blocks: a title line
// (section, caption), the header of column keys, the rows, a blank line.
// Every cell passes through safeCell (formula injection, CWE-1236).
func writeTablesCSV(c *gin.Context, filename string, doc exportDoc) {
	var rows [][]string
	for _, s := range doc.Sections {
		for _, t := range s.Tables {
			rows = append(rows, []string{s.Title, t.Caption})
			head := make([]string, len(t.Columns))
			for i, col := range t.Columns {
				head[i] = col.Key
			}
			rows = append(rows, head)
			for _, row := range t.Rows {
				rec := make([]string, len(row))
				for i, cl := range row {
					rec[i] = cl.csvText()
				}
				rows = append(rows, rec)
			}
			rows = append(rows, []string{})
		}
	}
	writeCSV(c, filename, rows)
}

// writeTablesJSON answers with the tables as JSON: meta, then each section
// with its tables as lists of {column key: value} rows.
func writeTablesJSON(c *gin.Context, filename string, doc exportDoc) {
	type jsonTable struct {
		ID      string           `json:"id"`
		Caption string           `json:"caption"`
		Columns []string         `json:"columns"`
		Rows    []map[string]any `json:"rows"`
	}
	type jsonSection struct {
		Title   string            `json:"title"`
		Filters map[string]string `json:"filters"`
		Tables  []jsonTable       `json:"tables"`
	}
	out := struct {
		Meta     map[string]any `json:"meta"`
		Sections []jsonSection  `json:"sections"`
	}{Meta: doc.Meta, Sections: []jsonSection{}}
	for _, s := range doc.Sections {
		js := jsonSection{Title: s.Title, Filters: s.Filters, Tables: []jsonTable{}}
		if js.Filters == nil {
			js.Filters = map[string]string{}
		}
		for _, t := range s.Tables {
			jt := jsonTable{ID: t.ID, Caption: t.Caption, Columns: []string{}, Rows: []map[string]any{}}
			for _, col := range t.Columns {
				jt.Columns = append(jt.Columns, col.Key)
			}
			for _, row := range t.Rows {
				m := map[string]any{}
				for i, cl := range row {
					if i < len(t.Columns) {
						m[t.Columns[i].Key] = cl.exportValue()
					}
				}
				jt.Rows = append(jt.Rows, m)
			}
			js.Tables = append(js.Tables, jt)
		}
		out.Sections = append(out.Sections, js)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		// Only NaN could do this, and cells never hold one.
		c.String(http.StatusInternalServerError, "export failed")
		return
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}

// queryPage is the one shape of the query-driven pages and their exports:
// read the query (or redirect a blind URL to its letter form, through
// redirectTo), build the view model, and write it.
func queryPage[Q, V any](p *pages, read func(*gin.Context) (Q, string, error), redirectTo func(string) string,
	build func(context.Context, Q) (V, error), write func(*gin.Context, Q, V)) gin.HandlerFunc {
	return func(c *gin.Context) {
		q, redirect, err := read(c)
		if err != nil {
			p.fail(c, err)
			return
		}
		if redirect != "" {
			c.Redirect(http.StatusFound, redirectTo(redirect))
			return
		}
		v, err := build(c.Request.Context(), q)
		if err != nil {
			p.fail(c, err)
			return
		}
		write(c, q, v)
	}
}

// htmlPage serves a query-driven page rendered with template page.
func htmlPage[Q, V any](p *pages, page string, read func(*gin.Context) (Q, string, error), build func(context.Context, Q) (V, error)) gin.HandlerFunc {
	same := func(u string) string { return u }
	return queryPage(p, read, same, build, func(c *gin.Context, _ Q, v V) { p.render(c, http.StatusOK, page, v) })
}

// exportPage serves a page's tables as CSV or JSON from the same view model
// as the page; a blind redirect keeps the export path.
func exportPage[Q, V any](p *pages, format, pagePath string, read func(*gin.Context) (Q, string, error),
	build func(context.Context, Q) (V, error), export func(Q, V) (string, exportDoc)) gin.HandlerFunc {
	exportPath := strings.TrimSuffix(pagePath, "?") + "/export." + format + "?"
	toExport := func(u string) string { return strings.Replace(u, pagePath, exportPath, 1) }
	// The dialect is checked before the page is built, like every other
	// parameter; the blind redirect keeps it.
	if inner := read; format == "csv" {
		read = func(c *gin.Context) (Q, string, error) {
			var errs models.FieldErrors
			dialectParam(c, &errs)
			if err := errs.Err("the export request is not valid"); err != nil {
				var zero Q
				return zero, "", err
			}
			q, redirect, err := inner(c)
			if d := c.Query("dialect"); redirect != "" && d != "" {
				sep := "?"
				if strings.Contains(redirect, "?") {
					sep = "&"
				}
				redirect += sep + "dialect=" + queryValue(d)
			}
			return q, redirect, err
		}
	}
	// Exports are machine-readable and never change with the language
	// (i18n.go): the page is built with the English printer whatever the
	// reader's, so notes the page words in French stay English here.
	english := func(ctx context.Context, q Q) (V, error) {
		return build(i18n.NewContext(ctx, p.s.catalog().Printer(i18n.EN)), q)
	}
	return queryPage(p, read, toExport, english, func(c *gin.Context, q Q, v V) {
		name, doc := export(q, v)
		if format == "csv" {
			writeTablesCSV(c, name, doc)
		} else {
			writeTablesJSON(c, name, doc)
		}
	})
}
