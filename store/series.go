package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"ruggedlab/models"
	"ruggedlab/series"
)

// SeriesReader reads one series of the given kind and hands its samples to
// emit in batches while it reads: series.ReadCSV or series.DecodeJSON bound
// to a request body. The store calls it at most once, only after the run
// has been found to accept a series, so a rejected upload is never read.
type SeriesReader func(kind series.Kind, emit func(series.Frame) error) (series.Summary, error)

// IngestOptions say how a series upload is recorded.
type IngestOptions struct {
	// Replace allows sending a series to a run that has one: the run gets a
	// new revision with Reason, and the earlier series stays readable.
	Replace bool
	Reason  string
	By      string // recorded_by
}

// Ingested is what an upload stored.
type Ingested struct {
	RunID    string
	Revision int // the run revision the series belongs to
	Samples  int
	Columns  []string
}

// IngestSeries stores the series read by read as the series of run runID,
// all or nothing, in one transaction. Samples stream from the reader to the
// database while the body is still arriving, cut into blocks of blockRows
// samples (PostgreSQL: COPY of the blocks; SQLite: one INSERT per block),
// so memory does not grow with the series. A failure half-way rolls back
// every block written so far.
//
// The first series of a run is attached at the run's current revision. With
// Replace, a run that already has one gets a new revision (Reason required)
// recording the change; the earlier samples are kept. The run's has_series
// is set and, for battery runs, its metrics (energy_wh, time_to_20pct_h,
// mean_power_w) are computed from the samples.
//
// Errors: NotFound (run); Invalid (a kind without series, Replace without a
// reason); Conflict (a series exists and Replace is false, the run is
// retracted, or it changed during the upload); any error of read, returned
// unchanged (series.Problems, *series.SyntaxError, *http.MaxBytesError, …)
// — in every error case nothing is written.
func (s *Store) IngestSeries(ctx context.Context, runID string, read SeriesReader, o IngestOptions) (Ingested, error) {
	cur, err := s.Run(ctx, runID)
	if err != nil {
		return Ingested{}, err
	}
	kind := series.Kind(cur.Kind)
	switch {
	case !kind.Valid():
		return Ingested{}, models.Errorf(models.Invalid,
			"run %s is a %s run: only battery and temperature runs carry a series", runID, cur.Kind)
	case cur.Status == models.Retracted:
		return Ingested{}, models.Errorf(models.Conflict, "run %s is retracted: a series cannot be added", runID)
	case o.Replace && strings.TrimSpace(o.Reason) == "":
		return Ingested{}, models.FieldErrors{{Field: "reason",
			Message: "replacing a series records a new revision of the run: say why (?replace=true&reason=…)"}}.Err("the replacement is not valid")
	}
	p := ingestPlan{run: cur, kind: kind, by: o.By, reason: strings.TrimSpace(o.Reason), now: s.stamp(), revision: cur.Revision}
	if cur.HasSeries {
		prev, err := s.SeriesInfo(ctx, runID, cur.Revision)
		if err != nil {
			return Ingested{}, err
		}
		if !o.Replace {
			return Ingested{}, models.Errorf(models.Conflict,
				"run %s already has a series (%d samples, revision %d): to replace it, send it with ?replace=true&reason=… (a new revision; the old samples are kept)",
				runID, prev.Samples, prev.Revision)
		}
		p.prev, p.revision = &prev, cur.Revision+1
	}
	if p.reason == "" {
		p.reason = "uploaded"
	}

	fs := startFrames(kind, read)
	defer fs.wait()
	// Wait for the first batch before opening the transaction: a body that
	// is invalid from its first rows never takes a write lock.
	if !fs.ready() {
		_, err := fs.wait()
		return Ingested{}, err
	}
	var out Ingested
	err = s.inSeriesTx(ctx, func(tx seriesTx) error {
		var err error
		out, err = p.apply(ctx, tx, fs)
		return err
	})
	if err != nil {
		return Ingested{}, translate(err, "series of run "+runID)
	}
	return out, nil
}

// ingestPlan is what IngestSeries decided before the transaction; apply
// checks it still holds and writes.
type ingestPlan struct {
	run      models.Run // as read before the transaction
	kind     series.Kind
	prev     *SeriesInfo // the series being replaced, nil for a first upload
	revision int         // the run revision the new series belongs to
	by       string
	reason   string
	now      time.Time
}

// seriesTx is the part of a transaction an ingest needs. Each engine
// implements it on its own driver connection (pgx for COPY, the SQLite
// connection for prepared INSERTs), so that the rules below are
// written once. Queries use "?" placeholders.
type seriesTx interface {
	exec(ctx context.Context, query string, args ...any) error
	queryRow(ctx context.Context, query string, args []any, dest ...any) error
	// copyBlocks bulk-writes the blocks b cuts into series_blocks for
	// series id at level, and returns how many samples they hold.
	copyBlocks(ctx context.Context, id int64, level int, b *blocker) (int, error)
	// forUpdate is the clause that locks a selected row ("" on SQLite,
	// where the immediate transaction holds the database's write lock).
	forUpdate() string
}

