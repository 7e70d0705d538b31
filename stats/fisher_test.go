package stats

import "testing"

func TestFisherExactEdges(t *testing.T) {
	tests := []struct {
		name       string
		a, b, c, d int
		want       float64
	}{
		{"all zeros", 0, 0, 0, 0, 1},
		{"one candidate has no units", 5, 0, 0, 0, 1},
		{"nobody failed anywhere", 5, 0, 5, 0, 1},
		{"negative counts count as zero", -2, 0, 5, 0, 1},
		// 5/5 vs 0/5: only the two extreme tables, each 1/252.
		{"5/5 vs 0/5", 5, 0, 0, 5, 2.0 / 252},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FisherExact(tt.a, tt.b, tt.c, tt.d); !approx(got, tt.want) {
				t.Errorf("FisherExact(%d, %d, %d, %d) = %g, want %g", tt.a, tt.b, tt.c, tt.d, got, tt.want)
			}
		})
	}
}

func TestFisherExactSymmetry(t *testing.T) {
	tables := [][4]int{{3, 2, 1, 4}, {10, 0, 6, 4}, {1, 9, 11, 3}, {26, 0, 20, 6}}
	for _, tb := range tables {
		a, b, c, d := tb[0], tb[1], tb[2], tb[3]
		p := FisherExact(a, b, c, d)
		for name, q := range map[string]float64{
			"rows swapped":    FisherExact(c, d, a, b),
			"columns swapped": FisherExact(b, a, d, c),
			"transposed":      FisherExact(a, c, b, d),
		} {
			if !approx(q, p) {
				t.Errorf("%v %s: %g, want %g", tb, name, q, p)
			}
		}
	}
}
