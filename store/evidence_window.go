package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"ruggedlab/models"
)

// windowSize is how many run ids an answer lists per unit (verdict's
// maxUnitRuns): a unit's latest 50 runs of a kind hold the latest 50 of
// any of its groups' runs that are newer than the window's oldest.
const windowSize = 50

// windowRun is one of a unit's latest runs of a kind: its group's key
// columns as read (review state and the kind's evidence columns), its id
// and started_at as the summaries spell it (models.StartedKey).
type windowRun struct {
	unit, key, id, review string
	vals                  []any
}

// anyRow is a row of n values to Scan into (ptrs point at vals): scanning
// into any skips database/sql's reflection; asText, asInt and asFloat
// read both drivers' types.
func anyRow(n int) (vals, ptrs []any) {
	vals, ptrs = make([]any, n), make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, ptrs
}

// olderFirst orders runs by (started_at, id), as their keys sort.
func olderFirst(a, b windowRun) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// exactWhere is the filter's exact-match conditions for kind k, on the
// columns of table alias a ("" for none): the WHERE of evidenceOfKind.
func exactWhere(k models.Kind, f EvidenceFilter, a string) (string, []any) {
	var sb strings.Builder
	var args []any
	add := func(kind models.Kind, col string, v any) {
		if kind == k {
			sb.WriteString(" AND " + a + col + " = ?")
			args = append(args, v)
		}
	}
	if f.HeightM != nil {
		add(models.Drop, "height_m", *f.HeightM)
	}
	if f.Surface != "" {
		add(models.Drop, "surface", f.Surface)
	}
	if f.Procedure != "" {
		add(models.Temperature, "procedure", f.Procedure)
	}
	if f.IPCode != "" {
		add(models.Ingress, "ip_code", f.IPCode)
	}
	if f.Protocol != "" {
		add(models.Battery, "protocol", f.Protocol)
	}
	return sb.String(), args
}

