package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"ruggedlab/models"
)

// runRow is a run as stored: the envelope, every kind's columns (NULL for
// other kinds) and the handset code and unit serial joined in on reads.
type runRow struct {
	ID         string
	Kind       string
	HandsetID  string
	UnitID     string
	Method     string
	StartedAt  time.Time
	EndedAt    time.Time
	Technician string
	Deviations string
	Notes      string

	HeightM          *float64
	Surface          *string
	ProtectiveCase   *bool
	PlannedDrops     *int
	DropsCompleted   *int
	FirstFailureDrop *int
	WorstSeverity    *int
	Drops            *string

	Procedure        *string
	SetpointC        *float64
	LowC             *float64
	HighC            *float64
	Cycles           *int
	DwellMin         *float64
	Passed           *bool
	ShutdownObserved *bool
	ShutdownTempC    *float64

	IPCode          *string `gorm:"column:ip_code"`
	Medium          *string
	DepthM          *float64
	DurationMin     *float64
	IngressFound    *bool
	FunctionalAfter *bool

	Protocol       *string
	RuntimeH       *float64
	StartSocPct    *float64
	EndSocPct      *float64
	BrightnessNits *float64
	AmbientC       *float64
	EnergyWh       *float64
	TimeTo20pctH   *float64 `gorm:"column:time_to_20pct_h"`
	MeanPowerW     *float64

	Part             *string
	DisassemblySteps *int
	Fasteners        *string
	Tools            *string
	DisassemblyS     *float64 `gorm:"column:disassembly_s"`
	ReassemblyS      *float64 `gorm:"column:reassembly_s"`
	PartReplaced     *bool

	HasSeries  bool
	Revision   int
	Status     string
	RecordedBy string
	RecordedAt time.Time

	ReviewState  string
	ReviewBy     string
	ReviewAt     *time.Time
	ReviewReason string

	HandsetCode string `gorm:"->;-:migration"`
	UnitSerial  string `gorm:"->;-:migration"`
}

