package handlers

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"

	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ruggedlab/i18n"
	"ruggedlab/models"
	"ruggedlab/store"
)

// The technicians' forms (api.md §8, issue 7): server-rendered and working
// without JavaScript. Every POST goes through the same store calls as the
// JSON API, so a form can record nothing the API would refuse, and the
// policy table (policy.go) decides who may see and post each one.

// formView is the one view model of forms_form.html: a list of fields with
// their hints and errors, plus what a particular form adds (a diff to
// confirm, a table of CSV problems, an upload progress bar).
type formView struct {
	chrome
	Heading string
	Lede    string
	Action  string
	Method  string // "post" unless a chooser
	// Multipart is set for file uploads.
	Multipart bool
	Fields    []formField
	Hidden    []hiddenField
	Messages  []string // problems that belong to no field
	Submit    string
	Cancel    string // href back, "" for none
	// Choices is a list of links instead of a form (the run kind chooser).
	Choices []navLink
	// Diff is an amendment waiting for confirmation.
	Diff []diffRow
	// Problems is every bad row/column/value of an upload.
	Problems []models.FieldError
	// Done says what an upload recorded, with a link to it.
	Done, DoneHref string
	// Upload turns on the progress-bar script for the import form (and,
	// with Attach, the attachment form's).
	Upload, Attach bool
	// Saved is the banner of the run just recorded, on the form of the
	// next unit.
	Saved *savedBanner
	// Next is a second submit button ("Save and enter the next unit").
	Next string
	// Script turns on forms.js for the entry helpers (the unit picker
	// follows the handset).
	Script bool
}

// savedBanner says what the last submit recorded, with a link to it.
type savedBanner struct {
	Text, Href, Open string
}

type hiddenField struct{ Name, Value string }

type diffRow struct{ Field, From, To string }

// formField is one label / control / hint / error row (.field in app.css).
type formField struct {
	Name     string // form and error name, e.g. "height_m", "declared.ip_code"
	Label    string
	Control  string // "input", "textarea", "select", "file"
	Mode     string // inputmode for number fields
	Value    string
	Options  []option
	Hint     string
	Error    string
	Required bool
	MaxLen   int
	Accept   string // file types
	// Type is the input's type ("" is text, "datetime-local"); Step its
	// step attribute.
	Type, Step string
	// Groups are the select's options grouped (the units of each
	// handset), after Options.
	Groups []optGroup
	// Link is an action beside the hint ("Register a unit").
	Link *navLink
}

type option struct{ Value, Label string }

type optGroup struct {
	Label   string
	Key     string // data-group, which the script matches (a handset code)
	Options []option
}

// ID is the control's element id; Name may hold dots.
func (f formField) ID() string { return "f-" + strings.NewReplacer(".", "-", "_", "-").Replace(f.Name) }

// Selected reports whether v is the chosen option.
func (f formField) Selected(v string) bool { return f.Value == v }

// formLang is what a form needs to speak to its reader: the request's
// language and the lab's time zone, in which times are typed and shown.
type formLang struct {
	pt   *i18n.Printer
	zone *time.Location
}

func (f *forms) lang(c *gin.Context) formLang { return formLang{pt: f.s.printer(c), zone: f.s.zone()} }

// T translates an English text of the form.
func (l formLang) T(key string, args ...any) string { return l.pt.T(key, args...) }

