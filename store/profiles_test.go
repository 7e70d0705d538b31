package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"ruggedlab/models"
	"ruggedlab/store"
)

func testProfile(name string, target float64) models.Profile {
	return models.Profile{Name: name, Requirements: []models.Requirement{{
		Key: "drop-2m", Title: "26 drops", Kind: models.Drop,
		Where:        models.Where{HeightMMin: ptr(2.0), Surface: []string{"concrete"}},
		UnitPassesIf: models.UnitPassesIf{DropsCompletedMin: ptr(26), WorstSeverityMax: ptr(2)},
		Decision:     models.Decision{Rule: models.LowerBound, Target: ptr(target), Confidence: 0.95}, MinUnits: 5}}}
}

func TestProfiles(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v1, err := s.CreateProfile(ctx, testProfile("FSI tender", 0.5), "buyer")
		if err != nil {
			t.Fatal(err)
		}
		if v1.ID == "" || v1.Version != 1 || v1.RecordedBy != "buyer" || !v1.RecordedAt.Equal(testNow) {
			t.Errorf("created %+v", v1)
		}
		// A new version without a name keeps the old one; versions never change.
		next := testProfile("", 0.8)
		v2, err := s.CreateProfileVersion(ctx, v1.ID, next, "buyer")
		if err != nil {
			t.Fatal(err)
		}
		if v2.ID != v1.ID || v2.Version != 2 || v2.Name != "FSI tender" {
			t.Errorf("version 2 = %+v", v2)
		}
		for _, tc := range []struct {
			version int
			target  float64
			want    int
		}{{0, 0.8, 2}, {1, 0.5, 1}, {2, 0.8, 2}} {
			got, err := s.Profile(ctx, v1.ID, tc.version)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != tc.want || *got.Requirements[0].Decision.Target != tc.target || got.Requirements[0].MinUnits != 5 ||
				!slices.Equal(got.Requirements[0].Where.Surface, []string{"concrete"}) {
				t.Errorf("Profile(version %d) = %+v", tc.version, got)
			}
		}
		if versions, err := s.ProfileVersions(ctx, v1.ID); err != nil || !slices.Equal(versions, []int{1, 2}) {
			t.Errorf("versions %v, %v", versions, err)
		}
		for _, tc := range []struct {
			id      string
			version int
		}{{"nope", 0}, {v1.ID, 3}} {
			if _, err := s.Profile(ctx, tc.id, tc.version); code(err) != models.NotFound {
				t.Errorf("Profile(%s, %d): %v, want not found", tc.id, tc.version, err)
			}
		}
		if _, err := s.CreateProfileVersion(ctx, "nope", testProfile("x", 0.5), "b"); code(err) != models.NotFound {
			t.Errorf("version of an unknown profile: %v", err)
		}
		bad := testProfile("x", 1.5)
		if _, err := s.CreateProfile(ctx, bad, "b"); code(err) != models.Invalid {
			t.Errorf("invalid profile: %v", err)
		}
		if _, err := s.CreateProfileVersion(ctx, v1.ID, bad, "b"); code(err) != models.Invalid {
			t.Errorf("invalid version: %v", err)
		}

		// The list shows the latest version of each, in pages.
		other, err := s.CreateProfile(ctx, testProfile("Other tender", 0.6), "buyer")
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		cursor := ""
		for range 3 {
			items, next, err := s.Profiles(ctx, store.Page{Limit: 1, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range items {
				seen = append(seen, p.Name+"@"+string(rune('0'+p.Version)))
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		if want := []string{"FSI tender@2", "Other tender@1"}; !slices.Equal(seen, want) {
			t.Errorf("listed %v, want %v (other id %s)", seen, want, other.ID)
		}
	})
}

// TestProfileVersionsConcurrent: writers racing for the next version each
// get their own number.
func TestProfileVersionsConcurrent(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v1, err := s.CreateProfile(ctx, testProfile("race", 0.5), "b")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var got []int
		for range 4 {
			wg.Go(func() {
				p, err := s.CreateProfileVersion(ctx, v1.ID, testProfile("", 0.6), "b")
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				got = append(got, p.Version)
				mu.Unlock()
			})
		}
		wg.Wait()
		slices.Sort(got)
		if !slices.Equal(got, []int{2, 3, 4, 5}) {
			t.Errorf("versions %v, want [2 3 4 5]", got)
		}
	})
}
