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
	// lists of several groups merge in time order. Read them with Listed
	// or Latest: a group read from the store may hold them as Recent.
	IDs  []string
	Keys []string
	// Recent, when IDs is nil, is the same list as the store keeps it:
	// "key id" entries, oldest first, joined by commas — or several such
	// lists joined by ";" (groups the store folded into one, each list in
	// its own order). It is parsed only by what reads it (Listed, Latest,
	// LatestIDs): an answer shows a unit's latest 50 ids (issue #18).
	Recent string
}

// lists are g.Recent's sorted lists.
func (g *RunGroup) lists() []string {
	if !strings.Contains(g.Recent, ";") {
		return []string{g.Recent}
	}
	return strings.Split(g.Recent, ";")
}

// Listed returns the group's listed run ids and their keys, oldest first.
func (g *RunGroup) Listed() (ids, keys []string) {
	if g.IDs != nil || g.Recent == "" {
		return g.IDs, g.Keys
	}
	if strings.Contains(g.Recent, ";") {
		// Folded lists: every entry, merged in (key, id) order.
		n := strings.Count(g.Recent, ",") + strings.Count(g.Recent, ";") + 1
		ids = LatestIDs([]*Run{{Group: g}}, n)
		keys = make([]string, 0, len(ids))
		byID := map[string]string{}
		for _, l := range g.lists() {
			for e := range strings.SplitSeq(l, ",") {
				k, id, _ := strings.Cut(e, " ")
				byID[id] = k
			}
		}
		for _, id := range ids {
			keys = append(keys, byID[id])
		}
		return ids, keys
	}
	n := strings.Count(g.Recent, ",") + 1
	ids, keys = make([]string, 0, n), make([]string, 0, n)
	for e := range strings.SplitSeq(g.Recent, ",") {
		k, id, _ := strings.Cut(e, " ")
		ids, keys = append(ids, id), append(keys, k)
	}
	return ids, keys
}

// Latest returns the group's newest listed run id ("" when none is).
func (g *RunGroup) Latest() string {
	if g.IDs != nil || g.Recent == "" {
		if len(g.IDs) == 0 {
			return ""
		}
		return g.IDs[len(g.IDs)-1]
	}
	if strings.Contains(g.Recent, ";") {
		if l := LatestIDs([]*Run{{Group: g}}, 1); len(l) == 1 {
			return l[0]
		}
		return ""
	}
	e := g.Recent[strings.LastIndexByte(g.Recent, ',')+1:]
	_, id, _ := strings.Cut(e, " ")
	return id
}

// listed walks a group's listed runs (or a plain run) newest first,
// parsing only the entries it reaches.
type listed struct {
	g       *RunGroup
	rest    string // Recent not yet walked
	i       int    // IDs not yet walked: [0, i)
	key, id string // the current entry
}

func (c *listed) next() bool {
	switch {
	case c.g == nil:
		return false // a plain run: its one entry was set by the caller
	case c.g.IDs != nil || c.g.Recent == "":
		if c.i == 0 {
			return false
		}
		c.i--
		c.key, c.id = c.g.Keys[c.i], c.g.IDs[c.i]
		return true
	case c.rest == "":
		return false
	}
	j := strings.LastIndexByte(c.rest, ',')
	c.key, c.id, _ = strings.Cut(c.rest[j+1:], " ")
	c.rest = c.rest[:max(j, 0)]
	return true
}

func (c *listed) less(d *listed) bool {
	if c.key != d.key {
		return c.key < d.key
	}
	return c.id < d.id
}

// LatestIDs returns the ids of the latest n runs among runs in started_at
// order, oldest first: every run's, for plain runs, and for groups their
// listed ones (which hold the latest n of any set of groups when n ≤ 50).
// It merges newest first and parses only the entries it lists, not every
// group's whole list.
func LatestIDs(runs []*Run, n int) []string {
	heads := make([]*listed, 0, len(runs))
	for _, r := range runs {
		c := &listed{g: r.Group}
		switch {
		case r.Group == nil:
			c.key, c.id = r.StartedAt.UTC().Format(StartedKey), r.ID
		case r.Group.IDs != nil || r.Group.Recent == "":
			c.i = len(r.Group.IDs)
			if !c.next() {
				continue
			}
		default:
			for _, l := range r.Group.lists() {
				if c := (&listed{g: r.Group, rest: l}); c.next() {
					heads = append(heads, c)
				}
			}
			continue
		}
		heads = append(heads, c)
	}
	// A max-heap of each source's newest entry not yet taken.
	up := func(i int) {
		for i > 0 {
			p := (i - 1) / 2
			if !heads[p].less(heads[i]) {
				return
			}
			heads[p], heads[i] = heads[i], heads[p]
			i = p
		}
	}
	down := func(i int) {
		for {
			l, big := 2*i+1, i
			if l < len(heads) && heads[big].less(heads[l]) {
				big = l
			}
			if r := l + 1; r < len(heads) && heads[big].less(heads[r]) {
				big = r
			}
			if big == i {
				return
			}
			heads[big], heads[i] = heads[i], heads[big]
			i = big
		}
	}
	for i := range heads {
		up(i)
	}
	out := make([]string, 0, min(n, 64))
	for len(out) < n && len(heads) > 0 {
		top := heads[0]
		out = append(out, top.id)
		if !top.next() {
			heads[0] = heads[len(heads)-1]
			heads = heads[:len(heads)-1]
		}
		down(0)
	}
	slices.Reverse(out)
	return out
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
		ids, keys := g.Listed()
		unlisted := g.Count - len(ids)
		withRuntime := g.RuntimeN
		for j := range g.Count {
			c := r
			c.ID, c.RuntimeH = "", nil
			key := ""
			if j >= unlisted {
				c.ID, key = ids[j-unlisted], keys[j-unlisted]
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
