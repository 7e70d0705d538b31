package series

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// DecodeJSON reads a series of the given kind from a JSON body
// {"samples": [{"t_s": 0, "soc_pct": 100, "voltage_v": 4.31}, ...]},
// calling emit with batches of at most BatchRows samples while it reads.
//
// It streams: json.Decoder.Token walks the outer object and the array, and
// each sample is decoded on its own (json.Decoder.Decode into a reused
// json.RawMessage, then read by a small scanner), so memory does not grow
// with the number of samples. The first sample's keys define the series'
// columns; every later sample must have the same keys.
//
// Errors:
//   - Problems (422), each with Index (sample index, -1 for the body) and
//     Column; Problem.Field gives the JSON path: an unknown key in the body
//     or a sample, a value that is not a number or is out of range, t_s
//     missing, keys differing from samples[0], a sample that is not an
//     object, samples missing or not an array, no samples, a cross-sample
//     rule broken. As for ReadCSV, emit is not called after the first
//     problem but every problem is reported (up to MaxProblems).
//   - *SyntaxError (400): malformed JSON, a body that is not an object, an
//     object where the samples array belongs, an array where a sample
//     object belongs, data after the body, a single value (a sample, or a
//     string outside the samples) longer than 1 MiB.
//   - the reader's error, or emit's error (reading stops), unchanged.
//   - an error for an unknown kind.
func DecodeJSON(r io.Reader, kind Kind, emit func(Frame) error) (Summary, error) {
	all := specs(kind)
	if all == nil {
		return Summary{}, fmt.Errorf("series: unknown kind %q", kind)
	}
	lim := &valueLimiter{r: r}
	lim.dec = json.NewDecoder(lim)
	d := jsonDecoder{dec: lim.dec, kind: kind, all: all, emit: emit}
	return d.decode()
}

type jsonDecoder struct {
	dec      *json.Decoder
	kind     Kind
	all      []colSpec
	emit     func(Frame) error
	problems problemList

	c       *collector // made once samples[0] gives the columns
	keys    uint8      // bit k set: all[k] is a column of this series
	keysOf  int        // index of the sample that defined keys
	samples int
	vals    []float64 // one sample in the collector's column order, reused
	ok      []bool
}

// maxColumns bounds the columns of any kind (specs has at most 5), so that
// a sample's keys fit in a uint8 bit set and its values in an array.
const maxColumns = 8

func (d *jsonDecoder) summary() Summary {
	if d.c == nil {
		return Summary{Rows: d.samples}
	}
	return d.c.summary()
}

// hugeNumber stands for a number token too large for a float64.
type hugeNumber struct{}

// token is json.Decoder.Token, except that a number too large for a float64
// (well-formed JSON, on which Token fails after consuming it) comes back as
// hugeNumber instead of an error.
func (d *jsonDecoder) token() (json.Token, error) {
	tok, err := d.dec.Token()
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return hugeNumber{}, nil
	}
	return tok, err
}

func (d *jsonDecoder) decode() (Summary, error) {
	tok, err := d.token()
	if err == io.EOF {
		return Summary{}, &SyntaxError{Msg: `empty body — expected {"samples": [...]}`}
	}
	if err != nil {
		return Summary{}, d.syntax(err)
	}
	if tok != json.Delim('{') {
		return Summary{}, &SyntaxError{Offset: d.dec.InputOffset(),
			Msg: `expected an object {"samples": [...]}, found ` + describe(tok)}
	}
	seen := false
	for d.dec.More() {
		tok, err := d.token()
		if err != nil {
			return d.summary(), d.syntax(err)
		}
		key, _ := tok.(string) // inside an object, Token returns keys as strings
		if key == "samples" && !seen {
			seen = true
			if err := d.samplesValue(); err != nil {
				return d.summary(), err
			}
			continue
		}
		msg := "unknown field — the body has only samples"
		if key == "samples" {
			msg = "samples appears twice"
		}
		value, err := d.skip()
		if err != nil {
			return d.summary(), err
		}
		d.problems.add(Problem{Index: -1, Column: shorten(key), Value: value, Message: msg})
	}
	if _, err := d.token(); err != nil { // the closing brace
		return d.summary(), d.syntax(err)
	}
	if tok, err := d.token(); err != io.EOF {
		if err != nil {
			return d.summary(), d.syntax(err)
		}
		return d.summary(), &SyntaxError{Offset: d.dec.InputOffset(),
			Msg: "unexpected " + describe(tok) + " after the end of the body"}
	}
	switch {
	case !seen:
		d.problems.add(Problem{Index: -1, Column: "samples",
			Message: `samples is missing — send {"samples": [{"t_s": 0, ...}, ...]}`})
	case d.samples == 0:
		d.problems.add(Problem{Index: -1, Column: "samples", Message: "there are no samples"})
	}
	if d.c != nil {
		if err := d.c.flush(); err != nil {
			return d.summary(), err
		}
	}
	return d.summary(), d.problems.err()
}

