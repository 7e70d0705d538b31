package series

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// readBufferSize is the read buffer; it also bounds how far the header line
// is looked at to choose the delimiter.
const readBufferSize = 64 << 10

// ReadCSV reads a series of the given kind from CSV, calling emit with
// batches of at most BatchRows samples, in file order, while it reads.
//
// The first line is the header: column names of Columns(kind) in any order,
// t_s required, others optional; a UTF-8 byte-order mark, CRLF line ends,
// spaces around names and quoted fields are accepted. The delimiter is ","
// unless the header has more ";" than "," (European instruments), and
// either way decimals use a dot: "4,31" is reported, never guessed at.
// Blank lines (also ",,,," lines from spreadsheets) are ignored.
//
// Errors:
//   - Problems (422): a bad header (unknown, duplicate or unnamed column,
//     no t_s; at row 1), a row with the wrong number of fields, a value that
//     is not a finite number or out of range, a cross-sample rule broken, no
//     samples. Once the first problem is found emit is no longer called,
//     but reading goes on so that every problem is reported (up to
//     MaxProblems); batches already emitted must be discarded by the caller.
//   - *SyntaxError (400): broken quoting, JSON sent as CSV, or a line
//     longer than 1 MiB (which would otherwise be held in memory whole).
//   - the reader's error, or emit's error (reading stops), unchanged.
//   - an error for an unknown kind (a programming error, not the input's).
//
// The Summary is filled even when there are problems (Rows counts every
// sample row read).
func ReadCSV(r io.Reader, kind Kind, emit func(batch Frame) error) (Summary, error) {
	all := specs(kind)
	if all == nil {
		return Summary{}, fmt.Errorf("series: unknown kind %q", kind)
	}
	br := bufio.NewReaderSize(&lineLimiter{r: r, line: 1}, readBufferSize)
	var skipped int64
	bom, err := br.Peek(3)
	if err != nil && err != io.EOF {
		return Summary{}, err
	}
	if bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3) // cannot fail: Peek has the bytes
		skipped = 3
	}
	first, err := peekLine(br)
	if err != nil {
		return Summary{}, err
	}
	if t := bytes.TrimLeft(first, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return Summary{}, &SyntaxError{Offset: skipped, Line: 1,
			Msg: "this is JSON, not CSV: send it as application/json"}
	}

	cr := csv.NewReader(br)
	cr.Comma = delimiter(first)
	cr.ReuseRecord = true   // one record slice for the whole file
	cr.FieldsPerRecord = -1 // field counts are reported per row, below
	cr.TrimLeadingSpace = true
	// start is where the record being read starts, for SyntaxError.Offset.
	var start int64
	syntax := func(err error) error { return csvSyntaxError(err, skipped+start) }

	var pl problemList
	header, err := cr.Read()
	if err == io.EOF {
		pl.add(Problem{Row: 1, Message: "the file is empty — the first line must name the columns, e.g. " +
			strings.Join(Columns(kind), ",")})
		return Summary{}, pl.err()
	}
	if err != nil {
		return Summary{}, syntax(err)
	}
	headerRow, _ := cr.FieldPos(0)
	cols, pos := readHeader(header, all, kind, headerRow, &pl)
	width := len(header)

	c := newCollector(kind, cols, &pl, emit)
	vals := make([]float64, len(cols))
	ok := make([]bool, len(cols))
	raw := make([]string, len(cols))
	for {
		start = cr.InputOffset()
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return c.summary(), syntax(err)
		}
		row, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) != width {
			c.skip()
			pl.add(Problem{Row: row, Message: fmt.Sprintf(
				"this row has %d values but the header has %d columns", len(rec), width)})
			continue
		}
		for p, field := range rec {
			i := pos[p]
			if i < 0 {
				continue
			}
			raw[i] = field
			v, msg := parseValue(field)
			vals[i], ok[i] = v, msg == ""
			if msg != "" {
				pl.add(Problem{Row: row, Column: cols[i].name, Value: shorten(strings.TrimSpace(field)), Message: msg})
			}
		}
		if err := c.sample(where{row: row}, vals, ok, raw); err != nil {
			return c.summary(), err
		}
	}
	if c.rows == 0 {
		pl.add(Problem{Row: headerRow, Message: "the file has a header but no samples"})
	}
	if err := c.flush(); err != nil {
		return c.summary(), err
	}
	return c.summary(), pl.err()
}

// peekLine returns the first line without consuming it (up to the buffer
// size). Only a read error other than EOF is returned.
func peekLine(br *bufio.Reader) ([]byte, error) {
	for n := 512; ; n *= 2 {
		n = min(n, readBufferSize)
		p, err := br.Peek(n)
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			return p[:i], nil
		}
		if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
		if err != nil || n == readBufferSize {
			return p, nil
		}
	}
}

// delimiter picks ";" for a header such as "t_s;soc_pct;voltage_v", else ",".
// Column names contain neither, so counting is enough.
func delimiter(header []byte) rune {
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		return ';'
	}
	return ','
}

// readHeader checks the header and returns the file's known columns in
// canonical order, and for each header position the index of its column in
// that list (-1 for a column that is unknown or repeated). Problems are
// recorded at the header's row; the rows are still read and checked for the
// columns that are known, so one upload reports as much as possible.
func readHeader(header []string, all []colSpec, kind Kind, row int, pl *problemList) ([]colSpec, []int) {
	at := make([]int, len(all)) // header position+1 of each known column, 0 = absent
	pos := make([]int, len(header))
	for p, name := range header {
		name = strings.TrimSpace(name)
		pos[p] = -1
		k := specIndex(all, name)
		switch {
		case name == "":
			pl.add(Problem{Row: row, Message: "column " + strconv.Itoa(p+1) + " has no name"})
		case k < 0:
			pl.add(Problem{Row: row, Column: shorten(name), Value: shorten(name), Message: fmt.Sprintf(
				"unknown column %q — %s columns are %s", shorten(name), kind, strings.Join(Columns(kind), ", "))})
		case at[k] > 0:
			pl.add(Problem{Row: row, Column: name, Value: name, Message: fmt.Sprintf(
				"column %s appears twice (columns %d and %d)", name, at[k], p+1)})
		default:
			at[k] = p + 1
		}
	}
	if at[0] == 0 {
		pl.add(Problem{Row: row, Column: TimeColumn, Message: "the t_s column is required (seconds from the start of the run)"})
	}
	var cols []colSpec
	for k, s := range all {
		if at[k] > 0 {
			pos[at[k]-1] = len(cols)
			cols = append(cols, s)
		}
	}
	return cols, pos
}

func specIndex(all []colSpec, name string) int {
	for k, s := range all {
		if s.name == name {
			return k
		}
	}
	return -1
}

// blank reports whether every field of a record is empty or spaces: a blank
// line, or the ",,,," a spreadsheet writes for an empty row.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// csvSyntaxError turns encoding/csv's quoting errors into a *SyntaxError
// located at the line where the record starts; other errors come from the
// reader and are returned unchanged.
func csvSyntaxError(err error, offset int64) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	var msg string
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		msg = fmt.Sprintf(`a quote (") inside a value that does not start with one (column %d) — `+
			`quote the whole value and double the inner quote ("")`, pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line != pe.StartLine:
		msg = fmt.Sprintf("a quoted value opened on this line is never closed (it runs on to line %d)", pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		msg = fmt.Sprintf("a quoted value is not closed, or text follows its closing quote (column %d)", pe.Column)
	default:
		msg = pe.Err.Error()
	}
	return &SyntaxError{Offset: offset, Line: pe.StartLine, Msg: msg}
}
