package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ruggedlab/models"
)

// Reads shaped for the pages, which show everything at once: unlike the
// paginated list methods (Units, Profiles) they have no limit, so a page
// never shows part of the data while looking complete (#10 item 3). The
// API keeps the paginated methods.

// UnitsOf returns every unit of the given handsets, by handset code, each
// list ordered by serial as Units orders it. Handsets without units, and
// codes no handset has, are absent from the map. One query, whatever the
// number of handsets.
func (s *Store) UnitsOf(ctx context.Context, codes []string) (map[string][]models.Unit, error) {
	out := map[string][]models.Unit{}
	if len(codes) == 0 {
		return out, nil
	}
	// unitRow's fields plus the handset's code (an embedded unexported
	// struct would not be scanned by GORM).
	var rows []struct {
		ID, HandsetID, Serial, Notes, RecordedBy string
		RecordedAt                               time.Time
		Code                                     string
	}
	err := s.db.WithContext(ctx).Table("units").Select("units.*, handsets.code AS code").
		Joins("JOIN handsets ON handsets.id = units.handset_id").
		Where("handsets.code IN ?", codes).Order("handsets.code, units.serial").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "units")
	}
	for _, r := range rows {
		u := unitRow{ID: r.ID, HandsetID: r.HandsetID, Serial: r.Serial, Notes: r.Notes, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
		out[r.Code] = append(out[r.Code], u.model(r.Code))
	}
	return out, nil
}

