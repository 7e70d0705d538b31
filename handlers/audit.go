package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
)

const auditNotesKey = "audit_notes"

// noteAudit adds a fact to the audit entry of this request (a login's
// tried name, say); it never holds secrets.
func noteAudit(c *gin.Context, key string, v any) {
	notes, _ := c.Get(auditNotesKey)
	m, _ := notes.(map[string]any)
	if m == nil {
		m = map[string]any{}
		c.Set(auditNotesKey, m)
	}
	m[key] = v
}

// recordWrites enters every state-changing request in the audit log once
// it has been answered, refused ones included: who (account, role,
// address), when, what (route, path, route parameters such as the run
// id, the created resource's id) and how it ended (status, request ID).
// The entry is written after the answer, so a failure to write it is
// logged rather than turned into an error for a write that happened.
func (s *Server) recordWrites(c *gin.Context) {
	if s.Auth == nil || isSafeMethod(c.Request.Method) {
		c.Next()
		return
	}
	c.Next()
	detail := map[string]any{}
	notes, _ := c.Get(auditNotesKey)
	if m, ok := notes.(map[string]any); ok {
		for k, v := range m {
			detail[k] = v
		}
	}
	if len(c.Params) > 0 {
		params := map[string]string{}
		for _, p := range c.Params {
			params[p.Key] = p.Value
		}
		detail["params"] = params
	}
	status := c.Writer.Status()
	if loc := c.Writer.Header().Get("Location"); loc != "" && status >= 200 && status < 300 {
		detail["location"] = loc
		if id, err := url.PathUnescape(path.Base(loc)); err == nil && status == http.StatusCreated {
			detail["created"] = id
		}
	}
	if c.Writer.Header().Get("Idempotent-Replayed") == "true" {
		detail["replayed"] = true
	}
	if err := s.writeAudit(context.WithoutCancel(c.Request.Context()), c, status, detail); err != nil {
		s.Log.Error("audit entry not written", "request_id", requestID(c), "route", c.FullPath(), "err", err)
	}
}

// audit records an action that is not a write but must leave a trace,
// such as unmasking a blind view. Call it before acting and act only if it
// returns nil: an action that must be audited does not happen unaudited.
func (s *Server) audit(c *gin.Context, action string, detail map[string]any) error {
	if s.Auth == nil {
		return nil
	}
	d := map[string]any{"action": action}
	for k, v := range detail {
		d[k] = v
	}
	return s.writeAudit(c.Request.Context(), c, http.StatusOK, d)
}

func (s *Server) writeAudit(ctx context.Context, c *gin.Context, status int, detail map[string]any) error {
	raw, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	e := models.AuditEntry{RequestID: requestID(c), Method: c.Request.Method, Route: c.FullPath(),
		Path: c.Request.URL.Path, Status: status, Detail: raw, Address: c.ClientIP()}
	if e.Route == "" {
		e.Route = "unmatched"
	}
	if a, ok := account(c); ok {
		e.Account, e.Role = a.Name, a.Role
	}
	return s.Store.RecordAudit(ctx, e)
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// listAudit is GET /api/v1/audit: newest first, paginated like every list.
func (s *Server) listAudit(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, next, err := s.Store.AuditLog(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, next))
}
