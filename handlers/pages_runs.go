package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ruggedlab/charts"
	"ruggedlab/i18n"
	"ruggedlab/models"
	"ruggedlab/series"
)

// runSummary is a run's result in a few words, from its numbers and
// enumerations only (never free text, so it is safe in blind mode).
func runSummary(cs *cast, r models.Run) string {
	return cs.dec(runSummaryText(cs.T, r))
}

// runSummaryText is runSummary in the language of tr, numbers with a point.
func runSummaryText(tr func(string, ...any) string, r models.Run) string {
	switch r.Kind {
	case models.Drop:
		s := ""
		if r.HeightM != nil {
			s = tr("%s m %s: ", fmtFloat(*r.HeightM), tr(strings.ReplaceAll(r.Surface, "_", " ")))
		}
		done, planned := intText(r.DropsCompleted), intText(r.PlannedDrops)
		if r.FirstFailureDrop != nil {
			return s + tr("failed at drop %d of %s (severity %s)", *r.FirstFailureDrop, planned, intText(r.WorstSeverity))
		}
		return s + tr("%s/%s drops, worst severity %s", done, planned, intText(r.WorstSeverity))
	case models.Temperature:
		s := tr(strings.ReplaceAll(r.Procedure, "_", " "))
		switch {
		case r.SetpointC != nil:
			s += " " + fmtFloat(*r.SetpointC) + " °C"
		case r.LowC != nil && r.HighC != nil:
			s += " " + fmtFloat(*r.LowC) + "↔" + fmtFloat(*r.HighC) + " °C"
		}
		return s + tr(": ") + passText(tr, r.Passed, "passed", "failed")
	case models.Ingress:
		s := r.IPCode + " " + tr(r.Medium)
		if r.IngressFound != nil && *r.IngressFound {
			s += tr(": ingress found")
		} else {
			s += tr(": dry")
		}
		return s + ", " + passText(tr, r.FunctionalAfter, "functional after", "not functional after")
	case models.Battery:
		s, ok := protocolNames[r.Protocol] // "EU energy-label loop", not "eu eei loop"
		if !ok {
			s = strings.ReplaceAll(r.Protocol, "_", " ")
		}
		s = tr(s)
		if r.RuntimeH != nil {
			s += tr(": ") + fmt.Sprintf("%.2f h", *r.RuntimeH)
		}
		return s
	}
	return tr(string(r.Kind))
}

func intText(n *int) string {
	if n == nil {
		return "?"
	}
	return strconv.Itoa(*n)
}

func passText(tr func(string, ...any) string, b *bool, yes, no string) string {
	switch {
	case b == nil:
		return tr("not recorded")
	case *b:
		return tr(yes)
	}
	return tr(no)
}

// runsTable lists runs with links to their pages, each with its review
// state and its attachments (atts: by run id, from attachmentsOf).
func runsTable(id, caption string, cs *cast, runs []models.Run, atts map[string][]models.Attachment) table {
	t := table{ID: id, Caption: caption, Columns: []column{{"run", "Run", false}, {"candidate", "Candidate", false},
		{"unit", "Unit", false}, {"kind", "Kind", false}, {"started_at", "Started", false}, {"result", "Result", false}, {"status", "Status", false},
		{"review", "Review", false}, {"attachments", "Attachments", true}}}
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.ID
	}
	short := shortIDs(ids)
	// A list gives start times to the minute, as people read and compare
	// them; runs of one minute (an import's, a rig's back-to-back drops)
	// would look alike, so those show their seconds. Every start has its
	// seconds in the cell's title; exports keep the minute, as before.
	perMinute := map[string]int{}
	for _, r := range runs {
		perMinute[cs.when(r.StartedAt)]++
	}
	for _, r := range runs {
		started := cell{Text: cs.when(r.StartedAt), Title: cs.whenSec(r.StartedAt)}
		if perMinute[started.Text] > 1 {
			started.Text, started.Export = started.Title, started.Text
		}
		status := textCell(cs.Word(string(r.Status)))
		rowClass := ""
		if r.Status == models.Retracted {
			// the whole row is struck through: a retracted import's runs
			// read as undone at a glance (issue #16 item 2)
			status.Class, rowClass = "retracted", "retracted"
		}
		t.Rows = append(t.Rows, []cell{{Text: short[r.ID], Export: r.ID, Href: runHref(r.ID, cs.blind)},
			{Text: cs.Label(r.Handset), Export: cs.Key(r.Handset), Color: charts.Color(cs.Index(r.Handset)), Href: handsetHref(cs, r.Handset)},
			textCell(cs.Unit(r.Handset, r.Unit)), textCell(cs.Word(string(r.Kind))), started,
			textCell(runSummary(cs, r)), status, reviewCell(cs, r), attachmentsCell(cs, r.ID, atts[r.ID])})
		t.RowClasses = append(t.RowClasses, rowClass)
	}
	return t
}

