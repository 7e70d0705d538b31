package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/charts"
	"ruggedlab/i18n"
	"ruggedlab/models"
	"ruggedlab/verdict"
)

// profilesView is /profiles: every requirement profile, latest version.
type profilesView struct {
	chrome
	Profiles table
	Empty    bool
}

func (p *pages) profiles(c *gin.Context) {
	blind := isBlind(c)
	cs, err := newCast(c.Request.Context(), p.s.Store, blind)
	if err != nil {
		p.fail(c, err)
		return
	}
	list, err := p.s.Store.AllProfiles(c.Request.Context())
	if err != nil {
		p.fail(c, err)
		return
	}
	v := profilesView{chrome: newChrome("Requirement profiles", "profiles", blind), Empty: len(list) == 0}
	if !blind {
		v.BlindToggle = "/profiles?blind=1"
	}
	v.Profiles = table{ID: "profiles", Caption: "Profiles (latest version of each)", Columns: []column{{"name", "Profile", false},
		{"version", "Latest version", true}, {"requirements", "Requirements", true}, {"kinds", "Kinds", false}, {"recorded_at", "Recorded (UTC)", false}}}
	for _, pr := range list {
		var kinds []string
		for _, k := range profileKinds(pr) {
			kinds = append(kinds, i18n.FromContext(c.Request.Context()).Text(string(k)))
		}
		v.Profiles.Rows = append(v.Profiles.Rows, []cell{
			{Text: cs.Text(pr.Name), Href: withQuery("/profiles/"+url.PathEscape(pr.ID)+"/matrix", "blind", blindParam(blind))},
			intCell(pr.Version), intCell(len(pr.Requirements)), textCell(strings.Join(kinds, ", ")),
			textCell(pr.RecordedAt.UTC().Format("2006-01-02 15:04"))})
	}
	p.render(c, http.StatusOK, "profiles.html", v)
}

// matrixQuery is the matrix page's query, shared by the page and exports.
type matrixQuery struct {
	id       string
	version  int // 0 = latest
	from     int // diff from this version; 0 = no diff
	codes    []string
	cast     *cast
	explicit bool // handsets given in the URL
}

func (p *pages) readMatrix(c *gin.Context) (matrixQuery, string, error) {
	cs, err := newCast(c.Request.Context(), p.s.Store, isBlind(c))
	if err != nil {
		return matrixQuery{}, "", err
	}
	var errs models.FieldErrors
	q := matrixQuery{id: c.Param("id"), cast: cs}
	q.version = positiveIntParam(c, "version", &errs)
	q.from = positiveIntParam(c, "from", &errs)
	param := strings.Join(c.QueryArray("handsets"), ",")
	codes, unknown, hadCode := cs.selection(param)
	for _, u := range unknown {
		if cs.blind {
			errs.Add("handsets", "names no candidate")
		} else {
			errs.Add("handsets", "no candidate %q", u)
		}
	}
	if err := errs.Err("the matrix request is not valid"); err != nil {
		return q, "", err
	}
	q.codes, q.explicit = codes, strings.TrimSpace(param) != ""
	if cs.blind && hadCode {
		return q, q.url(""), nil
	}
	return q, "", nil
}

// url is the canonical URL of the matrix (suffix "" for the page,
// "/export.csv" for an export), with the version resolved to a number when
// known so that a permalink keeps showing that version.
func (q matrixQuery) url(suffix string) string {
	v, from := "", ""
	if q.version > 0 {
		v = strconv.Itoa(q.version)
	}
	if q.from > 0 {
		from = strconv.Itoa(q.from)
	}
	return withQuery("/profiles/"+url.PathEscape(q.id)+"/matrix"+suffix, "version", v, "from", from,
		"handsets", q.cast.refs(q.codes), "blind", blindParam(q.cast.blind))
}

// matrixView is the requirement × candidate matrix.
type matrixView struct {
	chrome
	Name       string
	ProfileID  string
	Version    int
	From       int
	Versions   []versionLink
	Candidates []cell
	Rows       []matrixRow
	Cells      table // the same numbers, one row per cell: the exports
	Changes    *table
	Award      string // link to the award page when the profile has a scoring scheme
	Report     string // the test report of this view (report.go)
	Pack       string // the evidence pack (not in blind mode: packs name the candidates)
}

