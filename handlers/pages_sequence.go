package handlers

import (
	"html/template"
	"strconv"
	"strings"

	"ruggedlab/i18n"
)

// A handset page shows up to 50 runs for each unit: 400 list items on a
// candidate of 8 units, each ten template actions (translations, escaping,
// reflection), were a quarter of the page's time once the units had 50
// runs each (issue #18). sequenceItems writes them in Go, byte for byte
// what handset.html's loop wrote (TestSequenceItemsAsTemplate compares).

// sequenceItems is the <li> of each run of a sequence, each after a
// newline, as the template's range wrote them.
func sequenceItems(pt *i18n.Printer, runs []sequenceRun) template.HTML {
	var b strings.Builder
	b.Grow(len(runs) * 400)
	for _, r := range runs {
		b.WriteString("\n<li")
		if r.Retracted {
			b.WriteString(` class="retracted"`)
		}
		b.WriteString(` title="`)
		htmlEscape(&b, r.Date)
		b.WriteString(`"><span class="n">`)
		b.WriteString(strconv.Itoa(r.N))
		b.WriteString(`.</span><a href="`)
		// a run's own address: "/runs/" and its id, maybe "?blind=1" —
		// nothing the template's URL normalizer would change
		htmlEscape(&b, r.Href)
		b.WriteString(`">`)
		htmlEscape(&b, pt.Text(r.Kind))
		b.WriteString(`</a> `)
		htmlEscape(&b, pt.Decimal(r.Text))
		if r.Retracted {
			b.WriteString(` <span class="badge">`)
			htmlEscape(&b, pt.T("retracted"))
			b.WriteString(`</span>`)
		} else {
			b.WriteString(` <span class="badge review `)
			htmlEscape(&b, r.ReviewState)
			b.WriteString(`" data-review="`)
			htmlEscape(&b, r.ReviewState)
			b.WriteString(`">`)
			htmlEscape(&b, pt.Text(r.ReviewState))
			b.WriteString(`</span>`)
		}
		if r.Attachments != 0 {
			b.WriteString(` <a href="`)
			htmlEscape(&b, r.Href)
			b.WriteString(`#attachments" class="badge" data-attachments="`)
			b.WriteString(strconv.Itoa(r.Attachments))
			b.WriteString(`">`)
			htmlEscape(&b, pt.T("%d attachment(s)", r.Attachments))
			b.WriteString(`</a>`)
		}
		b.WriteString("</li>")
	}
	return template.HTML(b.String())
}

// htmlEscape writes s escaped as html/template escapes text and quoted
// attribute values (its htmlReplacementTable: NUL, ", &, ', +, <, >).
func htmlEscape(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case 0:
			rep = "\uFFFD"
		case '"':
			rep = "&#34;"
		case '&':
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(s[last:])
}
