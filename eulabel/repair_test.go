package eulabel_test

import (
	"slices"
	"testing"

	"ruggedlab/eulabel"
	"ruggedlab/models"
)

// obs is one teardown of the worked example: steps, fasteners, tools.
type obs struct {
	steps            int
	fasteners, tools string
}

// workedExample is reference/repairability.md §7 (a rigid rugged phone):
// SDD 4.00, SF 4.30, ST 3.70; with SSP 3, SSU 5, SRI 3, R = 3.85 → B.
var workedExample = map[string]obs{
	"battery":       {4, "reusable", "basic"},
	"display":       {2, "resupplied", "supplied_with_part"},
	"back_cover":    {1, "reusable", "basic"},
	"front_camera":  {7, "reusable", "basic"},
	"rear_camera":   {7, "reusable", "basic"},
	"charging_port": {7, "resupplied", "basic"},
	"speaker":       {7, "reusable", "basic"},
	"buttons":       {12, "reusable", "basic"},
	"microphone":    {12, "reusable", "basic"},
}

func teardown(unit, part string, o obs, functional bool) models.Run {
	r := run(models.Repair, unit)
	r.Part, r.DisassemblySteps, r.Fasteners, r.Tools = part, p(o.steps), o.fasteners, o.tools
	r.DisassemblyS, r.ReassemblyS, r.FunctionalAfter = p(60.0*float64(o.steps)), p(50.0*float64(o.steps)), p(functional)
	return r
}

// threeUnits tears down every part of the worked example on three units;
// change may alter one observation.
func threeUnits(change func(unit, part string, o *obs)) []models.Run {
	var runs []models.Run
	for _, u := range []string{"U1", "U2", "U3"} {
		for _, part := range eulabel.PriorityParts(false) {
			o := workedExample[part]
			if change != nil {
				change(u, part, &o)
			}
			runs = append(runs, teardown(u, part, o, true))
		}
	}
	return runs
}

func supportHandset(updateYears int) models.Handset {
	return models.Handset{Code: "h", FormFactor: "phone", Declared: models.Declared{
		RepairabilityClass: "B", SparePartsAccess: "professional_repairers", RepairInfoAccess: "professional_repairers",
		SoftwareUpdateYears: p(updateYears), SupportSource: "EPREL sheet"}}
}

func TestRepairScores(t *testing.T) {
	for _, tc := range []struct {
		steps, want int
	}{{1, 5}, {2, 5}, {3, 4}, {5, 4}, {6, 3}, {10, 3}, {11, 2}, {15, 2}, {16, 1}, {40, 1}} {
		if got := eulabel.DepthScore(tc.steps); got != tc.want {
			t.Errorf("DepthScore(%d) = %d, want %d", tc.steps, got, tc.want)
		}
	}
	for class, want := range map[string]int{"reusable": 5, "resupplied": 3, "removable": 1, "non_removable": 1} {
		if got := eulabel.FastenerScore(class); got != want {
			t.Errorf("FastenerScore(%s) = %d, want %d", class, got, want)
		}
	}
	for class, want := range map[string]int{"none": 5, "basic": 4, "supplied_with_part": 3, "supplied_with_product": 2, "commercial": 1, "proprietary": 1} {
		if got := eulabel.ToolScore(class); got != want {
			t.Errorf("ToolScore(%s) = %d, want %d", class, got, want)
		}
	}
	for years, want := range map[int]int{4: 1, 5: 1, 6: 3, 7: 5, 10: 5} {
		if got := eulabel.SoftwareUpdateScore(years); got != want {
			t.Errorf("SoftwareUpdateScore(%d) = %d, want %d", years, got, want)
		}
	}
	for r, want := range map[float64]string{5: "A", 4.00: "A", 3.99: "B", 3.35: "B", 3.34: "C", 2.55: "C", 2.54: "D", 1.75: "D", 1.74: "E", 1: "E"} {
		if got := eulabel.RepairClass(r); got != want {
			t.Errorf("RepairClass(%.2f) = %s, want %s", r, got, want)
		}
	}
}

