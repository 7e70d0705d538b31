package handlers

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"maps"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"ruggedlab/charts"
	"ruggedlab/i18n"
	"ruggedlab/models"
	"ruggedlab/series"
	"ruggedlab/stats"
	"ruggedlab/store"
	"ruggedlab/verdict"
)

// compareQuery is the compare page's query, read once for the page, its
// permalink and its exports, so the three cannot disagree.
type compareQuery struct {
	kind       models.Kind
	filter     store.EvidenceFilter // the user's filters; Handsets holds codes
	confidence float64
	cast       *cast
}

// readCompare reads and checks the query. It returns a canonical URL to
// redirect to when a blind page was asked for with real handset codes in its
// URL (the address bar must not keep them either).
func (p *pages) readCompare(c *gin.Context) (compareQuery, string, error) {
	cs, err := newCast(c.Request.Context(), p.s.Store, isBlind(c))
	if err != nil {
		return compareQuery{}, "", err
	}
	var errs models.FieldErrors
	f := compareFilter(c, &errs)
	conf := probabilityParam(c, "confidence", &errs)
	// The picker's checkboxes send handsets=A&handsets=B; links send A,B.
	codes, unknown, hadCode := cs.selection(strings.Join(c.QueryArray("handsets"), ","))
	for _, u := range unknown {
		if cs.blind {
			errs.Add("handsets", "names no candidate")
		} else {
			errs.Add("handsets", "no candidate %q", u)
		}
	}
	if err := errs.Err("the comparison request is not valid"); err != nil {
		return compareQuery{}, "", err
	}
	q := compareQuery{kind: f.Kinds[0], filter: f, confidence: verdict.DefaultConfidence, cast: cs}
	q.filter.Handsets = codes
	if conf != nil {
		q.confidence = *conf
	}
	if cs.blind && hadCode {
		return q, q.url("/compare"), nil
	}
	return q, "", nil
}

// url is the canonical URL of the query on path (the page or an export):
// every parameter explicit, candidates by Ref, so a permalink shows the
// same thing tomorrow even after a candidate is added.
func (q compareQuery) url(path string) string {
	f := q.filter
	height := ""
	if f.HeightM != nil {
		height = strconv.FormatFloat(*f.HeightM, 'f', -1, 64)
	}
	return withQuery(path,
		"kind", string(q.kind),
		"handsets", q.cast.refs(f.Handsets),
		"height_m", height, "surface", f.Surface, "procedure", f.Procedure, "ip_code", f.IPCode, "protocol", f.Protocol,
		"confidence", strconv.FormatFloat(q.confidence, 'f', -1, 64),
		"blind", blindParam(q.cast.blind))
}

// compareView is the compare page.
type compareView struct {
	chrome
	Kind       string
	KindTitle  string
	Kinds      []navLink
	Candidates []candidateOption
	Filters    []filterField
	Confidence string
	// Level is the confidence as captions say it ("99 %").
	Level string
	// ConfidenceOptions are the levels the picker offers.
	ConfidenceOptions []string
	Sections          []compareSection
	// Question is what the page answers (domain.md §6.5).
	Question string
	Empty    bool
}

type candidateOption struct {
	Ref, Label, Color string
	Checked           bool
}

type filterField struct {
	Name, Label, Value string
	Options            []option // a select when set: the code, named in words
}

// wordOptions names each code of a filter's select in the page's words
// (the run pages' enumWordIn); the value sent stays the code.
func wordOptions(pt *i18n.Printer, field string, codes []string) []option {
	out := make([]option, len(codes))
	for i, c := range codes {
		out[i] = option{c, enumWordIn(pt, field, c)}
	}
	return out
}

// compareSection is one programme: the runs an exact-match filter of
// api.md §7 selects (drop: height and surface; temperature: procedure;
// ingress: IP code; battery: protocol). Programmes are never pooled: 26
// drops from 2 m and 300 tumbler falls answer different questions, and
// mixing protocols in one mean is domain.md §8(c) rule 18.
type compareSection struct {
	ID      string
	Title   string
	Lede    string
	Filters map[string]string
	Charts  []template.HTML
	Tables  []table
	// API links the same numbers in the API (not in blind mode: the API
	// names candidates by code).
	API string
}

// sectionKey identifies a programme within a kind.
type sectionKey struct {
	height  float64
	surface string
	value   string // procedure, ip_code or protocol
}

func (k sectionKey) filter(kind models.Kind, base store.EvidenceFilter) (store.EvidenceFilter, map[string]string) {
	f := base
	switch kind {
	case models.Drop:
		h := k.height
		f.HeightM, f.Surface = &h, k.surface
		return f, map[string]string{"height_m": strconv.FormatFloat(h, 'f', -1, 64), "surface": k.surface}
	case models.Temperature:
		f.Procedure = k.value
		return f, map[string]string{"procedure": k.value}
	case models.Ingress:
		f.IPCode = k.value
		return f, map[string]string{"ip_code": k.value}
	case models.Repair:
		return f, map[string]string{"part": k.value}
	}
	f.Protocol = k.value
	return f, map[string]string{"protocol": k.value}
}

func keyOf(r models.Run) sectionKey {
	switch r.Kind {
	case models.Drop:
		h := 0.0
		if r.HeightM != nil {
			h = *r.HeightM
		}
		return sectionKey{height: h, surface: r.Surface}
	case models.Temperature:
		return sectionKey{value: r.Procedure}
	case models.Ingress:
		return sectionKey{value: r.IPCode}
	case models.Repair:
		return sectionKey{value: r.Part}
	}
	return sectionKey{value: r.Protocol}
}