type versionLink struct {
	N       int
	Href    string
	Current bool
	Diff    string // link to the diff from the previous version
	Prev    int
}

type matrixRow struct {
	Title string
	Rule  string
	Cells []cell
}

// matrix serves GET /profiles/{id}/matrix.
func (p *pages) matrix() gin.HandlerFunc {
	return htmlPage(p, "matrix.html", p.readMatrix, p.buildMatrix)
}

// matrixExport serves the matrix's CSV and JSON from the page's own cells.
func (p *pages) matrixExport(format string) gin.HandlerFunc {
	return exportPage(p, format, "/matrix?", p.readMatrix, p.buildMatrix, func(q matrixQuery, v matrixView) (string, exportDoc) {
		doc := exportDoc{Meta: map[string]any{"page": "matrix", "profile": v.Name, "profile_id": v.ProfileID, "version": v.Version,
			"blind": q.cast.blind, "candidates": candidateKeys(q.cast, q.codes), "counted": verdict.Counted, "permalink": v.Permalink}}
		tables := []table{v.Cells}
		if v.Changes != nil {
			doc.Meta["from"] = v.From
			tables = append(tables, *v.Changes)
		}
		doc.Sections = []exportSection{{Title: fmt.Sprintf("%s, version %d", v.Name, v.Version), Tables: tables}}
		return fmt.Sprintf("profile-%s-v%d-matrix.%s", q.id, v.Version, format), doc
	})
}