// latestRuns reads each unit's latest windowSize active runs of kind k
// that the filter selects (handsets and exact matches), with cols, by
// unit then oldest first. One statement walking the runs_unit_kind index
// (migration 00022) backwards per unit, so it costs per unit, not per run
// (issue #18): a
// LATERAL subquery on PostgreSQL; on SQLite, which has none, each unit's
// 50th latest started_at (a correlated LIMIT 1 OFFSET 49) bounds the
// index range read for it. Runs tied with that 50th at the same instant
// may come too: they are dropped here, in (started_at, id) order. Status
// is spelled as a literal, the partial index's WHERE; without cols or
// exact matches the index alone answers (SQLite: since 00024, which holds
// status, the column of its WHERE).
//
// units, when not nil, restricts the read to those units.
func (s *Store) latestRuns(ctx context.Context, k models.Kind, f EvidenceFilter, handsetIDs, units []string, cols []evidenceColumn) (map[string][]windowRun, error) {
	// Without cols, no review state either: the index alone answers.
	review := "'' AS review_state"
	if len(cols) > 0 {
		review = "r.review_state"
	}
	var list strings.Builder // after the review state
	for _, c := range cols {
		list.WriteString(", r." + c.name)
	}
	cond, cargs := exactWhere(k, f, "r.")
	var q strings.Builder
	var args []any
	var unitWhere string
	var unitArgs []any
	if len(f.Handsets) > 0 {
		unitWhere, unitArgs = " WHERE u.handset_id IN ?", []any{handsetIDs}
	}
	if units != nil {
		unitWhere = strings.Replace(unitWhere, " WHERE ", " AND ", 1)
		unitWhere, unitArgs = " WHERE u.id IN ?"+unitWhere, append([]any{units}, unitArgs...)
	}
	if len(cols) == 0 && cond == "" {
		return s.unitLists(ctx, k, unitWhere, unitArgs) // kept by the writes (00026)
	}
	if len(cols) == 0 {
		return s.latestLists(ctx, k, cond, cargs, unitWhere, unitArgs)
	}
	if s.engine == Postgres {
		q.WriteString(`SELECT u.id, r.skey, r.id, r.review_state` + list.String() + ` FROM units u CROSS JOIN LATERAL (SELECT r.id, ` + review + list.String() + `,` +
			` to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS skey FROM runs r` +
			` WHERE r.unit_id = u.id AND r.kind = ? AND r.status = 'active'` + cond +
			` ORDER BY r.started_at DESC, r.id DESC LIMIT 50) r` + unitWhere)
		args = append(append(append(args, string(k)), cargs...), unitArgs...)
	} else {
		cond2, _ := exactWhere(k, f, "r2.")
		// CROSS JOIN: SQLite keeps units as the outer loop, so the
		// bound is computed once per unit and seeks the index.
		q.WriteString(`SELECT u.id, CAST(r.started_at AS TEXT), r.id, ` + review + list.String() +
			` FROM units u CROSS JOIN runs r INDEXED BY runs_unit_kind ON r.unit_id = u.id` +
			` AND r.kind = ? AND r.status = 'active'` + cond +
			` AND r.started_at >= coalesce((SELECT r2.started_at FROM runs r2 INDEXED BY runs_unit_kind WHERE r2.unit_id = u.id AND r2.kind = ? AND r2.status = 'active'` + cond2 +
			` ORDER BY r2.started_at DESC, r2.id DESC LIMIT 1 OFFSET 49), '')` + unitWhere)
		args = append(append(args, string(k)), cargs...)
		args = append(append(append(args, string(k)), cargs...), unitArgs...)
	}
	rows, err := s.db.WithContext(ctx).Raw(q.String(), args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]windowRun{}
	for rows.Next() {
		vals, ptrs := anyRow(4 + len(cols)) // per row: a windowRun keeps its vals
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		u := asText(vals[0])
		out[u] = append(out[u], windowRun{unit: u, key: asText(vals[1]), id: asText(vals[2]), review: asText(vals[3]), vals: vals[4:]})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for u, w := range out {
		slices.SortFunc(w, olderFirst)
		out[u] = w[max(0, len(w)-windowSize):]
	}
	return out, nil
}

// latestLists is latestRuns without columns (the drop compare's ids): each
// unit's latest 50 come as one row, "key id" entries joined by commas by
// the database — 71 rows at 100,000 runs rather than 3,550, whose
// per-row cost in the driver was most of the read. The entries are the
// ones latestRuns reads, each unit's LIMIT 50 in (started_at, id) order.
func (s *Store) latestLists(ctx context.Context, k models.Kind, cond string, cargs []any, unitWhere string, unitArgs []any) (map[string][]windowRun, error) {
	var q string
	if s.engine == Postgres {
		q = `SELECT u.id, l.list FROM units u CROSS JOIN LATERAL (SELECT string_agg(x.skey || ' ' || x.id, ',') AS list FROM (SELECT r.id,` +
			` to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS skey FROM runs r` +
			` WHERE r.unit_id = u.id AND r.kind = ? AND r.status = 'active'` + cond +
			` ORDER BY r.started_at DESC, r.id DESC LIMIT 50) x) l` + unitWhere
	} else {
		q = `SELECT u.id, (SELECT group_concat(x.skey || ' ' || x.id, ',') FROM (SELECT CAST(r.started_at AS TEXT) AS skey, r.id AS id` +
			` FROM runs r INDEXED BY runs_unit_kind WHERE r.unit_id = u.id AND r.kind = ? AND r.status = 'active'` + cond +
			` ORDER BY r.started_at DESC, r.id DESC LIMIT 50) AS x) FROM units u` + unitWhere
	}
	return s.windowLists(ctx, q, append(append([]any{string(k)}, cargs...), unitArgs...), true)
}

// windowLists runs q, which answers (unit id, its "skey id" entries joined
// by commas), and returns each unit's entries oldest first: sorted here
// when newestFirst, as a walk down the index joins them.
func (s *Store) windowLists(ctx context.Context, q string, args []any, newestFirst bool) (map[string][]windowRun, error) {
	rows, err := s.db.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]windowRun{}
	var unit, list sql.NullString
	for rows.Next() {
		if err := rows.Scan(&unit, &list); err != nil {
			return nil, err
		}
		if list.String == "" {
			continue // a unit without such runs
		}
		w := parseWindow(unit.String, list.String)
		if newestFirst {
			slices.SortFunc(w, olderFirst)
		}
		out[unit.String] = w
	}
	return out, rows.Err()
}

// MatrixEvidence is Evidence for verdict matrices: the same groups, in the
// same order, but a group lists only the ids its rules show, not always
// its own stored list — which for 3,106 drop groups at 100,000 runs was
// ~25,000 entries read and parsed for a matrix that shows at most 50 per
// unit and requirement (issue #18). selects are the matrix's evidence
// rules (a requirement's match, and its review state when the profile
// counts verified evidence only). A rule selecting at most 50 of a unit's
// runs gets its groups' stored lists, complete at that size; for one
// selecting more, its groups list their runs among the unit's latest 50
// of the kind (latestRuns) — or, when fewer than 50 of the rule's runs
// are among them, their stored lists (which merge to the rule's latest
// 50). A group no rule selects lists at most its runs in that window.
// Repair groups keep their lists. Tests prove the matrix gives the same
// bytes over both.
func (s *Store) MatrixEvidence(ctx context.Context, f EvidenceFilter, selects []func(*models.Run) bool) (Evidence, error) {
	return s.evidence(ctx, f, evidenceMode{tallies: true, window: true, selects: selects})
}

// colKey is a group's identity within its unit and kind: review state and
// evidence columns as read, NULL apart from every value (run_tallies'
// gkey, in Go), so a run read from runs finds its group.
func colKey(review any, vals []any) string {
	var b strings.Builder
	b.WriteString(asText(review))
	for _, v := range vals {
		b.WriteByte('|')
		switch x := v.(type) {
		case nil:
			b.WriteByte('~')
		case bool:
			if x {
				b.WriteByte('1')
			} else {
				b.WriteByte('0')
			}
		case int64:
			b.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 64))
		case float64:
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		default:
			t := asText(x)
			b.WriteString(strconv.Itoa(len(t)) + ":" + t)
		}
	}
	return b.String()
}

