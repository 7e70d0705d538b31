package verdict

import (
	"fmt"

	"ruggedlab/eulabel"
	"ruggedlab/models"
)

// judgeClass judges repairability_class_at_least: the class eulabel
// computes from the handset's active repair runs (the worst unit of each
// priority part) against the target letter. n_units is the smallest unit
// count over the priority parts, so min_units asks for that many units on
// every part; a missing part or an undeclared support parameter leaves the
// class, and so the verdict, inconclusive.
func judgeClass(q *models.Requirement, h models.Handset, runs []models.Run) Cell {
	rep := eulabel.Repair(h, models.ExpandGroups(runs)) // it reads runs one by one
	target := q.UnitPassesIf.RepairabilityClassAtLeast
	c := Cell{Handset: h.Code, Runs: []string{}}
	for i, p := range rep.Parts {
		if i == 0 || p.Units < c.NUnits {
			c.NUnits = p.Units
		}
		c.Runs = append(c.Runs, p.Runs...)
	}
	if len(rep.MissingParts) > 0 {
		c.NUnits = 0
	}
	c.RunsTotal = len(c.Runs)
	switch {
	case rep.Class == nil:
		c.Verdict = Inconclusive
		c.Why, c.Reason = rep.Why, rep.Note
	case c.NUnits < q.MinUnits:
		c.Verdict = Inconclusive
		c.because(models.M("%s on every priority part", tooFew(c.NUnits, q.MinUnits)))
	case *rep.Class <= target:
		c.Verdict, c.PassedUnits = Met, c.NUnits
		c.because(models.M("measured class %s (R %s)", *rep.Class, models.Figure(fmt.Sprintf("%.2f", *rep.Index))))
	default:
		c.Verdict = NotMet
		c.because(models.M("measured class %s (R %s) is below %s", *rep.Class, models.Figure(fmt.Sprintf("%.2f", *rep.Index)), target))
	}
	return c
}