// field builds a form row from a model field: its label with the unit,
// the valid range beside the input, enumerations as selects, booleans as
// yes/no selects whose empty choice means "not given", times as a date
// and time picker in the lab's zone.
func (l formLang) field(fi models.FieldInfo, value string) formField {
	f := formField{Name: fi.Name, Label: fieldLabelIn(l.pt, fi.Name), Control: "input", Value: value, Required: fi.Required, MaxLen: fi.MaxLen}
	var hint []string
	switch {
	case len(fi.Enum) > 0:
		f.Control = "select"
		f.Options = []option{{"", l.T("— choose —")}}
		for _, v := range fi.Enum {
			f.Options = append(f.Options, option{v, enumWordIn(l.pt, fi.Name, v)})
		}
	case fi.Type == models.Boolean:
		f.Control = "select"
		empty := l.T("— not given —")
		if fi.Required {
			empty = l.T("— choose —")
		}
		f.Options = []option{{"", empty}, {"true", l.T("yes")}, {"false", l.T("no")}}
	case fi.Type == models.Number || fi.Type == models.Integer:
		f.Mode = "decimal"
		if fi.Type == models.Integer {
			f.Mode = "numeric"
		}
	case fi.Type == models.Timestamp:
		f.Type = "datetime-local"
		f.Value, f.Step = localTime(value, l.zone)
		hint = append(hint, l.T("lab time, %s", zoneName(l.zone)))
	case fi.Type == models.Text && fi.MaxLen > 200:
		f.Control = "textarea"
	}
	if fi.Min != nil && fi.Max != nil {
		r := l.pt.Num(*fi.Min, -1) + " – " + l.pt.Num(*fi.Max, -1)
		if fi.Unit != "" {
			r += " " + fi.Unit
		}
		hint = append(hint, r)
	} else if fi.Unit != "" {
		hint = append(hint, fi.Unit)
	}
	if fi.Type == models.Integer {
		hint = append(hint, l.T("whole number"))
	}
	if fi.MaxLen > 0 && f.Control != "select" {
		hint = append(hint, l.T("at most %d characters", fi.MaxLen))
	}
	if !fi.Required {
		hint = append(hint, l.T("optional"))
	}
	f.Hint = strings.Join(hint, " · ")
	return f
}

// label turns "declared.drop_height_m" into "Declared drop height m": the
// API's name stays recognisable to people who also write CSV files.
func label(name string) string {
	s := strings.NewReplacer(".", " ", "_", " ").Replace(name)
	return strings.ToUpper(s[:1]) + s[1:]
}

// attach puts each error beside the field it names (a "changes." prefix
// from an amendment is dropped) and returns the rest as messages, in
// people's words: translated, without API paths, and naming other fields
// by their labels.
func attach(pt *i18n.Printer, fields []formField, errs models.FieldErrors) []string {
	var rest []string
	for _, e := range errs {
		name := strings.TrimPrefix(e.Field, "changes.")
		msg := fieldMessage(pt, e.Message)
		i := slices.IndexFunc(fields, func(f formField) bool { return f.Name == name })
		switch {
		case i < 0 && e.Row > 0:
			rest = append(rest, peopleWords(e.String()))
		case i < 0 && name != "":
			rest = append(rest, pt.T("%s: %s", fieldLabelIn(pt, name), msg))
		case i < 0:
			rest = append(rest, msg)
		case fields[i].Error == "":
			fields[i].Error = msg
		default:
			fields[i].Error += "; " + msg
		}
	}
	return rest
}

// quoted is what a message quotes and no catalogue key can hold: a value
// ("ATL-9999") or a reference to a standard ("(ISO/IEC 17025 §7.5.2)",
// whose numbers are no quantities to give a decimal comma).
var quoted = regexp.MustCompile(`"[^"]*"|\((?:ISO|IEC|EN|MIL|EU)[^)]*\)`)

// quotedMark is where a quoted value stands in a catalogue key.
var quotedMark = regexp.MustCompile(`"…"|\(…\)`)

// translateMessage is msg in pt's language. Quoted values are taken out
// (the key holds "…" or (…) in their place) and put back in order;
// numbers are the catalogue's own patterns (i18n.Printer.Text).
func translateMessage(pt *i18n.Printer, msg string) string {
	if pt == nil || pt.Lang == i18n.EN {
		return msg
	}
	qs := quoted.FindAllString(msg, -1)
	if len(qs) == 0 {
		return pt.Text(msg)
	}
	key := quoted.ReplaceAllStringFunc(msg, func(q string) string {
		if q[0] == '"' {
			return `"…"`
		}
		return "(…)"
	})
	i := 0
	return quotedMark.ReplaceAllStringFunc(pt.Text(key), func(m string) string {
		if i >= len(qs) {
			return m
		}
		i++
		// A reference with words of its own ("(EU 2023/1670 minimum for
		// phones)") is a message too; a bare one ("(ISO/IEC 17025
		// §7.5.2)") reads the same in both languages.
		if q := qs[i-1]; q[0] == '(' && pt.Has(q) {
			return pt.Text(q)
		}
		return qs[i-1]
	})
}

