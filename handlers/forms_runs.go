package handlers

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"ruggedlab/i18n"
	"ruggedlab/models"
)

// runForm is GET /runs/new?kind=…&handset=…&unit=…: the fields of one
// kind, from models.RunFields; without a kind, a choice of kinds.
func (f *forms) runForm(c *gin.Context) {
	kind, ok := models.ParseKind(c.Query("kind"))
	if !ok {
		v := f.view(c, "Enter a run")
		v.Lede = "Which test did you run?"
		for _, k := range models.Kinds {
			v.Choices = append(v.Choices, navLink{Label: label(string(k)), Href: withQuery("/runs/new", "kind", string(k), "handset", c.Query("handset"), "unit", c.Query("unit"))})
		}
		f.show(c, http.StatusOK, v)
		return
	}
	values := map[string]string{"handset": c.Query("handset"), "unit": c.Query("unit")}
	v, err := f.runView(c, kind, values)
	if err != nil {
		f.fail(c, err)
		return
	}
	f.show(c, http.StatusOK, v)
}

// runView is the form of a new run of kind with values filled in.
func (f *forms) runView(c *gin.Context, kind models.Kind, values map[string]string) (formView, error) {
	v := f.view(c, "Enter a "+string(kind)+" run")
	v.Action = "/runs/new?kind=" + string(kind)
	v.Lede = "Every field is checked as the API checks it; nothing is recorded until all are valid."
	v.Submit = "Save run"
	v.Cancel = "/"
	token := values["token"]
	if token == "" {
		token = newToken()
	}
	v.Hidden = []hiddenField{{"token", token}}
	hs, err := f.s.Store.AllHandsets(c.Request.Context())
	if err != nil {
		return v, err
	}
	for _, fi := range models.RunFields(kind) {
		if fi.Name == "kind" || fi.Type == models.Nested {
			continue
		}
		ff := fieldFor(fi, values[fi.Name])
		if fi.Name == "handset" {
			ff.Control = "select"
			ff.Hint = "register a handset first if it is missing"
			ff.Options = []option{{"", "— choose —"}}
			for _, h := range hs {
				ff.Options = append(ff.Options, option{h.Code, h.Code + " — " + h.Name})
			}
		}
		if fi.Name == "technician" {
			ff.Hint = "who performed the test; optional, defaults to you (" + f.s.author(c) + ")"
		}
		v.Fields = append(v.Fields, ff)
	}
	return v, nil
}

// decodeRunForm reads the posted fields into r like CSV cells
// (Run.SetColumn), listing every cell that cannot be read.
func decodeRunForm(c *gin.Context, r *models.Run, skip ...string) (map[string]string, models.FieldErrors) {
	values := map[string]string{"token": c.PostForm("token")}
	var errs models.FieldErrors
	for _, fi := range models.RunFields(r.Kind) {
		if fi.Name == "kind" || fi.Type == models.Nested || slices.Contains(skip, fi.Name) {
			continue
		}
		val := c.PostForm(fi.Name)
		values[fi.Name] = val
		if fi.Type == models.Timestamp {
			val = normalizeTime(val)
		}
		if fi.Type == models.Number {
			val = i18n.ParseNumber(val) // "38,81" as typed on a French keyboard
		}
		if msg := r.SetColumn(fi.Name, val); msg != "" {
			errs.Add(fi.Name, "%s", msg)
		}
	}
	return values, errs
}

