package handlers

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ruggedlab/store"
)

// DefaultImportProgressEvery is how often a streamed import reports.
const DefaultImportProgressEvery = time.Second

type importProgress struct {
	Rows  int   `json:"rows"`
	Bytes int64 `json:"bytes"`
}

type importOutcome struct {
	Status   int      `json:"status"`
	Result   any      `json:"result,omitempty"`
	Problem  *Problem `json:"problem,omitempty"`
	Replayed bool     `json:"replayed,omitempty"` // an Idempotency-Key replay
}

// streamImport runs an import answering application/x-ndjson progress
// lines and a last line with the outcome (see createImport).
func (s *Server) streamImport(c *gin.Context, target string, src io.Reader, o store.ImportOptions) {
	// HTTP/1 servers stop reading a request body once the answer starts;
	// the body is still streaming in, so keep both directions open.
	_ = http.NewResponseController(c.Writer).EnableFullDuplex()
	c.Header("Content-Type", "application/x-ndjson")
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
	enc := json.NewEncoder(c.Writer)
	line := func(v any) {
		_ = enc.Encode(v) // a client that left is noticed by the body read
		c.Writer.Flush()
	}
	every := s.ImportProgressEvery
	if every <= 0 {
		every = DefaultImportProgressEvery
	}
	line(importProgress{})
	last := time.Now()
	o.Progress = func(rows int, bytes int64) {
		if time.Since(last) >= every {
			last = time.Now()
			line(importProgress{Rows: rows, Bytes: bytes})
		}
	}
	imp, err := s.Store.CreateImport(c.Request.Context(), target, src, o)
	var replay *store.ReplayError
	switch {
	case errors.As(err, &replay):
		noteImport(c, imp, replay.Response.Status)
		line(importOutcome{Status: replay.Response.Status, Result: json.RawMessage(replay.Response.Body), Replayed: true})
	case err != nil:
		p := problemFor(c, s.Log, err)
		noteImport(c, imp, p.Status)
		line(importOutcome{Status: p.Status, Problem: &p})
	case o.DryRun:
		line(importOutcome{Status: http.StatusOK, Result: dryRunAnswer(imp)})
	default:
		a := importCreated(imp)
		noteImport(c, imp, a.Status)
		line(importOutcome{Status: a.Status, Result: json.RawMessage(a.Body)})
	}
}
