package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// FieldType is the type of a field as a technician would describe it.
type FieldType string

// Field types.
const (
	Number    FieldType = "number"
	Integer   FieldType = "integer"
	Text      FieldType = "text"
	Boolean   FieldType = "boolean"
	Timestamp FieldType = "timestamp"
	Nested    FieldType = "nested" // an object or array with its own decoder
)

// FieldInfo describes one input field: enough to decode it from JSON or a CSV
// cell, to check its range, and to show a form with its unit and limits.
type FieldInfo struct {
	Name     string    `json:"name"`
	Type     FieldType `json:"type"`
	Unit     string    `json:"unit,omitempty"`
	Min      *float64  `json:"min,omitempty"`
	Max      *float64  `json:"max,omitempty"`
	Enum     []string  `json:"enum,omitempty"`
	Required bool      `json:"required"`
	MaxLen   int       `json:"max_len,omitempty"`
	Help     string    `json:"help,omitempty"`
}

// field binds a FieldInfo to a place in a T. ref returns a pointer to the
// struct field: **float64, **int, *string, **bool or *time.Time.
type field[T any] struct {
	FieldInfo
	ref    func(*T) any
	nested func(raw json.RawMessage, path string, dst *T, errs *FieldErrors)
}

func rng(lo, hi float64) (*float64, *float64) { return &lo, &hi }

func num[T any](name, unit string, lo, hi float64, required bool, ref func(*T) **float64) field[T] {
	mn, mx := rng(lo, hi)
	return field[T]{FieldInfo: FieldInfo{Name: name, Type: Number, Unit: unit, Min: mn, Max: mx, Required: required},
		ref: func(t *T) any { return ref(t) }}
}

func integer[T any](name string, lo, hi float64, required bool, ref func(*T) **int) field[T] {
	mn, mx := rng(lo, hi)
	return field[T]{FieldInfo: FieldInfo{Name: name, Type: Integer, Min: mn, Max: mx, Required: required},
		ref: func(t *T) any { return ref(t) }}
}

func text[T any](name string, maxLen int, required bool, ref func(*T) *string) field[T] {
	return field[T]{FieldInfo: FieldInfo{Name: name, Type: Text, MaxLen: maxLen, Required: required},
		ref: func(t *T) any { return ref(t) }}
}

func enum[T any](name string, values []string, required bool, ref func(*T) *string) field[T] {
	return field[T]{FieldInfo: FieldInfo{Name: name, Type: Text, Enum: values, Required: required},
		ref: func(t *T) any { return ref(t) }}
}

func boolean[T any](name string, required bool, ref func(*T) **bool) field[T] {
	return field[T]{FieldInfo: FieldInfo{Name: name, Type: Boolean, Required: required},
		ref: func(t *T) any { return ref(t) }}
}

func timestamp[T any](name string, ref func(*T) *time.Time) field[T] {
	return field[T]{FieldInfo: FieldInfo{Name: name, Type: Timestamp, Required: true},
		ref: func(t *T) any { return ref(t) }}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// decodeObject decodes a JSON object into dst field by field, so that every
// unknown field and every wrongly typed value is reported, not only the first.
// It reports whether raw was an object at all.
func decodeObject[T any](raw json.RawMessage, path string, fields []field[T], dst *T, errs *FieldErrors) bool {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return false
	}
	// Sorted keys keep error order stable for people and tests.
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		i := slices.IndexFunc(fields, func(f field[T]) bool { return f.Name == k })
		if i < 0 {
			errs.Add(join(path, k), "unknown field")
			continue
		}
		f := fields[i]
		p := join(path, k)
		if f.nested != nil {
			f.nested(obj[k], p, dst, errs)
			continue
		}
		if msg := setJSON(f, obj[k], f.ref(dst)); msg != "" {
			errs.Add(p, "%s", msg)
		}
	}
	return true
}

// setJSON stores one JSON value; it returns a message when the value has the
// wrong type. null clears the field.
func setJSON[T any](f field[T], raw json.RawMessage, ptr any) string {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		switch p := ptr.(type) {
		case **float64:
			*p = nil
		case **int:
			*p = nil
		case **bool:
			*p = nil
		case *string:
			*p = ""
		case *time.Time:
			*p = time.Time{}
		}
		return ""
	}
	switch p := ptr.(type) {
	case **float64:
		var v float64
		if len(raw) == 0 || raw[0] == '"' || json.Unmarshal(raw, &v) != nil {
			return "must be a number" + unitSuffix(f.Unit) + ", not " + jsonKind(raw)
		}
		*p = &v
	case **int:
		var v float64
		if len(raw) == 0 || raw[0] == '"' || json.Unmarshal(raw, &v) != nil {
			return "must be a whole number, not " + jsonKind(raw)
		}
		if v != math.Trunc(v) || math.Abs(v) > 1e9 {
			return "must be a whole number"
		}
		n := int(v)
		*p = &n
	case **bool:
		var v bool
		if json.Unmarshal(raw, &v) != nil {
			return "must be true or false, not " + jsonKind(raw)
		}
		*p = &v
	case *string:
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return "must be a string, not " + jsonKind(raw)
		}
		*p = v
	case *time.Time:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "must be an RFC 3339 timestamp string, not " + jsonKind(raw)
		}
		t, err := ParseTime(s)
		if err != nil {
			return err.Error()
		}
		*p = t
	default:
		panic(fmt.Sprintf("models: field %s has unsupported type %T", f.Name, ptr))
	}
	return ""
}

