package award

import (
	"math"
	"math/rand/v2"
	"strconv"

	"ruggedlab/models"
	"ruggedlab/stats"
	"ruggedlab/verdict"
)

// Field requirements (kind field) score with their own uncertainty: a
// rate from its Poisson count, a share of shifts from its units, a SUS
// mean from its respondents. Describe keeps the interval the matrix
// judged, so the award shows what the value rests on.

// Rate is X incidents over T device-days, per 1,000 device-days; draws
// come from the Jeffreys posterior of a Poisson rate, Gamma(X + ½, T).
type Rate struct {
	X  int
	T  float64
	CI *stats.Interval // per 1,000, as the matrix shows it
}

func (r Rate) Point() float64 { return 1000 * float64(r.X) / r.T }
func (r Rate) Draw(g *rand.Rand) float64 {
	return 1000 * gammaRand(g, float64(r.X)+0.5) / r.T
}
func (Rate) Fixed() bool { return false }
func (r Rate) Describe() string {
	return itoa(r.X) + " incident(s) in " + itoa(int(math.Round(r.T))) + " device-days" + interval(r.CI) + " per 1,000, Gamma(x+½)/t"
}

// Share is the mean over N units of each unit's share of shifts lasted;
// draws come from Beta(S·N + ½, (1 − S)·N + ½), the Jeffreys posterior
// with the units as trials (each unit counts once, as in the matrix).
type Share struct {
	S  float64
	N  int
	CI *stats.Interval
}

func (s Share) Point() float64 { return s.S }
func (s Share) Draw(g *rand.Rand) float64 {
	x := s.S * float64(s.N)
	return betaRand(g, x+0.5, float64(s.N)-x+0.5)
}
func (Share) Fixed() bool { return false }
func (s Share) Describe() string {
	return "share of shifts lasted over " + itoa(s.N) + " unit(s)" + interval(s.CI) + ", Beta(s·n+½, (1−s)·n+½)"
}

// SUS is a SUS mean over respondents, drawn as Mean is (t distribution).
type SUS struct {
	Mean
	CI *stats.Interval
}

func (s SUS) Describe() string {
	if s.N < 2 {
		return itoa(s.N) + " respondent: no spread, taken as fixed"
	}
	return "SUS mean of " + itoa(s.N) + " respondents" + interval(s.CI) + ", t(" + itoa(s.N-1) + ")"
}

// fieldMeasure is the Measure of a field cell (nil when it has no value).
func fieldMeasure(r *verdict.Row, c verdict.Cell) Measure {
	if c.Estimate == nil || c.Field == nil {
		return nil
	}
	switch r.Metric {
	case models.IncidentRate:
		if c.Field.DeviceDays <= 0 {
			return nil
		}
		return Rate{X: c.Field.Incidents, T: float64(c.Field.DeviceDays), CI: c.CI}
	case models.ShiftsLasted:
		return Share{S: *c.Estimate, N: c.NUnits, CI: c.CI}
	case models.SUSMean:
		sd := 0.0
		if c.SD != nil {
			sd = *c.SD
		}
		return SUS{Mean: Mean{Mean: *c.Estimate, SD: sd, N: c.NUnits}, CI: c.CI}
	}
	return nil
}

func interval(ci *stats.Interval) string {
	if ci == nil || math.IsNaN(ci.Lower) || math.IsInf(ci.Upper, 0) {
		return ""
	}
	return " [" + ftoa(ci.Lower) + ", " + ftoa(ci.Upper) + "]"
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
