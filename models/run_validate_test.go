package models_test

import (
	"strings"
	"testing"
	"time"

	"ruggedlab/models"
)

// ruleCase changes one valid body of a kind and lists the problems Validate
// must report for it.
type ruleCase struct {
	name   string
	change map[string]any
	facts  models.HandsetFacts
	want   []string          // field paths; none means valid
	msgs   map[string]string // field → text one of its messages contains
}

func runRuleCases(t *testing.T, kind models.Kind, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRun(t, kind, tc.change)
			err := r.Validate(now, tc.facts)
			wantFields(t, err, tc.want...)
			if err != nil && tc.msgs != nil {
				wantMessages(t, err, tc.msgs)
			}
		})
	}
}

func TestValidateValidRuns(t *testing.T) {
	for _, k := range models.Kinds {
		t.Run(string(k), func(t *testing.T) {
			r := mustRun(t, k, nil)
			if err := r.Validate(now, atlas); err != nil {
				t.Fatalf("valid %s run: %v", k, err)
			}
			if err := r.Validate(now, models.HandsetFacts{}); err != nil {
				t.Fatalf("valid %s run without facts: %v", k, err)
			}
		})
	}
}

func TestValidateEnvelope(t *testing.T) {
	runRuleCases(t, models.Drop, []ruleCase{
		{name: "handset missing", change: map[string]any{"handset": omit}, want: []string{"handset"}},
		{name: "unit missing", change: map[string]any{"unit": omit}, want: []string{"unit"}},
		{name: "unit empty", change: map[string]any{"unit": ""}, want: []string{"unit"}},
		{name: "method missing", change: map[string]any{"method": omit}, want: []string{"method"}},
		{name: "method 200 characters", change: map[string]any{"method": strings.Repeat("m", 200)}},
		{name: "method 201 characters", change: map[string]any{"method": strings.Repeat("m", 201)},
			want: []string{"method"}, msgs: map[string]string{"method": "too long"}},
		{name: "method length counts characters not bytes", change: map[string]any{"method": strings.Repeat("é", 200)}},
		{name: "technician optional", change: map[string]any{"technician": omit}},
		{name: "deviations optional", change: map[string]any{"deviations": omit}},
		{name: "notes optional", change: map[string]any{"notes": omit}},
		{name: "notes with tab and newline", change: map[string]any{"notes": "line 1\n\tline 2\r\n"}},
		{name: "notes with bell character", change: map[string]any{"notes": "cracked\x07"},
			want: []string{"notes"}, msgs: map[string]string{"notes": "control characters"}},
		{name: "notes with escape character", change: map[string]any{"notes": "\x1b[31mred"}, want: []string{"notes"}},
		{name: "notes with NUL", change: map[string]any{"notes": "a\x00b"}, want: []string{"notes"}},
		{name: "method with control character", change: map[string]any{"method": "MIL-STD\x01"}, want: []string{"method"}},
		{name: "technician with control character", change: map[string]any{"technician": "Bob\x7f"}, want: []string{"technician"}},
		{name: "deviations too long", change: map[string]any{"deviations": strings.Repeat("d", 4001)}, want: []string{"deviations"}},
		{name: "started_at missing", change: map[string]any{"started_at": omit}, want: []string{"started_at"}},
		{name: "ended_at missing", change: map[string]any{"ended_at": omit}, want: []string{"ended_at"}},
		{name: "ended_at null", change: map[string]any{"ended_at": nil}, want: []string{"ended_at"}},
		{name: "end before start", change: map[string]any{"ended_at": "2026-05-30T08:59:59Z"},
			want: []string{"ended_at"}, msgs: map[string]string{"ended_at": "before started_at"}},
		{name: "end equal to start", change: map[string]any{"ended_at": "2026-05-30T09:00:00Z"}},
		{name: "end before start in another offset", change: map[string]any{"ended_at": "2026-05-30T10:30:00+02:00"},
			want: []string{"ended_at"}},
		{name: "end after start in another offset", change: map[string]any{"ended_at": "2026-05-30T13:30:00+02:00"}},
		{name: "ended 4 min ahead of the clock", change: map[string]any{"ended_at": at(4 * time.Minute)}},
		{name: "ended exactly 5 min ahead of the clock", change: map[string]any{"ended_at": at(5 * time.Minute)}},
		{name: "ended 6 min in the future", change: map[string]any{"ended_at": at(6 * time.Minute)},
			want: []string{"ended_at"}, msgs: map[string]string{"ended_at": "in the future"}},
		{name: "ended 5 min 1 s in the future", change: map[string]any{"ended_at": at(5*time.Minute + time.Second)},
			want: []string{"ended_at"}},
		{name: "both in the future", change: map[string]any{"started_at": at(time.Hour), "ended_at": at(2 * time.Hour)},
			want: []string{"started_at", "ended_at"}},
		{name: "several envelope problems listed together",
			change: map[string]any{"method": "", "handset": omit, "notes": "\x07", "ended_at": "2026-05-29T00:00:00Z"},
			want:   []string{"method", "handset", "notes", "ended_at"}},
	})
}

