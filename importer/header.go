package importer

import (
	"fmt"
	"strconv"
	"strings"

	"ruggedlab/models"
)

// column is one column a file of some target may have.
type column struct {
	name     string
	required bool
}

// Header positions that feed no column.
const (
	ignored = -1 // unknown or repeated: reported once at the header
	unnamed = -2 // no name: harmless while its cells are empty
)

// header maps the file's columns to the target's.
type header struct {
	line    int
	width   int      // fields per record
	cols    []column // the target's columns, canonical order
	at      []int    // per header position: index into cols, or ignored/unnamed
	present []bool   // per cols index: the file has this column
}

func (h *header) index(name string) int {
	for i, c := range h.cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

// notColumns explains names people try that are deliberately not columns.
var notColumns = map[string]string{
	"kind":  "kind is not a column: the kind comes from the URL (POST /api/v1/imports/{kind}); remove the column",
	"drops": "drops (the per-drop log) cannot be imported from CSV: send those runs as JSON to POST /api/v1/runs, or leave the column out",
}

// readHeader checks the header record; problems go to pb at the header's
// line. Rows are read even after header problems so that one upload
// reports as much as it can: unknown and repeated columns are ignored.
func readHeader(rec []string, line int, cols []column, target string, pb *problems) header {
	h := header{line: line, width: len(rec), cols: cols, at: make([]int, len(rec)), present: make([]bool, len(cols))}
	first := make([]int, len(cols)) // header position+1 of each column
	for p, raw := range rec {
		name := strings.TrimSpace(raw)
		i := h.index(name)
		h.at[p] = ignored
		switch {
		case name == "":
			h.at[p] = unnamed
		case i < 0:
			pb.add(models.FieldError{Row: line, Column: shorten(name), Value: shorten(name), Message: unknownMessage(name, cols, target)})
		case first[i] > 0:
			pb.add(models.FieldError{Row: line, Column: name, Value: name,
				Message: fmt.Sprintf("column %s appears twice (columns %d and %d): keep one", name, first[i], p+1)})
		default:
			first[i] = p + 1
			h.at[p] = i
			h.present[i] = true
		}
	}
	for i, c := range cols {
		if c.required && !h.present[i] {
			pb.add(models.FieldError{Row: line, Column: c.name, Message: "the column " + c.name + " is missing: it is required"})
		}
	}
	return h
}

func unknownMessage(name string, cols []column, target string) string {
	if msg, ok := notColumns[name]; ok {
		return msg
	}
	lower := strings.ToLower(strings.ReplaceAll(name, " ", "_"))
	for _, c := range cols {
		if c.name == lower {
			return fmt.Sprintf("unknown column %q — did you mean %s? Names are lower case with underscores", shorten(name), c.name)
		}
	}
	return fmt.Sprintf("unknown column %q — %s columns are %s", shorten(name), target, names(cols))
}

func names(cols []column) string {
	s := make([]string, len(cols))
	for i, c := range cols {
		s[i] = c.name
	}
	return strings.Join(s, ", ")
}

func columnNumber(p int) string { return strconv.Itoa(p + 1) }
