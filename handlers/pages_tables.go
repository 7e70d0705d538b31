package handlers

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
	"ruggedlab/store"
)

// Tables that scale (issue #16 item 3): the runs page, a handset's "All
// runs" and the audit log are paged, sorted and filtered by the store
// (store/tables.go); handlers read and check the query, then render. Every
// bad parameter is reported at once, as a 422 page naming each.

// choice is one option of a filter's <select>.
type choice struct {
	Value, Label string
	Selected     bool
}

// pager is "page N of M" with links that keep the filters.
type pager struct {
	Page, Pages, Total int
	// FirstRow and LastRow number the rows shown, from 1 (0, 0 when none).
	FirstRow, LastRow       int
	First, Prev, Next, Last string
}

func newPager(tp store.TablePage, rows int, at func(page int) string) pager {
	p := pager{Page: tp.Page, Pages: tp.Pages, Total: tp.Total}
	if rows > 0 {
		p.FirstRow = (tp.Page-1)*tp.PerPage + 1
		p.LastRow = p.FirstRow + rows - 1
	}
	if tp.Page > 1 {
		p.First, p.Prev = at(1), at(tp.Page-1)
	}
	if tp.Page < tp.Pages {
		p.Next, p.Last = at(tp.Page+1), at(tp.Pages)
	}
	return p
}

// runFilters is the filter form of a runs table and the query it sends.
type runFilters struct {
	Action string // the page the form GETs
	Blind  bool
	// Handsets is the candidate choice (the runs page); nil on a handset's
	// page, whose candidate is fixed.
	Handsets []choice
	// Units is the unit choice, once a candidate is known.
	Units                          []choice
	Kinds, Statuses, Sorts, Orders []choice
	Serial, From, To               string
	handset, unit, kind, status    string // as the links carry them
	sort, order                    string
	fixedHandset                   bool
}

// href is the table's page n with the same filters.
func (f runFilters) href(n int) string {
	kv := []string{}
	if !f.fixedHandset {
		kv = append(kv, "handset", f.handset)
	}
	kv = append(kv, "unit", f.unit, "serial", f.Serial, "kind", f.kind, "status", f.status, "from", f.From, "to", f.To)
	if f.sort != store.SortStartedAt {
		kv = append(kv, "sort", f.sort)
	}
	if f.order != "desc" {
		kv = append(kv, "order", f.order)
	}
	if n > 1 {
		kv = append(kv, "page", strconv.Itoa(n))
	}
	kv = append(kv, "blind", blindParam(f.Blind))
	return withQuery(f.Action, kv...)
}

// Reset is the table without filters.
func (f runFilters) Reset() string { return withQuery(f.Action, "blind", blindParam(f.Blind)) }

// Filtered reports whether any filter narrows the table.
func (f runFilters) Filtered() bool {
	return (!f.fixedHandset && f.handset != "") || f.unit != "" || f.Serial != "" || f.kind != "" || f.status != "" || f.From != "" || f.To != ""
}

