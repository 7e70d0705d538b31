package handlers_test

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
)

// Idempotency-Key on imports (api.md §1, §11): a retried upload replays
// the first 201 byte for byte and creates nothing; another body with the
// key is 422; a failed attempt stores nothing, so its key stays usable;
// twins sent at once create one import.
func TestImportIdempotencyKey(t *testing.T) {
	eachImportEngine(t, func(t *testing.T, a *importAPI) {
		file := dropFile(700, nil) // more than one insert batch
		first := a.csv(t, "/api/v1/imports/drop", file, "Idempotency-Key", "rig3-0001")
		decodeAs[importResult](t, first, 201)
		counts := a.counts(t)

		again := a.csv(t, "/api/v1/imports/drop", file, "Idempotency-Key", "rig3-0001")
		if again.Code != 201 || again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" ||
			again.Header().Get("Location") != first.Header().Get("Location") {
			t.Errorf("replay: %d %s %v", again.Code, again.Body, again.Header())
		}
		other := decodeAs[importProblem](t, a.csv(t, "/api/v1/imports/drop", dropFile(699, nil), "Idempotency-Key", "rig3-0001"), 422)
		if len(other.Errors) != 1 || other.Errors[0].Field != "Idempotency-Key" {
			t.Errorf("other body: %+v", other)
		}
		if got := a.counts(t); got != counts {
			t.Errorf("counts %s, want %s", got, counts)
		}

		// A failed import keeps nothing, not even its key.
		bad := dropFile(3, map[int]string{3: "atlas-r1,ATL-0001"})
		decodeAs[importProblem](t, a.csv(t, "/api/v1/imports/drop", bad, "Idempotency-Key", "rig3-0002"), 422)
		decodeAs[importResult](t, a.csv(t, "/api/v1/imports/drop", dropFile(3, nil), "Idempotency-Key", "rig3-0002"), 201)

		// A form retried byte for byte, answered as NDJSON the second time.
		body, ct := form(t, "file", "units.csv", example(t, "units"))
		raw, _ := io.ReadAll(body)
		units := a.send(t, "/api/v1/imports/units", bytes.NewReader(raw), "Content-Type", ct, "Idempotency-Key", "units-1")
		decodeAs[importResult](t, units, 201)
		stream := a.send(t, "/api/v1/imports/units", bytes.NewReader(raw), "Content-Type", ct, "Idempotency-Key", "units-1", "Accept", "application/x-ndjson")
		last := strings.TrimSpace(stream.Body.String())
		last = last[strings.LastIndexByte(last, '\n')+1:]
		if want := `{"status":201,"result":` + units.Body.String() + `,"replayed":true}`; last != want {
			t.Errorf("streamed replay:\n%s\nwant\n%s", last, want)
		}

		// Twins at once: one import, both answers the same.
		runs, imports := a.rows(t, "runs"), a.rows(t, "imports")
		var wg sync.WaitGroup
		answers := make([]string, 2)
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec := a.csv(t, "/api/v1/imports/drop", dropFile(600, nil), "Idempotency-Key", "twins")
				answers[i] = rec.Body.String()
			}()
		}
		wg.Wait()
		if answers[0] != answers[1] || !strings.Contains(answers[0], `"rows":600`) {
			t.Errorf("twins answered\n%s\n%s", answers[0], answers[1])
		}
		if a.rows(t, "runs") != runs+600 || a.rows(t, "imports") != imports+1 {
			t.Errorf("twins: %s, want 600 more runs and one more import", a.counts(t))
		}
	})
}