// saveRun is POST /runs/new: the same CreateRun as POST /api/v1/runs, then
// 303 to the run's page. The form's token is its Idempotency-Key: a second
// submit of the same form redirects to the run the first one created.
func (f *forms) saveRun(c *gin.Context) {
	kind, ok := models.ParseKind(c.Query("kind"))
	if !ok {
		f.fail(c, models.FieldErrors{{Field: "kind", Message: "must be one of drop, temperature, ingress, battery"}}.Err("no such test kind"))
		return
	}
	r := models.Run{Kind: kind}
	values, errs := decodeRunForm(c, &r)
	v, err := f.runView(c, kind, values)
	if err != nil {
		f.fail(c, err)
		return
	}
	stored, key, err := f.s.formKey(c)
	switch {
	case err != nil:
		f.failForm(c, v, err)
		return
	case stored != nil:
		c.Redirect(http.StatusSeeOther, stored.Location)
		return
	}
	if r.Technician == "" {
		r.Technician = f.s.author(c)
	}
	if len(errs) > 0 {
		// The same one round as the API: cells that cannot be read, and
		// every rule (an unregistered unit too) on the other fields.
		f.s.releaseKey(c, key)
		f.failForm(c, v, f.s.Store.CheckRun(c.Request.Context(), r, errs))
		return
	}
	saved, err := f.s.Store.CreateRun(c.Request.Context(), r, f.s.author(c))
	if err != nil {
		f.s.releaseKey(c, key)
		f.failForm(c, v, err)
		return
	}
	f.s.completeKey(c, key, runPath(saved.ID))
	c.Redirect(http.StatusSeeOther, runPath(saved.ID))
}

// immutable run fields: an amendment cannot change them (models.Run.Amend).
var immutableRunFields = []string{"kind", "handset", "unit"}

// amendView is the amendment form of run r with values (the run's own when
// nil).
func (f *forms) amendView(c *gin.Context, r models.Run, values map[string]string, revision string) formView {
	v := f.view(c, "Amend "+string(r.Kind)+" run")
	v.Lede = "Handset " + r.Handset + ", unit " + r.Unit + ", revision " + strconv.Itoa(r.Revision) +
		". Change what was recorded wrongly and say why; the old values stay in the run's revisions (ISO/IEC 17025 §7.5.2)."
	v.Submit = "Review changes"
	v.Cancel = runPath(r.ID)
	if values == nil {
		values = runValues(r)
	}
	if revision == "" {
		revision = strconv.Itoa(r.Revision)
	}
	v.Hidden = []hiddenField{{"revision", revision}}
	for _, fi := range models.RunFields(r.Kind) {
		if slices.Contains(immutableRunFields, fi.Name) || fi.Type == models.Nested {
			continue
		}
		v.Fields = append(v.Fields, fieldFor(fi, values[fi.Name]))
	}
	v.Fields = append(v.Fields, formField{Name: "reason", Label: "Reason", Control: "textarea", Value: values["reason"], Required: true,
		MaxLen: 4000, Hint: "required: why the run is amended"})
	return v
}

// runValues are a run's fields as form cells, as the API writes them.
func runValues(r models.Run) map[string]string {
	raw, _ := json.Marshal(r)
	var obj map[string]any
	_ = json.Unmarshal(raw, &obj)
	out := map[string]string{}
	for k, val := range obj {
		out[k] = cellText(val)
	}
	return out
}

