package handlers

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/charts"
	"ruggedlab/i18n"
	"ruggedlab/models"
	"ruggedlab/store"
)

// dashboardView is "/": who is in the tender, how much evidence each has,
// what was recorded last and what is still missing.
type dashboardView struct {
	chrome
	Empty      bool
	Candidates table
	Latest     table
	Missing    []missingItem
	// Profiles is the number of requirement profiles, for the empty hint.
	Profiles int
}

type missingItem struct {
	Candidate cell
	Kind      string
	Text      string
	Href      string
}

// maxListedUnits bounds the units named in one "missing" line.
const maxListedUnits = 8

func (p *pages) dashboard(c *gin.Context) {
	v, err := p.buildDashboard(c.Request.Context(), isBlind(c))
	if err != nil {
		p.fail(c, err)
		return
	}
	v.Actions = p.s.dashboardActions(c, v.Blind)
	p.render(c, http.StatusOK, "dashboard.html", v)
}

func (p *pages) buildDashboard(ctx context.Context, blind bool) (dashboardView, error) {
	v := dashboardView{chrome: newChrome("Dashboard", "dashboard", blind)}
	v.Wide = true
	if !blind {
		v.BlindToggle = "/?blind=1"
	}
	cs, err := newCast(ctx, p.s.Store, blind)
	if err != nil {
		return v, err
	}
	nProfiles, err := p.s.Store.CountProfiles(ctx)
	if err != nil {
		return v, err
	}
	v.Profiles = nProfiles
	hs := cs.Handsets()
	if len(hs) == 0 {
		v.Empty = true
		return v, nil
	}
	// active runs per candidate, kind, and unit: counted by the database
	// (one grouped query), not read run by run
	counts, err := p.s.Store.RunCounts(ctx, cs.Codes())
	if err != nil {
		return v, err
	}
	count := map[string]map[models.Kind]int{}
	has := map[string]map[models.Kind]map[string]bool{}
	for _, rc := range counts {
		if rc.Active == 0 {
			continue
		}
		if count[rc.Handset] == nil {
			count[rc.Handset] = map[models.Kind]int{}
			has[rc.Handset] = map[models.Kind]map[string]bool{}
		}
		count[rc.Handset][rc.Kind] += rc.Active
		if has[rc.Handset][rc.Kind] == nil {
			has[rc.Handset][rc.Kind] = map[string]bool{}
		}
		has[rc.Handset][rc.Kind][rc.Unit] = true
	}

	cols := []column{{"candidate", "Candidate", false}}
	if !blind {
		cols = append(cols, column{"name", "Name", false}, column{"manufacturer", "Manufacturer", false})
	}
	cols = append(cols, column{"form_factor", "Form", false}, column{"units", "Units", true})
	for _, k := range models.Kinds {
		name := string(k)
		cols = append(cols, column{name + "_runs", strings.ToUpper(name[:1]) + name[1:], true})
	}
	unitsOf, err := p.s.Store.UnitsOf(ctx, cs.Codes())
	if err != nil {
		return v, err
	}
	pt := i18n.FromContext(ctx)
	v.Candidates = table{ID: "candidates", Caption: "Candidates, with their active runs per kind (retracted runs are not counted)", Columns: cols}
	for i, h := range hs {
		units := unitsOf[h.Code]
		cs.setUnits(h.Code, units)
		row := []cell{{Text: cs.Label(h.Code), Export: cs.Key(h.Code), Color: charts.Color(i), Href: handsetHref(cs, h.Code)}}
		if !blind {
			row = append(row, textCell(h.Name), textCell(h.Manufacturer))
		}
		row = append(row, textCell(pt.Text(h.FormFactor)), intCell(len(units)))
		for _, k := range models.Kinds {
			n := count[h.Code][k]
			cl := intCell(n)
			if n > 0 {
				cl.Href = withQuery("/compare", "kind", string(k), "handsets", cs.Ref(h.Code), "blind", blindParam(blind))
			}
			row = append(row, cl)
		}
		v.Candidates.Rows = append(v.Candidates.Rows, row)

		for _, k := range models.Kinds {
			item := missingItem{Candidate: cell{Text: cs.Label(h.Code), Export: cs.Key(h.Code), Color: charts.Color(i), Href: handsetHref(cs, h.Code)}, Kind: string(k)}
			if count[h.Code][k] == 0 {
				item.Text = pt.T("no active %s runs at all", pt.Text(string(k)))
				v.Missing = append(v.Missing, item)
				continue
			}
			var lacking []string
			for _, u := range units {
				if !has[h.Code][k][u.Serial] {
					lacking = append(lacking, cs.Unit(h.Code, u.Serial))
				}
			}
			if len(lacking) == 0 {
				continue
			}
			n, more := len(lacking), ""
			if n > maxListedUnits {
				more = pt.T(" and %d more", n-maxListedUnits)
				lacking = lacking[:maxListedUnits]
			}
			if n == 1 {
				item.Text = pt.T("%d of %d units has no active %s run: %s%s", n, len(units), pt.Text(string(k)), strings.Join(lacking, ", "), more)
			} else {
				item.Text = pt.T("%d of %d units have no active %s run: %s%s", n, len(units), pt.Text(string(k)), strings.Join(lacking, ", "), more)
			}
			item.Href = handsetHref(cs, h.Code)
			v.Missing = append(v.Missing, item)
		}
	}

	latest, _, err := p.s.Store.Runs(ctx, store.RunFilter{IncludeRetracted: true, Page: store.Page{Limit: 12}})
	if err != nil {
		return v, err
	}
	atts, err := p.attachmentsOf(ctx, latest)
	if err != nil {
		return v, err
	}
	v.Latest = runsTable("latest", "Latest runs (newest start first, retracted included)", cs, latest, atts)
	return v, nil
}

