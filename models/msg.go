package models

import (
	"fmt"
	"strings"
)

// Msg is an explanation for people (a verdict's reason, a label's note)
// worded in English with its values kept apart, so that a page can say it
// in the reader's language: Key is a printf format and the message
// catalogue's key (package i18n), Args its values. String is the English,
// which is what the API answers; the packages that explain (verdict,
// award, eulabel) need no translator.
//
// An argument is a string (a code, a name: shown as it is), an int, a
// Figure, a Word, a List, or another Msg or Msgs (worded in the same
// language).
type Msg struct {
	Key  string
	Args []any
}

// M is the message key with args.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// Figure is a value already formatted as English shows it ("0.812",
// "95 %"): a page in another language gives it its own decimal mark.
type Figure string

// Word is a name from a closed list (a part, a form factor, a class of
// fasteners): a page says it in its language when the catalogue has it,
// else as it is.
type Word string

// List is values said one after the other with ", " between them.
type List []any

// String is m in English. A key without arguments is the text itself (it
// may hold a literal %), as i18n.Printer.T reads it.
func (m Msg) String() string {
	if len(m.Args) == 0 {
		return m.Key
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		args[i] = English(a)
	}
	return fmt.Sprintf(m.Key, args...)
}

// English is a Msg's argument as the English shows it: messages and lists
// worded, figures and words as written, other values as they are.
func English(a any) any {
	switch v := a.(type) {
	case Msg:
		return v.String()
	case Msgs:
		return v.String()
	case Figure:
		return string(v)
	case Word:
		return string(v)
	case List:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(English(x))
		}
		return strings.Join(parts, ", ")
	}
	return a
}

// Msgs is a text said in parts, one after the other: each part after the
// first carries its joiner in its key ("; %s did not pass already", " (…)"),
// so each language words the joint its own way.
type Msgs []Msg

// String is the English text.
func (ms Msgs) String() string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.String())
	}
	return b.String()
}

// JoinMsgs says ms one after the other with "; " between them (the key
// "; %s" for every part after the first).
func JoinMsgs(ms []Msg) Msgs {
	out := make(Msgs, len(ms))
	for i, m := range ms {
		out[i] = m
		if i > 0 {
			out[i] = M("; %s", m)
		}
	}
	return out
}
