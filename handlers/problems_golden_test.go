package handlers_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"

	"ruggedlab/internal/golden"
)

// TestProblemBodiesGolden keeps the whole problem+json body of the
// rejections people meet most in testdata/golden, the same file for both
// stores (so the engines answer alike). Request and run ids are the only
// things replaced. `go test ./handlers/ -run ProblemBodiesGolden -update` rewrites
// them.
func TestProblemBodiesGolden(t *testing.T) {
	cases := []struct {
		name, method, path, body, contentType string
		status                                int
	}{
		{"run-type-and-rule-errors", "POST", "/api/v1/runs", `{"kind": "drop", "handset": "atlas-r1", "unit": "NOPE-1", "height_m": "2"}`, "application/json", 422},
		{"run-out-of-range", "POST", "/api/v1/runs", runBody("drop", map[string]any{"height_m": 40, "worst_severity": 9}), "application/json", 422},
		{"unknown-handset", "GET", "/api/v1/handsets/nope", "", "", 404},
		{"amendment-short-reason", "POST", "/api/v1/runs/{run}/amendments", `{"reason": "no", "revision": 2, "changes": {"worst_severity": 2}}`, "application/json", 422},
		{"amendment-stale-revision", "POST", "/api/v1/runs/{run}/amendments", `{"reason": "re-read the log", "revision": 1, "changes": {"worst_severity": 2}}`, "application/json", 409},
		{"import-rows-and-columns", "POST", "/api/v1/imports/drop", dropFile(3, map[int]string{2: "garbage", 4: dropLine(3) + ",extra"}), "text/csv", 422},
	}
	requestID := regexp.MustCompile(`"request_id":"[^"]*"`)
	eachEngine(t, func(t *testing.T, a *testAPI) {
		f := seed(t, a)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := a.call(t, c.method, f.expand(c.path), c.body, "Content-Type", c.contentType)
				if r.Status != c.status {
					t.Fatalf("status %d, want %d\n%s", r.Status, c.status, r.Body)
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type %q", ct)
				}
				body := requestID.ReplaceAll(r.Body, []byte(`"request_id":"…"`))
				body = bytes.ReplaceAll(body, []byte(f.run), []byte("{run}")) // ids are new on every run
				if !json.Valid(body) {
					t.Fatalf("not JSON: %s", body)
				}
				golden.AssertJSON(t, "problems/"+c.name+".json", body)
			})
		}
	})
}
