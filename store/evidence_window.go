package store

import (
	"context"
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
func (s *Store) latestRuns(ctx context.Context, k models.Kind, f EvidenceFilter, handsetIDs []string, cols []evidenceColumn) (map[string][]windowRun, error) {
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
	unitWhere := ""
	if len(f.Handsets) > 0 {
		unitWhere = " WHERE u.handset_id IN ?"
	}
	if s.engine == Postgres {
		q.WriteString(`SELECT u.id, r.skey, r.id, r.review_state` + list.String() + ` FROM units u CROSS JOIN LATERAL (SELECT r.id, ` + review + list.String() + `,` +
			` to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS skey FROM runs r` +
			` WHERE r.unit_id = u.id AND r.kind = ? AND r.status = 'active'` + cond +
			` ORDER BY r.started_at DESC, r.id DESC LIMIT 50) r` + unitWhere)
		args = append(append(args, string(k)), cargs...)
		if unitWhere != "" {
			args = append(args, handsetIDs)
		}
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
		args = append(append(args, string(k)), cargs...)
		if unitWhere != "" {
			args = append(args, handsetIDs)
		}
	}
	rows, err := s.db.WithContext(ctx).Raw(q.String(), args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]windowRun{}
	for rows.Next() {
		vals := make([]any, 4+len(cols))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
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
		slices.SortFunc(w, func(a, b windowRun) int {
			if c := strings.Compare(a.key, b.key); c != 0 {
				return c
			}
			return strings.Compare(a.id, b.id)
		})
		out[u] = w[max(0, len(w)-windowSize):]
	}
	return out, nil
}

// MatrixEvidence is Evidence for verdict matrices: the same groups, in the
// same order, but a group's ids are those of its unit's latest 50 runs of
// the kind (latestRuns) that belong to it, not its own stored list — which
// for 3,106 drop groups at 100,000 runs was ~25,000 entries read and
// parsed for a matrix that shows at most 50 per unit and requirement
// (issue #18). selects are the matrix's evidence rules (a requirement's
// match, and its review state when the profile counts verified evidence
// only): for each, a unit's latest 50 runs among the groups it selects
// are in that window — unless fewer than 50 of the window's runs are
// selected while the selected groups count more runs, and then that
// unit's groups of the kind get their stored lists (full lists merge to
// the same latest 50). Repair groups keep their lists. Tests prove the
// matrix gives the same bytes over both.
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

// windowIDs gives groups (of kind k, unitIDs[i] and gkeys[i] group i's
// unit and colKey) the ids of their units' latest runs (MatrixEvidence).
func (s *Store) windowIDs(ctx context.Context, k models.Kind, f EvidenceFilter, handsetIDs []string, cols []evidenceColumn,
	selects []func(*models.Run) bool, groups []models.Run, unitIDs, gkeys, stored []string) error {
	latest, err := s.latestRuns(ctx, k, f, handsetIDs, cols)
	if err != nil {
		return err
	}
	byUnit := map[string]map[string]int{}
	for i, u := range unitIDs {
		if byUnit[u] == nil {
			byUnit[u] = map[string]int{}
		}
		byUnit[u][gkeys[i]] = i
	}
	for u, w := range latest {
		for _, lr := range w { // oldest first: each group's list too
			i, ok := byUnit[u][colKey(lr.review, lr.vals)]
			if !ok {
				continue // a run written since the groups were read
			}
			g := groups[i].Group
			g.IDs, g.Keys = append(g.IDs, lr.id), append(g.Keys, lr.key)
		}
	}
	// A rule whose window may not hold its latest 50 (fewer of the
	// window's runs are in its groups than 50 and than its groups count):
	// its groups get their stored lists, and only they are read — those of
	// a requirement matching none of a unit's latest runs are the unit's
	// older, smaller groups (the demo's, at 100,000 runs).
	var want []string
	marked := map[int]bool{}
	for _, idx := range byUnit {
		for _, sel := range selects {
			inWindow, total := 0, 0
			var picked []int
			for _, i := range idx {
				if r := &groups[i]; sel(r) {
					inWindow += len(r.Group.IDs)
					total += r.Group.Count
					picked = append(picked, i)
				}
			}
			if inWindow >= windowSize || inWindow >= total {
				continue
			}
			for _, i := range picked {
				if !marked[i] {
					marked[i] = true
					want = append(want, stored[i])
				}
			}
		}
	}
	if len(want) > 0 {
		if err := s.storedLists(ctx, k, want, groups, stored); err != nil {
			return err
		}
	}
	for i := range groups {
		groups[i].ID = groups[i].Group.Latest()
	}
	return nil
}

// storedKey is a group's primary key (with its kind) as one text.
func storedKey(unit, review, gkey any) string {
	return asText(unit) + "|" + asText(review) + "|" + asText(gkey)
}

// storedLists gives the groups of kind k whose storedKey is in want their
// stored id lists (run_tallies.recent): the condition is tested before
// the list is read, so only those lists are.
func (s *Store) storedLists(ctx context.Context, k models.Kind, want []string, groups []models.Run, stored []string) error {
	at := make(map[string]int, len(stored))
	for i, key := range stored {
		at[key] = i
	}
	rows, err := s.db.WithContext(ctx).Raw("SELECT unit_id, review_state, gkey, recent FROM run_tallies WHERE kind = ?"+
		" AND unit_id || '|' || review_state || '|' || gkey IN ?", string(k), want).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, 4)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		i, ok := at[storedKey(vals[0], vals[1], vals[2])]
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