// reviewCell is a run's review state and who decided (ISO/IEC 17025
// §7.8.1), as the run page says it.
func reviewCell(cs *cast, r models.Run) cell {
	rv := r.ReviewOf()
	c := cell{Text: cs.Word(string(rv.State)), Class: "review " + string(rv.State)}
	if rv.By != "" {
		c.Small = cs.Text(rv.By)
	}
	return c
}

// attachmentsCell counts a run's active photos and PDFs and links to them
// on its page; outside blind mode it shows the photos' thumbnails (a photo
// shows the candidate, so blind lists give the count only).
func attachmentsCell(cs *cast, runID string, as []models.Attachment) cell {
	n := 0
	c := cell{}
	for _, a := range as {
		if a.Status == models.Retracted {
			continue
		}
		n++
		if !cs.blind && a.HasThumbnail && len(c.Images) < maxListThumbs {
			href := "/api/v1/attachments/" + a.ID
			c.Images = append(c.Images, cellImage{Src: href + "/thumbnail", Href: href, Alt: "photo " + a.Name})
		}
	}
	c.Text, c.Num = strconv.Itoa(n), ptrTo(float64(n))
	if n > 0 {
		c.Href = runHref(runID, cs.blind) + "#attachments"
	}
	return c
}

// maxListThumbs bounds the thumbnails one list row shows; the run page
// shows them all.
const maxListThumbs = 3

// attachmentsOf reads the attachments of runs, by run id, in one query.
func (p *pages) attachmentsOf(ctx context.Context, runs []models.Run) (map[string][]models.Attachment, error) {
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.ID
	}
	out := map[string][]models.Attachment{}
	if len(ids) == 0 {
		return out, nil
	}
	as, err := p.s.Store.AttachmentsOfRuns(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		out[a.Run] = append(out[a.Run], a)
	}
	return out, nil
}

// maxListedRuns bounds /runs?ids=: an evidence cell of a large tender.
const maxListedRuns = 500

// importPageRuns is how many runs of an import /runs?import= shows a page.
const importPageRuns = 100

// runsView is /runs?ids=…: the evidence runs behind a number; or
// /runs?import=…&page=N: the runs an import created, a page at a time.
type runsView struct {
	chrome
	Runs table
	// Import is set on an import's runs: what it was, and its pages.
	Import             *models.ImportSummary
	PrevHref, NextHref string
	Page, Pages        int
	// ImportedAt is when the import was made, in the lab's zone;
	// RetractHref its retract form, for an account that may use it.
	ImportedAt, RetractHref string
}