// fieldMessage is a service message about a field as a form shows it:
// without the API path a store message adds, in pt's language, with the
// field names it quotes replaced by their labels.
func fieldMessage(pt *i18n.Printer, msg string) string {
	return withLabels(pt, translateMessage(pt, peopleWords(msg)))
}

// formErrors splits err into what a form can show — field errors, and a
// message for a conflict, a missing resource or a busy database — and the
// status the answer gets. ok is false for internal errors, which get the
// 500 page instead.
func formErrors(c *gin.Context, s *Server, err error) (fields models.FieldErrors, message string, status int, ok bool) {
	if models.ErrorCode(err) == models.Internal {
		return nil, "", 0, false
	}
	pr := problemFor(c, s.Log, err)
	if pr.Status >= 500 && pr.Status != http.StatusServiceUnavailable {
		return nil, "", 0, false
	}
	if len(pr.Errors) > 0 {
		return pr.Errors, "", pr.Status, true
	}
	return nil, pr.Detail, pr.Status, true
}

// timeLayouts are what a datetime-local field sends, or a person types
// without one; all are read in the lab's zone. RFC 3339 (with its own
// offset) goes to the model unchanged.
var timeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"}

// normalizeTime reads a time typed in the lab's zone loc and returns it
// as RFC 3339 UTC, or a message for a wall-clock time that the zone skips
// (the clocks went forward) or has twice (they went back). Anything else
// goes to the model unchanged, which says what is wrong with it.
func normalizeTime(v string, loc *time.Location) (string, string) {
	v = strings.TrimSpace(v)
	if _, err := time.Parse(time.RFC3339Nano, v); err == nil || v == "" {
		return v, ""
	}
	for _, l := range timeLayouts {
		t, err := time.ParseInLocation(l, v, loc)
		if err != nil {
			continue
		}
		if t.Format(l) != v {
			return v, fmt.Sprintf("%q does not exist in the lab's time zone: the clocks went forward that night", v)
		}
		for _, other := range []time.Time{t.Add(-time.Hour), t.Add(time.Hour)} {
			if other.Format(l) == v {
				first := t
				if other.Before(t) {
					first = other
				}
				return v, fmt.Sprintf("%q happens twice in the lab's time zone: the clocks went back that night; give the offset, e.g. %q",
					v, first.Format("2006-01-02T15:04:05Z07:00"))
			}
		}
		return t.UTC().Format(time.RFC3339), ""
	}
	return v, ""
}

// localTime is an RFC 3339 value as a datetime-local field shows it: in
// the lab's zone, with seconds (and a step of 1 s) only when it has some.
// Anything else (what a person typed) is shown as it was.
func localTime(v string, loc *time.Location) (value, step string) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	if err != nil {
		// "2026-05-30 11:00" as typed: the picker only shows the T form.
		for _, l := range timeLayouts {
			if lt, lerr := time.Parse(l, strings.TrimSpace(v)); lerr == nil {
				return pickerValue(lt)
			}
		}
		return v, ""
	}
	return pickerValue(t.In(loc))
}

// pickerValue is a wall-clock time as a datetime-local value.
func pickerValue(t time.Time) (value, step string) {
	if t.Second() != 0 || t.Nanosecond() != 0 {
		return t.Format("2006-01-02T15:04:05"), "1"
	}
	return t.Format("2006-01-02T15:04"), ""
}

// zoneName is the lab's zone as the forms name it: "Europe/Paris".
func zoneName(loc *time.Location) string {
	if loc == nil || loc.String() == "" {
		return "UTC"
	}
	return loc.String()
}

