package handlers

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"ruggedlab/internal/testdb"
)

func TestCSVDialectEncode(t *testing.T) {
	rows := [][]string{
		{"handset", "proportion", "wilson_lower", "started_at", "title"},
		{"atlas-r1", "0.8333333333333334", "-0.5", "2026-02-17T12:00:00Z", "Chute, 2 m"},
		{"=cmd", "1e-05", "12", "-1.5e-03", "état"},
	}
	cases := []struct {
		name string
		d    csvDialect
		want string
	}{
		{"standard", standardCSV, "handset,proportion,wilson_lower,started_at,title\n" +
			"atlas-r1,0.8333333333333334,-0.5,2026-02-17T12:00:00Z,\"Chute, 2 m\"\n" +
			"'=cmd,1e-05,12,-1.5e-03,état\n"},
		// Decimal comma only in numbers with a fractional part; the comma
		// in the text no longer needs quotes; formulas stay neutralised.
		{"fr", frenchCSV, "\ufeffhandset;proportion;wilson_lower;started_at;title\r\n" +
			"atlas-r1;0,8333333333333334;-0,5;2026-02-17T12:00:00Z;Chute, 2 m\r\n" +
			"'=cmd;1e-05;12;-1,5e-03;état\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := string(tc.d.encode(rows))
			if got != tc.want {
				t.Errorf("encode:\n got %q\nwant %q", got, tc.want)
			}
			if c := csvComma([]byte(got)); c != tc.d.comma {
				t.Errorf("csvComma = %q, want %q", c, tc.d.comma)
			}
		})
	}
}

// readFrenchCSV parses a French-dialect answer after checking its BOM.
func readFrenchCSV(t *testing.T, body string) [][]string {
	t.Helper()
	if !strings.HasPrefix(body, "\ufeff") {
		t.Fatalf("no UTF-8 BOM: %.80q", body)
	}
	r := csv.NewReader(bytes.NewReader([]byte(strings.TrimPrefix(body, "\ufeff"))))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("French CSV: %v\n%.300s", err, body)
	}
	return rows
}

// TestCSVDialectAPI: the API's CSV answers in the French dialect carry the
// same cells as the standard ones, spelled for a French spreadsheet; a bad
// dialect is refused naming the parameter.
func TestCSVDialectAPI(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := vtOpen(t, e, true)
			const q = "/api/v1/compare?kind=drop&surface=tumbler&format=csv"
			std := vtCSV(t, a.do(t, "GET", q, "").body)
			resp := a.do(t, "GET", q+"&dialect=fr", "")
			if resp.status != 200 || !strings.Contains(resp.header.Get("Content-Disposition"), "compare-drop-fr.csv") {
				t.Fatalf("French CSV: %d %v", resp.status, resp.header)
			}
			fr := readFrenchCSV(t, string(resp.body))
			if len(fr) != len(std) {
				t.Fatalf("French CSV has %d rows, standard %d", len(fr), len(std))
			}
			decimals := 0
			for i := range std {
				for j := range std[i] {
					want := std[i][j]
					if plainDecimal.MatchString(want) {
						want = strings.Replace(want, ".", ",", 1)
						decimals++
					}
					if fr[i][j] != want {
						t.Errorf("row %d col %d: %q, want %q", i, j, fr[i][j], want)
					}
				}
			}
			if decimals == 0 {
				t.Errorf("no decimal in the comparison: the test proves nothing")
			}
			a.wantProblem(t, 422, "GET", q+"&dialect=excel", "", "dialect")
		})
	}
}
