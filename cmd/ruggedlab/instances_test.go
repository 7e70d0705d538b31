package main

import (
	"bytes"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"ruggedlab/internal/testdb"
)

// TestTwoInstances runs two `ruggedlab serve` processes' worth of run() on
// one PostgreSQL database, as behind a load balancer: each sees the
// other's writes, and an Idempotency-Key retried on the other instance is
// honoured there.
func TestTwoInstances(t *testing.T) {
	t.Parallel()
	pg := testdb.Postgres(t)
	// Started together on an empty database: both migrate it at once.
	var a, b *instance
	var errA, errB error
	var wg sync.WaitGroup
	wg.Go(func() { a, errA = launch(env(), "--addr", "127.0.0.1:0", "--db", pg.DSN) })
	wg.Go(func() { b, errB = launch(env("DATABASE_URL", pg.DSN), "--addr", "127.0.0.1:0") })
	wg.Wait()
	// Stopped before testdb drops the database (cleanups run last first).
	t.Cleanup(func() { a.shutdown(t); b.shutdown(t) })
	if errA != nil || errB != nil {
		t.Fatalf("start: A: %v\nB: %v", errA, errB)
	}
	for _, in := range []*instance{a, b} {
		if r := decode[map[string]any](t, must(t, 200, "GET", in.URL+"/readyz", "")); r["database"] != "postgres" {
			t.Fatalf("%s readyz = %v, want postgres", in.URL, r)
		}
	}

	t.Run("a write through one is read through the other", func(t *testing.T) {
		created := must(t, 201, "POST", a.URL+"/api/v1/handsets",
			`{"code": "atlas-r1", "name": "Atlas R1", "manufacturer": "Atlas Mobile", "form_factor": "phone"}`)
		// B's GET shows every field A answered (GET may add some).
		got := decode[map[string]any](t, must(t, 200, "GET", b.URL+created.Header.Get("Location"), ""))
		for k, v := range decode[map[string]any](t, created) {
			if !reflect.DeepEqual(got[k], v) {
				t.Errorf("B reads %s = %v, A created %v", k, got[k], v)
			}
		}
		must(t, 201, "POST", b.URL+"/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`)
		must(t, 409, "POST", a.URL+"/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`)
		must(t, 200, "GET", a.URL+"/api/v1/handsets/atlas-r1/units/ATL-0001", "")
	})

	run := `{"kind": "drop", "handset": "atlas-r1", "unit": "ATL-0001", "method": "MIL-STD-810H 516.8 IV",
		"started_at": "2026-03-02T09:00:00Z", "ended_at": "2026-03-02T11:30:00Z", "height_m": 2.0, "surface": "concrete",
		"protective_case": false, "planned_drops": 26, "drops_completed": 26, "first_failure_drop": null, "worst_severity": 1}`
	count := func(t *testing.T, in *instance) int {
		t.Helper()
		return len(decode[list](t, must(t, 200, "GET", in.URL+"/api/v1/runs?include_retracted=true&limit=500", "")).Items)
	}

	t.Run("a retry on the other instance replays the first answer", func(t *testing.T) {
		first := must(t, 201, "POST", a.URL+"/api/v1/runs", run, "Idempotency-Key", "rig-3/0001")
		retry := must(t, 201, "POST", b.URL+"/api/v1/runs", run, "Idempotency-Key", "rig-3/0001")
		if !bytes.Equal(retry.Body, first.Body) || retry.Header.Get("Location") != first.Header.Get("Location") {
			t.Errorf("B answered %s (Location %q)\nA answered %s (Location %q)",
				retry.Body, retry.Header.Get("Location"), first.Body, first.Header.Get("Location"))
		}
		if retry.Header.Get("Idempotent-Replayed") != "true" {
			t.Error("B's answer is not marked Idempotent-Replayed")
		}
		must(t, 422, "POST", b.URL+"/api/v1/runs", run+" ", "Idempotency-Key", "rig-3/0001")
		if na, nb := count(t, a), count(t, b); na != 1 || nb != 1 {
			t.Errorf("runs: %d through A, %d through B; want 1", na, nb)
		}
	})

	t.Run("one key sent to both at once creates one run", func(t *testing.T) {
		before := count(t, a)
		const each = 4
		answers := make([]answer, 2*each)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range answers {
			in := a
			if i%2 == 1 {
				in = b
			}
			wg.Go(func() {
				<-start
				answers[i] = call(t, "POST", in.URL+"/api/v1/runs", run, "Idempotency-Key", "rig-3/0002")
			})
		}
		close(start)
		wg.Wait()
		for i, r := range answers {
			if r.Status != 201 || !bytes.Equal(r.Body, answers[0].Body) {
				t.Errorf("answer %d: %d %s; want 201 %s", i, r.Status, r.Body, answers[0].Body)
			}
		}
		if n := count(t, b); n != before+1 {
			t.Errorf("%d runs, want %d", n, before+1)
		}
	})

	t.Run("an amendment through one makes the other's revision stale", func(t *testing.T) {
		id := decode[map[string]any](t, must(t, 201, "POST", a.URL+"/api/v1/runs", run))["id"].(string)
		amend := func(rev int) string {
			return fmt.Sprintf(`{"reason": "re-graded", "revision": %d, "changes": {"worst_severity": %d}}`, rev, rev+1)
		}
		must(t, 201, "POST", a.URL+"/api/v1/runs/"+id+"/amendments", amend(1))
		must(t, 409, "POST", b.URL+"/api/v1/runs/"+id+"/amendments", amend(1))
		must(t, 201, "POST", b.URL+"/api/v1/runs/"+id+"/amendments", amend(2))
		revs := decode[map[string][]map[string]any](t, must(t, 200, "GET", a.URL+"/api/v1/runs/"+id+"/revisions", ""))
		if n := len(revs["items"]); n != 3 {
			t.Errorf("%d revisions through A, want 3", n)
		}
	})
}