// The worked example by hand, then variations: each row's R and class were
// computed on paper from the formula in the package comment.
func TestRepairWorkedExample(t *testing.T) {
	for _, tc := range []struct {
		name          string
		handset       models.Handset
		runs          []models.Run
		wantIndex     float64 // 0: null
		wantClass     string  // "": null
		wantSDD       float64
		wantMissing   []string
		wantDisplayDD int
	}{
		{name: "worked example, 7 years of updates: R 3.85 → B",
			handset: supportHandset(7), runs: threeUnits(nil), wantIndex: 3.85, wantClass: "B", wantSDD: 4.00, wantDisplayDD: 5},
		{name: "legal minimum of 5 years: R 3.25 → C",
			handset: supportHandset(5), runs: threeUnits(nil), wantIndex: 3.25, wantClass: "C", wantSDD: 4.00, wantDisplayDD: 5},
		// U3's display needed 16 steps: its score 1 replaces 5 (worst unit
		// counts), SDD = 4.00 − 0.30·4 = 2.80, R = 0.25·2.80 + 2.85 = 3.55.
		{name: "worst unit lowers the display score: R 3.55 → B",
			handset: supportHandset(7), wantIndex: 3.55, wantClass: "B", wantSDD: 2.80, wantDisplayDD: 1,
			runs: threeUnits(func(u, part string, o *obs) {
				if u == "U3" && part == "display" {
					o.steps = 16
				}
			})},
		// Add a proprietary tool on U2's battery: ST 3.70 − 0.30·3 = 2.80,
		// R = 0.25·2.80 + 0.15·(4.30 + 2.80 + 3 + 5 + 3) = 0.70 + 2.715 = 3.415 → 3.42 → B;
		// with 6 years (SSU 3): 3.415 − 0.30 = 3.115 → 3.12 → C.
		{name: "worst units on two parts, 6 years: R 3.12 → C",
			handset: supportHandset(6), wantIndex: 3.12, wantClass: "C", wantSDD: 2.80, wantDisplayDD: 1,
			runs: threeUnits(func(u, part string, o *obs) {
				if u == "U3" && part == "display" {
					o.steps = 16
				}
				if u == "U2" && part == "battery" {
					o.tools = "proprietary"
				}
			})},
		{name: "a missing part: no class",
			handset: supportHandset(7), wantMissing: []string{"microphone"},
			runs: slices.DeleteFunc(threeUnits(nil), func(r models.Run) bool { return r.Part == "microphone" })},
		{name: "retracted runs never count: the microphone is missing again",
			handset: supportHandset(7), wantMissing: []string{"microphone"},
			runs: func() []models.Run {
				runs := threeUnits(nil)
				for i := range runs {
					if runs[i].Part == "microphone" {
						runs[i].Status = models.Retracted
					}
				}
				return runs
			}()},
		{name: "undeclared updates: no class",
			handset: models.Handset{Code: "h", FormFactor: "phone", Declared: models.Declared{SparePartsAccess: "end_users", RepairInfoAccess: "end_users"}},
			runs:    threeUnits(nil), wantSDD: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := eulabel.Repair(tc.handset, tc.runs)
			// Pages word the note from Why; its English is the API's note.
			if got.Why.String() != got.Note {
				t.Errorf("Why says %q, note %q", got.Why.String(), got.Note)
			}
			if tc.wantIndex == 0 {
				if got.Index != nil || got.Class != nil {
					t.Errorf("index %v class %s, want null", *got.Index, str(got.Class))
				}
			} else if got.Index == nil || *got.Index != tc.wantIndex || str(got.Class) != tc.wantClass {
				t.Errorf("index %v class %s, want %.2f %s (note %q)", got.Index, str(got.Class), tc.wantIndex, tc.wantClass, got.Note)
			}
			if tc.wantIndex != 0 && (got.Parameters == nil || round(got.Parameters.DisassemblyDepth) != tc.wantSDD) {
				t.Errorf("SDD %+v, want %.2f", got.Parameters, tc.wantSDD)
			}
			if !slices.Equal(got.MissingParts, append([]string{}, tc.wantMissing...)) {
				t.Errorf("missing %v, want %v", got.MissingParts, tc.wantMissing)
			}
			for _, part := range got.Parts {
				if part.Units != 3 {
					t.Errorf("%s: %d units, want 3", part.Part, part.Units)
				}
				if part.Part == "display" && tc.wantDisplayDD != 0 && part.Scores.DisassemblyDepth != tc.wantDisplayDD {
					t.Errorf("display SDD %d, want %d", part.Scores.DisassemblyDepth, tc.wantDisplayDD)
				}
			}
			if str(got.DeclaredClass) != declaredOf(tc.handset) {
				t.Errorf("declared %s", str(got.DeclaredClass))
			}
		})
	}
}

func round(x float64) float64 { return float64(int(x*100+0.5)) / 100 }

// A unit left non-functional shows on its part; a worse class than declared
// is flagged.
func TestRepairFlags(t *testing.T) {
	runs := threeUnits(nil)
	runs[0].FunctionalAfter = p(false) // U1 battery
	got := eulabel.Repair(supportHandset(5), runs)
	if !got.WorseThanDeclared || str(got.Class) != "C" {
		t.Errorf("class %s worse %v", str(got.Class), got.WorseThanDeclared)
	}
	if got.Parts[0].Part != "battery" || got.Parts[0].AllFunctional {
		t.Errorf("battery %+v", got.Parts[0])
	}
	if got.Parts[0].DisassemblySteps != 4 || got.Parts[0].MaxRepairS != 440 {
		t.Errorf("battery steps %d time %v", got.Parts[0].DisassemblySteps, got.Parts[0].MaxRepairS)
	}
}

func declaredOf(h models.Handset) string {
	if h.Declared.RepairabilityClass == "" {
		return "null"
	}
	return h.Declared.RepairabilityClass
}
