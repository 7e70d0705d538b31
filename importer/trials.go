package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"ruggedlab/models"
)

// Field-pilot files (issue #14): incidents, shift logs and questionnaires.
// Each row names its trial by id; problems are collected for the whole
// file (row = line, column = header name) and nothing is written unless
// the file is clean.

// Trial import targets, served by POST /api/v1/imports/{target}.
const (
	IncidentTarget      = "incident"
	ShiftTarget         = "shift"
	QuestionnaireTarget = "questionnaire"
)

// TrialTargets lists the field-pilot targets.
func TrialTargets() []string { return []string{IncidentTarget, ShiftTarget, QuestionnaireTarget} }

var (
	incidentCols = []string{"trial", "handset", "unit", "date", "category", "severity", "out_of_service_h", "outcome", "notes"}
	incidentReq  = []string{"trial", "handset", "unit", "date", "category", "severity"}
	shiftCols    = []string{"trial", "handset", "unit", "start", "length_h", "battery_start_pct", "battery_end_pct", "charged", "lasted_shift"}
	shiftReq     = []string{"trial", "handset", "unit", "start", "length_h"}
	susCols      = []string{"sus1", "sus2", "sus3", "sus4", "sus5", "sus6", "sus7", "sus8", "sus9", "sus10"}
	qCols        = append([]string{"trial", "handset", "respondent"}, susCols...)
	customName   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// table is a CSV file read whole: header names and data rows with lines.
type table struct {
	cols  []string
	at    map[string]int
	rows  [][]string
	lines []int
}

func (t *table) cell(i int, col string) string {
	if p, ok := t.at[col]; ok {
		return strings.TrimSpace(t.rows[i][p])
	}
	return ""
}

func readTable(src io.Reader, known, required []string, extra bool, pb *models.FieldErrors) (*table, error) {
	s := &source{r: src}
	br, skipped, comma, err := open(s)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = comma != '\t'
	t := &table{at: map[string]int{}}
	head, err := cr.Read()
	if err == io.EOF {
		*pb = append(*pb, models.FieldError{Row: 1, Message: "the file is empty: the first line must name the columns, e.g. " + strings.Join(known, ",")})
		return t, nil
	}
	if err != nil {
		return nil, models.Errorf(models.Malformed, "not a CSV file: %v", err)
	}
	for p, h := range head {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "":
			*pb = append(*pb, models.FieldError{Row: 1, Column: strconv.Itoa(p + 1), Message: "the column has no name"})
		case !slices.Contains(known, h) && !(extra && customName.MatchString(h)):
			*pb = append(*pb, models.FieldError{Row: 1, Column: h, Message: "unknown column: use " + strings.Join(known, ", ")})
		}
		if _, dup := t.at[h]; dup {
			*pb = append(*pb, models.FieldError{Row: 1, Column: h, Message: "the column appears twice"})
		}
		t.at[h] = p
		t.cols = append(t.cols, h)
	}
	for _, r := range required {
		if _, ok := t.at[r]; !ok {
			*pb = append(*pb, models.FieldError{Row: 1, Column: r, Message: "the column is missing"})
		}
	}
	for {
		s.recordStart = skipped + cr.InputOffset()
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, models.Errorf(models.Malformed, "line %d is not valid CSV: %v", pe.Line, pe.Err)
			}
			if errors.Is(err, errRecordTooLong) {
				return nil, tooLong(line)
			}
			return nil, err
		}
		if blank(rec) {
			continue
		}
		if len(rec) != len(head) {
			*pb = append(*pb, models.FieldError{Row: line, Message: fmt.Sprintf("the row has %d cells, the header %d", len(rec), len(head))})
			continue
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	return t, nil
}

type cells struct {
	t    *table
	i    int
	line int
	pb   *models.FieldErrors
}

func (c cells) bad(col, v, format string, args ...any) {
	*c.pb = append(*c.pb, models.FieldError{Row: c.line, Column: col, Value: shorten(v), Message: fmt.Sprintf(format, args...)})
}

func (c cells) str(col string) string { return c.t.cell(c.i, col) }

func (c cells) num(col string, required bool) *float64 {
	v := c.str(col)
	if v == "" {
		if _, there := c.t.at[col]; required && there { // a missing column is reported once, on line 1
			c.bad(col, v, "is required")
		}
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		c.bad(col, v, "must be a number (a dot for decimals), not %q", v)
		return nil
	}
	return &f
}

func (c cells) integer(col string, required bool) (int, bool) {
	v := c.str(col)
	if v == "" {
		if _, there := c.t.at[col]; required && there { // a missing column is reported once, on line 1
			c.bad(col, v, "is required")
		}
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		c.bad(col, v, "must be a whole number, not %q", v)
		return 0, false
	}
	return n, true
}

