package handlers

import (
	"strings"
	"testing"
	"time"
)

// Times typed in the lab's zone become UTC, and UTC values come back as
// the picker shows them, on both sides of each change of the clocks.
func TestFormTimesInZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ typed, utc, problem string }{
		{"2026-01-15T10:00", "2026-01-15T09:00:00Z", ""},
		{"2026-01-15 10:00", "2026-01-15T09:00:00Z", ""},
		{"2026-07-15T10:00:30", "2026-07-15T08:00:30Z", ""},
		{"2026-03-29T01:59", "2026-03-29T00:59:00Z", ""},
		{"2026-03-29T03:00", "2026-03-29T01:00:00Z", ""},
		{"2026-03-29T02:00", "", "does not exist"},
		{"2025-10-26T01:59", "2025-10-25T23:59:00Z", ""},
		{"2025-10-26T03:00", "2025-10-26T02:00:00Z", ""},
		{"2025-10-26T02:00", "", `e.g. "2025-10-26T02:00:00+02:00"`},
		{"2026-06-01T08:00:00Z", "2026-06-01T08:00:00Z", ""},
		{"", "", ""},
		{"yesterday", "yesterday", ""}, // the model says what is wrong with it
	} {
		got, problem := normalizeTime(tc.typed, paris)
		if tc.problem != "" {
			if !strings.Contains(problem, tc.problem) {
				t.Errorf("normalizeTime(%q): problem %q, want %q", tc.typed, problem, tc.problem)
			}
			continue
		}
		if got != tc.utc || problem != "" {
			t.Errorf("normalizeTime(%q) = %q, %q; want %q", tc.typed, got, problem, tc.utc)
		}
	}
	for _, tc := range []struct{ in, value, step string }{
		{"2026-01-15T09:00:00Z", "2026-01-15T10:00", ""},
		{"2026-07-15T08:00:30Z", "2026-07-15T10:00:30", "1"},
		{"2026-07-15 10:00", "2026-07-15T10:00", ""},
		{"garbage", "garbage", ""},
	} {
		if v, step := localTime(tc.in, paris); v != tc.value || step != tc.step {
			t.Errorf("localTime(%q) = %q, %q; want %q, %q", tc.in, v, step, tc.value, tc.step)
		}
	}
}
