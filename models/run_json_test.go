package models_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"ruggedlab/models"
)

func TestSetColumn(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	n := func(x int) *int { return &x }
	b := func(x bool) *bool { return &x }
	tests := []struct {
		name   string
		kind   models.Kind
		column string
		cell   string
		msg    string // text the message contains; "" means success
		check  func(r models.Run) bool
	}{
		{name: "height with a dot", kind: models.Drop, column: "height_m", cell: "2.0",
			check: func(r models.Run) bool { return eqF(r.HeightM, f(2)) }},
		{name: "height with a decimal comma", kind: models.Drop, column: "height_m", cell: "2,0",
			msg: "use a dot as decimal separator", check: func(r models.Run) bool { return eqF(r.HeightM, f(1.22)) }}, // unchanged
		{name: "height not a number", kind: models.Drop, column: "height_m", cell: "two", msg: `"two" is not a number`},
		{name: "height NaN", kind: models.Drop, column: "height_m", cell: "NaN", msg: "not a number"},
		{name: "height infinite", kind: models.Drop, column: "height_m", cell: "Inf", msg: "not a number"},
		{name: "height with spaces around", kind: models.Drop, column: "height_m", cell: " 1.5 ",
			check: func(r models.Run) bool { return eqF(r.HeightM, f(1.5)) }},
		{name: "empty height is null", kind: models.Drop, column: "height_m", cell: "",
			check: func(r models.Run) bool { return r.HeightM == nil }},
		{name: "blank height is null", kind: models.Drop, column: "height_m", cell: "   ",
			check: func(r models.Run) bool { return r.HeightM == nil }},
		{name: "empty first_failure_drop is censored", kind: models.Drop, column: "first_failure_drop", cell: "",
			check: func(r models.Run) bool { return r.FirstFailureDrop == nil }},
		{name: "planned drops", kind: models.Drop, column: "planned_drops", cell: "26",
			check: func(r models.Run) bool { return eqN(r.PlannedDrops, n(26)) }},
		{name: "planned drops fractional", kind: models.Drop, column: "planned_drops", cell: "26.5", msg: "whole number"},
		{name: "bool true", kind: models.Drop, column: "protective_case", cell: "true",
			check: func(r models.Run) bool { return eqB(r.ProtectiveCase, b(true)) }},
		{name: "bool false", kind: models.Drop, column: "protective_case", cell: "false",
			check: func(r models.Run) bool { return eqB(r.ProtectiveCase, b(false)) }},
		{name: "bool 1", kind: models.Drop, column: "protective_case", cell: "1",
			check: func(r models.Run) bool { return eqB(r.ProtectiveCase, b(true)) }},
		{name: "bool 0", kind: models.Drop, column: "protective_case", cell: "0",
			check: func(r models.Run) bool { return eqB(r.ProtectiveCase, b(false)) }},
		{name: "bool TRUE", kind: models.Drop, column: "protective_case", cell: "TRUE",
			check: func(r models.Run) bool { return eqB(r.ProtectiveCase, b(true)) }},
		{name: "bool yes", kind: models.Drop, column: "protective_case", cell: "yes", msg: "true or false"},
		{name: "empty bool is null", kind: models.Drop, column: "protective_case", cell: "",
			check: func(r models.Run) bool { return r.ProtectiveCase == nil }},
		{name: "text", kind: models.Drop, column: "surface", cell: "concrete",
			check: func(r models.Run) bool { return r.Surface == "concrete" }},
		{name: "empty text is null", kind: models.Drop, column: "notes", cell: "",
			check: func(r models.Run) bool { return r.Notes == "" }},
		{name: "timestamp in UTC", kind: models.Drop, column: "started_at", cell: "2026-05-30T11:00:00+02:00",
			check: func(r models.Run) bool {
				return r.StartedAt.Equal(time.Date(2026, 5, 30, 9, 0, 0, 0, time.UTC)) && r.StartedAt.Location() == time.UTC
			}},
		{name: "timestamp not RFC 3339", kind: models.Drop, column: "started_at", cell: "30.05.2026", msg: "RFC 3339"},
		{name: "battery number", kind: models.Battery, column: "runtime_h", cell: "31.25",
			check: func(r models.Run) bool { return eqF(r.RuntimeH, f(31.25)) }},
		{name: "temperature negative", kind: models.Temperature, column: "setpoint_c", cell: "-20",
			check: func(r models.Run) bool { return eqF(r.SetpointC, f(-20)) }},
		{name: "unknown column", kind: models.Drop, column: "colour", cell: "red", msg: "not a column of a drop run"},
		{name: "column of another kind", kind: models.Drop, column: "setpoint_c", cell: "5", msg: "not a column"},
		{name: "drop log is not a column", kind: models.Drop, column: "drops", cell: "1", msg: "not a column"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRun(t, tc.kind, nil)
			got := r.SetColumn(tc.column, tc.cell)
			switch {
			case tc.msg == "" && got != "":
				t.Fatalf("SetColumn(%q, %q) = %q, want success", tc.column, tc.cell, got)
			case tc.msg != "" && !strings.Contains(got, tc.msg):
				t.Fatalf("SetColumn(%q, %q) = %q, want a message containing %q", tc.column, tc.cell, got, tc.msg)
			}
			if tc.check != nil && !tc.check(r) {
				t.Errorf("SetColumn(%q, %q) left the run as %+v", tc.column, tc.cell, r)
			}
		})
	}
}