func (p *ingestPlan) apply(ctx context.Context, tx seriesTx, fs *frameStream) (Ingested, error) {
	id := p.run.ID
	var rev int
	var status string
	var has bool
	err := tx.queryRow(ctx, "SELECT revision, status, has_series FROM runs WHERE id = ?"+tx.forUpdate(), []any{id}, &rev, &status, &has)
	if err != nil {
		return Ingested{}, err
	}
	if rev != p.run.Revision || has != p.run.HasSeries || status != string(p.run.Status) {
		return Ingested{}, models.Errorf(models.Conflict, "run %s changed while its series was being sent: reload it and send the series again", id)
	}

	var sid int64
	err = tx.queryRow(ctx, `INSERT INTO series (run_id, revision, columns, n_samples, n_overview, recorded_by, recorded_at, reason)
		VALUES (?, ?, '', 0, 0, ?, ?, ?) RETURNING id`, []any{id, p.revision, p.by, p.now, p.reason}, &sid)
	if err != nil {
		return Ingested{}, err
	}
	cols := fs.columns()
	n, copyErr := tx.copyBlocks(ctx, sid, levelSamples, newBlocker(len(cols), fs.samples()))
	// The reader's error explains a failed copy better than the copy's own
	// (pgx reports an aborted COPY as a server error), so it comes first.
	sum, err := fs.wait()
	if err != nil && !errors.Is(err, errStopped) {
		return Ingested{}, err
	}
	if copyErr != nil {
		return Ingested{}, copyErr
	}
	if err != nil {
		return Ingested{}, err
	}
	if n != sum.Rows {
		return Ingested{}, fmt.Errorf("series of run %s: wrote %d samples but the reader counted %d", id, n, sum.Rows)
	}
	overview, err := tx.copyBlocks(ctx, sid, levelOverview, newBlocker(len(cols), fs.overview.rows()))
	if err != nil {
		return Ingested{}, err
	}
	err = tx.exec(ctx, "UPDATE series SET columns = ?, n_samples = ?, n_overview = ?, first_t_s = ?, last_t_s = ? WHERE id = ?",
		strings.Join(cols, ","), n, overview, sum.First, sum.Last, sid)
	if err != nil {
		return Ingested{}, err
	}

	next := p.run
	next.HasSeries = true
	if p.kind == series.Battery {
		next.Metrics = metricsOf(fs.metrics())
	}
	m := next.Metrics
	if m == nil {
		m = &models.BatteryMetrics{}
	}
	if p.prev == nil {
		// A first series is evidence attached to the run as recorded, not a
		// change of what was recorded: no new revision.
		err = tx.exec(ctx, "UPDATE runs SET has_series = ?, energy_wh = ?, time_to_20pct_h = ?, mean_power_w = ? WHERE id = ? AND revision = ?",
			true, m.EnergyWh, m.TimeTo20PctH, m.MeanPowerW, id, p.run.Revision)
		if err != nil {
			return Ingested{}, err
		}
		return Ingested{RunID: id, Revision: p.revision, Samples: n, Columns: cols}, nil
	}

	next.Revision, next.RecordedBy, next.RecordedAt = p.revision, p.by, p.now
	err = tx.exec(ctx, `UPDATE runs SET has_series = ?, energy_wh = ?, time_to_20pct_h = ?, mean_power_w = ?,
		revision = ?, recorded_by = ?, recorded_at = ? WHERE id = ? AND revision = ?`,
		true, m.EnergyWh, m.TimeTo20PctH, m.MeanPowerW, next.Revision, next.RecordedBy, next.RecordedAt, id, p.run.Revision)
	if err != nil {
		return Ingested{}, err
	}
	changes := replaceChanges(p.run, next, *p.prev, Ingested{Revision: p.revision, Samples: n, Columns: cols})
	ch, _ := json.Marshal(changes)
	snap, _ := json.Marshal(next)
	err = tx.exec(ctx, "INSERT INTO run_revisions (run_id, revision, recorded_by, recorded_at, reason, changes, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?)",
		id, next.Revision, next.RecordedBy, next.RecordedAt, p.reason, string(ch), string(snap))
	if err != nil {
		return Ingested{}, err
	}
	return Ingested{RunID: id, Revision: p.revision, Samples: n, Columns: cols}, nil
}

// replaceChanges describes a replacement in the run's history: the series
// before and after, and each derived metric that changed.
func replaceChanges(before, after models.Run, prev SeriesInfo, now Ingested) models.Changes {
	desc := func(rev, n int, cols []string) map[string]any {
		return map[string]any{"revision": rev, "samples": n, "columns": cols}
	}
	ch := models.Changes{"series": {From: desc(prev.Revision, prev.Samples, prev.Columns), To: desc(now.Revision, now.Samples, now.Columns)}}
	if before.Kind != models.Battery {
		return ch
	}
	var b, a models.BatteryMetrics
	if before.Metrics != nil {
		b = *before.Metrics
	}
	if after.Metrics != nil {
		a = *after.Metrics
	}
	for _, m := range []struct {
		name string
		b, a *float64
	}{{"energy_wh", b.EnergyWh, a.EnergyWh}, {"time_to_20pct_h", b.TimeTo20PctH, a.TimeTo20PctH}, {"mean_power_w", b.MeanPowerW, a.MeanPowerW}} {
		if (m.b == nil) != (m.a == nil) || (m.b != nil && *m.b != *m.a) {
			ch["metrics."+m.name] = models.Change{From: m.b, To: m.a}
		}
	}
	return ch
}

func metricsOf(m series.BatteryMetrics) *models.BatteryMetrics {
	return &models.BatteryMetrics{EnergyWh: m.EnergyWh, TimeTo20PctH: m.TimeTo20PctH, MeanPowerW: m.MeanPowerW}
}

// inSeriesTx runs fn in one transaction on a connection of the engine's
// own driver.
func (s *Store) inSeriesTx(ctx context.Context, fn func(seriesTx) error) error {
	if s.engine == Postgres {
		return s.pgSeriesTx(ctx, fn)
	}
	return s.sqliteSeriesTx(ctx, fn)
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
