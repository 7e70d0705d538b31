package handlers

import (
	"context"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/award"
	"ruggedlab/charts"
	"ruggedlab/i18n"
	"ruggedlab/models"
)

// awardPageQuery is the award page's query (the API's scheme, draws and
// seed), shared by the page and its exports.
type awardPageQuery struct {
	id   string
	q    awardQuery
	cast *cast
}

func (p *pages) readAward(c *gin.Context) (awardPageQuery, string, error) {
	cs, err := newCast(c.Request.Context(), p.s.Store, isBlind(c))
	if err != nil {
		return awardPageQuery{}, "", err
	}
	var errs models.FieldErrors
	q := awardPageQuery{id: c.Param("id"), q: awardParams(c, &errs), cast: cs}
	return q, "", errs.Err("the award request is not valid")
}

// url is the canonical URL of the award (suffix "" for the page,
// "/export.csv" for an export). Permalinks fix the scheme version (resolved
// to its number once known), the draws and the seed.
func (q awardPageQuery) url(suffix string) string {
	v := ""
	if q.q.Scheme > 0 {
		v = strconv.Itoa(q.q.Scheme)
	}
	return withQuery("/profiles/"+url.PathEscape(q.id)+"/award"+suffix, "scheme", v, "draws", strconv.Itoa(q.q.Draws),
		"seed", strconv.FormatUint(q.q.Seed, 10), "blind", blindParam(q.cast.blind))
}

// awardView is the award page.
type awardView struct {
	chrome
	Name       string // the profile
	ProfileID  string
	Scheme     string
	Version    int
	Versions   []versionLink
	Draws      int
	Seed       string
	MaxDraws   int
	MinDraws   int
	Method     string
	Sentence   string
	Winner     string
	Charts     []template.HTML
	Gates      table
	Scores     table
	Ranks      table
	Stability  table
	Criteria   table
	NoneInPlay bool
}

// award serves GET /profiles/{id}/award.
func (p *pages) award() gin.HandlerFunc {
	return htmlPage(p, "award.html", p.readAward, p.buildAward)
}

// awardExport serves the award page's tables as CSV or JSON.
func (p *pages) awardExport(format string) gin.HandlerFunc {
	return exportPage(p, format, "/award?", p.readAward, p.buildAward, func(q awardPageQuery, v awardView) (string, exportDoc) {
		doc := exportDoc{Meta: map[string]any{"page": "award", "profile": v.Name, "profile_id": v.ProfileID, "scheme": v.Scheme,
			"scheme_version": v.Version, "draws": v.Draws, "seed": v.Seed, "weight_method": v.Method, "blind": q.cast.blind,
			"winner": v.Winner, "permalink": v.Permalink}}
		doc.Sections = []exportSection{{Title: fmt.Sprintf("%s, scheme version %d", v.Scheme, v.Version),
			Tables: []table{v.Criteria, v.Gates, v.Scores, v.Ranks, v.Stability}}}
		return fmt.Sprintf("profile-%s-scheme%d-award.%s", q.id, v.Version, format), doc
	})
}