var kindQuestions = map[models.Kind]string{
	models.Drop:        "What share of units survive each drop programme, and — for repeated falls — how many falls until units break?",
	models.Temperature: "Does each candidate work at each temperature procedure?",
	models.Ingress:     "Does each candidate stay dry and working at each IP code tested?",
	models.Battery:     "Which candidate lasts longer, and is the difference real? How does charge fall over time?",
	models.Repair:      "How repairable is each candidate when the lab opens it: steps, tools and time per priority part, and the EU class it earns?",
}

// compare serves GET /compare: the chooser without kind, else the charts.
func (p *pages) compare() gin.HandlerFunc {
	charts := htmlPage(p, "compare.html", p.readCompare, p.buildCompare)
	return func(c *gin.Context) {
		if c.Query("kind") == "" {
			p.compareChooser(c)
			return
		}
		charts(c)
	}
}

func (p *pages) compareChooser(c *gin.Context) {
	blind := isBlind(c)
	v := compareView{chrome: newChrome("Compare candidates", "compare", blind)}
	v.Kinds = v.Nav[2 : 2+len(models.Kinds)]
	p.render(c, http.StatusOK, "compare.html", v)
}

// compareExport serves /compare/export.csv and .json from the same view
// model as the page.
func (p *pages) compareExport(format string) gin.HandlerFunc {
	return exportPage(p, format, "/compare?", p.readCompare, p.buildCompare, func(q compareQuery, v compareView) (string, exportDoc) {
		doc := exportDoc{Meta: map[string]any{
			"page": "compare", "kind": v.Kind, "confidence": q.confidence, "blind": q.cast.blind,
			"candidates": candidateKeys(q.cast, q.filter.Handsets), "filters": filterEcho(q.filter),
			"counted": verdict.Counted, "permalink": v.Permalink,
		}}
		for _, s := range v.Sections {
			doc.Sections = append(doc.Sections, exportSection{Title: s.Title, Filters: s.Filters, Tables: s.Tables})
		}
		return "compare-" + v.Kind + "." + format, doc
	})
}

func candidateKeys(cs *cast, codes []string) []string {
	out := make([]string, len(codes))
	for i, code := range codes {
		out[i] = cs.Key(code)
	}
	return out
}

// buildCompare computes the page: the runs the filters select, split into
// programmes, each compared by the same function as GET /api/v1/compare
// with the programme's exact filters, so every number equals the API's.
func (p *pages) buildCompare(ctx context.Context, q compareQuery) (compareView, error) {
	cs := q.cast
	v := compareView{chrome: newChrome("Compare: "+string(q.kind), "compare-"+string(q.kind), cs.blind),
		Kind: string(q.kind), KindTitle: strings.ToUpper(string(q.kind)[:1]) + string(q.kind)[1:],
		Question: kindQuestions[q.kind], Confidence: strconv.FormatFloat(q.confidence, 'f', -1, 64), Level: charts.LevelLabel(q.confidence)}
	v.Title = v.KindTitle + ": compare candidates"
	v.HasCharts, v.Wide = true, true
	v.Kinds = v.Nav[2 : 2+len(models.Kinds)]
	v.Permalink = q.url("/compare")
	v.Exports = exportLinks(q.url("/compare/export.csv"), q.url("/compare/export.json"))
	if !cs.blind {
		bq := q
		bq.cast = cs.asBlind()
		v.BlindToggle = bq.url("/compare")
	}
	selected := map[string]bool{}
	for _, code := range q.filter.Handsets {
		selected[code] = true
	}
	for i, h := range cs.Handsets() {
		v.Candidates = append(v.Candidates, candidateOption{Ref: cs.Ref(h.Code), Label: cs.Label(h.Code), Color: charts.Color(i), Checked: selected[h.Code]})
	}
	v.Filters = filterFields(i18n.FromContext(ctx), q)
	v.ConfidenceOptions = []string{"0.9", "0.95", "0.99"}
	if !slices.Contains(v.ConfidenceOptions, v.Confidence) {
		v.ConfidenceOptions = append(v.ConfidenceOptions, v.Confidence)
	}
	if len(q.filter.Handsets) == 0 {
		v.Empty = true
		return v, nil
	}
	if err := cs.loadUnits(ctx, p.s.Store, q.filter.Handsets); err != nil {
		return v, err
	}

	ev, err := p.s.Store.Evidence(ctx, q.filter)
	if err != nil {
		return v, err
	}
	if q.kind == models.Repair {
		// Repair sections and the class read runs one by one (few: a
		// repair is a person's hour); the others read groups.
		ev.Runs = models.ExpandGroups(ev.Runs)
	}
	// Counted first, then filled: a Run is over 500 bytes, and growing
	// each section's slice copied 3,000 groups several times over at
	// 100,000 runs (issue #18).
	sizes := map[sectionKey]int{}
	var keys []sectionKey
	for i := range ev.Runs {
		if r := &ev.Runs[i]; r.Kind == q.kind {
			k := keyOf(*r)
			if _, ok := sizes[k]; !ok {
				keys = append(keys, k)
			}
			sizes[k]++
		}
	}
	groups := make(map[sectionKey][]models.Run, len(keys))
	for _, k := range keys {
		groups[k] = make([]models.Run, 0, sizes[k])
	}
	for i := range ev.Runs {
		if r := &ev.Runs[i]; r.Kind == q.kind {
			k := keyOf(*r)
			groups[k] = append(groups[k], *r)
		}
	}
	slices.SortFunc(keys, func(a, b sectionKey) int {
		return cmp.Or(cmp.Compare(a.surface, b.surface), cmp.Compare(b.height, a.height), cmp.Compare(a.value, b.value))
	})
	var lab []labSection // for the field evidence beside it (pages_compare_field.go)
	for i, k := range keys {
		f, echo := k.filter(q.kind, q.filter)
		var res verdict.Comparison
		if q.kind != models.Repair { // repair sections read their own runs
			// from the evidence read above, not read again per section
			if res, err = comparisonOf(f, ev, q.confidence); err != nil {
				return v, err
			}
		}
		sec := compareSection{ID: "s" + strconv.Itoa(i+1), Filters: echo}
		if !cs.blind {
			aq := q
			aq.filter = f
			sec.API = aq.url("/api/v1/compare")
		}
		b := sectionBuilder{p: p, q: q, cs: cs, res: res, runs: groups[k], sec: &sec, n: i + 1, pt: i18n.FromContext(ctx)}
		if err := b.build(ctx, k); err != nil {
			return v, err
		}
		v.Sections = append(v.Sections, sec)
		lab = append(lab, labSection{title: sec.Title, fixed: q.kind == models.Drop && !repeatedFalls(k, groups[k]), res: res})
	}
	if (q.kind == models.Drop || q.kind == models.Battery) && len(v.Sections) > 0 {
		field, err := p.fieldSection(ctx, q, lab)
		if err != nil {
			return v, err
		}
		if field != nil {
			v.Sections = append(v.Sections, *field)
		}
	}
	if q.kind == models.Repair && len(v.Sections) > 0 {
		v.Sections = append([]compareSection{repairClassSection(cs.in(ctx), ev.Handsets, ev.Runs)}, v.Sections...)
	}
	v.Empty = len(v.Sections) == 0
	return v, nil
}

