package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func asTypeError(err error, target **json.UnmarshalTypeError) bool { return errors.As(err, target) }

// unknownField extracts the name from encoding/json's "unknown field" error,
// which has no typed form.
func unknownField(err error) (string, bool) {
	const prefix = `json: unknown field "`
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return "", false
	}
	return strings.TrimSuffix(strings.TrimPrefix(msg, prefix), `"`), true
}

func jsonTypeName(kind string) string {
	switch kind {
	case "int", "int64", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	}
	return "of type " + kind
}