// AllProfiles returns the latest version of every requirement profile,
// ordered by ID as Profiles orders them.
func (s *Store) AllProfiles(ctx context.Context) ([]models.Profile, error) {
	var rows []profileRow
	err := s.db.WithContext(ctx).Model(&profileRow{}).
		Where("version = (SELECT max(v.version) FROM profiles v WHERE v.id = profiles.id)").
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "profiles")
	}
	out := make([]models.Profile, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.model(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CountProfiles returns how many requirement profiles exist (each counted
// once, whatever its number of versions).
func (s *Store) CountProfiles(ctx context.Context) (int, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&profileRow{}).Distinct("id").Count(&n).Error; err != nil {
		return 0, translate(err, "profiles")
	}
	return int(n), nil
}

// RunCount is how many runs one unit has of one kind, by status.
type RunCount struct {
	Handset, Unit string // code, serial
	Kind          models.Kind
	Active        int
	Retracted     int
}

// RunCounts counts the runs of the given handsets per unit and kind, so
// the dashboard and the handset page cost per unit, not per run (issue #18
// item 3): active runs are summed from the per-unit summaries
// (run_tallies), and only retracted runs — few — are counted in runs.
// Units without runs are absent.
func (s *Store) RunCounts(ctx context.Context, codes []string) ([]RunCount, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	var rows []struct {
		Code, Serial, Kind, Status string
		N                          int
	}
	// Retracted runs, on the partial index runs_retracted (migration
	// 00021): the status is a literal, not a parameter, because the
	// planners match the index's WHERE only so.
	retracted := func() error {
		var part []struct {
			Code, Serial, Kind, Status string
			N                          int
		}
		err := s.db.WithContext(ctx).Table("runs").
			Select("handsets.code AS code, units.serial AS serial, runs.kind AS kind, '"+string(models.Retracted)+"' AS status, COUNT(*) AS n").
			Joins("JOIN handsets ON handsets.id = runs.handset_id").
			Joins("JOIN units ON units.id = runs.unit_id").
			Where("handsets.code IN ? AND runs.status = '"+string(models.Retracted)+"'", codes).
			Group("handsets.code, units.serial, runs.kind").Scan(&part).Error
		rows = append(rows, part...)
		return err
	}
	// Active runs: the summaries summed per unit and kind first, on
	// SQLite's covering index run_tallies_counts (migration 00023;
	// PostgreSQL scans the table, 00027), then joined to
	// the few (unit, kind) sums for the codes and serials. Joining first
	// read all 3,000 summaries of 100,000 runs, each a row with its list of
	// latest ids, for the dashboard (11 ms of its 16, issue #18).
	var active []struct {
		Code, Serial, Kind, Status string
		N                          int
	}
	err := s.db.WithContext(ctx).Raw("SELECT h.code AS code, u.serial AS serial, t.kind AS kind, '"+string(models.Active)+"' AS status, t.n AS n"+
		" FROM (SELECT unit_id, kind, SUM(n) AS n FROM run_tallies WHERE handset_id IN (SELECT id FROM handsets WHERE code IN ?) GROUP BY unit_id, kind) t"+
		" JOIN units u ON u.id = t.unit_id JOIN handsets h ON h.id = u.handset_id", codes).Scan(&active).Error
	if err != nil {
		return nil, translate(err, "run counts")
	}
	rows = append(rows, active...)
	if err := retracted(); err != nil {
		return nil, translate(err, "run counts")
	}
	slices.SortStableFunc(rows, func(a, b struct {
		Code, Serial, Kind, Status string
		N                          int
	}) int {
		return cmp.Or(strings.Compare(a.Code, b.Code), strings.Compare(a.Serial, b.Serial), strings.Compare(a.Kind, b.Kind))
	})
	var out []RunCount
	for _, r := range rows {
		if n := len(out); n == 0 || out[n-1].Handset != r.Code || out[n-1].Unit != r.Serial || out[n-1].Kind != models.Kind(r.Kind) {
			out = append(out, RunCount{Handset: r.Code, Unit: r.Serial, Kind: models.Kind(r.Kind)})
		}
		c := &out[len(out)-1]
		if r.Status == string(models.Retracted) {
			c.Retracted += r.N
		} else {
			c.Active += r.N
		}
	}
	return out, nil
}

// sequenceColumns are what a unit's stress sequence on the handset page
// shows of a run: its id, kind, status, start and review state, and the
// fields of its one-line summary (handlers' runSummaryText). Not the
// method, notes, drop log, battery metrics or who recorded it: 400 runs
// of 60 columns through GORM were most of the page's time at 100,000
// runs (issue #18).
var sequenceColumns = []string{"id", "kind", "status", "started_at", "review_state",
	"height_m", "surface", "planned_drops", "drops_completed", "first_failure_drop", "worst_severity",
	"procedure", "setpoint_c", "low_c", "high_c", "passed",
	"ip_code", "medium", "ingress_found", "functional_after",
	"protocol", "runtime_h"}

// sequenceUnitsPerQuery bounds the units one sequence query reads.
const sequenceUnitsPerQuery = 50

// UnitSequences returns the latest n runs (both statuses) of each of a
// handset's units, by serial, newest start first (ties by id, as
// RunTable sorts them), holding only sequenceColumns (Review holds only
// the state; Handset and Unit are set). One query for up to 50 units:
// each unit's arm of a UNION ALL walks runs_unit for its n rows, so the
// cost is n per unit, not the unit's runs. Units without runs are absent.
func (s *Store) UnitSequences(ctx context.Context, code string, serials []string, n int) (map[string][]models.Run, error) {
	out := map[string][]models.Run{}
	cols := "runs." + strings.Join(sequenceColumns, ", runs.")
	for chunk := range slices.Chunk(serials, sequenceUnitsPerQuery) {
		var q strings.Builder
		var args []any
		for i, serial := range chunk {
			if i > 0 {
				q.WriteString(" UNION ALL ")
			}
			// the serial comes back as a column: each arm is one unit
			q.WriteString("SELECT * FROM (SELECT " + cols + ", CAST(? AS TEXT) AS unit_serial FROM runs" +
				" WHERE runs.unit_id = (SELECT u.id FROM units u JOIN handsets h ON h.id = u.handset_id WHERE h.code = ? AND u.serial = ?)" +
				" ORDER BY runs.started_at DESC, runs.id DESC LIMIT ?) AS seq" + strconv.Itoa(i))
			args = append(args, serial, code, serial, n)
		}
		rows, err := s.db.WithContext(ctx).Raw(q.String(), args...).Rows()
		if err != nil {
			return nil, translate(err, "runs")
		}
		err = scanSequence(rows, func(r runRow) {
			r.HandsetCode = code
			out[r.UnitSerial] = append(out[r.UnitSerial], r.model())
		})
		if err != nil {
			return nil, translate(err, "runs")
		}
	}
	// A UNION ALL promises no order: each unit's runs are sorted here, as
	// the arms' ORDER BY did (ids are UUIDs of one shape, which both
	// engines' collations order bytewise).
	for _, rs := range out {
		slices.SortFunc(rs, func(a, b models.Run) int {
			return cmp.Or(b.StartedAt.Compare(a.StartedAt), strings.Compare(b.ID, a.ID))
		})
	}
	return out, nil
}

// scanSequence scans rows of sequenceColumns and unit_serial with
// database/sql, not GORM: its reflection per field was as much as the
// query itself. started_at comes as a time, or on SQLite as its text when
// the column passes through the UNION's subqueries.
func scanSequence(rows *sql.Rows, each func(runRow)) error {
	defer rows.Close()
	for rows.Next() {
		var r runRow
		var started any
		var review sql.NullString
		err := rows.Scan(&r.ID, &r.Kind, &r.Status, &started, &review,
			&r.HeightM, &r.Surface, &r.PlannedDrops, &r.DropsCompleted, &r.FirstFailureDrop, &r.WorstSeverity,
			&r.Procedure, &r.SetpointC, &r.LowC, &r.HighC, &r.Passed,
			&r.IPCode, &r.Medium, &r.IngressFound, &r.FunctionalAfter,
			&r.Protocol, &r.RuntimeH, &r.UnitSerial)
		if err != nil {
			return err
		}
		switch v := started.(type) {
		case time.Time:
			r.StartedAt = v
		case string:
			if r.StartedAt, err = time.Parse(time.RFC3339Nano, v); err != nil {
				return err
			}
		case []byte:
			if r.StartedAt, err = time.Parse(time.RFC3339Nano, string(v)); err != nil {
				return err
			}
		default:
			return fmt.Errorf("started_at of run %s: %T", r.ID, started)
		}
		r.ReviewState = review.String
		each(r)
	}
	return rows.Err()
}
