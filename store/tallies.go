package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

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
// write of the group rows). Writers that lock a run take it first, in the
// statement that locks the run (lockRun), so the order is always tally
// lock, then rows; the others (creates, imports) in apply. SQLite's write
// lock does it there.
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
	// pending are runs counted from their values, whose groups apply
	// computes: one statement for a write's keys and groups (queue).
	pending []pendingRun
	// locked says the write holds the tally lock already (lockRun).
	locked bool
	// spares are the runs the read of the groups brought to refill a list
	// (spareSelect), by group.
	spares map[tallyKey]spareRuns
	// tails are the write's statements to run after the groups (then).
	tails []tallyTail
	// gkeys are the group keys computed so far, by tupleKey: an import's
	// batches mostly repeat the tuples of the batches before, and then
	// cost no statement.
	gkeys map[string]string
}

// pendingRun is a run as stored (or as it is about to be), and the sign
// it counts with.
type pendingRun struct {
	row  runRow
	sign int
}

// queue counts an active run in its group with sign, from its values (the
// row as read when it was locked, or as written): no read of the runs,
// and the group is found by apply, with the groups' own read.
func (t *tallyChange) queue(row runRow, sign int) {
	if t.s.noTallies {
		return
	}
	t.pending = append(t.pending, pendingRun{row, sign})
}

// dropUnchanged takes out of pending every run counted out (−1) and back
// in (+1) with the same group inputs: an amendment of notes, say, or one
// of an evidence column that leaves the run where it was, costs no
// statement at all.
func (t *tallyChange) dropUnchanged() {
	out := t.pending[:0]
	gone := map[int]bool{}
	for i, a := range t.pending {
		if a.sign >= 0 || gone[i] {
			continue
		}
		for j, b := range t.pending {
			if b.sign > 0 && !gone[j] && b.row.ID == a.row.ID && sameGroupInputs(&a.row, &b.row) {
				gone[i], gone[j] = true, true
				break
			}
		}
	}
	for i, p := range t.pending {
		if !gone[i] {
			out = append(out, p)
		}
	}
	t.pending = out
}

// sameGroupInputs reports whether two versions of a run count alike: same
// group (unit, kind, review state, evidence columns), same started_at and
// runtime.
func sameGroupInputs(a, b *runRow) bool {
	if a.UnitID != b.UnitID || a.Kind != b.Kind || a.HandsetID != b.HandsetID || a.ReviewState != b.ReviewState ||
		a.Status != b.Status || !a.StartedAt.Equal(b.StartedAt) || (a.RuntimeH == nil) != (b.RuntimeH == nil) ||
		(a.RuntimeH != nil && *a.RuntimeH != *b.RuntimeH) {
		return false
	}
	return slices.Equal(tallyValues(a), tallyValues(b)) // nil, bool, int64, float64, string: == is exact
}