// filterFields are the filter controls of the kind (api.md §7).
func filterFields(pt *i18n.Printer, q compareQuery) []filterField {
	f := q.filter
	switch q.kind {
	case models.Drop:
		h := ""
		if f.HeightM != nil {
			h = strconv.FormatFloat(*f.HeightM, 'f', -1, 64)
		}
		return []filterField{{Name: "height_m", Label: "Height (m)", Value: h},
			{Name: "surface", Label: "Surface", Value: f.Surface, Options: wordOptions(pt, "surface", models.Surfaces)}}
	case models.Temperature:
		return []filterField{{Name: "procedure", Label: "Procedure", Value: f.Procedure, Options: wordOptions(pt, "procedure", models.Procedures)}}
	case models.Ingress:
		return []filterField{{Name: "ip_code", Label: "IP code", Value: f.IPCode}}
	}
	return []filterField{{Name: "protocol", Label: "Protocol", Value: f.Protocol, Options: wordOptions(pt, "protocol", models.Protocols)}}
}

// sectionBuilder turns one programme's comparison into charts and tables.
type sectionBuilder struct {
	p    *pages
	q    compareQuery
	cs   *cast
	res  verdict.Comparison
	runs []models.Run
	sec  *compareSection
	n    int // section number, for element ids
	pt   *i18n.Printer
}

func (b *sectionBuilder) id(name string) string { return name + "-" + strconv.Itoa(b.n) }

// level is the confidence of every interval in the section, as captions
// and headers say it: the level asked for, never a constant.
func (b *sectionBuilder) level() string { return charts.LevelLabel(b.q.confidence) }

func (b *sectionBuilder) build(ctx context.Context, k sectionKey) error {
	switch b.q.kind {
	case models.Drop:
		return b.drop(k)
	case models.Battery:
		return b.battery(ctx, k)
	case models.Repair:
		return b.repair(k)
	}
	return b.pass(k)
}

// candidate is the first cell of a row: label, colour key and a link to the
// candidate's page.
func (b *sectionBuilder) candidate(code string) cell {
	return cell{Text: b.cs.Label(code), Export: b.cs.Key(code), Color: charts.Color(b.cs.Index(code)), Href: withQuery("/handsets/"+b.cs.Ref(code), "blind", blindParam(b.cs.blind))}
}

func (b *sectionBuilder) runLinks(ids []string) cell {
	if len(ids) == 0 {
		return cell{Text: missing}
	}
	return cell{Text: strconv.Itoa(len(ids)), Num: ptrTo(float64(len(ids))), Href: runsHref(ids, b.cs.blind)}
}

func ptrTo(v float64) *float64 { return &v }

// runsHref lists evidence runs on one page; ids are opaque, so the link is
// as safe in blind mode as out of it.
func runsHref(ids []string, blind bool) string {
	return withQuery("/runs", "ids", strings.Join(ids, ","), "blind", blindParam(blind))
}

func runHref(id string, blind bool) string {
	return withQuery("/runs/"+id, "blind", blindParam(blind))
}

// repeatedFalls reports whether a drop programme is about falls to failure
// (Kaplan–Meier) rather than surviving a fixed programme (pass rate): a
// tumbler, or more falls than the 26 of a transit-drop programme.
func repeatedFalls(k sectionKey, runs []models.Run) bool {
	if k.surface == "tumbler" {
		return true
	}
	for _, r := range runs {
		if r.PlannedDrops != nil && *r.PlannedDrops > 26 {
			return true
		}
	}
	return false
}

