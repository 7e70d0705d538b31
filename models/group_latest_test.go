package models

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// LatestIDs merges newest first and stops at n; it must list what sorting
// every listed entry and keeping the last n lists, for groups held as
// parsed lists or as the store's text, mixed with plain runs, and with
// ties on started_at broken by id.
func TestLatestIDsIsSortedTail(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	for trial := range 200 {
		var runs []*Run
		type entry struct{ key, id string }
		var all []entry
		for g := range 1 + rng.IntN(8) {
			n := rng.IntN(60)
			var es []entry
			for i := range n {
				at := start.Add(time.Duration(rng.IntN(40)) * time.Minute) // ties on purpose
				es = append(es, entry{at.Format(StartedKey), fmt.Sprintf("r%d-%d-%02d", trial, g, i)})
			}
			slices.SortFunc(es, func(a, b entry) int { return strings.Compare(a.key+" "+a.id, b.key+" "+b.id) })
			all = append(all, es...)
			grp := &RunGroup{Count: n + rng.IntN(3)}
			if rng.IntN(2) == 0 {
				parts := make([]string, len(es))
				for i, e := range es {
					parts[i] = e.key + " " + e.id
				}
				grp.Recent = strings.Join(parts, ",")
			} else {
				for _, e := range es {
					grp.IDs, grp.Keys = append(grp.IDs, e.id), append(grp.Keys, e.key)
				}
			}
			runs = append(runs, &Run{Group: grp})
			if ids, _ := grp.Listed(); len(ids) != len(es) {
				t.Fatalf("Listed: %d ids, want %d", len(ids), len(es))
			}
			if want := ""; len(es) > 0 && grp.Latest() != es[len(es)-1].id || len(es) == 0 && grp.Latest() != want {
				t.Fatalf("Latest %q, want the last of %v", grp.Latest(), es)
			}
		}
		// Some groups folded into one, their lists joined by ";" as the
		// store folds them (CompareEvidence).
		if len(runs) > 1 && rng.IntN(2) == 0 {
			fold := &RunGroup{}
			var lists []string
			for _, r := range runs {
				fold.Count += r.Group.Count
				ids, keys := r.Group.Listed()
				var parts []string
				for i := range ids {
					parts = append(parts, keys[i]+" "+ids[i])
				}
				if len(parts) > 0 {
					lists = append(lists, strings.Join(parts, ","))
				}
			}
			fold.Recent = strings.Join(lists, ";")
			runs = []*Run{{Group: fold}}
			if ids, keys := fold.Listed(); len(ids) != len(all) || len(keys) != len(all) {
				t.Fatalf("folded Listed: %d ids, want %d", len(ids), len(all))
			}
		}
		for i := range rng.IntN(3) {
			at := start.Add(time.Duration(rng.IntN(40)) * time.Minute)
			id := fmt.Sprintf("p%d-%d", trial, i)
			runs = append(runs, &Run{ID: id, StartedAt: at})
			all = append(all, entry{at.Format(StartedKey), id})
		}
		slices.SortFunc(all, func(a, b entry) int {
			if c := strings.Compare(a.key, b.key); c != 0 {
				return c
			}
			return strings.Compare(a.id, b.id)
		})
		all = all[max(0, len(all)-50):]
		want := []string{}
		for _, e := range all {
			want = append(want, e.id)
		}
		if got := LatestIDs(runs, 50); !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: LatestIDs\n%v\nwant\n%v", trial, got, want)
		}
	}
}
