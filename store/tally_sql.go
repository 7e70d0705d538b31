package store

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"ruggedlab/models"
)

// writeInSQL is a single run's summary upkeep on PostgreSQL — an
// amendment or a review that keeps the run's unit and start — written by the engine
// in the write's own last statement, without reading the groups first:
// the group it leaves loses one from its count and its entry from its
// list, and reads the next run of the group when the list lost one; the
// group it joins gains one and its entry, in the list if among the
// newest; the same group does both in one UPDATE. Each of these is a
// data-modifying WITH of the statement that inserts the run's revision
// (then), so an amendment's upkeep costs no round trip of its own: the
// read of the groups and the Go side of their lists were most of what
// remained over the target on PostgreSQL (issue #18). The tally lock is
// held as for apply's read-modify-write (lockRun or apply).
//
// It declines (done false) anything else: SQLite (whose statements cost
// no round trip; resolve's read is cheap there), several runs, a run
// created or retracted or moved in time (its unit's list changes too:
// writeUnitLists), values goGkey is not sure of, or deltas already
// collected.
func (t *tallyChange) writeInSQL(tx *gorm.DB) (bool, error) {
	if t.s.engine != Postgres || len(t.deltas) > 0 || len(t.pending) == 0 || len(t.pending) > 2 {
		return false, nil
	}
	var out, in *pendingRun
	for i := range t.pending {
		p := &t.pending[i]
		switch {
		case p.sign < 0 && out == nil:
			out = p
		case p.sign > 0 && in == nil:
			in = p
		default:
			return false, nil
		}
	}
	if out == nil || in == nil || out.row.ID != in.row.ID || out.row.UnitID != in.row.UnitID || out.row.Kind != in.row.Kind ||
		!out.row.StartedAt.Equal(in.row.StartedAt) {
		return false, nil // the unit's list changes too: apply's way (writeUnitLists)
	}
	type side struct {
		k     tallyKey
		entry string
		vals  []any
		rt    *float64
	}
	mk := func(p *pendingRun) (side, bool) {
		vals := tallyValues(&p.row)
		g, ok := goGkey(t.s.engine, vals)
		return side{tallyKey{p.row.UnitID, p.row.Kind, p.row.ReviewState, g},
			p.row.StartedAt.UTC().Format(models.StartedKey) + " " + p.row.ID, vals, p.row.RuntimeH}, ok
	}
	var o, n side
	if out != nil {
		var ok bool
		if o, ok = mk(out); !ok {
			return false, nil
		}
	}
	if in != nil {
		var ok bool
		if n, ok = mk(in); !ok {
			return false, nil
		}
	}
	t.pending = nil
	rtDelta := func(sides ...struct {
		sd   side
		sign int
	}) (int, float64) {
		dn, ds := 0, 0.0
		for _, x := range sides {
			if x.sd.rt != nil {
				dn += x.sign
				ds += float64(x.sign) * *x.sd.rt
			}
		}
		return dn, ds
	}
	type signed = struct {
		sd   side
		sign int
	}
	pk := "unit_id = ? AND kind = ? AND review_state = ? AND gkey = ?"
	pkArgs := func(k tallyKey) []any { return []any{k.unit, k.kind, k.review, k.gkey} }
	runtime := "runtime_sum = CASE WHEN run_tallies.runtime_n + ? > 0 THEN run_tallies.runtime_sum + ? ELSE 0 END, runtime_n = CASE WHEN run_tallies.runtime_n + ? > 0 THEN run_tallies.runtime_n + ? ELSE 0 END"
	var ctes []string
	var args []any
	switch {
	case out != nil && in != nil && o.k == n.k:
		dn, ds := rtDelta(signed{o, -1}, signed{n, +1})
		ctes = append(ctes, "UPDATE run_tallies SET "+runtime+", recent = "+topRecent(true, true)+" WHERE "+pk)
		args = append(args, dn, ds, dn, dn, o.entry, n.entry, o.entry)
		args = append(args, pkArgs(o.k)...)
	default:
		if out != nil {
			dn, ds := rtDelta(signed{o, -1})
			ctes = append(ctes, "DELETE FROM run_tallies WHERE "+pk+" AND n <= 1",
				"UPDATE run_tallies SET n = n - 1, "+runtime+", recent = "+topRecent(true, false)+" WHERE "+pk+" AND n > 1")
			args = append(args, pkArgs(o.k)...)
			args = append(args, dn, ds, dn, dn, o.entry, o.entry)
			args = append(args, pkArgs(o.k)...)
		}
		if in != nil {
			dn, ds := rtDelta(signed{n, +1})
			var b strings.Builder
			b.WriteString("INSERT INTO run_tallies (" + tallyInsertColumns + ") VALUES (?, ?, ?, ?, ?")
			b.WriteString(strings.Repeat(", ?", len(tallyColumns)))
			b.WriteString(", 1, ?, ?, ?) ON CONFLICT (unit_id, kind, review_state, gkey) DO UPDATE SET n = run_tallies.n + 1, " +
				runtime + ", recent = " + topRecent(false, true))
			ctes = append(ctes, b.String())
			args = append(args, n.k.unit, n.k.kind, n.k.review, n.k.gkey, in.row.HandsetID)
			args = append(args, n.vals...)
			args = append(args, ds, dn, n.entry)
			args = append(args, dn, ds, dn, dn, n.entry)
		}
	}
	var b strings.Builder
	b.WriteString("WITH ")
	for i, c := range ctes {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "t%d AS (%s)", i, c)
	}
	if len(t.tails) > 0 {
		tl := t.tails[0]
		t.tails = t.tails[1:]
		b.WriteString(" " + tl.query)
		args = append(args, tl.args...)
	} else {
		b.WriteString(" SELECT 1")
	}
	return true, tx.Exec(b.String(), args...).Error
}