func eqF(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func eqN(a, b *int) bool     { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func eqB(a, b *bool) bool    { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// TestSetColumnRowThenValidate builds a drop run from CSV cells as an import
// would, then validates it.
func TestSetColumnRowThenValidate(t *testing.T) {
	row := map[string]string{
		"handset": "atlas-r1", "unit": "ATL-0001", "method": "MIL-STD-810H 516.8 IV",
		"started_at": "2026-05-30T09:00:00Z", "ended_at": "2026-05-30T11:00:00Z",
		"height_m": "1.22", "surface": "concrete", "protective_case": "0", "planned_drops": "26",
		"drops_completed": "26", "first_failure_drop": "", "worst_severity": "2", "technician": "", "deviations": "", "notes": "",
	}
	cols := models.CSVColumns(models.Drop)
	if slices.Contains(cols, "kind") || slices.Contains(cols, "drops") {
		t.Errorf("CSVColumns(drop) = %q, want neither kind nor drops", cols)
	}
	r := models.Run{Kind: models.Drop}
	for _, c := range cols {
		cell, ok := row[c]
		if !ok {
			t.Fatalf("no cell for column %s", c)
		}
		if msg := r.SetColumn(c, cell); msg != "" {
			t.Fatalf("%s: %s", c, msg)
		}
	}
	if err := r.Validate(now, atlas); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if r.SetColumn("height_m", "48") != "" {
		t.Fatal("48 is a number")
	}
	wantFields(t, r.Validate(now, atlas), "height_m")
}

func TestMarshalJSON(t *testing.T) {
	batteryOnly := []string{"protocol", "runtime_h", "start_soc_pct", "end_soc_pct", "brightness_nits", "ambient_c", "metrics"}
	tests := []struct {
		name     string
		kind     models.Kind
		change   map[string]any
		contains []string // exact JSON fragments
		present  []string // keys
		absent   []string // keys
	}{
		{name: "drop run", kind: models.Drop,
			contains: []string{`"first_failure_drop":null`, `"kind":"drop"`, `"height_m":1.22`, `"protective_case":false`,
				`"started_at":"2026-05-30T09:00:00Z"`, `"status":"active"`, `"revision":1`},
			present: []string{"id", "handset", "unit", "method", "technician", "notes", "surface", "planned_drops",
				"drops_completed", "worst_severity", "recorded_by", "recorded_at"},
			absent: append([]string{"drops", "setpoint_c", "procedure", "ip_code", "depth_m", "has_series"}, batteryOnly...)},
		{name: "drop run with a log", kind: models.Drop,
			change:   map[string]any{"drops_completed": 2, "first_failure_drop": 2, "drops": dropLog(0, 2)},
			contains: []string{`"first_failure_drop":2`, `"drops":[{"seq":1,"orientation":"face_1","severity":0},{"seq":2,"orientation":"face_2","severity":2}]`}},
		{name: "drop run without optional text", kind: models.Drop, change: map[string]any{"notes": omit},
			contains: []string{`"notes":null`}},
		{name: "battery run", kind: models.Battery,
			contains: []string{`"runtime_h":31.5`, `"metrics":null`, `"has_series":false`},
			absent:   []string{"height_m", "first_failure_drop", "setpoint_c", "ip_code"}},
		{name: "temperature run", kind: models.Temperature,
			contains: []string{`"setpoint_c":-20`, `"low_c":null`, `"has_series":false`},
			absent:   append([]string{"height_m"}, batteryOnly...)},
		{name: "ingress run", kind: models.Ingress,
			contains: []string{`"ip_code":"IP68"`, `"ingress_found":false`},
			absent:   append([]string{"has_series", "height_m"}, batteryOnly...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRun(t, tc.kind, tc.change)
			r.ID = "0b5e"
			r.Revision = 1
			r.Status = models.Active
			r.RecordedBy = "anonymous"
			r.RecordedAt = now
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			for _, frag := range tc.contains {
				if !strings.Contains(s, frag) {
					t.Errorf("JSON lacks %s:\n%s", frag, s)
				}
			}
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(b, &obj); err != nil {
				t.Fatalf("not a JSON object: %v\n%s", err, s)
			}
			for _, k := range tc.present {
				if _, ok := obj[k]; !ok {
					t.Errorf("JSON lacks key %s:\n%s", k, s)
				}
			}
			for _, k := range tc.absent {
				if _, ok := obj[k]; ok {
					t.Errorf("JSON has key %s:\n%s", k, s)
				}
			}
		})
	}
}
