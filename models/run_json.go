package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"time"
)

// MarshalJSON writes the envelope, the fields of the run's own kind (null
// when absent, so a client sees the whole shape) and the record fields.
func (r Run) MarshalJSON() ([]byte, error) {
	o := orderedObject{}
	o.add("id", r.ID)
	for _, f := range runFields(r.Kind) {
		if f.Name == "drops" {
			if len(r.Drops) > 0 {
				o.add("drops", r.Drops)
			}
			continue
		}
		o.add(f.Name, fieldValue(f, &r))
	}
	if r.Kind == Battery {
		o.add("metrics", r.Metrics)
	}
	if r.Kind == Battery || r.Kind == Temperature {
		o.add("has_series", r.HasSeries)
	}
	o.add("revision", r.Revision)
	o.add("status", r.Status)
	o.add("recorded_by", r.RecordedBy)
	o.add("recorded_at", r.RecordedAt.UTC().Format(time.RFC3339Nano))
	o.add("review", r.ReviewOf())
	return o.marshal()
}

type orderedObject struct {
	keys []string
	vals []any
}

func (o *orderedObject) add(k string, v any) {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

func (o *orderedObject) marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", k, err)
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// SetColumn sets one field of the run from a CSV cell. It returns a message
// for the technician when the cell cannot be read, or "" on success.
func (r *Run) SetColumn(name, cell string) string {
	for _, f := range runFields(r.Kind) {
		if f.Name == name && f.nested == nil {
			return setText(f, cell, f.ref(r))
		}
	}
	return "is not a column of a " + string(r.Kind) + " run"
}

// Change is one field's value before and after an amendment.
type Change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// Changes maps field names to their change.
type Changes map[string]Change

// immutableFields identify the run: changing them would make it a
// different run, which must be recorded as such.
var immutableFields = []string{"kind", "handset", "unit"}

// Amend applies a `changes` object to a copy of r. Every field problem is
// listed with the path `changes.<field>`. The result still needs Validate.
func (r Run) Amend(changes json.RawMessage) (Run, error) {
	next := r
	next.Drops = slices.Clone(r.Drops)
	var errs FieldErrors
	var fields []field[Run]
	for _, f := range runFields(r.Kind) {
		if slices.Contains(immutableFields, f.Name) {
			continue
		}
		fields = append(fields, f)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(changes, &obj); err != nil || obj == nil {
		errs.Add("changes", "must be an object of field names and new values")
		return next, errs.Err("the amendment is not valid")
	}
	if len(obj) == 0 {
		errs.Add("changes", "must change at least one field")
	}
	for _, name := range immutableFields {
		if _, ok := obj[name]; ok {
			errs.Add("changes."+name, "cannot be amended: retract this run and record a new one")
			delete(obj, name)
		}
	}
	cleaned, _ := json.Marshal(obj)
	decodeObject(cleaned, "changes", fields, &next, &errs)
	return next, errs.Err("the amendment is not valid")
}

// Diff lists the fields whose value differs between two revisions.
func Diff(before, after Run) Changes {
	ch := Changes{}
	for _, f := range runFields(after.Kind) {
		var a, b any
		if f.Name == "drops" {
			a, b = before.Drops, after.Drops
			if len(before.Drops) == 0 {
				a = nil
			}
			if len(after.Drops) == 0 {
				b = nil
			}
		} else {
			a, b = fieldValue(f, &before), fieldValue(f, &after)
		}
		if !reflect.DeepEqual(a, b) {
			ch[f.Name] = Change{From: a, To: b}
		}
	}
	return ch
}