func (c cells) boolean(col string) *bool {
	v := strings.ToLower(c.str(col))
	switch v {
	case "":
		return nil
	case "true", "yes", "1", "oui":
		b := true
		return &b
	case "false", "no", "0", "non":
		b := false
		return &b
	}
	c.bad(col, v, "must be true or false, not %q", v)
	return nil
}

// ReadIncidents reads an incident file. Problems of the file (not of the
// trial's assignments, which the store checks) come back as one Invalid
// error; lines gives each item's line for the store's messages.
func ReadIncidents(src io.Reader) (items []models.Incident, lines []int, err error) {
	var pb models.FieldErrors
	t, err := readTable(src, incidentCols, incidentReq, false, &pb)
	if err != nil {
		return nil, nil, err
	}
	for i := range t.rows {
		c := cells{t, i, t.lines[i], &pb}
		n := len(pb)
		in := models.Incident{Trial: c.str("trial"), Handset: c.str("handset"), Unit: c.str("unit"), Date: c.str("date"),
			Category: c.str("category"), Outcome: c.str("outcome"), Notes: c.str("notes")}
		in.Severity, _ = c.integer("severity", true)
		if f := c.num("out_of_service_h", false); f != nil {
			in.OutOfServiceH = *f
		}
		if len(pb) == n {
			items = append(items, in)
			lines = append(lines, c.line)
		}
	}
	return items, lines, pb.Err("the incident file has problems: nothing was imported")
}

// ReadShifts reads a shift-log file (start as RFC 3339 or "YYYY-MM-DD HH:MM" UTC).
func ReadShifts(src io.Reader) (items []models.Shift, lines []int, err error) {
	var pb models.FieldErrors
	t, err := readTable(src, shiftCols, shiftReq, false, &pb)
	if err != nil {
		return nil, nil, err
	}
	items = make([]models.Shift, 0, len(t.rows))
	lines = make([]int, 0, len(t.rows))
	for i := range t.rows {
		c := cells{t, i, t.lines[i], &pb}
		n := len(pb)
		sh := models.Shift{Trial: c.str("trial"), Handset: c.str("handset"), Unit: c.str("unit"),
			BatteryFrom: c.num("battery_start_pct", false), BatteryTo: c.num("battery_end_pct", false),
			LastedShift: c.boolean("lasted_shift")}
		if b := c.boolean("charged"); b != nil {
			sh.Charged = *b
		}
		if f := c.num("length_h", true); f != nil {
			sh.LengthH = *f
		}
		if v := c.str("start"); v != "" {
			ts, err := time.Parse(time.RFC3339, v)
			if err != nil {
				ts, err = time.Parse("2006-01-02 15:04", v)
			}
			if err != nil {
				c.bad("start", v, "must be a time as 2026-03-02T07:00:00Z, not %q", v)
			}
			sh.Start = ts
		}
		if len(pb) == n {
			items = append(items, sh)
			lines = append(lines, c.line)
		}
	}
	return items, lines, pb.Err("the shift file has problems: nothing was imported")
}

// ReadQuestionnaires reads a questionnaire file: trial, handset,
// respondent, sus1 … sus10, and any other column as a custom Likert item
// (lower-case name, 1–5, empty when not asked).
func ReadQuestionnaires(src io.Reader) (items []models.Questionnaire, lines []int, err error) {
	var pb models.FieldErrors
	t, err := readTable(src, qCols, qCols, true, &pb)
	if err != nil {
		return nil, nil, err
	}
	for i := range t.rows {
		c := cells{t, i, t.lines[i], &pb}
		n := len(pb)
		q := models.Questionnaire{Trial: c.str("trial"), Handset: c.str("handset"), Respondent: c.str("respondent")}
		for _, col := range susCols {
			a, ok := c.integer(col, true)
			if ok && (a < 1 || a > 5) {
				c.bad(col, strconv.Itoa(a), "must be 1 to 5, not %d", a)
			}
			q.SUS = append(q.SUS, a)
		}
		for _, col := range t.cols {
			if slices.Contains(qCols, col) {
				continue
			}
			if a, ok := c.integer(col, false); ok {
				if a < 1 || a > 5 {
					c.bad(col, strconv.Itoa(a), "must be 1 to 5 (a Likert item), not %d", a)
				}
				if q.Custom == nil {
					q.Custom = map[string]int{}
				}
				q.Custom[col] = a
			}
		}
		if len(pb) == n {
			items = append(items, q)
			lines = append(lines, c.line)
		}
	}
	return items, lines, pb.Err("the questionnaire file has problems: nothing was imported")
}
