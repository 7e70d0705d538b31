package handlers

import (
	"bytes"
	"encoding/csv"
	"mime"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
)

// csvDialect is how a CSV answer is spelled. The standard dialect (RFC 4180:
// comma-separated, decimal point, no BOM) is for scripts and stays the
// default. The French one is what a spreadsheet set to French opens in
// columns: a semicolon separator (the comma is the decimal mark there), a
// decimal comma in numbers, a UTF-8 byte-order mark so accents are read as
// UTF-8, and CRLF line ends.
type csvDialect struct {
	name         string
	comma        rune
	decimalComma bool
	bom          bool
}

var (
	standardCSV = csvDialect{name: "standard", comma: ','}
	frenchCSV   = csvDialect{name: "fr", comma: ';', decimalComma: true, bom: true}
)

// dialectParam reads ?dialect= (standard when absent); a bad value goes to
// errs naming the parameter.
func dialectParam(c *gin.Context, errs *models.FieldErrors) csvDialect {
	switch v := c.Query("dialect"); v {
	case "", standardCSV.name:
		return standardCSV
	case frenchCSV.name:
		return frenchCSV
	default:
		errs.Add("dialect", "must be standard or fr, not %q", v)
		return standardCSV
	}
}

// plainDecimal is a number with a fractional part as Go formats it; only
// such cells get a decimal comma (dates, ids and text keep their points).
var plainDecimal = regexp.MustCompile(`^-?[0-9]+\.[0-9]+([eE][-+]?[0-9]+)?$`)

// cell spells one value in the dialect. Formula neutralising (safeCell)
// comes first, so a decimal comma never turns text into a number.
func (d csvDialect) cell(s string) string {
	s = safeCell(s)
	if d.decimalComma && plainDecimal.MatchString(s) {
		return strings.Replace(s, ".", ",", 1)
	}
	return s
}

// encode writes the rows as one CSV file in the dialect.
func (d csvDialect) encode(rows [][]string) []byte {
	var b bytes.Buffer
	if d.bom {
		b.WriteString("\ufeff")
	}
	w := csv.NewWriter(&b)
	w.Comma = d.comma
	w.UseCRLF = d.bom
	for _, row := range rows {
		rec := make([]string, len(row))
		for i, s := range row {
			rec[i] = d.cell(s)
		}
		_ = w.Write(rec) // a bytes.Buffer does not fail
	}
	w.Flush()
	return b.Bytes()
}

// writeCSV answers with a CSV table in the dialect the request asked for
// (validated by formatParam or exportPage before any work was done).
func writeCSV(c *gin.Context, filename string, rows [][]string) {
	var ignored models.FieldErrors
	d := dialectParam(c, &ignored)
	if d != standardCSV {
		filename = strings.TrimSuffix(filename, ".csv") + "-" + d.name + ".csv"
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", d.encode(rows))
}

// csvComma is the separator of a CSV answer, for the blind masker, which
// rereads its cells — also when the answer comes from the cache, where no
// handler ran. The French dialect is the only CSV answer that starts with a
// byte-order mark, so the mark tells it.
func csvComma(body []byte) rune {
	if bytes.HasPrefix(body, []byte("\ufeff")) {
		return frenchCSV.comma
	}
	return standardCSV.comma
}