func (b *sectionBuilder) drop(k sectionKey) error {
	planned := map[int]bool{}
	for _, r := range b.runs {
		if r.PlannedDrops != nil {
			planned[*r.PlannedDrops] = true
		}
	}
	plans := slices.Sorted(maps.Keys(planned))
	surface := strings.ReplaceAll(k.surface, "_", " ")
	b.sec.Title = fmt.Sprintf("%s m onto %s", fmtFloat(k.height), surface)
	if k.surface == "tumbler" {
		b.sec.Title = fmt.Sprintf("%s m falls in a tumbler", fmtFloat(k.height))
	}
	if len(plans) == 1 {
		b.sec.Title += fmt.Sprintf(", %d drops planned", plans[0])
	} else if len(plans) > 1 {
		b.sec.Title += fmt.Sprintf(", %d–%d drops planned", plans[0], plans[len(plans)-1])
	}
	km := repeatedFalls(k, b.runs)

	lv := b.level()
	summary := table{ID: b.id("units"), Caption: unitsCaption(lv),
		Columns: []column{{"candidate", "Candidate", false}, {"units", "Units (n)", true}, {"survived", "Survived (x)", true},
			{"x_of_n", "x/n", true}, {"failed", "Failed", true}, {"censored", "Censored", true},
			{"estimate_pct", "Survived %", true}, {"wilson_lower_pct", "Wilson " + lv + " low %", true}, {"wilson_upper_pct", "Wilson " + lv + " high %", true},
			{"clopper_pearson_lower_pct", "C–P " + lv + " low %", true}, {"clopper_pearson_upper_pct", "C–P " + lv + " high %", true},
			{"success_run_lower_pct", "Zero-failure bound " + lv + " %", true}, {"km_median", "KM median (drops)", true}, {"runs", "Runs", true}}}
	var summaryWhy []string
	var bars []charts.PassRateBar
	var curves []charts.KMCurve
	steps := table{ID: b.id("km-steps"), Caption: "Kaplan–Meier steps (the points of the chart), with the " + lv + " log-log band", Collapsed: true,
		Columns: []column{{"candidate", "Candidate", false}, {"t", "Drops", true}, {"n_risk", "At risk", true}, {"n_event", "Events", true},
			{"n_censor", "Censored", true}, {"surv_pct", "Surviving %", true}, {"lower_pct", "Band " + lv + " low %", true}, {"upper_pct", "Band " + lv + " high %", true}}}
	units := b.unitTable(column{"t_drops", "Drops (to failure or survived)", true})
	for _, h := range b.res.Drop {
		wl, wu := ivCells(h.Wilson)
		cl, cu := ivCells(h.ClopperPearson)
		summary.Rows = append(summary.Rows, []cell{b.candidate(h.Handset), intCell(h.Units), intCell(h.Survived),
			textCell(fmt.Sprintf("%d/%d", h.Survived, h.Units)), intCell(h.Failed), intCell(h.Censored),
			optPctCell(h.Proportion), wl, wu, cl, cu,
			optPctCell(h.SuccessRunLower), optCell(h.KM.Median, 0), b.runLinks(runIDsOfDrop(h))})
		summaryWhy = append(summaryWhy, b.why(h.NullReasons))
		bars = append(bars, passRateBar(b, h.Handset, h.Survived, h.Units, h.Proportion, h.Wilson))
		curve := charts.KMCurve{Label: b.cs.Label(h.Handset), Empty: b.cs.T(charts.NoData)}
		for _, s := range h.KM.Steps {
			curve.Steps = append(curve.Steps, charts.KMStep{T: s.T, Surv: s.Surv, Lower: s.Lower, Upper: s.Upper, Events: s.NEvent, Censored: s.NCensor, N: s.NRisk})
			steps.Rows = append(steps.Rows, []cell{b.candidate(h.Handset), numCell(s.T, 0), intCell(s.NRisk), intCell(s.NEvent),
				intCell(s.NCensor), pctCell(s.Surv), pctCell(s.Lower), pctCell(s.Upper)})
		}
		curves = append(curves, curve)
		for _, u := range h.PerUnit {
			units.Rows = append(units.Rows, []cell{b.candidate(h.Handset), textCell(b.cs.Unit(h.Handset, u.Unit)), textCell(b.pt.Text(u.Outcome)),
				numCell(u.T, 0), b.runLinks(u.Runs)})
		}
	}

	pairs := table{ID: b.id("pairs"), Caption: "Between candidates: log-rank test of the survival curves, and Fisher's exact test of the survived proportions. " +
		holmCaption(len(b.res.DropPairs)),
		Columns: []column{{"a", "A", false}, {"b", "B", false}, {"logrank_chisq", "Log-rank χ²", true}, {"logrank_df", "df", true},
			{"logrank_p", "Log-rank p (raw)", true}, {"logrank_p_holm", "Log-rank p (Holm)", true},
			{"fisher_p", "Fisher p (raw)", true}, {"fisher_p_holm", "Fisher p (Holm)", true}}}
	var pairsWhy []string
	for _, pr := range b.res.DropPairs {
		pairs.Rows = append(pairs.Rows, []cell{b.candidate(pr.A), b.candidate(pr.B), optCell(pr.ChiSq, 2), optIntCell(pr.DF),
			optPCell(pr.P), optPCell(pr.PHolm), optPCell(pr.FisherP), optPCell(pr.FisherPHolm)})
		pairsWhy = append(pairsWhy, b.why(pr.NullReasons))
	}
	if o := b.res.Overall; o != nil && len(b.res.Drop) > 2 {
		pairs.Rows = append(pairs.Rows, []cell{textCell(b.pt.T("all candidates")), textCell(""), optCell(o.ChiSq, 2), optIntCell(o.DF), optPCell(o.P),
			textCell(""), textCell(""), textCell("")})
		why := b.why(o.NullReasons)
		if why != "" {
			why += "; "
		}
		pairsWhy = append(pairsWhy, why+b.pt.T("Holm and Fisher: the overall log-rank test is one test across all candidates, not a pair"))
	}
	withReasons(&summary, summaryWhy)
	withReasons(&pairs, pairsWhy)

	var built []charts.Chart
	if km {
		b.sec.Lede = "Kaplan–Meier: the share of units still without a defect after each number of falls. A unit stopped without a failure is censored (+), not counted as surviving beyond its last fall."
		ch, err := charts.KaplanMeier(b.id("km"), b.sec.Title, "drops", b.q.confidence, curves)
		if err != nil {
			return err
		}
		built = append(built, ch)
		b.sec.Tables = []table{summary, pairs, steps, units}
	} else {
		b.sec.Lede = "Share of units that survived the whole programme, with its " + lv + " Wilson interval; x/n above each bar. " +
			"With 5 units, 5/5 only shows survival ≥ " + wilson5of5(b.q.confidence) + "."
		ch, err := charts.PassRate(b.id("pass-rate"), b.sec.Title, b.q.confidence, bars)
		if err != nil {
			return err
		}
		built = append(built, ch)
		b.sec.Tables = []table{summary, pairs, units}
	}
	html, err := chartHTML(b.cs.tr, built...)
	b.sec.Charts = html
	return err
}

