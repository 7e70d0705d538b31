package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
)

// auditView is /audit (admin): the audit log, newest first, a page at a
// time, with the same cursor as GET /api/v1/audit.
type auditView struct {
	chrome
	Entries []models.AuditEntry
	Next    string
	First   bool
}

func (f *forms) auditLog(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		f.fail(c, err)
		return
	}
	if p.Limit == 0 {
		p.Limit = 100
	}
	items, next, err := f.s.Store.AuditLog(c.Request.Context(), p)
	if err != nil {
		f.fail(c, err)
		return
	}
	v := auditView{chrome: newChrome("Audit log", "audit", false), Entries: items, First: p.Cursor == ""}
	v.Wide = true
	if next != "" {
		v.Next = "/audit?limit=" + strconv.Itoa(p.Limit) + "&cursor=" + url.QueryEscape(next)
	}
	c.Header("Cache-Control", "no-store")
	f.render(c, http.StatusOK, "forms_audit.html", v)
}

// unmask is POST /profiles/{id}/unmask (admin): evaluators see the
// profile's candidates by name from now on, when the server forces blind
// mode on them (Server.BlindEvaluators). The audit entry is the record
// (store.UnmaskedProfiles), so it is written first and nothing happens
// without it.
func (f *forms) unmask(c *gin.Context) {
	id := c.Param("id")
	if _, err := f.s.Store.Profile(c.Request.Context(), id, 0); err != nil {
		f.fail(c, err)
		return
	}
	if !f.s.may(c, "unmask") {
		f.fail(c, failCode(models.Forbidden, "unmasking a profile needs the admin role"))
		return
	}
	if err := f.s.audit(c, "unmask", map[string]any{"profile": id}); err != nil {
		f.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/profiles/"+url.PathEscape(id)+"/matrix")
}
