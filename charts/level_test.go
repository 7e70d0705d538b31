package charts

import (
	"strings"
	"testing"
)

func TestLevelLabel(t *testing.T) {
	for conf, want := range map[float64]string{0.9: "90 %", 0.95: "95 %", 0.99: "99 %", 0.995: "99.5 %", 0.07: "7 %", 0.8: "80 %"} {
		if got := LevelLabel(conf); got != want {
			t.Errorf("LevelLabel(%v) = %q, want %q", conf, got, want)
		}
	}
}

// TestChartsNameTheirLevel: every chart with an interval names the level it
// was given, and none says 95 % at 99 % (issue #10, item 4).
func TestChartsNameTheirLevel(t *testing.T) {
	builds := map[string]func(conf float64) (Chart, error){
		"pass-rate": func(conf float64) (Chart, error) {
			return PassRate("pr", "t", conf, []PassRateBar{{Label: "A", Passed: 4, N: 5, Estimate: 0.8, Lower: 0.3, Upper: 0.97}})
		},
		"battery-runtime": func(conf float64) (Chart, error) {
			return BatteryRuntime("rt", "t", conf, []RuntimeGroup{{Label: "A", UnitMeans: []float64{3, 4}, Mean: 3.5, HasCI: true, Lower: 1, Upper: 6}})
		},
		"km": func(conf float64) (Chart, error) {
			return KaplanMeier("km", "t", "drops", conf, []KMCurve{{Label: "A", Steps: []KMStep{{T: 3, Surv: 0.5, Lower: 0.1, Upper: 0.9, Events: 1, N: 2}}}})
		},
	}
	for name, build := range builds {
		c, err := build(0.99)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		opt := string(c.Option)
		if !strings.Contains(opt, "99 %") || strings.Contains(opt, "95 %") {
			t.Errorf("%s at 0.99: option names the wrong level: %s", name, opt)
		}
		for _, bad := range []float64{0, 1, 95} {
			if _, err := build(bad); err == nil {
				t.Errorf("%s at confidence %v: want an error", name, bad)
			}
		}
	}
}