func jsonKind(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "empty"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

func unitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return " (" + unit + ")"
}

// setText stores one CSV cell; an empty cell is null.
func setText[T any](f field[T], cell string, ptr any) string {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return setJSON(f, json.RawMessage("null"), ptr)
	}
	switch p := ptr.(type) {
	case **float64:
		v, err := strconv.ParseFloat(cell, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			if strings.Contains(cell, ",") {
				return fmt.Sprintf("%q is not a number — use a dot as decimal separator", cell)
			}
			return fmt.Sprintf("%q is not a number", cell)
		}
		*p = &v
	case **int:
		v, err := strconv.Atoi(cell)
		if err != nil {
			return fmt.Sprintf("%q is not a whole number", cell)
		}
		*p = &v
	case **bool:
		var v bool
		switch strings.ToLower(cell) {
		case "true", "1":
			v = true
		case "false", "0":
		default:
			return fmt.Sprintf("%q must be true or false", cell)
		}
		*p = &v
	case *string:
		*p = cell
	case *time.Time:
		t, err := ParseTime(cell)
		if err != nil {
			return err.Error()
		}
		*p = t
	default:
		return "cannot be given in a CSV cell"
	}
	return ""
}

// ParseTime accepts RFC 3339 with any offset and fractional seconds and
// returns UTC.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp (e.g. 2026-03-02T09:00:00Z)", s)
	}
	return t.UTC(), nil
}

// checkFields applies the per-field rules of the table: required, ranges,
// enumerations, text length and control characters.
func checkFields[T any](fields []field[T], dst *T, path string, errs *FieldErrors) {
	for _, f := range fields {
		if f.nested != nil {
			continue
		}
		p := join(path, f.Name)
		if errs.Has(p) {
			continue // already reported as the wrong type
		}
		switch v := f.ref(dst).(type) {
		case **float64:
			if *v == nil {
				if f.Required {
					errs.Add(p, "is required")
				}
				continue
			}
			x := **v
			if math.IsNaN(x) || math.IsInf(x, 0) {
				errs.Add(p, "must be a finite number")
			} else if (f.Min != nil && x < *f.Min) || (f.Max != nil && x > *f.Max) {
				errs.Add(p, "%s", rangeMessage(f.FieldInfo, x))
			}
		case **int:
			if *v == nil {
				if f.Required {
					errs.Add(p, "is required")
				}
				continue
			}
			x := float64(**v)
			if (f.Min != nil && x < *f.Min) || (f.Max != nil && x > *f.Max) {
				errs.Add(p, "%s", rangeMessage(f.FieldInfo, x))
			}
		case **bool:
			if *v == nil && f.Required {
				errs.Add(p, "is required (true or false)")
			}
		case *string:
			s := *v
			switch {
			case s == "":
				if f.Required {
					errs.Add(p, "is required")
				}
			case len(f.Enum) > 0 && !slices.Contains(f.Enum, s):
				errs.Add(p, "must be one of %s, not %q", strings.Join(f.Enum, ", "), s)
			case f.MaxLen > 0 && len([]rune(s)) > f.MaxLen:
				errs.Add(p, "is too long: %d characters, at most %d", len([]rune(s)), f.MaxLen)
			case hasControl(s):
				errs.Add(p, "must not contain control characters")
			}
		case *time.Time:
			if v.IsZero() && f.Required {
				errs.Add(p, "is required")
			}
		}
	}
}

func rangeMessage(f FieldInfo, x float64) string {
	msg := fmt.Sprintf("must be between %s and %s%s, not %s", fmtNum(*f.Min), fmtNum(*f.Max), unitSuffix(f.Unit), fmtNum(x))
	// A bare number well above the metre range is almost always centimetres
	// or inches typed into a metres field (domain.md §8(c) rule 1).
	if f.Unit == "m" && x > 10 && *f.Max <= 10 {
		msg += " — this looks like centimetres or inches; give metres (48 in = 1.219 m)"
	}
	return msg
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// hasControl reports control characters other than tab and newline, which
// have no business in lab records and confuse logs and exports.
func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return true
		}
	}
	return false
}

// fieldValue returns the field's value as a JSON-ready value (nil for null).
func fieldValue[T any](f field[T], dst *T) any {
	switch v := f.ref(dst).(type) {
	case **float64:
		if *v == nil {
			return nil
		}
		return **v
	case **int:
		if *v == nil {
			return nil
		}
		return **v
	case **bool:
		if *v == nil {
			return nil
		}
		return **v
	case *string:
		if *v == "" {
			return nil
		}
		return *v
	case *time.Time:
		if v.IsZero() {
			return nil
		}
		return v.UTC().Format(time.RFC3339Nano)
	}
	return nil
}
