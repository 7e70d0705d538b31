package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"ruggedlab/models"
)

// Units is the import target for unit registrations; the other targets are
// the run kinds (models.Kinds).
const Units = "units"

// Targets lists what can be imported, in the order documentation shows.
func Targets() []string {
	out := []string{Units}
	for _, k := range models.Kinds {
		out = append(out, string(k))
	}
	return out
}

// spec says how to read rows of one target into T.
type spec[T any] struct {
	target string // "units", "drop", …
	cols   []column
	zero   func() T
	set    func(v *T, column, cell string) string
}

func runSpec(k models.Kind) spec[models.Run] {
	required := map[string]bool{}
	for _, f := range models.RunFields(k) {
		required[f.Name] = f.Required
	}
	var cols []column
	for _, name := range models.CSVColumns(k) {
		cols = append(cols, column{name: name, required: required[name]})
	}
	return spec[models.Run]{
		target: string(k),
		cols:   cols,
		zero:   func() models.Run { return models.Run{Kind: k} },
		set:    models.ColumnSetter(k),
	}
}

var unitSpec = spec[models.Unit]{
	target: Units,
	cols:   []column{{"handset", true}, {"serial", true}, {"notes", false}},
	zero:   func() models.Unit { return models.Unit{} },
	set: func(u *models.Unit, col, cell string) string {
		cell = strings.TrimSpace(cell)
		switch col {
		case "handset":
			u.Handset = cell
		case "serial":
			u.Serial = cell
		case "notes":
			u.Notes = cell
		}
		return ""
	},
}

// Row is one data record: its line in the file and the value read from it.
// Cells that could not be read were reported and left unset in Value.
type Row[T any] struct {
	Line  int
	Value T
	h     *header
	cells []string // per target column, as in the file
	bad   []bool   // per target column: a problem was reported for its cell
}

// Reported says whether a problem about column was already reported: its
// cell could not be read, or the column is required and missing from the
// header. Callers skip their own problems on such columns (a cell that is
// not a number would otherwise also be "required").
func (r Row[T]) Reported(column string) bool {
	i := r.h.index(column)
	if i < 0 {
		return false
	}
	return r.bad[i] || (!r.h.present[i] && r.h.cols[i].required)
}

// Problem locates a message at this row and column, with the cell's text.
func (r Row[T]) Problem(column, message string) models.FieldError {
	e := models.FieldError{Row: r.Line, Column: column, Message: message}
	if i := r.h.index(column); i >= 0 {
		e.Value = shorten(strings.TrimSpace(r.cells[i]))
	}
	return e
}

// Reader reads one import file row by row; memory does not grow with the
// file (only the capped problem list does).
type Reader[T any] struct {
	spec    spec[T]
	src     *source
	cr      *csv.Reader
	skipped int64 // BOM bytes
	comma   rune
	h       header
	pb      problems
	rows    int
	last    int  // line of the last record read, for messages
	done    bool // EOF seen (or the file is empty)
}

// NewRunReader reads the header of a run file of kind k. Errors: Malformed
// (not CSV, JSON), the reader's own; header problems are not errors here,
// they come out of Err at the end with every row problem.
func NewRunReader(src io.Reader, k models.Kind) (*Reader[models.Run], error) {
	if _, ok := models.ParseKind(string(k)); !ok {
		return nil, fmt.Errorf("importer: unknown kind %q", k)
	}
	return newReader(src, runSpec(k))
}

// NewUnitReader reads the header of a units file (handset,serial,notes).
func NewUnitReader(src io.Reader) (*Reader[models.Unit], error) {
	return newReader(src, unitSpec)
}

func newReader[T any](src io.Reader, sp spec[T]) (*Reader[T], error) {
	s := &source{r: src}
	br, skipped, comma, err := open(s)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // counts are checked per row, as problems
	cr.ReuseRecord = true   // one record slice for the whole file
	// Leading spaces before a quoted cell are common (", \"x\""); but
	// trimming "white space" would also eat the empty cells of a tab file.
	cr.TrimLeadingSpace = comma != '\t'
	r := &Reader[T]{spec: sp, src: s, cr: cr, skipped: skipped, comma: comma}
	s.recordStart = skipped
	rec, err := cr.Read()
	if err == io.EOF {
		r.pb.add(models.FieldError{Row: 1, Message: "the file is empty: the first line must name the columns, e.g. " + names(sp.cols)})
		r.done = true
		return r, nil
	}
	if err != nil {
		return nil, r.readError(err)
	}
	line, _ := cr.FieldPos(0)
	r.last = line
	r.h = readHeader(rec, line, sp.cols, sp.target, &r.pb)
	return r, nil
}

