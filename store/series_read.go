package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ncruces/go-sqlite3"

	"ruggedlab/models"
	"ruggedlab/series"
	"ruggedlab/series/block"
)

// SeriesInfo describes one stored series of a run.
type SeriesInfo struct {
	RunID      string
	Kind       series.Kind
	Revision   int      // the run revision the series was recorded at
	Columns    []string // t_s first, canonical order
	Samples    int
	RecordedBy string
	RecordedAt time.Time
	Reason     string

	id       int64
	overview int // samples marked as overview
}

type seriesRow struct {
	ID         int64     `gorm:"column:id"`
	RunID      string    `gorm:"column:run_id"`
	Revision   int       `gorm:"column:revision"`
	Columns    string    `gorm:"column:columns"`
	NSamples   int       `gorm:"column:n_samples"`
	NOverview  int       `gorm:"column:n_overview"`
	RecordedBy string    `gorm:"column:recorded_by"`
	RecordedAt time.Time `gorm:"column:recorded_at"`
	Reason     string    `gorm:"column:reason"`
}

func (seriesRow) TableName() string { return "series" }

// SeriesInfo finds the series of a run as it stood at run revision
// revision (0: the latest): the newest series recorded at or before it.
// Errors: NotFound (no such run or revision, or no series at that point).
func (s *Store) SeriesInfo(ctx context.Context, runID string, revision int) (SeriesInfo, error) {
	run, err := s.Run(ctx, runID)
	if err != nil {
		return SeriesInfo{}, err
	}
	if revision > run.Revision || revision < 0 {
		return SeriesInfo{}, models.Errorf(models.NotFound, "run %s has no revision %d (its latest is %d)", runID, revision, run.Revision)
	}
	if revision == 0 {
		revision = run.Revision
	}
	var rows []seriesRow
	err = s.db.WithContext(ctx).Where("run_id = ? AND revision <= ?", runID, revision).
		Order("revision DESC").Limit(1).Find(&rows).Error
	if err != nil {
		return SeriesInfo{}, translate(err, "series of run "+runID)
	}
	if len(rows) == 0 {
		if revision < run.Revision {
			return SeriesInfo{}, models.Errorf(models.NotFound, "run %s had no series at revision %d", runID, revision)
		}
		return SeriesInfo{}, models.Errorf(models.NotFound, "run %s has no series", runID)
	}
	r := rows[0]
	return SeriesInfo{RunID: runID, Kind: series.Kind(run.Kind), Revision: r.Revision, Columns: strings.Split(r.Columns, ","),
		Samples: r.NSamples, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC(), Reason: r.Reason,
		id: r.ID, overview: r.NOverview}, nil
}

// Series reads a whole series into memory; for a chart or a download of a
// long series use ReducedSeries or StreamSeries. Errors: as SeriesInfo.
func (s *Store) Series(ctx context.Context, runID string, revision int) (series.Frame, SeriesInfo, error) {
	info, err := s.SeriesInfo(ctx, runID, revision)
	if err != nil {
		return series.Frame{}, info, err
	}
	f := newFrame(info.Columns, info.Samples)
	err = s.eachSample(ctx, info, false, f.append)
	return f.Frame, info, err
}

// StreamSeries calls row with every sample of the series in t_s order,
// decoding its blocks one at a time as the database cursor hands them
// over, so a million-sample download never sits in memory. row's slice (values in info.Columns order) is reused:
// copy what must outlive the call. An error from row stops the stream and
// is returned.
func (s *Store) StreamSeries(ctx context.Context, info SeriesInfo, row func(values []float64) error) error {
	return s.eachSample(ctx, info, false, row)
}

