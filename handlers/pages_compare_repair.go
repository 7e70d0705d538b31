package handlers

import (
	"slices"
	"strconv"
	"strings"

	"ruggedlab/charts"
	"ruggedlab/eulabel"
	"ruggedlab/i18n"
	"ruggedlab/models"
)

// maxListedRepairUnits caps the per-unit table of a part.
const maxListedRepairUnits = 200

// repair builds one /compare?kind=repair section: one priority part, each
// unit's disassembly steps and its disassembly + reassembly time as dots
// per candidate, and the worst unit per candidate (what the class uses).
func (b *sectionBuilder) repair(k sectionKey) error {
	part := k.value
	b.sec.Title = strings.ReplaceAll(part, "_", " ")
	b.sec.Lede = "Each unit's teardown of this part. The worst unit counts for the class: most steps, worst fastener and tool."
	type unitObs struct {
		steps      int
		minutes    float64
		functional bool
		fasteners  string
		tools      string
		runs       []string
	}
	per := map[string]map[string]*unitObs{} // handset → unit → worst observation
	var codes []string
	for _, r := range b.runs {
		if r.DisassemblySteps == nil {
			continue
		}
		if per[r.Handset] == nil {
			per[r.Handset] = map[string]*unitObs{}
			codes = append(codes, r.Handset)
		}
		u := per[r.Handset][r.Unit]
		if u == nil {
			u = &unitObs{functional: true}
			per[r.Handset][r.Unit] = u
		}
		u.steps = max(u.steps, *r.DisassemblySteps)
		if t := r.RepairTimeS(); t != nil {
			u.minutes = max(u.minutes, *t/60)
		}
		if r.FunctionalAfter == nil || !*r.FunctionalAfter {
			u.functional = false
		}
		if u.fasteners == "" || eulabel.FastenerScore(r.Fasteners) < eulabel.FastenerScore(u.fasteners) {
			u.fasteners = r.Fasteners
		}
		if u.tools == "" || eulabel.ToolScore(r.Tools) < eulabel.ToolScore(u.tools) {
			u.tools = r.Tools
		}
		u.runs = append(u.runs, r.ID)
	}
	slices.SortFunc(codes, func(a, c string) int { return b.cs.Index(a) - b.cs.Index(c) })

	summary := table{ID: b.id("units"), Caption: "Worst unit per candidate (units counted, retracted runs left out)",
		Columns: []column{{"candidate", "Candidate", false}, {"units", "Units (n)", true}, {"max_steps", "Steps (worst unit)", true},
			{"score_dd", "SDD", true}, {"fasteners", "Fasteners (worst)", false}, {"tools", "Tools (worst)", false},
			{"max_repair_min", "Longest repair (min)", true}, {"not_functional", "Not functional after", true}, {"runs", "Runs", true}}}
	units := table{ID: b.id("unit-list"), Caption: "Every unit", Collapsed: true,
		Columns: []column{{"candidate", "Candidate", false}, {"unit", "Unit", false}, {"steps", "Steps", true},
			{"repair_min", "Repair (min)", true}, {"fasteners", "Fasteners", false}, {"tools", "Tools", false},
			{"functional_after", "Functional after", false}, {"runs", "Runs", true}}}
	var stepDots, timeDots []charts.DotGroup
	for _, code := range codes {
		serials := make([]string, 0, len(per[code]))
		for s := range per[code] {
			serials = append(serials, s)
		}
		slices.Sort(serials)
		var worstSteps, broken int
		var worstMin float64
		var fast, tools string
		var ids []string
		steps, mins := []float64{}, []float64{}
		for _, s := range serials {
			u := per[code][s]
			worstSteps, worstMin = max(worstSteps, u.steps), max(worstMin, u.minutes)
			if fast == "" || eulabel.FastenerScore(u.fasteners) < eulabel.FastenerScore(fast) {
				fast = u.fasteners
			}
			if tools == "" || eulabel.ToolScore(u.tools) < eulabel.ToolScore(tools) {
				tools = u.tools
			}
			fn := i18n.TOr(b.pt, "yes")
			if !u.functional {
				fn, broken = i18n.TOr(b.pt, "no"), broken+1
			}
			steps, mins = append(steps, float64(u.steps)), append(mins, u.minutes)
			ids = append(ids, u.runs...)
			units.Rows = append(units.Rows, []cell{b.candidate(code), textCell(b.cs.Unit(code, s)), intCell(u.steps),
				numCell(u.minutes, 1), textCell(repairWord(b.pt, u.fasteners)), textCell(repairWord(b.pt, u.tools)), textCell(fn), b.runLinks(u.runs)})
		}
		nf := intCell(broken)
		if broken > 0 {
			nf.Class = "verdict not_met"
		}
		summary.Rows = append(summary.Rows, []cell{b.candidate(code), intCell(len(serials)), intCell(worstSteps),
			intCell(eulabel.DepthScore(worstSteps)), textCell(repairWord(b.pt, fast)), textCell(repairWord(b.pt, tools)), numCell(worstMin, 1), nf, b.runLinks(ids)})
		stepDots = append(stepDots, charts.DotGroup{Label: b.cs.Label(code), Values: steps, Empty: b.cs.T(charts.NoData)})
		timeDots = append(timeDots, charts.DotGroup{Label: b.cs.Label(code), Values: mins, Empty: b.cs.T(charts.NoData)})
	}
	if len(codes) == 0 {
		b.sec.Tables = []table{summary}
		return nil
	}
	sc, err := charts.UnitDots("repair-steps", b.id("repair-steps"), b.chartTitle("%s: disassembly steps per unit"), "steps", stepDots)
	if err != nil {
		return err
	}
	tc, err := charts.UnitDots("repair-time", b.id("repair-time"), b.chartTitle("%s: disassembly + reassembly per unit"), "min", timeDots)
	if err != nil {
		return err
	}
	sc.Caption, tc.Caption = b.cs.T("Disassembly steps per unit"), b.cs.T("Disassembly + reassembly per unit (min)")
	b.sec.Tables = []table{summary}
	// Every unit is listed up to maxListedRepairUnits per part; beyond, the
	// dots show them (10,000 runs would otherwise make a 7 MB page).
	if len(units.Rows) <= maxListedRepairUnits {
		b.sec.Tables = append(b.sec.Tables, units)
	}
	b.sec.Charts, err = chartHTML(b.cs.tr, sc, tc)
	return err
}