// skip reads past one value token by token, so that even a huge unknown
// field is not held in memory, and returns a short text for Problem.Value.
func (d *jsonDecoder) skip() (string, error) {
	depth := 0
	var first json.Token
	for {
		tok, err := d.token()
		if err != nil {
			return "", d.syntax(err)
		}
		if first == nil {
			first = tok
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			break
		}
	}
	switch first {
	case json.Delim('{'):
		return "{…}", nil
	case json.Delim('['):
		return "[…]", nil
	}
	return describe(first), nil
}

// samplesValue reads the value of "samples", which should be an array of
// sample objects.
func (d *jsonDecoder) samplesValue() error {
	tok, err := d.token()
	if err != nil {
		return d.syntax(err)
	}
	switch tok {
	case json.Delim('['):
	case json.Delim('{'):
		return &SyntaxError{Offset: d.dec.InputOffset(), Msg: "samples must be an array [...], not an object"}
	default:
		d.problems.add(Problem{Index: -1, Column: "samples", Value: describe(tok),
			Message: "samples must be an array of sample objects, not " + describe(tok)})
		return nil
	}
	var raw json.RawMessage // reused: RawMessage.UnmarshalJSON appends to raw[:0]
	for d.dec.More() {
		if err := d.dec.Decode(&raw); err != nil {
			return d.syntax(err)
		}
		if err := d.sample(raw); err != nil {
			return err
		}
	}
	if _, err := d.token(); err != nil { // the closing bracket
		return d.syntax(err)
	}
	return nil
}

// sample reads one element of the samples array; raw is well-formed JSON.
func (d *jsonDecoder) sample(raw []byte) error {
	i := d.samples
	d.samples++
	at := where{index: i}
	switch raw[0] {
	case '{':
	case '[':
		return &SyntaxError{Offset: d.dec.InputOffset(),
			Msg: fmt.Sprintf(`samples[%d] is an array; a sample is an object like {"t_s": 0, ...}`, i)}
	default:
		d.problems.add(at.problem("", string(raw),
			`a sample must be an object like {"t_s": 0, ...}, not `+jsonKind(raw)))
		if d.c != nil {
			d.c.skip()
		}
		return nil
	}

	var vals [maxColumns]float64 // by index into d.all
	var have, good uint8
	members(raw, func(key, value []byte) {
		name, k := d.key(key)
		if k < 0 {
			d.problems.add(at.problem(shorten(name), string(value), fmt.Sprintf(
				"unknown field — %s columns are %s", d.kind, strings.Join(Columns(d.kind), ", "))))
			return
		}
		bit := uint8(1) << k
		if have&bit != 0 {
			d.problems.add(at.problem(name, string(value), name+" appears twice in one sample"))
			return
		}
		have |= bit
		v, msg := jsonNumber(name, value)
		if msg != "" {
			d.problems.add(at.problem(name, string(value), msg))
			return
		}
		vals[k], good = v, good|bit
	})

	if d.c == nil {
		if have&1 == 0 {
			d.problems.add(at.problem(TimeColumn, "", "t_s is required (seconds from the start of the run)"))
		}
		d.keys, d.keysOf = have, i
		var cols []colSpec
		for k, s := range d.all {
			if have&(1<<k) != 0 {
				cols = append(cols, s)
			}
		}
		d.c = newCollector(d.kind, cols, &d.problems, d.emit)
		d.c.rows = i // samples before this one were not objects
		d.vals, d.ok = make([]float64, len(cols)), make([]bool, len(cols))
	} else if have != d.keys {
		d.keyProblems(at, have)
	}

	j := 0
	for k := range d.all {
		if bit := uint8(1) << k; d.keys&bit != 0 {
			d.vals[j], d.ok[j] = vals[k], good&bit != 0
			j++
		}
	}
	return d.c.sample(at, d.vals, d.ok, nil)
}