// unitsCaption explains the columns of a pass-rate table at level lv.
func unitsCaption(lv string) string {
	return "Units per candidate: each unit counts once, whatever its number of runs. " +
		"Wilson and Clopper–Pearson (C–P) " + lv + " intervals; the zero-failure bound (1 − C)^(1/n) at C = " + lv + " is shown when no unit failed."
}

// wilson5of5 is the Wilson lower bound of 5/5 at the page's level, for the
// lede's example ("57 %" at 95 %).
func wilson5of5(confidence float64) string {
	iv, err := stats.Wilson(5, 5, confidence)
	if err != nil {
		return missing
	}
	return strconv.FormatFloat(math.Round(iv.Lower*100), 'f', 0, 64) + " %"
}

// holmCaption says which p-values a pairs table shows (issue #10, item 6).
func holmCaption(pairs int) string {
	if pairs <= 1 {
		return "One pair: its Holm-adjusted p equals the raw p."
	}
	return fmt.Sprintf("Each p-value is shown raw and Holm-adjusted over the %d pairs of this programme (each test its own family): "+
		"read the Holm column when asking whether any candidate differs from another; the raw p only holds for one pair chosen in advance.", pairs)
}

func passRateBar(b *sectionBuilder, code string, x, n int, est *float64, wilson *stats.Interval) charts.PassRateBar {
	bar := charts.PassRateBar{Label: b.cs.Label(code), Color: charts.Color(b.cs.Index(code)), Passed: x, N: n, Empty: b.cs.T(charts.NoData)}
	if est != nil && wilson != nil {
		bar.Estimate, bar.Lower, bar.Upper = *est, wilson.Lower, wilson.Upper
	} else {
		bar.N = 0 // nothing to draw: an empty slot
	}
	return bar
}

// nullNames are the statistics of compare entries as the pages name them
// in a "Why –" column.
var nullNames = map[string]string{
	"proportion": "estimate", "wilson": "Wilson", "clopper_pearson": "C–P", "success_run_lower": "zero-failure bound",
	"km.median": "KM median", "mean": "mean", "sd": "SD", "ci": "t interval",
	"chisq": "log-rank", "df": "log-rank", "p": "test", "p_holm": "test", "fisher_p": "Fisher", "fisher_p_holm": "Fisher",
	"diff": "difference", "t": "Welch", "diff_ci": "Welch",
}

// why is a row's explanation of its "–" cells: each distinct reason once,
// after the names of the statistics it explains, in blind mode without
// candidate names.
func (b *sectionBuilder) why(r verdict.Reasons) string {
	if len(r) == 0 {
		return ""
	}
	names := map[string][]string{}
	var reasons []string
	for _, field := range slices.Sorted(maps.Keys(r)) {
		reason := r[field]
		if _, ok := names[reason]; !ok {
			reasons = append(reasons, reason)
		}
		name := nullNames[field]
		if field == "p" || field == "p_holm" {
			name = map[models.Kind]string{models.Drop: "log-rank", models.Battery: "Welch"}[b.q.kind]
		}
		if name == "" {
			name = field
		}
		if !slices.Contains(names[reason], name) {
			names[reason] = append(names[reason], name)
		}
	}
	// The statistics' names and the reasons the catalogue knows are in the
	// page's language; a reason naming candidates stays as the verdict
	// package words it.
	known := func(s string) string {
		if b.pt.Known(s) {
			return b.pt.Text(s)
		}
		return s
	}
	parts := make([]string, len(reasons))
	for i, reason := range reasons {
		ns := make([]string, len(names[reason]))
		for j, n := range names[reason] {
			ns[j] = known(n)
		}
		parts[i] = b.pt.T("%s: %s", strings.Join(ns, ", "), reasonIn(b.pt, b.cs.Text(reason)))
	}
	return strings.Join(parts, "; ")
}

// namedReasons are the verdict package's reasons that quote candidates
// (verdict/compare.go), as formats: a pattern cannot find them in the
// catalogue (a name is not a number), so a reason is read back into its
// format and values to be worded in the page's language. Longer formats
// first: "neither %s nor %s has units" before "%s has no units".
var namedReasons = func() []namedReason {
	formats := []string{
		"neither %s nor %s has units: %s needs units on both sides",
		"%s has no units: %s needs units on both sides",
		"%s and %s have 1 unit each: Welch's test needs at least 2 units on each side to estimate their spread",
		"%s has 1 unit: Welch's test needs at least 2 units on each side to estimate their spread",
		"the unit means of %s and of %s do not vary: Welch's test has no standard error",
	}
	out := make([]namedReason, len(formats))
	for i, f := range formats {
		re := "^" + strings.ReplaceAll(regexp.QuoteMeta(f), "%s", "(.+?)") + "$"
		out[i] = namedReason{format: f, re: regexp.MustCompile(re)}
	}
	return out
}()

type namedReason struct {
	format string
	re     *regexp.Regexp
}

// reasonIn is a verdict reason in pt's language: the catalogue's text
// (exactly or by its pattern), or a named reason's format with its values,
// each a candidate (kept as it is, masked in blind mode by the caller) or
// a test's name ("Fisher's test", in the catalogue). A reason the
// catalogue lacks stays English, and the 390 px sweep says so.
func reasonIn(pt *i18n.Printer, reason string) string {
	if pt == nil || pt.Lang == i18n.EN {
		return reason
	}
	if pt.Known(reason) {
		return pt.Text(reason)
	}
	for _, r := range namedReasons {
		m := r.re.FindStringSubmatch(reason)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, v := range m[1:] {
			args[i] = v
			if pt.Has(v) {
				args[i] = pt.Text(v)
			}
		}
		return pt.T(r.format, args...)
	}
	return reason
}

