package store

import (
	"fmt"
	"math"
)

// lttbStream picks the rows series.LTTB would pick — the same indices, the
// same arithmetic in the same order — from rows that arrive one at a time
// in t_s order, holding only the two buckets being compared. Reducing a
// series read from the database therefore needs memory for about
// 2·n/threshold rows, not n. It lives in the store because it exists only
// to reduce rows while they stream out of a query.
type lttbStream struct {
	n, threshold, buckets int
	x, y                  int // positions of the x and y values in a row
	keep                  func(row []float64) error

	i         int       // index of the next row
	b         int       // the bucket whose rows are in cur
	a         []float64 // the row kept last
	cur, next rows      // rows of buckets b and b+1
	err       error
}

// rows is a list of equal-width rows stored flat, so buffering a bucket
// allocates only while the buffer grows.
type rows struct {
	flat  []float64
	width int
}

func (r *rows) add(row []float64)  { r.flat = append(r.flat, row...) }
func (r *rows) len() int           { return len(r.flat) / r.width }
func (r *rows) at(i int) []float64 { return r.flat[i*r.width : (i+1)*r.width] }

// newLTTBStream reduces n rows to at most threshold, calling keep with each
// kept row (a slice keep must copy to retain) in order.
func newLTTBStream(n, threshold, x, y int, keep func(row []float64) error) *lttbStream {
	st := &lttbStream{n: n, threshold: threshold, x: x, y: y, keep: keep}
	if threshold >= 3 && threshold < n {
		st.buckets = threshold - 2
	}
	return st
}

// edge is the first index of bucket b, exactly as series.LTTB computes it.
func (st *lttbStream) edge(b int) int {
	return 1 + int(int64(b)*int64(st.n-2)/int64(st.buckets))
}

// push takes the next row; it has the signature of a row callback.
func (st *lttbStream) push(row []float64) error {
	if st.err != nil {
		return st.err
	}
	i := st.i
	st.i++
	switch {
	case i >= st.n:
		st.err = fmt.Errorf("lttb: more than the %d rows announced", st.n)
	case st.threshold >= st.n || st.threshold < 2: // nothing to reduce
		st.err = st.keep(row)
	case i == 0:
		st.a = append([]float64(nil), row...)
		st.cur, st.next = rows{width: len(row)}, rows{width: len(row)}
		st.err = st.keep(row)
	case i == st.n-1:
		if st.buckets > 0 {
			st.decideRest(row)
		}
		if st.err == nil {
			st.err = st.keep(row)
		}
	case st.buckets == 0: // threshold 2: only the first and last rows
	case i < st.edge(st.b+1):
		st.cur.add(row)
	case i < st.edge(st.b+2):
		st.next.add(row)
	default:
		// Row i opens bucket b+2, so bucket b+1 is complete: decide b.
		st.decide(st.meanOfNext())
		st.cur, st.next = st.next, st.cur
		st.next.flat = st.next.flat[:0]
		st.b++
		st.next.add(row)
	}
	return st.err
}

// decideRest decides the buckets still open when the last row arrives: the
// last bucket is compared with the last point itself.
func (st *lttbStream) decideRest(last []float64) {
	if st.b < st.buckets-1 {
		st.decide(st.meanOfNext())
		st.cur, st.next = st.next, st.cur
		st.next.flat = st.next.flat[:0]
		st.b++
	}
	// The mean of one point, computed as series.LTTB does (sum / 1).
	st.decide(last[st.x]/1, last[st.y]/1)
}

func (st *lttbStream) meanOfNext() (float64, float64) {
	var mx, my float64
	for j := range st.next.len() {
		r := st.next.at(j)
		mx += r[st.x]
		my += r[st.y]
	}
	cnt := float64(st.next.len())
	return mx / cnt, my / cnt
}

// decide keeps the row of bucket b (in cur) that makes the largest triangle
// with the row kept last and the point (mx, my).
func (st *lttbStream) decide(mx, my float64) {
	if st.err != nil {
		return
	}
	ax, ay := st.a[st.x], st.a[st.y]
	best, bestArea := -1, -1.0
	for j := range st.cur.len() {
		r := st.cur.at(j)
		area := math.Abs((ax-mx)*(r[st.y]-ay) - (ax-r[st.x])*(my-ay))
		if area > bestArea {
			best, bestArea = j, area
		}
	}
	if best < 0 {
		st.err = fmt.Errorf("lttb: bucket %d is empty", st.b)
		return
	}
	kept := st.cur.at(best)
	st.a = append(st.a[:0], kept...)
	st.err = st.keep(kept)
}

// finish reports an error when fewer rows came than announced.
func (st *lttbStream) finish() error {
	if st.err == nil && st.i != st.n {
		st.err = fmt.Errorf("lttb: %d rows announced, %d read", st.n, st.i)
	}
	return st.err
}
