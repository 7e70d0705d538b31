package stats

import (
	"encoding/json"
	"math"
	"testing"
)

// roundTo rounds v to the given number of decimals, the precision the
// domain notes quote.
func roundTo(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}

// TestDomainWorkedValues checks the figures quoted in domain.md §6.
func TestDomainWorkedValues(t *testing.T) {
	tests := []struct {
		name     string
		got      float64
		want     float64
		decimals int
	}{
		{"Wilson 5/5 lower", ok(Wilson(5, 5, 0.95)).Lower, 0.5655, 4},
		{"Wilson 5/5 upper", ok(Wilson(5, 5, 0.95)).Upper, 1.0000, 4},
		{"Wilson 4/5 lower", ok(Wilson(4, 5, 0.95)).Lower, 0.3755, 4},
		{"Wilson 4/5 upper", ok(Wilson(4, 5, 0.95)).Upper, 0.9638, 4},
		{"Wilson 0/5 lower", ok(Wilson(0, 5, 0.95)).Lower, 0, 4},
		{"Wilson 0/5 upper", ok(Wilson(0, 5, 0.95)).Upper, 0.4345, 4},
		{"Wilson 9/10 lower", ok(Wilson(9, 10, 0.95)).Lower, 0.596, 3},
		{"Wilson 9/10 upper", ok(Wilson(9, 10, 0.95)).Upper, 0.982, 3},
		{"Wilson 10/10 lower", ok(Wilson(10, 10, 0.95)).Lower, 0.722, 3},
		{"Wilson 18/20 lower", ok(Wilson(18, 20, 0.95)).Lower, 0.699, 3},
		{"Wilson 18/20 upper", ok(Wilson(18, 20, 0.95)).Upper, 0.972, 3},
		{"Wilson 26/26 lower", ok(Wilson(26, 26, 0.95)).Lower, 0.871, 3},
		{"Clopper-Pearson 5/5 lower", ok(ClopperPearson(5, 5, 0.95)).Lower, 0.4782, 4},
		{"Clopper-Pearson 5/5 upper", ok(ClopperPearson(5, 5, 0.95)).Upper, 1.0000, 4},
		{"success run 5 units @ 95%", SuccessRunLower(5, 0.95), 0.5493, 4},
		{"success run 10 units @ 95%", SuccessRunLower(10, 0.95), 0.741, 3},
		{"t(0.975, 4) for n=5", tQuantile(0.95, 4), 2.776, 3},
		{"t(0.975, 9) for n=10", tQuantile(0.95, 9), 2.262, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := roundTo(tt.got, tt.decimals); got != tt.want {
				t.Errorf("got %.6f (rounds to %g), want %g", tt.got, got, tt.want)
			}
		})
	}
}

func TestSuccessRunUnits(t *testing.T) {
	tests := []struct {
		name               string
		target, confidence float64
		want               int
	}{
		{"0.9 @ 90% (domain.md)", 0.9, 0.9, 22},
		{"0.99 @ 95% (domain.md)", 0.99, 0.95, 299},
		{"whole-number answer 0.5 @ 75%", 0.5, 0.75, 2},
		{"whole-number answer 0.5 @ 87.5%", 0.5, 0.875, 3},
		{"whole-number answer 0.1 @ 99%", 0.1, 0.99, 2},
		{"whole-number answer 0.9 @ 19%", 0.9, 0.19, 2},
		// Here ln(1-C)/ln(R) computes a hair above the whole number, so a
		// plain ceil would ask for one unit too many.
		{"rounding above 0.8 @ 36%", 0.8, 0.36, 2},
		{"rounding above 0.9 @ 27.1%", 0.9, 0.271, 3},
		{"target 1 is impossible", 1, 0.95, -1},
		{"target above 1 is impossible", 1.2, 0.95, -1},
		{"confidence 1 is impossible", 0.9, 1, -1},
		{"NaN target", math.NaN(), 0.95, -1},
		{"target 0 needs no units", 0, 0.95, 0},
		{"confidence 0 needs no units", 0.9, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SuccessRunUnits(tt.target, tt.confidence); got != tt.want {
				t.Errorf("SuccessRunUnits(%g, %g) = %d, want %d", tt.target, tt.confidence, got, tt.want)
			}
		})
	}
}

func TestBinomialEdges(t *testing.T) {
	tests := []struct {
		name string
		got  Interval
		want Interval
	}{
		{"Wilson x>n is clamped to x=n", ok(Wilson(7, 5, 0.95)), ok(Wilson(5, 5, 0.95))},
		{"Wilson x<0 is clamped to 0", ok(Wilson(-1, 5, 0.95)), ok(Wilson(0, 5, 0.95))},
		{"Clopper-Pearson x>n is clamped to x=n", ok(ClopperPearson(6, 5, 0.95)), ok(ClopperPearson(5, 5, 0.95))},
		{"Clopper-Pearson 0/1 upper is 1-alpha/2", ok(ClopperPearson(0, 1, 0.95)), Interval{0, 0.975}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !approx(tt.got.Lower, tt.want.Lower) || !approx(tt.got.Upper, tt.want.Upper) {
				t.Errorf("got %+v, want %+v", tt.got, tt.want)
			}
		})
	}
}

func TestProportion(t *testing.T) {
	tests := []struct {
		name string
		x, n int
		want float64
	}{
		{"no units", 0, 0, 0},
		{"all passed", 5, 5, 1},
		{"none passed", 0, 5, 0},
		{"three of four", 3, 4, 0.75},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Proportion(tt.x, tt.n); got != tt.want {
				t.Errorf("Proportion(%d, %d) = %g, want %g", tt.x, tt.n, got, tt.want)
			}
		})
	}
}

func TestIntervalJSON(t *testing.T) {
	b, err := json.Marshal(Interval{0.25, 1})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "[0.25,1]" {
		t.Errorf("Marshal = %s, want [0.25,1]", b)
	}
	var iv Interval
	if err := json.Unmarshal(b, &iv); err != nil {
		t.Fatal(err)
	}
	if iv != (Interval{0.25, 1}) {
		t.Errorf("round trip = %+v", iv)
	}
	if err := json.Unmarshal([]byte("[1,2,3]"), &iv); err == nil {
		t.Error("Unmarshal of three numbers: want an error")
	}
}
