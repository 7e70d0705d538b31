package verdict

import (
	"slices"

	"ruggedlab/models"
)

// eps absorbs binary rounding in inclusive bounds (2.0 m typed as 1.9999…).
const eps = 1e-9

func atLeast(v *float64, lo *float64) bool { return lo == nil || (v != nil && *v >= *lo-eps) }
func atMost(v *float64, hi *float64) bool  { return hi == nil || (v != nil && *v <= *hi+eps) }

func oneOf(v string, list []string) bool { return len(list) == 0 || slices.Contains(list, v) }

func isTrue(b *bool) bool  { return b != nil && *b }
func isFalse(b *bool) bool { return b != nil && !*b }

// flag reads a pass condition that defaults to required.
func flag(b *bool) bool { return b == nil || *b }

// Matches reports whether run r is evidence for requirement q: same kind,
// every Where condition met. A bound on a value the run does not carry (a
// setpoint on a thermal-shock run) does not match. Status is not checked
// here; retracted runs are dropped wherever units are formed.
func Matches(q models.Requirement, r models.Run) bool { return matches(&q, &r) }

func matches(q *models.Requirement, r *models.Run) bool {
	if r.Kind != q.Kind {
		return false
	}
	w := q.Where
	switch q.Kind {
	case models.Drop:
		return atLeast(r.HeightM, w.HeightMMin) && atMost(r.HeightM, w.HeightMMax) && oneOf(r.Surface, w.Surface) &&
			(w.ProtectiveCase == nil || (r.ProtectiveCase != nil && *r.ProtectiveCase == *w.ProtectiveCase))
	case models.Temperature:
		return oneOf(r.Procedure, w.Procedure) && atLeast(r.SetpointC, w.SetpointCMin) && atMost(r.SetpointC, w.SetpointCMax) &&
			atMost(r.LowC, w.LowCMax) && atLeast(r.HighC, w.HighCMin) &&
			(w.CyclesMin == nil || (r.Cycles != nil && *r.Cycles >= *w.CyclesMin)) && atLeast(r.DwellMin, w.DwellMinMin)
	case models.Ingress:
		return oneOf(r.IPCode, w.IPCode) && oneOf(r.Medium, w.Medium) && atLeast(r.DepthM, w.DepthMMin) && atLeast(r.DurationMin, w.DurationMinMin)
	case models.Battery:
		return oneOf(r.Protocol, w.Protocol) && atLeast(r.BrightnessNits, w.BrightnessNitsMin) && atMost(r.BrightnessNits, w.BrightnessNitsMax) &&
			atLeast(r.AmbientC, w.AmbientCMin) && atMost(r.AmbientC, w.AmbientCMax)
	case models.Repair:
		return oneOf(r.Part, w.Part)
	}
	return false
}

// RunPasses reports whether one run meets the requirement's unit_passes_if.
// Battery runs are judged per unit, by their mean (see unitMean), so for
// battery it reports whether the run alone reaches runtime_h_min.
//
// Drop: the run needs drops_completed_min drops (default: its own planned
// drops) with no failure among them. A failure after that count does not
// count against the unit — the requirement asked for that many drops — and
// then worst_severity_max is not applied either, because the run's worst
// severity was recorded at that later failure (first_failure_drop marks the
// first defect, so the required drops came before any).
func RunPasses(q models.Requirement, r models.Run) bool { return runPasses(&q, &r) }

func runPasses(q *models.Requirement, r *models.Run) bool {
	u := &q.UnitPassesIf
	switch q.Kind {
	case models.Drop:
		if r.DropsCompleted == nil {
			return false
		}
		need := 0
		switch {
		case u.DropsCompletedMin != nil:
			need = *u.DropsCompletedMin
		case r.PlannedDrops != nil:
			need = *r.PlannedDrops
		}
		if *r.DropsCompleted < need {
			return false
		}
		if r.FirstFailureDrop != nil && *r.FirstFailureDrop <= need {
			return false
		}
		failedLater := r.FirstFailureDrop != nil
		if u.WorstSeverityMax != nil && !failedLater && (r.WorstSeverity == nil || *r.WorstSeverity > *u.WorstSeverityMax) {
			return false
		}
		return true
	case models.Temperature:
		if flag(u.Passed) && !isTrue(r.Passed) {
			return false
		}
		return !isTrue(u.NoShutdown) || !isTrue(r.ShutdownObserved)
	case models.Ingress:
		if flag(u.NoIngress) && !isFalse(r.IngressFound) {
			return false
		}
		return !flag(u.FunctionalAfter) || isTrue(r.FunctionalAfter)
	case models.Battery:
		return r.RuntimeH != nil && (u.RuntimeHMin == nil || *r.RuntimeH >= *u.RuntimeHMin-eps)
	case models.Repair:
		if u.MaxDisassemblySteps != nil && (r.DisassemblySteps == nil || *r.DisassemblySteps > *u.MaxDisassemblySteps) {
			return false
		}
		if u.MaxRepairS != nil && !atMost(r.RepairTimeS(), u.MaxRepairS) {
			return false
		}
		return !isTrue(u.FunctionalAfter) || isTrue(r.FunctionalAfter)
	}
	return false
}

// unitMean is the mean runtime of a unit's battery runs (runs without a
// runtime are skipped; ok is false if none has one). A grouped run adds
// its group's runtime sum and count.
func unitMean(u unit) (mean float64, ok bool) {
	n := 0
	for _, r := range u.runs {
		sum, k := r.Runtime()
		if k > 0 {
			mean += sum
			n += k
		}
	}
	if n == 0 {
		return 0, false
	}
	return mean / float64(n), true
}