// withReasons adds a last "Why –" column with each row's reasons, when any
// row has one: a missing value is "–" on the page and null in the JSON
// export, and this column (key null_reasons) says why.
func withReasons(t *table, why []string) {
	if !slices.ContainsFunc(why, func(s string) bool { return s != "" }) {
		return
	}
	t.Columns = append(t.Columns, column{"null_reasons", "Why “–”", false})
	for i := range t.Rows {
		c := cell{Text: missing}
		if i < len(why) && why[i] != "" {
			c = cell{Text: why[i], Class: "why"}
		}
		t.Rows[i] = append(t.Rows[i], c)
	}
}

// unitTable lists every unit with its outcome, any extra columns, and its
// evidence runs.
func (b *sectionBuilder) unitTable(extra ...column) table {
	cols := []column{{"candidate", "Candidate", false}, {"unit", "Unit", false}, {"outcome", "Outcome", false}}
	cols = append(append(cols, extra...), column{"runs", "Runs", true})
	return table{ID: b.id("per-unit"), Caption: "Every unit and its evidence runs", Collapsed: true, Columns: cols}
}

func runIDsOfDrop(h verdict.DropStats) []string {
	var ids []string
	for _, u := range h.PerUnit {
		ids = append(ids, u.Runs...)
	}
	return ids
}

// ivCells are an interval's bounds in percent; null, missing.
func ivCells(iv *stats.Interval) (lower, upper cell) {
	if iv == nil {
		return cell{Text: missing}, cell{Text: missing}
	}
	return pctCell(iv.Lower), pctCell(iv.Upper)
}

func optIntCell(n *int) cell {
	if n == nil {
		return cell{Text: missing}
	}
	return intCell(*n)
}

func optPCell(p *float64) cell {
	if p == nil {
		return cell{Text: missing}
	}
	return pCell(*p)
}

func (b *sectionBuilder) pass(k sectionKey) error {
	b.sec.Title = passTitle(b.q.kind, k.value, b.runs)
	lv := b.level()
	b.sec.Lede = "Share of units that passed every matching run, with its " + lv + " Wilson interval; x/n above each bar."
	summary := table{ID: b.id("units"), Caption: unitsCaption(lv),
		Columns: []column{{"candidate", "Candidate", false}, {"units", "Units (n)", true}, {"passed", "Passed (x)", true},
			{"x_of_n", "x/n", true}, {"estimate_pct", "Passed %", true}, {"wilson_lower_pct", "Wilson " + lv + " low %", true},
			{"wilson_upper_pct", "Wilson " + lv + " high %", true}, {"clopper_pearson_lower_pct", "C–P " + lv + " low %", true},
			{"clopper_pearson_upper_pct", "C–P " + lv + " high %", true}, {"success_run_lower_pct", "Zero-failure bound " + lv + " %", true}, {"runs", "Runs", true}}}
	var summaryWhy []string
	units := b.unitTable()
	var bars []charts.PassRateBar
	for _, h := range b.res.Pass {
		var ids []string
		for _, u := range h.PerUnit {
			ids = append(ids, u.Runs...)
			outcome := b.pt.T("failed")
			if u.Passed {
				outcome = b.pt.T("passed")
			}
			units.Rows = append(units.Rows, []cell{b.candidate(h.Handset), textCell(b.cs.Unit(h.Handset, u.Unit)), textCell(outcome), b.runLinks(u.Runs)})
		}
		wl, wu := ivCells(h.Wilson)
		cl, cu := ivCells(h.ClopperPearson)
		summary.Rows = append(summary.Rows, []cell{b.candidate(h.Handset), intCell(h.Units), intCell(h.Passed),
			textCell(fmt.Sprintf("%d/%d", h.Passed, h.Units)), optPctCell(h.Proportion),
			wl, wu, cl, cu, optPctCell(h.SuccessRunLower), b.runLinks(ids)})
		summaryWhy = append(summaryWhy, b.why(h.NullReasons))
		bars = append(bars, passRateBar(b, h.Handset, h.Passed, h.Units, h.Proportion, h.Wilson))
	}
	pairs := table{ID: b.id("pairs"), Caption: "Between candidates: Fisher's exact test of the pass proportions (two-sided). " + holmCaption(len(b.res.PassPairs)),
		Columns: []column{{"a", "A", false}, {"b", "B", false}, {"fisher_p", "Fisher p (raw)", true}, {"fisher_p_holm", "Fisher p (Holm)", true}}}
	var pairsWhy []string
	for _, pr := range b.res.PassPairs {
		pairs.Rows = append(pairs.Rows, []cell{b.candidate(pr.A), b.candidate(pr.B), optPCell(pr.FisherP), optPCell(pr.FisherPHolm)})
		pairsWhy = append(pairsWhy, b.why(pr.NullReasons))
	}
	withReasons(&summary, summaryWhy)
	withReasons(&pairs, pairsWhy)
	ch, err := charts.PassRate(b.id("pass-rate"), b.sec.Title, b.q.confidence, bars)
	if err != nil {
		return err
	}
	b.sec.Tables = []table{summary, pairs, units}
	b.sec.Charts, err = chartHTML(b.cs.tr, ch)
	return err
}