// Next returns the next data row, or io.EOF after the last. Rows with the
// wrong number of fields are reported and skipped. Errors: Malformed (broken
// quoting, an over-long record), and the underlying reader's, unchanged.
func (r *Reader[T]) Next() (Row[T], error) {
	for !r.done {
		r.src.recordStart = r.skipped + r.cr.InputOffset()
		rec, err := r.cr.Read()
		if err == io.EOF {
			r.finish()
			break
		}
		if err != nil {
			return Row[T]{}, r.readError(err)
		}
		line, _ := r.cr.FieldPos(0)
		r.last = line
		if blank(rec) {
			continue
		}
		r.rows++
		if len(rec) != r.h.width {
			r.pb.add(models.FieldError{Row: line, Message: r.widthMessage(len(rec))})
			continue
		}
		return r.row(line, rec), nil
	}
	return Row[T]{}, io.EOF
}

func (r *Reader[T]) row(line int, rec []string) Row[T] {
	row := Row[T]{Line: line, Value: r.spec.zero(), h: &r.h, cells: make([]string, len(r.h.cols)), bad: make([]bool, len(r.h.cols))}
	for p, cell := range rec {
		i := r.h.at[p]
		switch {
		case i == unnamed && strings.TrimSpace(cell) != "":
			r.pb.add(models.FieldError{Row: line, Value: shorten(strings.TrimSpace(cell)), Message: fmt.Sprintf(
				"column %s has a value but no name in the header: name the column or empty it", columnNumber(p))})
			continue
		case i < 0:
			continue
		}
		name := r.h.cols[i].name
		row.cells[i] = cell
		msg := ""
		if !utf8.ValidString(cell) {
			msg = "is not UTF-8 text: save the file as \"CSV UTF-8\" (spreadsheets often save in a Windows code page)"
		} else {
			msg = r.spec.set(&row.Value, name, cell)
		}
		if msg != "" {
			row.bad[i] = true
			r.pb.add(row.Problem(name, msg))
		}
	}
	return row
}

func (r *Reader[T]) widthMessage(n int) string {
	msg := fmt.Sprintf("this row has %d values but the header has %d columns", n, r.h.width)
	if n > r.h.width && r.comma == ',' {
		msg += " — a decimal comma (2,0) splits a value in two: write 2.0"
	}
	return msg
}

func (r *Reader[T]) finish() {
	r.done = true
	if r.rows == 0 {
		r.pb.add(models.FieldError{Row: r.h.line, Message: "no rows: the file has a header but no data lines"})
	}
}

// readError turns encoding/csv's quoting errors and the record bound into
// Malformed errors located at the line where the record starts; the
// underlying reader's errors pass unchanged.
func (r *Reader[T]) readError(err error) error {
	if errors.Is(err, errRecordTooLong) {
		return tooLong(r.last)
	}
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	var msg string
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		msg = `a quote (") inside a value that does not start with one: quote the whole value and double the inner quote ("")`
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line != pe.StartLine:
		msg = fmt.Sprintf("a quoted value that starts on this line is not closed properly (reading went on to line %d): close the quote, or remove text after it", pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		msg = "a quoted value is not closed, or text follows its closing quote"
	default:
		msg = pe.Err.Error()
	}
	e := &models.Error{Code: models.Malformed, Message: fmt.Sprintf("the file is not valid CSV (%s-separated): line %d: %s", delimiterName(r.comma), pe.StartLine, msg)}
	e.Fields = models.FieldErrors{{Row: pe.StartLine, Message: msg}}
	return e
}

// blank reports whether every cell is empty or spaces: a blank line, or the
// ",,,," a spreadsheet writes for an empty row.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// Report adds a problem found by the caller (a rule the row breaks, an
// unregistered unit) to the file's list.
func (r *Reader[T]) Report(e models.FieldError) { r.pb.add(e) }

// Failed reports whether any problem has been found so far; a caller stops
// writing then, but keeps reading to report every problem.
func (r *Reader[T]) Failed() bool { return r.pb.any() }

// Rows is the number of data rows read so far (blank lines not counted).
func (r *Reader[T]) Rows() int { return r.rows }

// Bytes is the number of bytes taken from the source so far.
func (r *Reader[T]) Bytes() int64 { return r.src.n }

// Target names what the file holds: "units" or a run kind.
func (r *Reader[T]) Target() string { return r.spec.target }

// Err returns every problem of the file as an Invalid *models.Error, or nil.
// It is complete once Next has returned io.EOF.
func (r *Reader[T]) Err() error {
	what := r.spec.target
	if what != Units {
		what += " runs"
	}
	return r.pb.err(what)
}
