package series

import (
	"math"
	"testing"
)

// handFrame: P = V·|I|/1000 = 4.0, 3.8, 1.8 W at 0, 1 h, 2 h.
// Energy = (4.0+3.8)/2 · 1 h + (3.8+1.8)/2 · 1 h = 3.9 + 2.8 = 6.7 Wh;
// mean power = 6.7 Wh / 2 h = 3.35 W; SoC crosses 20 % halfway between
// 30 % at 1 h and 10 % at 2 h: 1.5 h.
func handFrame() Frame {
	return frame("t_s,soc_pct,voltage_v,current_ma",
		col(0, 3600, 7200), col(100, 30, 10), col(4.0, 3.8, 3.6), col(-1000, -1000, -500))
}

// rows cuts f to rows [lo, hi).
func rows(f Frame, lo, hi int) Frame {
	out := Frame{Columns: f.Columns, Data: make([][]float64, len(f.Data))}
	for i, c := range f.Data {
		out.Data[i] = c[lo:hi]
	}
	return out
}

func ptr(v float64) *float64 { return &v }

func TestBatteryAccumulator(t *testing.T) {
	tests := []struct {
		name    string
		batches []Frame
		want    BatteryMetrics
	}{
		{
			name:    "one batch, worked by hand",
			batches: []Frame{handFrame()},
			want:    BatteryMetrics{EnergyWh: ptr(6.7), TimeTo20PctH: ptr(1.5), MeanPowerW: ptr(3.35)},
		},
		{
			name:    "split across batches",
			batches: []Frame{rows(handFrame(), 0, 1), rows(handFrame(), 1, 2), rows(handFrame(), 2, 3)},
			want:    BatteryMetrics{EnergyWh: ptr(6.7), TimeTo20PctH: ptr(1.5), MeanPowerW: ptr(3.35)},
		},
		{
			name: "positive current convention gives the same energy",
			batches: []Frame{frame("t_s,voltage_v,current_ma",
				col(0, 3600, 7200), col(4.0, 3.8, 3.6), col(1000, 1000, 500))},
			want: BatteryMetrics{EnergyWh: ptr(6.7), MeanPowerW: ptr(3.35)},
		},
		{
			// 2 W for 30 min from t_s = 600: 1 Wh, and the time to 20 % is
			// counted from the start of the run (t_s = 0), not from 600.
			name: "series starting late; SoC exactly 20",
			batches: []Frame{frame("t_s,soc_pct,voltage_v,current_ma",
				col(600, 2400), col(25, 20), col(4, 4), col(500, 500))},
			want: BatteryMetrics{EnergyWh: ptr(1), TimeTo20PctH: ptr(2400.0 / 3600), MeanPowerW: ptr(2)},
		},
		{
			name:    "no current column",
			batches: []Frame{frame("t_s,soc_pct,voltage_v", col(0, 3600), col(30, 10), col(4, 3.9))},
			want:    BatteryMetrics{TimeTo20PctH: ptr(0.5)},
		},
		{
			name:    "no voltage column",
			batches: []Frame{frame("t_s,current_ma", col(0, 3600), col(-500, -500))},
			want:    BatteryMetrics{},
		},
		{
			name:    "SoC already below 20 at the first sample",
			batches: []Frame{frame("t_s,soc_pct", col(120, 180), col(15, 14))},
			want:    BatteryMetrics{TimeTo20PctH: ptr(120.0 / 3600)},
		},
		{
			name:    "SoC never reaches 20",
			batches: []Frame{frame("t_s,soc_pct", col(0, 60), col(100, 99))},
			want:    BatteryMetrics{},
		},
		{
			name:    "one sample has no energy",
			batches: []Frame{frame("t_s,voltage_v,current_ma", col(0), col(4), col(-500))},
			want:    BatteryMetrics{},
		},
		{name: "nothing added", want: BatteryMetrics{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a BatteryAccumulator
			for _, f := range tt.batches {
				a.Add(f)
			}
			got := a.Result()
			same("EnergyWh", got.EnergyWh, tt.want.EnergyWh, t)
			same("TimeTo20PctH", got.TimeTo20PctH, tt.want.TimeTo20PctH, t)
			same("MeanPowerW", got.MeanPowerW, tt.want.MeanPowerW, t)
		})
	}
}

func same(name string, got, want *float64, t *testing.T) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %v, want %v", name, deref(got), deref(want))
	case math.Abs(*got-*want) > 1e-12*math.Max(1, math.Abs(*want)):
		t.Errorf("%s = %v, want %v", name, *got, *want)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
