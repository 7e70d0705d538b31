package store

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"ruggedlab/models"
)

// sortByKey applies its permutation in place: every order of n distinct
// keys comes out sorted, each run still beside its own key.
func TestSortByKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 7, 50, 301} {
		keys := make([]string, n)
		runs := make([]models.Run, n)
		for i := range keys {
			keys[i] = strconv.Itoa(100000 + i)
			runs[i].ID = keys[i]
		}
		rng.Shuffle(n, func(i, j int) {
			keys[i], keys[j] = keys[j], keys[i]
			runs[i], runs[j] = runs[j], runs[i]
		})
		sortByKey(runs, keys)
		ids := make([]string, n)
		for i := range runs {
			ids[i] = runs[i].ID
		}
		if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != n {
			t.Errorf("n=%d: %v", n, ids)
		}
	}
}
