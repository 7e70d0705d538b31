package handlers

import (
	"fmt"
	"strconv"
	"strings"

	"ruggedlab/eulabel"
	"ruggedlab/i18n"
	"ruggedlab/models"
)

// repairRow is the handset page's line for the repairability class:
// declared beside measured, with what the measured class rests on.
func repairRow(pt *i18n.Printer, rep *eulabel.Repairability) (measured, basis string) {
	if rep == nil {
		return "", pt.T("no repair runs")
	}
	if rep.Class == nil {
		return pt.T("no class"), sayAll(pt, rep.Why)
	}
	measured = pt.T("class %s (R %s)", *rep.Class, strconv.FormatFloat(*rep.Index, 'f', 2, 64))
	if rep.WorseThanDeclared {
		measured += pt.T(" — worse than declared")
	}
	return measured, sayAll(pt, rep.Why) // the note in the page's language
}

// repairWord is a part, fastener or tool code in pt's language, as the
// run pages name it (resupplied → "fournie avec la pièce"); a code the
// catalogue lacks, and every code in English (exports), stays as it is.
func repairWord(pt *i18n.Printer, code string) string {
	if pt == nil || pt.Lang == i18n.EN {
		return code
	}
	return fmt.Sprint(sayArg(pt, models.Word(code)))
}

// repairTable is the per-part breakdown behind the measured class: each
// priority part's worst unit and scores, each unit's steps and time with a
// link to its runs. Unit labels go through the cast, so blind pages show
// masked serials.
func repairTable(cs *cast, code string, rep *eulabel.Repairability, blind bool) *table {
	if rep == nil || (len(rep.Parts) == 0 && len(rep.MissingParts) == 0) {
		return nil
	}
	t := &table{ID: "repair", Caption: "Repairability per priority part (worst unit counts; EU 2023/1669 Annex IV point 5)",
		Columns: []column{{"part", "Part", false}, {"weight", "Weight", true}, {"units", "Units", true},
			{"max_steps", "Steps (worst unit)", true}, {"fasteners", "Fasteners", false}, {"tools", "Tools", false},
			{"score_dd", "SDD", true}, {"score_f", "SF", true}, {"score_t", "ST", true},
			{"max_repair_s", "Longest repair (s)", true}, {"per_unit", "Units: steps, time", false}}}
	pt := cs.tr
	for _, p := range rep.Parts {
		var units []string
		href := ""
		for _, u := range p.PerUnit {
			s := cs.T("%s: %d steps, %.0f s", cs.Unit(code, u.Unit), u.DisassemblySteps, u.RepairS)
			if !u.FunctionalAfter {
				s += cs.T(" — not functional after reassembly")
			}
			units = append(units, s)
			if href == "" && len(u.Runs) > 0 {
				href = runHref(u.Runs[0], blind)
			}
		}
		perUnit := textCell(strings.Join(units, "; "))
		perUnit.Href = href
		if !p.AllFunctional {
			perUnit.Class = "verdict not_met"
		}
		t.Rows = append(t.Rows, []cell{textCell(repairWord(pt, p.Part)), numCell(p.Weight, 2), intCell(p.Units),
			intCell(p.DisassemblySteps), textCell(repairWord(pt, p.Fasteners)), textCell(repairWord(pt, p.Tools)),
			intCell(p.Scores.DisassemblyDepth), intCell(p.Scores.Fasteners),
			intCell(p.Scores.Tools), numCell(p.MaxRepairS, 0), perUnit})
	}
	for _, m := range rep.MissingParts {
		t.Rows = append(t.Rows, []cell{textCell(repairWord(pt, m)), textCell(missing), intCell(0), textCell(missing), textCell(missing),
			textCell(missing), textCell(missing), textCell(missing), textCell(missing), textCell(missing),
			{Text: cs.T("no active repair run: the class is not computed"), Class: "verdict inconclusive"}})
	}
	return t
}
