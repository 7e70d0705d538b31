// Package pdftext extracts a PDF's text for tests (issue #13: a report's
// figures are checked in the text a reader gets, not in our own layout
// structs). It uses github.com/ledongthuc/pdf, pure Go, so the tests need
// no poppler on the machine and cannot skip for want of it.
//
// Known limit of that reader: it decodes a ToUnicode range by its last
// byte only, so characters above U+00FF ("≥", "–", "·") come out wrong;
// Latin-1 (French accents included) and digits come out right. Tests
// assert on those.
package pdftext

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ledongthuc/pdf"
)

// Pages returns each page's text with every run of white space (between
// cells, lines and wrapped lines of one cell) made one space, so a test
// finds "sur béton" whether or not a cell wrapped there.
func Pages(data []byte) ([]string, error) {
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("pdftext: %w", err)
	}
	out := make([]string, 0, r.NumPage())
	for i := 1; i <= r.NumPage(); i++ {
		rows, err := r.Page(i).GetTextByRow()
		if err != nil {
			return nil, fmt.Errorf("pdftext: page %d: %w", i, err)
		}
		var b strings.Builder
		for _, row := range rows {
			for j, w := range row.Content {
				if j > 0 {
					b.WriteByte(' ') // one text operator per cell or line
				}
				b.WriteString(w.S)
			}
			b.WriteByte('\n')
		}
		out = append(out, strings.Join(strings.Fields(b.String()), " "))
	}
	return out, nil
}
