package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
	"ruggedlab/store"
)

// list is the shape of every list answer: items is never null.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func newList[T any](items []T, next string) list[T] {
	if items == nil {
		items = []T{}
	}
	l := list[T]{Items: items}
	if next != "" {
		l.NextCursor = &next
	}
	return l
}

// Store calls take c.Request.Context(), never c: gin recycles a Context
// once its handler returns, and database/sql may still call Done on the
// context it was given from a goroutine of its own (a data race that
// -race reports, and a query watching another request's cancellation).

// page reads ?limit= and ?cursor=; the store checks their ranges.
func page(c *gin.Context) (store.Page, error) {
	p := store.Page{Cursor: c.Query("cursor")}
	if v, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n == 0 {
			// An explicit 0 is out of range, not "the default" the store
			// reads it as; say so with the value the client sent.
			return p, models.FieldErrors{{Field: "limit", Message: "must be a whole number between 1 and 500, not " + strconv.Quote(v)}}.Err("the list request is not valid")
		}
		p.Limit = n
	}
	return p, nil
}

func created(c *gin.Context, location string, v any) {
	c.Header("Location", location)
	c.JSON(http.StatusCreated, v)
}

func (s *Server) createHandset(c *gin.Context) {
	h, err := models.DecodeHandset(body(c))
	if err == nil {
		h, err = s.Store.CreateHandset(c.Request.Context(), h, s.author(c))
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, "/api/v1/handsets/"+url.PathEscape(h.Code), h)
}

func (s *Server) listHandsets(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if blindRequest(c) {
		// One page in code order would tell which letters have the
		// alphabetically first codes: a blind account gets every candidate
		// at once (a tender has a handful), put in letter order by the mask.
		all, err := s.Store.AllHandsets(c.Request.Context())
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, newList(all, ""))
		return
	}
	items, next, err := s.Store.Handsets(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, next))
}

