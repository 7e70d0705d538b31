package stats

import (
	"math"
	"testing"
)

func TestMeanTEdges(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		want MeanCI
	}{
		{"no values", nil, MeanCI{}},
		{"one value: no spread, zero-width interval", []float64{31.5}, MeanCI{N: 1, Mean: 31.5, CI: Interval{31.5, 31.5}}},
		{"constant values", []float64{30, 30, 30}, MeanCI{N: 3, Mean: 30, CI: Interval{30, 30}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MeanT(tt.xs, 0.95); got != tt.want {
				t.Errorf("MeanT = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestWelchEdges(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want WelchTest
	}{
		{"a empty", nil, []float64{1, 2}, WelchTest{P: 1}},
		{"b empty", []float64{1, 2}, nil, WelchTest{P: 1}},
		{"one value in a", []float64{30}, []float64{27, 28}, WelchTest{P: 1, DiffCI: Interval{2.5, 2.5}}},
		{"both constant, equal means", []float64{30, 30}, []float64{30, 30, 30}, WelchTest{DF: 3, P: 1, DiffCI: Interval{0, 0}}},
		{"both constant, means equal up to rounding", []float64{0.1 + 0.2, 0.1 + 0.2}, []float64{0.3, 0.3}, WelchTest{DF: 2, P: 1, DiffCI: Interval{0.1 + 0.2 - 0.3, 0.1 + 0.2 - 0.3}}},
		{"both constant, a higher", []float64{31, 31}, []float64{30, 30}, WelchTest{T: math.MaxFloat64, DF: 2, P: 0, DiffCI: Interval{1, 1}}},
		{"both constant, a lower", []float64{29, 29, 29}, []float64{30, 30}, WelchTest{T: -math.MaxFloat64, DF: 3, P: 0, DiffCI: Interval{-1, -1}}},
		{"all zeros", []float64{0, 0}, []float64{0, 0}, WelchTest{DF: 2, P: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Welch(tt.a, tt.b, 0.95); got != tt.want {
				t.Errorf("Welch = %+v, want %+v", got, tt.want)
			}
		})
	}
}
