package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"ruggedlab/models"
	"ruggedlab/series"
	"ruggedlab/store"
)

// maxChamberLogs is how many temperature runs get a chamber log: one of
// each procedure the demo records (cold, hot, thermal shock) is enough to
// show the chart; logging every run would only slow serve --demo down.
const maxChamberLogs = 3

// loadSeries gives every battery run a discharge curve and a few
// temperature runs a chamber log. Each series has its own fixed seed, not
// the campaign's generator, so adding series changed no other demo value.
// The series go through series.ReadCSV like an upload, so the demo data
// passes the same checks as a lab's.
func loadSeries(ctx context.Context, st *store.Store, runs []models.Run) error {
	specs := map[string]candidate{}
	for _, c := range candidates() {
		specs[c.handset.Code] = c
	}
	logged := map[string]bool{}
	for k, r := range runs {
		rng := rand.New(rand.NewPCG(1669, uint64(k)))
		var text string
		switch {
		case r.Kind == models.Battery:
			text = dischargeCSV(r, specs[r.Handset], rng)
		case r.Kind == models.Temperature && len(logged) < maxChamberLogs && !logged[r.Procedure]:
			logged[r.Procedure] = true
			text = chamberCSV(r, rng)
		default:
			continue
		}
		read := func(kind series.Kind, emit func(series.Frame) error) (series.Summary, error) {
			return series.ReadCSV(strings.NewReader(text), kind, emit)
		}
		if _, err := st.IngestSeries(ctx, r.ID, read, store.IngestOptions{By: Recorder, Reason: "logger export"}); err != nil {
			return fmt.Errorf("demo series of run %s: %w", r.ID, err)
		}
	}
	return nil
}

// ocv is a Li-ion cell's voltage under a light load against state of
// charge: the quick fall from full, the long plateau and the knee below
// ~10 % where the voltage collapses.
var ocv = [][2]float64{
	{0, 3.30}, {2, 3.42}, {5, 3.52}, {10, 3.63}, {20, 3.71}, {30, 3.76}, {40, 3.80},
	{50, 3.85}, {60, 3.90}, {70, 3.97}, {80, 4.05}, {90, 4.15}, {95, 4.22}, {100, 4.35},
}

func voltageAt(soc float64) float64 {
	for i := 1; i < len(ocv); i++ {
		if soc <= ocv[i][0] {
			lo, hi := ocv[i-1], ocv[i]
			return lo[1] + (hi[1]-lo[1])*(soc-lo[0])/(hi[0]-lo[0])
		}
	}
	return ocv[len(ocv)-1][1]
}

// dischargeCSV is one sample a minute from full to empty over the run's
// runtime: SoC falling slightly unevenly, the voltage curve above, the
// current the handset's mean power needs at that voltage (EU loop phases
// and noise around it) and the battery warming from 25 °C towards 31–33 °C.
func dischargeCSV(r models.Run, c candidate, rng *rand.Rand) string {
	runtimeS := *r.RuntimeH * 3600
	// The energy of one full discharge: ~95 % of the declared capacity.
	meanW := c.capacityMAh / 1000 * c.nominalVoltsV * 0.95 / *r.RuntimeH
	var b strings.Builder
	b.WriteString("t_s,soc_pct,voltage_v,current_ma,temp_c\n")
	for t := 0.0; t <= runtimeS; t += 60 {
		u := t / runtimeS
		soc := math.Max(0, 100*(1-u)+3*math.Sin(2*math.Pi*u))
		v := voltageAt(soc) - 0.04 + rng.NormFloat64()*0.003
		phase := 1 + 0.15*math.Sin(2*math.Pi*t/1800) // the loop's 30-minute cycle of tasks
		ma := meanW / v * 1000 * phase * (1 + rng.NormFloat64()*0.03)
		temp := 25 + 6*(1-math.Exp(-t/2400)) + 2*math.Pow(u, 4) + rng.NormFloat64()*0.15
		fmt.Fprintf(&b, "%g,%.1f,%.3f,%.1f,%.2f\n", t, soc, v, ma, temp)
	}
	return b.String()
}

// chamberCSV is a chamber log, one sample every 30 s: the programmed set
// point (room temperature, a 1 K/min ramp, the dwell, back to room; or the
// thermal-shock alternation), the air following it with a few minutes' lag
// and the device lagging further, a little warmer as it runs.
func chamberCSV(r models.Run, rng *rand.Rand) string {
	const room = 23.0
	durS := r.EndedAt.Sub(r.StartedAt).Seconds()
	setpoint := func(t float64) float64 {
		if r.Procedure == "thermal_shock" {
			half := *r.DwellMin * 60
			if t < 600 || t > 600+2*half*float64(*r.Cycles) {
				return room
			}
			if int((t-600)/half)%2 == 0 {
				return *r.LowC
			}
			return *r.HighC
		}
		target, end := *r.SetpointC, durS-1800
		switch {
		case t < 600 || t > end+math.Abs(target-room)*60:
			return room
		case t > end: // ramping back at 1 K/min
			return target + math.Copysign(t-end, room-target)/60
		default: // ramping out at 1 K/min, then the dwell
			return room + math.Copysign(math.Min(math.Abs(target-room), (t-600)/60), target-room)
		}
	}
	var b strings.Builder
	b.WriteString("t_s,setpoint_c,air_c,device_c\n")
	air, dev := room, room
	for t := 0.0; t <= durS; t += 30 {
		sp := setpoint(t)
		air += (sp - air) * (1 - math.Exp(-30.0/240))        // 4-minute lag
		dev += (air + 1.5 - dev) * (1 - math.Exp(-30.0/900)) // 15-minute lag, self-heating
		fmt.Fprintf(&b, "%g,%.1f,%.2f,%.2f\n", t, sp, air+rng.NormFloat64()*0.2, dev+rng.NormFloat64()*0.1)
	}
	return b.String()
}