func (s *Server) getHandset(c *gin.Context) {
	h, err := s.measuredHandset(c.Request.Context(), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

func (s *Server) patchHandset(c *gin.Context) {
	raw := body(c)
	h, err := s.Store.PatchHandset(c.Request.Context(), c.Param("code"), func(h models.Handset) (models.Handset, error) {
		return models.PatchHandset(h, raw)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

func (s *Server) createUnit(c *gin.Context) {
	u, err := models.DecodeUnit(body(c))
	if err == nil {
		u, err = s.Store.CreateUnit(c.Request.Context(), c.Param("code"), u, s.author(c))
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, "/api/v1/handsets/"+url.PathEscape(u.Handset)+"/units/"+url.PathEscape(u.Serial), u)
}

func (s *Server) listUnits(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, next, err := s.Store.Units(c.Request.Context(), c.Param("code"), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, next))
}

func (s *Server) getUnit(c *gin.Context) {
	u, err := s.Store.Unit(c.Request.Context(), c.Param("code"), c.Param("serial"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if u.Runs == nil {
		u.Runs = []models.Run{}
	}
	// Runs always appear, even empty, so clients need not special-case.
	type unitWithRuns struct {
		models.Unit
		Runs []models.Run `json:"runs"`
	}
	c.JSON(http.StatusOK, unitWithRuns{Unit: u, Runs: u.Runs})
}

func (s *Server) createRun(c *gin.Context) {
	r, err := models.DecodeRun(body(c))
	if r.Technician == "" {
		r.Technician = s.author(c)
	}
	switch {
	case err == nil:
		r, err = s.Store.CreateRun(c.Request.Context(), r, s.author(c))
	case models.ErrorCode(err) == models.Invalid:
		// Values of the wrong type do not hide the rules: one 422 lists
		// both (an unknown unit, a missing field), as CreateRun would.
		if cerr := s.Store.CheckRun(c.Request.Context(), r, fieldsOf(err)); cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, "/api/v1/runs/"+r.ID, r)
}

func (s *Server) listRuns(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := store.RunFilter{Handset: c.Query("handset"), Unit: c.Query("unit"), Page: p}
	var errs models.FieldErrors
	if k := c.Query("kind"); k != "" {
		kind, ok := models.ParseKind(k)
		if !ok {
			errs.Add("kind", "must be one of drop, temperature, ingress, battery, not %q", k)
		}
		f.Kind = kind
	}
	if v := c.Query("include_retracted"); v != "" {
		b, perr := strconv.ParseBool(v)
		if perr != nil {
			errs.Add("include_retracted", "must be true or false, not %q", v)
		}
		f.IncludeRetracted = b
	}
	if err := errs.Err("the list request is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	items, next, err := s.Store.Runs(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, next))
}

func (s *Server) getRun(c *gin.Context) {
	r, err := s.Store.Run(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// decodeStrict decodes a small fixed-shape body, naming unknown fields and
// wrongly typed values as field errors.
func decodeStrict(raw []byte, v any) error {
	var probe any
	if err := json.Unmarshal(raw, &probe); err != nil {
		return models.Errorf(models.Malformed, "malformed JSON: %v", err)
	}
	if _, ok := probe.(map[string]any); !ok {
		return models.Errorf(models.Malformed, "the body must be a JSON object")
	}
	dec := json.NewDecoder(bytesReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if ok := asTypeError(err, &te); ok {
			return models.FieldErrors{{Field: te.Field, Message: "must be " + jsonTypeName(te.Type.Kind().String())}}.Err("the request is not valid")
		}
		if field, ok := unknownField(err); ok {
			return models.FieldErrors{{Field: field, Message: "unknown field"}}.Err("the request is not valid")
		}
		return models.Errorf(models.Malformed, "malformed JSON: %v", err)
	}
	return nil
}

type amendmentBody struct {
	Reason   string          `json:"reason"`
	Revision *int            `json:"revision"`
	Changes  json.RawMessage `json:"changes"`
}

func (s *Server) amendRun(c *gin.Context) {
	var b amendmentBody
	if err := decodeStrict(body(c), &b); err != nil {
		s.fail(c, err)
		return
	}
	a := models.Amendment{Reason: b.Reason, Changes: b.Changes}
	if b.Revision != nil {
		a.Revision = *b.Revision
	}
	r, err := s.Store.AmendRun(c.Request.Context(), c.Param("id"), a, s.author(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/runs/"+r.ID)
	c.JSON(http.StatusCreated, r)
}

func (s *Server) retractRun(c *gin.Context) {
	var b struct {
		Reason string `json:"reason"`
	}
	if err := decodeStrict(body(c), &b); err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.Store.RetractRun(c.Request.Context(), c.Param("id"), models.Retraction{Reason: b.Reason}, s.author(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *Server) listRevisions(c *gin.Context) {
	revs, err := s.Store.Revisions(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": revs})
}

// describeFields tells scripts and forms which fields a kind has, with
// units and valid ranges.
func (s *Server) describeFields(c *gin.Context) {
	k, ok := models.ParseKind(c.Param("kind"))
	if !ok {
		s.fail(c, failCode(models.NotFound, "no test kind %q", c.Param("kind")))
		return
	}
	c.JSON(http.StatusOK, gin.H{"kind": k, "fields": models.RunFields(k), "csv_columns": models.CSVColumns(k)})
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) readyz(c *gin.Context) {
	if err := s.Store.Ping(c.Request.Context()); err != nil {
		// Like every problem: quotable by request ID, and the cause logged.
		s.Log.WarnContext(c.Request.Context(), "not ready", "request_id", requestID(c), "err", err)
		writeProblem(c, Problem{Type: "/problems/internal", Title: "Database unreachable", Status: http.StatusServiceUnavailable,
			Detail: "the database does not answer", Instance: c.Request.URL.Path, RequestID: requestID(c)})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "database": s.Store.Engine()})
}
