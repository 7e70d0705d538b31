package award

import (
	"math/rand/v2"
	"testing"
)

// bench8x15 is the size: 8 candidates × 15 criteria, every
// criterion measured (proportions and t means alternate), interval weights.
func bench8x15() *Problem {
	p := &Problem{}
	for i := range 8 {
		p.Candidates = append(p.Candidates, "h"+itoa(i))
	}
	for j := range 15 {
		p.Criteria = append(p.Criteria, Criterion{Key: "c" + itoa(j), Rule: Linear, Worst: 0, Best: 1, Weight: 1.0 / 15, Lo: 0.03, Hi: 0.12})
	}
	p.Criteria[14].Rule, p.Criteria[14].LowerIsBetter = LowestRatio, true
	for i := range 8 {
		row := make([]Measure, 15)
		for j := range 14 {
			if j%2 == 0 {
				row[j] = Proportion{X: 5 + (i+j)%4, N: 9}
			} else {
				row[j] = Mean{Mean: 0.5 + 0.03*float64((i*j)%5), SD: 0.1, N: 6}
			}
		}
		row[14] = Fixed(400 + 10*float64(i))
		p.Values = append(p.Values, row)
	}
	return p
}

// BenchmarkSimulate8x15 runs the speed case: 10,000 draws (plus
// the confidence-factor simulation) per iteration; it reports draws/s.
// Target: < 200 ms per iteration on one core, i.e. > 50,000 draws/s.
func BenchmarkSimulate8x15(b *testing.B) {
	p := bench8x15()
	if err := p.Validate(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Simulate(p, 10000, 1)
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "draws/s")
}

// BenchmarkReferenceNormals is the yardstick measured in the same run:
// 10,000 × 8 × 15 standard normal draws, the least any draw-by-draw
// simulation of this size must do. Simulate8x15 / ReferenceNormals is the
// figure to compare across machines.
func BenchmarkReferenceNormals(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	s := 0.0
	for b.Loop() {
		for range 10000 * 8 * 15 {
			s += r.NormFloat64()
		}
	}
	if s == 0.5 {
		b.Log(s)
	}
}