// repairClassSection is the first section of /compare?kind=repair: each
// candidate's declared class beside the class recomputed from its repair
// runs, with R, the parameter scores and the least-tested part's unit count.
// cs speaks the page's language (an export's: English), in which the
// class's basis is worded.
func repairClassSection(cs *cast, handsets []models.Handset, runs []models.Run) compareSection {
	t := table{ID: "repair-class", Caption: "Repairability class: declared by the maker, recomputed from the lab's teardowns (EU 2023/1669 Annex IV point 5)",
		Columns: []column{{"candidate", "Candidate", false}, {"declared_class", "Declared", false}, {"measured_class", "Measured", false},
			{"index", "R", true}, {"sdd", "SDD", true}, {"sf", "SF", true}, {"st", "ST", true},
			{"ssp", "SSP", true}, {"ssu", "SSU", true}, {"sri", "SRI", true}, {"min_units", "Units (least-tested part)", true},
			{"note", "Basis", false}}}
	for _, h := range handsets {
		rep := eulabel.Repair(h, runs)
		cand := cell{Text: cs.Label(h.Code), Export: cs.Key(h.Code), Color: charts.Color(cs.Index(h.Code)), Href: withQuery("/handsets/"+cs.Ref(h.Code), "blind", blindParam(cs.blind))}
		declared, measured := missing, cs.T("no class")
		if rep.DeclaredClass != nil {
			declared = *rep.DeclaredClass
		}
		mc := cell{Text: measured, Class: "verdict inconclusive"}
		if rep.Class != nil {
			mc = textCell(*rep.Class)
			if rep.WorseThanDeclared {
				mc.Class, mc.Small = "verdict not_met", cs.T("worse than declared")
			}
		}
		row := []cell{cand, textCell(declared), mc, optCell(rep.Index, 2)}
		if p := rep.Parameters; p != nil {
			row = append(row, numCell(p.DisassemblyDepth, 2), numCell(p.Fasteners, 2), numCell(p.Tools, 2))
		} else {
			row = append(row, textCell(missing), textCell(missing), textCell(missing))
		}
		sup := func(v int) cell {
			if v == 0 {
				return textCell(missing)
			}
			return intCell(v)
		}
		least := 0
		for i, p := range rep.Parts {
			if i == 0 || p.Units < least {
				least = p.Units
			}
		}
		if len(rep.MissingParts) > 0 {
			least = 0
		}
		// The note names parts, never serials: it is safe on blind pages.
		row = append(row, sup(rep.Support.SpareParts), sup(rep.Support.SoftwareUpdates), sup(rep.Support.RepairInformation),
			intCell(least), textCell(cs.Say(rep.Why)))
		t.Rows = append(t.Rows, row)
	}
	return compareSection{ID: "s0", Title: "Repairability class", Tables: []table{t},
		Lede: "R = 0.25·SDD + 0.15·(SF + ST + SSP + SSU + SRI), rounded to 2 decimals; A ≥ 4.00, B ≥ 3.35, C ≥ 2.55, D ≥ 1.75, else E. " +
			"A priority part without a run leaves the class undetermined. SSP, SSU and SRI are declared by the maker (" + strconv.Itoa(len(handsets)) + " candidates)."}
}
