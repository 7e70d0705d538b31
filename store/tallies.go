package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"gorm.io/gorm"

	"ruggedlab/models"
)

// Per-unit summaries (issue #18, migration 00014): run_tallies holds one
// row per group of a unit's active runs sharing kind, review state and
// every evidence column, so statistics read groups — a few per unit —
// rather than every run. Every write that creates a run, changes an active
// run's evidence columns or review state, or retracts one, adjusts the
// groups it touches in its own transaction (a tallyChange); RebuildTallies
// recomputes them all from the runs with the migration's own statement.

// tallyColumns are the evidence columns of store/evidence.go, without
// runtime_h (summed per group instead), in the order of the migration's
// gkey: the union over kinds, so one statement serves every kind.
var tallyColumns = []string{"height_m", "surface", "protective_case", "planned_drops", "drops_completed",
	"first_failure_drop", "worst_severity", "procedure", "setpoint_c", "low_c", "high_c", "cycles", "dwell_min",
	"passed", "shutdown_observed", "ip_code", "medium", "depth_m", "duration_min", "ingress_found", "functional_after",
	"protocol", "brightness_nits", "ambient_c", "part", "disassembly_steps", "fasteners", "tools", "disassembly_s", "reassembly_s"}

// recentRuns is how many run ids a group keeps, newest ones: answers list
// them, and a count says how many there are in all.
const recentRuns = 50

// tallyLockKey serializes tally maintenance on PostgreSQL (a read-modify-
// write of the group rows). Writers that lock a run take it first, so the
// order is always tally lock, then rows. SQLite's write lock does it there.
const tallyLockKey = 0x52554747_54414c59 // "RUGGTALY"

func (s *Store) lockTallies(tx *gorm.DB) error {
	if s.engine != Postgres || s.noTallies {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", int64(tallyLockKey)).Error
}

type tallyKey struct{ unit, kind, review, gkey string }

// recentRun is one entry of a group's list: skey (started_at as
// fixed-width UTC text) then the id, so string order is (started_at, id).
type recentRun struct{ skey, id string }

func (r recentRun) String() string { return r.skey + " " + r.id }

func parseRecent(s string) []recentRun {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]recentRun, 0, len(parts))
	for _, p := range parts {
		k, id, _ := strings.Cut(p, " ")
		out = append(out, recentRun{k, id})
	}
	return out
}

func formatRecent(rs []recentRun) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(r.skey)
		b.WriteByte(' ')
		b.WriteString(r.id)
	}
	return b.String()
}

