package handlers

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ruggedlab/charts"
	"ruggedlab/i18n"
	"ruggedlab/models"
	"ruggedlab/report"
	"ruggedlab/store"
	"ruggedlab/verdict"
)

// Test reports (issue #13 item 3, api.md §14.4): /profiles/{id}/report.pdf
// and /handsets/{code}/report.pdf. The handlers gather the figures with the
// very calls the matrix and compare pages make (buildMatrix, buildCompare),
// so a report cannot say what the pages do not; package report lays them
// out. Blind accounts get the report the blind matrix page shows:
// candidates as "Candidate A", units as "unit 3", free text masked.

// Lab names the laboratory on its reports (ISO/IEC 17025 §7.8.2.1 b).
type Lab = report.Lab

// DefaultLabName is printed when the serve command was given no lab name.
const DefaultLabName = "Test laboratory (name not configured: ruggedlab serve --lab-name)"

// methodStandards are the methods each kind follows (domain.md §1–§5);
// the runs' own method fields are listed beside them.
var methodStandards = map[models.Kind]string{
	models.Drop:        "MIL-STD-810H Method 516.8 Procedure IV (transit drop); IEC 60068-2-31 Test Ec (free fall, tumbler); EU 2023/1670 repeated free fall",
	models.Temperature: "IEC 60068-2-1 Test A (cold), IEC 60068-2-2 Test B (dry heat), IEC 60068-2-14 Test N (change of temperature); MIL-STD-810H Methods 501.7, 502.7, 503.7",
	models.Ingress:     "IEC 60529 (IP code); ISO 20653 for IP69K",
	models.Battery:     "EU Delegated Regulation 2023/1669 Annex IV (battery endurance per cycle, energy efficiency index); IEC 61960-3",
	models.Repair:      "EU Delegated Regulation 2023/1669 Annex IV point 5 (repairability index and class)",
}

// profileReport serves GET /profiles/{id}/report.pdf with the matrix
// page's query (version, handsets, blind).
func (p *pages) profileReport(c *gin.Context) {
	q, redirect, err := p.readMatrix(c)
	if err != nil {
		p.s.fail(c, err)
		return
	}
	if redirect != "" {
		c.Redirect(http.StatusFound, strings.Replace(redirect, "/matrix", "/report.pdf", 1))
		return
	}
	r, name, err := p.profileReportDoc(c.Request.Context(), q)
	if err == nil {
		err = writePDF(c, name, r)
	}
	if err != nil {
		p.s.fail(c, err)
	}
}

// handsetReport serves GET /handsets/{code}/report.pdf.
func (p *pages) handsetReport(c *gin.Context) {
	blind := isBlind(c)
	cs, err := newCast(c.Request.Context(), p.s.Store, blind)
	if err != nil {
		p.s.fail(c, err)
		return
	}
	code, isCode, ok := cs.resolve(c.Param("code"))
	if !ok {
		msg := "no candidate " + strconv.Quote(c.Param("code"))
		if blind {
			msg = "no such candidate"
		}
		p.s.fail(c, models.Errorf(models.NotFound, "%s", msg))
		return
	}
	if blind && isCode {
		c.Redirect(http.StatusFound, withQuery("/handsets/"+cs.Ref(code)+"/report.pdf", "blind", "1"))
		return
	}
	r, name, err := p.handsetReportDoc(c.Request.Context(), cs, code)
	if err == nil {
		err = writePDF(c, name, r)
	}
	if err != nil {
		p.s.fail(c, err)
	}
}

func writePDF(c *gin.Context, name string, r report.Report) error {
	b, err := report.Render(r)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", contentDisposition(name))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "application/pdf", b)
	return nil
}

// reportText is the report's language for one request.
type reportText struct {
	tr  *i18n.Printer
	cat *i18n.Catalog
}

func (p *pages) reportText(ctx context.Context) reportText {
	return reportText{tr: i18n.FromContext(ctx), cat: p.s.catalog()}
}

// T translates a fixed text of the report.
func (rt reportText) T(key string, args ...any) string { return i18n.TOr(rt.tr, key, args...) }