func TestValidateDrop(t *testing.T) {
	runRuleCases(t, models.Drop, []ruleCase{
		{name: "negative height", change: map[string]any{"height_m": -1.0}, want: []string{"height_m"}},
		{name: "zero height", change: map[string]any{"height_m": 0}, want: []string{"height_m"}},
		{name: "height at lower limit", change: map[string]any{"height_m": 0.01}},
		{name: "height at upper limit", change: map[string]any{"height_m": 5.0}},
		{name: "height above 5 m", change: map[string]any{"height_m": 5.01}, want: []string{"height_m"}},
		{name: "height 48 looks like inches", change: map[string]any{"height_m": 48},
			want: []string{"height_m"}, msgs: map[string]string{"height_m": "centimetres or inches"}},
		{name: "height 122 looks like centimetres", change: map[string]any{"height_m": 122},
			want: []string{"height_m"}, msgs: map[string]string{"height_m": "centimetres or inches"}},
		{name: "height missing", change: map[string]any{"height_m": omit}, want: []string{"height_m"}},
		{name: "each surface accepted", change: map[string]any{"surface": "steel_on_concrete"}},
		{name: "tumbler surface", change: map[string]any{"surface": "tumbler"}},
		{name: "unknown surface", change: map[string]any{"surface": "carpet"}, want: []string{"surface"}},
		{name: "surface in capitals", change: map[string]any{"surface": "CONCRETE"}, want: []string{"surface"}},
		{name: "surface missing", change: map[string]any{"surface": omit}, want: []string{"surface"}},
		{name: "protective_case missing", change: map[string]any{"protective_case": omit}, want: []string{"protective_case"}},
		{name: "protective_case null", change: map[string]any{"protective_case": nil}, want: []string{"protective_case"}},
		{name: "protective_case true", change: map[string]any{"protective_case": true}},
		{name: "planned_drops zero", change: map[string]any{"planned_drops": 0, "drops_completed": 0}, want: []string{"planned_drops"}},
		{name: "planned_drops 10001", change: map[string]any{"planned_drops": 10001}, want: []string{"planned_drops"}},
		{name: "planned_drops 10000", change: map[string]any{"planned_drops": 10000}},
		{name: "planned_drops missing", change: map[string]any{"planned_drops": omit}, want: []string{"planned_drops"}},
		{name: "drops_completed zero", change: map[string]any{"drops_completed": 0}},
		{name: "drops_completed negative", change: map[string]any{"drops_completed": -1}, want: []string{"drops_completed"}},
		{name: "drops_completed missing", change: map[string]any{"drops_completed": omit}, want: []string{"drops_completed"}},
		{name: "drops_completed above planned_drops", change: map[string]any{"drops_completed": 27},
			want: []string{"drops_completed"}, msgs: map[string]string{"drops_completed": "planned_drops"}},
		{name: "first failure at drop 1", change: map[string]any{"first_failure_drop": 1, "worst_severity": 4}},
		{name: "first failure at last completed drop", change: map[string]any{"first_failure_drop": 26}},
		{name: "first failure after last completed drop", change: map[string]any{"drops_completed": 10, "first_failure_drop": 11},
			want: []string{"first_failure_drop"}, msgs: map[string]string{"first_failure_drop": "after the last completed drop"}},
		{name: "first failure with no drop completed", change: map[string]any{"drops_completed": 0, "first_failure_drop": 1},
			want: []string{"first_failure_drop"}},
		{name: "first failure at drop 0", change: map[string]any{"first_failure_drop": 0}, want: []string{"first_failure_drop"}},
		{name: "first_failure_drop omitted is censored", change: map[string]any{"first_failure_drop": omit}},
		{name: "worst_severity 6", change: map[string]any{"worst_severity": 6}},
		{name: "worst_severity 7", change: map[string]any{"worst_severity": 7}, want: []string{"worst_severity"}},
		{name: "worst_severity negative", change: map[string]any{"worst_severity": -1}, want: []string{"worst_severity"}},
		{name: "worst_severity missing", change: map[string]any{"worst_severity": omit}, want: []string{"worst_severity"}},
		{name: "drop log consistent", change: map[string]any{"drops_completed": 3, "drops": dropLog(0, 2, 1)}},
		{name: "empty drop log is no log", change: map[string]any{"drops": []any{}}},
		{name: "drop log seq gap",
			change: map[string]any{"drops_completed": 2, "worst_severity": 0,
				"drops": []any{dropEntry(1, "face_1", 0), dropEntry(3, "face_2", 0)}},
			want: []string{"drops[1].seq"}},
		{name: "drop log out of order",
			change: map[string]any{"drops_completed": 2, "worst_severity": 0,
				"drops": []any{dropEntry(2, "face_1", 0), dropEntry(1, "face_2", 0)}},
			want: []string{"drops[0].seq", "drops[1].seq"}},
		{name: "drop log duplicate seq",
			change: map[string]any{"drops_completed": 3, "worst_severity": 0,
				"drops": []any{dropEntry(1, "face_1", 0), dropEntry(2, "face_2", 0), dropEntry(2, "edge_1", 0)}},
			want: []string{"drops[2].seq"}},
		{name: "drop log shorter than drops_completed", change: map[string]any{"drops_completed": 4, "drops": dropLog(0, 2, 1)},
			want: []string{"drops"}, msgs: map[string]string{"drops": "drops_completed"}},
		{name: "drop log longer than drops_completed", change: map[string]any{"drops_completed": 2, "drops": dropLog(0, 2, 1)},
			want: []string{"drops"}},
		{name: "worst_severity below the log's worst", change: map[string]any{"drops_completed": 3, "worst_severity": 1, "drops": dropLog(0, 2, 1)},
			want: []string{"worst_severity"}},
		{name: "worst_severity above the log's worst", change: map[string]any{"drops_completed": 3, "worst_severity": 3, "drops": dropLog(0, 2, 1)},
			want: []string{"worst_severity"}},
		{name: "every drop-log problem listed",
			change: map[string]any{"drops_completed": 3, "worst_severity": 5,
				"drops": []any{dropEntry(1, "corner_8", 0), dropEntry(4, "random", 1)}},
			want: []string{"drops[1].seq", "drops", "worst_severity"}},
		{name: "every problem listed",
			change: map[string]any{"height_m": -1.0, "surface": "carpet", "ended_at": "2026-05-30T08:00:00Z",
				"notes": "bad\x07", "drops_completed": 27, "worst_severity": 9},
			want: []string{"height_m", "surface", "ended_at", "notes", "drops_completed", "worst_severity"}},
	})
}

