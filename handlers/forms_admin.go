package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
	"ruggedlab/store"
)

// auditView is /audit (admin): the audit log, newest first, a page at a
// time, filtered by account, outcome and free text (store.AuditTable).
type auditView struct {
	chrome
	Entries  []auditLine
	Account  string
	Q        string
	Outcomes []choice
	Pager    pager
	Filtered bool
}

// auditLine is one entry as the page shows it: the time in the lab's zone.
type auditLine struct {
	models.AuditEntry
	When    string
	Refused bool
}

func (f *forms) auditLog(c *gin.Context) {
	var errs models.FieldErrors
	q := store.AuditQuery{Account: strings.TrimSpace(c.Query("account")), Outcome: c.Query("outcome"), Q: strings.TrimSpace(c.Query("q"))}
	if q.Outcome != "" && q.Outcome != store.OutcomeDone && q.Outcome != store.OutcomeRefused {
		errs.Add("outcome", "must be %s or %s, not %q", store.OutcomeDone, store.OutcomeRefused, q.Outcome)
	}
	q.Page = readPage(c, &errs)
	if err := errs.Err("the table request is not valid"); err != nil {
		f.fail(c, err)
		return
	}
	at, err := f.s.Store.AuditTable(c.Request.Context(), q)
	if err != nil {
		f.fail(c, err)
		return
	}
	pt := f.s.printer(c)
	zone := f.s.zone()
	v := auditView{chrome: newChrome("Audit log", "audit", false), Account: q.Account, Q: q.Q,
		Filtered: q.Account != "" || q.Outcome != "" || q.Q != ""}
	v.Wide = true
	for _, o := range []struct{ v, label string }{{"", "any"}, {store.OutcomeDone, "done"}, {store.OutcomeRefused, "refused"}} {
		v.Outcomes = append(v.Outcomes, choice{Value: o.v, Label: pt.Text(o.label), Selected: q.Outcome == o.v})
	}
	for _, e := range at.Entries {
		v.Entries = append(v.Entries, auditLine{AuditEntry: e, When: pt.DateTimeIn(e.At, zone), Refused: e.Status >= 400})
	}
	v.Pager = newPager(at.TablePage, len(at.Entries), func(n int) string {
		page := ""
		if n > 1 {
			page = strconv.Itoa(n)
		}
		return withQuery("/audit", "account", q.Account, "outcome", q.Outcome, "q", q.Q, "page", page)
	})
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
