package stats

import (
	"errors"
	"testing"
)

func TestMeanTEdges(t *testing.T) {
	tests := []struct {
		name    string
		xs      []float64
		want    MeanCI
		wantErr error
	}{
		{"no values", nil, MeanCI{}, ErrNoData},
		{"one value: a mean, no spread, no interval", []float64{31.5}, MeanCI{N: 1, Mean: 31.5}, ErrTooFew},
		{"constant values: sd 0, no interval", []float64{30, 30, 30}, MeanCI{N: 3, Mean: 30}, ErrNoVariance},
		{"all zeros", []float64{0, 0}, MeanCI{N: 2}, ErrNoVariance},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MeanT(tt.xs, 0.95)
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("MeanT = %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestWelchEdges(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want error
	}{
		{"a empty", nil, []float64{1, 2}, ErrNoData},
		{"b empty", []float64{1, 2}, nil, ErrNoData},
		{"one value in a", []float64{30}, []float64{27, 28}, ErrTooFew},
		{"both constant, equal means", []float64{30, 30}, []float64{30, 30, 30}, ErrNoVariance},
		{"both constant, means equal up to rounding", []float64{0.1 + 0.2, 0.1 + 0.2}, []float64{0.3, 0.3}, ErrNoVariance},
		{"both constant, a higher", []float64{31, 31}, []float64{30, 30}, ErrNoVariance},
		{"all zeros", []float64{0, 0}, []float64{0, 0}, ErrNoVariance},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Welch(tt.a, tt.b, 0.95)
			if got != (WelchTest{}) || !errors.Is(err, tt.want) {
				t.Errorf("Welch = %+v, %v; want the zero WelchTest and %v", got, err, tt.want)
			}
		})
	}
	// One constant group is fine: the other's variance carries the test.
	if _, err := Welch([]float64{30, 30, 30}, []float64{28, 29, 31.5}, 0.95); err != nil {
		t.Errorf("one constant group: %v", err)
	}
}
