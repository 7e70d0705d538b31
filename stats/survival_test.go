package stats

import (
	"errors"
	"math"
	"testing"
)

func obsOf(ts []float64, events []bool) []Observation {
	out := make([]Observation, len(ts))
	for i := range ts {
		out[i] = Observation{T: ts[i], Event: events[i]}
	}
	return out
}

func TestKMEdges(t *testing.T) {
	tests := []struct {
		name      string
		obs       []Observation
		wantSteps []KMStep
		wantMed   *float64
	}{
		{
			name:      "no observations",
			obs:       nil,
			wantSteps: []KMStep{},
		},
		{
			name:      "NaN time is ignored",
			obs:       []Observation{{T: math.NaN(), Event: true}, {T: 2, Event: false}},
			wantSteps: []KMStep{{T: 2, NRisk: 1, NCensor: 1, Surv: 1, Lower: 1, Upper: 1}},
		},
		{
			name: "everyone fails at once: surv 0 with a zero-width band",
			obs:  obsOf([]float64{4, 4}, []bool{true, true}),
			wantSteps: []KMStep{
				{T: 4, NRisk: 2, NEvent: 2, Surv: 0, Lower: 0, Upper: 0},
			},
			wantMed: ptr(4.0),
		},
		{
			name: "censoring listed before an event at the same time still counts at risk",
			obs:  obsOf([]float64{3, 3, 5}, []bool{false, true, false}),
			wantSteps: []KMStep{
				{T: 3, NRisk: 3, NEvent: 1, NCensor: 1, Surv: 2.0 / 3},
				{T: 5, NRisk: 1, NCensor: 1, Surv: 2.0 / 3},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KM(tt.obs, 0.95)
			if got.Steps == nil {
				t.Fatal("Steps is nil; want a non-nil slice so JSON shows []")
			}
			if len(got.Steps) != len(tt.wantSteps) {
				t.Fatalf("steps = %+v, want %+v", got.Steps, tt.wantSteps)
			}
			for i, w := range tt.wantSteps {
				g := got.Steps[i]
				if g.T != w.T || g.NRisk != w.NRisk || g.NEvent != w.NEvent || g.NCensor != w.NCensor || !approx(g.Surv, w.Surv) {
					t.Errorf("step %d = %+v, want %+v", i, g, w)
				}
				// Bounds are only pinned where the convention fixes them.
				if (w.Surv == 0 || w.Surv == 1) && (g.Lower != w.Surv || g.Upper != w.Surv) {
					t.Errorf("step %d bounds [%g, %g], want both %g", i, g.Lower, g.Upper, w.Surv)
				}
			}
			switch {
			case (got.Median == nil) != (tt.wantMed == nil):
				t.Errorf("median = %v, want %v", got.Median, tt.wantMed)
			case got.Median != nil && *got.Median != *tt.wantMed:
				t.Errorf("median = %g, want %g", *got.Median, *tt.wantMed)
			}
		})
	}
}

func TestKMIgnoresInputOrder(t *testing.T) {
	a := KM(obsOf([]float64{5, 1, 3, 3, 2}, []bool{true, true, false, true, false}), 0.95)
	b := KM(obsOf([]float64{3, 2, 5, 3, 1}, []bool{false, false, true, true, true}), 0.95)
	if len(a.Steps) != len(b.Steps) {
		t.Fatalf("%d vs %d steps", len(a.Steps), len(b.Steps))
	}
	for i := range a.Steps {
		if a.Steps[i] != b.Steps[i] {
			t.Errorf("step %d: %+v vs %+v", i, a.Steps[i], b.Steps[i])
		}
	}
}

func ptr(v float64) *float64 { return &v }

func TestLogRankEdges(t *testing.T) {
	some := obsOf([]float64{2, 4, 6}, []bool{true, true, false})
	other := obsOf([]float64{1, 3, 5}, []bool{true, false, true})
	tests := []struct {
		name    string
		groups  [][]Observation
		want    ChiSquareTest
		wantErr error
	}{
		{"no groups", nil, ChiSquareTest{}, ErrNoData},
		{"single group", [][]Observation{some}, ChiSquareTest{}, ErrNoData},
		{"one group with data, one empty", [][]Observation{some, nil}, ChiSquareTest{}, ErrNoData},
		{"no events anywhere", [][]Observation{
			obsOf([]float64{3}, []bool{false}), obsOf([]float64{4}, []bool{false}),
		}, ChiSquareTest{}, ErrNoEvents},
		{"one group censored before the first event", [][]Observation{
			obsOf([]float64{1, 1}, []bool{false, false}), obsOf([]float64{4, 5}, []bool{true, true}),
		}, ChiSquareTest{}, ErrNoEvents},
		// Computable: the same curves are a real "no difference".
		{"identical groups", [][]Observation{some, some}, ChiSquareTest{0, 1, 1}, nil},
		// survdiff stops here (singular variance).
		{"every event time empties the risk set", [][]Observation{
			obsOf([]float64{1}, []bool{true}), obsOf([]float64{1}, []bool{true}),
		}, ChiSquareTest{}, ErrNoVariance},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LogRank(tt.groups)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("LogRank error %v, want %v", err, tt.wantErr)
			}
			if got.DF != tt.want.DF || !approx(got.ChiSq, tt.want.ChiSq) || !approx(got.P, tt.want.P) {
				t.Errorf("LogRank = %+v, want %+v", got, tt.want)
			}
		})
	}

	t.Run("empty group does not change the test", func(t *testing.T) {
		two := ok(LogRank([][]Observation{some, other}))
		three := ok(LogRank([][]Observation{some, nil, other}))
		if two != three {
			t.Errorf("with an empty group %+v, without %+v", three, two)
		}
	})
}
