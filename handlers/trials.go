package handlers

import (
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"ruggedlab/importer"
	"ruggedlab/models"
	"ruggedlab/stats"
	"ruggedlab/store"
	"ruggedlab/verdict"
)

// Field pilots (issue #14, api.md "Field trials"): trials with their
// assignments, incidents, shifts and SUS questionnaires, and the summary
// that puts exact rates and intervals on them.

func (s *Server) createTrial(c *gin.Context) {
	var t models.Trial
	if err := decodeStrict(body(c), &t); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.Store.CreateTrial(c.Request.Context(), t, s.author(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, "/api/v1/trials/"+out.ID, out)
}

func (s *Server) listTrials(c *gin.Context) {
	ts, err := s.Store.Trials(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(ts, ""))
}

func (s *Server) getTrial(c *gin.Context) {
	t, err := s.Store.Trial(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

// createIncident answers POST /api/v1/trials/{id}/incidents: one incident.
func (s *Server) createIncident(c *gin.Context) {
	var in models.Incident
	if err := decodeStrict(body(c), &in); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.trialParam(c, &in.Trial); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.Store.CreateIncidents(c.Request.Context(), []models.Incident{in}, store.TrialWrite{By: s.author(c)})
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, "/api/v1/trials/"+in.Trial+"/incidents/"+out[0].ID, out[0])
}

// trialParam checks that the trial exists and that a body naming another
// trial does not contradict the path.
func (s *Server) trialParam(c *gin.Context, field *string) error {
	id := c.Param("id")
	if _, err := s.Store.Trial(c.Request.Context(), id); err != nil {
		return err
	}
	if *field != "" && *field != id {
		return models.FieldErrors{{Field: "trial", Message: "must be " + id + " (the trial of the path) or left out"}}.Err("the request is not valid")
	}
	*field = id
	return nil
}

func (s *Server) listIncidents(c *gin.Context) {
	if _, err := s.Store.Trial(c.Request.Context(), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.Store.Incidents(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(list, ""))
}

func (s *Server) retractIncident(c *gin.Context) {
	var r struct {
		Reason string `json:"reason"`
	}
	if err := decodeStrict(body(c), &r); err != nil {
		s.fail(c, err)
		return
	}
	in, err := s.Store.RetractIncident(c.Request.Context(), c.Param("id"), c.Param("incident"), r.Reason, s.author(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, in)
}

func (s *Server) createShift(c *gin.Context) {
	var sh models.Shift
	if err := decodeStrict(body(c), &sh); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.trialParam(c, &sh.Trial); err != nil {
		s.fail(c, err)
		return
	}
	items := []models.Shift{sh}
	if _, err := s.Store.CreateShifts(c.Request.Context(), items, store.TrialWrite{By: s.author(c)}); err != nil {
		s.fail(c, err)
		return
	}
	_ = items[0].Complete() // derive lasted_shift for the answer, as stored
	c.JSON(http.StatusCreated, items[0])
}

func (s *Server) createQuestionnaire(c *gin.Context) {
	var q models.Questionnaire
	if err := decodeStrict(body(c), &q); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.trialParam(c, &q.Trial); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.Store.CreateQuestionnaires(c.Request.Context(), []models.Questionnaire{q}, stats.SUSScore, store.TrialWrite{By: s.author(c)})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out[0])
}

// importTrialFile answers POST /api/v1/imports/{incident,shift,questionnaire}:
// the file is read whole, every row checked, then written in one
// transaction, or not at all. dry_run=true checks only.
func (s *Server) importTrialFile(c *gin.Context, target string, dryRun bool) {
	src, _, name, err := s.upload(c, nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	var n int
	switch target {
	case importer.IncidentTarget:
		var items []models.Incident
		var lines []int
		if items, lines, err = importer.ReadIncidents(src); err == nil {
			n = len(items)
			_, err = s.Store.CreateIncidents(ctx, items, store.TrialWrite{By: s.author(c), DryRun: dryRun, Where: store.Where{Lines: lines}})
		}
	case importer.ShiftTarget:
		var items []models.Shift
		var lines []int
		if items, lines, err = importer.ReadShifts(src); err == nil {
			n, err = s.Store.CreateShifts(ctx, items, store.TrialWrite{By: s.author(c), DryRun: dryRun, Where: store.Where{Lines: lines}})
		}
	case importer.QuestionnaireTarget:
		var items []models.Questionnaire
		var lines []int
		if items, lines, err = importer.ReadQuestionnaires(src); err == nil {
			n = len(items)
			_, err = s.Store.CreateQuestionnaires(ctx, items, stats.SUSScore, store.TrialWrite{By: s.author(c), DryRun: dryRun, Where: store.Where{Lines: lines}})
		}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if dryRun {
		c.JSON(http.StatusOK, gin.H{"dry_run": true, "rows": n})
		return
	}
	noteAudit(c, "rows", n)
	c.JSON(http.StatusCreated, gin.H{"kind": target, "file_name": name, "rows": n, "created": n, "recorded_by": s.author(c)})
}

// --- summary ---------------------------------------------------------------------

// num is a JSON number that is null when not computable (NaN, ±Inf).
type num float64

func (n num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

type rateJSON struct {
	Incidents int `json:"incidents,omitempty"`
	Estimate  num `json:"estimate"`
	Low       num `json:"low"`
	High      num `json:"high"`
}

type shiftsJSON struct {
	Units    int `json:"units"`
	Lasted   int `json:"lasted"`
	Total    int `json:"total"`
	Estimate num `json:"estimate"`
	Low      num `json:"low"`
	High     num `json:"high"`
}

type susJSON struct {
	Respondents int                `json:"respondents"`
	Mean        num                `json:"mean"`
	Low         num                `json:"low"`
	High        num                `json:"high"`
	Custom      map[string]float64 `json:"custom_means,omitempty"`
}

type trialCandidate struct {
	Handset    string              `json:"handset"`
	DeviceDays int                 `json:"device_days"`
	Incidents  int                 `json:"incidents"`
	Rate       rateJSON            `json:"incident_rate_per_1000_device_days"`
	ByCategory map[string]rateJSON `json:"by_category"`
	Shifts     shiftsJSON          `json:"shifts"`
	SUS        susJSON             `json:"sus"`
	// NullReasons names each null statistic (dotted: "sus.low") with why
	// it could not be computed; {} when all were (api.md "Not computable
	// is null").
	NullReasons verdict.Reasons `json:"null_reasons"`
}

type rateRatioJSON struct {
	A           string          `json:"a"`
	B           string          `json:"b"`
	Ratio       num             `json:"ratio"`
	Low         num             `json:"low"`
	High        num             `json:"high"`
	P           num             `json:"p"`
	PHolm       num             `json:"p_holm"`
	NullReasons verdict.Reasons `json:"null_reasons"`
}

type trialSummary struct {
	Trial      string           `json:"trial"`
	Confidence float64          `json:"confidence"`
	Candidates []trialCandidate `json:"candidates"`
	RateRatios []rateRatioJSON  `json:"rate_ratios"`
}

// nullIf records why for each field and returns NaN, which num writes as
// null.
func nullIf(r *verdict.Reasons, why string, fields ...string) num {
	if *r == nil {
		*r = verdict.Reasons{}
	}
	for _, f := range fields {
		(*r)[f] = why
	}
	return num(math.NaN())
}

const noExposure = "no device-day of exposure: no unit of this candidate was assigned in the trial"

// rate is n incidents over days device-days per 1,000, or null with a
// reason under prefix when there was no exposure.
func rate(n int, days, conf float64, prefix string, why *verdict.Reasons) rateJSON {
	out := rateJSON{Incidents: n}
	if !(days > 0) {
		out.Estimate = nullIf(why, noExposure, prefix+".estimate", prefix+".low", prefix+".high")
		out.Low, out.High = out.Estimate, out.Estimate
		return out
	}
	r := stats.PoissonExact(n, days, conf)
	out.Estimate, out.Low, out.High = num(1000*r.Estimate), num(1000*r.CI.Lower), num(1000*r.CI.Upper)
	return out
}

// summarize is pure: the trial's data in, rates and intervals out. A
// statistic that cannot be computed is null with its reason.
func summarize(d store.TrialData, conf float64) trialSummary {
	out := trialSummary{Trial: d.Trial.ID, Confidence: conf, Candidates: []trialCandidate{}, RateRatios: []rateRatioJSON{}}
	totals := map[string]int{}
	for _, h := range d.Candidates {
		days := float64(d.DeviceDays[h])
		tc := trialCandidate{Handset: h, DeviceDays: d.DeviceDays[h], ByCategory: map[string]rateJSON{}, NullReasons: verdict.Reasons{}}
		for _, cat := range models.IncidentCategories {
			n := d.Incidents[h][cat]
			tc.Incidents += n
			tc.ByCategory[cat] = rate(n, days, conf, "by_category."+cat, &tc.NullReasons)
		}
		totals[h] = tc.Incidents
		tc.Rate = rate(tc.Incidents, days, conf, "incident_rate_per_1000_device_days", &tc.NullReasons)
		tc.Rate.Incidents = 0 // the count is the candidate's "incidents"
		var k, n []int
		for _, u := range d.Shifts[h] {
			k, n = append(k, u[0]), append(n, u[1])
		}
		sh, err := stats.ShareByUnit(k, n, conf)
		tc.Shifts = shiftsJSON{Units: sh.Units, Lasted: sh.Lasted, Total: sh.Total, Estimate: num(sh.Estimate), Low: num(sh.CI.Lower), High: num(sh.CI.Upper)}
		if err != nil {
			tc.Shifts.Estimate = nullIf(&tc.NullReasons, "no shift logged for this candidate", "shifts.estimate", "shifts.low", "shifts.high")
			tc.Shifts.Low, tc.Shifts.High = tc.Shifts.Estimate, tc.Shifts.Estimate
		}
		tc.SUS = susJSON{Respondents: len(d.SUS[h]), Mean: num(math.NaN()), Low: num(math.NaN()), High: num(math.NaN())}
		m, err := stats.MeanT(d.SUS[h], conf)
		switch {
		case errors.Is(err, stats.ErrNoData):
			nullIf(&tc.NullReasons, "no questionnaire for this candidate", "sus.mean", "sus.low", "sus.high")
		case errors.Is(err, stats.ErrTooFew):
			tc.SUS.Mean = num(m.Mean)
			nullIf(&tc.NullReasons, "one respondent: an interval needs at least 2", "sus.low", "sus.high")
		case errors.Is(err, stats.ErrNoVariance):
			tc.SUS.Mean = num(m.Mean)
			nullIf(&tc.NullReasons, "every respondent gave the same score: no spread to put an interval on", "sus.low", "sus.high")
		case err != nil:
			nullIf(&tc.NullReasons, err.Error(), "sus.mean", "sus.low", "sus.high")
		default:
			tc.SUS.Mean, tc.SUS.Low, tc.SUS.High = num(m.Mean), num(m.CI.Lower), num(m.CI.Upper)
		}
		for item, vs := range d.Custom[h] {
			if tc.SUS.Custom == nil {
				tc.SUS.Custom = map[string]float64{}
			}
			sum := 0
			for _, v := range vs {
				sum += v
			}
			tc.SUS.Custom[item] = float64(sum) / float64(len(vs))
		}
		out.Candidates = append(out.Candidates, tc)
	}
	var ps []float64
	var family []int // pairs with a p-value, in order
	for i, a := range d.Candidates {
		for _, b := range d.Candidates[i+1:] {
			ta, tb := float64(d.DeviceDays[a]), float64(d.DeviceDays[b])
			rr := stats.RateRatio(totals[a], ta, totals[b], tb, conf)
			e := rateRatioJSON{A: a, B: b, Ratio: num(rr.Ratio), Low: num(rr.CI.Lower), High: num(rr.CI.Upper), P: num(rr.P), PHolm: num(math.NaN()), NullReasons: verdict.Reasons{}}
			switch {
			case !(ta > 0) || !(tb > 0):
				e.Ratio = nullIf(&e.NullReasons, noExposure, "ratio", "low", "high", "p", "p_holm")
				e.Low, e.High, e.P = e.Ratio, e.Ratio, e.Ratio
			case totals[a]+totals[b] == 0:
				e.Ratio = nullIf(&e.NullReasons, "no incident on either side: nothing to compare", "ratio", "low", "high", "p", "p_holm")
				e.Low, e.High, e.P = e.Ratio, e.Ratio, e.Ratio
			case totals[b] == 0:
				e.Ratio = nullIf(&e.NullReasons, "no incident for "+b+": the ratio has no finite value or upper bound", "ratio", "high")
				e.High = e.Ratio
			}
			if !math.IsNaN(float64(e.P)) {
				ps = append(ps, rr.P)
				family = append(family, len(out.RateRatios))
			}
			out.RateRatios = append(out.RateRatios, e)
		}
	}
	for i, p := range stats.Holm(ps) {
		out.RateRatios[family[i]].PHolm = num(p)
	}
	return out
}

func (s *Server) trialSummary(c *gin.Context) {
	var errs models.FieldErrors
	conf := probabilityParam(c, "confidence", &errs)
	if err := errs.Err("the summary request is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	level := 0.95
	if conf != nil {
		level = *conf
	}
	d, err := s.Store.TrialData(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, summarize(d, level))
}