func (p *pages) runs(c *gin.Context) {
	blind := isBlind(c)
	cs, err := newCast(c.Request.Context(), p.s.Store, blind)
	if err != nil {
		p.fail(c, err)
		return
	}
	cs.zone = p.s.zone()
	if _, ids := c.GetQuery("ids"); !ids && c.Query("import") == "" {
		p.runsList(c, cs) // every run, paged and filtered (pages_tables.go)
		return
	}
	var ids []string
	for _, id := range strings.Split(strings.Join(c.QueryArray("ids"), ","), ",") {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	var imp *models.ImportSummary
	page, pages := 1, 1
	if importID := c.Query("import"); importID != "" {
		full, err := p.s.Store.Import(c.Request.Context(), importID)
		if err != nil {
			p.fail(c, err)
			return
		}
		if full.Kind == "units" {
			p.fail(c, models.FieldErrors{{Field: "import", Message: "registered units, not runs: see the handsets' pages"}}.Err("the run list is not valid"))
			return
		}
		if v := c.Query("page"); v != "" {
			if page, err = strconv.Atoi(v); err != nil || page < 1 {
				p.fail(c, models.FieldErrors{{Field: "page", Message: "must be a whole number from 1"}}.Err("the run list is not valid"))
				return
			}
		}
		pages = max(1, (len(full.Created)+importPageRuns-1)/importPageRuns)
		page = min(page, pages)
		lo := (page - 1) * importPageRuns
		ids = full.Created[lo:min(lo+importPageRuns, len(full.Created))]
		imp = &models.ImportSummary{ID: full.ID, Kind: full.Kind, FileName: full.FileName, Rows: full.Rows, RecordedBy: full.RecordedBy, RecordedAt: full.RecordedAt}
	}
	if len(ids) > maxListedRuns {
		p.fail(c, models.FieldErrors{{Field: "ids", Message: fmt.Sprintf("lists %d runs, at most %d", len(ids), maxListedRuns)}}.Err("the run list is not valid"))
		return
	}
	runs := make([]models.Run, 0, len(ids))
	var codes []string
	for _, id := range ids {
		r, err := p.s.Store.Run(c.Request.Context(), id)
		if err != nil {
			p.fail(c, err)
			return
		}
		runs = append(runs, r)
		if !slices.Contains(codes, r.Handset) {
			codes = append(codes, r.Handset)
		}
	}
	if err := cs.loadUnits(c.Request.Context(), p.s.Store, codes); err != nil {
		p.fail(c, err)
		return
	}
	atts, err := p.attachmentsOf(c.Request.Context(), runs)
	if err != nil {
		p.fail(c, err)
		return
	}
	v := runsView{chrome: newChrome("Evidence runs", "", blind)}
	v.Runs = runsTable("runs", fmt.Sprintf("%d runs, in the order given", len(runs)), cs, runs, atts)
	if !blind {
		v.BlindToggle = withQuery("/runs", "ids", strings.Join(ids, ","), "blind", "1")
	}
	if imp != nil {
		v.Import, v.Page, v.Pages = imp, page, pages
		v.ImportedAt = cs.when(imp.RecordedAt)
		if !blind && p.s.allowed(c, http.MethodPost, "/imports/:id/retract") {
			v.RetractHref = importPath(imp.ID) + "/retract"
		}
		v.Runs.Caption = fmt.Sprintf("Runs %d–%d of %d, in file order", (page-1)*importPageRuns+1, (page-1)*importPageRuns+len(runs), imp.Rows)
		at := func(n int) string { return withQuery("/runs", "import", imp.ID, "page", strconv.Itoa(n)) }
		if page > 1 {
			v.PrevHref = at(page - 1)
		}
		if page < pages {
			v.NextHref = at(page + 1)
		}
		if !blind {
			v.BlindToggle = withQuery("/runs", "import", imp.ID, "page", strconv.Itoa(page), "blind", "1")
		}
	}
	p.render(c, http.StatusOK, "runs.html", v)
}

// runView is /runs/{id}: every field, the series chart, the revisions.
type runView struct {
	chrome
	ID        string
	Kind      string
	Candidate cell
	Unit      string
	Summary   string
	Retracted bool
	// Retraction is the reason the run was retracted.
	Retraction string
	Revision   int
	// Review says where the latest revision stands in second-person review.
	Review      string
	ReviewState string
	Fields      []fieldRow
	// Attachments are the run's photos and PDFs (none listed in blind
	// mode: a photo shows the candidate; BlindAttachments counts them).
	Attachments      []attachmentView
	BlindAttachments int
	Drops            *table
	Charts           []template.HTML
	Series           string // what the chart shows, or why there is none
	Revisions        table
}

type fieldRow struct{ Label, Value string }

type attachmentView struct {
	ID, Name, MediaType, Size, SHA256, Href, Thumb, RecordedBy, RecordedAt, Reason string
	Retracted                                                                      bool
}

// seriesPoints is how many points of a series the run page draws: LTTB
// keeps the shape, and 2,000 points are more than the chart's pixels.
const seriesPoints = 2000

func (p *pages) run(c *gin.Context) {
	blind := isBlind(c)
	cs, err := newCast(c.Request.Context(), p.s.Store, blind)
	if err != nil {
		p.fail(c, err)
		return
	}
	cs.zone = p.s.zone()
	v, err := p.buildRun(c.Request.Context(), cs, c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	v.Actions = p.s.runActions(c, blind, v.ID, v.Kind, v.Retracted)
	if c.Query("saved") == "1" && len(v.Actions) > 0 {
		v.Notice = p.s.printer(c).T("Run saved. Enter the next unit with the same method, dates and programme, or amend this one.")
	}
	p.render(c, http.StatusOK, "run.html", v)
}

func (p *pages) buildRun(ctx context.Context, cs *cast, id string) (runView, error) {
	r, err := p.s.Store.Run(ctx, id)
	if err != nil {
		return runView{}, err
	}
	if err := cs.loadUnits(ctx, p.s.Store, []string{r.Handset}); err != nil {
		return runView{}, err
	}
	v := runView{chrome: newChrome(strings.ToUpper(string(r.Kind)[:1])+string(r.Kind)[1:]+" run", "", cs.blind),
		ID: r.ID, Kind: string(r.Kind), Unit: cs.Unit(r.Handset, r.Unit), Summary: runSummary(cs, r),
		Retracted: r.Status == models.Retracted, Revision: r.Revision,
		Candidate: cell{Text: cs.Label(r.Handset), Export: cs.Key(r.Handset), Color: charts.Color(cs.Index(r.Handset)), Href: handsetHref(cs, r.Handset)}}
	if !cs.blind {
		v.BlindToggle = runHref(r.ID, true)
	}
	v.Fields = runFields(cs, r)
	rv := r.ReviewOf()
	v.ReviewState, v.Review = string(rv.State), cs.Word(string(rv.State))
	if rv.By != "" && rv.At != nil {
		v.Review += cs.T(" by %s on %s", cs.Text(rv.By), cs.whenSec(*rv.At))
	}
	if rv.Reason != "" {
		v.Review += cs.T(": ") + cs.Text(rv.Reason)
	}
	if rv.State == models.Recorded {
		v.Review += cs.T(" (awaiting a second person's review)")
	}
	if len(r.Drops) > 0 {
		t := table{ID: "drops", Caption: "Drop log", Columns: []column{{"seq", "Drop", true}, {"orientation", "Orientation", false}, {"severity", "Severity", true}}}
		for _, d := range r.Drops {
			t.Rows = append(t.Rows, []cell{intCell(d.Seq), textCell(strings.ReplaceAll(d.Orientation, "_", " ")), intCell(d.Severity)})
		}
		v.Drops = &t
	}

	if err := p.runSeries(ctx, cs, r, &v); err != nil {
		return v, err
	}

	as, err := p.s.Store.Attachments(ctx, r.ID)
	if err != nil {
		return v, err
	}
	if cs.blind {
		v.BlindAttachments = len(as)
	} else {
		for _, a := range as {
			av := attachmentView{ID: a.ID, Name: a.Name, MediaType: a.MediaType, Size: fmt.Sprintf("%d bytes", a.Bytes), SHA256: a.SHA256,
				Href: "/api/v1/attachments/" + a.ID, RecordedBy: a.RecordedBy, RecordedAt: cs.whenSec(a.RecordedAt),
				Retracted: a.Status == models.Retracted, Reason: a.RetractReason}
			if a.HasThumbnail {
				av.Thumb = av.Href + "/thumbnail"
			}
			v.Attachments = append(v.Attachments, av)
		}
	}

	revs, err := p.s.Store.Revisions(ctx, r.ID)
	if err != nil {
		return v, err
	}
	v.Revisions = table{ID: "revisions", Caption: "Revisions (ISO/IEC 17025 §7.5.2: nothing is edited in place)",
		Columns: []column{{"revision", "Revision", true}, {"recorded_by", "Recorded by", false}, {"recorded_at", "Recorded at", false},
			{"reason", "Reason", false}, {"changes", "Changes", false}}}
	for _, rv := range revs {
		var changes []string
		for _, f := range slices.Sorted(maps.Keys(rv.Changes)) {
			ch := rv.Changes[f]
			from, to := cs.changeValue(ch.From), cs.changeValue(ch.To)
			if f == "status" { // active, retracted: the system's words
				from, to = cs.Word(fmt.Sprint(ch.From)), cs.Word(fmt.Sprint(ch.To))
			}
			changes = append(changes, fmt.Sprintf("%s: %s → %s", fieldLabelIn(cs.tr, f), from, to))
		}
		reason := cs.Text(rv.Reason)
		if rv.Revision == 1 && rv.Reason == "created" { // the reason the store gives a new run
			reason = cs.Word(rv.Reason)
		}
		if rv.Changes["status"].To == string(models.Retracted) {
			v.Retraction = cs.Text(rv.Reason)
		}
		v.Revisions.Rows = append(v.Revisions.Rows, []cell{intCell(rv.Revision), textCell(cs.Text(rv.RecordedBy)),
			textCell(cs.whenSec(rv.RecordedAt)), textCell(reason), textCell(strings.Join(changes, "; "))})
	}
	return v, nil
}

// runFields lists a run's fields in the API's order as people read them
// (issue #16 item 5): each under its label with its unit (fieldlabels.go),
// numbers to their precision with the page's decimal mark, enumerations
// in words, times in the lab's zone to the second, free text scrubbed in
// blind mode.
func runFields(cs *cast, r models.Run) []fieldRow {
	raw, err := json.Marshal(r)
	if err != nil {
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	types := map[string]models.FieldType{"has_series": models.Boolean, "revision": models.Integer,
		"recorded_at": models.Timestamp, "recorded_by": models.Text}
	enums := map[string]bool{"status": true}
	var order []string
	for _, f := range models.RunFields(r.Kind) {
		order = append(order, f.Name)
		types[f.Name] = f.Type
		enums[f.Name] = len(f.Enum) > 0
	}
	order = append(order, "metrics", "has_series", "revision", "status", "recorded_by", "recorded_at")
	skip := map[string]bool{"kind": true, "handset": true, "unit": true, "drops": true}
	label := func(name string) string { return fieldLabelIn(cs.tr, name) }
	var out []fieldRow
	for _, name := range order {
		rawV, ok := obj[name]
		if !ok || skip[name] {
			continue
		}
		var val any
		_ = json.Unmarshal(rawV, &val)
		if name == "metrics" {
			if m, ok := val.(map[string]any); ok {
				for _, k := range []string{"energy_wh", "time_to_20pct_h", "mean_power_w"} {
					out = append(out, fieldRow{Label: label(k), Value: cs.number(m[k], metricDecimals)})
				}
			}
			continue
		}
		var text string
		switch {
		case enums[name]:
			text = cs.enumWord(name, val)
		case types[name] == models.Number:
			text = cs.number(val, -1)
		case types[name] == models.Timestamp:
			text = cs.timeText(val)
		case types[name] == models.Boolean:
			text = missing
			if b, ok := val.(bool); ok {
				text = cs.Word(valueText(b))
			}
		default:
			text = cs.Text(valueText(val))
		}
		out = append(out, fieldRow{Label: label(name), Value: text})
	}
	return out
}

// metricDecimals: the metrics derived from a series are shown to 0.01
// (Wh, h, W), not to the float's 15 digits.
const metricDecimals = 2

// inputDecimals bounds the decimals of an entered number: what the lab
// measures (0.001 m, 0.001 h) and no float noise (0.30000000000000004).
const inputDecimals = 3

// number is a JSON number as a page shows it: dec decimals (-1: as
// entered, at most inputDecimals), the page's decimal mark; "–" for null.
func (c *cast) number(v any, dec int) string {
	f, ok := v.(float64)
	if !ok {
		return valueText(v)
	}
	if dec < 0 {
		return c.dec(strconv.FormatFloat(roundDec(f, inputDecimals), 'f', -1, 64))
	}
	return c.dec(strconv.FormatFloat(f, 'f', dec, 64))
}

func roundDec(v float64, dec int) float64 {
	p := math.Pow(10, float64(dec))
	return math.Round(v*p) / p
}

// changeValue is one side of a revision's change as the field list shows
// it: a number with the page's decimal mark, a time in the lab's zone, a
// yes or no in words; other text as recorded (scrubbed in blind mode).
func (c *cast) changeValue(v any) string {
	switch x := v.(type) {
	case float64:
		return c.number(x, -1)
	case bool:
		return c.Word(valueText(x))
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return c.whenSec(t)
		}
	}
	return c.Text(valueText(v))
}

// timeText is an RFC 3339 time from the API in the lab's zone, to the
// second.
func (c *cast) timeText(v any) string {
	s, ok := v.(string)
	if !ok || s == "" {
		return valueText(v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return c.Text(s)
	}
	return c.whenSec(t)
}

// enumWord is an enumerated value in words: the battery protocol's name,
// else the value with spaces ("steel_on_concrete" → "steel on concrete"),
// translated when the catalogue knows it.
func (c *cast) enumWord(field string, v any) string {
	s, ok := v.(string)
	if !ok || s == "" {
		return valueText(v)
	}
	return enumWordIn(c.tr, field, s)
}

// enumWordIn is enumWord of a value in pt's language (English when pt is
// nil): the run pages and the forms' choices say it the same way.
func enumWordIn(pt *i18n.Printer, field, s string) string {
	if field == "protocol" {
		if n, ok := protocolNames[s]; ok {
			s = n
		}
	} else {
		s = strings.ReplaceAll(s, "_", " ")
	}
	if pt != nil && pt.Has(s) {
		return pt.Text(s)
	}
	return s
}

// valueText shows a JSON value as a page does: "–" for null.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return missing
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		if x == "" {
			return missing
		}
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// batteryChannels are the columns of a battery series (series.Columns)
// as the run page's chart draws them, each on its own axis (issue #16
// item 5): state of charge first, then whatever else was uploaded.
var batteryChannels = []struct {
	column, label, unit string
	decimals            int
}{
	{"soc_pct", "state of charge", "%", 2},
	{"voltage_v", "voltage", "V", 3},
	{"current_ma", "current", "mA", 1},
	{"temp_c", "battery temperature", "°C", 2},
}

// runSeries draws the run's series: a battery run's discharge curve, a
// temperature run's chamber log (set-point against measured air).
func (p *pages) runSeries(ctx context.Context, cs *cast, r models.Run, v *runView) error {
	if r.Kind != models.Battery && r.Kind != models.Temperature {
		return nil
	}
	info, err := p.s.Store.SeriesInfo(ctx, r.ID, 0)
	if models.ErrorCode(err) == models.NotFound {
		v.Series = cs.T("No series recorded for this run.")
		return nil
	}
	if err != nil {
		return err
	}
	frame, err := p.s.Store.ReducedSeries(ctx, info, seriesPoints)
	if err != nil {
		return err
	}
	hours := make([]float64, frame.Len())
	for i, t := range frame.Column(series.TimeColumn) {
		hours[i] = t / 3600
	}
	v.Series = cs.T("%d samples recorded (revision %d), all drawn.", info.Samples, info.Revision)
	if frame.Len() < info.Samples {
		v.Series = cs.T("%d samples recorded (revision %d); %d drawn, chosen on the server by LTTB to keep the curve's shape.", info.Samples, info.Revision, frame.Len())
	}
	var ch charts.Chart
	title := cs.Label(r.Handset) + " " + cs.Unit(r.Handset, r.Unit) + ": " + runSummary(cs, r)
	if r.Kind == models.Battery {
		var chs []charts.Channel
		for _, bc := range batteryChannels {
			ys := frame.Column(bc.column)
			if ys == nil {
				continue
			}
			ch := charts.Channel{Label: cs.Word(bc.label), Unit: bc.unit, Y: ys, Decimals: bc.decimals}
			if bc.column == "soc_pct" {
				ch.Min, ch.Max = ptrTo(0.0), ptrTo(100.0)
			}
			chs = append(chs, ch)
		}
		if len(chs) == 0 {
			return nil
		}
		ch, err = charts.RunChannels("discharge", "discharge", title, hours, chs)
	} else {
		var groups []string
		var dashed []bool
		var curves []charts.Curve
		for _, col := range []struct{ name, label string }{{"setpoint_c", "set-point"}, {"air_c", "air"}, {"device_c", "device"}} {
			ys := frame.Column(col.name)
			if ys == nil {
				continue
			}
			curves = append(curves, charts.Curve{Group: len(groups), X: hours, Y: ys})
			groups = append(groups, col.label)
			dashed = append(dashed, col.name == "setpoint_c")
		}
		if len(curves) == 0 {
			return nil
		}
		ch, err = charts.Chamber("chamber", title, groups, dashed, curves)
	}
	if err != nil {
		return err
	}
	v.HasCharts = true
	v.Charts, err = chartHTML(cs.tr, ch)
	return err
}
