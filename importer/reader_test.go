package importer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ruggedlab/models"
)

const dropHeader = "handset,unit,method,started_at,ended_at,technician,height_m,surface,protective_case,planned_drops,drops_completed,first_failure_drop,worst_severity"

const dropRow = "atlas-r1,ATL-0001,MIL-STD-810H 516.8 IV,2026-03-02T09:00:00Z,2026-03-02T11:30:00Z,M. Roux,2.0,concrete,false,26,26,,1"

// result is what a test looks at after reading a whole file.
type result struct {
	lines    []int        // line of each row handed out
	runs     []models.Run // the rows' values
	problems []string     // "row/column/value: message", in order
	code     models.Code  // "" when the file is clean
	err      error        // the raw error
}

func readDrop(t *testing.T, input string) result {
	t.Helper()
	return readKind(t, models.Drop, input)
}

func readKind(t *testing.T, k models.Kind, input string) result {
	t.Helper()
	var res result
	_, err := ReadRuns(strings.NewReader(input), k, func(_ *Reader[models.Run], row Row[models.Run]) error {
		res.lines = append(res.lines, row.Line)
		res.runs = append(res.runs, row.Value)
		return nil
	})
	res.err = err
	if err != nil {
		res.code = models.ErrorCode(err)
		var me *models.Error
		if errors.As(err, &me) {
			for _, f := range me.Fields {
				res.problems = append(res.problems, fmt.Sprintf("%d/%s/%s: %s", f.Row, f.Column, f.Value, f.Message))
			}
		}
	}
	return res
}

func lines(s ...string) string { return strings.Join(s, "\n") + "\n" }

func TestReadAcceptsWhatSpreadsheetsWrite(t *testing.T) {
	tests := []struct {
		name  string
		input string
		lines []int
		notes []string
	}{
		{"plain", lines(dropHeader, dropRow, dropRow), []int{2, 3}, []string{"", ""}},
		{"BOM, CRLF and a multi-line quoted note",
			"\xEF\xBB\xBF" + dropHeader + ",notes\r\n" +
				dropRow + ",\"screen cracked\r\non drop 14, \"\"edge_7\"\"\"\r\n" +
				dropRow + ",second\r\n",
			[]int{2, 4}, []string{"screen cracked\non drop 14, \"edge_7\"", "second"}},
		{"semicolons",
			lines(strings.ReplaceAll(dropHeader+",notes", ",", ";"), strings.ReplaceAll(dropRow, ",", ";")+";\"a; b, c\""),
			[]int{2}, []string{"a; b, c"}},
		{"tabs",
			lines(strings.ReplaceAll(dropHeader, ",", "\t"), strings.ReplaceAll(dropRow, ",", "\t")),
			[]int{2}, []string{""}},
		{"blank lines, empty spreadsheet rows and no final line break",
			"\n" + dropHeader + "\n\n" + dropRow + "\n,,,,,,,,,,,,\n\n" + dropRow,
			[]int{4, 7}, []string{"", ""}},
		{"columns in another order, optional ones left out, spaces around names and cells",
			lines("worst_severity , height_m,surface,protective_case,planned_drops,drops_completed,handset,unit,method,started_at,ended_at",
				" 1, 2.0 ,concrete,FALSE,26,26,atlas-r1,ATL-0001, MIL-STD-810H 516.8 IV ,2026-03-02T09:00:00Z,2026-03-02T11:30:00+01:00"),
			[]int{2}, []string{""}},
		{"a trailing delimiter on every line",
			lines(dropHeader+",", dropRow+","), []int{2}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readDrop(t, tt.input)
			if res.err != nil {
				t.Fatalf("err = %v", res.err)
			}
			if fmt.Sprint(res.lines) != fmt.Sprint(tt.lines) {
				t.Errorf("lines = %v, want %v", res.lines, tt.lines)
			}
			for i, r := range res.runs {
				if r.Notes != tt.notes[i] {
					t.Errorf("row %d notes = %q, want %q", i, r.Notes, tt.notes[i])
				}
				if r.Kind != models.Drop || r.Handset != "atlas-r1" || r.HeightM == nil || *r.HeightM != 2.0 || r.ProtectiveCase == nil || *r.ProtectiveCase {
					t.Errorf("row %d = %+v", i, r)
				}
			}
		})
	}
}