func TestValidateTemperature(t *testing.T) {
	shock := map[string]any{"procedure": "thermal_shock", "setpoint_c": omit, "low_c": -25, "high_c": 60, "cycles": 5, "dwell_min": 30}
	runRuleCases(t, models.Temperature, []ruleCase{
		{name: "each steady procedure", change: map[string]any{"procedure": "storage_hot", "setpoint_c": 70}},
		{name: "thermal shock", change: shock},
		{name: "unknown procedure", change: map[string]any{"procedure": "cycling"}, want: []string{"procedure"}},
		{name: "procedure missing", change: map[string]any{"procedure": omit}, want: []string{"procedure"}},
		{name: "setpoint missing", change: map[string]any{"setpoint_c": omit},
			want: []string{"setpoint_c"}, msgs: map[string]string{"setpoint_c": "operation_cold"}},
		{name: "setpoint -80", change: map[string]any{"setpoint_c": -80}},
		{name: "setpoint 150", change: map[string]any{"setpoint_c": 150}},
		{name: "setpoint below -80", change: map[string]any{"setpoint_c": -81}, want: []string{"setpoint_c"}},
		{name: "setpoint below absolute zero", change: map[string]any{"setpoint_c": -300}, want: []string{"setpoint_c"}},
		{name: "setpoint above 150", change: map[string]any{"setpoint_c": 151}, want: []string{"setpoint_c"}},
		{name: "dwell zero", change: map[string]any{"dwell_min": 0}, want: []string{"dwell_min"}},
		{name: "dwell one week", change: map[string]any{"dwell_min": 10080}},
		{name: "dwell above one week", change: map[string]any{"dwell_min": 10081}, want: []string{"dwell_min"}},
		{name: "dwell missing", change: map[string]any{"dwell_min": omit}, want: []string{"dwell_min"}},
		{name: "passed missing", change: map[string]any{"passed": omit}, want: []string{"passed"}},
		{name: "thermal shock without low, high and cycles",
			change: merge(shock, map[string]any{"low_c": omit, "high_c": omit, "cycles": omit}),
			want:   []string{"low_c", "high_c", "cycles"}, msgs: map[string]string{"cycles": "thermal_shock"}},
		{name: "thermal shock without cycles", change: merge(shock, map[string]any{"cycles": omit}), want: []string{"cycles"}},
		{name: "setpoint on thermal shock", change: merge(shock, map[string]any{"setpoint_c": -25}), want: []string{"setpoint_c"}},
		{name: "low equal to high", change: merge(shock, map[string]any{"low_c": 60}),
			want: []string{"high_c"}, msgs: map[string]string{"high_c": "above low_c"}},
		{name: "low above high", change: merge(shock, map[string]any{"low_c": 70, "high_c": -25}), want: []string{"high_c"}},
		{name: "low below -80", change: merge(shock, map[string]any{"low_c": -81}), want: []string{"low_c"}},
		{name: "high above 150", change: merge(shock, map[string]any{"high_c": 151}), want: []string{"high_c"}},
		{name: "cycles zero", change: merge(shock, map[string]any{"cycles": 0}), want: []string{"cycles"}},
		{name: "cycles 1000", change: merge(shock, map[string]any{"cycles": 1000})},
		{name: "cycles 1001", change: merge(shock, map[string]any{"cycles": 1001}), want: []string{"cycles"}},
		{name: "shock fields on a steady procedure", change: map[string]any{"low_c": -25, "high_c": 60, "cycles": 5},
			want: []string{"low_c", "high_c", "cycles"}, msgs: map[string]string{"low_c": "only to thermal_shock"}},
		{name: "shutdown observed with its temperature", change: map[string]any{"shutdown_observed": true, "shutdown_temp_c": -18}},
		{name: "shutdown not observed", change: map[string]any{"shutdown_observed": false}},
		{name: "shutdown observed without temperature", change: map[string]any{"shutdown_observed": true},
			want: []string{"shutdown_temp_c"}, msgs: map[string]string{"shutdown_temp_c": "shutdown_observed"}},
		{name: "shutdown temperature without shutdown", change: map[string]any{"shutdown_temp_c": -18}, want: []string{"shutdown_temp_c"}},
		{name: "shutdown temperature with shutdown false", change: map[string]any{"shutdown_observed": false, "shutdown_temp_c": -18},
			want: []string{"shutdown_temp_c"}},
		{name: "shutdown temperature out of range", change: map[string]any{"shutdown_observed": true, "shutdown_temp_c": 200},
			want: []string{"shutdown_temp_c"}},
		{name: "every problem listed",
			change: merge(shock, map[string]any{"setpoint_c": 5, "low_c": 10, "high_c": 10, "cycles": omit, "passed": omit, "shutdown_observed": true}),
			want:   []string{"setpoint_c", "high_c", "cycles", "passed", "shutdown_temp_c"}},
	})
}

