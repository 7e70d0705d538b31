package handlers

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/charts"
	"ruggedlab/models"
	"ruggedlab/verdict"
)

// Field trial pages (issue #14): /trials lists the pilots, /trials/{id}
// shows one with the summary of GET /api/v1/trials/{id}/summary — the same
// function, so every rate and interval is the API's.

type trialsView struct {
	chrome
	Trials table
	Empty  bool
}

// trials serves GET /trials.
func (p *pages) trials(c *gin.Context) {
	blind := isBlind(c)
	list, err := p.s.Store.Trials(c.Request.Context())
	if err != nil {
		p.fail(c, err)
		return
	}
	cs, err := newCast(c.Request.Context(), p.s.Store, blind)
	if err != nil {
		p.fail(c, err)
		return
	}
	v := trialsView{chrome: newChrome("Field trials", "trials", blind), Empty: len(list) == 0}
	if !blind {
		v.BlindToggle = "/trials?blind=1"
	}
	v.Trials = table{ID: "trials", Caption: "Field pilots (newest start first)", Columns: []column{{"name", "Trial", false},
		{"site", "Site", false}, {"start", "Start", false}, {"end", "End", false}}}
	for _, t := range list {
		v.Trials.Rows = append(v.Trials.Rows, []cell{{Text: cs.Text(t.Name), Href: trialHref(t.ID, blind)},
			textCell(cs.Text(t.Site)), textCell(t.Start), textCell(t.End)})
	}
	p.render(c, http.StatusOK, "trials.html", v)
}

func trialHref(id string, blind bool) string {
	return withQuery("/trials/"+url.PathEscape(id), "blind", blindParam(blind))
}

// trialQuery is the trial page's query, shared by the page and exports.
type trialQuery struct {
	id   string
	conf float64
	cast *cast
}

func (p *pages) readTrial(c *gin.Context) (trialQuery, string, error) {
	var errs models.FieldErrors
	conf := probabilityParam(c, "confidence", &errs)
	if err := errs.Err("the trial page's query is not valid"); err != nil {
		return trialQuery{}, "", err
	}
	q := trialQuery{id: c.Param("id"), conf: 0.95}
	if conf != nil {
		q.conf = *conf
	}
	cs, err := newCast(c.Request.Context(), p.s.Store, isBlind(c))
	if err != nil {
		return q, "", err
	}
	q.cast = cs
	return q, "", nil
}

func (q trialQuery) url(suffix string) string {
	conf := ""
	if q.conf != 0.95 {
		conf = fmt.Sprint(q.conf)
	}
	return withQuery("/trials/"+url.PathEscape(q.id)+suffix, "confidence", conf, "blind", blindParam(q.cast.blind))
}

type trialView struct {
	chrome
	Name, Site, Period, Notes string
	Level                     string
	Exposure                  table
	Summary                   table
	Categories                table
	RateRatios                table
	Incidents                 table
	Charts                    []template.HTML
}

func (p *pages) trial() gin.HandlerFunc {
	return htmlPage(p, "trial.html", p.readTrial, p.buildTrial)
}

func (p *pages) trialExport(format string) gin.HandlerFunc {
	return exportPage(p, format, "/trials/", p.readTrial, p.buildTrial, func(q trialQuery, v trialView) (string, exportDoc) {
		doc := exportDoc{Meta: map[string]any{"page": "trial", "trial": v.Name, "trial_id": q.id, "confidence": q.conf,
			"blind": q.cast.blind, "permalink": v.Permalink}}
		doc.Sections = []exportSection{{Title: v.Name, Tables: []table{v.Exposure, v.Summary, v.Categories, v.RateRatios, v.Incidents}}}
		return fmt.Sprintf("trial-%s.%s", q.id, format), doc
	})
}

// nullText is the reasons of a row's null statistics, for the "Why “–”"
// column (api.md "Not computable is null").
func nullText(r map[string]string) string {
	var out []string
	for _, f := range slices.Sorted(maps.Keys(r)) {
		out = append(out, f+": "+r[f])
	}
	return strings.Join(out, "; ")
}