func handsetHref(cs *cast, code string) string {
	return withQuery("/handsets/"+cs.Ref(code), "blind", blindParam(cs.blind))
}

// handsetView is /handsets/{code}: one candidate, declared beside measured,
// and each unit's stress sequence.
type handsetView struct {
	chrome
	Label, Name, Manufacturer, FormFactor string
	Color                                 string
	Declared                              table
	Repair                                *table
	Units                                 []unitSequence
	Compare                               []navLink
	Report                                string // the candidate's test report (report.go)
	// All is every run of the candidate, paged, sorted and filtered
	// (pages_tables.go): the sequences above show each unit's latest only.
	All runTableView
}

type unitSequence struct {
	Label string
	Notes string
	Runs  []sequenceRun // the latest handsetRunsPerUnit, oldest first
	Items template.HTML // Runs as the page's list items (sequenceItems)
	// Earlier counts the runs before those shown; EarlierHref lists them.
	Earlier     int
	EarlierHref string
}

// handsetRunsPerUnit is how many of a unit's latest runs the handset page shows.
const handsetRunsPerUnit = 50

type sequenceRun struct {
	N         int
	Kind      string
	Text      string
	Href      string
	Retracted bool
	Date      string
	// ReviewState is the latest revision's review (recorded, verified,
	// rejected); Attachments counts its active photos and PDFs.
	ReviewState string
	Attachments int
}

func (p *pages) handset(c *gin.Context) {
	blind := isBlind(c)
	cs, err := newCast(c.Request.Context(), p.s.Store, blind)
	if err != nil {
		p.fail(c, err)
		return
	}
	code, isCode, ok := cs.resolve(c.Param("code"))
	if !ok {
		msg := "no candidate " + strconv.Quote(c.Param("code"))
		if blind {
			msg = "no such candidate"
		}
		p.fail(c, models.Errorf(models.NotFound, "%s", msg))
		return
	}
	if blind && isCode {
		c.Redirect(http.StatusFound, handsetHref(cs, code))
		return
	}
	cs.zone = p.s.zone()
	ctx := c.Request.Context()
	v, units, err := p.buildHandset(ctx, cs, code)
	if err != nil {
		p.fail(c, err)
		return
	}
	q, f, err := readRunTable(c, cs, p.s.zone(), "/handsets/"+cs.Ref(code), code, units)
	if err != nil {
		p.fail(c, err)
		return
	}
	if v.All, err = p.buildRunTable(ctx, cs, q, f, "all-runs"); err != nil {
		p.fail(c, err)
		return
	}
	v.Actions = p.s.handsetActions(c, blind, code)
	p.render(c, http.StatusOK, "handset.html", v)
}

