package handlers

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ruggedlab/i18n"
	"ruggedlab/models"
)

// runForm is GET /runs/new?kind=…&handset=…&unit=…: the fields of one
// kind, from models.RunFields; without a kind, a choice of kinds. With
// next=ID (after "Save and enter the next unit") it says the run ID was
// saved and starts the form of the next registered unit of its handset
// with the run's method, dates and programme (everything but what was
// measured on the unit).
func (f *forms) runForm(c *gin.Context) {
	l := f.lang(c)
	kind, ok := models.ParseKind(c.Query("kind"))
	if !ok {
		v := f.view(c, l.T("Enter a run"))
		v.Lede = l.T("Which test did you run?")
		for _, k := range models.Kinds {
			v.Choices = append(v.Choices, navLink{Label: label(l.pt.Text(string(k))),
				Href: withQuery("/runs/new", "kind", string(k), "handset", c.Query("handset"), "unit", c.Query("unit"))})
		}
		f.show(c, http.StatusOK, v)
		return
	}
	values := map[string]string{"handset": c.Query("handset"), "unit": c.Query("unit")}
	var saved *models.Run
	if id := c.Query("next"); id != "" {
		r, err := f.s.Store.Run(c.Request.Context(), id)
		if err != nil {
			f.fail(c, err)
			return
		}
		if r.Kind != kind {
			f.fail(c, models.FieldErrors{{Field: "next", Message: "is a run of another kind"}}.Err("the form request is not valid"))
			return
		}
		saved, values = &r, nextUnitValues(r)
	}
	v, err := f.runView(c, kind, values)
	if err != nil {
		f.fail(c, err)
		return
	}
	if saved != nil {
		v.Saved = f.savedBanner(c, *saved)
		if values["unit"] == "" {
			v.Messages = append(v.Messages, l.T("Unit %s was the last registered unit of handset %s: choose a unit, or register one.", saved.Unit, saved.Handset))
		}
	}
	f.show(c, http.StatusOK, v)
}

// resultFields are what a run measured on its unit. The next unit's form
// starts without them (and without the unit, notes and deviations); every
// other field — handset, method, dates, technician, the programme — is
// kept.
var resultFields = map[models.Kind][]string{
	models.Drop:        {"drops_completed", "first_failure_drop", "worst_severity"},
	models.Temperature: {"passed", "shutdown_observed", "shutdown_temp_c"},
	models.Ingress:     {"ingress_found", "functional_after"},
	models.Battery:     {"runtime_h", "end_soc_pct"},
	models.Repair:      {"disassembly_s", "reassembly_s", "part_replaced", "functional_after"},
}

// nextUnitValues are the form values of the next unit after run r: r's
// values but the unit's own, and the next serial of its handset ("" after
// the last one), filled in by runView.
func nextUnitValues(r models.Run) map[string]string {
	values := runValues(r)
	for _, name := range append([]string{"notes", "deviations"}, resultFields[r.Kind]...) {
		delete(values, name)
	}
	values["unit"] = ""
	values["after_unit"] = r.Unit
	return values
}

// savedBanner says which run was just saved, in the lab's time.
func (f *forms) savedBanner(c *gin.Context, r models.Run) *savedBanner {
	l := f.lang(c)
	return &savedBanner{
		Text: l.T("Saved: %s run of %s, unit %s, started %s.", l.pt.Text(string(r.Kind)), r.Handset, r.Unit, l.pt.DateTimeIn(r.StartedAt, l.zone)),
		Href: runPath(r.ID), Open: l.T("Open it"),
	}
}

// runView is the form of a new run of kind with values filled in.
func (f *forms) runView(c *gin.Context, kind models.Kind, values map[string]string) (formView, error) {
	l := f.lang(c)
	v := f.view(c, l.T("Enter a %s run", l.pt.Text(string(kind))))
	v.Action = "/runs/new?kind=" + string(kind)
	v.Lede = l.T("Every field is checked as the API checks it; nothing is recorded until all are valid. Times are the lab's (%s).", zoneName(l.zone))
	v.Submit = l.T("Save run")
	v.Next = l.T("Save and enter the next unit")
	v.Cancel = "/"
	v.Script = true
	token := values["token"]
	if token == "" {
		token = newToken()
	}
	v.Hidden = []hiddenField{{"token", token}}
	ctx := c.Request.Context()
	hs, err := f.s.Store.AllHandsets(ctx)
	if err != nil {
		return v, err
	}
	units, err := f.s.Store.UnitSerials(ctx)
	if err != nil {
		return v, err
	}
	if after := values["after_unit"]; after != "" {
		values["unit"] = nextSerial(units, values["handset"], after)
	}
	for _, fi := range models.RunFields(kind) {
		if fi.Name == "kind" || fi.Type == models.Nested {
			continue
		}
		ff := l.field(fi, values[fi.Name])
		switch fi.Name {
		case "handset":
			ff.Control = "select"
			ff.Hint = l.T("a handset is registered by an admin")
			ff.Options = []option{{"", l.T("— choose —")}}
			for _, h := range hs {
				ff.Options = append(ff.Options, option{h.Code, h.Code + " — " + h.Name})
			}
		case "unit":
			ff = unitPicker(l, ff, units, kind, values["handset"])
		case "technician":
			ff.Hint = l.T("who performed the test; optional, defaults to you (%s)", f.s.author(c))
		}
		v.Fields = append(v.Fields, ff)
	}
	return v, nil
}

