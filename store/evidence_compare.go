package store

import (
	"context"
	"strings"

	"ruggedlab/models"
)

// CompareEvidence is Evidence for verdict.Compare alone: drop groups come
// folded in SQL into at most three per unit — its failures, its censored
// runs, its runs that completed their plan — for a drop comparison reads
// of a unit only its earliest failure, its most drops completed, whether
// any run stopped early without failing, how many runs it has and their
// latest ids (verdict.dropOutcome). At 100,000 runs the 71 demo units have
// 3,106 drop groups, and reading and sorting them, one Run each, cost
// 24–48× the demo-size answer (issue #18); folded they are ~200 rows.
//
// The latest ids are not the groups' lists: concatenating and parsing
// every group's 50 (~25,000 entries at 100,000 runs, for 3,550 shown)
// was most of what was left. They are each unit's latest 50 runs, read
// from the runs_unit_kind index alone (latestRuns), all given to the
// unit's first folded row: a unit's ids are merged across its rows.
//
// A folded Run is no run: its columns are the aggregates above (planned
// drops only says whether the role completed its plan), its Group lists
// the unit's latest 50 ids (the unit's first row) or none. Other kinds, and anything that reads drop runs' other columns
// (the compare page's sections and charts, the matrix), use Evidence.
// Tests prove verdict.Compare gives the same bytes over both.
// dropRole is a drop group's role in the fold, spelt as SQLite's index
// run_tallies_drop holds it (migration 00025): SQLite matches an indexed
// expression by its text, so this must stay the migration's.
const dropRole = "(CASE WHEN first_failure_drop IS NOT NULL THEN 0 WHEN planned_drops IS NULL OR coalesce(drops_completed, 0) < planned_drops THEN 1 ELSE 2 END)"

func (s *Store) CompareEvidence(ctx context.Context, f EvidenceFilter) (Evidence, error) {
	if len(f.Kinds) != 1 || f.Kinds[0] != models.Drop {
		return s.Evidence(ctx, f)
	}
	ev, sc, err := s.evidenceScope(ctx, f)
	if err != nil || len(ev.Handsets) == 0 {
		return ev, err
	}
	codes, ids, serials := sc.codes, sc.ids, sc.serials
	// The latest ids are read on another connection while the fold runs:
	// two reads that need nothing of each other, the fold the longer
	// (issue #18). It shortens one answer; the CPU spent is the same.
	type lists struct {
		latest map[string][]windowRun
		err    error
	}
	listed := make(chan lists, 1)
	go func() {
		latest, err := s.latestRuns(ctx, models.Drop, f, ids, nil, nil)
		listed <- lists{latest, err}
	}()
	q, args := dropFold(f, ids)
	rows, err := s.db.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return Evidence{}, translate(err, "evidence")
	}
	defer rows.Close()
	first := map[string]int{} // unit id → its first row in ev.Runs
	vals, ptrs := anyRow(7)
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return Evidence{}, translate(err, "evidence")
		}
		g := &models.RunGroup{Count: asIntValue(vals[3]), IDs: []string{}, Keys: []string{}}
		r := models.Run{Kind: models.Drop, Handset: codes[asText(vals[1])], Unit: serials[asText(vals[0])], Status: models.Active,
			DropsCompleted: asInt(vals[5]), Group: g}
		role := asIntValue(vals[2])
		switch role {
		case 0:
			r.FirstFailureDrop = asInt(vals[4])
		case 2:
			r.PlannedDrops = asInt(vals[6]) // ≤ every run's completed drops, so ≤ the max
		}
		if _, ok := first[asText(vals[0])]; !ok {
			first[asText(vals[0])] = len(ev.Runs)
		}
		ev.Runs = append(ev.Runs, r)
	}
	if err := rows.Err(); err != nil {
		return Evidence{}, translate(err, "evidence")
	}
	l := <-listed
	if l.err != nil {
		return Evidence{}, translate(l.err, "evidence")
	}
	for unit, w := range l.latest {
		i, ok := first[unit]
		if !ok {
			continue // a unit whose runs were written since the fold
		}
		g := ev.Runs[i].Group
		for _, lr := range w {
			g.IDs, g.Keys = append(g.IDs, lr.id), append(g.Keys, lr.key)
		}
	}
	for i := range ev.Runs {
		ev.Runs[i].ID = ev.Runs[i].Group.Latest()
	}
	return ev, nil
}

// dropFold is the fold's statement: per unit and role — 0 failed, 1
// stopped early without failing (censored), 2 completed its plan,
// dropOutcome's three cases in its own terms (a missing drops_completed
// counts as 0) — the runs, the earliest failure, the most drops completed
// and the fewest planned. ids are the handsets' ids when f names some.
func dropFold(f EvidenceFilter, ids []string) (string, []any) {
	var sel strings.Builder
	sel.WriteString("SELECT unit_id, handset_id, " + dropRole + ", sum(n), min(first_failure_drop), max(drops_completed), min(planned_drops)" +
		" FROM run_tallies WHERE kind = ?")
	args := []any{string(models.Drop)}
	if len(f.Handsets) > 0 {
		sel.WriteString(" AND handset_id IN ?")
		args = append(args, ids)
	}
	cond, cargs := exactWhere(models.Drop, f, "")
	sel.WriteString(cond)
	args = append(args, cargs...)
	// In index order on SQLite (00025): unit, handset, role — no sort.
	sel.WriteString(" GROUP BY unit_id, handset_id, " + dropRole + " ORDER BY unit_id, handset_id, " + dropRole)
	return sel.String(), args
}