// buildHandset lays out the candidate and its units' sequences; it
// returns the units too, for the filters of the runs table.
func (p *pages) buildHandset(ctx context.Context, cs *cast, code string) (handsetView, []models.Unit, error) {
	hm, err := p.s.measuredHandset(ctx, code)
	if err != nil {
		return handsetView{}, nil, err
	}
	h, m := hm.Handset, hm.Measured
	v := handsetView{chrome: newChrome(cs.Label(code), "", cs.blind), Label: cs.Label(code), FormFactor: h.FormFactor,
		Color: charts.Color(cs.Index(code)), Report: withQuery("/handsets/"+cs.Ref(code)+"/report.pdf", "blind", blindParam(cs.blind))}
	if !cs.blind {
		v.Name, v.Manufacturer = h.Name, h.Manufacturer
		v.BlindToggle = handsetHref(cs.asBlind(), code)
	}
	for _, k := range models.Kinds {
		name := string(k)
		v.Compare = append(v.Compare, navLink{Label: strings.ToUpper(name[:1]) + name[1:],
			Href: withQuery("/compare", "kind", name, "handsets", cs.Ref(code), "blind", blindParam(cs.blind))})
	}

	d := h.Declared
	v.Declared = table{ID: "declared", Caption: "Declared by the maker beside measured by the lab (EU 2023/1669 yardsticks; units counted, retracted runs left out)",
		Columns: []column{{"quantity", "Quantity", false}, {"declared", "Declared", false}, {"measured", "Measured", false}, {"basis", "Basis", false}}}
	// The quantity names and the lab's own words are translated here; of
	// the EU label computations' notes only the battery's, by its pattern
	// (the free-fall and repair notes are still English, issue #15).
	pt := i18n.FromContext(ctx)
	row := func(q, declared, measured, basis string) {
		v.Declared.Rows = append(v.Declared.Rows, []cell{textCell(pt.Text(q)), textCell(pt.Decimal(declared)), textCell(pt.Decimal(measured)), textCell(basis)})
	}
	ipMeasured, ipBasis := "", pt.T("no ingress runs")
	if m.IPCode != nil {
		ipMeasured = *m.IPCode
	}
	var parts []string
	for _, r := range m.Ingress {
		parts = append(parts, pt.T("%s: %d/%d units passed", r.Code, r.PassedUnits, r.Units))
	}
	if len(parts) > 0 {
		ipBasis = strings.Join(parts, "; ")
		if ipMeasured == "" {
			ipMeasured = pt.T("none demonstrated")
		}
	}
	row("IP code", d.IPCode, ipMeasured, ipBasis)
	declaredOnly := pt.T("declared only")
	row("Immersion depth (IPX8)", unitText(d.ImmersionDepthM, "m"), "", declaredOnly)
	row("Drop height", unitText(d.DropHeightM, "m"), "", pt.T("see Compare: Drop for the programmes run"))
	if ff := m.FreeFall; ff != nil {
		class := pt.T("below class D (fails ecodesign)")
		if ff.Class != nil {
			class = pt.T("class %s", *ff.Class)
		}
		row("Repeated free fall (EU label)", "", class, pt.T("%d falls without defect (least of %d units).", ff.FallsWithoutDefect, ff.Units)+" "+say(pt, ff.Why))
	} else {
		row("Repeated free fall (EU label)", "", "", pt.T("no 1 m tumbler runs"))
	}
	opRange := ""
	if d.OperatingMinC != nil && d.OperatingMaxC != nil {
		opRange = pt.T("%s to %s °C", fmtFloat(*d.OperatingMinC), fmtFloat(*d.OperatingMaxC))
	}
	row("Operating temperature", opRange, "", pt.T("see Compare: Temperature"))
	row("Battery capacity", unitText(d.BatteryCapacityMAh, "mAh"), "", declaredOnly)
	row("Nominal voltage", unitText(d.NominalVoltageV, "V"), "", declaredOnly)
	if e := m.Battery; e != nil {
		row("EU loop runtime", "", fmt.Sprintf("%.2f h", e.RuntimeH), pt.T("mean of %d unit means (%s)", e.Units, e.Protocol))
		eei, class := "", ""
		if e.EEI != nil {
			eei = fmt.Sprintf("EEI %.2f", *e.EEI)
		}
		if e.Class != nil {
			class = pt.T("class %s", *e.Class) + ", "
		}
		row("Energy efficiency (EU label)", "", strings.TrimSuffix(class+eei, ", "), say(pt, e.Why))
	} else {
		row("EU loop runtime", "", "", pt.T("no eu_eei_loop battery runs"))
	}
	repMeasured, repBasis := repairRow(pt, m.Repairability)
	row("Repairability class (EU label)", d.RepairabilityClass, repMeasured, repBasis)

	unitsOf, err := p.s.Store.UnitsOf(ctx, []string{code})
	if err != nil {
		return v, nil, err
	}
	units := unitsOf[code]
	cs.setUnits(code, units)
	total, err := p.s.Store.UnitRunTotals(ctx, code)
	if err != nil {
		return v, nil, err
	}
	// Each unit shows its latest runs (a page), numbered in the unit's
	// sequence, and links to the rest: 3,000 runs on a unit are not read
	// to draw the page (issue #18 item 3).
	// The units' latest runs in one read, each unit's arm walking
	// runs_unit, with only what a sequence shows (Store.UnitSequences:
	// 400 full runs were most of the page at 100,000 runs), and their
	// attachments in one more.
	var tested []string
	nShown := 0
	for _, u := range units {
		if total[u.Serial] > 0 {
			tested = append(tested, u.Serial)
			nShown += min(total[u.Serial], handsetRunsPerUnit)
		}
	}
	latestOf, err := p.s.Store.UnitSequences(ctx, code, tested, handsetRunsPerUnit)
	if err != nil {
		return v, nil, err
	}
	shown := make([]models.Run, 0, nShown)
	for _, rs := range latestOf {
		shown = append(shown, rs...)
	}
	atts, err := p.attachmentsOf(ctx, shown)
	if err != nil {
		return v, nil, err
	}
	for _, u := range units {
		seq := unitSequence{Label: cs.Unit(code, u.Serial), Notes: cs.Text(u.Notes)}
		if n := total[u.Serial]; n > 0 {
			latest := latestOf[u.Serial]
			slices.Reverse(latest) // oldest first, as the sequence reads
			first := n - len(latest)
			if first > 0 {
				seq.Earlier = first
				seq.EarlierHref = withQuery("/handsets/"+cs.Ref(code), "unit", cs.UnitRef(code, u.Serial), "blind", blindParam(cs.blind)) + "#all-runs"
			}
			for i, r := range latest {
				n := 0
				for _, a := range atts[r.ID] {
					if a.Status != models.Retracted {
						n++
					}
				}
				seq.Runs = append(seq.Runs, sequenceRun{N: first + i + 1, Kind: string(r.Kind), Text: runSummary(cs, r), Href: runHref(r.ID, cs.blind),
					Retracted: r.Status == models.Retracted, Date: cs.when(r.StartedAt), ReviewState: string(r.ReviewOf().State), Attachments: n})
			}
		}
		seq.Items = sequenceItems(pt, seq.Runs)
		v.Units = append(v.Units, seq)
	}
	v.Repair = repairTable(cs, code, m.Repairability, cs.blind)
	return v, units, nil
}

func unitText(v *float64, unit string) string {
	if v == nil {
		return ""
	}
	return fmtFloat(*v) + " " + unit
}

// UnitRef is how a link names a unit to the API: its serial, or in blind
// mode its blind reference "unit-N", which blindMask turns back into the
// serial on the way in.
func (c *cast) UnitRef(code, serial string) string {
	if !c.blind {
		return serial
	}
	if n, ok := c.units[code][serial]; ok {
		return "unit-" + strconv.Itoa(n)
	}
	return "unit-?"
}
