package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/i18n"
	"ruggedlab/models"
)

func (f *forms) handsetView(c *gin.Context, values map[string]string) formView {
	pt := f.s.printer(c)
	v := f.view(c, pt.T("Register a handset"))
	v.Lede = pt.T("A candidate of the tender, with what its manufacturer declares. Declared values are optional.")
	v.Submit = pt.T("Register handset")
	v.Cancel = "/"
	for _, fi := range models.HandsetFields() {
		ff := f.lang(c).field(fi, values[fi.Name])
		if fi.Name == "code" {
			ff.Hint = pt.T("2–32 lowercase letters, digits or hyphens, e.g. atlas-r1") + " · " + ff.Hint
		}
		v.Fields = append(v.Fields, ff)
	}
	return v
}

func (f *forms) handsetForm(c *gin.Context) { f.show(c, http.StatusOK, f.handsetView(c, nil)) }

// saveHandset is POST /handsets/new (admin): the form becomes the JSON body
// POST /api/v1/handsets takes, so DecodeHandset and CreateHandset apply
// the same rules.
func (f *forms) saveHandset(c *gin.Context) {
	values := map[string]string{}
	body := map[string]any{}
	declared := map[string]any{}
	var errs models.FieldErrors
	for _, fi := range models.HandsetFields() {
		val := strings.TrimSpace(c.PostForm(fi.Name))
		values[fi.Name] = c.PostForm(fi.Name)
		if val == "" {
			continue
		}
		var cell any = val
		if fi.Type == models.Number {
			x, err := strconv.ParseFloat(i18n.ParseNumber(val), 64) // a decimal comma too
			if err != nil {
				errs.Add(fi.Name, "%q is not a number", val)
				continue
			}
			cell = x
		}
		if name, ok := strings.CutPrefix(fi.Name, "declared."); ok {
			declared[name] = cell
		} else {
			body[fi.Name] = cell
		}
	}
	body["declared"] = declared
	v := f.handsetView(c, values)
	raw, err := json.Marshal(body)
	if err != nil {
		f.fail(c, err)
		return
	}
	h, err := models.DecodeHandset(raw)
	if err == nil && len(errs) == 0 {
		h, err = f.s.Store.CreateHandset(c.Request.Context(), h, f.s.author(c))
	} else if err == nil {
		var rules models.FieldErrors
		if verr := h.Validate(); verr != nil {
			rules = fieldsOf(verr)
		}
		err = errs.Merge(rules).Err("the handset is not valid")
	}
	if err != nil {
		f.failForm(c, v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/handsets/"+url.PathEscape(h.Code))
}

func (f *forms) unitsView(c *gin.Context, h models.Handset, serials, notes string) formView {
	pt := f.s.printer(c)
	v := f.view(c, pt.T("Register units of %s", h.Code))
	v.Lede = pt.T("%s (%s). One serial per line: all are registered, or none if one is wrong.", h.Name, h.Manufacturer)
	v.Submit = pt.T("Register units")
	v.Cancel = "/handsets/" + url.PathEscape(h.Code)
	if next := runFormReturn(c.Request.FormValue("next")); next != "" {
		v.Hidden = []hiddenField{{"next", next}}
		v.Cancel = next
	}
	v.Fields = []formField{
		{Name: "serials", Label: fieldLabelIn(f.s.printer(c), "serials"), Control: "textarea", Value: serials, Required: true,
			Hint: pt.T("one per line; 1–64 letters, digits, '.', '_', '/' or '-'")},
		{Name: "notes", Label: fieldLabelIn(f.s.printer(c), "notes"), Control: "textarea", Value: notes, MaxLen: 4000, Hint: pt.T("optional, given to every unit")},
	}
	return v
}

func (f *forms) unitsForm(c *gin.Context) {
	h, err := f.s.Store.Handset(c.Request.Context(), c.Param("code"))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.show(c, http.StatusOK, f.unitsView(c, h, "", ""))
}

// saveUnits is POST /handsets/{code}/units/new: every serial in one
// CreateUnits call, so the units are registered all or none. Errors name
// the line of the serial they are about.
func (f *forms) saveUnits(c *gin.Context) {
	ctx := c.Request.Context()
	h, err := f.s.Store.Handset(ctx, c.Param("code"))
	if err != nil {
		f.fail(c, err)
		return
	}
	serials, notes := c.PostForm("serials"), c.PostForm("notes")
	v := f.unitsView(c, h, serials, notes)
	var units []models.Unit
	var lines []int // the textarea line of each unit
	seen := map[string]int{}
	var errs models.FieldErrors
	for i, line := range strings.Split(serials, "\n") {
		s := strings.TrimSpace(line)
		if s == "" {
			continue
		}
		if first, dup := seen[s]; dup {
			errs.Add("serials", "line %d: %s is also on line %d", i+1, s, first)
			continue
		}
		seen[s] = i + 1
		units = append(units, models.Unit{Handset: h.Code, Serial: s, Notes: strings.TrimSpace(notes)})
		lines = append(lines, i+1)
	}
	if len(units) == 0 && len(errs) == 0 {
		errs.Add("serials", "is required: enter at least one serial")
	}
	// Each unit is checked here so that every bad line is listed at once;
	// CreateUnits stops at the first.
	for i, u := range units {
		if err := u.Validate(); err != nil {
			for _, e := range fieldsOf(err) {
				field := "serials"
				if e.Field == "notes" {
					field = "notes"
				}
				errs.Add(field, "line %d: %s %s", lines[i], e.Field, e.Message)
			}
		}
	}
	if len(errs) > 0 {
		f.failForm(c, v, errs.Err("the units are not valid"))
		return
	}
	if _, err := f.s.Store.CreateUnits(ctx, units, f.s.author(c)); err != nil {
		if models.ErrorCode(err) == models.Conflict {
			err = &models.Error{Code: models.Conflict, Message: "a unit is registered already",
				Fields: models.FieldErrors{{Field: "serials", Message: fmt.Sprintf("%s; nothing was registered", strings.TrimSuffix(errorMessage(err), "."))}}}
		}
		f.failForm(c, v, err)
		return
	}
	if next := runFormReturn(c.PostForm("next")); next != "" {
		// Registered from the run form ("Register a unit"): back to it,
		// with the first new unit chosen.
		c.Redirect(http.StatusSeeOther, next+"&unit="+url.QueryEscape(units[0].Serial))
		return
	}
	c.Redirect(http.StatusSeeOther, "/handsets/"+url.PathEscape(h.Code)+"#units")
}

// runFormReturn is next if it is the run form of a kind and handset
// (/runs/new?kind=…&handset=…), the only place the units form returns
// to, else "": never another site, never another page.
func runFormReturn(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Path != "/runs/new" {
		return ""
	}
	q := u.Query()
	if _, ok := models.ParseKind(q.Get("kind")); !ok || q.Get("handset") == "" {
		return ""
	}
	return withQuery("/runs/new", "kind", q.Get("kind"), "handset", q.Get("handset"))
}

// fieldsOf returns the field errors of a models error, or err as one.
func fieldsOf(err error) models.FieldErrors {
	var me *models.Error
	if errors.As(err, &me) && len(me.Fields) > 0 {
		return me.Fields
	}
	return models.FieldErrors{{Message: err.Error()}}
}

func errorMessage(err error) string {
	var me *models.Error
	if errors.As(err, &me) {
		if len(me.Fields) > 0 {
			return me.Fields[0].Message
		}
		return me.Message
	}
	return err.Error()
}
