package importer

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"

	"ruggedlab/models"
)

// Seeds live in testdata/fuzz/FuzzReadRuns and testdata/fuzz/FuzzReadUnits
// (go test fuzz v1 files): the example files, BOM/CRLF/semicolon/tab
// variants, broken quoting and problem cases. Run longer with
//
//	go test ./importer -run '^$' -fuzz FuzzReadRuns -fuzztime 60s

func FuzzReadRuns(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, kind byte) {
		k := models.Kinds[int(kind)%len(models.Kinds)]
		checkRead(t, data, func(fn func(line int)) (int, error) {
			return ReadRuns(bytes.NewReader(data), k, func(_ *Reader[models.Run], row Row[models.Run]) error {
				fn(row.Line)
				r := row.Value
				for _, s := range []string{r.Handset, r.Unit, r.Method, r.Technician, r.Notes, r.Deviations, r.Surface, r.IPCode} {
					if !utf8.ValidString(s) {
						t.Errorf("line %d: invalid UTF-8 %q reached a run", row.Line, s)
					}
				}
				if r.Kind != k {
					t.Errorf("line %d: kind %q, want %q", row.Line, r.Kind, k)
				}
				return nil
			})
		})
	})
}

func FuzzReadUnits(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data, func(fn func(line int)) (int, error) {
			return ReadUnits(bytes.NewReader(data), func(_ *Reader[models.Unit], row Row[models.Unit]) error {
				fn(row.Line)
				u := row.Value
				for _, s := range []string{u.Handset, u.Serial, u.Notes} {
					if !utf8.ValidString(s) {
						t.Errorf("line %d: invalid UTF-8 %q reached a unit", row.Line, s)
					}
				}
				return nil
			})
		})
	})
}

// checkRead holds for any input: no panic; rows come out in increasing line
// order within the file; the answer is clean, Malformed or Invalid (never
// another error: the source cannot fail); every problem row is a line of the
// file and every value is short valid UTF-8.
func checkRead(t *testing.T, data []byte, read func(fn func(line int)) (int, error)) {
	n := fileLines(data)
	prev, handed := 0, 0
	rows, err := read(func(line int) {
		handed++
		if line <= prev || line < 2 || line > n {
			t.Errorf("row at line %d after line %d, file has %d lines", line, prev, n)
		}
		prev = line
	})
	if handed > rows {
		t.Errorf("%d rows handed out but Rows() = %d", handed, rows)
	}
	if err == nil {
		if rows == 0 {
			t.Errorf("no rows and no error")
		}
		return
	}
	var me *models.Error
	if !errors.As(err, &me) || (me.Code != models.Invalid && me.Code != models.Malformed) {
		t.Fatalf("unexpected error %T %v", err, err)
	}
	if me.Code == models.Invalid && len(me.Fields) == 0 {
		t.Errorf("Invalid without problems")
	}
	if len(me.Fields) > MaxProblems+1 {
		t.Errorf("%d problems, cap is %d+1", len(me.Fields), MaxProblems)
	}
	for i, p := range me.Fields {
		last := i == len(me.Fields)-1 && p.Row == 0 // "and N more"
		if !last && (p.Row < 1 || p.Row > n) {
			t.Errorf("problem at row %d, file has %d lines: %+v", p.Row, n, p)
		}
		if !utf8.ValidString(p.Value) || !utf8.ValidString(p.Column) || len(p.Value) > maxValueLen+len("…") {
			t.Errorf("problem value or column not short UTF-8: %+v", p)
		}
	}
}

// fileLines counts lines as encoding/csv does (only \n ends a line); an
// empty file still has its line 1, where "the file is empty" is reported.
func fileLines(data []byte) int {
	n := bytes.Count(data, []byte{'\n'})
	if len(data) == 0 || data[len(data)-1] != '\n' {
		n++
	}
	return n
}
