package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"ruggedlab/models"
	"ruggedlab/store"
)

// Field-trial incidents are reviewed like runs (issue #13) on both stores:
// a second person, a reason for rejected, no review of a retracted or
// already reviewed incident, every decision audited and raising the data
// version, and the trial's counts split by review state.
func TestReviewIncidentRules(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		trial, err := s.CreateTrial(ctx, models.Trial{Name: "Pilote", Site: "DDSP 69", Start: "2026-03-02", End: "2026-04-12",
			Assignments: []models.Assignment{{Handset: "atlas-r1", Unit: "ATL-0001", Carrier: "BR-1", From: "2026-03-02", To: "2026-04-12"}}}, "tom")
		if err != nil {
			t.Fatal(err)
		}
		inc := func(date, cat string) models.Incident {
			return models.Incident{Trial: trial.ID, Handset: "atlas-r1", Unit: "ATL-0001", Date: date, Category: cat, Severity: 3,
				Review: models.Review{State: models.Verified, By: "forged"}} // a client's review is ignored
		}
		made, err := s.CreateIncidents(ctx, []models.Incident{inc("2026-03-05", "display_cracked"), inc("2026-03-06", "battery"),
			inc("2026-03-07", "battery"), inc("2026-03-08", "lost")}, store.TrialWrite{By: "tom"})
		if err != nil {
			t.Fatal(err)
		}
		if made[0].Review.State != models.Recorded || made[0].Review.By != "" {
			t.Fatalf("a new incident's review = %+v, want recorded", made[0].Review)
		}
		crack, batt1, batt2, lost := made[0].ID, made[1].ID, made[2].ID, made[3].ID
		tom, ann := audited("tom"), audited("ann")
		verify := models.ReviewDecision{Decision: models.Verified}

		refused := []struct {
			name string
			ctx  context.Context
			by   string
			id   string
			d    models.ReviewDecision
			want models.Code
		}{
			{"self-review", tom, "tom", crack, verify, models.Forbidden},
			{"rejected without a reason", ann, "ann", crack, models.ReviewDecision{Decision: models.Rejected}, models.Invalid},
			{"a reason of two letters", ann, "ann", crack, models.ReviewDecision{Decision: models.Rejected, Reason: "no"}, models.Invalid},
			{"unknown decision", ann, "ann", crack, models.ReviewDecision{Decision: "maybe"}, models.Invalid},
			{"revision 2 of an incident", ann, "ann", crack, models.ReviewDecision{Decision: models.Verified, Revision: 2}, models.Invalid},
			{"unknown incident", ann, "ann", "nope", verify, models.NotFound},
		}
		for _, tc := range refused {
			if _, err := s.ReviewIncident(tc.ctx, trial.ID, tc.id, tc.d, tc.by); code(err) != tc.want {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
			}
		}
		if _, err := s.ReviewIncident(ann, "other-trial", crack, verify, "ann"); code(err) != models.NotFound {
			t.Errorf("an incident under another trial: %v, want not found", err)
		}
		v0, _ := s.DataVersion(ctx)
		ok, err := s.ReviewIncident(ann, trial.ID, crack, models.ReviewDecision{Decision: models.Verified, Revision: 1}, "ann")
		if err != nil || ok.Review.State != models.Verified || ok.Review.By != "ann" || ok.Review.At == nil || !ok.Review.At.Equal(testNow) {
			t.Fatalf("verify = %+v, %v", ok.Review, err)
		}
		if v1, _ := s.DataVersion(ctx); v1 <= v0 {
			t.Errorf("a review left the data version at %d", v1)
		}
		if _, err := s.ReviewIncident(audited("bob"), trial.ID, crack, verify, "bob"); code(err) != models.Conflict {
			t.Errorf("verifying twice: %v, want conflict", err)
		}
		rej, err := s.ReviewIncident(ann, trial.ID, batt1, models.ReviewDecision{Decision: models.Rejected, Reason: "  belongs to unit ATL-0002  "}, "ann")
		if err != nil || rej.Review.State != models.Rejected || rej.Review.Reason != "belongs to unit ATL-0002" {
			t.Fatalf("reject = %+v, %v", rej.Review, err)
		}
		if _, err := s.ReviewIncident(audited("bob"), trial.ID, batt1, verify, "bob"); code(err) != models.Conflict {
			t.Errorf("verifying a rejected incident: %v, want conflict", err)
		}
		if _, err := s.RetractIncident(ctx, trial.ID, lost, "found again", "tom"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReviewIncident(ann, trial.ID, lost, verify, "ann"); code(err) != models.Conflict {
			t.Errorf("reviewing a retracted incident: %v, want conflict", err)
		}

		back, err := s.Incident(ctx, trial.ID, batt1)
		if err != nil || back.Review.State != models.Rejected || back.Review.By != "ann" || back.Review.At == nil {
			t.Errorf("read back %+v, %v", back.Review, err)
		}
		queue, total, err := s.IncidentQueue(ctx, 10)
		if err != nil || total != 1 || len(queue) != 1 || queue[0].ID != batt2 {
			t.Errorf("queue = %d %+v %v, want only %s (rejected and retracted ones wait for nobody's review)", total, queue, err, batt2)
		}
		d, err := s.TrialData(ctx, trial.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][3]int{"display_cracked": {1, 1, 0}, "battery": {2, 0, 1}, "lost": {0, 0, 0}}
		for cat, w := range want {
			got := [3]int{d.Incidents["atlas-r1"][cat], d.Verified["atlas-r1"][cat], d.Pending["atlas-r1"][cat]}
			if got != w {
				t.Errorf("%s: all, verified, pending = %v, want %v", cat, got, w)
			}
		}

		entries, _, err := s.AuditLog(ctx, store.Page{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var decisions []string
		for _, e := range entries {
			var dt map[string]any
			_ = json.Unmarshal(e.Detail, &dt)
			if dt["action"] == "review_incident" {
				decisions = append(decisions, e.Account+":"+dt["decision"].(string)+":"+dt["target"].(string))
			}
		}
		if len(decisions) != 2 || decisions[0] != "ann:rejected:"+batt1 || decisions[1] != "ann:verified:"+crack {
			t.Errorf("audited decisions %v (refused ones write nothing)", decisions)
		}
	})
}
