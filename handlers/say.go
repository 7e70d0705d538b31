package handlers

import (
	"context"
	"fmt"
	"strings"

	"ruggedlab/i18n"
	"ruggedlab/models"
)

// say words m (a verdict's reason, a label's note: models.Msg) in pt's
// language. Without a printer, or in English, it is m's English, byte for
// byte what the API answers. In French the catalogue has m's key; each
// value is worded the same way: messages in French, figures with the
// decimal comma, words the catalogue knows in French, codes and names as
// they are.
func say(pt *i18n.Printer, m models.Msg) string {
	if pt == nil || pt.Lang == i18n.EN {
		return m.String()
	}
	if len(m.Args) == 0 {
		return pt.Text(m.Key)
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		args[i] = sayArg(pt, a)
	}
	return pt.T(m.Key, args...)
}

// sayAll words a text said in parts (models.Msgs), each part in turn.
func sayAll(pt *i18n.Printer, ms models.Msgs) string {
	if pt == nil || pt.Lang == i18n.EN {
		return ms.String()
	}
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(say(pt, m))
	}
	return b.String()
}

func sayArg(pt *i18n.Printer, a any) any {
	switch v := a.(type) {
	case models.Msg:
		return say(pt, v)
	case models.Msgs:
		return sayAll(pt, v)
	case models.Figure:
		return pt.Decimal(string(v))
	case models.Word:
		// A code's words ("non_removable") are in the catalogue as the
		// run pages name them ("non removable"); an unknown code stays.
		for _, w := range []string{string(v), strings.ReplaceAll(string(v), "_", " ")} {
			if pt.Has(w) {
				return pt.Text(w)
			}
		}
		return string(v)
	case models.List:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(sayArg(pt, x))
		}
		return strings.Join(parts, ", ")
	}
	return a
}

// Say words ms in the page's language, then hides candidate names in
// blind mode (a reason may quote a code).
func (c *cast) Say(ms models.Msgs) string { return c.Text(sayAll(c.tr, ms)) }

// in is c speaking the language of ctx: a view built for an export gets
// the English printer (exportPage), whatever the reader's language was
// when the query was read.
func (c *cast) in(ctx context.Context) *cast {
	cp := *c
	cp.tr = i18n.FromContext(ctx)
	return &cp
}

// known is s in the page's language when the catalogue has it (or its
// pattern, numbers apart: "7/8 units, Beta(x+½, n−x+½)"), else as it is:
// for texts a package builds with codes in them (an award criterion's
// value source).
func (c *cast) known(s string) string {
	if c.tr != nil && c.tr.Known(s) {
		return c.tr.Text(s)
	}
	return s
}
