// Package models holds RuggedLab's domain types — handsets, units, runs of
// the four test kinds, revisions — and their validation. It imports nothing
// of ours and knows nothing of HTTP or SQL.
package models

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error so that every edge (HTTP, CLI) can answer the
// same way whatever layer raised it.
type Code string

// Error codes.
const (
	Invalid     Code = "invalid"     // well-formed but breaks a rule: 422
	Malformed   Code = "malformed"   // cannot be parsed at all: 400
	NotFound    Code = "not_found"   // unknown resource: 404
	Conflict    Code = "conflict"    // duplicate, stale revision, wrong state: 409
	TooLarge    Code = "too_large"   // body over the limit: 413
	Unsupported Code = "unsupported" // wrong media type: 415
	Internal    Code = "internal"    // anything else: 500, details logged not shown
	Busy        Code = "busy"        // the database is held by a long write (SQLite): 503, retry later
)

// FieldError says what is wrong and where: a dotted JSON path in Field, or a
// CSV line number and column name.
type FieldError struct {
	Field   string `json:"field,omitempty"`
	Row     int    `json:"row,omitempty"`
	Column  string `json:"column,omitempty"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

func (e FieldError) String() string {
	switch {
	case e.Row > 0:
		return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Message)
	case e.Field != "":
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// FieldErrors collects every problem of one input, so a technician can fix
// them all at once rather than one per attempt.
type FieldErrors []FieldError

// Add appends a problem for a JSON field path.
func (fe *FieldErrors) Add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Has reports whether a problem was recorded for field.
func (fe FieldErrors) Has(field string) bool {
	for _, e := range fe {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Merge appends the problems of more whose field fe has not already
// reported: a value that could not be read is also "required" and may
// break a rule, but one message per field says it best. Problems of no
// field are always kept.
func (fe FieldErrors) Merge(more FieldErrors) FieldErrors {
	out := fe
	for _, e := range more {
		if e.Field == "" || !fe.Has(e.Field) {
			out = append(out, e)
		}
	}
	return out
}

// Err returns nil when there is no problem, else an *Error with code Invalid.
func (fe FieldErrors) Err(detail string) error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: detail, Fields: fe}
}

// Error is the one error type that crosses package boundaries.
type Error struct {
	Code    Code
	Message string
	Fields  FieldErrors
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.String())
	}
	return e.Message + ": " + strings.Join(parts, "; ")
}

// Errorf builds an *Error with a code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode unwraps err to its Code; errors of unknown origin are Internal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}