func compareRecent(a, b recentRun) int {
	if c := strings.Compare(a.skey, b.skey); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// tallyDelta is what one write does to one group.
type tallyDelta struct {
	handset    string
	cols       []any // the group's evidence columns, as read from run_tally_keys
	n          int
	runtimeSum float64
	runtimeN   int
	added      []recentRun
	removed    map[string]string // id → skey
}

// tallyChange collects the deltas of one transaction: collect the runs a
// write is about to change (sign −1) and, after it, the runs as they are
// now (+1); then apply.
type tallyChange struct {
	s      *Store
	deltas map[tallyKey]*tallyDelta
	order  []tallyKey // first-seen order: statements in a stable order
}

func (s *Store) newTallyChange() *tallyChange {
	return &tallyChange{s: s, deltas: map[tallyKey]*tallyDelta{}}
}

// keySelect reads a run's group and what it adds to it.
var keySelect = "SELECT id, unit_id, handset_id, kind, review_state, runtime_h, skey, gkey, " +
	strings.Join(tallyColumns, ", ") + " FROM run_tally_keys"

// collect adds the active runs among ids to their groups with sign (+1:
// they are in the runs table as they will count; −1: as they counted
// until this write). Retracted runs are never in a group.
func (t *tallyChange) collect(tx *gorm.DB, ids []string, sign int) error {
	if t.s.noTallies {
		return nil
	}
	for chunk := range slices.Chunk(ids, 500) {
		rows, err := tx.Raw(keySelect+" WHERE id IN ? AND status = ?", chunk, string(models.Active)).Rows()
		if err != nil {
			return err
		}
		err = t.scan(rows.Next, rows.Scan, sign)
		rows.Close()
		if err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (t *tallyChange) scan(next func() bool, scan func(...any) error, sign int) error {
	vals := make([]any, 8+len(tallyColumns))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for next() {
		if err := scan(ptrs...); err != nil {
			return err
		}
		t.add(tallyKey{unit: asText(vals[1]), kind: asText(vals[3]), review: asText(vals[4]), gkey: asText(vals[7])},
			asText(vals[2]), vals[8:], vals[5], asText(vals[6]), asText(vals[0]), sign)
	}
	return nil
}

// add counts one run (runtime as scanned or bound, nil for none) in group k
// with sign.
func (t *tallyChange) add(k tallyKey, handset string, cols []any, runtime any, skey, id string, sign int) {
	d, ok := t.deltas[k]
	if !ok {
		d = &tallyDelta{handset: handset, cols: slices.Clone(cols), removed: map[string]string{}}
		t.deltas[k] = d
		t.order = append(t.order, k)
	}
	d.n += sign
	if rt := asFloat(runtime); rt != nil {
		d.runtimeSum += float64(sign) * *rt
		d.runtimeN += sign
	}
	if sign > 0 {
		d.added = append(d.added, recentRun{skey, id})
		if len(d.added) >= 4*recentRuns {
			// Only the latest can be listed: memory stays flat
			// through an import of any size.
			slices.SortFunc(d.added, compareRecent)
			d.added = append(d.added[:0], d.added[len(d.added)-recentRuns:]...)
		}
	} else {
		d.removed[id] = skey
	}
}

// tallyRow is a group as stored.
type tallyRow struct {
	n          int
	runtimeSum float64
	runtimeN   int
	recent     []recentRun
}

// apply writes the collected deltas: groups whose count reaches 0 are
// deleted, the others upserted with their new count, runtime sum and list.
// A group whose list lost a run while it has more runs than listed reads
// its latest runs again (at most 50, by the runs_unit index).
func (t *tallyChange) apply(tx *gorm.DB) error {
	if t.s.noTallies {
		return nil
	}
	var keys []tallyKey
	for _, k := range t.order {
		d := t.deltas[k]
		if d.n == 0 && d.runtimeN == 0 && d.runtimeSum == 0 && sameRuns(d.added, d.removed) {
			continue // e.g. an amendment of a note: the run stays in its group
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil
	}
	if err := t.s.lockTallies(tx); err != nil {
		return err
	}
	old, err := readTallies(tx, keys)
	if err != nil {
		return err
	}
	var upserts []tallyKey
	var deletes []tallyKey
	rows := map[tallyKey]tallyRow{}
	for _, k := range keys {
		d, o := t.deltas[k], old[k]
		r := tallyRow{n: o.n + d.n, runtimeSum: o.runtimeSum + d.runtimeSum, runtimeN: o.runtimeN + d.runtimeN}
		if r.n <= 0 {
			deletes = append(deletes, k)
			continue
		}
		if r.runtimeN <= 0 {
			r.runtimeSum, r.runtimeN = 0, 0 // no rounding left behind
		}
		lost := false
		list := make([]recentRun, 0, len(o.recent)+len(d.added))
		for _, e := range o.recent {
			if _, ok := d.removed[e.id]; ok {
				lost = true
				continue
			}
			list = append(list, e)
		}
		list = append(list, d.added...)
		slices.SortFunc(list, compareRecent)
		list = slices.CompactFunc(list, func(a, b recentRun) bool { return a.id == b.id })
		if len(list) > recentRuns {
			list = list[len(list)-recentRuns:]
		}
		if lost && len(list) < min(r.n, recentRuns) {
			if err := t.s.serialPlans(tx); err != nil {
				return err
			}
			if list, err = refillRecent(tx, k); err != nil {
				return err
			}
		}
		r.recent = list
		rows[k] = r
		upserts = append(upserts, k)
	}
	if err := deleteTallies(tx, deletes); err != nil {
		return err
	}
	return t.upsert(tx, upserts, rows)
}

// sameRuns reports whether the runs added are exactly the ones removed,
// with the same started_at: then the group does not change.
func sameRuns(added []recentRun, removed map[string]string) bool {
	if len(added) != len(removed) {
		return false
	}
	for _, a := range added {
		if k, ok := removed[a.id]; !ok || k != a.skey {
			return false
		}
	}
	return true
}

// tupleIn is "(unit_id, kind, review_state, gkey) IN (VALUES …)": both
// engines take a row value against a VALUES list.
func tupleIn(keys []tallyKey) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, 4*len(keys))
	b.WriteString("(unit_id, kind, review_state, gkey) IN (VALUES ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?)")
		args = append(args, k.unit, k.kind, k.review, k.gkey)
	}
	b.WriteString(")")
	return b.String(), args
}

func readTallies(tx *gorm.DB, keys []tallyKey) (map[tallyKey]tallyRow, error) {
	out := map[tallyKey]tallyRow{}
	for chunk := range slices.Chunk(keys, 200) {
		in, args := tupleIn(chunk)
		rows, err := tx.Raw("SELECT unit_id, kind, review_state, gkey, n, runtime_sum, runtime_n, recent FROM run_tallies WHERE "+in, args...).Rows()
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k tallyKey
			var r tallyRow
			var recent string
			if err := rows.Scan(&k.unit, &k.kind, &k.review, &k.gkey, &r.n, &r.runtimeSum, &r.runtimeN, &recent); err != nil {
				rows.Close()
				return nil, err
			}
			r.recent = parseRecent(recent)
			out[k] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func deleteTallies(tx *gorm.DB, keys []tallyKey) error {
	for chunk := range slices.Chunk(keys, 200) {
		in, args := tupleIn(chunk)
		if err := tx.Exec("DELETE FROM run_tallies WHERE "+in, args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// serialPlans keeps PostgreSQL from planning the rest of tx's queries in
// parallel: refillRecent walks at most a few hundred index entries, and
// starting the workers of the parallel index scan the planner picked for
// it took 20 ms of an amendment's 25 (issue #18).
func (s *Store) serialPlans(tx *gorm.DB) error {
	if s.engine != Postgres {
		return nil
	}
	return tx.Exec("SET LOCAL max_parallel_workers_per_gather = 0").Error
}

// refillRecent reads a group's latest runs from the runs table: the
// unit's runs of the kind, status and review state newest first, whose
// gkey is compared here, not in the WHERE. With the key in the WHERE both
// planners took it for a rare match and read all the unit's runs (a bitmap
// scan and a sort on PostgreSQL: 30 ms at 20,000 runs a unit); without it
// they walk runs_unit (unit_id, started_at) backwards and stop at the
// LIMIT, which doubles until the group's 50 latest are in — with every run
// tied on started_at with the 50th — or the unit's runs are all read. The
// order is settled here, by (skey, id), as the rebuild's.
func refillRecent(tx *gorm.DB, k tallyKey) ([]recentRun, error) {
	for limit := 4 * recentRuns; ; limit *= 2 {
		rows, err := tx.Raw("SELECT skey, id, gkey FROM run_tally_keys WHERE unit_id = ? AND kind = ? AND status = ? AND review_state = ?"+
			" ORDER BY started_at DESC LIMIT ?", k.unit, k.kind, string(models.Active), k.review, limit).Rows()
		if err != nil {
			return nil, err
		}
		var out []recentRun
		read, lastKey := 0, ""
		for rows.Next() {
			var r recentRun
			var gkey string
			if err := rows.Scan(&r.skey, &r.id, &gkey); err != nil {
				rows.Close()
				return nil, err
			}
			read, lastKey = read+1, r.skey
			if gkey == k.gkey {
				out = append(out, r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		slices.SortFunc(out, compareRecent)
		if read < limit {
			return out[max(0, len(out)-recentRuns):], nil // every run of the unit was read
		}
		if len(out) >= recentRuns && out[len(out)-recentRuns].skey != lastKey {
			// runs beyond the limit start before the 50th: none can be among them
			return out[len(out)-recentRuns:], nil
		}
	}
}

var tallyInsertColumns = "unit_id, kind, review_state, gkey, handset_id, " + strings.Join(tallyColumns, ", ") +
	", n, runtime_sum, runtime_n, recent"

func (t *tallyChange) upsert(tx *gorm.DB, keys []tallyKey, rows map[tallyKey]tallyRow) error {
	per := 9 + len(tallyColumns)
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", per), ", ") + ")"
	for chunk := range slices.Chunk(keys, 30_000/per) {
		var b strings.Builder
		b.WriteString("INSERT INTO run_tallies (" + tallyInsertColumns + ") VALUES ")
		args := make([]any, 0, per*len(chunk))
		for i, k := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
			d, r := t.deltas[k], rows[k]
			args = append(args, k.unit, k.kind, k.review, k.gkey, d.handset)
			args = append(args, d.cols...)
			args = append(args, r.n, r.runtimeSum, r.runtimeN, formatRecent(r.recent))
		}
		b.WriteString(" ON CONFLICT (unit_id, kind, review_state, gkey) DO UPDATE SET n = excluded.n," +
			" runtime_sum = excluded.runtime_sum, runtime_n = excluded.runtime_n, recent = excluded.recent")
		if err := tx.Exec(b.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// RebuildReport says what RebuildTallies did.
type RebuildReport struct {
	Before int64 `json:"groups_before"` // groups in run_tallies before
	Groups int64 `json:"groups"`        // groups after
	Runs   int64 `json:"runs"`          // active runs they count
}

// RebuildTallies recomputes every per-unit summary from the runs in one
// transaction, with the statement migration 00014 backfilled them with
// (`ruggedlab summaries rebuild`). It raises the data version: cached
// answers are recomputed.
func (s *Store) RebuildTallies(ctx context.Context) (RebuildReport, error) {
	var rep RebuildReport
	stmt, err := s.rebuildStatement()
	if err != nil {
		return rep, err
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.lockTallies(tx); err != nil {
			return err
		}
		if err := tx.Raw("SELECT count(*) FROM run_tallies").Scan(&rep.Before).Error; err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM run_tallies").Error; err != nil {
			return err
		}
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
		if err := tx.Raw("SELECT count(*), coalesce(sum(n), 0) FROM run_tallies").Row().Scan(&rep.Groups, &rep.Runs); err != nil {
			return err
		}
		return bumpVersion(tx)
	})
	if err != nil {
		return rep, translate(err, "summaries")
	}
	return rep, nil
}

// rebuildStatement is the INSERT … SELECT between "-- tallies:rebuild" and
// "-- tallies:end" in the engine's migration 00014: one statement, so the
// backfill of an existing store and a rebuild cannot drift apart.
func (s *Store) rebuildStatement() (string, error) {
	stmt, err := tallyMigrationPart(s.engine, "-- tallies:rebuild\n", "-- tallies:end", "tallies:rebuild statement")
	return strings.TrimSuffix(strings.TrimSpace(stmt), ";"), err
}

// tallyMigrations are both engines' migration 00014, read once: imports
// take the gkey expression from it on every batch.
var tallyMigrations = sync.OnceValues(func() (map[string]string, error) {
	out := map[string]string{}
	for engine, dir := range map[string]string{SQLite: "migrations/sqlite", Postgres: "migrations/postgres"} {
		b, err := migrations.ReadFile(dir + "/00014_run_tallies.sql")
		if err != nil {
			return nil, err
		}
		out[engine] = string(b)
	}
	return out, nil
})

// tallyMigrationPart is the text of engine's migration 00014 between after
// and before; what names it in the error when the markers are missing.
func tallyMigrationPart(engine, after, before, what string) (string, error) {
	m, err := tallyMigrations()
	if err != nil {
		return "", err
	}
	_, rest, ok := strings.Cut(m[engine], after)
	part, _, ok2 := strings.Cut(rest, before)
	if !ok || !ok2 {
		return "", fmt.Errorf("migration 00014 has no %s", what)
	}
	return part, nil
}

// TallyRow is one stored group, for tests and the crash check.
type TallyRow struct {
	Unit, Kind, Review, GKey string
	N, RuntimeN              int
	RuntimeSum               float64
	Recent                   string
}

// Tallies lists every stored group in key order (tests, crash check).
func (s *Store) Tallies(ctx context.Context) ([]TallyRow, error) {
	var out []TallyRow
	rows, err := s.db.WithContext(ctx).Raw("SELECT unit_id, kind, review_state, gkey, n, runtime_n, runtime_sum, recent FROM run_tallies").Rows()
	if err != nil {
		return nil, translate(err, "summaries")
	}
	defer rows.Close()
	for rows.Next() {
		var r TallyRow
		if err := rows.Scan(&r.Unit, &r.Kind, &r.Review, &r.GKey, &r.N, &r.RuntimeN, &r.RuntimeSum, &r.Recent); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b TallyRow) int {
		return strings.Compare(a.Unit+"\x00"+a.Kind+"\x00"+a.Review+"\x00"+a.GKey, b.Unit+"\x00"+b.Kind+"\x00"+b.Review+"\x00"+b.GKey)
	})
	return out, rows.Err()
}

// tallyCreated counts newly inserted runs in their groups.
func (s *Store) tallyCreated(tx *gorm.DB, rows []runRow) error {
	tc := s.newTallyChange()
	if err := tc.collectNew(tx, rows); err != nil {
		return err
	}
	return tc.apply(tx)
}

// tallyTypes are tallyColumns' SQL types, for the casts that give bound
// values the types the columns have (so gkey encodes them alike).
var tallyTypes = []byte("rtbiiiitrrrirbbttrrbbtrrtittrr") // r real, i integer, b boolean, t text

func (s *Store) castType(t byte) string {
	switch t {
	case 'r':
		if s.engine == Postgres {
			return "DOUBLE PRECISION"
		}
		return "REAL"
	case 'i':
		return "INTEGER"
	case 'b':
		return "BOOLEAN"
	}
	return "TEXT"
}

// tallyValues are a new row's tallyColumns values (nil for NULL).
func tallyValues(r *runRow) []any {
	f := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	i := func(p *int) any {
		if p == nil {
			return nil
		}
		return int64(*p)
	}
	b := func(p *bool) any {
		if p == nil {
			return nil
		}
		return *p
	}
	t := func(p *string) any {
		if p == nil {
			return nil
		}
		return *p
	}
	return []any{f(r.HeightM), t(r.Surface), b(r.ProtectiveCase), i(r.PlannedDrops), i(r.DropsCompleted),
		i(r.FirstFailureDrop), i(r.WorstSeverity), t(r.Procedure), f(r.SetpointC), f(r.LowC), f(r.HighC), i(r.Cycles), f(r.DwellMin),
		b(r.Passed), b(r.ShutdownObserved), t(r.IPCode), t(r.Medium), f(r.DepthM), f(r.DurationMin), b(r.IngressFound), b(r.FunctionalAfter),
		t(r.Protocol), f(r.BrightnessNits), f(r.AmbientC), t(r.Part), i(r.DisassemblySteps), t(r.Fasteners), t(r.Tools), f(r.DisassemblyS), f(r.ReassemblyS)}
}

// gkeyExpr is the view's gkey expression (migration 00014), read from the
// migration itself so that keys computed from bound values are the keys
// the view computes from stored rows.
func (s *Store) gkeyExpr() (string, error) {
	return tallyMigrationPart(s.engine, " AS skey,\n", " AS gkey\n", "gkey expression")
}

// collectNew adds rows just inserted (active, recorded) to their groups
// from their values in Go: reading them back from runs would make each
// batch of an import scan the table on PostgreSQL, whose planner still
// believes runs small in the middle of a large import's transaction.
// Their group keys are computed by the same SQL expression as the view's,
// over the distinct tuples bound as values (no table read).
func (t *tallyChange) collectNew(tx *gorm.DB, rows []runRow) error {
	if len(rows) == 0 || t.s.noTallies {
		return nil
	}
	expr, err := t.s.gkeyExpr()
	if err != nil {
		return err
	}
	type tuple struct {
		vals []any
		rows []int
	}
	var tuples []*tuple
	seen := map[string]*tuple{}
	for i := range rows {
		vals := tallyValues(&rows[i])
		k := fmt.Sprintf("%#v", vals) // exact in Go: %#v prints floats round-trip
		tp, ok := seen[k]
		if !ok {
			tp = &tuple{vals: vals}
			seen[k] = tp
			tuples = append(tuples, tp)
		}
		tp.rows = append(tp.rows, i)
	}
	per := 1 + len(tallyColumns)
	for start := 0; start < len(tuples); start += 30_000 / per {
		chunk := tuples[start:min(len(tuples), start+30_000/per)]
		var b strings.Builder
		b.WriteString("SELECT i, " + expr + " FROM (SELECT column1 AS i")
		for j, c := range tallyColumns {
			fmt.Fprintf(&b, ", column%d AS %s", j+2, c)
		}
		b.WriteString(" FROM (VALUES ")
		args := make([]any, 0, per*len(chunk))
		for n, tp := range chunk {
			if n > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(CAST(? AS INTEGER)")
			for j := range tallyColumns {
				b.WriteString(", CAST(? AS " + t.s.castType(tallyTypes[j]) + ")")
			}
			b.WriteString(")")
			args = append(args, int64(n))
			args = append(args, tp.vals...)
		}
		b.WriteString(") AS v) AS runs ORDER BY i")
		res, err := tx.Raw(b.String(), args...).Rows()
		if err != nil {
			return err
		}
		for res.Next() {
			var n int
			var gkey string
			if err := res.Scan(&n, &gkey); err != nil {
				res.Close()
				return err
			}
			tp := chunk[n]
			for _, i := range tp.rows {
				r := &rows[i]
				var rt any
				if r.RuntimeH != nil {
					rt = *r.RuntimeH
				}
				t.add(tallyKey{unit: r.UnitID, kind: r.Kind, review: r.ReviewState, gkey: gkey}, r.HandsetID, tp.vals,
					rt, r.StartedAt.UTC().Format(models.StartedKey), r.ID, +1)
			}
		}
		res.Close()
		if err := res.Err(); err != nil {
			return err
		}
	}
	return nil
}
