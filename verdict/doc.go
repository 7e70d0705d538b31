// Package verdict turns runs into what evaluators read: side-by-side
// comparison statistics per test kind (api.md §7), requirement verdicts for
// a tender profile (api.md §6), how many more units a verdict needs, and
// the diff between two profile versions.
//
// It is pure: runs in, results out; no database, HTTP or clock. The store
// fetches the runs (store.Evidence); handlers and pages render the results.
//
// Units, not runs, are counted (domain.md §6.5, "pseudo-replication"): a
// unit passes a requirement when ALL its matching active runs pass; battery
// runtimes are averaged per unit first, and the unit counts once, by its
// mean. Retracted runs never count, even when a caller passes them in.
// Responses say so with "counted": "units".
package verdict

import (
	"slices"
	"strings"

	"ruggedlab/models"
)

// Counted names what proportions and means count.
const Counted = "units"

// DefaultConfidence is the level of comparison intervals (api.md §7: 95 %).
const DefaultConfidence = 0.95

// unit is one physical handset and its runs that are evidence for a
// question, oldest first as the store returns them. A run may stand for a
// group of runs (models.RunGroup, from the store's per-unit summaries):
// counts weigh it by its group's count, and a run passes or fails for
// every run of its group alike.
type unit struct {
	serial string
	runs   []*models.Run // into the caller's slice: runs are never copied
}

// maxUnitRuns bounds the run ids a unit lists when its runs come grouped:
// the latest ones, oldest first; runs_total says how many there are.
const maxUnitRuns = 50

// runIDs lists the unit's run ids in started_at order: every run's for
// plain runs; for grouped ones, the latest maxUnitRuns of the groups'
// listed ids, merged in time order.
func (u unit) runIDs() []string {
	grouped := false
	for _, r := range u.runs {
		if r.Group != nil {
			grouped = true
			break
		}
	}
	if !grouped {
		ids := make([]string, len(u.runs))
		for i, r := range u.runs {
			ids[i] = r.ID
		}
		return ids
	}
	return models.LatestIDs(u.runs, maxUnitRuns)
}

// count is how many runs the unit's runs stand for.
func (u unit) count() int {
	n := 0
	for _, r := range u.runs {
		n += r.Weight()
	}
	return n
}

// counts reports whether a run may count: retracted runs never do.
func counts(r *models.Run) bool { return r.Status != models.Retracted }

// byHandset groups the counting runs that keep returns true for by handset
// code, then by unit serial (units sorted by serial, so results do not
// depend on query order).
func byHandset(runs []models.Run, keep func(*models.Run) bool) map[string][]unit {
	idx := map[string]map[string]int{}
	out := map[string][]unit{}
	for i := range runs {
		r := &runs[i]
		if !counts(r) || !keep(r) {
			continue
		}
		if idx[r.Handset] == nil {
			idx[r.Handset] = map[string]int{}
		}
		i, ok := idx[r.Handset][r.Unit]
		if !ok {
			i = len(out[r.Handset])
			idx[r.Handset][r.Unit] = i
			out[r.Handset] = append(out[r.Handset], unit{serial: r.Unit})
		}
		out[r.Handset][i].runs = append(out[r.Handset][i].runs, r)
	}
	for code := range out {
		slices.SortFunc(out[code], func(a, b unit) int { return strings.Compare(a.serial, b.serial) })
	}
	return out
}

func allRunIDs(units []unit) []string {
	ids := []string{}
	for _, u := range units {
		ids = append(ids, u.runIDs()...)
	}
	return ids
}

func allRunsCount(units []unit) int {
	n := 0
	for _, u := range units {
		n += u.count()
	}
	return n
}

func ptr[T any](v T) *T { return &v }
