package models

import (
	"slices"
	"strings"
)

// RunGroup is what a Run that stands for several runs carries: how many,
// their battery runtimes summed, and the ids of the latest of them.
// Statistics weight the Run by Count (verdict); kind fields are the
// group's own, shared by all its runs. RuntimeH of such a Run is the
// group's mean runtime.
type RunGroup struct {
	Count      int
	RuntimeSum float64 // over the runs that have a runtime
	RuntimeN   int     // how many have one
	// IDs are the group's latest runs (at most 50), oldest first, with
	// Keys their started_at as fixed-width UTC text (same order), so the
	// lists of several groups merge in time order.
	IDs  []string
	Keys []string
}

// StartedKey is started_at as group keys spell it: fixed-width UTC text
// whose string order is time order.
const StartedKey = "2006-01-02T15:04:05.000000Z07:00"

// Weight is how many runs r stands for: its group's count, or 1.
func (r *Run) Weight() int {
	if r.Group != nil {
		return r.Group.Count
	}
	return 1
}

// Runtime is r's battery runtime as a sum over n runs (a plain run: its
// own runtime, n = 1 — or 0 without one).
func (r *Run) Runtime() (sum float64, n int) {
	if r.Group != nil {
		return r.Group.RuntimeSum, r.Group.RuntimeN
	}
	if r.RuntimeH != nil {
		return *r.RuntimeH, 1
	}
	return 0, 0
}

// ExpandGroups turns every group in runs back into one plain Run per run
// it counts, for readers that look at runs one by one (the label
// yardsticks, repair pages): copies of the group's fields, with its listed
// ids (beyond the 50 listed, an empty id) and, for battery, the group's
// mean runtime on as many copies as had a runtime. Within a kind, runs come
// in started_at order; plain runs are kept as they are.
func ExpandGroups(runs []Run) []Run {
	grouped := false
	n := 0
	for i := range runs {
		if runs[i].Group != nil {
			grouped = true
		}
		n += runs[i].Weight()
	}
	if !grouped {
		return runs
	}
	type keyed struct {
		key string
		run Run
	}
	var out []Run
	flush := func(ks []keyed) {
		slices.SortStableFunc(ks, func(a, b keyed) int {
			if c := strings.Compare(a.key, b.key); c != 0 {
				return c
			}
			return strings.Compare(a.run.ID, b.run.ID)
		})
		for _, k := range ks {
			out = append(out, k.run)
		}
	}
	out = make([]Run, 0, n)
	var kind []keyed
	for i := range runs {
		r := runs[i]
		if len(kind) > 0 && kind[0].run.Kind != r.Kind {
			flush(kind)
			kind = kind[:0]
		}
		g := r.Group
		if g == nil {
			kind = append(kind, keyed{r.StartedAt.UTC().Format(StartedKey), r})
			continue
		}
		r.Group = nil
		unlisted := g.Count - len(g.IDs)
		withRuntime := g.RuntimeN
		for j := range g.Count {
			c := r
			c.ID, c.RuntimeH = "", nil
			key := ""
			if j >= unlisted {
				c.ID, key = g.IDs[j-unlisted], g.Keys[j-unlisted]
			}
			if r.Kind == Battery && withRuntime > 0 {
				c.RuntimeH = new(g.RuntimeSum / float64(g.RuntimeN))
				withRuntime--
			}
			kind = append(kind, keyed{key, c})
		}
	}
	flush(kind)
	return out
}