// newToken is a random per-render token: the Idempotency-Key of the form's
// POST, so that a double submit records one run.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// formHash is the request hash the idempotency store compares: method,
// path and every form value but the token, in a fixed order.
func formHash(c *gin.Context) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", c.Request.Method, c.Request.URL.Path)
	form := c.Request.PostForm
	keys := make([]string, 0, len(form))
	for k := range form {
		if k != "token" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%q=%q\n", k, form[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// formKey claims the form's token in the store-backed idempotency table
// (the mechanism behind Idempotency-Key, see idempotent): it returns the
// stored answer of an earlier submit of the same form, or (nil, key, nil)
// when this request owns the key and must complete or release it. A twin
// still running is waited for, briefly.
func (s *Server) formKey(c *gin.Context) (*store.StoredResponse, string, error) {
	token := c.PostForm("token")
	if len(token) < 16 || len(token) > 64 {
		return nil, "", models.FieldErrors{{Field: "token", Message: "is missing: reload the form and submit it again"}}.Err("the form is not valid")
	}
	key := "form:" + token
	hash := formHash(c)
	ctx := c.Request.Context()
	for attempt := 0; ; attempt++ {
		stored, err := s.Store.ClaimKey(ctx, s.idempotencyScope(c), key, hash)
		if !errors.Is(err, store.ErrKeyInFlight) || attempt == 50 {
			return stored, key, err
		}
		select {
		case <-ctx.Done():
			return nil, "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// completeKey stores the redirect a saved form answered with; releaseKey
// forgets a key whose submit failed, so the corrected form can reuse it.
func (s *Server) completeKey(c *gin.Context, key, location string) {
	err := s.Store.CompleteKey(c.Request.Context(), s.idempotencyScope(c), key,
		store.StoredResponse{Status: http.StatusSeeOther, ContentType: "text/plain; charset=utf-8", Location: location, Body: []byte{}})
	if err != nil {
		s.Log.Error("form key not saved", "request_id", requestID(c), "err", err)
	}
}

func (s *Server) releaseKey(c *gin.Context, key string) {
	if key == "" {
		return
	}
	if err := s.Store.ReleaseKey(c.Request.Context(), s.idempotencyScope(c), key); err != nil {
		s.Log.Error("form key not released", "request_id", requestID(c), "err", err)
	}
}

// allowed asks the policy table whether this request's account may call
// method route: links to forms are shown only to those who may use them.
func (s *Server) allowed(c *gin.Context, method, route string) bool {
	if s.Auth == nil {
		return true
	}
	a, ok := account(c)
	return ok && a.Role.AtLeast(requiredRole(method, route))
}

// actions are the buttons a page shows for what the account may do there;
// none in blind mode, whose links would name the candidates.
func (s *Server) actions(c *gin.Context, blind bool, links ...action) []navLink {
	if blind {
		return nil
	}
	var out []navLink
	for _, l := range links {
		if s.allowed(c, http.MethodPost, l.route) {
			out = append(out, navLink{Label: l.label, Href: l.href})
		}
	}
	return out
}

type action struct{ label, route, href string }

// formRoutes mounts the forms on r (GET renders, POST saves).
func (s *Server) formRoutes(r *gin.Engine, p *pages) {
	f := &forms{pages: p, s: s}
	r.GET("/handsets/new", f.handsetForm)
	r.POST("/handsets/new", f.saveHandset)
	r.GET("/handsets/:code/units/new", f.unitsForm)
	r.POST("/handsets/:code/units/new", f.saveUnits)
	r.GET("/runs/new", f.runForm)
	r.POST("/runs/new", f.saveRun)
	r.GET("/runs/:id/amend", f.amendForm)
	r.POST("/runs/:id/amend", f.saveAmendment)
	r.GET("/runs/:id/retract", f.retractForm)
	r.POST("/runs/:id/retract", f.saveRetraction)
	r.GET("/runs/:id/series/new", f.seriesForm)
	r.POST("/runs/:id/series/new", f.saveSeries)
	r.GET("/imports/new", f.importForm)
	r.POST("/imports/new", f.saveImport)
	r.GET("/imports", f.importsList) // forms_imports.go
	r.GET("/imports/:id/retract", f.retractImportForm)
	r.POST("/imports/:id/retract", f.saveImportRetraction)
	r.GET("/audit", f.auditLog)
	r.POST("/profiles/:id/unmask", f.unmask)
	r.GET("/runs/:id/review", f.reviewForm) // second-person review (review.go)
	r.POST("/runs/:id/review", f.saveReview)
	r.GET("/review", f.reviewQueue)
	r.POST("/review", f.bulkVerify)
	r.GET("/trials/:id/incidents/:incident/review", f.incidentReviewForm)
	r.POST("/trials/:id/incidents/:incident/review", f.saveIncidentReview)
	r.GET("/runs/:id/attachments/new", f.attachForm) // attachments.go
	r.POST("/runs/:id/attachments/new", f.saveAttachment)
}

// forms holds the form handlers; they render through the pages' layout.
type forms struct {
	*pages
	s *Server
}

func (f *forms) view(c *gin.Context, title string) formView {
	return formView{chrome: newChrome(title, "", false), Heading: title, Method: "post", Action: c.Request.URL.Path}
}

// show renders a form; status is 422 when it carries errors.
func (f *forms) show(c *gin.Context, status int, v formView) {
	c.Header("Cache-Control", "no-store") // forms carry a one-time token
	f.render(c, status, "forms_form.html", v)
}

// failForm shows err in the form v: beside the fields it names, or as a
// message; internal errors get the 500 page.
func (f *forms) failForm(c *gin.Context, v formView, err error) {
	fields, msg, status, ok := formErrors(c, f.s, err)
	if !ok {
		f.fail(c, err)
		return
	}
	pt := f.s.printer(c)
	v.Messages = append(v.Messages, attach(pt, v.Fields, fields)...)
	if msg != "" {
		v.Messages = append(v.Messages, translateMessage(pt, peopleWords(msg)))
	}
	if len(v.Messages) == 0 && len(fields) > 0 {
		v.Messages = []string{pt.T("Please correct the fields marked below: nothing was recorded.")}
	}
	f.show(c, status, v)
}

func runPath(id string) string { return "/runs/" + url.PathEscape(id) }

// dashboardActions are the dashboard's buttons to the forms.
func (s *Server) dashboardActions(c *gin.Context, blind bool) []navLink {
	return s.actions(c, blind,
		action{"Enter a run", "/runs/new", "/runs/new"},
		action{"Import CSV", "/imports/new", "/imports/new"},
		action{"Register units (CSV)", "/imports/new", "/imports/new?kind=units"},
		action{"Register a handset", "/handsets/new", "/handsets/new"},
		action{"Review queue", "/review", "/review"})
}

// handsetActions are a handset page's buttons to the forms.
func (s *Server) handsetActions(c *gin.Context, blind bool, code string) []navLink {
	return s.actions(c, blind,
		action{"Enter a run", "/runs/new", withQuery("/runs/new", "handset", code)},
		action{"Register units", "/handsets/:code/units/new", "/handsets/" + url.PathEscape(code) + "/units/new"},
		action{"Import CSV", "/imports/new", "/imports/new"})
}

// runActions are a run page's buttons: nothing changes a retracted run.
func (s *Server) runActions(c *gin.Context, blind bool, id, kind string, retracted bool) []navLink {
	if retracted {
		return nil
	}
	links := []action{{"Enter the next unit", "/runs/new", withQuery("/runs/new", "kind", kind, "next", id)},
		{"Amend", "/runs/:id/amend", runPath(id) + "/amend"}, {"Retract", "/runs/:id/retract", runPath(id) + "/retract"},
		{"Review", "/runs/:id/review", runPath(id) + "/review"}, {"Attach a photo or PDF", "/runs/:id/attachments/new", runPath(id) + "/attachments/new"}}
	if kind == string(models.Battery) || kind == string(models.Temperature) {
		links = append(links, action{"Upload series", "/runs/:id/series/new", runPath(id) + "/series/new"})
	}
	return s.actions(c, blind, links...)
}