// passTitle names a temperature or ingress programme with the conditions
// its runs were made at.
func passTitle(kind models.Kind, value string, runs []models.Run) string {
	set := map[string]bool{}
	for _, r := range runs {
		var s string
		switch {
		case kind == models.Temperature && r.SetpointC != nil:
			s = fmtFloat(*r.SetpointC) + " °C"
		case kind == models.Temperature && r.LowC != nil && r.HighC != nil:
			s = fmtFloat(*r.LowC) + " ↔ " + fmtFloat(*r.HighC) + " °C"
		case kind == models.Ingress:
			s = r.Medium
			if r.DepthM != nil {
				s += ", " + fmtFloat(*r.DepthM) + " m"
			}
			if r.DurationMin != nil {
				s += ", " + fmtFloat(*r.DurationMin) + " min"
			}
		}
		if s != "" {
			set[s] = true
		}
	}
	conds := slices.Sorted(maps.Keys(set))
	title := strings.ReplaceAll(value, "_", " ")
	if len(conds) > 0 {
		if len(conds) > 3 {
			conds = append(conds[:3], "…")
		}
		title += " (" + strings.Join(conds, "; ") + ")"
	}
	return title
}

// Discharge curves are reduced on the server to at most maxCurvePoints
// points each (LTTB keeps their shape) and to curveBudget points per chart,
// so 4 candidates × 10 units of 150,000-sample curves stay a page of about
// a megabyte rather than 100.
const (
	maxCurvePoints = 2000
	minCurvePoints = 300
	curveBudget    = 80000
)

func (b *sectionBuilder) battery(ctx context.Context, k sectionKey) error {
	b.sec.Title = protocolTitle(k.value)
	lv := b.level()
	b.sec.Lede = "Each unit counts once, by the mean of its runs. Whisker: " + lv + " t interval of the mean over units; Welch's t-test between candidates."
	summary := table{ID: b.id("units"), Caption: "Runtime per candidate, over unit means, with the " + lv + " t interval",
		Columns: []column{{"candidate", "Candidate", false}, {"n", "Units (n)", true}, {"mean_h", "Mean (h)", true}, {"sd_h", "SD (h)", true},
			{"ci_lower_h", lv + " low (h)", true}, {"ci_upper_h", lv + " high (h)", true}, {"unit_means_h", "Unit means (h)", false}, {"runs", "Runs", true}}}
	var summaryWhy []string
	units := b.unitTable()
	units.Columns = []column{{"candidate", "Candidate", false}, {"unit", "Unit", false}, {"mean_h", "Mean runtime (h)", true}, {"runs", "Runs", true}}
	var groups []charts.RuntimeGroup
	for _, h := range b.res.Battery {
		means := make([]string, len(h.UnitMeans))
		for i, m := range h.UnitMeans {
			means[i] = strconv.FormatFloat(m, 'f', 2, 64)
		}
		var ids []string
		for _, u := range h.PerUnit {
			ids = append(ids, u.Runs...)
			units.Rows = append(units.Rows, []cell{b.candidate(h.Handset), textCell(b.cs.Unit(h.Handset, u.Unit)), numCell(u.MeanH, 2), b.runLinks(u.Runs)})
		}
		lo, hi := cell{Text: missing}, cell{Text: missing}
		g := charts.RuntimeGroup{Label: b.cs.Label(h.Handset), UnitMeans: h.UnitMeans, Empty: b.cs.T(charts.NoData)}
		if h.Mean != nil {
			g.Mean = *h.Mean
		}
		if h.CI != nil {
			lo, hi = numCell(h.CI.Lower, 2), numCell(h.CI.Upper, 2)
			g.HasCI, g.Lower, g.Upper = true, h.CI.Lower, h.CI.Upper
		}
		summary.Rows = append(summary.Rows, []cell{b.candidate(h.Handset), intCell(h.N), optCell(h.Mean, 2), optCell(h.SD, 2), lo, hi,
			textCell(strings.Join(means, " ")), b.runLinks(ids)})
		summaryWhy = append(summaryWhy, b.why(h.NullReasons))
		groups = append(groups, g)
	}
	pairs := table{ID: b.id("pairs"), Caption: "Between candidates: Welch's t-test of mean(A) − mean(B) over unit means, with the " + lv +
		" interval of the difference. " + holmCaption(len(b.res.BatteryPairs)),
		Columns: []column{{"a", "A", false}, {"b", "B", false}, {"diff_h", "Difference (h)", true}, {"t", "t", true}, {"df", "df", true},
			{"p", "p (raw)", true}, {"p_holm", "p (Holm)", true}, {"diff_ci_lower_h", lv + " low (h)", true}, {"diff_ci_upper_h", lv + " high (h)", true}}}
	var pairsWhy []string
	for _, pr := range b.res.BatteryPairs {
		lo, hi := cell{Text: missing}, cell{Text: missing}
		if pr.DiffCI != nil {
			lo, hi = numCell(pr.DiffCI.Lower, 2), numCell(pr.DiffCI.Upper, 2)
		}
		pairs.Rows = append(pairs.Rows, []cell{b.candidate(pr.A), b.candidate(pr.B), optCell(pr.Diff, 2), optCell(pr.T, 2), optCell(pr.DF, 1),
			optPCell(pr.P), optPCell(pr.PHolm), lo, hi})
		pairsWhy = append(pairsWhy, b.why(pr.NullReasons))
	}
	withReasons(&summary, summaryWhy)
	withReasons(&pairs, pairsWhy)
	rt, err := charts.BatteryRuntime(b.id("battery-runtime"), b.chartTitle("%s: runtime"), b.q.confidence, groups)
	if err != nil {
		return err
	}
	rt.Caption = b.cs.T("Runtime of each unit")
	built := []charts.Chart{rt}
	curves, err := b.discharge(ctx)
	if err != nil {
		return err
	}
	b.sec.Tables = []table{summary, pairs, units}
	if curves != nil {
		if curves.chart.ID != "" {
			built = append(built, curves.chart)
		}
		b.sec.Tables = append(b.sec.Tables, curves.table)
	}
	b.sec.Charts, err = chartHTML(b.cs.tr, built...)
	return err
}

type dischargeChart struct {
	chart charts.Chart
	table table
}