func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (f *forms) amendForm(c *gin.Context) {
	r, err := f.s.Store.Run(c.Request.Context(), c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	v := f.amendView(c, r, nil, "")
	if r.Status == models.Retracted {
		v.Messages = []string{"This run is retracted: it cannot be amended."}
		v.Submit = ""
	}
	f.show(c, http.StatusOK, v)
}

// saveAmendment is POST /runs/{id}/amend. Without confirm=1 it checks the
// values and shows the changes (field: from → to) to confirm; with
// confirm=1 it records them with the same AmendRun as the API, against the
// revision the form was made from, so a change made meanwhile is a
// conflict shown on the form rather than silently overwritten.
func (f *forms) saveAmendment(c *gin.Context) {
	ctx := c.Request.Context()
	cur, err := f.s.Store.Run(ctx, c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	values := map[string]string{"reason": c.PostForm("reason")}
	a := models.Amendment{Reason: values["reason"], Cells: map[string]string{}}
	for _, fi := range models.RunFields(cur.Kind) {
		if slices.Contains(immutableRunFields, fi.Name) || fi.Type == models.Nested {
			continue
		}
		val := c.PostForm(fi.Name)
		values[fi.Name] = val
		if fi.Type == models.Timestamp {
			val = normalizeTime(val)
		}
		if fi.Type == models.Number {
			val = i18n.ParseNumber(val) // "38,81" as typed on a French keyboard
		}
		a.Cells[fi.Name] = val
	}
	revText := c.PostForm("revision")
	a.Revision, _ = strconv.Atoi(revText)
	v := f.amendView(c, cur, values, revText)
	if c.PostForm("edit") == "1" { // back from the confirmation to the form
		f.show(c, http.StatusOK, v)
		return
	}
	facts := models.HandsetFacts{}
	if h, herr := f.s.Store.Handset(ctx, cur.Handset); herr == nil {
		facts = h.Facts()
	}
	// The same rules and messages as the store applies in its transaction.
	_, changes, err := a.Apply(cur, f.s.Now(), facts)
	if err != nil {
		f.failForm(c, v, err)
		return
	}
	if c.PostForm("confirm") != "1" {
		f.show(c, http.StatusOK, confirmView(v, changes))
		return
	}
	saved, err := f.s.Store.AmendRun(ctx, cur.ID, a, f.s.author(c))
	if err != nil {
		f.failForm(c, v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, runPath(saved.ID))
}

// confirmView turns the amendment form into its confirmation: the changes,
// and every value again as hidden fields for the second POST.
func confirmView(v formView, changes models.Changes) formView {
	c := v
	c.Heading = "Confirm the amendment"
	c.Lede = "These changes will be recorded as a new revision. The old values stay in the run's revisions."
	for _, name := range slices.Sorted(maps.Keys(changes)) {
		ch := changes[name]
		c.Diff = append(c.Diff, diffRow{Field: name, From: valueText(ch.From), To: valueText(ch.To)})
	}
	c.Hidden = slices.Clone(v.Hidden)
	for _, fl := range v.Fields {
		c.Hidden = append(c.Hidden, hiddenField{fl.Name, fl.Value})
	}
	c.Hidden = append(c.Hidden, hiddenField{"confirm", "1"})
	c.Fields = nil
	c.Submit = "Save amendment"
	return c
}

func (f *forms) retractView(c *gin.Context, r models.Run, reason string) formView {
	v := f.view(c, "Retract "+string(r.Kind)+" run")
	v.Lede = "Handset " + r.Handset + ", unit " + r.Unit + ". A retracted run stays visible with its reason but leaves every statistic; it cannot be undone or amended."
	v.Submit = "Retract run"
	v.Cancel = runPath(r.ID)
	v.Fields = []formField{{Name: "reason", Label: "Reason", Control: "textarea", Value: reason, Required: true, MaxLen: 4000,
		Hint: "required: why the run is retracted"}}
	if r.Status == models.Retracted {
		v.Messages = []string{"This run is already retracted."}
		v.Submit = ""
	}
	return v
}

func (f *forms) retractForm(c *gin.Context) {
	r, err := f.s.Store.Run(c.Request.Context(), c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.show(c, http.StatusOK, f.retractView(c, r, ""))
}

// saveRetraction is POST /runs/{id}/retract: the same RetractRun, and so
// the same rules (models.Retraction), as the API.
func (f *forms) saveRetraction(c *gin.Context) {
	r, err := f.s.Store.Run(c.Request.Context(), c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	reason := c.PostForm("reason")
	v := f.retractView(c, r, reason)
	v.Messages = nil
	if _, err := f.s.Store.RetractRun(c.Request.Context(), r.ID, models.Retraction{Reason: reason}, f.s.author(c)); err != nil {
		f.failForm(c, v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, runPath(r.ID))
}