// unitPicker makes the unit field a choice of the registered units,
// grouped by handset (the script shows only the chosen handset's), with a
// link to register one. A serial that is not registered stays chosen, so
// its error shows beside it.
func unitPicker(l formLang, ff formField, units []models.Unit, kind models.Kind, handset string) formField {
	ff.Control = "select"
	ff.Options = []option{{"", l.T("— choose —")}}
	known := false
	for _, u := range units {
		if n := len(ff.Groups); n == 0 || ff.Groups[n-1].Key != u.Handset {
			ff.Groups = append(ff.Groups, optGroup{Label: u.Handset, Key: u.Handset})
		}
		g := &ff.Groups[len(ff.Groups)-1]
		g.Options = append(g.Options, option{u.Serial, u.Serial})
		known = known || (u.Handset == handset && u.Serial == ff.Value)
	}
	if ff.Value != "" && !known {
		ff.Options = append(ff.Options, option{ff.Value, l.T("%s (not registered)", ff.Value)})
	}
	ff.Hint = l.T("the units registered for the handset")
	href := "/imports/new?kind=units"
	if handset != "" {
		href = withQuery("/handsets/"+url.PathEscape(handset)+"/units/new", "next", withQuery("/runs/new", "kind", string(kind), "handset", handset))
	}
	ff.Link = &navLink{Label: l.T("Register a unit"), Href: href}
	return ff
}

// nextSerial is the serial after the given one among handset's units, or
// "" after the last.
func nextSerial(units []models.Unit, handset, after string) string {
	for _, u := range units {
		if u.Handset == handset && u.Serial > after {
			return u.Serial
		}
	}
	return ""
}