// chartTitle is the accessible name of one of the section's charts,
// format naming the section (%s) and what the chart shows, in the page's
// language: the heading's words, as {{T .Title}} shows them, and the
// format's. charts.Localize translates only a title the catalogue knows
// whole, which a title holding the section's name never is.
func (b *sectionBuilder) chartTitle(format string) string {
	title := b.sec.Title
	if b.pt != nil {
		title = b.pt.Text(title)
	}
	return i18n.TOr(b.pt, format, title)
}

// discharge overlays the section's discharge curves, one colour per
// candidate, each read from the store already reduced (LTTB on soc_pct).
// Runs without a series, or whose series has no soc_pct, are left out of
// the chart and listed in the table as such.
func (b *sectionBuilder) discharge(ctx context.Context) (*dischargeChart, error) {
	// Series are read in parallel: each is its own query and, for a long
	// curve, tens of thousands of rows, so the page waits for the slowest
	// read rather than for the sum of all 40.
	runs := models.ExpandGroups(b.runs) // one curve per run: the groups' listed runs
	infos := make([]*store.SeriesInfo, len(runs))
	err := parallel(len(runs), seriesReaders, func(i int) error {
		if runs[i].ID == "" {
			return nil // beyond a group's 50 latest runs
		}
		info, err := b.p.s.Store.SeriesInfo(ctx, runs[i].ID, 0)
		if models.ErrorCode(err) == models.NotFound {
			return nil
		}
		infos[i] = &info
		return err
	})
	if err != nil {
		return nil, err
	}
	var found []int // indexes of runs with a series
	for i, info := range infos {
		if info != nil {
			found = append(found, i)
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	perCurve := min(maxCurvePoints, max(minCurvePoints, curveBudget/len(found)))
	frames := make([]series.Frame, len(found))
	err = parallel(len(found), seriesReaders, func(k int) error {
		var err error
		frames[k], err = b.p.s.Store.ReducedSeries(ctx, *infos[found[k]], perCurve)
		return err
	})
	if err != nil {
		return nil, err
	}

	codes := b.q.filter.Handsets
	groups := make([]string, len(codes))
	groupOf := map[string]int{}
	for i, code := range codes {
		groups[i] = b.cs.Label(code)
		groupOf[code] = i
	}
	t := table{ID: b.id("curves"), Caption: fmt.Sprintf("Discharge curves drawn (each reduced on the server to at most %d points by LTTB)", perCurve),
		Collapsed: true, Columns: []column{{"candidate", "Candidate", false}, {"unit", "Unit", false}, {"run", "Run", false},
			{"samples", "Samples", true}, {"points", "Points drawn", true}}}
	var curves []charts.Curve
	for k, i := range found {
		r, frame := runs[i], frames[k]
		g, ok := groupOf[r.Handset]
		if !ok {
			continue
		}
		ts, soc := frame.Column(series.TimeColumn), frame.Column("soc_pct")
		drawn := cell{Text: "no soc_pct column"}
		if soc != nil {
			hours := make([]float64, len(ts))
			for j, s := range ts {
				hours[j] = s / 3600
			}
			curves = append(curves, charts.Curve{Group: g, X: hours, Y: soc})
			drawn = intCell(len(soc))
		}
		t.Rows = append(t.Rows, []cell{b.candidate(r.Handset), textCell(b.cs.Unit(r.Handset, r.Unit)),
			{Text: shortID(r.ID), Href: runHref(r.ID, b.cs.blind)}, intCell(infos[i].Samples), drawn})
	}
	if len(curves) == 0 {
		return &dischargeChart{table: t}, nil
	}
	ch, err := charts.Discharge(b.id("discharge"), b.chartTitle("%s: discharge curves"), groups, curves)
	if err != nil {
		return nil, err
	}
	ch.Caption = b.cs.T("Discharge curves")
	return &dischargeChart{chart: ch, table: t}, nil
}

// seriesReaders bounds the series read at once by one page: SQLite's pool
// holds 4 connections, and more readers than that would only queue.
const seriesReaders = 4

// parallel calls fn(0) … fn(n-1) on at most limit goroutines and returns
// the first error (the others still finish; fn must honour its context).
func parallel(n, limit int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, limit)
	)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// shortID is a run id as tables show it; the link carries the whole id.
func shortID(id string) string { return tailOf(id, idTail) }

// idTail is how many characters of a run id a list shows, from its end:
// ids are UUIDv7, whose first characters are their creation time, so the
// runs of one import or of the demo share their beginning (issue #16 item
// 5) and differ in the random end. 8 hex digits are 32 random bits.
const idTail = 8

func tailOf(id string, n int) string {
	if len(id) <= n+1 {
		return id
	}
	return "…" + id[len(id)-n:]
}

// shortIDs names each id of a list by its shortest tail, of idTail
// characters or more, that no other id of the list ends with.
func shortIDs(ids []string) map[string]string {
	n := idTail
	for ; n < 36; n++ {
		seen := make(map[string]bool, len(ids))
		clash := false
		for _, id := range ids {
			t := tailOf(id, n)
			if seen[t] && t != "" {
				clash = true
				break
			}
			seen[t] = true
		}
		if !clash {
			break
		}
	}
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		out[id] = tailOf(id, n)
	}
	return out
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// protocolNames say what a battery protocol is (domain.md §4).
var protocolNames = map[string]string{
	"eu_eei_loop":  "EU energy-label loop",
	"pcmark_work3": "PCMark Work 3.0",
	"web":          "Web browsing",
	"video_local":  "Local video",
	"video_stream": "Video streaming",
	"talk":         "Talk",
	"standby":      "Standby",
	"custom":       "Custom protocol",
}

func protocolTitle(p string) string {
	if name, ok := protocolNames[p]; ok {
		return name + " (" + p + ")"
	}
	return p
}
