package store

import (
	"ruggedlab/series/block"
)

// A series is stored by the block (api.md §12.3, migration 00018): rows of
// series_blocks, each holding blockRows consecutive samples (the last one
// fewer) encoded by package series/block, with the t_s of its first and
// last sample and its sample count beside the payload. Level 0 blocks are
// the samples; level 1 blocks the bounded overview LTTB picked at ingest
// (see overviewStride), so a chart request reads a few dozen rows.
//
// A 1 M-sample battery series is thus 245 rows of about 28 KB instead of a
// million rows of 116 bytes: PostgreSQL's COPY and SQLite's INSERT move a
// few rows, and what an upload costs is parsing the body.
const (
	blockRows = 4096

	levelSamples  = 0
	levelOverview = 1
)

// blockRow is one row of series_blocks, series id and level aside.
type blockRow struct {
	seq         int
	first, last float64
	n           int
	payload     []byte
}

// blocker cuts the samples of a rowSource into blocks. The payload of the
// block it returns is reused by the next call.
type blocker struct {
	src     rowSource
	cols    [][]float64
	row     []float64
	enc     block.Encoder
	buf     []byte
	seq     int
	samples int // samples read so far
	over    bool
}

func newBlocker(width int, src rowSource) *blocker {
	b := &blocker{src: src, cols: make([][]float64, width), row: make([]float64, width)}
	for j := range b.cols {
		b.cols[j] = make([]float64, 0, blockRows)
	}
	return b
}

// next reads up to blockRows samples and encodes them; false at the end
// of the samples (err then says whether they ended early).
func (b *blocker) next() (blockRow, bool) {
	if b.over {
		return blockRow{}, false
	}
	for j := range b.cols {
		b.cols[j] = b.cols[j][:0]
	}
	for len(b.cols[0]) < blockRows {
		if _, ok := b.src.next(b.row); !ok {
			b.over = true
			break
		}
		for j, v := range b.row {
			b.cols[j] = append(b.cols[j], v)
		}
	}
	n := len(b.cols[0])
	if n == 0 {
		return blockRow{}, false
	}
	b.samples += n
	b.buf = b.enc.Append(b.buf[:0], b.cols)
	r := blockRow{seq: b.seq, first: b.cols[0][0], last: b.cols[0][n-1], n: n, payload: b.buf}
	b.seq++
	return r, true
}

func (b *blocker) err() error { return b.src.err() }
