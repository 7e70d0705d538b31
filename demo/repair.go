package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"ruggedlab/eulabel"
	"ruggedlab/models"
)

// teardown is how one priority part comes out of a candidate: steps,
// fastener and tool classes (EN 45554 / 2023/1669), seconds per step.
type teardown struct {
	steps            int
	fasteners, tools string
	secPerStep       float64
}

// repairPlans are the candidates' teardowns; the base is the worked example
// of reference/repairability.md §7. Each candidate then has its quirks
// (repairQuirk).
func repairPlan(code string) map[string]teardown {
	base := map[string]teardown{
		"battery":       {4, "reusable", "basic", 70},
		"display":       {2, "resupplied", "supplied_with_part", 240},
		"back_cover":    {1, "reusable", "basic", 60},
		"front_camera":  {7, "reusable", "basic", 50},
		"rear_camera":   {7, "reusable", "basic", 50},
		"charging_port": {7, "resupplied", "basic", 55},
		"speaker":       {7, "reusable", "basic", 50},
		"buttons":       {12, "reusable", "basic", 45},
		"microphone":    {12, "reusable", "basic", 45},
	}
	switch code {
	case "borealis-x": // glued, deep: a D-class design
		for _, p := range []string{"battery", "display", "back_cover"} {
			t := base[p]
			t.steps, t.fasteners, t.tools = t.steps+9, "removable", "commercial"
			base[p] = t
		}
	case "cobalt-t8": // a tablet: more screws, more steps
		for p, t := range base {
			t.steps += 3
			t.secPerStep *= 1.3
			base[p] = t
		}
	}
	return base
}

// repairSupport are the declared support parameters (as on an EPREL sheet).
func repairSupport(code string) models.Declared {
	d := models.Declared{SparePartsAccess: "professional_repairers", SparePartsYears: i(7),
		SoftwareUpdateYears: i(7), RepairInfoAccess: "professional_repairers", SupportSource: "EPREL product information sheet (demo)"}
	switch code {
	case "borealis-x":
		d.SoftwareUpdateYears, d.RepairInfoAccess = i(5), "none"
	case "cobalt-t8":
		d.SoftwareUpdateYears = i(6)
	case "dune-p5":
		d.SoftwareUpdateYears = i(6)
	}
	return d
}

// repairUnits is how many units of each candidate are torn down.
const repairUnits = 3

// repairRuns tears every priority part down on the first three units of
// candidate ci, after the stress campaign. Quirks that the pages must show:
// dune-p5's display on unit 3 needs 14 steps and the maker's press (a
// proprietary tool), so its measured class falls below the declared B;
// borealis-x unit 2 no longer charges after its charging port went back in.
// A separate generator keeps the other kinds' demo data unchanged.
func (c candidate) repairRuns(rng *rand.Rand, ci int) []models.Run {
	plan := repairPlan(c.handset.Code)
	start := campaignStart.Add(time.Duration(40*24+ci*24) * time.Hour)
	var runs []models.Run
	for u := 0; u < repairUnits; u++ {
		serial := c.unitSerial(u + 1)
		at := start.Add(time.Duration(u) * 4 * time.Hour)
		for _, part := range eulabel.PriorityParts(false) {
			t := plan[part]
			functional := true
			switch {
			case c.handset.Code == "dune-p5" && part == "display" && u == 2:
				t.steps, t.tools = 14, "proprietary"
			case c.handset.Code == "borealis-x" && part == "charging_port" && u == 1:
				functional = false
			}
			dis := math.Round(float64(t.steps) * t.secPerStep * (0.85 + 0.3*rng.Float64()))
			re := math.Round(dis * (0.8 + 0.3*rng.Float64()))
			r := models.Run{Kind: models.Repair, Handset: c.handset.Code, Unit: serial,
				Method:    "EU 2023/1669 Annex IV point 5 (supplier's disassembly sequence)",
				StartedAt: at, EndedAt: at.Add(time.Duration(dis+re) * time.Second),
				Technician: technicians[rng.IntN(len(technicians))],
				Part:       part, DisassemblySteps: i(t.steps), Fasteners: t.fasteners, Tools: t.tools,
				DisassemblyS: f(dis), ReassemblyS: f(re), PartReplaced: b(part == "battery" || part == "display"),
				FunctionalAfter: b(functional)}
			if !functional {
				r.Notes = "no charging after reassembly: flex cable torn"
			}
			runs = append(runs, r)
			at = r.EndedAt.Add(10 * time.Minute)
		}
	}
	return runs
}

func (c candidate) unitSerial(n int) string { return fmt.Sprintf("%s-%04d", c.prefix, n) }

// withSupport adds the declared support parameters to a candidate's claims.
func withSupport(d models.Declared, s models.Declared) models.Declared {
	d.SparePartsAccess, d.SparePartsYears, d.SoftwareUpdateYears = s.SparePartsAccess, s.SparePartsYears, s.SoftwareUpdateYears
	d.RepairInfoAccess, d.SupportSource = s.RepairInfoAccess, s.SupportSource
	return d
}
