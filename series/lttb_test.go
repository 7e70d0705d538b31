package series

import (
	"math"
	"reflect"
	"testing"
)

func seq(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i)
	}
	return x
}

func indexes(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func TestLTTB(t *testing.T) {
	tests := []struct {
		name      string
		x, y      []float64
		threshold int
		want      []int
	}{
		{name: "no points", x: nil, y: nil, threshold: 10, want: []int{}},
		{name: "threshold above length", x: seq(5), y: seq(5), threshold: 6, want: indexes(5)},
		{name: "threshold equal to length", x: seq(5), y: seq(5), threshold: 5, want: indexes(5)},
		{name: "threshold 2 keeps the ends", x: seq(5), y: seq(5), threshold: 2, want: []int{0, 4}},
		{name: "threshold 1 means no limit", x: seq(5), y: seq(5), threshold: 1, want: indexes(5)},
		{name: "threshold 0 means no limit", x: seq(5), y: seq(5), threshold: 0, want: indexes(5)},
		{name: "negative threshold means no limit", x: seq(3), y: seq(3), threshold: -1, want: indexes(3)},
		{name: "y shorter than x", x: seq(5), y: seq(3), threshold: 10, want: indexes(3)},
		{
			// One bucket (points 1..5) between the ends (0,0) and (6,0):
			// the triangle area is proportional to |y|, so the peak wins.
			name: "single bucket keeps the peak",
			x:    seq(7), y: []float64{0, 0, 10, 0, 0, 0, 0}, threshold: 3,
			want: []int{0, 2, 6},
		},
		{
			// Buckets {1,2,3} and {4,5,6}. Bucket 1, with a = (0,0) and the
			// mean of the next bucket (5, −4/3): twice the areas are
			// |−5y − 4x/3| = 6.33, 27.67, 14 → index 2. Bucket 2, with
			// a = (2,5) and the last point (7,0): |−5(y−5) + 5(2−x)| = 15,
			// 25, 10 → index 5.
			name: "two buckets, worked by hand",
			x:    seq(8), y: []float64{0, 1, 5, 2, 0, -3, -1, 0}, threshold: 4,
			want: []int{0, 2, 5, 7},
		},
		{
			name: "uneven time steps",
			x:    []float64{0, 1, 2, 10, 11, 12, 13}, y: []float64{0, 5, 0, 0, 0, 4, 0}, threshold: 4,
			// Buckets {1,2} and {3,4,5}; the means of the next bucket are
			// (11, 4/3) and the last point: the spikes at 1 and 5 win.
			want: []int{0, 1, 5, 6},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LTTB(tt.x, tt.y, tt.threshold)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LTTB = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLTTBShape checks what every reduction must satisfy: exactly threshold
// points, increasing, both ends kept, one point per bucket, and a lone
// spike never lost.
func TestLTTBShape(t *testing.T) {
	for _, tc := range []struct{ n, threshold int }{{10, 3}, {100, 7}, {1001, 100}, {10007, 2000}, {5000, 4999}} {
		x, y := seq(tc.n), make([]float64, tc.n)
		for i := range y {
			y[i] = math.Sin(float64(i) / 50)
		}
		spike := tc.n * 2 / 3
		y[spike] = 100
		got := LTTB(x, y, tc.threshold)
		if len(got) != tc.threshold {
			t.Fatalf("n=%d threshold=%d: %d points", tc.n, tc.threshold, len(got))
		}
		if got[0] != 0 || got[len(got)-1] != tc.n-1 {
			t.Errorf("n=%d threshold=%d: ends %d and %d", tc.n, tc.threshold, got[0], got[len(got)-1])
		}
		buckets := tc.threshold - 2
		for b := 0; b < buckets; b++ {
			lo := 1 + b*(tc.n-2)/buckets
			hi := 1 + (b+1)*(tc.n-2)/buckets
			if k := got[b+1]; k < lo || k >= hi {
				t.Fatalf("n=%d threshold=%d: bucket %d [%d,%d) kept %d", tc.n, tc.threshold, b, lo, hi, k)
			}
		}
		found := false
		for _, k := range got {
			found = found || k == spike
		}
		if !found {
			t.Errorf("n=%d threshold=%d: spike at %d lost", tc.n, tc.threshold, spike)
		}
	}
}

func TestReduce(t *testing.T) {
	f := frame("t_s,soc_pct,voltage_v",
		seq(8),
		[]float64{0, 1, 5, 2, 0, -3, -1, 0},
		[]float64{4.3, 4.2, 4.1, 4.0, 3.9, 3.8, 3.7, 3.6})
	tests := []struct {
		name string
		f    Frame
		main string
		max  int
		want Frame
	}{
		{
			name: "whole rows on the main column",
			f:    f, main: "soc_pct", max: 4,
			want: frame("t_s,soc_pct,voltage_v", col(0, 2, 5, 7), col(0, 5, -3, 0), col(4.3, 4.1, 3.8, 3.6)),
		},
		{
			name: "missing main column falls back to the first after t_s",
			f:    f, main: "air_c", max: 4,
			want: frame("t_s,soc_pct,voltage_v", col(0, 2, 5, 7), col(0, 5, -3, 0), col(4.3, 4.1, 3.8, 3.6)),
		},
		{
			// Bucket {1,2,3}: a = (0,0), next mean (5,0), areas 5|y| → 3.
			// Bucket {4,5,6}: a = (3,9), last (7,0), areas
			// |−4(y−9) + 9(3−x)| = 27, 18, 9 → 4.
			name: "another main column",
			f:    frame("t_s,air_c,device_c", seq(8), seq(8), col(0, 0, 0, 9, 0, 0, 0, 0)), main: "device_c", max: 4,
			want: frame("t_s,air_c,device_c", col(0, 3, 4, 7), col(0, 3, 4, 7), col(0, 9, 0, 0)),
		},
		{name: "fewer rows than the limit", f: f, main: "soc_pct", max: 8, want: f},
		{name: "limit below 2 means no limit", f: f, main: "soc_pct", max: 0, want: f},
		{
			// t_s against itself is a straight line: every triangle is
			// exactly flat and the bucket keeps its first point.
			name: "t_s alone",
			f:    frame("t_s", seq(5)), main: "soc_pct", max: 3,
			want: frame("t_s", col(0, 1, 4)),
		},
		{name: "empty frame", f: Frame{}, main: "soc_pct", max: 10, want: Frame{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := frame("t_s,soc_pct,voltage_v", append([]float64(nil), f.Data[0]...),
				append([]float64(nil), f.Data[1]...), append([]float64(nil), f.Data[2]...))
			got := Reduce(tt.f, tt.main, tt.max)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Reduce = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(f, before) {
				t.Errorf("Reduce changed its input")
			}
		})
	}
}

func TestMainColumnAndColumns(t *testing.T) {
	for _, k := range []Kind{Battery, Temperature} {
		cols := Columns(k)
		if cols[0] != TimeColumn {
			t.Errorf("%s columns %v do not start with t_s", k, cols)
		}
		found := false
		for _, c := range cols {
			found = found || c == MainColumn(k)
		}
		if !found || !k.Valid() {
			t.Errorf("%s: main column %q not among %v", k, MainColumn(k), cols)
		}
	}
	Columns(Battery)[1] = "changed"
	if Columns(Battery)[1] != "soc_pct" {
		t.Error("Columns returns a shared slice")
	}
	if Columns("drop") != nil || MainColumn("drop") != "" || Kind("drop").Valid() {
		t.Error("an unknown kind has columns")
	}
}