// Data translates a text built from data (a rule, a reason, a verdict)
// when the catalogue knows it or its pattern, and otherwise only gives its
// numbers the language's decimal mark.
func (rt reportText) Data(s string) string {
	if rt.tr == nil || rt.tr.Lang == i18n.EN || s == "" {
		return s
	}
	if rt.cat.Has(s) {
		return rt.tr.Text(s)
	}
	if pat, nums := i18n.Pattern(s); len(nums) > 0 && rt.cat.Has(pat) {
		return rt.tr.Text(s)
	}
	return rt.tr.Decimal(s)
}

func (rt reportText) Num(s string) string {
	if rt.tr == nil {
		return s
	}
	return rt.tr.Decimal(s)
}

func (rt reportText) dateTime(t time.Time) string {
	if rt.tr == nil {
		return t.UTC().Format("2006-01-02 15:04")
	}
	return rt.tr.DateTime(t)
}

// reportRuns are the runs a report covers, read whole (method, dates,
// who), retracted included.
type reportRuns struct {
	all     []models.Run
	counted map[string]bool
}

// readReportRuns reads every run of the handsets of the kinds (nil: all).
func (p *pages) readReportRuns(ctx context.Context, codes []string, kinds []models.Kind) ([]models.Run, error) {
	var out []models.Run
	for _, code := range codes {
		f := store.RunFilter{Handset: code, IncludeRetracted: true, Page: store.Page{Limit: store.MaxLimit}}
		for {
			runs, next, err := p.s.Store.Runs(ctx, f)
			if err != nil {
				return nil, err
			}
			for _, r := range runs {
				if kinds == nil || slices.Contains(kinds, r.Kind) {
					out = append(out, r)
				}
			}
			if next == "" {
				break
			}
			f.Cursor = next
		}
	}
	slices.SortFunc(out, func(a, b models.Run) int {
		return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// reportID is unique per subject, issue time and evidence: the digest
// covers every run's id, revision, status and review state, so two reports
// of the same second on different evidence differ.
func reportID(kind, subject string, issued time.Time, runs []models.Run) string {
	h := sha256.New()
	for _, r := range runs {
		fmt.Fprintf(h, "%s/%d/%s/%s\n", r.ID, r.Revision, r.Status, r.ReviewOf().State)
	}
	sum := hex.EncodeToString(h.Sum(nil))[:8]
	return fmt.Sprintf("RL-%s-%s-%s-%s", kind, subject, issued.UTC().Format("20060102T150405Z"), sum)
}

// testDates bounds the runs' start and end dates.
func testDates(runs []models.Run) (*time.Time, *time.Time) {
	var from, to *time.Time
	for _, r := range runs {
		s, e := r.StartedAt, r.EndedAt
		if e.IsZero() {
			e = s
		}
		if from == nil || s.Before(*from) {
			from = &s
		}
		if to == nil || e.After(*to) {
			to = &e
		}
	}
	return from, to
}

// candidatesSection lists the candidates and their units (§7.8.2.1 e).
func (p *pages) candidatesSection(ctx context.Context, rt reportText, cs *cast, codes []string) (report.Section, error) {
	if err := cs.loadUnits(ctx, p.s.Store, codes); err != nil {
		return report.Section{}, err
	}
	units, err := p.s.Store.UnitsOf(ctx, codes)
	if err != nil {
		return report.Section{}, err
	}
	byCode := map[string]models.Handset{}
	for _, h := range cs.Handsets() {
		byCode[h.Code] = h
	}
	t := report.Table{Header: []string{rt.T("Candidate"), rt.T("Name"), rt.T("Manufacturer"), rt.T("Form factor"), rt.T("Units tested")},
		Weights: []float64{1.2, 1.4, 1.2, 0.9, 3}}
	for _, code := range codes {
		h := byCode[code]
		name, maker := h.Name, h.Manufacturer
		if cs.blind {
			name, maker = rt.T("masked (blind evaluation)"), rt.T("masked (blind evaluation)")
		}
		var us []string
		for _, u := range units[code] {
			us = append(us, cs.Unit(code, u.Serial))
		}
		t.Rows = append(t.Rows, []string{cs.Key(code), name, maker, h.FormFactor, strings.Join(us, ", ")})
	}
	s := report.Section{Heading: rt.T("Items tested"), Tables: []report.Table{t}}
	if cs.blind {
		s.Text = append(s.Text, rt.T("Blind evaluation: candidates are named by letter and units by their place in serial order; names, makers and serials are withheld until the profile is unmasked."))
	}
	return s, nil
}

// methodsSection names each kind's standards and the methods and
// deviations recorded on the runs (§7.8.2.1 d, §7.8.3.1 a).
func methodsSection(rt reportText, cs *cast, kinds []models.Kind, runs []models.Run) report.Section {
	t := report.Table{Header: []string{rt.T("Kind"), rt.T("Standards"), rt.T("Methods recorded on the runs (runs)")}, Weights: []float64{0.8, 3, 2.4}}
	var deviations []string
	for _, k := range kinds {
		count := map[string]int{}
		var names []string
		for _, r := range runs {
			if r.Kind != k {
				continue
			}
			m := strings.TrimSpace(cs.Text(r.Method))
			if m == "" {
				m = rt.T("not recorded")
			}
			if count[m] == 0 {
				names = append(names, m)
			}
			count[m]++
			if d := strings.TrimSpace(r.Deviations); d != "" {
				deviations = append(deviations, r.ID+": "+cs.Text(d))
			}
		}
		var parts []string
		for _, n := range names {
			parts = append(parts, fmt.Sprintf("%s (%d)", n, count[n]))
		}
		t.Rows = append(t.Rows, []string{rt.Data(string(k)), rt.Data(methodStandards[k]), strings.Join(parts, "; ")})
	}
	s := report.Section{Heading: rt.T("Methods"), Tables: []report.Table{t}}
	if len(deviations) == 0 {
		s.Text = append(s.Text, rt.T("Deviations from the methods: none recorded."))
	} else {
		dt := report.Table{Caption: rt.T("Deviations from the methods, as recorded on the runs"), Header: []string{rt.T("Run: deviation")}, FontSize: 6.5}
		for _, d := range deviations {
			dt.Rows = append(dt.Rows, []string{d})
		}
		s.Tables = append(s.Tables, dt)
	}
	return s
}

// recordsSection says who recorded and who reviewed, and lists every
// amended or retracted run with its reason (§7.5.2, §7.8.2.1 o).
func (p *pages) recordsSection(ctx context.Context, rt reportText, cs *cast, runs []models.Run, counted map[string]bool) (report.Section, error) {
	recorders, reviewers := map[string]int{}, map[string]int{}
	states := map[models.ReviewState]int{}
	for _, r := range runs {
		if r.Status != models.Active {
			continue
		}
		recorders[cmp.Or(r.RecordedBy, r.Technician)]++
		rv := r.ReviewOf()
		states[rv.State]++
		if rv.By != "" {
			reviewers[rv.By+" ("+rt.Data(string(rv.State))+")"]++
		}
	}
	list := func(m map[string]int) string {
		var out []string
		for _, k := range sortedKeys(m) {
			out = append(out, fmt.Sprintf("%s: %d", k, m[k]))
		}
		if len(out) == 0 {
			return rt.T("none")
		}
		return strings.Join(out, "; ")
	}
	s := report.Section{Heading: rt.T("Records and review")}
	s.Tables = append(s.Tables, report.Table{Header: []string{rt.T("Who"), rt.T("Active runs")}, Weights: []float64{1, 3},
		Rows: [][]string{{rt.T("Recorded by"), list(recorders)}, {rt.T("Reviewed by"), list(reviewers)},
			{rt.T("Review state"), fmt.Sprintf("%s: %d; %s: %d; %s: %d", rt.Data("verified"), states[models.Verified],
				rt.Data("recorded"), states[models.Recorded], rt.Data("rejected"), states[models.Rejected])}}})
	t := report.Table{Caption: rt.T("Amended and retracted runs"), Empty: rt.T("No run was amended or retracted."),
		Header:  []string{rt.T("Run"), rt.T("Candidate"), rt.T("Unit"), rt.T("Kind"), rt.T("Status"), rt.T("Rev."), rt.T("Last change by, at"), rt.T("Reason")},
		Weights: []float64{3.4, 1, 0.9, 0.8, 0.8, 0.5, 1.5, 1.7}, Num: []bool{false, false, false, false, false, true}, FontSize: 6.5}
	for _, r := range runs {
		if r.Revision <= 1 && r.Status == models.Active {
			continue
		}
		revs, err := p.s.Store.Revisions(ctx, r.ID)
		if err != nil {
			return s, err
		}
		by, reason := "", ""
		if len(revs) > 0 {
			last := revs[len(revs)-1]
			by, reason = last.RecordedBy+", "+rt.dateTime(last.RecordedAt)+" UTC", cs.Text(last.Reason)
		}
		status := rt.T("amended")
		if r.Status == models.Retracted {
			status = rt.T("retracted")
		}
		t.Rows = append(t.Rows, []string{r.ID, cs.Key(r.Handset), cs.Unit(r.Handset, r.Unit), rt.Data(string(r.Kind)), status,
			strconv.Itoa(r.Revision), by, reason})
	}
	s.Tables = append(s.Tables, t)
	return s, nil
}

// incidentsTable says, per field trial, how its incidents were reviewed:
// a field requirement counts verified ones and the profile's evidence rule
// says whether recorded ones count too, so the reader sees what was left.
func (p *pages) incidentsTable(ctx context.Context, rt reportText, cs *cast) (report.Table, error) {
	t := report.Table{Caption: rt.T("Field incidents and their review"), Empty: rt.T("No field trial is recorded."),
		Header:  []string{rt.T("Field trial"), rt.T("Verified"), rt.T("Awaiting review"), rt.T("Rejected"), rt.T("Retracted"), rt.T("Reviewed by")},
		Weights: []float64{2, 0.8, 0.9, 0.8, 0.8, 2.2}, Num: []bool{false, true, true, true, true}}
	trials, err := p.s.Store.Trials(ctx)
	if err != nil {
		return t, err
	}
	for _, tr := range trials {
		incs, err := p.s.Store.Incidents(ctx, tr.ID)
		if err != nil {
			return t, err
		}
		states, reviewers := map[models.ReviewState]int{}, map[string]int{}
		retracted := 0
		for _, in := range incs {
			if in.Retracted {
				retracted++
				continue
			}
			states[in.Review.State]++
			if in.Review.By != "" {
				reviewers[in.Review.By]++
			}
		}
		var by []string
		for _, k := range sortedKeys(reviewers) {
			by = append(by, fmt.Sprintf("%s: %d", k, reviewers[k]))
		}
		t.Rows = append(t.Rows, []string{cs.Text(tr.Name), strconv.Itoa(states[models.Verified]), strconv.Itoa(states[models.Recorded]),
			strconv.Itoa(states[models.Rejected]), strconv.Itoa(retracted), cmp.Or(strings.Join(by, "; "), rt.T("none"))})
	}
	return t, nil
}

// annexRuns lists the counted runs, for tracing each figure to its runs.
func annexRuns(rt reportText, cs *cast, runs []models.Run, counted map[string]bool) report.Section {
	t := report.Table{Header: []string{rt.T("Run"), rt.T("Candidate"), rt.T("Unit"), rt.T("Kind"), rt.T("Started (UTC)"), rt.T("Rev."), rt.T("Recorded by"), rt.T("Review")},
		Weights: []float64{3, 1, 0.9, 0.8, 1.1, 0.4, 0.8, 1.2}, Num: []bool{false, false, false, false, false, true}, Empty: rt.T("No run counts."), FontSize: 6.5}
	for _, r := range runs {
		if !counted[r.ID] {
			continue
		}
		rv := r.ReviewOf()
		review := rt.Data(string(rv.State))
		if rv.By != "" {
			review += " (" + rv.By + ")"
		}
		t.Rows = append(t.Rows, []string{r.ID, cs.Key(r.Handset), cs.Unit(r.Handset, r.Unit), rt.Data(string(r.Kind)),
			rt.dateTime(r.StartedAt), strconv.Itoa(r.Revision), cmp.Or(r.RecordedBy, r.Technician), review})
	}
	return report.Section{Heading: rt.T("Annex: the runs counted"), Text: []string{rt.T("Every run below counts in at least one result above; the evidence pack holds each with all its revisions.")},
		Tables: []report.Table{t}}
}

// profileReportDoc gathers the profile report from the matrix page's view.
func (p *pages) profileReportDoc(ctx context.Context, q matrixQuery) (report.Report, string, error) {
	rt := p.reportText(ctx)
	cs := q.cast
	v, err := p.buildMatrix(ctx, q)
	if err != nil {
		return report.Report{}, "", err
	}
	m, err := p.s.matrix(ctx, q.id, v.Version, q.codes)
	if err != nil {
		return report.Report{}, "", err
	}
	prof, err := p.s.Store.Profile(ctx, q.id, v.Version)
	if err != nil {
		return report.Report{}, "", err
	}
	kinds := profileKinds(prof)
	runs, err := p.readReportRuns(ctx, m.Handsets, kinds)
	if err != nil {
		return report.Report{}, "", err
	}
	counted := map[string]bool{}
	for _, row := range m.Rows {
		for _, cl := range row.Cells {
			for _, id := range cl.Runs {
				counted[id] = true
			}
		}
	}
	var countedRuns []models.Run
	for _, r := range runs {
		if counted[r.ID] {
			countedRuns = append(countedRuns, r)
		}
	}
	now := p.s.Now()
	r := report.Report{Tr: rt.tr, Lab: p.s.lab(), Issued: now, Title: rt.T("Test report"),
		ID:      reportID("P", q.id+"-v"+strconv.Itoa(v.Version), now, runs),
		Subject: rt.T("Requirement profile %s, version %d: %d candidate(s)", v.Name, v.Version, len(m.Handsets))}
	r.TestedFrom, r.TestedTo = testDates(countedRuns)

	cand, err := p.candidatesSection(ctx, rt, cs, m.Handsets)
	if err != nil {
		return r, "", err
	}
	r.Sections = append(r.Sections, cand, methodsSection(rt, cs, kinds, countedRuns))

	// Decision rules (§7.8.6.1): how each verdict is reached.
	rules := report.Table{Header: []string{rt.T("Requirement"), rt.T("Kind"), rt.T("Decision rule")}, Weights: []float64{2, 0.8, 3.2}}
	for i, row := range m.Rows {
		rules.Rows = append(rules.Rows, []string{v.Rows[i].Title, rt.Data(string(row.Kind)), rt.Data(v.Rows[i].Rule)})
	}
	evidence := rt.T("Evidence rule: every active run counts; retracted runs are left out.")
	if m.Evidence == models.EvidenceVerified {
		evidence = rt.T("Evidence rule: only runs a second person verified count; the others are left out and each cell says how many.")
	}
	matrix := report.Table{Caption: rt.T("Verdicts"), Header: []string{rt.T("Requirement")}, Weights: []float64{2.2}}
	for _, c := range v.Candidates {
		matrix.Header = append(matrix.Header, c.Text)
		matrix.Weights = append(matrix.Weights, 1)
	}
	for _, row := range v.Rows {
		line := []string{row.Title}
		for _, c := range row.Cells {
			line = append(line, rt.Data(c.Text))
		}
		matrix.Rows = append(matrix.Rows, line)
	}
	if len(m.Rows) == 0 {
		matrix.Empty = rt.T("This version has no requirements.")
	}
	verdicts := report.Section{Heading: rt.T("Verdicts and decision rules"), Text: []string{
		rt.T("A statement of conformity covers the requirement it names only, for the units tested. Units are counted, not runs: a unit passes a requirement when all its matching runs pass."),
		evidence}, Tables: []report.Table{rules, matrix}}
	if len(countedRuns) == 0 {
		verdicts.Text = append(verdicts.Text, rt.T("No evidence yet: no run matches any requirement, so every verdict is inconclusive."))
	}
	r.Sections = append(r.Sections, verdicts)

	// Results (§7.8.2.1 n): the matrix page's cell table, column by column.
	results := report.Section{Heading: rt.T("Results"), Text: []string{rt.T("The results relate only to the items tested. Intervals are two-sided at each requirement's confidence level: Wilson for proportions, Student t for means.")},
		Tables: []report.Table{pageTable(rt, v.Cells, []string{"requirement", "candidate", "verdict", "n_units", "passed_units", "estimate", "ci_lower", "ci_upper", "unit", "reason"},
			[]float64{1.8, 1, 1, 0.75, 0.75, 0.8, 0.7, 0.7, 0.5, 2.3})}}
	results.Charts = matrixCharts(rt, cs, m)
	kmCharts, err := p.kmCharts(ctx, rt, cs, m.Handsets)
	if err != nil {
		return r, "", err
	}
	results.Charts = append(results.Charts, kmCharts...)
	r.Sections = append(r.Sections, results)

	rec, err := p.recordsSection(ctx, rt, cs, runs, counted)
	if err != nil {
		return r, "", err
	}
	if hasField(prof) {
		t, err := p.incidentsTable(ctx, rt, cs)
		if err != nil {
			return r, "", err
		}
		rec.Tables = append(rec.Tables, t)
	}
	r.Sections = append(r.Sections, rec, annexRuns(rt, cs, runs, counted))
	return r, fmt.Sprintf("report-profile-%s-v%d.pdf", q.id, v.Version), nil
}

// pageTable turns a page table into a report table, keeping the columns
// named by keys in that order; figures get the language's decimal mark.
func pageTable(rt reportText, t table, keys []string, weights []float64) report.Table {
	out := report.Table{Caption: rt.Data(t.Caption), Weights: weights, Empty: rt.T("No rows.")}
	var idx []int
	for _, k := range keys {
		for i, c := range t.Columns {
			if c.Key == k {
				idx = append(idx, i)
				label := c.Label
				if !t.Translated {
					label = rt.Data(label)
				}
				out.Header = append(out.Header, label)
				out.Num = append(out.Num, c.Num)
			}
		}
	}
	for _, row := range t.Rows {
		var line []string
		for _, i := range idx {
			c := row[i]
			switch {
			case c.Num != nil:
				line = append(line, rt.Num(c.Text))
			case t.Columns[i].Key == "verdict":
				line = append(line, rt.Data(strings.ReplaceAll(c.Text, "_", " ")))
			case c.Export != "":
				// a candidate by code: the report's candidates table gives
				// the names once, and the narrow result columns stay on one line
				line = append(line, rt.Data(c.Export))
			default:
				line = append(line, rt.Data(c.Text))
			}
		}
		out.Rows = append(out.Rows, line)
	}
	return out
}

// matrixCharts draws the matrix's estimates with their intervals: pass
// rates (%) for proportion rules, mean runtimes (h) for mean rules, five
// requirements to a chart.
func matrixCharts(rt reportText, cs *cast, m verdict.Matrix) []report.Chart {
	var out []report.Chart
	for _, mean := range []bool{false, true} {
		var rows []verdict.Row
		for _, r := range m.Rows {
			if (r.Rule == models.MeanLowerBound) == mean && r.Kind != models.Repair && r.Kind != models.FieldTrial { // field rows: own units, in the table
				rows = append(rows, r)
			}
		}
		for start := 0; start < len(rows); start += 5 {
			part := rows[start:min(start+5, len(rows))]
			scale, title, ylabel, ymax := 100.0, rt.T("Pass rate of units with its interval, by requirement (dashed: target)"), "%", 100.0
			if mean {
				scale, title, ylabel, ymax = 1, rt.T("Mean runtime of units with its interval, by requirement (dashed: target)"), "h", 0
			}
			bc := &report.BarChart{YMax: ymax}
			for _, r := range part {
				bc.Categories = append(bc.Categories, cs.Text(r.Title))
				var target *float64
				if r.Target != nil {
					target = ptrTo(*r.Target * scale)
				}
				bc.Targets = append(bc.Targets, target)
			}
			for hi, code := range m.Handsets {
				s := report.BarSeries{Label: cs.Label(code), Color: charts.Color(cs.Index(code))}
				for _, r := range part {
					cl := r.Cells[hi]
					var b report.Bar
					if cl.Estimate != nil {
						b.Value = ptrTo(*cl.Estimate * scale)
					}
					if cl.CI != nil {
						b.Lower, b.Upper = ptrTo(cl.CI.Lower*scale), ptrTo(cl.CI.Upper*scale)
					}
					s.Values = append(s.Values, b)
				}
				bc.Series = append(bc.Series, s)
			}
			out = append(out, report.Chart{Title: title, YLabel: ylabel, Bars: bc})
		}
	}
	return out
}

// kmCharts draws one Kaplan–Meier chart per repeated-fall drop programme
// of the candidates, from the comparison the compare page makes.
func (p *pages) kmCharts(ctx context.Context, rt reportText, cs *cast, codes []string) ([]report.Chart, error) {
	base := store.EvidenceFilter{Kinds: []models.Kind{models.Drop}, Handsets: codes}
	ev, err := p.s.Store.Evidence(ctx, base)
	if err != nil {
		return nil, err
	}
	groups := map[sectionKey][]models.Run{}
	var keys []sectionKey
	for _, r := range ev.Runs {
		if r.Kind != models.Drop {
			continue
		}
		k := keyOf(r)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	slices.SortFunc(keys, func(a, b sectionKey) int {
		return cmp.Or(cmp.Compare(a.surface, b.surface), cmp.Compare(b.height, a.height))
	})
	var out []report.Chart
	for _, k := range keys {
		if !repeatedFalls(k, groups[k]) {
			continue
		}
		f, _ := k.filter(models.Drop, base)
		res, err := p.s.comparison(ctx, f, verdict.DefaultConfidence)
		if err != nil {
			return nil, err
		}
		title := fmt.Sprintf("%s m onto %s", fmtFloat(k.height), strings.ReplaceAll(k.surface, "_", " "))
		if k.surface == "tumbler" {
			title = fmt.Sprintf("%s m falls in a tumbler", fmtFloat(k.height))
		}
		ch := report.Chart{Title: rt.T("Survival of units against the number of falls (Kaplan–Meier): %s", rt.Data(title)),
			XLabel: rt.T("falls"), YLabel: rt.T("units surviving")}
		for _, d := range res.Drop {
			s := report.StepSeries{Label: cs.Label(d.Handset), Color: charts.Color(cs.Index(d.Handset))}
			for _, st := range d.KM.Steps {
				s.Points = append(s.Points, report.Point{X: st.T, Y: st.Surv})
			}
			ch.Steps = append(ch.Steps, s)
		}
		out = append(out, ch)
	}
	return out, nil
}

// handsetReportDoc gathers one candidate's report: its units, the compare
// page's tables for it kind by kind, and its column of every profile's
// matrix.
func (p *pages) handsetReportDoc(ctx context.Context, cs *cast, code string) (report.Report, string, error) {
	rt := p.reportText(ctx)
	codes := []string{code}
	runs, err := p.readReportRuns(ctx, codes, nil)
	if err != nil {
		return report.Report{}, "", err
	}
	counted := map[string]bool{}
	var active []models.Run
	var kinds []models.Kind
	for _, r := range runs {
		if r.Status == models.Active {
			counted[r.ID] = true
			active = append(active, r)
			if !slices.Contains(kinds, r.Kind) {
				kinds = append(kinds, r.Kind)
			}
		}
	}
	slices.SortFunc(kinds, func(a, b models.Kind) int {
		return cmp.Compare(slices.Index(models.Kinds, a), slices.Index(models.Kinds, b))
	})
	now := p.s.Now()
	r := report.Report{Tr: rt.tr, Lab: p.s.lab(), Issued: now, Title: rt.T("Test report"),
		ID:      reportID("H", cs.Ref(code), now, runs),
		Subject: rt.T("Candidate %s: every test recorded", subjectName(cs, code))}
	r.TestedFrom, r.TestedTo = testDates(active)
	cand, err := p.candidatesSection(ctx, rt, cs, codes)
	if err != nil {
		return r, "", err
	}
	r.Sections = append(r.Sections, cand, methodsSection(rt, cs, kinds, active))

	results := report.Section{Heading: rt.T("Results"), Text: []string{rt.T("The results relate only to the items tested. Each programme is shown apart: results of different heights, surfaces, procedures or protocols are never pooled.")}}
	if len(active) == 0 {
		results.Text = append(results.Text, rt.T("No evidence yet: no active run of this candidate."))
	}
	for _, k := range kinds {
		v, err := p.buildCompare(ctx, compareQuery{kind: k, filter: store.EvidenceFilter{Kinds: []models.Kind{k}, Handsets: codes},
			confidence: verdict.DefaultConfidence, cast: cs})
		if err != nil {
			return r, "", err
		}
		for _, sec := range v.Sections {
			for _, t := range sec.Tables {
				if len(t.Rows) == 0 {
					continue // a comparison between candidates: one candidate has no pair
				}
				rtab := pageTable(rt, t, columnKeys(t), nil)
				rtab.Caption = rt.Data(sec.Title) + " — " + rtab.Caption
				if len(rtab.Header) > 10 { // a wide per-unit table: keep the first columns
					rtab.Header, rtab.Num = rtab.Header[:10], rtab.Num[:10]
					for i := range rtab.Rows {
						rtab.Rows[i] = rtab.Rows[i][:10]
					}
				}
				results.Tables = append(results.Tables, rtab)
			}
		}
	}
	kmCharts, err := p.kmCharts(ctx, rt, cs, codes)
	if err != nil {
		return r, "", err
	}
	results.Charts = kmCharts
	r.Sections = append(r.Sections, results)

	// Verdicts: this candidate's column of each profile's matrix.
	verdicts := report.Section{Heading: rt.T("Verdicts and decision rules")}
	profiles, err := p.s.Store.AllProfiles(ctx)
	if err != nil {
		return r, "", err
	}
	for _, pr := range profiles {
		q := matrixQuery{id: pr.ID, codes: codes, cast: cs}
		v, err := p.buildMatrix(ctx, q)
		if err != nil {
			return r, "", err
		}
		t := pageTable(rt, v.Cells, []string{"requirement", "rule", "verdict", "n_units", "passed_units", "estimate", "ci_lower", "ci_upper", "unit", "reason"},
			[]float64{1.6, 2, 0.8, 0.5, 0.5, 0.7, 0.6, 0.6, 0.4, 2})
		t.Caption = rt.T("Requirement profile %s, version %d", v.Name, v.Version)
		for i, row := range t.Rows {
			row[1] = rt.Data(v.Rows[i].Rule)
		}
		verdicts.Tables = append(verdicts.Tables, t)
	}
	if len(profiles) == 0 {
		verdicts.Text = append(verdicts.Text, rt.T("No requirement profile is recorded: no verdict is given."))
	}
	r.Sections = append(r.Sections, verdicts)

	rec, err := p.recordsSection(ctx, rt, cs, runs, counted)
	if err != nil {
		return r, "", err
	}
	r.Sections = append(r.Sections, rec, annexRuns(rt, cs, runs, counted))
	return r, "report-handset-" + cs.Ref(code) + ".pdf", nil
}

func columnKeys(t table) []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Key
	}
	return out
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// lab is the laboratory the reports name.
func (s *Server) lab() report.Lab {
	l := s.Lab
	if strings.TrimSpace(l.Name) == "" {
		l.Name = DefaultLabName
	}
	return l
}

// subjectName fills "Candidate %s": the letter alone when blind (the blind
// label already says "Candidate"), else name and code.
func subjectName(cs *cast, code string) string {
	if cs.blind {
		return cs.Ref(code)
	}
	return cs.Label(code)
}