// TestValidateTemperatureOrderIsStable checks that the problems come in the
// same order every time, so answers (and replays) do not shuffle.
func TestValidateTemperatureOrderIsStable(t *testing.T) {
	r := mustRun(t, models.Temperature, map[string]any{"low_c": -25, "high_c": 60, "cycles": 5})
	first := fieldErrors(t, r.Validate(now, atlas))
	for range 50 {
		got := fieldErrors(t, r.Validate(now, atlas))
		for i := range first {
			if got[i].Field != first[i].Field {
				t.Fatalf("order changed between calls: %v then %v", first, got)
			}
		}
	}
}

func TestValidateIngress(t *testing.T) {
	dust := map[string]any{"ip_code": "IP6X", "medium": "dust", "depth_m": omit, "duration_min": omit}
	ipx7 := map[string]any{"ip_code": "IPX7", "depth_m": 1.0, "duration_min": 30}
	runRuleCases(t, models.Ingress, []ruleCase{
		{name: "IP68 at 1.5 m for 30 min", change: nil},
		{name: "IPX7 at 1 m for 30 min", change: ipx7},
		{name: "IP67 at 1 m for 30 min", change: merge(ipx7, map[string]any{"ip_code": "IP67"})},
		{name: "IP6X dust", change: dust},
		{name: "IP5X dust", change: merge(dust, map[string]any{"ip_code": "IP5X"})},
		{name: "IP69K jets", change: map[string]any{"ip_code": "IP69K", "depth_m": omit, "duration_min": omit}},
		{name: "IPX9K jets", change: map[string]any{"ip_code": "IPX9K", "depth_m": omit, "duration_min": omit}},
		{name: "IPX4 splash in salt water", change: map[string]any{"ip_code": "IPX4", "medium": "salt", "depth_m": omit, "duration_min": omit}},
		{name: "IP65 jets", change: map[string]any{"ip_code": "IP65", "depth_m": omit, "duration_min": omit}},
		{name: "IP-68 with a hyphen", change: map[string]any{"ip_code": "IP-68"},
			want: []string{"ip_code"}, msgs: map[string]string{"ip_code": "not an IP code"}},
		{name: "IP 68 with a space", change: map[string]any{"ip_code": "IP 68"}, want: []string{"ip_code"}},
		{name: "IP78 solids numeral 7", change: map[string]any{"ip_code": "IP78"}, want: []string{"ip_code"}},
		{name: "IP6 without water numeral", change: map[string]any{"ip_code": "IP6"}, want: []string{"ip_code"}},
		{name: "ip68 in lower case", change: map[string]any{"ip_code": "ip68"}, want: []string{"ip_code"}},
		{name: "IP68 with trailing space", change: map[string]any{"ip_code": "IP68 "}, want: []string{"ip_code"}},
		{name: "dual code in a run", change: map[string]any{"ip_code": "IP65/IP68"}, want: []string{"ip_code"}},
		{name: "ip_code missing", change: map[string]any{"ip_code": omit}, want: []string{"ip_code"}},
		{name: "unknown medium", change: map[string]any{"medium": "seawater"}, want: []string{"medium"}},
		{name: "medium missing", change: map[string]any{"medium": omit}, want: []string{"medium"}},
		{name: "IPX7 at 0.5 m", change: merge(ipx7, map[string]any{"depth_m": 0.5}),
			want: []string{"depth_m"}, msgs: map[string]string{"depth_m": "at least 1 m"}},
		{name: "IPX7 for 20 min", change: merge(ipx7, map[string]any{"duration_min": 20}),
			want: []string{"duration_min"}, msgs: map[string]string{"duration_min": "at least 30 min"}},
		{name: "IPX7 shallow and short", change: merge(ipx7, map[string]any{"depth_m": 0.5, "duration_min": 20}),
			want: []string{"depth_m", "duration_min"}},
		{name: "IPX8 exactly the IPX7 minimum", change: map[string]any{"ip_code": "IPX8", "depth_m": 1.0, "duration_min": 30},
			want: []string{"depth_m"}, msgs: map[string]string{"depth_m": "more severe than IPX7"}},
		{name: "IP68 exactly the IPX7 minimum", change: map[string]any{"depth_m": 1.0, "duration_min": 30}, want: []string{"depth_m"}},
		{name: "IPX8 at 1.5 m for 30 min", change: map[string]any{"ip_code": "IPX8", "depth_m": 1.5, "duration_min": 30}},
		{name: "IPX8 at 1 m for 60 min", change: map[string]any{"ip_code": "IPX8", "depth_m": 1.0, "duration_min": 60}},
		{name: "IPX8 at 0.5 m for 60 min", change: map[string]any{"ip_code": "IPX8", "depth_m": 0.5, "duration_min": 60},
			want: []string{"depth_m"}},
		{name: "immersion without depth and duration", change: map[string]any{"depth_m": omit, "duration_min": omit},
			want: []string{"depth_m", "duration_min"}, msgs: map[string]string{"depth_m": "required", "duration_min": "required"}},
		{name: "IPX7 without depth", change: merge(ipx7, map[string]any{"depth_m": omit}), want: []string{"depth_m"}},
		{name: "IPX7 without duration", change: merge(ipx7, map[string]any{"duration_min": nil}), want: []string{"duration_min"}},
		{name: "dust medium with IPX7", change: merge(ipx7, map[string]any{"medium": "dust"}),
			want: []string{"medium"}, msgs: map[string]string{"medium": "dust"}},
		{name: "dust medium with IP68", change: map[string]any{"medium": "dust"}, want: []string{"medium"}},
		{name: "water medium with IP6X", change: merge(dust, map[string]any{"medium": "fresh"}), want: []string{"medium"}},
		{name: "depth above 100 m", change: map[string]any{"depth_m": 101}, want: []string{"depth_m"}},
		{name: "negative depth", change: map[string]any{"depth_m": -1.0}, want: []string{"depth_m"}},
		{name: "duration below 0.1 min", change: map[string]any{"duration_min": 0.05}, want: []string{"duration_min"}},
		{name: "duration above one week", change: map[string]any{"duration_min": 10081}, want: []string{"duration_min"}},
		{name: "ingress_found missing", change: map[string]any{"ingress_found": omit}, want: []string{"ingress_found"}},
		{name: "functional_after missing", change: map[string]any{"functional_after": omit}, want: []string{"functional_after"}},
		{name: "every problem listed",
			change: map[string]any{"ip_code": "IPX7", "depth_m": 0.5, "duration_min": omit, "ingress_found": omit, "functional_after": nil},
			want:   []string{"duration_min", "ingress_found", "functional_after"}},
		{name: "every problem listed with a bad code",
			change: map[string]any{"ip_code": "IP-68", "medium": "seawater", "ingress_found": omit},
			want:   []string{"ip_code", "medium", "ingress_found"}},
	})
}

