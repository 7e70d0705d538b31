package series

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// reader is ReadCSV or DecodeJSON.
type reader func(io.Reader, Kind, func(Frame) error) (Summary, error)

// readAll runs read over in and joins the emitted batches into one Frame,
// checking the batch contract on the way: at most BatchRows rows, the same
// columns every time, t_s first, columns of equal length.
func readAll(tb testing.TB, read reader, kind Kind, in string) (Frame, Summary, error) {
	tb.Helper()
	var all Frame
	sum, err := read(strings.NewReader(in), kind, func(f Frame) error {
		tb.Helper()
		checkFrame(tb, f)
		if f.Len() > BatchRows {
			tb.Fatalf("batch of %d rows, more than BatchRows", f.Len())
		}
		if all.Columns == nil {
			all = Frame{Columns: f.Columns, Data: make([][]float64, len(f.Columns))}
		}
		if !reflect.DeepEqual(f.Columns, all.Columns) {
			tb.Fatalf("batch columns %v, earlier batches %v", f.Columns, all.Columns)
		}
		for i := range f.Data {
			all.Data[i] = append(all.Data[i], f.Data[i]...)
		}
		return nil
	})
	return all, sum, err
}

func checkFrame(tb testing.TB, f Frame) {
	tb.Helper()
	if len(f.Columns) == 0 || f.Columns[0] != TimeColumn {
		tb.Fatalf("frame columns %v do not start with t_s", f.Columns)
	}
	if len(f.Data) != len(f.Columns) {
		tb.Fatalf("%d columns of data for %d names", len(f.Data), len(f.Columns))
	}
	for i, col := range f.Data {
		if len(col) != f.Len() {
			tb.Fatalf("column %s has %d values, t_s has %d", f.Columns[i], len(col), f.Len())
		}
	}
}

// problemsOf returns err as Problems, failing the test for any other error.
func problemsOf(tb testing.TB, err error) Problems {
	tb.Helper()
	if err == nil {
		return nil
	}
	var ps Problems
	if !errors.As(err, &ps) {
		tb.Fatalf("error %v (%T), want Problems", err, err)
	}
	return ps
}

// diffProblems fails the test with a line per difference.
func diffProblems(tb testing.TB, got, want Problems) {
	tb.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	var b strings.Builder
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w string
		if i < len(got) {
			g = fmt.Sprintf("%#v", got[i])
		}
		if i < len(want) {
			w = fmt.Sprintf("%#v", want[i])
		}
		if g != w {
			fmt.Fprintf(&b, "\n[%d]\n got  %s\n want %s", i, g, w)
		}
	}
	tb.Errorf("problems differ:%s", b.String())
}

// at builds an expected CSV problem.
func at(row int, column, value, message string) Problem {
	return Problem{Row: row, Column: column, Value: value, Message: message}
}

// sample builds an expected JSON problem.
func sample(index int, column, value, message string) Problem {
	return Problem{Index: index, Column: column, Value: value, Message: message}
}

// lines joins rows into a file with LF line ends.
func lines(rows ...string) string { return strings.Join(rows, "\n") + "\n" }

func frame(cols string, data ...[]float64) Frame {
	return Frame{Columns: strings.Split(cols, ","), Data: data}
}

func col(v ...float64) []float64 { return v }
