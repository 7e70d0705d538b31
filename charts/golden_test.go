package charts

import (
	"testing"

	"ruggedlab/internal/golden"
)

// TestChartOptionsGolden keeps every builder's whole option in
// testdata/golden, so any change to what a chart draws — a colour, a label,
// an escaped name — shows as a diff. `go test ./charts/ -run Golden -update`
// rewrites them.
func TestChartOptionsGolden(t *testing.T) {
	build := map[string]func() (Chart, error){
		"km": func() (Chart, error) { return KaplanMeier("km-1", "Tumbler 1 m", "falls", 0.95, kmFixture) },
		"pass-rate": func() (Chart, error) {
			return PassRate("pr-1", "Ingress IPX7", 0.99, []PassRateBar{
				{Label: "atlas-r1", Passed: 5, N: 5, Color: Color(0), Estimate: 1, Lower: 0.5655, Upper: 1},
				{Label: `<script>alert("x")</script>`, Passed: 2, N: 4, Color: Color(1), Estimate: 0.5, Lower: 0.15, Upper: 0.85},
				{Label: "no units yet"},
			})
		},
		"battery-runtime": func() (Chart, error) {
			return BatteryRuntime("bat-1", "EU loop", 0.95, []RuntimeGroup{
				{Label: "atlas-r1", UnitMeans: []float64{38.2, 39.1, 38.8}, Mean: 38.7, HasCI: true, Lower: 37.6, Upper: 39.8},
				{Label: "dune-p5", UnitMeans: []float64{41.5}, Mean: 41.5},
				{Label: "no units yet"},
			})
		},
		"discharge": func() (Chart, error) {
			return Discharge("dis-1", "Discharge", []string{"atlas-r1", "dune-p5"}, []Curve{
				{Group: 0, X: []float64{0, 10, 20, 38.7}, Y: []float64{100, 74.5, 48.25, 0}},
				{Group: 1, X: []float64{0, 20.5, 41.5}, Y: []float64{100, 51, 0}},
			})
		},
		"unit-dots": func() (Chart, error) {
			return UnitDots("repair-steps", "rs-1", "Display: disassembly steps", "steps", []DotGroup{
				{Label: "atlas-r1", Values: []float64{9, 9, 11}},
				{Label: "dune-p5", Values: []float64{14}},
			})
		},
	}
	for name, f := range build {
		t.Run(name, func(t *testing.T) {
			c, err := f()
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			golden.AssertJSON(t, name+".json", c.Option)
		})
	}
}
