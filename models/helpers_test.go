package models_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"ruggedlab/models"
)

// now is the server clock every test validates against.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// atlas holds the declared battery of the api.md example handset (5000 mAh at 3.87 V).
var atlas = models.HandsetFacts{BatteryCapacityMAh: 5000, NominalVoltageV: 3.87}

// omitted, as a value in a change map, removes the field from the body.
type omitted struct{}

var omit = omitted{}

// at formats now+d as an RFC 3339 timestamp.
func at(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }

// validRun returns a body of the given kind that passes every rule, so that
// each case can change one thing.
func validRun(kind models.Kind) map[string]any {
	m := map[string]any{
		"kind":       string(kind),
		"handset":    "atlas-r1",
		"unit":       "ATL-0001",
		"started_at": "2026-05-30T09:00:00Z",
		"ended_at":   "2026-05-30T11:00:00Z",
		"technician": "R. Okafor",
		"deviations": "none",
		"notes":      "first unit of the batch\nphotos in the share",
	}
	switch kind {
	case models.Drop:
		maps.Copy(m, map[string]any{
			"method":             "MIL-STD-810H 516.8 IV",
			"height_m":           1.22,
			"surface":            "plywood_on_concrete",
			"protective_case":    false,
			"planned_drops":      26,
			"drops_completed":    26,
			"first_failure_drop": nil,
			"worst_severity":     2,
		})
	case models.Temperature:
		maps.Copy(m, map[string]any{
			"method":     "IEC 60068-2-1 Ad",
			"procedure":  "operation_cold",
			"setpoint_c": -20,
			"dwell_min":  120,
			"passed":     true,
		})
	case models.Ingress:
		maps.Copy(m, map[string]any{
			"method":           "IEC 60529 IPX8",
			"ip_code":          "IP68",
			"medium":           "fresh",
			"depth_m":          1.5,
			"duration_min":     30,
			"ingress_found":    false,
			"functional_after": true,
		})
	case models.Battery:
		maps.Copy(m, map[string]any{
			"method":          "EU 2023/1669 Annex IV",
			"protocol":        "eu_eei_loop",
			"runtime_h":       31.5,
			"start_soc_pct":   100,
			"end_soc_pct":     0,
			"brightness_nits": 200,
			"ambient_c":       22,
		})
	case models.Repair:
		maps.Copy(m, map[string]any{
			"method":            "2023/1669 Annex IV point 5, supplier sequence",
			"part":              "display",
			"disassembly_steps": 14,
			"fasteners":         "resupplied",
			"tools":             "proprietary",
			"disassembly_s":     1250,
			"reassembly_s":      1100,
			"part_replaced":     true,
			"functional_after":  true,
		})
	}
	return m
}

// merge returns the union of the maps, later ones winning.
func merge(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// runBody is the JSON of validRun(kind) with change applied.
func runBody(kind models.Kind, change map[string]any) []byte {
	m := validRun(kind)
	for k, v := range change {
		if _, ok := v.(omitted); ok {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// mustRun decodes runBody(kind, change) and fails the test on any decode error.
func mustRun(t *testing.T, kind models.Kind, change map[string]any) models.Run {
	t.Helper()
	r, err := models.DecodeRun(runBody(kind, change))
	if err != nil {
		t.Fatalf("DecodeRun: %v", err)
	}
	return r
}

// dropEntry is one entry of a drop log.
func dropEntry(seq int, orientation string, severity int) map[string]any {
	return map[string]any{"seq": seq, "orientation": orientation, "severity": severity}
}

// dropLog numbers drops 1..n with the given severities.
func dropLog(severities ...int) []any {
	log := make([]any, len(severities))
	for i, s := range severities {
		log[i] = dropEntry(i+1, fmt.Sprintf("face_%d", i%6+1), s)
	}
	return log
}

// fieldErrors unwraps err to its field list; nil for a nil error.
func fieldErrors(t *testing.T, err error) models.FieldErrors {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *models.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is a %T, want *models.Error", err, err)
	}
	return e.Fields
}

// paths lists the fields of the problems, sorted (a field may repeat).
func paths(fe models.FieldErrors) []string {
	out := make([]string, 0, len(fe))
	for _, e := range fe {
		out = append(out, e.Field)
	}
	slices.Sort(out)
	return out
}

// wantFields checks that err lists exactly the problems at want (in any
// order, repeats counted), with code Invalid; no want means no error.
func wantFields(t *testing.T, err error, want ...string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Errorf("no error, want problems at %q", want)
		return
	}
	if c := models.ErrorCode(err); c != models.Invalid {
		t.Errorf("code = %s, want %s (%v)", c, models.Invalid, err)
	}
	w := slices.Clone(want)
	slices.Sort(w)
	if got := paths(fieldErrors(t, err)); !slices.Equal(got, w) {
		t.Errorf("fields = %q, want %q\nerror: %v", got, w, err)
	}
}

// wantMessages checks that, for each field, one of its messages contains the
// given text.
func wantMessages(t *testing.T, err error, msgs map[string]string) {
	t.Helper()
	fe := fieldErrors(t, err)
	for field, sub := range msgs {
		var got []string
		for _, e := range fe {
			if e.Field == field {
				got = append(got, e.Message)
			}
		}
		if !slices.ContainsFunc(got, func(m string) bool { return strings.Contains(m, sub) }) {
			t.Errorf("messages for %s = %q, want one containing %q", field, got, sub)
		}
	}
}