// keyProblems reports how a sample's keys differ from those of the sample
// that defined the series' columns.
func (d *jsonDecoder) keyProblems(at where, have uint8) {
	var want []string
	for k, s := range d.all {
		if d.keys&(1<<k) != 0 {
			want = append(want, s.name)
		}
	}
	set := strings.Join(want, ", ")
	for k, s := range d.all {
		bit := uint8(1) << k
		switch {
		case d.keys&bit != 0 && have&bit == 0:
			d.problems.add(at.problem(s.name, "", fmt.Sprintf(
				"%s is missing — every sample needs the keys of samples[%d]: %s", s.name, d.keysOf, set)))
		case d.keys&bit == 0 && have&bit != 0:
			d.problems.add(at.problem(s.name, "", fmt.Sprintf(
				"%s is not in samples[%d] — every sample needs the same keys: %s", s.name, d.keysOf, set)))
		}
	}
}

// key returns a member name unquoted and its index into d.all (-1 when
// unknown). Names without escapes, which is all of them in practice, are
// matched without allocating.
func (d *jsonDecoder) key(quoted []byte) (string, int) {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		for k, s := range d.all {
			if string(inner) == s.name {
				return s.name, k
			}
		}
		return string(inner), -1
	}
	var name string
	if err := json.Unmarshal(quoted, &name); err != nil {
		return string(inner), -1
	}
	return name, specIndex(d.all, name)
}

// jsonNumber reads a member value that should be a number.
func jsonNumber(name string, value []byte) (float64, string) {
	switch value[0] {
	case '"':
		var s string
		_ = json.Unmarshal(value, &s)
		msg := name + " must be a number, not a string"
		if v, m := parseValue(strings.Replace(s, ",", ".", 1)); m == "" {
			msg += " — write " + num(v) + " without quotes"
		}
		return 0, msg
	case '{', '[', 't', 'f', 'n':
		msg := name + " must be a number, not " + jsonKind(value)
		if value[0] == 'n' {
			msg += " — leave a column out of every sample if it was not measured"
		}
		return 0, msg
	}
	v, err := strconv.ParseFloat(string(value), 64)
	if err != nil { // JSON number syntax is a subset of ParseFloat's: only range fails
		return 0, string(value) + " is out of range for a measurement"
	}
	return v, ""
}

// jsonKind names the kind of a well-formed JSON value for messages.
func jsonKind(value []byte) string {
	switch value[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "true/false"
	case 'n':
		return "null"
	}
	return "a number"
}

// describe names a token from json.Decoder.Token for messages.
func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return string(t)
	case string:
		return strconv.Quote(shorten(t))
	case float64:
		return num(t)
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return "null"
	case hugeNumber:
		return "a number too large for a measurement"
	}
	return fmt.Sprint(tok)
}

// syntax turns the decoder's errors into a *SyntaxError; read errors pass
// through unchanged. The offset is where the token or sample being read
// starts: json.SyntaxError.Offset counts only the bytes json.Decoder.Decode
// has scanned, not those Token has, so it is no position in the body.
func (d *jsonDecoder) syntax(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return &SyntaxError{Offset: d.dec.InputOffset(), Msg: se.Error()}
	case errors.Is(err, io.ErrUnexpectedEOF), err == io.EOF:
		return &SyntaxError{Offset: d.dec.InputOffset(), Msg: "the body ends too early (cut off?)"}
	}
	return err
}

// members calls fn with each member's quoted key and raw value of the JSON
// object in b. b must be well-formed (json.Decoder checked it), so the
// scanner only has to find boundaries, not validate.
func members(b []byte, fn func(key, value []byte)) {
	i := skipSpace(b, 0) + 1 // past '{'
	for {
		i = skipSpace(b, i)
		switch b[i] {
		case '}':
			return
		case ',':
			i = skipSpace(b, i+1)
		}
		keyEnd := skipString(b, i)
		key := b[i:keyEnd]
		i = skipSpace(b, skipSpace(b, keyEnd)+1) // past ':'
		end := skipValue(b, i)
		fn(key, b[i:end])
		i = end
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i].
func skipString(b []byte, i int) int {
	for i++; b[i] != '"'; i++ {
		if b[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// skipValue returns the index just past the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for ; i < len(b); i++ { // a number, true, false or null
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}
