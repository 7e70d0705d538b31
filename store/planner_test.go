package store_test

import (
	"context"
	"strings"
	"testing"

	"ruggedlab/store"
)

// TestImportRefreshesPlannerStats: after a large import the planner knows
// the runs are there; a small one leaves the statistics alone.
func TestImportRefreshesPlannerStats(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		if _, err := s.CreateImport(ctx, "drop", strings.NewReader(importDropFile(10, nil)), store.ImportOptions{By: "importer"}); err != nil {
			t.Fatal(err)
		}
		if n, err := store.PlannerRowEstimate(ctx, s, "runs"); err != nil || n >= 10 {
			t.Errorf("after 10 rows the planner estimates %v runs (%v): a small import analyzed", n, err)
		}
		if _, err := s.CreateImport(ctx, "drop", strings.NewReader(importDropFile(1500, nil)), store.ImportOptions{By: "importer"}); err != nil {
			t.Fatal(err)
		}
		n, err := store.PlannerRowEstimate(ctx, s, "runs")
		if err != nil || n < 1000 {
			t.Errorf("after 1,510 runs the planner estimates %v (%v)", n, err)
		}
		if err := s.RefreshPlannerStats(ctx); err != nil {
			t.Errorf("RefreshPlannerStats: %v", err)
		}
	})
}