func TestValidateBattery(t *testing.T) {
	runRuleCases(t, models.Battery, []ruleCase{
		{name: "EU loop 31.5 h", change: nil, facts: atlas},
		{name: "each protocol", change: map[string]any{"protocol": "video_stream"}, facts: atlas},
		{name: "unknown protocol", change: map[string]any{"protocol": "gaming"}, want: []string{"protocol"}},
		{name: "protocol missing", change: map[string]any{"protocol": omit}, want: []string{"protocol"}},
		{name: "runtime zero", change: map[string]any{"runtime_h": 0}, facts: atlas,
			want: []string{"runtime_h"}, msgs: map[string]string{"runtime_h": "more than 0"}},
		{name: "runtime negative", change: map[string]any{"runtime_h": -3}, facts: atlas, want: []string{"runtime_h"}},
		{name: "runtime 2000 h without declared battery", change: map[string]any{"protocol": "web", "runtime_h": 2000}},
		{name: "runtime above 2000 h", change: map[string]any{"runtime_h": 2000.5}, want: []string{"runtime_h"}},
		{name: "runtime missing", change: map[string]any{"runtime_h": omit}, want: []string{"runtime_h"}},
		{name: "start SoC above 100", change: map[string]any{"start_soc_pct": 101}, want: []string{"start_soc_pct"}},
		{name: "end SoC negative", change: map[string]any{"end_soc_pct": -1}, want: []string{"end_soc_pct"}},
		{name: "end SoC equal to start", change: map[string]any{"start_soc_pct": 80, "end_soc_pct": 80},
			want: []string{"end_soc_pct"}, msgs: map[string]string{"end_soc_pct": "below start_soc_pct"}},
		{name: "end SoC above start", change: map[string]any{"start_soc_pct": 20, "end_soc_pct": 100}, want: []string{"end_soc_pct"}},
		{name: "end SoC missing", change: map[string]any{"end_soc_pct": omit}, want: []string{"end_soc_pct"}},
		{name: "brightness missing for web", change: map[string]any{"protocol": "web", "brightness_nits": omit},
			want: []string{"brightness_nits"}, msgs: map[string]string{"brightness_nits": "web"}},
		{name: "brightness missing for EU loop", change: map[string]any{"brightness_nits": nil}, want: []string{"brightness_nits"}},
		{name: "brightness missing for talk", change: map[string]any{"protocol": "talk", "brightness_nits": omit}, facts: atlas},
		{name: "brightness missing for standby", change: map[string]any{"protocol": "standby", "brightness_nits": omit, "runtime_h": 900}, facts: atlas},
		{name: "brightness zero", change: map[string]any{"brightness_nits": 0}},
		{name: "brightness above 2500", change: map[string]any{"brightness_nits": 2501}, want: []string{"brightness_nits"}},
		{name: "ambient optional", change: map[string]any{"ambient_c": omit}},
		{name: "ambient below -40", change: map[string]any{"ambient_c": -41}, want: []string{"ambient_c"}},
		{name: "ambient above 60", change: map[string]any{"ambient_c": 61}, want: []string{"ambient_c"}},
		// 3.87 V × 5 Ah × 100 % = 19.35 Wh over 2000 h is 0.0097 W.
		{name: "implausible power for web", change: map[string]any{"protocol": "web", "runtime_h": 2000}, facts: atlas,
			want: []string{"runtime_h"}, msgs: map[string]string{"runtime_h": "mean power"}},
		{name: "implausible power for talk", change: map[string]any{"protocol": "talk", "brightness_nits": omit, "runtime_h": 2000},
			facts: atlas, want: []string{"runtime_h"}},
		{name: "standby 2000 h is plausible", change: map[string]any{"protocol": "standby", "brightness_nits": omit, "runtime_h": 2000},
			facts: atlas},
		{name: "implausible power for standby", change: map[string]any{"protocol": "standby", "brightness_nits": omit,
			"runtime_h": 2000, "start_soc_pct": 100, "end_soc_pct": 50}, facts: atlas, want: []string{"runtime_h"}},
		{name: "implausible power with half the battery", change: map[string]any{"protocol": "web", "runtime_h": 300, "end_soc_pct": 50},
			facts: atlas, want: []string{"runtime_h"}},
		{name: "EU loop 2000 h: power and EEI", change: map[string]any{"runtime_h": 2000}, facts: atlas,
			want: []string{"runtime_h", "runtime_h"}, msgs: map[string]string{"runtime_h": "energy-efficiency index"}},
		// 300 h: 0.0645 W is plausible, but EEI = 300000 / 19350 = 15.5.
		{name: "EU loop EEI above 15", change: map[string]any{"runtime_h": 300}, facts: atlas,
			want: []string{"runtime_h"}, msgs: map[string]string{"runtime_h": "energy-efficiency index"}},
		{name: "EEI applies only to the EU loop", change: map[string]any{"protocol": "web", "runtime_h": 300}, facts: atlas},
		{name: "implausible power with only capacity declared", change: map[string]any{"protocol": "web", "runtime_h": 2000},
			facts: models.HandsetFacts{BatteryCapacityMAh: 5000}},
		{name: "implausible power listed beside other problems",
			change: map[string]any{"protocol": "web", "runtime_h": 2000, "notes": "\x07", "ambient_c": 70}, facts: atlas,
			want: []string{"runtime_h", "notes", "ambient_c"}},
		{name: "every problem listed",
			change: map[string]any{"protocol": "web", "brightness_nits": omit, "start_soc_pct": 10, "end_soc_pct": 90, "ambient_c": 99},
			facts:  atlas, want: []string{"brightness_nits", "end_soc_pct", "ambient_c"}},
	})
}

// TestValidateBuiltRun checks Validate on runs that did not come from JSON
// (CSV rows, amendments).
func TestValidateBuiltRun(t *testing.T) {
	tests := []struct {
		name string
		run  models.Run
		want []string
	}{
		{name: "empty run", run: models.Run{},
			want: []string{"kind", "handset", "unit", "method", "started_at", "ended_at"}},
		{name: "unknown kind", run: models.Run{Kind: "shock", Handset: "atlas-r1", Unit: "ATL-0001", Method: "m",
			StartedAt: now.Add(-time.Hour), EndedAt: now}, want: []string{"kind"}},
		{name: "empty drop run lists every required field", run: models.Run{Kind: models.Drop, Handset: "atlas-r1", Unit: "ATL-0001",
			Method: "m", StartedAt: now.Add(-time.Hour), EndedAt: now},
			want: []string{"height_m", "surface", "protective_case", "planned_drops", "drops_completed", "worst_severity"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantFields(t, tc.run.Validate(now, atlas), tc.want...)
		})
	}
}
