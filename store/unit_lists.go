package store

import (
	"context"
	"slices"
	"strings"

	"gorm.io/gorm"

	"ruggedlab/models"
)

// Each unit's latest runs of a kind (migration 00026, issue #18):
// unit_recent holds, per unit and kind, how many active runs it has and
// the latest 50 of them in any review state or group — what a drop
// comparison lists per unit, read as one row rather than walked from the
// runs_unit_kind index (3,550 entries at 100,000 runs). A write keeps it
// from the same deltas as the groups (apply): a run that moves between
// groups of its unit with the same start — an amendment of its evidence,
// a review — leaves the list alone and costs nothing here; creates,
// retractions and a start amended change it.

// unitListKey is one unit's list of one kind.
type unitListKey struct{ unit, kind string }

// unitDelta is what one write does to one unit's list.
type unitDelta struct {
	n       int
	added   []recentRun
	removed map[string]string // id → skey
}

// unitList is a unit's list as stored.
type unitList struct {
	n      int
	recent []recentRun
}

// unitDeltas folds the deltas of groups keys into their units' lists, in
// first-seen order, leaving out the units whose list does not change: a
// run counted out of one group and into another with the same start.
func (t *tallyChange) unitDeltas(keys []tallyKey) ([]unitListKey, map[unitListKey]*unitDelta) {
	deltas := map[unitListKey]*unitDelta{}
	var order []unitListKey
	for _, k := range keys {
		d := t.deltas[k]
		uk := unitListKey{k.unit, k.kind}
		u, ok := deltas[uk]
		if !ok {
			u = &unitDelta{removed: map[string]string{}}
			deltas[uk] = u
			order = append(order, uk)
		}
		u.n += d.n
		u.added = append(u.added, d.added...)
		for id, skey := range d.removed {
			u.removed[id] = skey
		}
	}
	changed := order[:0]
	for _, uk := range order {
		u := deltas[uk]
		added := u.added[:0]
		for _, a := range u.added {
			if skey, ok := u.removed[a.id]; ok && skey == a.skey {
				delete(u.removed, a.id)
				continue
			}
			added = append(added, a)
		}
		u.added = added
		if u.n == 0 && len(added) == 0 && len(u.removed) == 0 {
			delete(deltas, uk)
			continue
		}
		changed = append(changed, uk)
	}
	return changed, deltas
}

// writeUnitLists brings the lists of the units whose groups keys changed
// up to date: read, merged (mergeRecent, refilled from the runs when a
// listed run left and the unit has more), then upserted or, with no run
// left, deleted.
func (t *tallyChange) writeUnitLists(tx *gorm.DB, keys []tallyKey) error {
	order, deltas := t.unitDeltas(keys)
	if len(order) == 0 {
		return nil
	}
	old, err := t.s.readUnitLists(tx, order)
	if err != nil {
		return err
	}
	var upserts, deletes []unitListKey
	rows := map[unitListKey]unitList{}
	for _, uk := range order {
		d, o := deltas[uk], old[uk]
		n := o.n + d.n
		if n <= 0 {
			deletes = append(deletes, uk)
			continue
		}
		list, need := mergeRecent(o.recent, d.added, d.removed, n)
		if need > 0 {
			more, err := t.s.walkRecent(tx, "SELECT skey, id, '' AS gkey FROM run_tally_keys WHERE unit_id = ? AND kind = ? AND status = '"+
				string(models.Active)+"'", []any{uk.unit, uk.kind}, "", o.recent[0], need)
			if err != nil {
				return err
			}
			list = sortRecent(append(list, more...))
		}
		rows[uk] = unitList{n: n, recent: list}
		upserts = append(upserts, uk)
	}
	for chunk := range slices.Chunk(deletes, 400) {
		in, args := unitTupleIn(chunk)
		if err := t.s.rawExec(tx, "DELETE FROM unit_recent WHERE "+in, args...); err != nil {
			return err
		}
	}
	for chunk := range slices.Chunk(upserts, 1000) {
		var b strings.Builder
		b.WriteString("INSERT INTO unit_recent (unit_id, kind, n, recent) VALUES ")
		args := make([]any, 0, 4*len(chunk))
		for i, uk := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?)")
			r := rows[uk]
			args = append(args, uk.unit, uk.kind, r.n, formatRecent(r.recent))
		}
		b.WriteString(" ON CONFLICT (unit_id, kind) DO UPDATE SET n = excluded.n, recent = excluded.recent")
		if err := t.s.rawExec(tx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// unitTupleIn is "(unit_id, kind) IN (VALUES …)".
func unitTupleIn(keys []unitListKey) (string, []any) {
	return rowsIn("unit_id, kind", len(keys), func(i int) []any { return []any{keys[i].unit, keys[i].kind} })
}

func (s *Store) readUnitLists(tx *gorm.DB, keys []unitListKey) (map[unitListKey]unitList, error) {
	out := map[unitListKey]unitList{}
	for chunk := range slices.Chunk(keys, 400) {
		in, args := unitTupleIn(chunk)
		rows, err := s.rawRows(tx, "SELECT unit_id, kind, n, recent FROM unit_recent WHERE "+in, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k unitListKey
			var l unitList
			var recent string
			if err := rows.Scan(&k.unit, &k.kind, &l.n, &recent); err != nil {
				rows.Close()
				return nil, err
			}
			l.recent = parseRecent(recent)
			out[k] = l
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// unitLists is latestLists read from unit_recent: each unit's latest 50
// active runs of kind k, oldest first, for the units unitWhere selects
// (a WHERE on units u, or "").
func (s *Store) unitLists(ctx context.Context, k models.Kind, unitWhere string, unitArgs []any) (map[string][]windowRun, error) {
	return s.windowLists(ctx, "SELECT u.id, l.recent FROM units u JOIN unit_recent l ON l.unit_id = u.id AND l.kind = ?"+unitWhere,
		append([]any{string(k)}, unitArgs...), false)
}

// parseWindow is a unit's "skey id" entries joined by commas, as windowRuns.
func parseWindow(unit, list string) []windowRun {
	w := make([]windowRun, 0, strings.Count(list, ",")+1)
	for e := range strings.SplitSeq(list, ",") {
		key, id, _ := strings.Cut(e, " ")
		w = append(w, windowRun{unit: unit, key: key, id: id})
	}
	return w
}
