package award

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Measure is one candidate's value on one criterion: a point value for the
// deterministic table and draws from its sampling distribution for SMAA.
// Entered values (a bid price) are Fixed; measured ones come from the
// evidence. New metric sources implement Measure.
type Measure interface {
	Point() float64
	Draw(r *rand.Rand) float64
	Fixed() bool
	// Describe says in a few words where the value and its uncertainty
	// come from ("7/8 units, Beta(7.5, 1.5)").
	Describe() string
}

// Fixed is an entered value with no sampling uncertainty.
type Fixed float64

func (f Fixed) Point() float64          { return float64(f) }
func (f Fixed) Draw(*rand.Rand) float64 { return float64(f) }
func (Fixed) Fixed() bool               { return true }
func (Fixed) Describe() string          { return "entered value" }

// Proportion is x of n units passing; draws come from the Jeffreys
// posterior Beta(x + ½, n − x + ½). The point value is x/n.
type Proportion struct{ X, N int }

func (p Proportion) Point() float64 {
	if p.N == 0 {
		return 0
	}
	return float64(p.X) / float64(p.N)
}
func (p Proportion) Draw(r *rand.Rand) float64 {
	return betaRand(r, float64(p.X)+0.5, float64(p.N-p.X)+0.5)
}
func (Proportion) Fixed() bool { return false }
func (p Proportion) Describe() string {
	return itoa(p.X) + "/" + itoa(p.N) + " units, Beta(x+½, n−x+½)"
}

// Mean is a mean over N units with standard deviation SD of the unit
// values; draws are Mean + SD/√N · T(N−1), the t distribution of the mean.
// With N < 2 there is no spread to use and the draw is the mean (Describe
// says so; such a criterion is usually inconclusive anyway).
type Mean struct {
	Mean, SD float64
	N        int
}

func (m Mean) Point() float64 { return m.Mean }
func (m Mean) Draw(r *rand.Rand) float64 {
	if m.N < 2 {
		return m.Mean
	}
	return m.Mean + m.SD/math.Sqrt(float64(m.N))*tRand(r, float64(m.N-1))
}
func (m Mean) Fixed() bool { return m.N < 2 }
func (m Mean) Describe() string {
	if m.N < 2 {
		return itoa(m.N) + " unit: no spread, taken as fixed"
	}
	return "mean of " + itoa(m.N) + " units, t(" + itoa(m.N-1) + ")"
}

// Normal is a value with normal uncertainty (an external estimate with a
// standard error).
type Normal struct{ Mu, Sigma float64 }

func (n Normal) Point() float64            { return n.Mu }
func (n Normal) Draw(r *rand.Rand) float64 { return n.Mu + n.Sigma*r.NormFloat64() }
func (n Normal) Fixed() bool               { return n.Sigma == 0 }
func (Normal) Describe() string            { return "normal" }

// Resample is a statistic of unit values (a median, a Kaplan–Meier median
// computed by Stat); draws apply Stat to a bootstrap resample of the units.
type Resample struct {
	Units []float64
	Stat  func([]float64) float64
	Name  string
	point float64
	ok    bool
}

// NewResample precomputes the point value.
func NewResample(units []float64, stat func([]float64) float64, name string) *Resample {
	return &Resample{Units: units, Stat: stat, Name: name, point: stat(units), ok: true}
}

func (s *Resample) Point() float64 {
	if !s.ok {
		return s.Stat(s.Units)
	}
	return s.point
}
func (s *Resample) Draw(r *rand.Rand) float64 {
	b := make([]float64, len(s.Units))
	for i := range b {
		b[i] = s.Units[r.IntN(len(s.Units))]
	}
	return s.Stat(b)
}
func (s *Resample) Fixed() bool { return len(s.Units) < 2 }
func (s *Resample) Describe() string {
	return s.Name + " of " + itoa(len(s.Units)) + " units, bootstrap"
}

// Median is a Stat for Resample.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// gammaRand draws Gamma(a, 1) (Marsaglia & Tsang 2000; a < 1 by the
// U^(1/a) boost).
func gammaRand(r *rand.Rand, a float64) float64 {
	if a < 1 {
		return gammaRand(r, a+1) * math.Pow(r.Float64(), 1/a)
	}
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

func betaRand(r *rand.Rand, a, b float64) float64 {
	x := gammaRand(r, a)
	y := gammaRand(r, b)
	return x / (x + y)
}

// tRand draws Student's t with nu degrees of freedom.
func tRand(r *rand.Rand, nu float64) float64 {
	z := r.NormFloat64()
	g := gammaRand(r, nu/2) * 2 // chi-square(nu)
	return z / math.Sqrt(g/nu)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
