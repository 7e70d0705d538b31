package importer

import (
	"fmt"
	"strings"

	"ruggedlab/models"
)

// MaxProblems caps the problems one file reports. A file with a decimal
// comma in every row of 200,000 has 200,000 problems; the technician needs
// the first ones and the count, not a 40 MB answer.
const MaxProblems = 1000

// problems collects row/column problems up to MaxProblems and counts the
// rest, so the "and N more" line is exact.
type problems struct {
	list models.FieldErrors
	more int
}

func (p *problems) add(e models.FieldError) {
	if len(p.list) < MaxProblems {
		p.list = append(p.list, e)
		return
	}
	p.more++
}

func (p *problems) any() bool { return len(p.list) > 0 }

// err is nil without problems, else an Invalid *models.Error listing them.
func (p *problems) err(what string) error {
	if len(p.list) == 0 {
		return nil
	}
	list := p.list
	if p.more > 0 {
		list = append(list[:len(list):len(list)], models.FieldError{Message: fmt.Sprintf("and %d more problems", p.more)})
	}
	n := len(p.list) + p.more
	detail := fmt.Sprintf("the %s file has %d problem", what, n)
	if n > 1 {
		detail += "s"
	}
	return &models.Error{Code: models.Invalid, Message: detail + ": nothing was imported", Fields: list}
}

// maxValueLen keeps a pasted paragraph in one cell from filling the answer.
const maxValueLen = 64

// shorten cuts long values on a rune boundary and makes them valid UTF-8,
// so that problem answers stay small and encode cleanly.
func shorten(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= maxValueLen {
		return s
	}
	cut := maxValueLen
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
