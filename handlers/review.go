package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/i18n"
	"ruggedlab/models"
)

// Second-person review (issue #13, api.md §13): the API's decision route,
// a run's review form, and the technicians' review queue with bulk verify.

type reviewBody struct {
	Decision string `json:"decision"`
	Revision *int   `json:"revision"`
	Reason   string `json:"reason"`
}

// decision reads a review request's body.
func decision(c *gin.Context) (models.ReviewDecision, error) {
	var b reviewBody
	if err := decodeStrict(body(c), &b); err != nil {
		return models.ReviewDecision{}, err
	}
	d := models.ReviewDecision{Decision: models.ReviewState(b.Decision), Reason: b.Reason}
	if b.Revision != nil {
		d.Revision = *b.Revision
	}
	return d, nil
}

// reviewRun is POST /api/v1/runs/{id}/review.
func (s *Server) reviewRun(c *gin.Context) {
	d, err := decision(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.Store.ReviewRun(c.Request.Context(), c.Param("id"), d, s.author(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// reviewIncident is POST /api/v1/trials/{id}/incidents/{incident}/review:
// the decision on a field-trial incident; revision may be left out (an
// incident has one).
func (s *Server) reviewIncident(c *gin.Context) {
	d, err := decision(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	in, err := s.Store.ReviewIncident(c.Request.Context(), c.Param("id"), c.Param("incident"), d, s.author(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, in)
}

// reviewQueueLimit bounds the queue page; the count says how many wait.
const reviewQueueLimit = 500

// reviewQueueView is /review: runs awaiting review, with a check box each.
type reviewQueueView struct {
	chrome
	Total int64
	Items []reviewItem
	// IncidentTotal and Incidents are the field-trial incidents awaiting
	// review (incidents are never amended, so rejected ones are not here).
	IncidentTotal int64
	Incidents     []reviewItem
	Messages      []string
	Done          string
	// Confirm and ConfirmIncidents list the runs and incidents a bulk
	// verify will record, waiting for one confirmation.
	Confirm, ConfirmIncidents []reviewItem
	ConfirmCount              int
}

type reviewItem struct {
	ID, Href, Kind, Handset, Unit, Summary, RecordedBy, RecordedAt, State, Reason string
	Revision                                                                      int
	Own                                                                           bool // recorded or last amended by the viewer
	Value                                                                         string
}

func (f *forms) reviewQueue(c *gin.Context) {
	v, err := f.queueView(c)
	if err != nil {
		f.fail(c, err)
		return
	}
	if n, _ := strconv.Atoi(c.Query("verified")); n > 0 {
		v.Done = fmt.Sprintf("%d run(s) verified.", n)
	}
	if c.Query("reviewed") == "1" {
		v.Done = f.s.printer(c).T("Review recorded.")
	}
	c.Header("Cache-Control", "no-store")
	f.render(c, http.StatusOK, "review.html", v)
}

func (f *forms) queueView(c *gin.Context) (reviewQueueView, error) {
	runs, total, err := f.s.Store.ReviewQueue(c.Request.Context(), reviewQueueLimit)
	v := reviewQueueView{chrome: newChrome("Review queue", "", false), Total: total}
	if err != nil {
		return v, err
	}
	incidents, itotal, err := f.s.Store.IncidentQueue(c.Request.Context(), reviewQueueLimit)
	if err != nil {
		return v, err
	}
	v.IncidentTotal = itotal
	me := f.s.author(c)
	tc := &cast{tr: f.s.printer(c)} // only translates: review pages are never blind
	for _, r := range runs {
		v.Items = append(v.Items, reviewItem{ID: r.ID, Href: runPath(r.ID), Kind: string(r.Kind), Handset: r.Handset, Unit: r.Unit,
			Summary: runSummary(tc, r), RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC().Format("2006-01-02 15:04"),
			State: string(r.ReviewOf().State), Reason: r.Review.Reason, Revision: r.Revision, Own: r.RecordedBy == me,
			Value: r.ID + ":" + strconv.Itoa(r.Revision)})
	}
	pt, zone := f.s.printer(c), f.s.zone()
	for _, in := range incidents {
		v.Incidents = append(v.Incidents, reviewItem{ID: in.ID, Href: incidentReviewPath(in.Trial, in.ID), Kind: categoryText(tc, in.Category),
			Handset: in.Handset, Unit: in.Unit, Summary: pt.T("%s, severity %d, %s", in.Date, in.Severity, pt.Text(in.Outcome)),
			RecordedBy: in.RecordedBy, RecordedAt: pt.DateTimeIn(in.RecordedAt, zone), State: string(in.Review.State),
			Revision: models.IncidentRevision, Own: in.RecordedBy == me, Value: in.Trial + ":" + in.ID})
	}
	return v, nil
}

func incidentReviewPath(trial, id string) string {
	return "/trials/" + url.PathEscape(trial) + "/incidents/" + url.PathEscape(id) + "/review"
}

// bulkVerify is POST /review: the checked runs ("id:revision" each) are
// shown once for confirmation, then verified one by one, each with its
// own audit entry; runs that cannot be verified are named with the reason.
func (f *forms) bulkVerify(c *gin.Context) {
	picked, pickedIncidents := c.PostFormArray("run"), c.PostFormArray("incident")
	v, err := f.queueView(c)
	if err != nil {
		f.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	if len(picked)+len(pickedIncidents) == 0 {
		v.Messages = []string{"Tick at least one run or incident to verify."}
		f.render(c, http.StatusUnprocessableEntity, "review.html", v)
		return
	}
	if c.PostForm("confirm") != "1" {
		byValue := map[string]reviewItem{}
		for _, it := range v.Items {
			byValue[it.Value] = it
		}
		for _, p := range picked {
			it, ok := byValue[p]
			if !ok {
				id, _, _ := strings.Cut(p, ":")
				it = reviewItem{ID: id, Href: runPath(id), Value: p}
			}
			v.Confirm = append(v.Confirm, it)
		}
		for _, it := range v.Incidents {
			byValue["incident "+it.Value] = it
		}
		for _, p := range pickedIncidents {
			it, ok := byValue["incident "+p]
			if !ok {
				trial, id, _ := strings.Cut(p, ":")
				it = reviewItem{ID: id, Href: incidentReviewPath(trial, id), Value: p}
			}
			v.ConfirmIncidents = append(v.ConfirmIncidents, it)
		}
		v.ConfirmCount = len(v.Confirm) + len(v.ConfirmIncidents)
		f.render(c, http.StatusOK, "review.html", v)
		return
	}
	verified := 0
	var problems []string
	// tally counts one decision; false when the store failed (500 sent).
	tally := func(what, id string, err error) bool {
		switch {
		case err == nil:
			verified++
		case models.ErrorCode(err) == models.Internal:
			f.fail(c, err)
			return false
		default:
			problems = append(problems, what+" "+id+": "+err.Error())
		}
		return true
	}
	for _, p := range pickedIncidents {
		trial, id, _ := strings.Cut(p, ":")
		_, err := f.s.Store.ReviewIncident(c.Request.Context(), trial, id, models.ReviewDecision{Decision: models.Verified}, f.s.author(c))
		if !tally("incident", id, err) {
			return
		}
	}
	for _, p := range picked {
		id, rev, _ := strings.Cut(p, ":")
		n, _ := strconv.Atoi(rev)
		_, err := f.s.Store.ReviewRun(c.Request.Context(), id, models.ReviewDecision{Decision: models.Verified, Revision: n}, f.s.author(c))
		if !tally("run", id, err) {
			return
		}
	}
	if len(problems) == 0 {
		c.Redirect(http.StatusSeeOther, "/review?verified="+strconv.Itoa(verified))
		return
	}
	v, err = f.queueView(c)
	if err != nil {
		f.fail(c, err)
		return
	}
	v.Done = fmt.Sprintf("%d run(s) verified.", verified)
	v.Messages = problems
	f.render(c, http.StatusConflict, "review.html", v)
}

// reviewView is the form of one run's review decision.
func (f *forms) reviewView(c *gin.Context, r models.Run, decision, reason string) formView {
	pt := f.s.printer(c)
	v := f.view(c, pt.T("Review %s run", pt.Text(string(r.Kind))))
	v.Lede = pt.T("Handset %s, unit %s, revision %d, recorded by %s. A second person checks the result (ISO/IEC 17025 §7.8.1); a rejected run stays visible and needs an amendment.",
		r.Handset, r.Unit, r.Revision, r.RecordedBy)
	v.Submit = pt.T("Record review")
	v.Cancel = runPath(r.ID)
	v.Hidden = []hiddenField{{"revision", strconv.Itoa(r.Revision)}}
	v.Fields = decisionFields(pt, decision, reason)
	if st := r.ReviewOf().State; st != models.Recorded {
		v.Messages = []string{pt.T("This revision is already %s by %s.", pt.Text(string(st)), r.Review.By)}
		v.Submit = ""
	}
	return v
}

// decisionFields are a review form's decision (verified by default) and
// reason.
func decisionFields(pt *i18n.Printer, decision, reason string) []formField {
	if decision == "" {
		decision = string(models.Verified)
	}
	return []formField{
		{Name: "decision", Label: pt.T("Decision"), Control: "select", Value: decision, Required: true,
			Options: []option{{string(models.Verified), pt.Text("verified")}, {string(models.Rejected), pt.Text("rejected")}},
			Hint:    pt.T("verified, or rejected with a reason")},
		{Name: "reason", Label: pt.T("Reason"), Control: "textarea", Value: reason, MaxLen: 4000, Hint: pt.T("required when rejected: what is wrong")},
	}
}

func (f *forms) reviewForm(c *gin.Context) {
	r, err := f.s.Store.Run(c.Request.Context(), c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.show(c, http.StatusOK, f.reviewView(c, r, "", ""))
}

// saveReview is POST /runs/{id}/review: the same ReviewRun as the API.
func (f *forms) saveReview(c *gin.Context) {
	r, err := f.s.Store.Run(c.Request.Context(), c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	decision, reason := c.PostForm("decision"), c.PostForm("reason")
	v := f.reviewView(c, r, decision, reason)
	rev, _ := strconv.Atoi(c.PostForm("revision"))
	d := models.ReviewDecision{Decision: models.ReviewState(decision), Revision: rev, Reason: reason}
	if _, err := f.s.Store.ReviewRun(c.Request.Context(), r.ID, d, f.s.author(c)); err != nil {
		f.failReview(c, v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, runPath(r.ID))
}

// failReview shows a refused review in its form: a self-review (403) or a
// conflict as the form's message, field problems beside their fields.
func (f *forms) failReview(c *gin.Context, v formView, err error) {
	v.Messages = nil
	if models.ErrorCode(err) == models.Forbidden || models.ErrorCode(err) == models.Conflict {
		v.Messages = []string{err.Error()}
		f.show(c, statusOf(err), v)
		return
	}
	f.failForm(c, v, err)
}

func statusOf(err error) int {
	if models.ErrorCode(err) == models.Forbidden {
		return http.StatusForbidden
	}
	return http.StatusConflict
}

// incidentReviewView is the form of one field-trial incident's review.
func (f *forms) incidentReviewView(c *gin.Context, in models.Incident, decision, reason string) formView {
	pt := f.s.printer(c)
	v := f.view(c, pt.T("Review a field-trial incident"))
	v.Lede = pt.T("Trial %s, handset %s, unit %s, %s on %s (severity %d), recorded by %s. A second person checks it (ISO/IEC 17025 §7.8.1); a rejected incident is retracted and recorded anew.",
		in.Trial, in.Handset, in.Unit, pt.Text(in.Category), in.Date, in.Severity, in.RecordedBy)
	v.Submit = pt.T("Record review")
	v.Cancel = "/review"
	v.Fields = decisionFields(pt, decision, reason)
	switch st := in.ReviewOf().State; {
	case in.Retracted:
		v.Messages, v.Submit = []string{pt.T("This incident is retracted: there is nothing to review.")}, ""
	case st != models.Recorded:
		v.Messages, v.Submit = []string{pt.T("This incident is already %s by %s.", pt.Text(string(st)), in.Review.By)}, ""
	}
	return v
}

func (f *forms) incidentReviewForm(c *gin.Context) {
	in, err := f.s.Store.Incident(c.Request.Context(), c.Param("id"), c.Param("incident"))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.show(c, http.StatusOK, f.incidentReviewView(c, in, "", ""))
}

// saveIncidentReview is POST /trials/{id}/incidents/{incident}/review: the
// same ReviewIncident as the API; back to the queue.
func (f *forms) saveIncidentReview(c *gin.Context) {
	in, err := f.s.Store.Incident(c.Request.Context(), c.Param("id"), c.Param("incident"))
	if err != nil {
		f.fail(c, err)
		return
	}
	decision, reason := c.PostForm("decision"), c.PostForm("reason")
	v := f.incidentReviewView(c, in, decision, reason)
	d := models.ReviewDecision{Decision: models.ReviewState(decision), Reason: reason}
	if _, err := f.s.Store.ReviewIncident(c.Request.Context(), in.Trial, in.ID, d, f.s.author(c)); err != nil {
		f.failReview(c, v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/review?reviewed=1")
}
