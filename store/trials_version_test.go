package store_test

import (
	"context"
	"testing"
	"time"

	"ruggedlab/models"
	"ruggedlab/stats"
	"ruggedlab/store"
)

// Field-trial writes raise the data version, so cached matrix and compare
// answers that read the trial (handlers/cache.go) are recomputed; a dry
// run and a refused batch do not.
func TestFieldWritesRaiseDataVersion(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		version := func() int64 {
			t.Helper()
			n, err := s.DataVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		var trial models.Trial
		inc := func(date string) models.Incident {
			return models.Incident{Trial: trial.ID, Handset: "atlas-r1", Unit: "ATL-0001", Date: date, Category: "display_cracked", Severity: 3}
		}
		shift := models.Shift{Handset: "atlas-r1", Unit: "ATL-0001", Start: time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC), LengthH: 8,
			BatteryFrom: ptr(100.0), BatteryTo: ptr(20.0)}
		q := models.Questionnaire{Handset: "atlas-r1", Respondent: "BR-1", SUS: []int{4, 2, 4, 2, 4, 2, 4, 2, 4, 2}}
		var incidentID string
		steps := []struct {
			name  string
			write func() error
			bumps bool
		}{
			{"trial with assignments", func() error {
				var err error
				trial, err = s.CreateTrial(ctx, models.Trial{Name: "Pilote", Site: "DDSP 69", Start: "2026-03-02", End: "2026-04-12",
					Assignments: []models.Assignment{{Handset: "atlas-r1", Unit: "ATL-0001", Carrier: "BR-1", From: "2026-03-02", To: "2026-04-12"}}}, "t")
				shift.Trial, q.Trial = trial.ID, trial.ID
				return err
			}, true},
			{"incident, dry run", func() error {
				_, err := s.CreateIncidents(ctx, []models.Incident{inc("2026-03-05")}, store.TrialWrite{By: "t", DryRun: true})
				return err
			}, false},
			{"incident", func() error {
				out, err := s.CreateIncidents(ctx, []models.Incident{inc("2026-03-05")}, store.TrialWrite{By: "t"})
				if err == nil {
					incidentID = out[0].ID
				}
				return err
			}, true},
			{"incident outside the assignment (refused)", func() error {
				if _, err := s.CreateIncidents(ctx, []models.Incident{inc("2026-05-05")}, store.TrialWrite{By: "t"}); code(err) != models.Invalid {
					t.Errorf("incident outside the assignment: %v, want invalid", err)
				}
				return nil
			}, false},
			{"incident retraction", func() error {
				_, err := s.RetractIncident(ctx, trial.ID, incidentID, "counted twice", "t")
				return err
			}, true},
			{"shifts, dry run", func() error {
				_, err := s.CreateShifts(ctx, []models.Shift{shift}, store.TrialWrite{By: "t", DryRun: true})
				return err
			}, false},
			{"shifts", func() error {
				_, err := s.CreateShifts(ctx, []models.Shift{shift}, store.TrialWrite{By: "t"})
				return err
			}, true},
			{"questionnaire, dry run", func() error {
				_, err := s.CreateQuestionnaires(ctx, []models.Questionnaire{q}, stats.SUSScore, store.TrialWrite{By: "t", DryRun: true})
				return err
			}, false},
			{"questionnaire", func() error {
				_, err := s.CreateQuestionnaires(ctx, []models.Questionnaire{q}, stats.SUSScore, store.TrialWrite{By: "t"})
				return err
			}, true},
		}
		for _, st := range steps {
			before := version()
			if err := st.write(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			after := version()
			if st.bumps && after <= before {
				t.Errorf("%s: data version %d → %d, want it raised", st.name, before, after)
			}
			if !st.bumps && after != before {
				t.Errorf("%s: data version %d → %d, want it unchanged", st.name, before, after)
			}
		}
	})
}
