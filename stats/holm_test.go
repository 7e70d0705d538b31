package stats

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestReferenceHolm compares Holm with R's p.adjust(p, "holm") on the cases
// of testdata/holm.R (null: a p-value that could not be computed).
func TestReferenceHolm(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "holm.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Holm []struct {
			Name string     `json:"name"`
			P    []*float64 `json:"p"`
			Holm []*float64 `json:"holm"`
		} `json:"holm"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Holm) < 10 {
		t.Fatalf("%d cases in holm.json", len(ref.Holm))
	}
	for _, c := range ref.Holm {
		t.Run(c.Name, func(t *testing.T) {
			p := make([]float64, len(c.P))
			for i, v := range c.P {
				p[i] = math.NaN()
				if v != nil {
					p[i] = *v
				}
			}
			in := slices.Clone(p)
			got := Holm(p)
			if len(got) != len(c.Holm) {
				t.Fatalf("Holm(%v) has %d values, want %d", p, len(got), len(c.Holm))
			}
			for i, want := range c.Holm {
				switch {
				case want == nil && !math.IsNaN(got[i]):
					t.Errorf("[%d] = %g, want NaN (not computable)", i, got[i])
				case want != nil:
					checkClose(t, "holm", got[i], *want)
				}
			}
			for i := range p {
				if p[i] != in[i] && !(math.IsNaN(p[i]) && math.IsNaN(in[i])) {
					t.Errorf("Holm modified its argument: %v, was %v", p, in)
					break
				}
			}
		})
	}
}

// TestHolmRejectsAsTheStepDown checks the adjusted values against Holm's
// step-down rule itself (multiplicity.md §3): reject H(i) while
// p(i) ≤ α/(m − i + 1), stop at the first that fails.
func TestHolmRejectsAsTheStepDown(t *testing.T) {
	p := []float64{0.030, 0.004, 0.200, 0.041, 0.012, 0.008}
	alpha := 0.05
	adj := Holm(p)
	order := []int{1, 5, 4, 0, 3, 2} // p sorted ascending
	stopped := false
	for i, at := range order {
		reject := !stopped && p[at] <= alpha/float64(len(p)-i)
		stopped = stopped || !reject
		if got := adj[at] <= alpha; got != reject {
			t.Errorf("p = %g: adjusted %g rejects = %v, step-down says %v", p[at], adj[at], got, reject)
		}
	}
}

func TestHolmEmpty(t *testing.T) {
	if got := Holm(nil); got == nil || len(got) != 0 {
		t.Errorf("Holm(nil) = %#v, want an empty slice", got)
	}
}