func TestReadReportsEveryProblem(t *testing.T) {
	bad := func(field, value string) string {
		cols := strings.Split(dropHeader, ",")
		cells := strings.Split(dropRow, ",")
		for i, c := range cols {
			if c == field {
				cells[i] = value
			}
		}
		return strings.Join(cells, ",")
	}
	tests := []struct {
		name     string
		kind     models.Kind
		input    string
		problems []string
	}{
		{"empty file", models.Drop, "",
			[]string{"1//: the file is empty: the first line must name the columns, e.g. " + strings.Join(models.CSVColumns(models.Drop), ", ")}},
		{"header only", models.Drop, lines(dropHeader),
			[]string{"1//: no rows: the file has a header but no data lines"}},
		{"header only, CRLF and blank lines after", models.Drop, dropHeader + "\r\n\r\n\r\n",
			[]string{"1//: no rows: the file has a header but no data lines"}},
		{"unknown, repeated and missing columns, rows still checked", models.Drop,
			lines("handset,unit,method,started_at,ended_at,Height_M,height_m,surface,surface,protective_case,planned_drops,drops_completed,colour,kind",
				"atlas-r1,ATL-0001,M,2026-03-02T09:00:00Z,2026-03-02T11:30:00Z,x,\"2,0\",concrete,concrete,false,26,26,red,drop"),
			[]string{
				`1/Height_M/Height_M: unknown column "Height_M" — did you mean height_m? Names are lower case with underscores`,
				"1/surface/surface: column surface appears twice (columns 8 and 9): keep one",
				`1/colour/colour: unknown column "colour" — drop columns are ` + strings.Join(models.CSVColumns(models.Drop), ", "),
				"1/kind/kind: kind is not a column: the kind comes from the URL (POST /api/v1/imports/{kind}); remove the column",
				"1/worst_severity/: the column worst_severity is missing: it is required",
				"2/height_m/2,0: \"2,0\" is not a number — use a dot as decimal separator",
			}},
		{"bad cells on several rows, with the line of each", models.Drop,
			lines(dropHeader, dropRow, bad("height_m", "abc"), dropRow, bad("protective_case", "yes"), bad("planned_drops", "26.5")),
			[]string{
				`3/height_m/abc: "abc" is not a number`,
				`5/protective_case/yes: "yes" must be true or false`,
				`6/planned_drops/26.5: "26.5" is not a whole number`,
			}},
		{"a decimal comma in a semicolon file gets the dot message", models.Drop,
			lines(strings.ReplaceAll(dropHeader, ",", ";"), strings.Replace(strings.ReplaceAll(dropRow, ",", ";"), ";2.0;", ";2,0;", 1)),
			[]string{`2/height_m/2,0: "2,0" is not a number — use a dot as decimal separator`}},
		{"a decimal comma in a comma file splits the row", models.Drop,
			lines(dropHeader, strings.Replace(dropRow, ",2.0,", ",2,0,", 1)),
			[]string{"2//: this row has 14 values but the header has 13 columns — a decimal comma (2,0) splits a value in two: write 2.0"}},
		{"too few fields", models.Drop, lines(dropHeader, "atlas-r1,ATL-0001"),
			[]string{"2//: this row has 2 values but the header has 13 columns"}},
		{"a multi-line record is reported at its first line", models.Drop,
			lines(dropHeader+",notes", bad("worst_severity", "x")+",\"one\ntwo\nthree\"", bad("worst_severity", "y")+",z"),
			[]string{`2/worst_severity/x: "x" is not a whole number`, `5/worst_severity/y: "y" is not a whole number`}},
		{"text that is not UTF-8", models.Drop, lines(dropHeader, bad("technician", "M. M\xfcller")),
			[]string{"2/technician/M. M\uFFFDller: is not UTF-8 text: save the file as \"CSV UTF-8\" (spreadsheets often save in a Windows code page)"}},
		{"a value under a column with no name", models.Drop, lines(dropHeader+",", dropRow+",oops"),
			[]string{"2//oops: column 14 has a value but no name in the header: name the column or empty it"}},
		{"drops is not a column", models.Drop, lines(dropHeader+",drops", dropRow+","),
			[]string{"1/drops/drops: drops (the per-drop log) cannot be imported from CSV: send those runs as JSON to POST /api/v1/runs, or leave the column out"}},
		{"units: missing serial, unknown column", Units, lines("handset,colour", "atlas-r1,red"),
			[]string{`1/colour/colour: unknown column "colour" — units columns are handset, serial, notes`,
				"1/serial/: the column serial is missing: it is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res result
			if tt.kind == Units {
				res = readUnits(t, tt.input)
			} else {
				res = readKind(t, tt.kind, tt.input)
			}
			if res.code != models.Invalid {
				t.Fatalf("code = %q (%v), want invalid", res.code, res.err)
			}
			if got, want := strings.Join(res.problems, "\n"), strings.Join(tt.problems, "\n"); got != want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func readUnits(t *testing.T, input string) result {
	t.Helper()
	var res result
	_, err := ReadUnits(strings.NewReader(input), func(_ *Reader[models.Unit], row Row[models.Unit]) error {
		res.lines = append(res.lines, row.Line)
		return nil
	})
	res.err = err
	if err != nil {
		res.code = models.ErrorCode(err)
		var me *models.Error
		if errors.As(err, &me) {
			for _, f := range me.Fields {
				res.problems = append(res.problems, fmt.Sprintf("%d/%s/%s: %s", f.Row, f.Column, f.Value, f.Message))
			}
		}
	}
	return res
}

func TestReadRefusesWhatIsNotCSV(t *testing.T) {
	tests := []struct {
		name, input string
		row         int
		detail      string
	}{
		{"a bare quote", lines(dropHeader, dropRow, `atlas-r1,ATL-0001,MIL-STD 5"16,x`), 3,
			`the file is not valid CSV (comma-separated): line 3: a quote (") inside a value that does not start with one: quote the whole value and double the inner quote ("")`},
		{"a quote never closed", lines(dropHeader, dropRow, `atlas-r1,"ATL-0001,x`, "more", "and more"), 3,
			"the file is not valid CSV (comma-separated): line 3: a quoted value that starts on this line is not closed properly (reading went on to line 5): close the quote, or remove text after it"},
		{"text after a closing quote", lines(dropHeader, `"atlas-r1"x,y`), 2,
			"the file is not valid CSV (comma-separated): line 2: a quoted value is not closed, or text follows its closing quote"},
		{"a broken header in a semicolon file", lines(`handset;"unit;x`, "y;z"), 1,
			"the file is not valid CSV (semicolon-separated): line 1: a quoted value that starts on this line is not closed properly (reading went on to line 2): close the quote, or remove text after it"},
		{"JSON", `  {"kind": "drop"}`, 0,
			"this is JSON, not CSV: send a CSV file whose first line names the columns (runs one by one go to POST /api/v1/runs)"},
		{"a JSON array after a BOM", "\xEF\xBB\xBF[{}]", 0,
			"this is JSON, not CSV: send a CSV file whose first line names the columns (runs one by one go to POST /api/v1/runs)"},
		{"an endless record", lines(dropHeader, dropRow) + `x,"` + strings.Repeat("a", MaxRecordBytes+sniffBytes+8192), 0,
			"the record starting on line 2 is longer than 1024 KiB: a quote is probably never closed, or the file has no line breaks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readDrop(t, tt.input)
			if res.code != models.Malformed {
				t.Fatalf("code = %q (%v), want malformed", res.code, res.err)
			}
			var me *models.Error
			errors.As(res.err, &me)
			if me.Message != tt.detail {
				t.Errorf("detail = %q\nwant     %q", me.Message, tt.detail)
			}
			if tt.row > 0 && (len(me.Fields) != 1 || me.Fields[0].Row != tt.row) {
				t.Errorf("fields = %+v, want one at row %d", me.Fields, tt.row)
			}
		})
	}
}

func TestReadCapsProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString(dropHeader + "\n")
	const n = MaxProblems + 250
	for i := 0; i < n; i++ {
		b.WriteString(strings.Replace(dropRow, ",2.0,", ",tall,", 1) + "\n")
	}
	res := readDrop(t, b.String())
	if len(res.problems) != MaxProblems+1 {
		t.Fatalf("%d problems, want %d", len(res.problems), MaxProblems+1)
	}
	if last := res.problems[MaxProblems]; last != "0//: and 250 more problems" {
		t.Errorf("last = %q", last)
	}
	var me *models.Error
	errors.As(res.err, &me)
	if want := fmt.Sprintf("the drop runs file has %d problems: nothing was imported", n); me.Message != want {
		t.Errorf("detail = %q, want %q", me.Message, want)
	}
	if len(res.runs) != n {
		t.Errorf("%d rows handed out, want all %d (callers check them too)", len(res.runs), n)
	}
}

// A read error (the body cut off, or over the upload limit) is returned as
// it is, so that the HTTP layer can answer 413 or 400 for it.
func TestReadPassesReaderErrors(t *testing.T) {
	boom := errors.New("connection reset")
	src := io.MultiReader(strings.NewReader(lines(dropHeader, dropRow, dropRow)), &failing{boom})
	_, err := ReadRuns(src, models.Drop, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }

func TestRowReportedAndProblem(t *testing.T) {
	input := lines("handset,unit,method,started_at,ended_at,height_m,surface,protective_case,planned_drops,drops_completed",
		"atlas-r1,ATL-0001,M,2026-03-02T09:00:00Z,2026-03-02T11:30:00Z,  48 ,concrete,nope,26,26")
	_, _ = ReadRuns(strings.NewReader(input), models.Drop, func(rd *Reader[models.Run], row Row[models.Run]) error {
		for col, want := range map[string]bool{
			"protective_case":    true,  // cell could not be read
			"worst_severity":     true,  // required and missing: reported at the header
			"first_failure_drop": false, // optional and missing
			"height_m":           false, // read fine (the range is the caller's business)
			"drops":              false, // not a column at all
		} {
			if got := row.Reported(col); got != want {
				t.Errorf("Reported(%s) = %v, want %v", col, got, want)
			}
		}
		p := row.Problem("height_m", "too high")
		if p != (models.FieldError{Row: 2, Column: "height_m", Value: "48", Message: "too high"}) {
			t.Errorf("Problem = %+v", p)
		}
		if rd.Rows() != 1 || rd.Bytes() != int64(len(input)) || !rd.Failed() {
			t.Errorf("Rows %d Bytes %d Failed %v", rd.Rows(), rd.Bytes(), rd.Failed())
		}
		return nil
	})
}

// The example files linked from the README must stay importable.
func TestExamplesRead(t *testing.T) {
	for _, target := range Targets() {
		t.Run(target, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "examples", target+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var n int
			if target == Units {
				n, err = ReadUnits(f, nil)
			} else {
				n, err = ReadRuns(f, models.Kind(target), func(_ *Reader[models.Run], row Row[models.Run]) error {
					r := row.Value
					facts := models.HandsetFacts{BatteryCapacityMAh: 5000, NominalVoltageV: 3.87}
					if err := r.Validate(r.EndedAt, facts); err != nil {
						t.Errorf("line %d: %v", row.Line, err)
					}
					return nil
				})
			}
			if err != nil || n < 4 {
				t.Errorf("rows %d, err %v", n, err)
			}
		})
	}
}
