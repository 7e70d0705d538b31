package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"ruggedlab/models"
	"ruggedlab/stats"
	"ruggedlab/store"
)

// TrialName is the demo's one field pilot.
const TrialName = "Pilote terrain Lyon"

// loadTrial adds the demo's field pilot (issue #14): six weeks, ten
// carriers per candidate on field units of their own. Atlas R1, the
// strongest in the lab's drops, cracks its display far more often in
// service than Dune P5 (and lasts its shifts best); Borealis X is weak in
// both; Cobalt T8 does in the field about what the lab said.
func loadTrial(ctx context.Context, st *store.Store) error {
	rng := rand.New(rand.NewPCG(14, 2026))
	type field struct {
		code, prefix  string
		cracks, other int
		pLasted       float64
		sus           int // answers shift around this
	}
	fields := []field{{"atlas-r1", "ATL-F", 11, 3, 0.97, 4}, {"borealis-x", "BOR-F", 7, 6, 0.70, 3},
		{"cobalt-t8", "COB-F", 3, 3, 0.93, 3}, {"dune-p5", "DUN-F", 2, 3, 0.85, 4}}
	t := models.Trial{Name: TrialName, Site: "DDSP du Rhône", Start: "2026-03-02", End: "2026-04-12"}
	// Carriers are numbered MAT-<candidate><officer>: a pseudonym that
	// names neither the officer nor the candidate (blind pages show it).
	carrier := func(ci, u int) string { return fmt.Sprintf("MAT-%d%02d", ci+1, u) }
	for ci, f := range fields {
		var units []models.Unit
		for u := 1; u <= 10; u++ {
			serial := fmt.Sprintf("%s%02d", f.prefix, u)
			units = append(units, models.Unit{Handset: f.code, Serial: serial, Notes: "unité du pilote terrain"})
			t.Assignments = append(t.Assignments, models.Assignment{Handset: f.code, Unit: serial,
				Carrier: carrier(ci, u), From: t.Start, To: t.End})
		}
		if _, err := st.CreateUnits(ctx, units, Recorder); err != nil {
			return err
		}
	}
	tr, err := st.CreateTrial(ctx, t, Recorder)
	if err != nil {
		return err
	}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var incidents []models.Incident
	var shifts []models.Shift
	var qs []models.Questionnaire
	others := []string{"housing_damaged", "battery", "software", "buttons", "water_damage"}
	for ci, f := range fields {
		for k := range f.cracks + f.other {
			cat, sev, out := "display_cracked", 3, "replaced"
			if k >= f.cracks {
				cat, sev, out = others[k%len(others)], 2, "repaired"
			}
			day := start.AddDate(0, 0, rng.IntN(42)).Format(models.DateLayout)
			incidents = append(incidents, models.Incident{Trial: tr.ID, Handset: f.code, Unit: fmt.Sprintf("%s%02d", f.prefix, 1+rng.IntN(10)),
				Date: day, Category: cat, Severity: sev, OutOfServiceH: float64(4 + rng.IntN(60)), Outcome: out})
		}
		for u := 1; u <= 10; u++ {
			for d := 0; d < 42; d += 2 {
				end := 5 + rng.Float64()*40
				if rng.Float64() > f.pLasted {
					end = 0
				}
				from := 100.0
				shifts = append(shifts, models.Shift{Trial: tr.ID, Handset: f.code, Unit: fmt.Sprintf("%s%02d", f.prefix, u),
					Start: start.AddDate(0, 0, d).Add(7 * time.Hour), LengthH: 10, BatteryFrom: &from, BatteryTo: &end})
			}
			ans := make([]int, 10)
			for i := range ans {
				a := f.sus + rng.IntN(2)
				if i%2 == 1 {
					a = 6 - a
				}
				ans[i] = min(5, max(1, a))
			}
			qs = append(qs, models.Questionnaire{Trial: tr.ID, Handset: f.code, Respondent: carrier(ci, u), SUS: ans})
		}
	}
	w := store.TrialWrite{By: Recorder}
	if _, err := st.CreateIncidents(ctx, incidents, w); err != nil {
		return err
	}
	if _, err := st.CreateShifts(ctx, shifts, w); err != nil {
		return err
	}
	_, err = st.CreateQuestionnaires(ctx, qs, stats.SUSScore, w)
	return err
}
