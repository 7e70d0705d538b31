package eulabel_test

import (
	"fmt"
	"testing"

	"ruggedlab/eulabel"
	"ruggedlab/models"
)

func p[T any](v T) *T { return &v }

func str(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

var seq int

func run(kind models.Kind, unit string) models.Run {
	seq++
	return models.Run{ID: fmt.Sprint("r", seq), Kind: kind, Handset: "h", Unit: unit, Status: models.Active}
}

// fall is a 1 m tumbler run: completed falls and first failure (0 = none).
func fall(unit string, completed, first int) models.Run {
	r := run(models.Drop, unit)
	r.HeightM, r.Surface, r.PlannedDrops, r.DropsCompleted, r.WorstSeverity = p(1.0), "tumbler", p(300), p(completed), p(0)
	if first > 0 {
		r.FirstFailureDrop = p(first)
	}
	return r
}

func loop(unit string, h float64) models.Run {
	r := run(models.Battery, unit)
	r.Protocol, r.RuntimeH = "eu_eei_loop", p(h)
	return r
}

func water(unit, code string, ok bool) models.Run {
	r := run(models.Ingress, unit)
	r.IPCode, r.IngressFound, r.FunctionalAfter = code, p(!ok), p(true)
	return r
}

func phone() models.Handset {
	return models.Handset{Code: "h", FormFactor: "phone",
		Declared: models.Declared{BatteryCapacityMAh: p(5000.0), NominalVoltageV: p(3.87)}}
}

func TestFreeFallClass(t *testing.T) {
	cases := []struct {
		name   string
		tablet bool
		runs   []models.Run
		falls  int
		class  string
	}{
		{"phone A at 270", false, []models.Run{fall("U1", 300, 271), fall("U2", 300, 0)}, 270, "A"},
		{"phone B just below 270", false, []models.Run{fall("U1", 269, 0)}, 269, "B"},
		{"minimum over units", false, []models.Run{fall("U1", 300, 0), fall("U2", 300, 0), fall("U3", 100, 100)}, 99, "C"},
		{"a unit's worst run", false, []models.Run{fall("U1", 300, 0), fall("U1", 60, 60)}, 59, "D"},
		{"stopped early counts what it completed", false, []models.Run{fall("U1", 300, 0), fall("U2", 150, 0)}, 150, "C"},
		{"phone below 45 fails ecodesign", false, []models.Run{fall("U1", 44, 45)}, 44, "null"},
		{"tablet E below 52", true, []models.Run{fall("U1", 51, 52)}, 51, "E"},
		{"tablet D at 52", true, []models.Run{fall("U1", 52, 0)}, 52, "D"},
		{"tablet A at 208", true, []models.Run{fall("U1", 208, 0)}, 208, "A"},
	}
	for _, tc := range cases {
		h := phone()
		if tc.tablet {
			h.FormFactor = "tablet"
		}
		m := eulabel.Measure(h, tc.runs)
		if m.FreeFall == nil || m.FreeFall.FallsWithoutDefect != tc.falls || str(m.FreeFall.Class) != tc.class {
			t.Errorf("%s: %+v; want %d falls, class %s", tc.name, m.FreeFall, tc.falls, tc.class)
		}
		if m.FreeFall != nil && m.FreeFall.Why.String() != m.FreeFall.Note {
			t.Errorf("%s: Why says %q, note %q", tc.name, m.FreeFall.Why.String(), m.FreeFall.Note)
		}
	}
	// 2 m drops, retracted runs and other handsets do not count.
	other := fall("U9", 10, 10)
	other.Handset = "x"
	gone := fall("U1", 5, 5)
	gone.Status = models.Retracted
	two := fall("U2", 26, 0)
	two.HeightM, two.Surface = p(2.0), "concrete"
	if m := eulabel.Measure(phone(), []models.Run{other, gone, two}); m.FreeFall != nil {
		t.Errorf("no 1 m tumbler evidence should give free_fall null: %+v", m.FreeFall)
	}
}

func TestEEI(t *testing.T) {
	// domain.md §4.1: 5,000 mAh × 3.87 V, 50 h → EEI 2.58, class B.
	if got := eulabel.EEI(50, 3.87, 5000); got != 2.58 {
		t.Errorf("EEI = %v, want 2.58", got)
	}
	for _, tc := range []struct {
		eei   float64
		class string
	}{{2.71, "A"}, {2.70, "B"}, {2.31, "B"}, {1.96, "C"}, {1.67, "D"}, {1.42, "E"}, {1.21, "F"}, {1.20, "G"}, {0.5, "G"}} {
		if got := eulabel.PhoneEEIClass(tc.eei); got != tc.class {
			t.Errorf("PhoneEEIClass(%v) = %s, want %s", tc.eei, got, tc.class)
		}
	}
	// Unit means 48 and 52 (two runs) → mean 50 h.
	m := eulabel.Measure(phone(), []models.Run{loop("U1", 48), loop("U2", 51), loop("U2", 53)})
	if e := m.Battery; e == nil || e.Units != 2 || e.RuntimeH != 50 || e.EEI == nil || *e.EEI != 2.58 || str(e.Class) != "B" {
		t.Errorf("battery %+v; want 2 units, 50 h, EEI 2.58, class B", m.Battery)
	}
	tab := phone()
	tab.FormFactor = "tablet"
	if e := eulabel.Measure(tab, []models.Run{loop("U1", 50)}).Battery; e.EEI == nil || e.Class != nil {
		t.Errorf("tablet: EEI but no class (thresholds B–F unknown): %+v", e)
	}
	bare := phone()
	bare.Declared = models.Declared{}
	if e := eulabel.Measure(bare, []models.Run{loop("U1", 50)}).Battery; e.EEI != nil || e.Note == "" {
		t.Errorf("undeclared battery: no EEI, a note: %+v", e)
	}
}

func TestIPCode(t *testing.T) {
	cases := []struct {
		name string
		runs []models.Run
		want string
	}{
		{"IP68 and IP6X", []models.Run{water("U1", "IP68", true), water("U2", "IP68", true), water("U1", "IP6X", true)}, "IP68"},
		{"water only", []models.Run{water("U1", "IPX7", true)}, "IPX7"},
		{"dust only", []models.Run{water("U1", "IP5X", true), water("U2", "IP6X", true)}, "IP6X"},
		{"one unit leaked at 1.5 m: the highest numeral all passed", []models.Run{
			water("U1", "IP68", true), water("U2", "IP68", false), water("U1", "IPX7", true), water("U2", "IPX7", true), water("U3", "IP6X", true)}, "IP67"},
		{"nothing passed", []models.Run{water("U1", "IP68", false)}, "null"},
		{"no ingress runs", nil, "null"},
	}
	for _, tc := range cases {
		if got := str(eulabel.Measure(phone(), tc.runs).IPCode); got != tc.want {
			t.Errorf("%s: ip_code %s, want %s", tc.name, got, tc.want)
		}
	}
}