// windowIDs gives groups (of kind k; unitIDs[i] is group i's unit, keyVals
// their review states and columns, 1+len(cols) values each) the ids of
// the runs the matrix's rules need (MatrixEvidence). A rule selecting at most windowSize of a unit's runs
// needs all of them: its groups' stored lists, which are complete (a
// group's list holds its latest 50). Only units where some rule selects
// more read their latest runs — at 100,000 runs, the demo profile's drop
// rules select the demo's few runs per unit, and the 100,000 imported ones
// none, so no unit does and the window is not read at all.
func (s *Store) windowIDs(ctx context.Context, k models.Kind, f EvidenceFilter, handsetIDs []string, cols []evidenceColumn,
	selects []func(*models.Run) bool, groups []models.Run, unitIDs []string, keyVals []any, stored []tallyKey) error {
	byUnit := map[string][]int{} // a unit's groups
	for i, u := range unitIDs {
		byUnit[u] = append(byUnit[u], i)
	}
	full := map[int]bool{}      // groups given their stored lists
	big := map[string][][]int{} // a unit's rules selecting more than windowSize runs: their groups
	var windowUnits []string
	for u, idx := range byUnit {
		for _, sel := range selects {
			total := 0
			var picked []int
			for _, i := range idx {
				if r := &groups[i]; sel(r) {
					total += r.Group.Count
					picked = append(picked, i)
				}
			}
			if total <= windowSize {
				for _, i := range picked {
					full[i] = true
				}
				continue
			}
			if big[u] == nil {
				windowUnits = append(windowUnits, u)
			}
			big[u] = append(big[u], picked)
		}
	}
	if len(windowUnits) > 0 {
		latest, err := s.latestRuns(ctx, k, f, handsetIDs, windowUnits, cols)
		if err != nil {
			return err
		}
		inWindow := make(map[int]int) // a group's runs in its unit's window
		for u, w := range latest {
			at := make(map[string]int, len(byUnit[u]))
			for _, i := range byUnit[u] {
				kv := keyVals[i*(1+len(cols)) : (i+1)*(1+len(cols))]
				at[colKey(kv[0], kv[1:])] = i
			}
			for _, lr := range w { // oldest first: each group's list too
				i, ok := at[colKey(lr.review, lr.vals)]
				if !ok {
					continue // a run written since the groups were read
				}
				inWindow[i]++
				if !full[i] {
					g := groups[i].Group
					g.IDs, g.Keys = append(g.IDs, lr.id), append(g.Keys, lr.key)
				}
			}
		}
		// A rule whose window holds fewer than 50 of its runs may miss
		// some of its latest 50 (older than the unit's window): its groups
		// get their stored lists, which merge to its latest 50.
		for _, rules := range big {
			for _, picked := range rules {
				n := 0
				for _, i := range picked {
					n += inWindow[i]
				}
				if n < windowSize {
					for _, i := range picked {
						full[i] = true
					}
				}
			}
		}
	}
	if len(full) > 0 {
		want := make([]int, 0, len(full))
		for i := range full {
			want = append(want, i)
		}
		slices.Sort(want) // the same statement for the same data
		if err := s.storedLists(ctx, k, want, groups, stored); err != nil {
			return err
		}
	}
	for i := range groups {
		groups[i].ID = groups[i].Group.Latest()
	}
	return nil
}

// storedLists gives groups[i], for i in want, its stored id list
// (run_tallies.recent), read by primary key: only those lists are read.
func (s *Store) storedLists(ctx context.Context, k models.Kind, want []int, groups []models.Run, stored []tallyKey) error {
	at := make(map[tallyKey]int, len(want))
	for _, i := range want {
		at[stored[i]] = i
	}
	const chunk = 500 // 3 parameters each, far below either engine's limit
	for part := range slices.Chunk(want, chunk) {
		in, args := rowsIn("unit_id, review_state, gkey", len(part), func(n int) []any {
			g := stored[part[n]]
			return []any{g.unit, g.review, g.gkey}
		})
		q := "SELECT unit_id, review_state, gkey, recent FROM run_tallies WHERE kind = ? AND " + in
		if err := s.readLists(ctx, q, append([]any{string(k)}, args...), string(k), at, groups); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) readLists(ctx context.Context, q string, args []any, kind string, at map[tallyKey]int, groups []models.Run) error {
	rows, err := s.db.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	vals, ptrs := anyRow(4)
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		i, ok := at[tallyKey{unit: asText(vals[0]), kind: kind, review: asText(vals[1]), gkey: asText(vals[2])}]
		if !ok {
			continue
		}
		list := &models.RunGroup{Recent: asText(vals[3])}
		g := groups[i].Group
		g.IDs, g.Keys = list.Listed()
		if g.IDs == nil {
			g.IDs, g.Keys = []string{}, []string{}
		}
	}
	return rows.Err()
}
