package store

import (
	"math/rand/v2"
	"slices"
	"testing"

	"ruggedlab/series"
)

// TestLTTBStreamMatchesLTTB checks the streaming reducer against the
// reference in package series: the same rows, for lengths and thresholds
// around every edge case (threshold 2, 3, n−1, n, n+1, below 2).
func TestLTTBStreamMatchesLTTB(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 4, 5, 10, 97, 1000, 4099} {
		x, y := make([]float64, n), make([]float64, n)
		tt := 0.0
		for i := range n {
			tt += 0.5 + rng.Float64()
			x[i], y[i] = tt, rng.NormFloat64()*10+float64(i%37)
		}
		for _, th := range []int{-1, 0, 1, 2, 3, 4, 7, 50, n - 1, n, n + 1} {
			want := series.LTTB(x, y, th)
			var got []int
			// Rows carry their index in column 2 so the test can tell
			// which rows were kept.
			st := newLTTBStream(n, th, 0, 1, func(row []float64) error {
				got = append(got, int(row[2]))
				return nil
			})
			for i := range n {
				if err := st.push([]float64{x[i], y[i], float64(i)}); err != nil {
					t.Fatalf("n=%d threshold=%d: push: %v", n, th, err)
				}
			}
			if err := st.finish(); err != nil {
				t.Fatalf("n=%d threshold=%d: finish: %v", n, th, err)
			}
			if len(want) == 0 {
				want = nil
			}
			if !slices.Equal(got, want) {
				t.Errorf("n=%d threshold=%d: stream kept %v, LTTB %v", n, th, got, want)
			}
		}
	}
}

func TestLTTBStreamCountsRows(t *testing.T) {
	st := newLTTBStream(5, 3, 0, 1, func([]float64) error { return nil })
	for i := range 4 {
		st.push([]float64{float64(i), 0})
	}
	if err := st.finish(); err == nil {
		t.Error("4 rows of 5 announced: want an error")
	}
	st = newLTTBStream(2, 3, 0, 1, func([]float64) error { return nil })
	for i := range 3 {
		st.push([]float64{float64(i), 0})
	}
	if err := st.finish(); err == nil {
		t.Error("3 rows of 2 announced: want an error")
	}
}

// TestOverviewStaysBounded feeds the overview more samples than it may
// hold: it halves, keeps the series' first and last samples and whole rows
// in order, and doubles its stride.
func TestOverviewStaysBounded(t *testing.T) {
	o := overviewBuf{stride: 1, main: "soc_pct"}
	frames := benchFrames(17 * series.BatchRows)
	offset := 0
	for _, f := range frames {
		o.add(f, offset)
		offset += f.Len()
	}
	if n := len(o.idx); n > overviewCap || n < overviewCap/2 || o.stride != 2 {
		t.Fatalf("overview of %d samples: %d rows, stride %d", offset, n, o.stride)
	}
	src := o.rows()
	row := make([]float64, 5)
	last := -1
	for {
		idx, ok := src.next(row)
		if !ok {
			break
		}
		if idx <= last {
			t.Fatalf("idx %d after %d", idx, last)
		}
		f := frames[idx/series.BatchRows]
		for j := range row {
			if row[j] != f.Data[j][idx%series.BatchRows] {
				t.Fatalf("row of idx %d is not sample %d", idx, idx)
			}
		}
		if last == -1 && idx != 0 {
			t.Errorf("first overview sample is %d, not 0", idx)
		}
		last = idx
	}
	if last != offset-1 {
		t.Errorf("last overview sample is %d, not %d", last, offset-1)
	}
}
