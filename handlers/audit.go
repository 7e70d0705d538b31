package handlers

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
	"ruggedlab/store"
)

// noteAudit adds a fact to the audit entry of this request (a login's
// tried name, say); it never holds secrets.
func noteAudit(c *gin.Context, key string, v any) {
	if a := store.AuditFrom(c.Request.Context()); a != nil {
		a.Note(key, v)
	}
}

// recordWrites puts the request's audit descriptor (who, address, request
// ID, route, path, route parameters) in the context of every
// state-changing request, so that the store appends the entry, with what
// changed, inside the write's own transaction: no write without its entry
// (store.Audit). A request that wrote nothing (refused, failed, replayed)
// is entered once it has been answered, with its status.
func (s *Server) recordWrites(c *gin.Context) {
	if s.Auth == nil || isSafeMethod(c.Request.Method) {
		c.Next()
		return
	}
	a := &store.Audit{Describe: func() models.AuditEntry { return auditEntry(c) }}
	if len(c.Params) > 0 {
		params := map[string]string{}
		for _, p := range c.Params {
			params[p.Key] = p.Value
		}
		a.Note("params", params)
	}
	c.Request = c.Request.WithContext(store.WithAudit(c.Request.Context(), a))
	defer func() {
		// authenticate runs after this middleware: read who only now.
		if a.Written() > 0 {
			return
		}
		detail := a.Notes()
		if detail == nil {
			detail = map[string]any{}
		}
		if c.Writer.Header().Get("Idempotent-Replayed") == "true" {
			detail["replayed"] = true
		}
		if err := s.writeAudit(context.WithoutCancel(c.Request.Context()), c, c.Writer.Status(), detail); err != nil {
			s.Log.Error("audit entry not written", "request_id", requestID(c), "route", c.FullPath(), "err", err)
		}
	}()
	c.Next()
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

// auditEntry is who made this request and where it went; the store adds
// the rest (store.Audit).
func auditEntry(c *gin.Context) models.AuditEntry {
	e := models.AuditEntry{RequestID: requestID(c), Method: c.Request.Method, Route: c.FullPath(),
		Path: c.Request.URL.Path, Address: c.ClientIP()}
	if e.Route == "" {
		e.Route = "unmatched"
	}
	if a, ok := account(c); ok {
		e.Account, e.Role = a.Name, a.Role
	}
	return e
}

func (s *Server) writeAudit(ctx context.Context, c *gin.Context, status int, detail map[string]any) error {
	raw, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	e := auditEntry(c)
	e.Status, e.Detail = status, raw
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