// buildMatrix evaluates the profile with the same function as
// GET /api/v1/profiles/{id}/matrix, so every verdict and interval is the
// API's.
func (p *pages) buildMatrix(ctx context.Context, q matrixQuery) (matrixView, error) {
	cs := q.cast.in(ctx) // an export's view speaks English (exportPage)
	m, err := p.s.matrix(ctx, q.id, q.version, q.codes)
	if err != nil {
		return matrixView{}, err
	}
	q.version = m.Profile.Version // permalinks pin the version shown
	versions, err := p.s.Store.ProfileVersions(ctx, q.id)
	if err != nil {
		return matrixView{}, err
	}
	name := cs.Text(m.Profile.Name)
	v := matrixView{chrome: newChrome(name+": requirement matrix", "profiles", cs.blind), Name: name, ProfileID: m.Profile.ID,
		Version: m.Profile.Version, From: q.from}
	v.Wide = true
	v.Permalink = q.url("")
	v.Exports = exportLinks(q.url("/export.csv"), q.url("/export.json"))
	v.Report = strings.Replace(q.url(""), "/matrix", "/report.pdf", 1)
	if !cs.blind {
		v.Pack = "/profiles/" + url.PathEscape(q.id) + "/evidence-pack.zip"
	}
	if !cs.blind {
		bq := q
		bq.cast = cs.asBlind()
		v.BlindToggle = bq.url("")
	}
	if ss, err := p.s.Store.Schemes(ctx, q.id); err == nil && len(ss) > 0 {
		v.Award = withQuery("/profiles/"+url.PathEscape(q.id)+"/award", "blind", blindParam(cs.blind))
	}
	for _, n := range versions {
		vq := q
		vq.version, vq.from = n, 0
		link := versionLink{N: n, Href: vq.url(""), Current: n == m.Profile.Version}
		if n > 1 {
			vq.from = n - 1
			link.Diff, link.Prev = vq.url(""), n-1
		}
		v.Versions = append(v.Versions, link)
	}
	for _, code := range m.Handsets {
		v.Candidates = append(v.Candidates, cell{Text: cs.Label(code), Export: cs.Key(code), Color: charts.Color(cs.Index(code)), Href: handsetHref(cs, code)})
	}

	changed := map[[2]string]verdict.Change{}
	if q.from > 0 {
		d, err := p.s.diff(ctx, q.id, q.from, m.Profile.Version, q.codes)
		if err != nil {
			return v, err
		}
		t := table{ID: "changes", Caption: fmt.Sprintf("Verdicts that differ from version %d to version %d, on today's evidence", d.From, d.To),
			Columns: []column{{"requirement", "Requirement", false}, {"candidate", "Candidate", false},
				{"from", fmt.Sprintf("Version %d", d.From), false}, {"to", fmt.Sprintf("Version %d", d.To), false}, {"reason", "Reason", false}}}
		for _, ch := range d.Changes {
			changed[[2]string{ch.Key, ch.Handset}] = ch
			t.Rows = append(t.Rows, []cell{textCell(cs.Text(ch.Title)), {Text: cs.Label(ch.Handset), Export: cs.Key(ch.Handset), Color: charts.Color(cs.Index(ch.Handset))},
				cs.verdictCell(ch.From), cs.verdictCell(ch.To), textCell(cs.reason(ch.Why, ch.Reason))})
		}
		v.Changes = &t
	}

	v.Cells = table{ID: "cells", Caption: "Every cell's numbers (what the exports carry)", Collapsed: true,
		Columns: []column{{"requirement", "Requirement", false}, {"kind", "Kind", false}, {"rule", "Rule", false}, {"target", "Target", true},
			{"confidence", "Confidence", true}, {"min_units", "Min units", true}, {"candidate", "Candidate", false}, {"verdict", "Verdict", false},
			{"n_units", "Units (n)", true}, {"passed_units", "Passed (x)", true}, {"estimate", "Estimate", true},
			{"ci_lower", "CI low", true}, {"ci_upper", "CI high", true}, {"unit", "Unit", false}, {"reason", "Reason", false}, {"runs", "Runs", true}}}
	for _, r := range m.Rows {
		mean := r.Rule == models.MeanLowerBound
		unit, scale, dec := "%", 100.0, 1
		if mean {
			unit, scale, dec = "h", 1, 2
		}
		if r.Kind == models.FieldTrial {
			unit, scale, dec = fieldUnit(r.Metric)
			if unit != "%" {
				unit = cs.Word(unit)
			}
		}
		row := matrixRow{Title: cs.Text(r.Title), Rule: ruleText(r)}
		for _, cl := range r.Cells {
			est, lo, hi := scaled(cl.Estimate, scale, dec), cell{Text: missing}, cell{Text: missing}
			if cl.CI != nil {
				lo, hi = numCell(cl.CI.Lower*scale, dec), numCell(cl.CI.Upper*scale, dec)
			}
			runs := cell{Text: "0", Num: ptrTo(0)}
			if len(cl.Runs) > 0 {
				// The count is every matching run; the link lists each unit's latest 50.
				runs = cell{Text: strconv.Itoa(cl.RunsTotal), Num: ptrTo(float64(cl.RunsTotal)), Href: runsHref(cl.Runs, cs.blind)}
			}
			target := cell{Text: missing}
			if r.Target != nil {
				target = numCell(*r.Target*scale, dec)
			}
			// Kinds and verdicts are the API's codes in exports, words on the page.
			v.Cells.Rows = append(v.Cells.Rows, []cell{textCell(cs.Text(r.Title)), {Text: cs.Word(string(r.Kind)), Export: string(r.Kind)}, textCell(r.Rule), target,
				numCell(r.Confidence, 3), intCell(r.MinUnits), {Text: cs.Label(cl.Handset), Export: cs.Key(cl.Handset)},
				{Text: cs.Word(string(cl.Verdict)), Export: string(cl.Verdict)},
				intCell(cl.NUnits), intCell(cl.PassedUnits), est, lo, hi, textCell(unit), textCell(cs.reason(cl.Why, cl.Reason)), runs})

			// The grid shows the same cells, composed.
			g := cs.verdictCell(&cl.Verdict)
			g.Class = "verdict " + string(cl.Verdict)
			numbers := cs.T("%d/%d units", cl.PassedUnits, cl.NUnits)
			if mean {
				numbers = fmt.Sprintf("n = %d", cl.NUnits)
			}
			if cl.Field != nil {
				numbers = fieldNumbers(cs, r.Metric, cl)
			}
			if est.Num != nil {
				numbers += fmt.Sprintf(" · %s %s", est.Text, unit)
			}
			if cl.CI != nil {
				numbers += fmt.Sprintf(" [%s, %s]", lo.Text, hi.Text)
			}
			g.Small = numbers
			if cl.Reason != "" {
				g.Small += " — " + cs.reason(cl.Why, cl.Reason)
			}
			if len(cl.Runs) > 0 {
				g.Href = runs.Href
			}
			if ch, ok := changed[[2]string{r.Key, cl.Handset}]; ok {
				g.Class += " changed"
				if ch.From != nil {
					g.Small += cs.T(" (was %s)", cs.verdictWord(*ch.From))
				} else {
					g.Small += cs.T(" (new requirement)")
				}
			}
			row.Cells = append(row.Cells, g)
		}
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

func scaled(v *float64, scale float64, dec int) cell {
	if v == nil {
		return cell{Text: missing}
	}
	return numCell(*v*scale, dec)
}

// verdictCell shows a verdict in words ("not met"), in the page's
// language; exports carry the words in English.
func (c *cast) verdictCell(v *verdict.Verdict) cell {
	if v == nil {
		return cell{Text: missing}
	}
	return cell{Text: c.verdictWord(*v), Class: "verdict " + string(*v)}
}

// verdictWord is a verdict in words: "met", "not met", "inconclusive".
func (c *cast) verdictWord(v verdict.Verdict) string {
	return c.Word(strings.ReplaceAll(string(v), "_", " "))
}

// reason is a verdict's reason in the page's language: why, worded (say),
// or the English text when there is no worded form (a reason built by
// older code); candidate names hidden in blind mode.
func (c *cast) reason(why models.Msgs, english string) string {
	if len(why) == 0 {
		return c.Text(english)
	}
	return c.Say(why)
}

// ruleText says how a requirement decides, in words.
func ruleText(r verdict.Row) string {
	conf := strconv.FormatFloat(r.Confidence*100, 'f', -1, 64) + " %"
	switch r.Rule {
	case models.AllUnits:
		return fmt.Sprintf("every unit passes, n ≥ %d", r.MinUnits)
	case models.LowerBound:
		if r.Target != nil {
			return fmt.Sprintf("Wilson %s lower bound ≥ %s %%, n ≥ %d", conf, fmtFloat(*r.Target*100), r.MinUnits)
		}
	case models.MeanLowerBound:
		if r.Target != nil && r.Kind == models.FieldTrial {
			return fmt.Sprintf("%s t lower bound of the SUS mean ≥ %s, respondents ≥ %d", conf, fmtFloat(*r.Target), r.MinUnits)
		}
		if r.Target != nil {
			return fmt.Sprintf("%s t lower bound of the mean ≥ %s h, n ≥ %d", conf, fmtFloat(*r.Target), r.MinUnits)
		}
	case models.UpperBound:
		if r.Target != nil {
			return fmt.Sprintf("exact Poisson %s upper bound ≤ %s incidents per 1000 device-days, units ≥ %d", conf, fmtFloat(*r.Target), r.MinUnits)
		}
	}
	return r.Rule
}

// fieldUnit is how a field metric's estimate is shown: its unit, the
// scale from the API's figure, and decimals.
func fieldUnit(metric string) (string, float64, int) {
	switch metric {
	case models.IncidentRate:
		return "/1000 device-days", 1, 2
	case models.SUSMean:
		return "SUS", 1, 1
	}
	return "%", 100, 1 // shifts_lasted: a share
}

// fieldNumbers is the grid's count line of a field cell.
func fieldNumbers(cs *cast, metric string, cl verdict.Cell) string {
	f := cl.Field
	switch metric {
	case models.IncidentRate:
		return cs.Word(fmt.Sprintf("%d incident(s) in %d device-days, %d unit(s)", f.Incidents, f.DeviceDays, cl.NUnits))
	case models.ShiftsLasted:
		return cs.Word(fmt.Sprintf("%d/%d shifts lasted, %d unit(s)", f.Lasted, f.Shifts, cl.NUnits))
	}
	return cs.Word(fmt.Sprintf("%d respondent(s)", f.Respondents))
}