func (runRow) TableName() string { return "runs" }

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func val(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func toRow(r models.Run) runRow {
	row := runRow{
		ID: r.ID, Kind: string(r.Kind), Method: r.Method,
		StartedAt: r.StartedAt.UTC().Truncate(time.Microsecond), EndedAt: r.EndedAt.UTC().Truncate(time.Microsecond),
		Technician: r.Technician, Deviations: r.Deviations, Notes: r.Notes,
		HeightM: r.HeightM, Surface: str(r.Surface), ProtectiveCase: r.ProtectiveCase, PlannedDrops: r.PlannedDrops,
		DropsCompleted: r.DropsCompleted, FirstFailureDrop: r.FirstFailureDrop, WorstSeverity: r.WorstSeverity,
		Procedure: str(r.Procedure), SetpointC: r.SetpointC, LowC: r.LowC, HighC: r.HighC, Cycles: r.Cycles,
		DwellMin: r.DwellMin, Passed: r.Passed, ShutdownObserved: r.ShutdownObserved, ShutdownTempC: r.ShutdownTempC,
		IPCode: str(r.IPCode), Medium: str(r.Medium), DepthM: r.DepthM, DurationMin: r.DurationMin,
		IngressFound: r.IngressFound, FunctionalAfter: r.FunctionalAfter,
		Protocol: str(r.Protocol), RuntimeH: r.RuntimeH, StartSocPct: r.StartSocPct, EndSocPct: r.EndSocPct,
		BrightnessNits: r.BrightnessNits, AmbientC: r.AmbientC,
		Part: str(r.Part), DisassemblySteps: r.DisassemblySteps, Fasteners: str(r.Fasteners), Tools: str(r.Tools),
		DisassemblyS: r.DisassemblyS, ReassemblyS: r.ReassemblyS, PartReplaced: r.PartReplaced,
		HasSeries: r.HasSeries, Revision: r.Revision, Status: string(r.Status), RecordedBy: r.RecordedBy,
		RecordedAt: r.RecordedAt.UTC().Truncate(time.Microsecond),
	}
	rv := r.ReviewOf()
	row.ReviewState, row.ReviewBy, row.ReviewReason = string(rv.State), rv.By, rv.Reason
	if rv.At != nil {
		at := rv.At.UTC().Truncate(time.Microsecond)
		row.ReviewAt = &at
	}
	if len(r.Drops) > 0 {
		b, _ := json.Marshal(r.Drops)
		row.Drops = str(string(b))
	}
	if m := r.Metrics; m != nil {
		row.EnergyWh, row.TimeTo20pctH, row.MeanPowerW = m.EnergyWh, m.TimeTo20PctH, m.MeanPowerW
	}
	return row
}

func (row runRow) model() models.Run {
	r := models.Run{
		ID: row.ID, Kind: models.Kind(row.Kind), Handset: row.HandsetCode, Unit: row.UnitSerial, Method: row.Method,
		StartedAt: row.StartedAt.UTC(), EndedAt: row.EndedAt.UTC(),
		Technician: row.Technician, Deviations: row.Deviations, Notes: row.Notes,
		HeightM: row.HeightM, Surface: val(row.Surface), ProtectiveCase: row.ProtectiveCase, PlannedDrops: row.PlannedDrops,
		DropsCompleted: row.DropsCompleted, FirstFailureDrop: row.FirstFailureDrop, WorstSeverity: row.WorstSeverity,
		Procedure: val(row.Procedure), SetpointC: row.SetpointC, LowC: row.LowC, HighC: row.HighC, Cycles: row.Cycles,
		DwellMin: row.DwellMin, Passed: row.Passed, ShutdownObserved: row.ShutdownObserved, ShutdownTempC: row.ShutdownTempC,
		IPCode: val(row.IPCode), Medium: val(row.Medium), DepthM: row.DepthM, DurationMin: row.DurationMin,
		IngressFound: row.IngressFound, FunctionalAfter: row.FunctionalAfter,
		Protocol: val(row.Protocol), RuntimeH: row.RuntimeH, StartSocPct: row.StartSocPct, EndSocPct: row.EndSocPct,
		BrightnessNits: row.BrightnessNits, AmbientC: row.AmbientC,
		Part: val(row.Part), DisassemblySteps: row.DisassemblySteps, Fasteners: val(row.Fasteners), Tools: val(row.Tools),
		DisassemblyS: row.DisassemblyS, ReassemblyS: row.ReassemblyS, PartReplaced: row.PartReplaced,
		HasSeries: row.HasSeries, Revision: row.Revision, Status: models.Status(row.Status), RecordedBy: row.RecordedBy,
		RecordedAt: row.RecordedAt.UTC(),
		Review:     models.Review{State: models.ReviewState(row.ReviewState), By: row.ReviewBy, Reason: row.ReviewReason},
	}
	if row.ReviewAt != nil {
		at := row.ReviewAt.UTC()
		r.Review.At = &at
	}
	if r.Review.State == "" {
		r.Review.State = models.Recorded
	}
	if row.Drops != nil {
		_ = json.Unmarshal([]byte(*row.Drops), &r.Drops)
	}
	if r.Kind == models.Battery {
		r.Metrics = &models.BatteryMetrics{EnergyWh: row.EnergyWh, TimeTo20PctH: row.TimeTo20pctH, MeanPowerW: row.MeanPowerW}
	}
	return r
}

// runQuery selects runs with their handset code and unit serial.
func (s *Store) runQuery(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Model(&runRow{}).
		Select("runs.*, handsets.code AS handset_code, units.serial AS unit_serial").
		Joins("JOIN handsets ON handsets.id = runs.handset_id").
		Joins("JOIN units ON units.id = runs.unit_id")
}

type revisionRow struct {
	RunID      string
	Revision   int
	RecordedBy string
	RecordedAt time.Time
	Reason     string
	Changes    string
	Snapshot   string
}

func (revisionRow) TableName() string { return "run_revisions" }

// Revision is one entry of a run's history.
type Revision struct {
	Revision   int            `json:"revision"`
	RecordedBy string         `json:"recorded_by"`
	RecordedAt time.Time      `json:"recorded_at"`
	Reason     string         `json:"reason"`
	Changes    models.Changes `json:"changes"`
}

// CreateRun records a new run. Errors: Invalid (every problem, including an
// unregistered handset or unit), and internal errors.
func (s *Store) CreateRun(ctx context.Context, r models.Run, by string) (models.Run, error) {
	out, err := s.CreateRuns(ctx, []models.Run{r}, by)
	if err != nil {
		return r, err
	}
	return out[0], nil
}

// CheckRun lists every problem of a run that is already known to be
// invalid (known: the values its body or form could not read): the rules
// CreateRun applies — Validate with the handset's declared values, an
// unregistered handset or unit — are added for every field known does not
// already name, so that one answer reports types and rules together
// (issue #16). It writes nothing and returns an Invalid error, or nil when
// known is empty and the run breaks no rule.
func (s *Store) CheckRun(ctx context.Context, r models.Run, known models.FieldErrors) error {
	db := s.db.WithContext(ctx)
	refs, err := s.lookupUnits(db, []models.Run{r})
	if err != nil {
		return translate(err, "run")
	}
	ref, ok := refs[unitKey{r.Handset, r.Unit}]
	var rules models.FieldErrors
	if err := r.Validate(s.stamp(), ref.facts); err != nil {
		rules = asFieldErrors(err)
	}
	if r.Handset != "" && r.Unit != "" && !ok {
		rules = append(rules, unknownUnit(db, r))
	}
	return known.Merge(rules).Err("the run is not valid")
}

// unitKey identifies a unit by handset code and serial.
type unitKey struct{ handset, serial string }

type unitRef struct {
	handsetID, unitID string
	facts             models.HandsetFacts
}

// CreateRuns records runs, all or none, in one transaction. Each run is
// validated against the clock and its handset's declared values; problems
// of run i carry Row i+1 so that importers can map them to file lines.
func (s *Store) CreateRuns(ctx context.Context, runs []models.Run, by string) ([]models.Run, error) {
	now := s.stamp()
	out := make([]models.Run, len(runs))
	err := s.writeTx(ctx, "create_runs", func(tx *gorm.DB, ch change) error {
		refs, err := s.lookupUnits(tx, runs)
		if err != nil {
			return err
		}
		var problems models.FieldErrors
		rows := make([]runRow, len(runs))
		revs := make([]revisionRow, len(runs))
		for i, r := range runs {
			ref, ok := refs[unitKey{r.Handset, r.Unit}]
			errs := models.FieldErrors{}
			if err := r.Validate(now, ref.facts); err != nil {
				errs = append(errs, asFieldErrors(err)...)
			}
			if r.Handset != "" && r.Unit != "" && !ok {
				errs = append(errs, unknownUnit(tx, r))
			}
			if len(errs) > 0 {
				for _, e := range errs {
					if len(runs) > 1 {
						e.Row = i + 1
					}
					problems = append(problems, e)
				}
				continue
			}
			out[i], rows[i], revs[i] = s.newRunRecord(r, ref, now, by)
		}
		if len(problems) > 0 {
			return problems.Err("the run is not valid")
		}
		if err := tx.CreateInBatches(&rows, 100).Error; err != nil {
			return err
		}
		ids := make([]string, len(out))
		for i, r := range out {
			ids[i] = r.ID
		}
		if err := s.tallyCreated(tx, rows); err != nil {
			return err
		}
		if len(ids) == 1 {
			ch["created"] = ids[0]
		} else {
			ch["created"] = ids
		}
		return tx.CreateInBatches(&revs, 200).Error
	})
	if err != nil {
		return nil, translate(err, "run")
	}
	return out, nil
}

// newRunRecord stamps a validated run as revision 1 and builds its row and
// its "created" revision; CreateRuns and CreateImport share it.
func (s *Store) newRunRecord(r models.Run, ref unitRef, now time.Time, by string) (models.Run, runRow, revisionRow) {
	r.ID, r.Revision, r.Status, r.RecordedBy, r.RecordedAt = s.newID(), 1, models.Active, by, now
	r.Review = models.Review{State: models.Recorded}
	r.HasSeries = false
	if r.Kind == models.Battery {
		// As reads show it until a series fills it in: the created
		// answer (and its idempotent replay) must equal a later GET.
		r.Metrics = &models.BatteryMetrics{}
	}
	row := toRow(r)
	row.HandsetID, row.UnitID = ref.handsetID, ref.unitID
	snap, _ := json.Marshal(r)
	return r, row, revisionRow{RunID: r.ID, Revision: 1, RecordedBy: by, RecordedAt: now, Reason: "created", Changes: "{}", Snapshot: string(snap)}
}

func asFieldErrors(err error) models.FieldErrors {
	if me, ok := err.(*models.Error); ok {
		return me.Fields
	}
	return models.FieldErrors{{Message: err.Error()}}
}

// unknownUnit explains which of handset or unit is missing.
func unknownUnit(tx *gorm.DB, r models.Run) models.FieldError {
	var n int64
	tx.Model(&handsetRow{}).Where("code = ?", r.Handset).Count(&n)
	if n == 0 {
		return models.FieldError{Field: "handset", Message: fmt.Sprintf("handset %q is not registered", r.Handset)}
	}
	return models.FieldError{Field: "unit", Message: fmt.Sprintf("unit %q is not registered for handset %q: register it first (POST /api/v1/handsets/%s/units)", r.Unit, r.Handset, r.Handset)}
}

func (s *Store) lookupUnits(tx *gorm.DB, runs []models.Run) (map[unitKey]unitRef, error) {
	codes := map[string]bool{}
	var list []string
	for _, r := range runs {
		if r.Handset != "" && !codes[r.Handset] {
			codes[r.Handset] = true
			list = append(list, r.Handset)
		}
	}
	refs := map[unitKey]unitRef{}
	if len(list) == 0 {
		return refs, nil
	}
	var hs []handsetRow
	if err := tx.Where("code IN ?", list).Find(&hs).Error; err != nil {
		return nil, err
	}
	for _, h := range hs {
		var units []unitRow
		if err := tx.Select("id", "serial").Where("handset_id = ?", h.ID).Find(&units).Error; err != nil {
			return nil, err
		}
		facts := h.model().Facts()
		for _, u := range units {
			refs[unitKey{h.Code, u.Serial}] = unitRef{handsetID: h.ID, unitID: u.ID, facts: facts}
		}
	}
	return refs, nil
}

// RunFilter narrows a run list.
type RunFilter struct {
	Handset          string
	Unit             string
	Kind             models.Kind
	IncludeRetracted bool
	Page
}

// Runs lists runs newest started_at first. Errors: Invalid (limit, cursor).
func (s *Store) Runs(ctx context.Context, f RunFilter) ([]models.Run, string, error) {
	limit, c, err := f.check()
	if err != nil {
		return nil, "", err
	}
	q := s.runQuery(ctx).Order("runs.started_at DESC, runs.id DESC").Limit(limit + 1)
	if f.Handset != "" {
		q = q.Where("handsets.code = ?", f.Handset)
	}
	if f.Unit != "" {
		q = q.Where("units.serial = ?", f.Unit)
	}
	if f.Handset != "" && f.Unit != "" {
		// One unit's latest runs (the handset page, per unit) go through
		// runs_unit (unit_id, started_at): filtered by serial through the
		// join, PostgreSQL walked runs_started across every unit's runs
		// (610 ms for a handset's page at 100,000 runs).
		var ids []string
		if err := s.db.WithContext(ctx).Table("units").Joins("JOIN handsets ON handsets.id = units.handset_id").
			Where("handsets.code = ? AND units.serial = ?", f.Handset, f.Unit).Pluck("units.id", &ids).Error; err != nil {
			return nil, "", translate(err, "runs")
		}
		if len(ids) == 0 {
			return []models.Run{}, "", nil
		}
		q = q.Where("runs.unit_id = ?", ids[0])
	}
	if f.Kind != "" {
		q = q.Where("runs.kind = ?", string(f.Kind))
	}
	if !f.IncludeRetracted {
		q = q.Where("runs.status = ?", string(models.Active))
	}
	if c != nil {
		t := c.T.UTC().Truncate(time.Microsecond)
		// The first condition is implied by the second; it is there so the
		// index on started_at can start at the cursor instead of filtering
		// every newer run.
		q = q.Where("runs.started_at <= ? AND (runs.started_at < ? OR (runs.started_at = ? AND runs.id < ?))", t, t, t, c.ID)
	}
	var rows []runRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", translate(err, "runs")
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = cursor{T: last.StartedAt, ID: last.ID}.encode()
	}
	out := make([]models.Run, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, next, nil
}

// Run returns one run at its latest revision. Errors: NotFound.
func (s *Store) Run(ctx context.Context, id string) (models.Run, error) {
	var row runRow
	if err := s.runQuery(ctx).Where("runs.id = ?", id).Take(&row).Error; err != nil {
		return models.Run{}, translate(err, "run "+id)
	}
	return row.model(), nil
}

// AmendRun records a new revision of a run: a's own rules, then a applied
// to the run as locked in this transaction (models.Amendment.Apply).
// Errors: NotFound, Conflict (stale revision, retracted run), Invalid.
func (s *Store) AmendRun(ctx context.Context, id string, a models.Amendment, by string) (models.Run, error) {
	var out models.Run
	if err := a.Validate(); err != nil {
		return out, err
	}
	err := s.writeTx(ctx, "amend_run", func(tx *gorm.DB, ch change) error {
		row, facts, err := s.lockRun(tx, id)
		if err != nil {
			return err
		}
		cur := row.model()
		now := s.stamp()
		next, changes, err := a.Apply(cur, now, facts)
		if err != nil {
			return err
		}
		next.Revision, next.RecordedBy, next.RecordedAt = cur.Revision+1, by, now
		// A new revision has not been reviewed: back to recorded.
		next.Review = models.Review{State: models.Recorded}
		out = next
		ch["target"], ch["reason"], ch["changes"] = id, a.Reason, changes
		if cur.ReviewOf().State != models.Recorded {
			ch["review"] = map[string]string{"from": string(cur.ReviewOf().State), "to": string(models.Recorded)}
		}
		ch["created"] = fmt.Sprintf("%s/revisions/%d", id, next.Revision)
		tc := s.newTallyChange()
		if err := s.saveRevision(tx, tc, row, next, a.Reason, changes); err != nil {
			return err
		}
		return tc.apply(tx)
	})
	if err != nil {
		return out, translate(err, "run "+id)
	}
	return out, nil
}

// RetractRun takes a run out of the statistics; it stays visible.
// Errors: Invalid (reason), NotFound, Conflict (already retracted).
func (s *Store) RetractRun(ctx context.Context, id string, r models.Retraction, by string) (models.Run, error) {
	var out models.Run
	if err := r.Validate(); err != nil {
		return out, err
	}
	err := s.writeTx(ctx, "retract_run", func(tx *gorm.DB, ch change) error {
		tc := s.newTallyChange()
		next, changes, err := s.retractTx(tx, tc, id, r, by)
		out = next
		ch["target"], ch["reason"], ch["changes"], ch["revision"] = id, r.Reason, changes, next.Revision
		if err != nil {
			return err
		}
		return tc.apply(tx)
	})
	if err != nil {
		return out, translate(err, "run "+id)
	}
	return out, nil
}

// retractTx retracts run id inside tx: the one path for a single
// retraction and for an import retracted as a whole. The run leaves its
// group in tc, which the caller applies.
func (s *Store) retractTx(tx *gorm.DB, tc *tallyChange, id string, r models.Retraction, by string) (models.Run, models.Changes, error) {
	stored, _, err := s.lockRun(tx, id)
	if err != nil {
		return models.Run{}, nil, err
	}
	cur := stored.model()
	next, changes, err := r.Apply(cur)
	if err != nil {
		return cur, nil, err
	}
	next.Revision, next.RecordedBy, next.RecordedAt = cur.Revision+1, by, s.stamp()
	return next, changes, s.saveRevision(tx, tc, stored, next, r.Reason, changes)
}

// saveRevision writes next over stored (the run as locked) and has tc
// write its revision when it writes the groups (apply, which the caller
// runs); tc takes the run out of its group as it was and into its group
// as it is now, from their values.
func (s *Store) saveRevision(tx *gorm.DB, tc *tallyChange, stored runRow, next models.Run, reason string, changes models.Changes) error {
	cur := stored.model()
	tc.locked = true // by lockRun
	if stored.Status == string(models.Active) {
		tc.queue(stored, -1)
	}
	row := toRow(next)
	// The WHERE on the old revision makes a concurrent amendment of the
	// same revision lose cleanly on PostgreSQL too.
	res := tx.Model(&runRow{}).Where("id = ? AND revision = ?", cur.ID, cur.Revision).
		Select("*").Omit("id", "kind", "handset_id", "unit_id", "handset_code", "unit_serial").Updates(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return models.Errorf(models.Conflict, "run %s changed meanwhile: reload it", cur.ID)
	}
	if next.Status == models.Active {
		// as written: the columns the update leaves alone are stored's
		row.ID, row.Kind, row.HandsetID, row.UnitID = stored.ID, stored.Kind, stored.HandsetID, stored.UnitID
		tc.queue(row, +1)
	}
	ch, _ := json.Marshal(changes)
	snap, _ := json.Marshal(next)
	// after the groups, with them on PostgreSQL (tallyChange.then)
	return tc.then(tx, "INSERT INTO run_revisions (run_id, revision, recorded_by, recorded_at, reason, changes, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?)",
		cur.ID, next.Revision, next.RecordedBy, next.RecordedAt, reason, string(ch), string(snap))
}

// lockRun reads run id as stored, locked for the rest of the transaction
// (PostgreSQL), with its handset's facts. Its values are what the run
// counted with in its summary group.
//
// On PostgreSQL the same statement takes the tally lock (lockTallies)
// first: the select list is computed below the row locking, so the order
// is tally lock, then row, as for every writer that locks runs — and the
// lock costs no round trip of its own.
func (s *Store) lockRun(tx *gorm.DB, id string) (runRow, models.HandsetFacts, error) {
	var row runRow
	sel, args := "runs.*, handsets.code AS handset_code, units.serial AS unit_serial", []any(nil)
	if s.engine == Postgres && !s.noTallies {
		sel, args = sel+", pg_advisory_xact_lock(?) IS NULL AS tally_lock", []any{int64(tallyLockKey)}
	}
	q := tx.Model(&runRow{}).Select(sel, args...).
		Joins("JOIN handsets ON handsets.id = runs.handset_id").
		Joins("JOIN units ON units.id = runs.unit_id").Where("runs.id = ?", id)
	if s.engine == Postgres {
		q = q.Clauses(forUpdate("runs"))
	}
	if err := q.Take(&row).Error; err != nil {
		return row, models.HandsetFacts{}, err
	}
	var h handsetRow
	if err := tx.Where("id = ?", row.HandsetID).Take(&h).Error; err != nil {
		return row, models.HandsetFacts{}, err
	}
	return row, h.model().Facts(), nil
}

// Revisions lists a run's history, oldest first. Errors: NotFound.
func (s *Store) Revisions(ctx context.Context, id string) ([]Revision, error) {
	var rows []revisionRow
	if err := s.db.WithContext(ctx).Where("run_id = ?", id).Order("revision").Find(&rows).Error; err != nil {
		return nil, translate(err, "revisions")
	}
	if len(rows) == 0 {
		return nil, models.Errorf(models.NotFound, "run %s not found", id)
	}
	out := make([]Revision, len(rows))
	for i, r := range rows {
		out[i] = Revision{Revision: r.Revision, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC(), Reason: r.Reason, Changes: models.Changes{}}
		_ = json.Unmarshal([]byte(r.Changes), &out[i].Changes)
	}
	return out, nil
}