func (s *Store) newTallyChange() *tallyChange {
	return &tallyChange{s: s, deltas: map[tallyKey]*tallyDelta{}}
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
// the runs listed next from the runs_unit index (refillRecent).
//
// On PostgreSQL it takes the tally lock unless the write's lockRun did,
// and only when a group changes: an amendment that leaves its run's group
// alone costs no statement.
func (t *tallyChange) apply(tx *gorm.DB) error {
	if err := t.write(tx); err != nil {
		return err
	}
	return t.runTails(tx)
}

// write is apply but for the tails it did not send.
func (t *tallyChange) write(tx *gorm.DB) error {
	if t.s.noTallies {
		return nil
	}
	t.dropUnchanged()
	if len(t.pending) == 0 && len(t.effective()) == 0 {
		return nil
	}
	if !t.locked {
		if err := t.s.lockTallies(tx); err != nil {
			return err
		}
		t.locked = true
	}
	if done, err := t.writeInSQL(tx); done || err != nil {
		return err
	}
	old, err := t.resolve(tx)
	if err != nil {
		return err
	}
	keys := t.effective()
	if len(keys) == 0 {
		return nil
	}
	var unread []tallyKey
	for _, k := range keys {
		if _, ok := old[k]; !ok {
			unread = append(unread, k)
		}
	}
	if len(unread) > 0 {
		more, err := readTallies(tx, unread)
		if err != nil {
			return err
		}
		for _, k := range unread {
			old[k] = more[k] // a group not stored yet reads as zero
		}
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
		list, err := t.newRecent(tx, k, o.recent, d, r.n)
		if err != nil {
			return err
		}
		r.recent = list
		rows[k] = r
		upserts = append(upserts, k)
	}
	if err := deleteTallies(tx, deletes); err != nil {
		return err
	}
	if err := t.upsert(tx, upserts, rows); err != nil {
		return err
	}
	return t.writeUnitLists(tx, keys)
}

// effective lists the groups a delta changes, in first-seen order.
func (t *tallyChange) effective() []tallyKey {
	var keys []tallyKey
	for _, k := range t.order {
		d := t.deltas[k]
		if d.n == 0 && d.runtimeN == 0 && d.runtimeSum == 0 && sameRuns(d.added, d.removed) {
			continue // e.g. an amendment of a note: the run stays in its group
		}
		keys = append(keys, k)
	}
	return keys
}

// newRecent is group k's list after delta d, given its list before (old)
// and its count after (n). The runs not listed before are all older than
// the oldest listed (b), so only runs removed from the list can make room
// for them: then the listed runs left, with the added ones newer than b,
// are the newest of the group and the rest of the list is the newest runs
// older than b, read from the runs (which hold the runs added older than
// b too, written before apply).
func (t *tallyChange) newRecent(tx *gorm.DB, k tallyKey, old []recentRun, d *tallyDelta, n int) ([]recentRun, error) {
	list, need := mergeRecent(old, d.added, d.removed, n)
	if need == 0 {
		return list, nil
	}
	if sp, ok := t.spares[k]; ok && sp.b == old[0] {
		if more, ok := pickRecent(sp.matches, sp.read, spareLimit, sp.lastKey, need); ok {
			return sortRecent(append(list, more...)), nil
		}
	}
	more, err := t.s.refillRecent(tx, k, old[0], need)
	if err != nil {
		return nil, err
	}
	return sortRecent(append(list, more...)), nil
}

// mergeRecent is newRecent without the read: the list after the runs
// added and removed, given the list before (old) and the count after
// (n); need > 0 when the list lacks that many runs older than old[0],
// which the caller reads from the runs.
func mergeRecent(old, added []recentRun, removed map[string]string, n int) ([]recentRun, int) {
	want := min(n, recentRuns)
	lost := false
	list := make([]recentRun, 0, len(old)+len(added))
	for _, e := range old {
		if _, ok := removed[e.id]; ok {
			lost = true
			continue
		}
		list = append(list, e)
	}
	var low []recentRun // added, older than b
	for _, a := range added {
		if lost && compareRecent(a, old[0]) < 0 {
			low = append(low, a)
			continue
		}
		list = append(list, a)
	}
	list = sortRecent(list)
	if len(list) >= want || !lost {
		list = append(list, low...) // none when nothing was lost
		list = sortRecent(list)
		return list[max(0, len(list)-recentRuns):], 0
	}
	return list, want - len(list)
}

// sortRecent puts a list in (started_at, id) order without repeats.
func sortRecent(list []recentRun) []recentRun {
	slices.SortFunc(list, compareRecent)
	return slices.CompactFunc(list, func(a, b recentRun) bool { return a.id == b.id })
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

// tupleIn is "(unit_id, kind, review_state, gkey) IN (VALUES …)".
func tupleIn(keys []tallyKey) (string, []any) {
	return rowsIn("unit_id, kind, review_state, gkey", len(keys), func(i int) []any {
		return []any{keys[i].unit, keys[i].kind, keys[i].review, keys[i].gkey}
	})
}

// rowsIn is "(columns) IN (VALUES (…), …)" over n rows, row(i) the
// values of the i-th: both engines take a row value against a VALUES
// list, and seek the primary key for each (SQLite takes no list of row
// values after a plain IN).
func rowsIn(columns string, n int, row func(i int) []any) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString("(" + columns + ") IN (VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		vals := row(i)
		b.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + ")")
		args = append(args, vals...)
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
// parallel: refillRecent walks few index entries, and starting the
// workers of the parallel index scan the planner picked for a walk of 200
// took 20 ms of an amendment's 25 (issue #18). Short walks, from the
// oldest listed run down with a small LIMIT, go without it: the SET is a
// statement of its own, a round trip per amendment.
func (s *Store) serialPlans(tx *gorm.DB) error {
	if s.engine != Postgres {
		return nil
	}
	return tx.Exec("SET LOCAL max_parallel_workers_per_gather = 0").Error
}

// refillRecent reads the need newest runs of group k older than b, the
// oldest run its list held, in (started_at, id) order: the unit's runs of
// the kind, status and review state from b's started_at down, newest
// first, whose gkey is compared here, not in the WHERE. With the key in
// the WHERE both planners took it for a rare match and read all the
// unit's runs (a bitmap scan and a sort on PostgreSQL: 30 ms at 20,000
// runs a unit); without it they walk runs_unit (unit_id, started_at)
// backwards from b and stop at the LIMIT, a few more than needed, which
// doubles until the runs needed and their started_at ties are in — or the
// unit's runs older than b are all read. Starting at b matters: the
// newest runs of a unit are often in other groups than the one being
// refilled (an amended run leaves its group), and taking a listed run out
// of a 50,000-run group reads a handful of index entries, not hundreds.
func (s *Store) refillRecent(tx *gorm.DB, k tallyKey, b recentRun, need int) ([]recentRun, error) {
	return s.walkRecent(tx, "SELECT skey, id, gkey FROM run_tally_keys WHERE unit_id = ? AND kind = ? AND status = ? AND review_state = ?",
		[]any{k.unit, k.kind, string(models.Active), k.review}, k.gkey, b, need)
}

// walkRecent is refillRecent's walk for the runs query selects (skey, id
// and gkey, under its WHERE), keeping those whose gkey is gkey.
func (s *Store) walkRecent(tx *gorm.DB, query string, qargs []any, gkey string, b recentRun, need int) ([]recentRun, error) {
	at, err := time.Parse(models.StartedKey, b.skey)
	if err != nil {
		return nil, fmt.Errorf("summary list entry %q: %w", b, err)
	}
	serial := false
	for limit := 2*need + 14; ; limit *= 2 {
		if limit > 500 && !serial {
			// a long walk: see serialPlans
			if err := s.serialPlans(tx); err != nil {
				return nil, err
			}
			serial = true
		}
		rows, err := s.rawRows(tx, query+" AND started_at <= ? ORDER BY started_at DESC LIMIT ?", append(slices.Clone(qargs), at, limit)...)
		if err != nil {
			return nil, err
		}
		var out []recentRun
		read, lastKey := 0, ""
		for rows.Next() {
			var r recentRun
			var g string
			if err := rows.Scan(&r.skey, &r.id, &g); err != nil {
				rows.Close()
				return nil, err
			}
			read, lastKey = read+1, r.skey
			if g == gkey && compareRecent(r, b) < 0 {
				out = append(out, r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		slices.SortFunc(out, compareRecent)
		if got, ok := pickRecent(out, read, limit, lastKey, need); ok {
			return got, nil
		}
	}
}

var tallyInsertColumns = "unit_id, kind, review_state, gkey, handset_id, " + strings.Join(tallyColumns, ", ") +
	", n, runtime_sum, runtime_n, recent"

func (t *tallyChange) upsert(tx *gorm.DB, keys []tallyKey, rows map[tallyKey]tallyRow) error {
	per := 9 + len(tallyColumns)
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", per), ", ") + ")"
	size := 30_000 / per
	for start := 0; start < len(keys); start += size {
		chunk := keys[start:min(len(keys), start+size)]
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
		query := b.String()
		if start+size >= len(keys) {
			// the last chunk carries the write's next statement (then)
			query, args = t.withTail(query, args)
		}
		if err := t.s.rawExec(tx, query, args...); err != nil {
			return err
		}
	}
	return nil
}

// tallyTail is a statement of the write that apply runs after the groups
// (then).
type tallyTail struct {
	query string
	args  []any
}

// then has apply run query after writing the groups: a write's last
// statement (an amendment's revision row), which on PostgreSQL goes in
// the groups' upsert statement as its main part after a WITH — one round
// trip for both, an amendment's upkeep then costing a single statement of
// its own (issue #18). apply runs it even when no group changes. Only the
// last one waits: a tail before it runs now, so an import retracted as a
// whole does not hold every run's revision in memory.
func (t *tallyChange) then(tx *gorm.DB, query string, args ...any) error {
	if err := t.runTails(tx); err != nil {
		return err
	}
	t.tails = append(t.tails, tallyTail{query, args})
	return nil
}

// withTail puts the first pending tail into upsert (PostgreSQL: a data-
// modifying WITH runs with the main statement, in one round trip).
func (t *tallyChange) withTail(upsert string, args []any) (string, []any) {
	if t.s.engine != Postgres || len(t.tails) == 0 {
		return upsert, args
	}
	tl := t.tails[0]
	t.tails = t.tails[1:]
	return "WITH tallies AS (" + upsert + ") " + tl.query, append(args, tl.args...)
}

// runTails runs the tails not sent with the upsert.
func (t *tallyChange) runTails(tx *gorm.DB) error {
	for len(t.tails) > 0 {
		tl := t.tails[0]
		t.tails = t.tails[1:]
		if err := tx.Exec(tl.query, tl.args...).Error; err != nil {
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
// transaction, with the statements migrations 00014 and 00026 backfilled
// them with (`ruggedlab summaries rebuild`): the groups and the units'
// lists. It raises the data version: cached
// answers are recomputed.
func (s *Store) RebuildTallies(ctx context.Context) (RebuildReport, error) {
	var rep RebuildReport
	stmt, err := s.rebuildStatement()
	if err != nil {
		return rep, err
	}
	units, err := migrationPart(s.engine, "00026", "-- unitlists:rebuild\n", "-- unitlists:end", "unitlists:rebuild statement")
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
		if err := tx.Exec("DELETE FROM unit_recent").Error; err != nil {
			return err
		}
		if err := tx.Exec(units).Error; err != nil {
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

// tallyMigrations are both engines' migrations 00014 and 00026, read
// once: imports take the gkey expression from 00014 on every batch.
var tallyMigrations = sync.OnceValues(func() (map[string]string, error) {
	out := map[string]string{}
	for engine, dir := range map[string]string{SQLite: "migrations/sqlite", Postgres: "migrations/postgres"} {
		for _, file := range []string{"00014_run_tallies.sql", "00026_unit_recent.sql"} {
			b, err := migrations.ReadFile(dir + "/" + file)
			if err != nil {
				return nil, err
			}
			out[engine+"/"+file[:5]] = string(b)
		}
	}
	return out, nil
})

// tallyMigrationPart is the text of engine's migration 00014 between after
// and before; what names it in the error when the markers are missing.
func tallyMigrationPart(engine, after, before, what string) (string, error) {
	return migrationPart(engine, "00014", after, before, what)
}

// migrationPart is the text of engine's migration version (00014 or
// 00026) between after and before.
func migrationPart(engine, version, after, before, what string) (string, error) {
	m, err := tallyMigrations()
	if err != nil {
		return "", err
	}
	_, rest, ok := strings.Cut(m[engine+"/"+version], after)
	part, _, ok2 := strings.Cut(rest, before)
	if !ok || !ok2 {
		return "", fmt.Errorf("migration %s has no %s", version, what)
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

// Tallies lists every stored group in key order (tests, crash check),
// and every unit's list of a kind (unit_recent) as a row of review state
// and group key "*".
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	lists, err := s.db.WithContext(ctx).Raw("SELECT unit_id, kind, n, recent FROM unit_recent").Rows()
	if err != nil {
		return nil, translate(err, "summaries")
	}
	defer lists.Close()
	for lists.Next() {
		r := TallyRow{Review: "*", GKey: "*"}
		if err := lists.Scan(&r.Unit, &r.Kind, &r.N, &r.Recent); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b TallyRow) int {
		return strings.Compare(a.Unit+"\x00"+a.Kind+"\x00"+a.Review+"\x00"+a.GKey, b.Unit+"\x00"+b.Kind+"\x00"+b.Review+"\x00"+b.GKey)
	})
	return out, lists.Err()
}

// tallyCreated counts newly inserted runs in their groups.
func (s *Store) tallyCreated(tx *gorm.DB, rows []runRow) error {
	tc := s.newTallyChange()
	if len(rows) <= fewPending {
		for _, r := range rows {
			tc.queue(r, +1) // keys and groups in one statement
		}
	} else if err := tc.collectNew(tx, rows); err != nil {
		return err
	}
	return tc.apply(tx)
}

// tallyTypes are tallyColumns' SQL types, for the casts that give bound
// values the types the columns have (so gkey encodes them alike).
var tallyTypes = []byte("rtbiiiitrrrirbbttrrbbtrrtittrr") // r real, i integer, b boolean, t text

// writeTallyCasts writes one typed placeholder per tally column, for a
// VALUES row: the engines need the types to compute the group key.
func (s *Store) writeTallyCasts(b *strings.Builder) {
	for j := range tallyColumns {
		b.WriteString(", CAST(? AS " + s.castType(tallyTypes[j]) + ")")
	}
}

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
	return t.collectValues(tx, rows, +1)
}

// collectValues counts rows in their groups with sign, their keys
// computed as collectNew's.
func (t *tallyChange) collectValues(tx *gorm.DB, rows []runRow, sign int) error {
	if len(rows) == 0 || t.s.noTallies {
		return nil
	}
	type tuple struct {
		vals []any
		rows []int
		gkey string
	}
	var tuples, unkeyed []*tuple
	seen := map[string]*tuple{}
	var buf []byte
	for i := range rows {
		vals := tallyValues(&rows[i])
		buf = tupleKey(buf[:0], vals)
		tp, ok := seen[string(buf)]
		if !ok {
			k := string(buf)
			tp = &tuple{vals: vals}
			seen[k] = tp
			tuples = append(tuples, tp)
			if tp.gkey, ok = t.gkeys[k]; !ok {
				unkeyed = append(unkeyed, tp)
			}
		}
		tp.rows = append(tp.rows, i)
	}
	var asked []*tuple
	for _, tp := range unkeyed {
		if k, ok := goGkey(t.s.engine, tp.vals); ok {
			tp.gkey = k
		} else {
			asked = append(asked, tp)
		}
	}
	if len(asked) > 0 {
		vals := make([][]any, len(asked))
		for i, tp := range asked {
			vals[i] = tp.vals
		}
		keys, err := t.s.sqlGkeys(tx, vals)
		if err != nil {
			return err
		}
		for i, tp := range asked {
			tp.gkey = keys[i]
		}
	}
	if t.gkeys == nil {
		t.gkeys = map[string]string{}
	}
	for k, tp := range seen {
		t.gkeys[k] = tp.gkey
	}
	for _, tp := range tuples {
		for _, i := range tp.rows {
			r := &rows[i]
			var rt any
			if r.RuntimeH != nil {
				rt = *r.RuntimeH
			}
			t.add(tallyKey{unit: r.UnitID, kind: r.Kind, review: r.ReviewState, gkey: tp.gkey}, r.HandsetID, tp.vals,
				rt, r.StartedAt.UTC().Format(models.StartedKey), r.ID, sign)
		}
	}
	return nil
}

// sqlGkeys are the group keys of tuples of tallyColumns values computed
// by the view's own expression over them bound as values (no table read):
// for the values goGkey is not sure to spell as the engine does.
func (s *Store) sqlGkeys(tx *gorm.DB, tuples [][]any) ([]string, error) {
	expr, err := s.gkeyExpr()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(tuples))
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
		for n, vals := range chunk {
			if n > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(CAST(? AS INTEGER)")
			s.writeTallyCasts(&b)
			b.WriteString(")")
			args = append(args, int64(n))
			args = append(args, vals...)
		}
		b.WriteString(") AS v) AS runs ORDER BY i")
		res, err := s.rawRows(tx, b.String(), args...)
		if err != nil {
			return nil, err
		}
		for res.Next() {
			var n int
			var gkey string
			if err := res.Scan(&n, &gkey); err != nil {
				res.Close()
				return nil, err
			}
			out[start+n] = gkey
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tupleKey appends an exact text of a run's tallyColumns values to b:
// equal tuples and only they spell alike (floats by their bits), far
// cheaper than fmt's %#v on every row of an import.
func tupleKey(b []byte, vals []any) []byte {
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			b = append(b, '~')
		case bool:
			b = strconv.AppendBool(append(b, 'b'), x)
		case int64:
			b = strconv.AppendInt(append(b, 'i'), x, 10)
		case float64:
			b = strconv.AppendUint(append(b, 'f'), math.Float64bits(x), 16)
		case string:
			b = append(strconv.AppendInt(append(b, 's'), int64(len(x)), 10), ':')
			b = append(b, x...)
		default:
			b = fmt.Appendf(append(b, '?'), "%#v", x)
		}
		b = append(b, '|')
	}
	return b
}

// fewPending is how many pending runs resolve keys and reads in one
// statement; more (an import retracted) are keyed per distinct tuple of
// values, and their groups read after, as an import's: one row back per
// run would carry its group's list as many times.
const fewPending = 8

// resolve counts the pending runs in their groups, and returns the groups
// it read on the way. A few runs — a single amendment, retraction or
// review moves one — are keyed and their groups read in one statement:
// their values bound, the view's gkey expression over them, and
// run_tallies joined on the key. Call it holding the tally lock.
func (t *tallyChange) resolve(tx *gorm.DB) (map[tallyKey]tallyRow, error) {
	old := map[tallyKey]tallyRow{}
	pend := t.pending
	t.pending = nil
	if len(pend) > fewPending {
		for _, sign := range []int{-1, +1} {
			var rows []runRow
			for _, p := range pend {
				if p.sign == sign {
					rows = append(rows, p.row)
				}
			}
			if err := t.collectValues(tx, rows, sign); err != nil {
				return nil, err
			}
		}
		return old, nil
	}
	if len(pend) == 0 {
		return old, nil
	}
	keys := make([]string, len(pend))
	keyed := true
	for i, p := range pend {
		if keys[i], keyed = goGkey(t.s.engine, tallyValues(&p.row)); !keyed {
			break
		}
	}
	if keyed {
		return old, t.resolveKeyed(tx, pend, keys, old)
	}
	expr, err := t.s.gkeyExpr()
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("SELECT v.i, v.gkey, t.n, t.runtime_sum, t.runtime_n, t.recent, " + t.s.spareSelect() +
		" FROM (SELECT i, u, k, r, sg, sk, rid, " + expr +
		" AS gkey FROM (SELECT column1 AS i, column2 AS u, column3 AS k, column4 AS r, column5 AS sg, column6 AS sk, column7 AS rid")
	for j, c := range tallyColumns {
		fmt.Fprintf(&b, ", column%d AS %s", j+8, c)
	}
	b.WriteString(" FROM (VALUES ")
	vals := make([][]any, len(pend))
	skeys := make([]string, len(pend))
	var args []any
	for n, p := range pend {
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS TEXT)")
		t.s.writeTallyCasts(&b)
		b.WriteString(")")
		vals[n] = tallyValues(&p.row)
		skeys[n] = p.row.StartedAt.UTC().Format(models.StartedKey)
		args = append(args, int64(n), p.row.UnitID, p.row.Kind, p.row.ReviewState, int64(p.sign), skeys[n], p.row.ID)
		args = append(args, vals[n]...)
	}
	b.WriteString(") AS vals) AS runs) AS v LEFT JOIN run_tallies t" +
		" ON t.unit_id = v.u AND t.kind = v.k AND t.review_state = v.r AND t.gkey = v.gkey ORDER BY v.i")
	res, err := t.s.rawRows(tx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	for res.Next() {
		var i int
		var gkey string
		var n, runtimeN sql.NullInt64
		var runtimeSum sql.NullFloat64
		var recent, spare sql.NullString
		if err := res.Scan(&i, &gkey, &n, &runtimeSum, &runtimeN, &recent, &spare); err != nil {
			return nil, err
		}
		p := pend[i]
		k := tallyKey{unit: p.row.UnitID, kind: p.row.Kind, review: p.row.ReviewState, gkey: gkey}
		o := tallyRow{n: int(n.Int64), runtimeSum: runtimeSum.Float64, runtimeN: int(runtimeN.Int64), recent: parseRecent(recent.String)}
		old[k] = o
		if spare.Valid && len(o.recent) > 0 {
			if t.spares == nil {
				t.spares = map[tallyKey]spareRuns{}
			}
			t.spares[k] = parseSpare(spare.String, o.recent[0])
		}
		var rt any
		if p.row.RuntimeH != nil {
			rt = *p.row.RuntimeH
		}
		t.add(k, p.row.HandsetID, vals[i], rt, skeys[i], p.row.ID, p.sign)
	}
	return old, res.Err()
}

// spareLimit is how many of a unit's runs older than a group's oldest
// listed run the read of a write's groups brings along (spareSelect):
// few, since each costs the view's gkey expression (thirty CASE terms,
// slow in the wasm SQLite: with 16 the read was most of an amendment's
// upkeep there) and an amendment needs one; when they do not settle the
// list, refillRecent reads on.
const spareLimit = 4

// spareSelect is the read's last column: for a run counted out (−1) that
// its group lists, in a group with more runs than it lists, the unit's
// runs of the kind, status and review state from the group's oldest
// listed run down, spareLimit of them, each as "skey id 1" ("0": of
// another group) — what refillRecent would read first, in the same
// statement, so the refill that follows the amendment of a listed run
// costs no round trip (issue #18). NULL otherwise: CASE reads them only
// then. The skey of a group's oldest listed run is its list's first word.
func (s *Store) spareSelect() string {
	instr, agg, from := "instr(',' || t.recent || ',', ',' || v.sk || ' ' || v.rid || ',')", "group_concat",
		"substr(t.recent, 1, instr(t.recent, ' ') - 1)"
	if s.engine == Postgres {
		instr, agg, from = "strpos(',' || t.recent || ',', ',' || v.sk || ' ' || v.rid || ',')", "string_agg",
			"CAST(split_part(t.recent, ' ', 1) AS TIMESTAMPTZ)"
	}
	return fmt.Sprintf("CASE WHEN v.sg < 0 AND t.n > %d AND %s > 0 THEN (SELECT %s(x.skey || ' ' || x.id || ' ' ||"+
		" CASE WHEN x.gkey = v.gkey THEN '1' ELSE '0' END, ',') FROM (SELECT skey, id, gkey FROM run_tally_keys"+
		" WHERE unit_id = v.u AND kind = v.k AND status = '%s' AND review_state = v.r AND started_at <= %s"+
		" ORDER BY started_at DESC LIMIT %d) x) END AS spare", recentRuns, instr, agg, string(models.Active), from, spareLimit)
}

// spareRuns is what spareSelect brought for a group whose oldest listed
// run was b: the runs of the group older than b, how many runs were read
// and the oldest started_at read.
type spareRuns struct {
	b       recentRun
	matches []recentRun
	read    int
	lastKey string
}

func parseSpare(s string, b recentRun) spareRuns {
	sp := spareRuns{b: b}
	for _, e := range strings.Split(s, ",") {
		f := strings.Fields(e)
		if len(f) != 3 {
			continue
		}
		r := recentRun{f[0], f[1]}
		if sp.read == 0 || r.skey < sp.lastKey {
			sp.lastKey = r.skey
		}
		sp.read++
		if f[2] == "1" && compareRecent(r, b) < 0 {
			sp.matches = append(sp.matches, r)
		}
	}
	slices.SortFunc(sp.matches, compareRecent)
	return sp
}

// pickRecent is the need newest of out (the group's runs among read runs
// of the unit, in order) when they are surely the group's need newest
// older than the start of the walk: every run of the unit from there was
// read (fewer than limit), or the runs not read start before the last one
// taken (their started_at is at most lastKey, the oldest read).
func pickRecent(out []recentRun, read, limit int, lastKey string, need int) ([]recentRun, bool) {
	if read < limit {
		return out[max(0, len(out)-need):], true
	}
	if len(out) >= need && out[len(out)-need].skey != lastKey {
		return out[len(out)-need:], true
	}
	return nil, false
}

// resolveKeyed is resolve for runs whose group keys Go computed (goGkey):
// one statement reads their groups by primary key and, for a run counted
// out that its group lists in a group with more runs than listed, the
// unit's spareLimit runs from the group's oldest listed run down, with
// their evidence columns, keyed here — what spareSelect brought, without
// the view's gkey expression over any row (issue #18).
func (t *tallyChange) resolveKeyed(tx *gorm.DB, pend []pendingRun, keys []string, old map[tallyKey]tallyRow) error {
	s := t.s
	instr, from := "instr", "substr(t.recent, 1, instr(t.recent, ' ') - 1)"
	if s.engine == Postgres {
		instr, from = "strpos", "CAST(split_part(t.recent, ' ', 1) AS TIMESTAMPTZ)"
	}
	var nulls strings.Builder
	for j := range tallyColumns {
		nulls.WriteString(", CAST(NULL AS " + s.castType(tallyTypes[j]) + ")")
	}
	cols := "x." + strings.Join(tallyColumns, ", x.")
	var b strings.Builder
	var args []any
	skeys := make([]string, len(pend))
	for n, p := range pend {
		skeys[n] = p.row.StartedAt.UTC().Format(models.StartedKey)
		if n > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString("SELECT CAST(? AS INTEGER) AS i, 0 AS part, t.n, t.runtime_sum, t.runtime_n, t.recent," +
			" CAST(NULL AS TEXT) AS skey, CAST(NULL AS TEXT) AS id" + nulls.String() +
			" FROM (SELECT 1 AS one) o LEFT JOIN run_tallies t ON t.unit_id = ? AND t.kind = ? AND t.review_state = ? AND t.gkey = ?")
		args = append(args, int64(n), p.row.UnitID, p.row.Kind, p.row.ReviewState, keys[n])
		if p.sign >= 0 {
			continue
		}
		fmt.Fprintf(&b, " UNION ALL SELECT * FROM (SELECT CAST(? AS INTEGER) AS i, 1 AS part, CAST(NULL AS INTEGER) AS n,"+
			" CAST(NULL AS %s) AS runtime_sum, CAST(NULL AS INTEGER) AS runtime_n, CAST(NULL AS TEXT) AS recent, x.skey, x.id, %s"+
			" FROM run_tally_keys x WHERE x.unit_id = ? AND x.kind = ? AND x.status = '%s' AND x.review_state = ? AND x.started_at <="+
			" (SELECT %s FROM run_tallies t WHERE t.unit_id = ? AND t.kind = ? AND t.review_state = ? AND t.gkey = ? AND t.n > %d"+
			" AND %s(',' || t.recent || ',', ?) > 0) ORDER BY x.started_at DESC LIMIT %d) AS s%d",
			s.castType('r'), cols, string(models.Active), from, recentRuns, instr, spareLimit, n)
		args = append(args, int64(n), p.row.UnitID, p.row.Kind, p.row.ReviewState,
			p.row.UnitID, p.row.Kind, p.row.ReviewState, keys[n], ","+skeys[n]+" "+p.row.ID+",")
	}
	res, err := s.rawRows(tx, b.String(), args...)
	if err != nil {
		return err
	}
	defer res.Close()
	groups := make([]tallyRow, len(pend))
	spare := make([][]recentRun, len(pend))  // the runs read for run i's group
	spareKeys := make([][]string, len(pend)) // and their group keys
	unsure := make([]bool, len(pend))        // a key Go could not spell
	for res.Next() {
		var i, part int
		var n, runtimeN sql.NullInt64
		var runtimeSum sql.NullFloat64
		var recent, skey, id sql.NullString
		vals := make([]any, len(tallyColumns))
		dest := []any{&i, &part, &n, &runtimeSum, &runtimeN, &recent, &skey, &id}
		for j := range tallyColumns {
			switch tallyTypes[j] {
			case 'r':
				dest = append(dest, new(sql.NullFloat64))
			case 'i':
				dest = append(dest, new(sql.NullInt64))
			case 'b':
				dest = append(dest, new(sql.NullBool))
			default:
				dest = append(dest, new(sql.NullString))
			}
		}
		if err := res.Scan(dest...); err != nil {
			return err
		}
		if part == 0 {
			groups[i] = tallyRow{n: int(n.Int64), runtimeSum: runtimeSum.Float64, runtimeN: int(runtimeN.Int64), recent: parseRecent(recent.String)}
			continue
		}
		for j, d := range dest[8:] {
			switch v := d.(type) {
			case *sql.NullFloat64:
				if v.Valid {
					vals[j] = v.Float64
				}
			case *sql.NullInt64:
				if v.Valid {
					vals[j] = v.Int64
				}
			case *sql.NullBool:
				if v.Valid {
					vals[j] = v.Bool
				}
			case *sql.NullString:
				if v.Valid {
					vals[j] = v.String
				}
			}
		}
		gk, ok := goGkey(s.engine, vals)
		unsure[i] = unsure[i] || !ok // then no spares: refillRecent asks the engine
		spare[i] = append(spare[i], recentRun{skey.String, id.String})
		spareKeys[i] = append(spareKeys[i], gk)
	}
	if err := res.Err(); err != nil {
		return err
	}
	for i, p := range pend {
		k := tallyKey{unit: p.row.UnitID, kind: p.row.Kind, review: p.row.ReviewState, gkey: keys[i]}
		o := groups[i]
		old[k] = o
		if len(spare[i]) > 0 && len(o.recent) > 0 && !unsure[i] {
			sp := spareRuns{b: o.recent[0]}
			for j, r := range spare[i] {
				if sp.read == 0 || r.skey < sp.lastKey {
					sp.lastKey = r.skey
				}
				sp.read++
				if spareKeys[i][j] == k.gkey && compareRecent(r, sp.b) < 0 {
					sp.matches = append(sp.matches, r)
				}
			}
			slices.SortFunc(sp.matches, compareRecent)
			if t.spares == nil {
				t.spares = map[tallyKey]spareRuns{}
			}
			t.spares[k] = sp
		}
		var rt any
		if p.row.RuntimeH != nil {
			rt = *p.row.RuntimeH
		}
		t.add(k, p.row.HandsetID, tallyValues(&p.row), rt, skeys[i], p.row.ID, p.sign)
	}
	return nil
}
