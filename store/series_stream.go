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

// overviewStride: about one sample in overviewStride is marked as part of
// the series' overview (LTTB within each ingest batch). A chart request for
// max_points reads only the overview when it holds at least
// overviewFactor × max_points samples, ~6 % of the rows, and falls back to
// the full series otherwise. 16 keeps the overview of a 1 M-sample series
// at 62,500 rows: enough for max_points up to ~15,000 with 4 candidates per
// LTTB bucket, small enough to read in a few tens of milliseconds.
const (
	overviewStride = 16
	overviewFactor = 4
)

// seriesBatch is one batch from the reader with the positions (within the
// batch, increasing) of its overview samples.
type seriesBatch struct {
	series.Frame
	overview []int
}

// frameStream runs a SeriesReader in its own goroutine and hands its
// batches over a small channel. Parsing the body thus overlaps with
// encoding and writing the previous batch; at most cap(ch)+2 batches
// (~1 MB) are alive at a time, whatever the size of the upload. It also
// computes what needs every sample once: battery metrics and the overview.
type frameStream struct {
	ch   chan seriesBatch
	quit chan struct{}
	done chan struct{}
	stop sync.Once

	first *seriesBatch // taken from ch by ready, handed out first by next
	kind  series.Kind
	main  string

	// Written by the reader goroutine, read after done is closed.
	acc series.BatteryAccumulator
	sum series.Summary
	err error
}

func startFrames(kind series.Kind, read SeriesReader) *frameStream {
	fs := &frameStream{
		ch:   make(chan seriesBatch, 2),
		quit: make(chan struct{}),
		done: make(chan struct{}),
		kind: kind,
		main: series.MainColumn(kind),
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
	b := seriesBatch{Frame: f, overview: overviewOf(f, fs.main)}
	select {
	case fs.ch <- b:
		return nil
	case <-fs.quit:
		return errStopped
	}
}

// overviewOf picks the overview samples of one batch: LTTB on t_s and the
// kind's main column, keeping the batch's first and last samples, so the
// overview of the whole series keeps its first and last samples too.
func overviewOf(f series.Frame, main string) []int {
	n := f.Len()
	y := f.Column(main)
	if y == nil {
		y = f.Data[min(1, len(f.Data)-1)] // as series.Reduce does
	}
	return series.LTTB(f.Data[0], y, max(2, (n+overviewStride-1)/overviewStride))
}

// ready waits for the first batch and reports whether there is one; false
// means the reader finished without samples (wait has its error).
func (fs *frameStream) ready() bool {
	if fs.first != nil {
		return true
	}
	b, ok := <-fs.ch
	if !ok {
		return false
	}
	fs.first = &b
	return true
}

// columns are the series' columns, from the first batch (ready must have
// returned true).
func (fs *frameStream) columns() []string { return fs.first.Columns }

// next returns the next batch, or false once the reader has finished.
func (fs *frameStream) next() (seriesBatch, bool) {
	if fs.first != nil {
		b := *fs.first
		fs.first = nil
		return b, true
	}
	b, ok := <-fs.ch
	return b, ok
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
