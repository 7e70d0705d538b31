package verdict_test

import (
	"fmt"
	"math"
	"testing"

	"ruggedlab/models"
	"ruggedlab/stats"
)

func p[T any](v T) *T { return &v }

var runSeq int

// newRun starts a run of kind for handset/unit with a fresh id.
func newRun(kind models.Kind, handset, unit string) models.Run {
	runSeq++
	return models.Run{ID: fmt.Sprintf("r%03d", runSeq), Kind: kind, Handset: handset, Unit: unit, Status: models.Active}
}

// drop is a 2 m concrete run: planned drops, completed drops, first
// failure (0 = none) and worst severity.
func drop(handset, unit string, planned, completed, firstFailure, severity int) models.Run {
	r := newRun(models.Drop, handset, unit)
	r.HeightM, r.Surface, r.ProtectiveCase = p(2.0), "concrete", p(false)
	r.PlannedDrops, r.DropsCompleted, r.WorstSeverity = p(planned), p(completed), p(severity)
	if firstFailure > 0 {
		r.FirstFailureDrop = p(firstFailure)
	}
	return r
}

func tumbler(handset, unit string, completed, firstFailure, severity int) models.Run {
	r := drop(handset, unit, 300, completed, firstFailure, severity)
	r.HeightM, r.Surface = p(1.0), "tumbler"
	return r
}

func temperature(handset, unit, procedure string, setpoint float64, passed bool) models.Run {
	r := newRun(models.Temperature, handset, unit)
	r.Procedure, r.SetpointC, r.DwellMin, r.Passed = procedure, p(setpoint), p(120.0), p(passed)
	return r
}

func ingress(handset, unit, code string, found, functional bool) models.Run {
	r := newRun(models.Ingress, handset, unit)
	r.IPCode, r.Medium = code, "fresh"
	if code[3] == 'X' {
		r.Medium = "dust"
	} else {
		r.DepthM, r.DurationMin = p(1.5), p(30.0)
	}
	r.IngressFound, r.FunctionalAfter = p(found), p(functional)
	return r
}

func battery(handset, unit string, runtime float64) models.Run {
	r := newRun(models.Battery, handset, unit)
	r.Protocol, r.RuntimeH, r.BrightnessNits = "eu_eei_loop", p(runtime), p(200.0)
	return r
}

func retracted(r models.Run) models.Run {
	r.Status = models.Retracted
	return r
}

// units builds n passing (or failing) temperature units of one handset.
func tempUnits(handset string, passed, failed int) []models.Run {
	var runs []models.Run
	for i := range passed + failed {
		runs = append(runs, temperature(handset, fmt.Sprintf("%s-%02d", handset, i+1), "operation_cold", -20, i < passed))
	}
	return runs
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func wantInterval(t *testing.T, what string, got stats.Interval, lo, hi, tol float64) {
	t.Helper()
	if !near(got.Lower, lo, tol) || !near(got.Upper, hi, tol) {
		t.Errorf("%s = [%.4f, %.4f], want [%.4f, %.4f]", what, got.Lower, got.Upper, lo, hi)
	}
}

func wantPtr(t *testing.T, what string, got *float64, want float64, tol float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s = null, want %.4f", what, want)
		return
	}
	if !near(*got, want, tol) {
		t.Errorf("%s = %.4f, want %.4f", what, *got, want)
	}
}