// decodeRunForm reads the posted fields into r like CSV cells
// (Run.SetColumn), listing every cell that cannot be read. Times are read
// in the lab's zone.
func decodeRunForm(c *gin.Context, r *models.Run, zone *time.Location, skip ...string) (map[string]string, models.FieldErrors) {
	values := map[string]string{"token": c.PostForm("token")}
	var errs models.FieldErrors
	for _, fi := range models.RunFields(r.Kind) {
		if fi.Name == "kind" || fi.Type == models.Nested || slices.Contains(skip, fi.Name) {
			continue
		}
		val := c.PostForm(fi.Name)
		values[fi.Name] = val
		if fi.Type == models.Timestamp {
			var msg string
			if val, msg = normalizeTime(val, zone); msg != "" {
				errs.Add(fi.Name, "%s", msg)
				continue
			}
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
// 303 to the run's page, or with next=1 to the form of the next unit. The
// form's token is its Idempotency-Key: a second submit of the same form
// redirects to where the first one went.
func (f *forms) saveRun(c *gin.Context) {
	kind, ok := models.ParseKind(c.Query("kind"))
	if !ok {
		f.fail(c, models.FieldErrors{{Field: "kind", Message: "must be one of drop, temperature, ingress, battery, repair"}}.Err("no such test kind"))
		return
	}
	r := models.Run{Kind: kind}
	values, errs := decodeRunForm(c, &r, f.s.zone())
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
	to := runPath(saved.ID) + "?saved=1"
	if c.PostForm("next") == "1" {
		to = withQuery("/runs/new", "kind", string(kind), "next", saved.ID)
	}
	f.s.completeKey(c, key, to)
	c.Redirect(http.StatusSeeOther, to)
}

// immutable run fields: an amendment cannot change them (models.Run.Amend).
var immutableRunFields = []string{"kind", "handset", "unit"}

// amendView is the amendment form of run r with values (the run's own when
// nil).
func (f *forms) amendView(c *gin.Context, r models.Run, values map[string]string, revision string) formView {
	l := f.lang(c)
	v := f.view(c, l.T("Amend %s run", l.pt.Text(string(r.Kind))))
	v.Lede = l.T("Handset %s, unit %s, revision %d. Change what was recorded wrongly and say why; the old values stay in the run's revisions (ISO/IEC 17025 §7.5.2).",
		r.Handset, r.Unit, r.Revision)
	v.Submit = l.T("Review changes")
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
		v.Fields = append(v.Fields, l.field(fi, values[fi.Name]))
	}
	v.Fields = append(v.Fields, reasonField(l, values["reason"], l.T("required, at least 3 characters: why the run is amended")))
	return v
}

// reasonField is the reason of an amendment or a retraction.
func reasonField(l formLang, value, hint string) formField {
	return formField{Name: "reason", Label: fieldLabelIn(l.pt, "reason"), Control: "textarea", Value: value, Required: true, MaxLen: 4000, Hint: hint}
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
	var timeErrs models.FieldErrors // wall-clock times the lab's zone skips or repeats
	for _, fi := range models.RunFields(cur.Kind) {
		if slices.Contains(immutableRunFields, fi.Name) || fi.Type == models.Nested {
			continue
		}
		val := c.PostForm(fi.Name)
		values[fi.Name] = val
		if fi.Type == models.Timestamp {
			var msg string
			if val, msg = normalizeTime(val, f.s.zone()); msg != "" {
				timeErrs.Add(fi.Name, "%s", msg)
				val = runValues(cur)[fi.Name] // reported above; not a change
			}
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
	if len(timeErrs) > 0 && (err == nil || models.ErrorCode(err) == models.Invalid) {
		var rules models.FieldErrors
		if err != nil {
			rules = fieldsOf(err)
		}
		err = timeErrs.Merge(rules).Err("the amendment is not valid")
	}
	if err != nil {
		f.failForm(c, v, err)
		return
	}
	if c.PostForm("confirm") != "1" {
		f.show(c, http.StatusOK, f.confirmView(c, v, changes))
		return
	}
	saved, err := f.s.Store.AmendRun(ctx, cur.ID, a, f.s.author(c))
	if err != nil {
		f.failForm(c, v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, runPath(saved.ID))
}

// confirmView turns the amendment form into its confirmation: the changes
// (times in the lab's zone), and every value again as hidden fields for
// the second POST.
func (f *forms) confirmView(c *gin.Context, v formView, changes models.Changes) formView {
	l := f.lang(c)
	cv := v
	cv.Heading = l.T("Confirm the amendment")
	cv.Lede = l.T("These changes will be recorded as a new revision. The old values stay in the run's revisions.")
	for _, name := range slices.Sorted(maps.Keys(changes)) {
		ch := changes[name]
		cv.Diff = append(cv.Diff, diffRow{Field: fieldLabelIn(l.pt, name), From: l.changeText(ch.From), To: l.changeText(ch.To)})
	}
	cv.Hidden = slices.Clone(v.Hidden)
	for _, fl := range v.Fields {
		cv.Hidden = append(cv.Hidden, hiddenField{fl.Name, fl.Value})
	}
	cv.Hidden = append(cv.Hidden, hiddenField{"confirm", "1"})
	cv.Fields = nil
	cv.Submit = l.T("Save amendment")
	return cv
}

// changeText is a changed value as the confirmation shows it: a time in
// the lab's zone with the zone's abbreviation, other values as the API
// writes them.
func (l formLang) changeText(v any) string {
	if s, ok := v.(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return l.pt.DateTimeIn(t, l.zone)
		}
	}
	return valueText(v)
}

// retractView is the retract form of run r: the reason, or with confirm
// the last step, which says what will happen.
func (f *forms) retractView(c *gin.Context, r models.Run, reason string, confirm bool) formView {
	l := f.lang(c)
	v := f.view(c, l.T("Retract %s run", l.pt.Text(string(r.Kind))))
	v.Lede = l.T("Handset %s, unit %s. A retracted run stays visible with its reason but leaves every statistic; it cannot be undone or amended.", r.Handset, r.Unit)
	v.Submit = l.T("Continue")
	v.Cancel = runPath(r.ID)
	v.Fields = []formField{reasonField(l, reason, l.T("required, at least 3 characters: why the run is retracted"))}
	if confirm {
		v.Heading = l.T("Retract this run?")
		v.Lede = l.T("The %s run of handset %s, unit %s, started %s, will be retracted with the reason: “%s”. It cannot be undone.",
			l.pt.Text(string(r.Kind)), r.Handset, r.Unit, l.pt.DateTimeIn(r.StartedAt, l.zone), reason)
		v.Fields = nil
		v.Hidden = []hiddenField{{"reason", reason}, {"confirm", "yes"}}
		v.Submit = l.T("Retract run")
	}
	if r.Status == models.Retracted {
		v.Messages = []string{l.T("This run is already retracted.")}
		v.Submit, v.Fields = "", nil
	}
	return v
}

func (f *forms) retractForm(c *gin.Context) {
	r, err := f.s.Store.Run(c.Request.Context(), c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.show(c, http.StatusOK, f.retractView(c, r, "", false))
}

// saveRetraction is POST /runs/{id}/retract: the reason is checked and
// confirmed on a second page (confirm=yes), as an amendment is, then the
// same RetractRun, and so the same rules (models.Retraction), as the API.
func (f *forms) saveRetraction(c *gin.Context) {
	r, err := f.s.Store.Run(c.Request.Context(), c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	reason := strings.TrimSpace(c.PostForm("reason"))
	ret := models.Retraction{Reason: reason}
	if c.PostForm("confirm") != "yes" {
		if _, _, err := ret.Apply(r); err != nil {
			v := f.retractView(c, r, reason, false)
			v.Messages = nil
			f.failForm(c, v, err)
			return
		}
		f.show(c, http.StatusOK, f.retractView(c, r, reason, true))
		return
	}
	if _, err := f.s.Store.RetractRun(c.Request.Context(), r.ID, ret, f.s.author(c)); err != nil {
		v := f.retractView(c, r, reason, false)
		v.Messages = nil
		f.failForm(c, v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, runPath(r.ID))
}
