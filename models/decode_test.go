package models_test

import (
	"testing"
	"time"

	"ruggedlab/models"
)

func TestDecodeRunMalformed(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "JSON array", body: `[{"kind": "drop"}]`},
		{name: "JSON array after whitespace", body: " \n[]"},
		{name: "broken JSON", body: `{"kind": "drop", "height_m": }`},
		{name: "unterminated object", body: `{"kind": "drop"`},
		{name: "trailing garbage", body: `{"kind": "drop"} x`},
		{name: "empty body", body: ``},
		{name: "JSON string", body: `"drop"`},
		{name: "JSON number", body: `42`},
		{name: "JSON null", body: `null`},
		{name: "single quotes", body: `{'kind': 'drop'}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := models.DecodeRun([]byte(tc.body))
			if err == nil {
				t.Fatal("no error")
			}
			if c := models.ErrorCode(err); c != models.Malformed {
				t.Errorf("code = %s, want %s (%v)", c, models.Malformed, err)
			}
		})
	}
}

func TestDecodeRunInvalid(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want []string
		msgs map[string]string
	}{
		{name: "height as a string", body: runBody(models.Drop, map[string]any{"height_m": "2"}),
			want: []string{"height_m"}, msgs: map[string]string{"height_m": "must be a number"}},
		{name: "height as a boolean", body: runBody(models.Drop, map[string]any{"height_m": true}), want: []string{"height_m"}},
		{name: "unknown field", body: runBody(models.Drop, map[string]any{"colour": "red"}),
			want: []string{"colour"}, msgs: map[string]string{"colour": "unknown field"}},
		{name: "field of another kind", body: runBody(models.Drop, map[string]any{"setpoint_c": -20}),
			want: []string{"setpoint_c"}, msgs: map[string]string{"setpoint_c": "unknown field"}},
		{name: "battery field on an ingress run", body: runBody(models.Ingress, map[string]any{"runtime_h": 3}),
			want: []string{"runtime_h"}, msgs: map[string]string{"runtime_h": "unknown field"}},
		{name: "record fields are not input", body: runBody(models.Drop, map[string]any{"id": "x", "revision": 2, "recorded_by": "me"}),
			want: []string{"id", "revision", "recorded_by"}},
		{name: "field names are case-sensitive", body: runBody(models.Drop, map[string]any{"Height_M": 1.2}),
			want: []string{"Height_M"}},
		{name: "planned drops fractional", body: runBody(models.Drop, map[string]any{"planned_drops": 26.5}),
			want: []string{"planned_drops"}, msgs: map[string]string{"planned_drops": "whole number"}},
		{name: "planned drops as a string", body: runBody(models.Drop, map[string]any{"planned_drops": "26"}),
			want: []string{"planned_drops"}},
		{name: "protective_case as a string", body: runBody(models.Drop, map[string]any{"protective_case": "true"}),
			want: []string{"protective_case"}, msgs: map[string]string{"protective_case": "true or false"}},
		{name: "protective_case as 1", body: runBody(models.Drop, map[string]any{"protective_case": 1}),
			want: []string{"protective_case"}},
		{name: "method as a number", body: runBody(models.Drop, map[string]any{"method": 516}),
			want: []string{"method"}, msgs: map[string]string{"method": "must be a string"}},
		{name: "notes as an object", body: runBody(models.Drop, map[string]any{"notes": map[string]any{}}),
			want: []string{"notes"}},
		{name: "started_at not RFC 3339", body: runBody(models.Drop, map[string]any{"started_at": "30/05/2026 09:00"}),
			want: []string{"started_at"}, msgs: map[string]string{"started_at": "RFC 3339"}},
		{name: "started_at without offset", body: runBody(models.Drop, map[string]any{"started_at": "2026-05-30T09:00:00"}),
			want: []string{"started_at"}},
		{name: "ended_at as a number", body: runBody(models.Drop, map[string]any{"ended_at": 1780000000}),
			want: []string{"ended_at"}},
		{name: "drops not an array", body: runBody(models.Drop, map[string]any{"drops": "none"}), want: []string{"drops"}},
		{name: "drop entry not an object", body: runBody(models.Drop, map[string]any{"drops": []any{1}}), want: []string{"drops[0]"}},
		{name: "drop entry orientation unknown", body: runBody(models.Drop, map[string]any{
			"drops": []any{dropEntry(1, "face_1", 0), dropEntry(2, "face_7", 0)}}),
			want: []string{"drops[1].orientation"}},
		{name: "drop entry severity out of range", body: runBody(models.Drop, map[string]any{"drops": []any{dropEntry(1, "edge_12", 7)}}),
			want: []string{"drops[0].severity"}},
		{name: "drop entry seq zero", body: runBody(models.Drop, map[string]any{"drops": []any{dropEntry(0, "corner_8", 0)}}),
			want: []string{"drops[0].seq"}},
		{name: "drop entry seq missing", body: runBody(models.Drop, map[string]any{
			"drops": []any{map[string]any{"orientation": "random", "severity": 0}}}),
			want: []string{"drops[0].seq"}},
		{name: "drop entry unknown field", body: runBody(models.Drop, map[string]any{
			"drops": []any{map[string]any{"seq": 1, "orientation": "random", "severity": 0, "g": 9}}}),
			want: []string{"drops[0].g"}},
		{name: "drop entry seq as a string", body: runBody(models.Drop, map[string]any{
			"drops": []any{map[string]any{"seq": "1", "orientation": "random", "severity": 0}}}),
			want: []string{"drops[0].seq"}},
		{name: "every problem listed", body: runBody(models.Drop, map[string]any{
			"height_m": "2", "colour": "red", "setpoint_c": 5, "protective_case": "no", "drops_completed": 2.5,
			"drops": []any{map[string]any{"seq": 1, "orientation": "up", "severity": 9}}}),
			want: []string{"height_m", "colour", "setpoint_c", "protective_case", "drops_completed",
				"drops[0].orientation", "drops[0].severity"}},
		{name: "missing kind", body: runBody(models.Drop, map[string]any{"kind": omit}),
			want: []string{"kind"}, msgs: map[string]string{"kind": "required"}},
		{name: "null kind", body: runBody(models.Drop, map[string]any{"kind": nil}), want: []string{"kind"}},
		{name: "unknown kind", body: runBody(models.Drop, map[string]any{"kind": "shock"}),
			want: []string{"kind"}, msgs: map[string]string{"kind": "must be one of drop, temperature, ingress, battery"}},
		{name: "kind in capitals", body: runBody(models.Drop, map[string]any{"kind": "Drop"}), want: []string{"kind"}},
		{name: "unknown kind still reports envelope type errors", body: runBody(models.Drop, map[string]any{"kind": "shock", "method": 5}),
			want: []string{"kind", "method"}},
		{name: "missing kind on an empty object", body: []byte(`{}`), want: []string{"kind"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := models.DecodeRun(tc.body)
			wantFields(t, err, tc.want...)
			if err != nil && tc.msgs != nil {
				wantMessages(t, err, tc.msgs)
			}
		})
	}
}

func TestDecodeRunValues(t *testing.T) {
	r := mustRun(t, models.Drop, map[string]any{
		"started_at":      "2026-05-30T11:00:00.250+02:00",
		"ended_at":        "2026-05-30T09:30:00Z",
		"drops_completed": 2, "worst_severity": 3,
		"first_failure_drop": 2,
		"drops":              []any{dropEntry(1, "face_1", 0), dropEntry(2, "corner_3", 3)},
	})
	if want := time.Date(2026, 5, 30, 9, 0, 0, 250e6, time.UTC); !r.StartedAt.Equal(want) || r.StartedAt.Location() != time.UTC {
		t.Errorf("StartedAt = %v, want %v in UTC", r.StartedAt, want)
	}
	if r.Kind != models.Drop || r.Handset != "atlas-r1" || r.Unit != "ATL-0001" || r.Method != "MIL-STD-810H 516.8 IV" {
		t.Errorf("envelope = %q %q %q %q", r.Kind, r.Handset, r.Unit, r.Method)
	}
	if r.HeightM == nil || *r.HeightM != 1.22 {
		t.Errorf("HeightM = %v, want 1.22", r.HeightM)
	}
	if r.ProtectiveCase == nil || *r.ProtectiveCase {
		t.Errorf("ProtectiveCase = %v, want false", r.ProtectiveCase)
	}
	if r.FirstFailureDrop == nil || *r.FirstFailureDrop != 2 {
		t.Errorf("FirstFailureDrop = %v, want 2", r.FirstFailureDrop)
	}
	want := []models.DropLogEntry{{Seq: 1, Orientation: "face_1"}, {Seq: 2, Orientation: "corner_3", Severity: 3}}
	if len(r.Drops) != len(want) {
		t.Fatalf("Drops = %+v, want %+v", r.Drops, want)
	}
	for i := range want {
		if r.Drops[i] != want[i] {
			t.Errorf("Drops[%d] = %+v, want %+v", i, r.Drops[i], want[i])
		}
	}
	if err := r.Validate(now, atlas); err != nil {
		t.Errorf("Validate: %v", err)
	}

	censored := mustRun(t, models.Drop, nil)
	if censored.FirstFailureDrop != nil {
		t.Errorf("first_failure_drop null decoded as %v", *censored.FirstFailureDrop)
	}
	if censored.SetpointC != nil || censored.RuntimeH != nil || censored.IPCode != "" {
		t.Error("a drop run carries fields of other kinds")
	}
}
