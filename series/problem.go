package series

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxProblems caps the problems one input reports. A file with a wrong
// decimal separator can have a problem on every one of a million rows; a
// technician needs the first ones and the count, not a 100 MB answer.
const MaxProblems = 1000

// Problem locates one bad value. For CSV, Row is the line on which the
// record starts (header = line 1) and Index is 0. For JSON, Row is 0 and
// Index is the 0-based sample index, or -1 for a problem that is not about
// one sample (an unknown top-level field, no samples). Column is the column
// or JSON key ("" when the problem is about a whole row), Value the text
// found (shortened when long) and Message what to do about it, in words a
// lab technician can act on.
type Problem struct {
	Row     int
	Index   int
	Column  string
	Value   string
	Message string
}

// Field is the dotted JSON path of a problem from DecodeJSON, as api.md §11
// asks for in "errors": samples[3].soc_pct, samples[3], samples, or the
// unknown top-level key. It is "" for CSV problems, which are located by
// Row and Column instead.
func (p Problem) Field() string {
	switch {
	case p.Row > 0:
		return ""
	case p.Index >= 0 && p.Column != "":
		return "samples[" + strconv.Itoa(p.Index) + "]." + p.Column
	case p.Index >= 0:
		return "samples[" + strconv.Itoa(p.Index) + "]"
	}
	return p.Column
}

func (p Problem) String() string {
	var b strings.Builder
	switch {
	case p.Row > 0:
		fmt.Fprintf(&b, "row %d", p.Row)
		if p.Column != "" {
			b.WriteString(", column " + p.Column)
		}
		b.WriteString(": ")
	case p.Field() != "":
		b.WriteString(p.Field() + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in one input, in input order, at most
// MaxProblems of them plus a last entry "and N more problems" when there
// were more. It is the error ReadCSV and DecodeJSON return for input that
// parsed but is invalid (HTTP 422).
type Problems []Problem

// problemsShown is how many entries Error spells out; the HTTP layer lists
// them all, the text is for logs and the command line.
const problemsShown = 10

func (ps Problems) Error() string {
	var b strings.Builder
	if len(ps) == 1 {
		b.WriteString("series: 1 problem: ")
	} else {
		fmt.Fprintf(&b, "series: %d problems: ", len(ps))
	}
	for i, p := range ps {
		if i == problemsShown {
			fmt.Fprintf(&b, "; …")
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// problemList collects problems up to the cap and counts the rest.
type problemList struct {
	list Problems
	more int
}

func (pl *problemList) add(p Problem) {
	if len(pl.list) < MaxProblems {
		pl.list = append(pl.list, p)
		return
	}
	pl.more++
}

func (pl *problemList) any() bool { return len(pl.list) > 0 }

// err returns the problems as an error, or nil when there are none.
func (pl *problemList) err() error {
	if len(pl.list) == 0 {
		return nil
	}
	ps := pl.list
	if pl.more > 0 {
		ps = append(ps, Problem{Index: -1, Message: fmt.Sprintf("and %d more problems", pl.more)})
	}
	return ps
}

// SyntaxError says the input could not be parsed at all (HTTP 400), as
// opposed to Problems (parsed, but invalid: HTTP 422). Offset is a byte
// offset into the input at or before the fault (for JSON, the start of the
// token or sample in which it was found); Line is the CSV line on which the
// broken record starts (0 for JSON).
type SyntaxError struct {
	Offset int64
	Line   int
	Msg    string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("series: malformed CSV on line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("series: malformed JSON at byte %d: %s", e.Offset, e.Msg)
}

// where is the place of a sample, for Problems and for messages that point
// back at an earlier sample ("12 follows 15 (row 9)").
type where struct {
	row   int // CSV line, 0 for JSON
	index int // JSON sample index
}

func (w where) String() string {
	if w.row > 0 {
		return "row " + strconv.Itoa(w.row)
	}
	return "samples[" + strconv.Itoa(w.index) + "]"
}

func (w where) problem(column, value, msg string) Problem {
	if w.row > 0 {
		return Problem{Row: w.row, Column: column, Value: shorten(value), Message: msg}
	}
	return Problem{Index: w.index, Column: column, Value: shorten(value), Message: msg}
}

// maxValueLen keeps a pasted paragraph in one cell from filling the answer.
const maxValueLen = 64

func shorten(s string) string {
	if len(s) <= maxValueLen {
		return s
	}
	cut := maxValueLen
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