// ReducedSeries returns at most maxPoints whole samples of the series,
// chosen by largest-triangle-three-buckets on t_s and the kind's main
// column, first and last always kept; every sample when maxPoints is at
// least the series' length (or below 2, as series.LTTB reads it).
//
// A long series is reduced from its overview (at most 131,072 samples LTTB
// picked at ingest, see overviewStride) when that holds at least
// 4 × maxPoints samples: a second LTTB pass over points LTTB already chose
// keeps the chart's shape and reads a few overview blocks. Otherwise every
// sample is read once, reduced as it streams, giving exactly series.LTTB's
// choice.
func (s *Store) ReducedSeries(ctx context.Context, info SeriesInfo, maxPoints int) (series.Frame, error) {
	main := series.MainColumn(info.Kind)
	if maxPoints < 2 || maxPoints >= info.Samples {
		f := newFrame(info.Columns, info.Samples)
		err := s.eachSample(ctx, info, false, f.append)
		return f.Frame, err
	}
	if info.overview >= overviewFactor*maxPoints {
		f := newFrame(info.Columns, info.overview)
		if err := s.eachSample(ctx, info, true, f.append); err != nil {
			return series.Frame{}, err
		}
		return series.Reduce(f.Frame, main, maxPoints), nil
	}
	f := newFrame(info.Columns, maxPoints)
	y := indexOf(info.Columns, main)
	if y < 0 {
		y = min(1, len(info.Columns)-1) // as series.Reduce does
	}
	st := newLTTBStream(info.Samples, maxPoints, 0, y, f.append)
	if err := s.eachSample(ctx, info, false, st.push); err != nil {
		return series.Frame{}, err
	}
	if err := st.finish(); err != nil {
		return series.Frame{}, fmt.Errorf("series of run %s: %w", info.RunID, err)
	}
	return f.Frame, nil
}

// frame builds a series.Frame row by row.
type frame struct{ series.Frame }

func newFrame(cols []string, capacity int) *frame {
	f := &frame{series.Frame{Columns: append([]string(nil), cols...), Data: make([][]float64, len(cols))}}
	for j := range f.Data {
		f.Data[j] = make([]float64, 0, capacity)
	}
	return f
}

func (f *frame) append(row []float64) error {
	for j, v := range row {
		f.Data[j] = append(f.Data[j], v)
	}
	return nil
}

// blockQuery selects the payloads of a series' blocks at one level in
// order, along series_blocks' primary key.
func blockQuery(engine string) string {
	q := "SELECT payload FROM series_blocks WHERE series_id = ? AND level = ? ORDER BY seq"
	if engine == Postgres {
		q = rebind(q)
	}
	return q
}

// eachSample streams the samples of a series (or of its overview) to fn,
// decoding its blocks in order on the engine's own driver, one block in
// memory at a time.
func (s *Store) eachSample(ctx context.Context, info SeriesInfo, overview bool, fn func([]float64) error) error {
	level := levelSamples
	if overview {
		level = levelOverview
	}
	d := blockDecoder{row: make([]float64, len(info.Columns)), fn: fn}
	if s.engine == Postgres {
		return s.pgConn(ctx, func(c *pgx.Conn) error {
			rows, err := c.Query(ctx, blockQuery(s.engine), info.id, level)
			if err != nil {
				return err
			}
			defer rows.Close()
			var payload []byte
			for rows.Next() {
				if err := rows.Scan(&payload); err != nil {
					return err
				}
				if err := d.block(payload); err != nil {
					return err
				}
			}
			return rows.Err()
		})
	}
	return s.sqliteConn(ctx, func(c *sqlite3.Conn) error {
		st, _, err := c.Prepare(blockQuery(s.engine))
		if err != nil {
			return err
		}
		defer st.Close()
		if err := st.BindInt64(1, info.id); err != nil {
			return err
		}
		if err := st.BindInt64(2, int64(level)); err != nil {
			return err
		}
		for st.Step() {
			// Valid until the next Step: decoded at once.
			if err := d.block(st.ColumnRawBlob(0)); err != nil {
				return err
			}
		}
		return st.Err()
	})
}

// blockDecoder hands the samples of block after block to fn, row by row.
type blockDecoder struct {
	cols [][]float64
	row  []float64
	fn   func([]float64) error
}

func (d *blockDecoder) block(payload []byte) error {
	var err error
	if d.cols, err = block.Decode(d.cols, payload); err != nil {
		return fmt.Errorf("series block: %w", err)
	}
	if len(d.cols) != len(d.row) {
		return fmt.Errorf("series block: %d columns, the series has %d", len(d.cols), len(d.row))
	}
	for i := range len(d.cols[0]) {
		for j, c := range d.cols {
			d.row[j] = c[i]
		}
		if err := d.fn(d.row); err != nil {
			return err
		}
	}
	return nil
}