func (p *pages) buildTrial(ctx context.Context, q trialQuery) (trialView, error) {
	cs := q.cast.in(ctx) // an export's view speaks English (exportPage)
	d, err := p.s.Store.TrialData(ctx, q.id)
	if err != nil {
		return trialView{}, err
	}
	if err := cs.loadUnits(ctx, p.s.Store, d.Candidates); err != nil {
		return trialView{}, err
	}
	sum := summarize(d, q.conf)
	name := cs.Text(d.Trial.Name)
	v := trialView{chrome: newChrome(cs.T("%s: field trial", name), "trials", cs.blind), Name: name, Site: cs.Text(d.Trial.Site),
		Period: d.Trial.Start + " – " + d.Trial.End, Notes: cs.Text(d.Trial.Notes)}
	v.Wide = true
	v.Permalink = q.url("")
	v.Exports = exportLinks(q.url("/export.csv"), q.url("/export.json"))
	if !cs.blind {
		bq := q
		bq.cast = cs.asBlind()
		v.BlindToggle = bq.url("")
	}
	level := fmt.Sprintf("%g %%", q.conf*100)
	v.Level = level
	// Candidates in page order (their colours), as the other pages.
	codes := slices.Clone(sum.Candidates)
	slices.SortStableFunc(codes, func(a, b trialCandidate) int { return cs.Index(a.Handset) - cs.Index(b.Handset) })
	cand := func(code string) cell {
		return cell{Text: cs.Label(code), Export: cs.Key(code), Color: charts.Color(cs.Index(code)), Href: handsetHref(cs, code)}
	}

	units, carriers := map[string]map[string]bool{}, map[string]map[string]bool{}
	for _, a := range d.Trial.Assignments {
		if units[a.Handset] == nil {
			units[a.Handset], carriers[a.Handset] = map[string]bool{}, map[string]bool{}
		}
		units[a.Handset][a.Unit], carriers[a.Handset][a.Carrier] = true, true
	}
	v.Exposure = table{ID: "exposure", Caption: "Exposure: units carried on duty, in device-days (both ends of an assignment included)",
		Columns: []column{{"candidate", "Candidate", false}, {"units", "Units", true}, {"carriers", "Carriers (pseudonyms)", true}, {"device_days", "Device-days", true}}}
	v.Summary = table{ID: "summary", Caption: "Per candidate: incidents over exposure (exact Poisson interval), shifts the battery lasted (per unit first, Wilson), SUS (t interval), at " + level,
		Columns: []column{{"candidate", "Candidate", false}, {"incidents", "Incidents", true}, {"rate_per_1000_device_days", "Rate / 1,000 device-days", true},
			{"rate_low", "Low", true}, {"rate_high", "High", true}, {"shift_units", "Units with shifts", true}, {"shifts_lasted", "Shifts lasted", true},
			{"shifts_total", "Shifts", true}, {"lasted_pct", "Lasted (per unit, %)", true}, {"lasted_low_pct", "Low (%)", true}, {"lasted_high_pct", "High (%)", true},
			{"sus_respondents", "SUS respondents", true}, {"sus_mean", "SUS mean", true}, {"sus_low", "Low", true}, {"sus_high", "High", true}}}
	v.Categories = table{ID: "categories", Caption: "Incidents by category, per 1,000 device-days (exact interval at " + level + ")",
		Columns: []column{{"candidate", "Candidate", false}, {"category", "Category", false}, {"incidents", "Incidents", true},
			{"rate_per_1000_device_days", "Rate", true}, {"low", "Low", true}, {"high", "High", true}}}
	var why []string
	var labels []string
	series := map[string][]float64{}
	for _, tc := range codes {
		h := tc.Handset
		v.Exposure.Rows = append(v.Exposure.Rows, []cell{cand(h), intCell(len(units[h])), intCell(len(carriers[h])), intCell(tc.DeviceDays)})
		r, sh, su := tc.Rate, tc.Shifts, tc.SUS
		v.Summary.Rows = append(v.Summary.Rows, []cell{cand(h), intCell(tc.Incidents), numCell(float64(r.Estimate), 1), numCell(float64(r.Low), 1), numCell(float64(r.High), 1),
			intCell(sh.Units), intCell(sh.Lasted), intCell(sh.Total), numCell(100*float64(sh.Estimate), 1), numCell(100*float64(sh.Low), 1), numCell(100*float64(sh.High), 1),
			intCell(su.Respondents), numCell(float64(su.Mean), 1), numCell(float64(su.Low), 1), numCell(float64(su.High), 1)})
		why = append(why, nullText(tc.NullReasons))
		labels = append(labels, cs.Label(h))
		for _, cat := range models.IncidentCategories {
			cr := tc.ByCategory[cat]
			series[cat] = append(series[cat], float64(cr.Estimate))
			if cr.Incidents == 0 {
				continue
			}
			v.Categories.Rows = append(v.Categories.Rows, []cell{cand(h), textCell(categoryText(cs, cat)), intCell(cr.Incidents),
				numCell(float64(cr.Estimate), 1), numCell(float64(cr.Low), 1), numCell(float64(cr.High), 1)})
		}
	}
	withReasons(&v.Summary, why)

	v.RateRatios = table{ID: "rate-ratios", Caption: "Rate ratios, every incident: a's rate over b's, exact conditional interval at " + level + " (R poisson.test), p raw and Holm-adjusted",
		Columns: []column{{"a", "a", false}, {"b", "b", false}, {"ratio", "Ratio", true}, {"low", "Low", true}, {"high", "High", true},
			{"p", "p (raw)", true}, {"p_holm", "p (Holm)", true}}}
	why = nil
	// Pairs in page order, a before b, so a blind page's order says nothing
	// of the codes: a swapped pair has the inverse ratio and interval.
	pairs := slices.Clone(sum.RateRatios)
	for i, rr := range pairs {
		if cs.Index(rr.A) > cs.Index(rr.B) {
			rr.A, rr.B = rr.B, rr.A
			rr.Ratio, rr.Low, rr.High = 1/rr.Ratio, 1/rr.High, 1/rr.Low
			switch {
			case rr.NullReasons["high"] != "" && rr.NullReasons["low"] == "": // none on the old b, now a: ratio and low are 0
				rr.NullReasons = verdict.Reasons{}
				rr.Ratio, rr.Low = 0, 0
			case float64(rr.Ratio) == 0 || math.IsInf(float64(rr.Ratio), 0): // none on the new b
				rr.NullReasons = verdict.Reasons{"ratio": "no incident for b: the ratio has no finite value or upper bound"}
				rr.NullReasons["high"] = rr.NullReasons["ratio"]
			}
			pairs[i] = rr
		}
	}
	slices.SortStableFunc(pairs, func(x, y rateRatioJSON) int {
		return cmp.Or(cs.Index(x.A)-cs.Index(y.A), cs.Index(x.B)-cs.Index(y.B))
	})
	for _, rr := range pairs {
		v.RateRatios.Rows = append(v.RateRatios.Rows, []cell{cand(rr.A), cand(rr.B), numCell(float64(rr.Ratio), 2), numCell(float64(rr.Low), 2),
			numCell(float64(rr.High), 2), numCell(float64(rr.P), 4), numCell(float64(rr.PHolm), 4)})
		why = append(why, nullText(rr.NullReasons))
	}
	withReasons(&v.RateRatios, why)

	var cats []charts.IncidentSeries
	for _, cat := range models.IncidentCategories {
		any := false
		for _, r := range series[cat] {
			any = any || r > 0
		}
		if any {
			cats = append(cats, charts.IncidentSeries{Category: categoryText(cs, cat), Rates: series[cat]})
		}
	}
	if len(cats) > 0 {
		ch, err := charts.Incidents("trial-incidents", cs.T("Incidents by category and candidate"), labels, cats)
		if err != nil {
			return v, err
		}
		ch.Caption = ch.Title // the page has no heading over it
		if v.Charts, err = chartHTML(cs.tr, ch); err != nil {
			return v, err
		}
		v.HasCharts = true
	}

	list, err := p.s.Store.Incidents(ctx, q.id)
	if err != nil {
		return v, err
	}
	v.Incidents = table{ID: "incidents", Caption: "Every incident, retracted ones included (they leave the statistics)", Collapsed: len(list) > 20,
		Columns: []column{{"date", "Date", false}, {"candidate", "Candidate", false}, {"unit", "Unit", false}, {"category", "Category", false},
			{"severity", "Severity (0–6)", true}, {"out_of_service_h", "Out of service (h)", true}, {"outcome", "Outcome", false},
			{"notes", "Notes", false}, {"status", "Status", false}, {"review", "Review", false}}}
	for _, in := range list {
		status := cell{Text: cs.Word("active")}
		if in.Retracted {
			status = cell{Text: cs.Word("retracted"), Small: cs.Text(in.RetractionReason), Class: "verdict inconclusive"}
		}
		rv := in.ReviewOf()
		review := cell{Text: cs.Word(string(rv.State))}
		if rv.By != "" {
			review.Small = cs.T("by %s", rv.By)
			if rv.Reason != "" {
				review.Small += ": " + cs.Text(rv.Reason)
			}
		}
		v.Incidents.Rows = append(v.Incidents.Rows, []cell{textCell(in.Date), cand(in.Handset), textCell(cs.Unit(in.Handset, in.Unit)),
			textCell(categoryText(cs, in.Category)), intCell(in.Severity), numCell(in.OutOfServiceH, 1), textCell(cs.Word(in.Outcome)),
			textCell(cs.Text(in.Notes)), status, review})
	}
	return v, nil
}

// categoryText is an incident category as the page says it, in its
// language ("display_cracked" → "display cracked", « écran fissuré »).
func categoryText(cs *cast, category string) string {
	return cs.Word(strings.ReplaceAll(category, "_", " "))
}
