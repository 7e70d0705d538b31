package store

import (
	"errors"
	"fmt"
	"sync"

	"ruggedlab/series"
)

// errStopped is what emit returns to the reader once the writing side has
// given up (a database error), so that reading stops at once.
var errStopped = errors.New("store: series ingest stopped")

// The overview: LTTB keeps about one sample in overviewStride of each
// batch; whenever overviewCap samples have been kept, LTTB halves them and
// the stride doubles. A series of any length thus has an overview of at
// most overviewCap whole rows (~6 MB while ingesting), and a long one at
// least half that. A chart request for max_points reduces the overview when
// it holds at least overviewFactor × max_points samples (enough candidates
// per LTTB bucket), and the whole series otherwise.
const (
	overviewStride = 16
	overviewCap    = 1 << 17
	overviewFactor = 4
)

// frameStream runs a SeriesReader in its own goroutine and hands its
// batches over a small channel. Parsing the body thus overlaps with
// encoding and writing the previous batch; at most cap(ch)+2 batches
// (~1 MB) are alive at a time, whatever the size of the upload. The reader
// goroutine also computes what needs every sample once: battery metrics and
// the overview.
type frameStream struct {
	ch   chan series.Frame
	quit chan struct{}
	done chan struct{}
	stop sync.Once

	first *series.Frame // taken from ch by ready, handed out first by next
	kind  series.Kind

	// Written by the reader goroutine, read after done is closed.
	acc      series.BatteryAccumulator
	overview overviewBuf
	rows     int
	sum      series.Summary
	err      error
}

func startFrames(kind series.Kind, read SeriesReader) *frameStream {
	fs := &frameStream{
		ch:       make(chan series.Frame, 2),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
		kind:     kind,
		overview: overviewBuf{stride: overviewStride, main: series.MainColumn(kind)},
	}
	go func() {
		defer close(fs.done)
		defer close(fs.ch)
		defer func() {
			// A panicking reader must not take the whole service down.
			if v := recover(); v != nil {
				fs.err = fmt.Errorf("series reader panicked: %v", v)
			}
		}()
		fs.sum, fs.err = read(kind, fs.emit)
	}()
	return fs
}

func (fs *frameStream) emit(f series.Frame) error {
	if f.Len() == 0 {
		return nil
	}
	if fs.kind == series.Battery {
		fs.acc.Add(f)
	}
	fs.overview.add(f, fs.rows)
	fs.rows += f.Len()
	select {
	case fs.ch <- f:
		return nil
	case <-fs.quit:
		return errStopped
	}
}

// ready waits for the first batch and reports whether there is one; false
// means the reader finished without samples (wait has its error).
func (fs *frameStream) ready() bool {
	if fs.first != nil {
		return true
	}
	f, ok := <-fs.ch
	if !ok {
		return false
	}
	fs.first = &f
	return true
}

// columns are the series' columns, from the first batch (ready must have
// returned true).
func (fs *frameStream) columns() []string { return fs.first.Columns }

// next returns the next batch, or false once the reader has finished.
func (fs *frameStream) next() (series.Frame, bool) {
	if fs.first != nil {
		f := *fs.first
		fs.first = nil
		return f, true
	}
	f, ok := <-fs.ch
	return f, ok
}

// wait stops the reader if it is still emitting, waits until it has
// returned and gives its result. It may be called more than once.
func (fs *frameStream) wait() (series.Summary, error) {
	fs.stop.Do(func() { close(fs.quit) })
	<-fs.done
	return fs.sum, fs.err
}

// metrics are the battery metrics of every sample read (after wait).
func (fs *frameStream) metrics() series.BatteryMetrics { return fs.acc.Result() }

// rowSource hands out samples one at a time for a bulk write.
type rowSource interface {
	// next fills row (t_s, then the value columns) with the next sample and
	// returns its position in the series; ok is false at the end.
	next(row []float64) (idx int, ok bool)
	// err is why the rows ended early, nil at a normal end.
	err() error
}

// samples are the frame stream's samples in order.
func (fs *frameStream) samples() rowSource { return &batchRows{fs: fs, i: -1, idx: -1} }

type batchRows struct {
	fs     *frameStream
	f      series.Frame
	i, idx int
	e      error
}

func (b *batchRows) next(row []float64) (int, bool) {
	b.i++
	for b.i >= b.f.Len() {
		f, ok := b.fs.next()
		if !ok {
			// The channel closes just before done: wait, so that err
			// surely sees the reader's error.
			<-b.fs.done
			b.e = b.fs.err
			return 0, false
		}
		b.f, b.i = f, 0
	}
	b.idx++
	for j, col := range b.f.Data {
		row[j] = col[b.i]
	}
	return b.idx, true
}

func (b *batchRows) err() error { return b.e }

// overviewBuf collects the overview while the series streams past; see
// overviewStride. Rows are stored flat, width values each.
type overviewBuf struct {
	stride int
	main   string
	y      int // position of the LTTB y column, set by the first batch
	width  int
	idx    []int32
	flat   []float64
}

func (o *overviewBuf) add(f series.Frame, offset int) {
	if o.width == 0 {
		o.width = len(f.Columns)
		if o.y = indexOf(f.Columns, o.main); o.y < 0 {
			o.y = min(1, o.width-1) // as series.Reduce does
		}
	}
	n := f.Len()
	for _, i := range series.LTTB(f.Data[0], f.Data[o.y], max(2, (n+o.stride-1)/o.stride)) {
		o.idx = append(o.idx, int32(offset+i))
		for _, col := range f.Data {
			o.flat = append(o.flat, col[i])
		}
	}
	if len(o.idx) >= overviewCap {
		o.halve()
	}
}

// halve keeps the half of the overview LTTB picks, and doubles the stride
// for the batches still to come.
func (o *overviewBuf) halve() {
	n := len(o.idx)
	x, y := make([]float64, n), make([]float64, n)
	for k := range n {
		x[k], y[k] = o.flat[k*o.width], o.flat[k*o.width+o.y]
	}
	keep := series.LTTB(x, y, overviewCap/2)
	for k, i := range keep { // i ≥ k: copying forward in place is safe
		o.idx[k] = o.idx[i]
		copy(o.flat[k*o.width:(k+1)*o.width], o.flat[i*o.width:(i+1)*o.width])
	}
	o.idx, o.flat = o.idx[:len(keep)], o.flat[:len(keep)*o.width]
	o.stride *= 2
}

// rows are the overview's samples in order (after the reader has finished).
func (o *overviewBuf) rows() rowSource { return &overviewRows{o: o, k: -1} }

type overviewRows struct {
	o *overviewBuf
	k int
}

func (r *overviewRows) next(row []float64) (int, bool) {
	r.k++
	if r.k >= len(r.o.idx) {
		return 0, false
	}
	copy(row, r.o.flat[r.k*r.o.width:(r.k+1)*r.o.width])
	return int(r.o.idx[r.k]), true
}

func (r *overviewRows) err() error { return nil }