// topRecent is the SQL of a group's list after a write, in an UPDATE of
// run_tallies (the row as it was: run_tallies.recent, .n): its entries
// but the one leaving (remove: the first placeholder), and the one coming
// (add: the next), and — when the list held the one leaving and the group
// had more runs than it lists — the group's newest run older than its
// oldest listed one (the last placeholder, the entry leaving again),
// read from run_tally_keys, which holds the write's runs as written; the
// 50 newest of them, oldest first. Entries are "skey id" with a
// fixed-width skey, so text order is (started_at, id) order.
func topRecent(remove, add bool) string {
	var parts []string
	list := "string_to_array(run_tallies.recent, ',')"
	if remove {
		list = "array_remove(" + list + ", CAST(? AS TEXT))"
	}
	parts = append(parts, list)
	if add {
		parts = append(parts, "ARRAY[CAST(? AS TEXT)]")
	}
	if remove {
		parts = append(parts, fmt.Sprintf("ARRAY[CASE WHEN run_tallies.n > %d AND strpos(',' || run_tallies.recent || ',', ',' || CAST(? AS TEXT) || ',') > 0 THEN"+
			" (SELECT x.skey || ' ' || x.id FROM run_tally_keys x WHERE x.unit_id = run_tallies.unit_id AND x.kind = run_tallies.kind"+
			" AND x.status = '%s' AND x.review_state = run_tallies.review_state AND x.gkey = run_tallies.gkey"+
			" AND x.started_at <= CAST(split_part(run_tallies.recent, ' ', 1) AS TIMESTAMPTZ)"+
			" AND x.skey || ' ' || x.id < split_part(run_tallies.recent, ',', 1) ORDER BY x.started_at DESC, x.id DESC LIMIT 1) END]",
			recentRuns, string(models.Active)))
	}
	return fmt.Sprintf("coalesce((SELECT string_agg(e, ',' ORDER BY e) FROM (SELECT DISTINCT e FROM unnest(%s) AS u(e)"+
		" WHERE e IS NOT NULL ORDER BY e DESC LIMIT %d) z), '')", strings.Join(parts, " || "), recentRuns)
}