// buildAward computes the award with the API's function (awardReport), so
// every figure on the page is the API's.
func (p *pages) buildAward(ctx context.Context, q awardPageQuery) (awardView, error) {
	cs := q.cast.in(ctx) // an export's view speaks English (exportPage)
	rep, err := p.s.awardReport(ctx, q.id, q.q)
	if err != nil {
		return awardView{}, err
	}
	q.q.Scheme = rep.Scheme.Version // the permalink pins the version shown
	schemes, err := p.s.Store.Schemes(ctx, q.id)
	if err != nil {
		return awardView{}, err
	}
	name := cs.Text(rep.Profile.Name)
	v := awardView{chrome: newChrome(name+": award", "profiles", cs.blind), Name: name, ProfileID: rep.Profile.ID,
		Scheme: cs.Text(rep.Scheme.Name), Version: rep.Scheme.Version, Draws: rep.Draws, Seed: strconv.FormatUint(rep.Seed, 10),
		MaxDraws: award.MaxDraws, MinDraws: award.MinDraws, Method: rep.WeightMethod}
	v.Wide, v.HasCharts = true, true
	v.Permalink = q.url("")
	v.Exports = exportLinks(q.url("/export.csv"), q.url("/export.json"))
	if !cs.blind {
		bq := q
		bq.cast = cs.asBlind()
		v.BlindToggle = bq.url("")
	}
	for _, sc := range schemes {
		vq := q
		vq.q.Scheme = sc.Version
		v.Versions = append(v.Versions, versionLink{N: sc.Version, Href: vq.url(""), Current: sc.Version == rep.Scheme.Version})
	}
	label := func(code string) string {
		if code == "" {
			return ""
		}
		return cs.Label(code)
	}
	if rep.Winner != nil {
		v.Winner = label(*rep.Winner)
	}
	candCell := func(code string) cell {
		return cell{Text: label(code), Export: cs.Key(code), Color: charts.Color(cs.Index(code)), Href: handsetHref(cs, code)}
	}

	// The scheme's criteria.
	v.Criteria = table{ID: "criteria", Caption: "Criteria of the scheme: the published weight is the table's; SMAA draws the weight from its range",
		Columns: []column{{"criterion", "Criterion", false}, {"source", "Source", false}, {"direction", "Better", false},
			{"value_function", "Value function", false}, {"weight_pct", "Weight %", true}, {"weight_lo_pct", "Range from %", true},
			{"weight_hi_pct", "Range to %", true}}}
	for _, cr := range rep.Criteria {
		// The source and the direction are the scheme's codes, named in
		// words; a requirement's key stays as the profile writes it.
		src := cs.Word(cr.Source)
		if cr.Requirement != "" {
			src = cs.T("requirement %s", cr.Requirement)
		}
		fn := cs.T("lowest ÷ offered")
		if cr.ValueFunction == award.Linear {
			fn = cs.T("linear %s → %s", cs.dec(fnum(*cr.Worst)), cs.dec(fnum(*cr.Best)))
		}
		v.Criteria.Rows = append(v.Criteria.Rows, []cell{textCell(cs.Text(cr.Title)), textCell(cs.Text(src)), textCell(cs.Word(cr.Direction)),
			textCell(fn), pctCell(cr.Weight), pctCell(cr.WeightRange[0]), pctCell(cr.WeightRange[1])})
	}

	// Gates.
	v.Gates = table{ID: "gates", Caption: "Mandatory requirements (gates): a candidate that does not meet one is out of the award",
		Columns: []column{{"candidate", "Candidate", false}, {"in_award", "In the award", false}, {"reason", "Reason", false}, {"flags", "Flags", false}}}
	inPlay := 0
	for _, cd := range rep.Candidates {
		in, cls := "yes", "verdict met"
		if cd.Excluded {
			in, cls = "no: excluded", "verdict not_met"
		} else {
			inPlay++
			if len(cd.Flags) > 0 {
				in, cls = "yes, flagged", "verdict inconclusive"
			}
		}
		flags := cs.Text(strings.Join(cd.Flags, "; "))
		if len(cd.FlagsWhy) == len(cd.Flags) && len(cd.Flags) > 0 {
			flags = cs.Say(models.JoinMsgs(cd.FlagsWhy))
		}
		v.Gates.Rows = append(v.Gates.Rows, []cell{candCell(cd.Handset), {Text: cs.Word(in), Class: cls}, textCell(cs.reason(cd.Why, cd.Reason)),
			textCell(flags)})
	}
	v.NoneInPlay = inPlay == 0

	// The deterministic table.
	v.Scores = table{ID: "scores", Caption: "Deterministic award table: value, points (0–1) and weighted points per criterion, score and rank, with the published weights"}
	v.Scores.Translated = true // criterion titles are the scheme's own words
	v.Scores.Columns = []column{{"candidate", cs.T("Candidate"), false}}
	for _, cr := range rep.Criteria {
		t := cs.Text(cr.Title)
		unit := ""
		if cr.Unit != "" {
			unit = " (" + cs.Text(cr.Unit) + ")"
		}
		v.Scores.Columns = append(v.Scores.Columns, column{cr.Key + "_value", t + unit, true}, column{cr.Key + "_points", t + cs.T(": points"), true},
			column{cr.Key + "_weighted", t + cs.T(": weighted"), true})
	}
	v.Scores.Columns = append(v.Scores.Columns, column{"score", cs.T("Score"), true}, column{"rank", cs.T("Rank"), true})
	for _, cd := range rep.Candidates {
		row := []cell{candCell(cd.Handset)}
		for j := range rep.Criteria {
			val := optCell(cd.Values[j], 3)
			if cd.Describe[j] != "" {
				val.Small = cs.known(cs.Text(cd.Describe[j]))
			}
			pts, w := cell{Text: missing}, cell{Text: missing}
			if j < len(cd.Points) {
				pts, w = numCell(cd.Points[j], 4), numCell(cd.Weighted[j], 4)
			}
			row = append(row, val, pts, w)
		}
		row = append(row, optCell(cd.Score, 4), optIntCell(cd.Rank))
		v.Scores.Rows = append(v.Scores.Rows, row)
	}

	// SMAA-2.
	ranks := inPlay
	v.Ranks = table{ID: "rank-acceptability", Caption: fmt.Sprintf("Rank acceptability: share of %d draws (seed %d, weights %s) giving each rank, ± Monte Carlo standard error; confidence factor: P(first) with its central weights",
		rep.Draws, rep.Seed, rep.WeightMethod)}
	v.Ranks.Columns = []column{{"candidate", "Candidate", false}}
	for r := 1; r <= ranks; r++ {
		v.Ranks.Columns = append(v.Ranks.Columns, column{"p_rank" + strconv.Itoa(r) + "_pct", "Rank " + strconv.Itoa(r) + " %", true},
			column{"p_rank" + strconv.Itoa(r) + "_se_pct", "± SE %", true})
	}
	v.Ranks.Columns = append(v.Ranks.Columns, column{"confidence_factor_pct", "Confidence factor %", true}, column{"central_weights", "Central weights", false})
	var bars []charts.RankBar
	var first *award.CandidateReport
	for i := range rep.Candidates {
		cd := &rep.Candidates[i]
		if cd.Excluded {
			continue
		}
		row := []cell{candCell(cd.Handset)}
		for r := range ranks {
			row = append(row, pctCell(cd.RankAcceptability[r]), pctCell(cd.RankAcceptabilitySE[r]))
		}
		cf := cell{Text: missing}
		if cd.Confidence != nil {
			cf = pctCell(*cd.Confidence)
		}
		var cw []string
		for _, cr := range rep.Criteria {
			if w, ok := cd.CentralWeights[cr.Key]; ok {
				cw = append(cw, cs.T("%s %s %%", cr.Key, cs.dec(strconv.FormatFloat(100*w, 'f', 1, 64))))
			}
		}
		row = append(row, cf, textCell(strings.Join(cw, ", ")))
		v.Ranks.Rows = append(v.Ranks.Rows, row)
		bars = append(bars, charts.RankBar{Label: label(cd.Handset), Acceptability: cd.RankAcceptability})
		if first == nil || cd.RankAcceptability[0] > first.RankAcceptability[0] {
			first = cd
		}
	}

	// Weight stability.
	v.Stability = table{ID: "weight-stability", Caption: "Weight stability: the range of each criterion's weight over which the deterministic winner stays first (the other weights rescaled proportionally), and who overtakes at each end",
		Columns: []column{{"criterion", "Criterion", false}, {"weight_pct", "Published weight %", true}, {"stays_from_pct", "Stays first from %", true},
			{"stays_to_pct", "to %", true}, {"below", "Below: overtaken by", false}, {"above", "Above: overtaken by", false}}}
	type stab struct {
		bar   charts.StabilityBar
		width float64
	}
	var stabs []stab
	for _, cr := range rep.Criteria {
		nobody := func(code string) string {
			if code == "" {
				return cs.T("nobody")
			}
			return label(code)
		}
		v.Stability.Rows = append(v.Stability.Rows, []cell{textCell(cs.Text(cr.Title)), pctCell(cr.Weight), pctCell(cr.Stability.Lo),
			pctCell(cr.Stability.Hi), textCell(nobody(cr.Stability.RivalLo)), textCell(nobody(cr.Stability.RivalHi))})
		lo, hi := min(cr.Stability.Lo, cr.Weight), max(cr.Stability.Hi, cr.Weight)
		stabs = append(stabs, stab{charts.StabilityBar{Label: cs.Text(cr.Title), Lo: lo, Hi: hi, Weight: cr.Weight}, hi - lo})
	}

	pt := i18n.FromContext(ctx)
	if rep.Winner == nil || first == nil {
		v.Sentence = i18n.TOr(pt, "No candidate is in the award: every one is excluded (see the reasons).")
		return v, nil
	}
	num := func(s string) string { // the page's decimal mark
		if pt == nil {
			return s
		}
		return pt.Decimal(s)
	}
	w := rep.Candidates[slices.IndexFunc(rep.Candidates, func(c award.CandidateReport) bool { return c.Handset == *rep.Winner })]
	v.Sentence = i18n.TOr(pt, "%s ranks first in %s %% ± %s %% of %d draws (deterministic winner, score %s).",
		label(w.Handset), num(strconv.FormatFloat(100*w.RankAcceptability[0], 'f', 1, 64)), num(strconv.FormatFloat(100**w.FirstRankSE, 'f', 1, 64)),
		rep.Draws, num(fnum(*w.Score)))
	if first.Handset != w.Handset {
		v.Sentence += i18n.TOr(pt, " %s ranks first more often: %s %%.", label(first.Handset), num(strconv.FormatFloat(100*first.RankAcceptability[0], 'f', 1, 64)))
	}

	// Narrowest range first: the criteria whose weight decides.
	slices.SortStableFunc(stabs, func(a, b stab) int {
		switch {
		case a.width < b.width:
			return -1
		case a.width > b.width:
			return 1
		}
		return 0
	})
	var sb []charts.StabilityBar
	for _, s := range stabs {
		sb = append(sb, s.bar)
	}
	seen := map[string]bool{}
	for i := range sb { // the chart needs distinct labels
		for seen[sb[i].Label] {
			sb[i].Label += " ·"
		}
		seen[sb[i].Label] = true
	}
	rank, err := charts.RankAcceptability("award-ranks", i18n.TOr(pt, "Rank acceptability (%d draws)", rep.Draws), bars)
	if err != nil {
		return v, err
	}
	tornado, err := charts.Tornado("award-stability", "Weight stability of the deterministic winner", sb)
	if err != nil {
		return v, err
	}
	// one heading ("Under uncertainty") over both: each says what it is
	rank.Caption, tornado.Caption = cs.T("Rank acceptability (%d draws)", rep.Draws), cs.T("Weight stability of the deterministic winner")
	v.Charts, err = chartHTML(cs.tr, rank, tornado)
	return v, err
}
