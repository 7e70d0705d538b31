package series

import "math"

// BatteryMetrics are derived from a discharge curve (domain.md §4.5). A nil
// field could not be computed from the columns the series has.
type BatteryMetrics struct {
	// EnergyWh is the energy drawn: the trapezoidal integral of
	// voltage_v × |current_ma| / 1000 over t_s, in watt-hours. The absolute
	// current makes the result independent of the instrument's sign
	// convention (Android reports discharge as negative, many loggers as
	// positive). Needs voltage_v, current_ma and at least two samples.
	EnergyWh *float64
	// TimeTo20PctH is the first t_s at which soc_pct reaches 20 % or less,
	// in hours, interpolated linearly between the sample above 20 % and the
	// one at or below it. t_s counts from the start of the run, so this is
	// the time from the start of the run, not from the first sample. Nil
	// without soc_pct or when SoC never reached 20 %.
	TimeTo20PctH *float64
	// MeanPowerW is EnergyWh over the time between the first and last
	// sample, in watts. Nil when EnergyWh is nil.
	MeanPowerW *float64
}

// socThresholdPct is the SoC at which TimeTo20PctH is taken: the end point
// of the PCMark Work battery test (domain.md §4.4).
const socThresholdPct = 20

// BatteryAccumulator computes BatteryMetrics while a series streams past:
// Add each batch in order (for example from the emit callback of ReadCSV),
// then call Result. The zero value is ready to use. It expects the
// checked, increasing samples that ReadCSV and DecodeJSON emit; a step
// where t_s does not increase adds no energy.
type BatteryAccumulator struct {
	samples       int
	missingPower  bool // some batch lacked voltage_v or current_ma
	firstT, lastT float64
	lastP         float64 // power of the last sample, W
	joules        float64

	lastSoc   float64
	haveSoc   bool
	reached20 bool
	timeTo20S float64
}

// Add takes the next batch of samples. The frame is only read.
func (a *BatteryAccumulator) Add(f Frame) {
	ts := f.Column(TimeColumn)
	if ts == nil {
		return
	}
	volts, milliamps, soc := f.Column("voltage_v"), f.Column("current_ma"), f.Column("soc_pct")
	if volts == nil || milliamps == nil {
		a.missingPower = true
	}
	for i, t := range ts {
		if a.samples == 0 {
			a.firstT = t
		}
		if !a.missingPower {
			p := volts[i] * math.Abs(milliamps[i]) / 1000
			if a.samples > 0 && t > a.lastT {
				a.joules += (a.lastP + p) / 2 * (t - a.lastT)
			}
			a.lastP = p
		}
		if soc != nil && !a.reached20 {
			s := soc[i]
			switch {
			case s > socThresholdPct:
			case !a.haveSoc || t <= a.lastT:
				// Already at or below 20 % at the first sample: no earlier
				// point to interpolate from.
				a.reached20, a.timeTo20S = true, t
			default:
				frac := (a.lastSoc - socThresholdPct) / (a.lastSoc - s)
				a.reached20, a.timeTo20S = true, a.lastT+frac*(t-a.lastT)
			}
			a.lastSoc, a.haveSoc = s, true
		}
		a.lastT = t
		a.samples++
	}
}

// Result returns the metrics of everything added so far.
func (a *BatteryAccumulator) Result() BatteryMetrics {
	var m BatteryMetrics
	if !a.missingPower && a.samples >= 2 {
		wh := a.joules / 3600
		m.EnergyWh = &wh
		if d := a.lastT - a.firstT; d > 0 {
			w := a.joules / d
			m.MeanPowerW = &w
		}
	}
	if a.reached20 {
		h := a.timeTo20S / 3600
		m.TimeTo20PctH = &h
	}
	return m
}
