package stats

import "testing"

func TestFisherExactEdges(t *testing.T) {
	tests := []struct {
		name       string
		a, b, c, d int
		want       float64
	}{
		{"nobody failed anywhere", 5, 0, 5, 0, 1},
		{"everybody failed", 0, 3, 0, 4, 1},
		{"negative counts count as zero", -2, 5, 5, 0, 2.0 / 252},
		// 5/5 vs 0/5: only the two extreme tables, each 1/252.
		{"5/5 vs 0/5", 5, 0, 0, 5, 2.0 / 252},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := FisherExact(tt.a, tt.b, tt.c, tt.d); err != nil || !approx(got, tt.want) {
				t.Errorf("FisherExact(%d, %d, %d, %d) = %g, %v; want %g", tt.a, tt.b, tt.c, tt.d, got, err, tt.want)
			}
		})
	}
}

func TestFisherExactSymmetry(t *testing.T) {
	tables := [][4]int{{3, 2, 1, 4}, {10, 0, 6, 4}, {1, 9, 11, 3}, {26, 0, 20, 6}}
	for _, tb := range tables {
		a, b, c, d := tb[0], tb[1], tb[2], tb[3]
		p := ok(FisherExact(a, b, c, d))
		for name, q := range map[string]float64{
			"rows swapped":    ok(FisherExact(c, d, a, b)),
			"columns swapped": ok(FisherExact(b, a, d, c)),
			"transposed":      ok(FisherExact(a, c, b, d)),
		} {
			if !approx(q, p) {
				t.Errorf("%v %s: %g, want %g", tb, name, q, p)
			}
		}
	}
}
