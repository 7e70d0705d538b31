package verdict_test

import (
	"testing"

	"ruggedlab/models"
	"ruggedlab/verdict"
)

// repairRun is one teardown: part, steps, seconds in total, functional.
func repairRun(handset, unit, part string, steps int, seconds float64, functional bool) models.Run {
	r := newRun(models.Repair, handset, unit)
	r.Part, r.DisassemblySteps, r.Fasteners, r.Tools = part, p(steps), "reusable", "basic"
	r.DisassemblyS, r.ReassemblyS, r.FunctionalAfter = p(seconds/2), p(seconds/2), p(functional)
	return r
}

// allParts tears every rigid priority part down on units with steps
// (display: displaySteps), all functional.
func allParts(handset string, units []string, steps, displaySteps int) []models.Run {
	var runs []models.Run
	for _, u := range units {
		for _, part := range []string{"battery", "display", "back_cover", "front_camera", "rear_camera", "charging_port", "buttons", "microphone", "speaker"} {
			s := steps
			if part == "display" {
				s = displaySteps
			}
			runs = append(runs, repairRun(handset, u, part, s, 600, true))
		}
	}
	return runs
}

func repairProfile(pass models.UnitPassesIf, where models.Where, min int) models.Profile {
	return models.Profile{Requirements: []models.Requirement{{Key: "k", Kind: models.Repair, Where: where, UnitPassesIf: pass,
		Decision: models.Decision{Rule: models.AllUnits, Confidence: 0.95}, MinUnits: min}}}
}

func TestRepairVerdicts(t *testing.T) {
	display := models.Where{Part: []string{"display"}}
	units3 := []string{"U1", "U2", "U3"}
	broken := allParts("h", units3, 4, 4)
	broken[1].FunctionalAfter = p(false) // U1's display
	declared := models.Declared{SparePartsAccess: "professional_repairers", RepairInfoAccess: "professional_repairers", SoftwareUpdateYears: p(7)}
	var noMic []models.Run
	for _, r := range allParts("h", units3, 4, 4) {
		if r.Part != "microphone" {
			noMic = append(noMic, r)
		}
	}
	h := models.Handset{Code: "h", FormFactor: "phone", Declared: declared}
	for _, tc := range []struct {
		name    string
		pass    models.UnitPassesIf
		where   models.Where
		min     int
		handset models.Handset
		runs    []models.Run
		want    verdict.Verdict
		n       int
	}{
		{"display ≤ 10 steps on every unit", models.UnitPassesIf{MaxDisassemblySteps: p(10)}, display, 3, h, allParts("h", units3, 4, 8), verdict.Met, 3},
		{"one unit over 10 steps", models.UnitPassesIf{MaxDisassemblySteps: p(10)}, display, 3,
			h, append(allParts("h", units3[:2], 4, 8), allParts("h", units3[2:], 4, 12)...), verdict.NotMet, 3},
		{"too few units", models.UnitPassesIf{MaxDisassemblySteps: p(10)}, display, 5, h, allParts("h", units3, 4, 8), verdict.Inconclusive, 3},
		{"max_repair_s over all units", models.UnitPassesIf{MaxRepairS: p(599.0)}, models.Where{}, 3, h, allParts("h", units3, 4, 4), verdict.NotMet, 3},
		{"functional_after: one unit broken", models.UnitPassesIf{FunctionalAfter: p(true)}, display, 3, h, broken, verdict.NotMet, 3},
		// 4 steps everywhere: SDD 4, SF 5, ST 4, SSP 3, SSU 5, SRI 3 →
		// R = 1.00 + 0.15·20 = 4.00 → A.
		{"class at least B, measured A", models.UnitPassesIf{RepairabilityClassAtLeast: "B"}, models.Where{}, 3, h, allParts("h", units3, 4, 4), verdict.Met, 3},
		// display 16 steps: SDD 4 − 0.3·3 = 3.1, R = 0.775 + 3.00 = 3.775 → 3.78 → B.
		{"class at least A, measured B", models.UnitPassesIf{RepairabilityClassAtLeast: "A"}, models.Where{}, 3, h, allParts("h", units3, 4, 16), verdict.NotMet, 3},
		{"class: a missing part", models.UnitPassesIf{RepairabilityClassAtLeast: "B"}, models.Where{}, 3, h, noMic, verdict.Inconclusive, 0},
		{"class: handset known by code only", models.UnitPassesIf{RepairabilityClassAtLeast: "B"}, models.Where{}, 3, models.Handset{Code: "h"}, allParts("h", units3, 4, 4), verdict.Inconclusive, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := verdict.EvaluateHandsets(repairProfile(tc.pass, tc.where, tc.min), []models.Handset{tc.handset}, tc.runs)
			c := m.Rows[0].Cells[0]
			if c.Verdict != tc.want || c.NUnits != tc.n {
				t.Errorf("verdict %s n %d (reason %q), want %s n %d", c.Verdict, c.NUnits, c.Reason, tc.want, tc.n)
			}
		})
	}
}
