package handlers_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ruggedlab/handlers"
	"ruggedlab/internal/apicontract"
)

// ndjsonLine is any line of a streamed import answer.
type ndjsonLine struct {
	Rows    *int            `json:"rows"`
	Bytes   *int64          `json:"bytes"`
	Status  int             `json:"status"`
	Result  json.RawMessage `json:"result"`
	Problem *importProblem  `json:"problem"`
}

// With Accept: application/x-ndjson, progress lines arrive while the file
// is still being sent — the test holds back the second half of the file
// until it has seen progress, so a server that answered only at the end
// would hang here — and the last line carries the outcome.
func TestImportNDJSONProgress(t *testing.T) {
	const n = 3000
	eachImportEngine(t, func(t *testing.T, a *importAPI) {
		srv := httptest.NewServer(apicontract.Wrap(t, a.h))
		defer srv.Close()

		lines, firstHalfSeen := streamImport(t, srv.URL+"/api/v1/imports/drop", dropFile(n, nil))
		var last ndjsonLine
		progress := 0
		for i, l := range lines {
			if l.Rows != nil {
				progress++
				if i > 0 && *l.Rows < *lines[i-1].Rows {
					t.Errorf("rows went down: %d after %d", *l.Rows, *lines[i-1].Rows)
				}
			}
			last = l
		}
		if !firstHalfSeen || progress < 2 {
			t.Errorf("progress lines %d, saw rows before the upload ended: %v", progress, firstHalfSeen)
		}
		var res importResult
		if last.Status != 201 || json.Unmarshal(last.Result, &res) != nil || res.Rows != n || len(res.Created) != n {
			t.Fatalf("last line %+v", last)
		}
		decodeAs[importResult](t, a.get(t, "/api/v1/imports/"+res.ImportID), 200)

		// A failing import ends with the problem it would have answered.
		lines, _ = streamImport(t, srv.URL+"/api/v1/imports/drop", dropFile(n, map[int]string{n: "atlas-r1,ATL-0001"}))
		last = lines[len(lines)-1]
		if last.Status != 422 || last.Problem == nil || len(last.Problem.Errors) != 1 || last.Problem.Errors[0].Row != n {
			t.Errorf("last line %+v", last)
		}
		if got, want := a.counts(t), fmt.Sprintf("units=1 runs=%d run_revisions=%d imports=1", n, n); got != want {
			t.Errorf("counts %s, want %s", got, want)
		}
	}, func(s *handlers.Server) { s.ImportProgressEvery = time.Nanosecond })
}

// streamImport sends file in two halves over a real connection and reads
// the NDJSON answer; it reports whether a progress line with rows arrived
// before the second half was sent.
func streamImport(t *testing.T, url, file string) ([]ndjsonLine, bool) {
	t.Helper()
	pr, pw := io.Pipe()
	seen := make(chan struct{})
	go func() {
		half := strings.LastIndexByte(file[:len(file)/2], '\n') + 1
		io.WriteString(pw, file[:half])
		select {
		case <-seen:
		case <-time.After(20 * time.Second):
		}
		io.WriteString(pw, file[half:])
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", url, pr)
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Accept", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("status %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var lines []ndjsonLine
	early := false
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var l ndjsonLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if l.Rows != nil && *l.Rows > 0 && !early {
			early = true
			close(seen)
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 {
		t.Fatal("no lines")
	}
	return lines, early
}
