package store_test

import (
	"context"
	"fmt"
	"testing"

	"ruggedlab/models"
	"ruggedlab/store"
)

// TestPageReads: UnitsOf, AllProfiles and CountProfiles have no page limit
// (600 > the 500 the pages used to stop at), and UnitsOf keeps Units' order.
func TestPageReads(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, code := range []string{"many-a", "many-b", "none-c"} {
			if _, err := s.CreateHandset(ctx, models.Handset{Code: code, Name: code, Manufacturer: "M", FormFactor: "phone"}, "t"); err != nil {
				t.Fatal(err)
			}
		}
		var units []models.Unit
		for i := range 600 {
			units = append(units, models.Unit{Handset: "many-a", Serial: fmt.Sprintf("A%04d", 600-i)})
		}
		units = append(units, models.Unit{Handset: "many-b", Serial: "B1"})
		if _, err := s.CreateUnits(ctx, units, "t"); err != nil {
			t.Fatal(err)
		}
		got, err := s.UnitsOf(ctx, []string{"many-a", "many-b", "none-c", "no-such"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || len(got["many-a"]) != 600 || len(got["many-b"]) != 1 {
			t.Fatalf("UnitsOf: %d handsets, many-a %d, many-b %d units", len(got), len(got["many-a"]), len(got["many-b"]))
		}
		for i, u := range got["many-a"] {
			if want := fmt.Sprintf("A%04d", i+1); u.Serial != want || u.Handset != "many-a" || u.ID == "" || u.RecordedAt.IsZero() {
				t.Fatalf("unit %d = %+v, want serial %s", i, u, want)
			}
		}
		for i := range 600 {
			p := testProfile(fmt.Sprintf("lot %d", i), 0.8)
			pr, err := s.CreateProfile(ctx, p, "t")
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 { // a second version is still one profile
				if _, err := s.CreateProfileVersion(ctx, pr.ID, p, "t"); err != nil {
					t.Fatal(err)
				}
			}
		}
		n, err := s.CountProfiles(ctx)
		if err != nil || n != 600 {
			t.Errorf("CountProfiles = %d, %v; want 600", n, err)
		}
		all, err := s.AllProfiles(ctx)
		if err != nil || len(all) != 600 {
			t.Fatalf("AllProfiles: %d, %v; want 600", len(all), err)
		}
		if all[0].Version != 2 && all[len(all)-1].Version != 2 {
			for _, p := range all {
				if p.Version == 2 {
					return
				}
			}
			t.Error("AllProfiles lacks the latest version of the profile with two")
		}
	})
}
