package models_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"ruggedlab/models"
)

func TestAmendInvalid(t *testing.T) {
	tests := []struct {
		name    string
		changes string
		want    []string
		msgs    map[string]string
	}{
		{name: "wrong type", changes: `{"worst_severity": "3"}`,
			want: []string{"changes.worst_severity"}, msgs: map[string]string{"changes.worst_severity": "whole number"}},
		{name: "height as a string", changes: `{"height_m": "2"}`,
			want: []string{"changes.height_m"}, msgs: map[string]string{"changes.height_m": "must be a number"}},
		{name: "handset", changes: `{"handset": "borealis-x"}`,
			want: []string{"changes.handset"}, msgs: map[string]string{"changes.handset": "cannot be amended"}},
		{name: "unit", changes: `{"unit": "ATL-0002"}`, want: []string{"changes.unit"}},
		{name: "kind", changes: `{"kind": "battery"}`, want: []string{"changes.kind"}},
		{name: "empty changes", changes: `{}`,
			want: []string{"changes"}, msgs: map[string]string{"changes": "at least one field"}},
		{name: "null changes", changes: `null`, want: []string{"changes"}},
		{name: "array changes", changes: `[{"worst_severity": 3}]`, want: []string{"changes"}},
		{name: "number changes", changes: `3`, want: []string{"changes"}},
		{name: "missing changes", changes: ``, want: []string{"changes"}},
		{name: "unknown field", changes: `{"colour": "red"}`,
			want: []string{"changes.colour"}, msgs: map[string]string{"changes.colour": "unknown field"}},
		{name: "field of another kind", changes: `{"setpoint_c": 5}`, want: []string{"changes.setpoint_c"}},
		{name: "record field", changes: `{"revision": 3}`, want: []string{"changes.revision"}},
		{name: "bad drop log entry", changes: `{"drops": [{"seq": 1, "orientation": "face_9", "severity": 0}]}`,
			want: []string{"changes.drops[0].orientation"}},
		{name: "every problem listed", changes: `{"handset": "x", "unit": "y", "worst_severity": "3", "colour": 1, "started_at": "today"}`,
			want: []string{"changes.handset", "changes.unit", "changes.worst_severity", "changes.colour", "changes.started_at"}},
	}
	before := mustRun(t, models.Drop, map[string]any{"worst_severity": 1})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := before.Amend([]byte(tc.changes))
			wantFields(t, err, tc.want...)
			if err != nil && tc.msgs != nil {
				wantMessages(t, err, tc.msgs)
			}
		})
	}
}

func TestAmendThenDiff(t *testing.T) {
	tests := []struct {
		name    string
		kind    models.Kind
		base    map[string]any
		changes string
		diff    models.Changes
		invalid []string // what Validate then reports
	}{
		{name: "worst severity", kind: models.Drop, base: map[string]any{"worst_severity": 1},
			changes: `{"worst_severity": 3}`,
			diff:    models.Changes{"worst_severity": {From: 1, To: 3}}},
		{name: "first failure from censored", kind: models.Drop,
			changes: `{"first_failure_drop": 20, "worst_severity": 4}`,
			diff: models.Changes{"first_failure_drop": {From: nil, To: 20},
				"worst_severity": {From: 2, To: 4}}},
		{name: "clear an optional field", kind: models.Drop,
			changes: `{"notes": null}`,
			diff:    models.Changes{"notes": {From: "first unit of the batch\nphotos in the share", To: nil}}},
		{name: "same value changes nothing", kind: models.Drop,
			changes: `{"height_m": 1.22}`,
			diff:    models.Changes{}},
		{name: "amended run is validated like a new one", kind: models.Drop,
			changes: `{"drops_completed": 30}`,
			diff:    models.Changes{"drops_completed": {From: 26, To: 30}},
			invalid: []string{"drops_completed"}},
		{name: "removing a required field", kind: models.Drop,
			changes: `{"surface": null}`,
			diff:    models.Changes{"surface": {From: "plywood_on_concrete", To: nil}},
			invalid: []string{"surface"}},
		{name: "battery runtime", kind: models.Battery,
			changes: `{"runtime_h": 29.75}`,
			diff:    models.Changes{"runtime_h": {From: 31.5, To: 29.75}}},
		{name: "battery SoC made inconsistent", kind: models.Battery,
			changes: `{"end_soc_pct": 100}`,
			diff:    models.Changes{"end_soc_pct": {From: 0.0, To: 100.0}},
			invalid: []string{"end_soc_pct"}},
		{name: "ingress code", kind: models.Ingress,
			changes: `{"ip_code": "IPX7", "depth_m": 1}`,
			diff:    models.Changes{"ip_code": {From: "IP68", To: "IPX7"}, "depth_m": {From: 1.5, To: 1.0}}},
		{name: "same instant in another offset changes nothing", kind: models.Temperature,
			changes: `{"ended_at": "2026-05-30T13:00:00+02:00"}`,
			diff:    models.Changes{}},
		{name: "temperature timestamp", kind: models.Temperature,
			changes: `{"ended_at": "2026-05-30T13:00:00+01:00"}`,
			diff:    models.Changes{"ended_at": {From: "2026-05-30T11:00:00Z", To: "2026-05-30T12:00:00Z"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := mustRun(t, tc.kind, tc.base)
			snapshot := mustMarshal(t, before) // by value: a shallow copy shares pointers
			after, err := before.Amend([]byte(tc.changes))
			if err != nil {
				t.Fatalf("Amend: %v", err)
			}
			if got := mustMarshal(t, before); got != snapshot {
				t.Errorf("Amend changed the original run:\n%s\nwas\n%s", got, snapshot)
			}
			if after.Kind != before.Kind || after.Handset != before.Handset || after.Unit != before.Unit {
				t.Errorf("identity changed: %s %s %s", after.Kind, after.Handset, after.Unit)
			}
			if got := models.Diff(before, after); !reflect.DeepEqual(got, tc.diff) {
				t.Errorf("Diff = %#v, want %#v", got, tc.diff)
			}
			wantFields(t, after.Validate(now, atlas), tc.invalid...)
		})
	}
}

func TestAmendDropLog(t *testing.T) {
	before := mustRun(t, models.Drop, map[string]any{"drops_completed": 2, "worst_severity": 1, "drops": dropLog(0, 1)})
	after, err := before.Amend([]byte(`{"worst_severity": 3, "drops": [{"seq": 1, "orientation": "face_1", "severity": 0}, {"seq": 2, "orientation": "face_2", "severity": 3}]}`))
	if err != nil {
		t.Fatalf("Amend: %v", err)
	}
	if before.Drops[1].Severity != 1 {
		t.Errorf("Amend changed the original drop log: %+v", before.Drops)
	}
	got := models.Diff(before, after)
	if len(got) != 2 {
		t.Fatalf("Diff = %#v, want worst_severity and drops", got)
	}
	if c := got["worst_severity"]; c.From != 1 || c.To != 3 {
		t.Errorf("worst_severity change = %#v", c)
	}
	if _, ok := got["drops"]; !ok {
		t.Errorf("Diff has no drops change: %#v", got)
	}
	if err := after.Validate(now, atlas); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestDiffIdentical(t *testing.T) {
	for _, k := range models.Kinds {
		r := mustRun(t, k, nil)
		if d := models.Diff(r, r); len(d) != 0 {
			t.Errorf("%s: Diff of a run with itself = %#v", k, d)
		}
	}
}

func mustMarshal(t *testing.T, r models.Run) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	return string(b)
}
