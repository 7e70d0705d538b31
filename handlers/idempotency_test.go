package handlers_test

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// countRuns is how many runs the API lists, retracted included.
func countRuns(t *testing.T, a *testAPI) int {
	t.Helper()
	return len(decodeList(t, a.must(t, 200, "GET", "/api/v1/runs?include_retracted=true&limit=500", "")).Items)
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, a *testAPI) {
		seed(t, a) // two runs
		base := countRuns(t, a)
		run := runBody("battery", nil)

		t.Run("same key, same body: the first answer, one run", func(t *testing.T) {
			first := a.must(t, 201, "POST", "/api/v1/runs", run, "Idempotency-Key", "lab-pc-7/0001")
			again := a.must(t, 201, "POST", "/api/v1/runs", run, "Idempotency-Key", "lab-pc-7/0001")
			if !bytes.Equal(again.Body, first.Body) {
				t.Errorf("replayed body differs:\nfirst %s\nagain %s", first.Body, again.Body)
			}
			for _, h := range []string{"Location", "Content-Type"} {
				if again.Header.Get(h) != first.Header.Get(h) {
					t.Errorf("replayed %s = %q, first %q", h, again.Header.Get(h), first.Header.Get(h))
				}
			}
			if again.Header.Get("Idempotent-Replayed") != "true" || first.Header.Get("Idempotent-Replayed") != "" {
				t.Errorf("Idempotent-Replayed: first %q, replay %q; want none, true",
					first.Header.Get("Idempotent-Replayed"), again.Header.Get("Idempotent-Replayed"))
			}
			if n := countRuns(t, a); n != base+1 {
				t.Errorf("%d runs, want %d", n, base+1)
			}
		})
		t.Run("same key, other body: 422 and nothing new", func(t *testing.T) {
			other := runBody("battery", map[string]any{"runtime_h": 30})
			wantProblem(t, a.call(t, "POST", "/api/v1/runs", other, "Idempotency-Key", "lab-pc-7/0001"), 422, "Idempotency-Key")
			// Whitespace is a different body too: the key pins bytes.
			wantProblem(t, a.call(t, "POST", "/api/v1/runs", run+" ", "Idempotency-Key", "lab-pc-7/0001"), 422, "Idempotency-Key")
			if n := countRuns(t, a); n != base+1 {
				t.Errorf("%d runs, want %d", n, base+1)
			}
		})
		t.Run("same key on another endpoint is another request", func(t *testing.T) {
			wantProblem(t, a.call(t, "POST", "/api/v1/handsets", run, "Idempotency-Key", "lab-pc-7/0001"), 422, "Idempotency-Key")
		})
		t.Run("different keys, same body: two runs", func(t *testing.T) {
			a.must(t, 201, "POST", "/api/v1/runs", run, "Idempotency-Key", "lab-pc-7/0002")
			a.must(t, 201, "POST", "/api/v1/runs", run, "Idempotency-Key", "lab-pc-7/0003")
			if n := countRuns(t, a); n != base+3 {
				t.Errorf("%d runs, want %d", n, base+3)
			}
		})
		t.Run("error answers are not stored: the fixed retry works", func(t *testing.T) {
			bad := runBody("drop", map[string]any{"height_m": "2"})
			for range 2 { // the same error twice: computed again, not replayed
				r := a.call(t, "POST", "/api/v1/runs", bad, "Idempotency-Key", "fix-me")
				wantProblem(t, r, 422, "height_m")
				if r.Header.Get("Idempotent-Replayed") != "" {
					t.Error("an error answer was replayed")
				}
			}
			wantProblem(t, a.call(t, "POST", "/api/v1/runs", runBody("drop", map[string]any{"unit": "ATL-9999"}), "Idempotency-Key", "fix-me"), 422, "unit")
			fixed := a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", nil), "Idempotency-Key", "fix-me")
			replay := a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", nil), "Idempotency-Key", "fix-me")
			if !bytes.Equal(fixed.Body, replay.Body) {
				t.Errorf("replay differs from the fixed answer")
			}
			if n := countRuns(t, a); n != base+4 {
				t.Errorf("%d runs, want %d", n, base+4)
			}
		})
		t.Run("a 409 is not stored either", func(t *testing.T) {
			dup := mustJSON(with(borealisHandset, map[string]any{"code": "atlas-r1"}))
			wantProblem(t, a.call(t, "POST", "/api/v1/handsets", dup, "Idempotency-Key", "h-1"), 409, "code")
			wantProblem(t, a.call(t, "POST", "/api/v1/handsets", dup, "Idempotency-Key", "h-1"), 409, "code")
		})
		t.Run("a replayed handset create is 201, not 409", func(t *testing.T) {
			h := mustJSON(with(borealisHandset, map[string]any{"code": "cobalt-t8"}))
			first := a.must(t, 201, "POST", "/api/v1/handsets", h, "Idempotency-Key", "h-2")
			again := a.must(t, 201, "POST", "/api/v1/handsets", h, "Idempotency-Key", "h-2")
			if !bytes.Equal(first.Body, again.Body) {
				t.Errorf("replayed body differs")
			}
		})
		t.Run("a replayed amendment makes no second revision", func(t *testing.T) {
			id := object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", nil)))["id"].(string)
			body := `{"reason": "typo in the severity", "revision": 1, "changes": {"worst_severity": 1}}`
			first := a.must(t, 201, "POST", "/api/v1/runs/"+id+"/amendments", body, "Idempotency-Key", "amend-1")
			again := a.must(t, 201, "POST", "/api/v1/runs/"+id+"/amendments", body, "Idempotency-Key", "amend-1")
			if !bytes.Equal(first.Body, again.Body) {
				t.Errorf("replayed amendment differs")
			}
			if n := len(object(t, a.must(t, 200, "GET", "/api/v1/runs/"+id+"/revisions", ""))["items"].([]any)); n != 2 {
				t.Errorf("%d revisions, want 2", n)
			}
		})
	})
}