// readRunTable reads a runs table's query: handset (unless fixed: a
// handset page's code), unit, serial, kind, status, from, to (dates in the
// lab's zone, both days included), sort, order and page. Each bad one is
// a field error; all are returned at once. units are the candidate's
// units (the handset page's, or those of ?handset= on the runs page),
// already given to cs.setUnits, for the unit choice.
func readRunTable(c *gin.Context, cs *cast, loc *time.Location, action, fixed string, units []models.Unit) (store.RunTableQuery, runFilters, error) {
	f := runFilters{Action: action, Blind: cs.blind, fixedHandset: fixed != ""}
	q := store.RunTableQuery{Handset: fixed}
	var errs models.FieldErrors
	if fixed == "" {
		if ref := strings.TrimSpace(c.Query("handset")); ref != "" {
			code, _, ok := cs.resolve(ref)
			if !ok {
				errs.Add("handset", "no candidate %q", ref)
			}
			q.Handset, f.handset = code, ref
		}
		f.Handsets = []choice{{Value: "", Label: cs.Word("any"), Selected: q.Handset == ""}}
		for _, h := range cs.Handsets() {
			f.Handsets = append(f.Handsets, choice{Value: cs.Ref(h.Code), Label: cs.Label(h.Code), Selected: h.Code == q.Handset})
		}
	}
	if q.Handset != "" {
		f.Units = []choice{{Value: "", Label: cs.Word("any")}}
		for _, u := range units {
			f.Units = append(f.Units, choice{Value: cs.UnitRef(q.Handset, u.Serial), Label: cs.Unit(q.Handset, u.Serial)})
		}
	}
	if ref := strings.TrimSpace(c.Query("unit")); ref != "" {
		serial, ok := ref, true
		switch {
		case cs.blind:
			serial, ok = cs.unitOf(q.Handset, ref)
		case q.Handset != "":
			ok = slices.ContainsFunc(units, func(u models.Unit) bool { return u.Serial == ref })
		}
		if !ok {
			errs.Add("unit", "no unit %q of this candidate", ref)
		}
		q.Unit, f.unit = serial, ref
	}
	for i := range f.Units {
		f.Units[i].Selected = f.Units[i].Value == f.unit
	}
	if v := strings.TrimSpace(c.Query("serial")); v != "" {
		if cs.blind {
			// serials carry the maker's prefix: no search by them blind
			errs.Add("serial", "cannot be searched in blind mode")
		}
		q.Serial, f.Serial = v, v
	}
	if v := c.Query("kind"); v != "" {
		k, ok := models.ParseKind(v)
		if !ok {
			errs.Add("kind", "must be one of %s, not %q", kindList(), v)
		}
		q.Kind, f.kind = k, v
	}
	f.Kinds = []choice{{Value: "", Label: cs.Word("any"), Selected: f.kind == ""}}
	for _, k := range models.Kinds {
		f.Kinds = append(f.Kinds, choice{Value: string(k), Label: cs.Word(string(k)), Selected: f.kind == string(k)})
	}
	if v := c.Query("status"); v != "" {
		if v != string(models.Active) && v != string(models.Retracted) {
			errs.Add("status", "must be active or retracted, not %q", v)
		}
		q.Status, f.status = models.Status(v), v
	}
	f.Statuses = []choice{{Value: "", Label: cs.Word("any"), Selected: f.status == ""}}
	for _, s := range []models.Status{models.Active, models.Retracted} {
		f.Statuses = append(f.Statuses, choice{Value: string(s), Label: cs.Word(string(s)), Selected: f.status == string(s)})
	}
	var from, to time.Time
	from, f.From = readDay(c, "from", loc, &errs)
	to, f.To = readDay(c, "to", loc, &errs)
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1) // the "to" day is included
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		errs.Add("to", "must not be before from")
	}
	q.From, q.To = from, to
	f.sort = c.DefaultQuery("sort", store.SortStartedAt)
	if !slices.Contains(store.RunSorts, f.sort) {
		errs.Add("sort", "must be one of %s, not %q", strings.Join(store.RunSorts, ", "), f.sort)
	}
	q.Sort = f.sort
	for _, s := range []struct{ v, label string }{{store.SortStartedAt, "start"}, {store.SortKind, "kind"}, {store.SortSerial, "unit"}, {store.SortStatus, "status"}} {
		if cs.blind && s.v == store.SortSerial {
			continue // serial order would rank the hidden serials
		}
		f.Sorts = append(f.Sorts, choice{Value: s.v, Label: cs.Word(s.label), Selected: f.sort == s.v})
	}
	if cs.blind && f.sort == store.SortSerial {
		errs.Add("sort", "cannot be by serial in blind mode")
	}
	f.order = c.DefaultQuery("order", "desc")
	if f.order != "asc" && f.order != "desc" {
		errs.Add("order", "must be asc or desc, not %q", f.order)
	}
	q.Desc = f.order == "desc"
	f.Orders = []choice{{Value: "desc", Label: cs.Word("descending"), Selected: q.Desc}, {Value: "asc", Label: cs.Word("ascending"), Selected: !q.Desc}}
	q.Page = readPage(c, &errs)
	return q, f, errs.Err("the table request is not valid")
}