func TestIdempotencyKeyConcurrent(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, a *testAPI) {
		seed(t, a)
		base := countRuns(t, a)
		const n = 8
		body := runBody("ingress", nil)
		answers := make([]response, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				answers[i] = a.call(t, "POST", "/api/v1/runs", body, "Idempotency-Key", "burst-1")
			})
		}
		close(start)
		wg.Wait()
		replayed := 0
		for i, r := range answers {
			if r.Status != 201 || !bytes.Equal(r.Body, answers[0].Body) {
				t.Errorf("answer %d: %d %s, want 201 %s", i, r.Status, r.Body, answers[0].Body)
			}
			if r.Header.Get("Idempotent-Replayed") == "true" {
				replayed++
			}
		}
		if replayed != n-1 {
			t.Errorf("%d answers replayed, want %d", replayed, n-1)
		}
		if got := countRuns(t, a); got != base+1 {
			t.Errorf("%d runs, want %d: one key must create one run", got, base+1)
		}
	})
}

var generatedID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func TestRequestID(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, a *testAPI) {
		tests := []struct {
			name   string
			sent   string
			echoed bool
		}{
			{"sane", "lab-pc-7.run_0042", true},
			{"64 characters", strings.Repeat("a", 64), true},
			{"65 characters", strings.Repeat("a", 65), false},
			{"with spaces", "lab pc 7", false},
			{"with a slash", "lab/7", false},
			{"non-ASCII", "essai-é", false},
			{"none", "", false},
		}
		for _, tc := range tests {
			for _, path := range []string{"/api/v1/handsets", "/api/v1/handsets/nope"} { // a 200 and a problem
				t.Run(tc.name+" "+path, func(t *testing.T) {
					r := a.call(t, "GET", path, "", "X-Request-ID", tc.sent)
					got := r.Header.Get("X-Request-ID")
					switch {
					case tc.echoed && got != tc.sent:
						t.Errorf("X-Request-ID = %q, want %q echoed", got, tc.sent)
					case !tc.echoed && (got == tc.sent || !generatedID.MatchString(got)):
						t.Errorf("X-Request-ID = %q, want a new sane one instead of %q", got, tc.sent)
					}
					if r.Status == 404 {
						if p := wantProblem(t, r, 404); p.RequestID != got {
							t.Errorf("problem request_id = %q, header %q", p.RequestID, got)
						}
					}
					if line := logLine(t, a, got); line == nil {
						t.Errorf("no log line with request_id %q", got)
					} else if line["route"] == nil || line["status"] != float64(r.Status) || line["method"] != "GET" {
						t.Errorf("log line = %v, want route, method GET and status %d", line, r.Status)
					}
				})
			}
		}
		t.Run("each request gets its own", func(t *testing.T) {
			x := a.call(t, "GET", "/healthz", "").Header.Get("X-Request-ID")
			y := a.call(t, "GET", "/healthz", "").Header.Get("X-Request-ID")
			if x == y || x == "" {
				t.Errorf("two requests got %q and %q", x, y)
			}
		})
	})
}

// logLine finds the last request log line with the given request ID (a
// client may send the same one twice).
func logLine(t *testing.T, a *testAPI, id string) map[string]any {
	t.Helper()
	var found map[string]any
	for _, l := range a.log.lines(t) {
		if l["msg"] == "request" && l["request_id"] == id {
			found = l
		}
	}
	return found
}