// readPage reads ?page=, a whole number from 1 (1 when absent).
func readPage(c *gin.Context, errs *models.FieldErrors) int {
	v, ok := c.GetQuery("page")
	if !ok || v == "" {
		return 1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		errs.Add("page", "must be a whole number from 1, not %q", v)
		return 1
	}
	return n
}

// readDay reads a date (2026-03-02, as a date input sends it) as the start
// of that day in loc.
func readDay(c *gin.Context, name string, loc *time.Location, errs *models.FieldErrors) (time.Time, string) {
	v := strings.TrimSpace(c.Query(name))
	if v == "" {
		return time.Time{}, ""
	}
	t, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil {
		errs.Add(name, "must be a date such as 2026-03-02, not %q", v)
		return time.Time{}, v
	}
	return t, v
}

func kindList() string {
	names := make([]string, len(models.Kinds))
	for i, k := range models.Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// unitOf is the serial behind a blind unit reference "unit-N" of code.
func (c *cast) unitOf(code, ref string) (string, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(ref, "unit-"))
	if err != nil || !strings.HasPrefix(ref, "unit-") {
		return "", false
	}
	for s, i := range c.units[code] {
		if i == n {
			return s, true
		}
	}
	return "", false
}

// runTableView is a paged runs table with its filters.
type runTableView struct {
	Filters runFilters
	Runs    table
	Pager   pager
}

// buildRunTable reads the page of runs q asks for and lays it out.
func (p *pages) buildRunTable(ctx context.Context, cs *cast, q store.RunTableQuery, f runFilters, id string) (runTableView, error) {
	rt, err := p.s.Store.RunTable(ctx, q)
	if err != nil {
		return runTableView{}, err
	}
	var codes []string
	for _, r := range rt.Runs {
		if !slices.Contains(codes, r.Handset) {
			codes = append(codes, r.Handset)
		}
	}
	if err := cs.loadUnits(ctx, p.s.Store, codes); err != nil {
		return runTableView{}, err
	}
	v := runTableView{Filters: f, Pager: newPager(rt.TablePage, len(rt.Runs), f.href)}
	// English with its number: the table template translates captions
	caption := fmt.Sprintf("%d runs, newest start first", rt.Total)
	if f.sort != store.SortStartedAt || f.order != "desc" {
		caption = fmt.Sprintf("%d runs", rt.Total)
	}
	atts, err := p.attachmentsOf(ctx, rt.Runs)
	if err != nil {
		return runTableView{}, err
	}
	v.Runs = runsTable(id, caption, cs, rt.Runs, atts)
	return v, nil
}

// runsListView is /runs without ids or import: every run, a page at a time.
type runsListView struct {
	chrome
	runTableView
}

func (p *pages) runsList(c *gin.Context, cs *cast) {
	ctx := c.Request.Context()
	var units []models.Unit
	if code, isCode, ok := cs.resolve(strings.TrimSpace(c.Query("handset"))); ok {
		if cs.blind && isCode {
			// a code in a blind address: the same table under its letter
			u := *c.Request.URL
			qs := u.Query()
			qs.Set("handset", cs.Ref(code))
			u.RawQuery = qs.Encode()
			c.Redirect(http.StatusFound, u.RequestURI())
			return
		}
		unitsOf, err := p.s.Store.UnitsOf(ctx, []string{code})
		if err != nil {
			p.fail(c, err)
			return
		}
		units = unitsOf[code]
		cs.setUnits(code, units)
	}
	q, f, err := readRunTable(c, cs, p.s.zone(), "/runs", "", units)
	if err != nil {
		p.fail(c, err)
		return
	}
	t, err := p.buildRunTable(ctx, cs, q, f, "runs")
	if err != nil {
		p.fail(c, err)
		return
	}
	v := runsListView{chrome: newChrome("Runs", "runs", cs.blind), runTableView: t}
	v.Wide = true
	if !cs.blind {
		v.BlindToggle = withQuery("/runs", "blind", "1")
	}
	p.render(c, http.StatusOK, "runs_list.html", v)
}
