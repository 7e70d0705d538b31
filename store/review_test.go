package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"ruggedlab/models"
	"ruggedlab/store"
	"ruggedlab/verdict"
)

// Review rules (issue #13) on both stores: a second person, the latest
// revision, a reason for rejected, back to recorded on amendment, every
// decision audited, and verified-only profiles leaving the rest out.
func TestReviewRules(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		tom, ann := audited("tom"), audited("ann")
		run, err := s.CreateRun(tom, dropRun("ATL-0001", testNow.Add(-48*time.Hour)), "tom")
		if err != nil {
			t.Fatal(err)
		}
		if run.Review.State != models.Recorded {
			t.Fatalf("a new run's review = %+v, want recorded", run.Review)
		}
		verify := models.ReviewDecision{Decision: models.Verified, Revision: 1}
		if _, err := s.ReviewRun(tom, run.ID, verify, "tom"); code(err) != models.Forbidden {
			t.Errorf("self-review: %v, want forbidden", err)
		}
		if _, err := s.ReviewRun(ann, run.ID, models.ReviewDecision{Decision: models.Rejected, Revision: 1}, "ann"); code(err) != models.Invalid {
			t.Errorf("rejected without a reason: %v, want invalid", err)
		}
		if _, err := s.ReviewRun(ann, run.ID, models.ReviewDecision{Decision: "maybe", Revision: 1}, "ann"); code(err) != models.Invalid {
			t.Errorf("unknown decision: %v, want invalid", err)
		}
		if _, err := s.ReviewRun(ann, run.ID, models.ReviewDecision{Decision: models.Verified, Revision: 2}, "ann"); code(err) != models.Conflict {
			t.Errorf("stale revision: %v, want conflict", err)
		}
		got, _ := s.Run(context.Background(), run.ID)
		if got.Review.State != models.Recorded {
			t.Fatalf("refused reviews wrote %+v", got.Review)
		}
		rej, err := s.ReviewRun(ann, run.ID, models.ReviewDecision{Decision: models.Rejected, Revision: 1, Reason: "photo shows a crack"}, "ann")
		if err != nil || rej.Review.State != models.Rejected || rej.Review.By != "ann" || rej.Review.Reason != "photo shows a crack" || rej.Review.At == nil {
			t.Fatalf("reject = %+v, %v", rej.Review, err)
		}
		if _, err := s.ReviewRun(audited("bob"), run.ID, verify, "bob"); code(err) != models.Conflict {
			t.Errorf("verifying a rejected run without an amendment: %v, want conflict", err)
		}
		// ann amends it: back to recorded, and ann may no longer verify it.
		am, err := s.AmendRun(ann, run.ID, models.Amendment{Reason: "crack seen", Revision: 1, Changes: json.RawMessage(`{"worst_severity": 3}`)}, "ann")
		if err != nil || am.Review.State != models.Recorded || am.Revision != 2 {
			t.Fatalf("amend = %+v %v", am.Review, err)
		}
		if _, err := s.ReviewRun(ann, run.ID, models.ReviewDecision{Decision: models.Verified, Revision: 2}, "ann"); code(err) != models.Forbidden {
			t.Errorf("the last amender verifies: %v, want forbidden", err)
		}
		if _, err := s.ReviewRun(tom, run.ID, models.ReviewDecision{Decision: models.Verified, Revision: 2}, "tom"); code(err) != models.Forbidden {
			t.Errorf("the first recorder verifies after another's amendment: %v, want forbidden", err)
		}
		bob := audited("bob")
		ok, err := s.ReviewRun(bob, run.ID, models.ReviewDecision{Decision: models.Verified, Revision: 2}, "bob")
		if err != nil || ok.Review.State != models.Verified || ok.Revision != 2 {
			t.Fatalf("verify = %+v, %v", ok.Review, err)
		}
		got, _ = s.Run(context.Background(), run.ID)
		if got.Review.State != models.Verified || got.Review.By != "bob" || got.Review.At == nil || !got.Review.At.Equal(testNow) {
			t.Errorf("read back %+v", got.Review)
		}
		if _, err := s.ReviewRun(bob, run.ID, models.ReviewDecision{Decision: models.Verified, Revision: 2}, "bob"); code(err) != models.Conflict {
			t.Errorf("verifying twice: %v, want conflict", err)
		}
		entries, _, err := s.AuditLog(context.Background(), store.Page{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var decisions []string
		for _, e := range entries {
			var d map[string]any
			_ = json.Unmarshal(e.Detail, &d)
			if d["action"] == "review_run" {
				decisions = append(decisions, e.Account+":"+d["decision"].(string))
			}
		}
		if len(decisions) != 2 || decisions[0] != "bob:verified" || decisions[1] != "ann:rejected" {
			t.Errorf("audited decisions %v, want bob:verified, ann:rejected (refused ones write nothing)", decisions)
		}
		q, total, err := s.ReviewQueue(context.Background(), 10)
		if err != nil || total != 0 || len(q) != 0 {
			t.Errorf("queue after verify: %d %d %v", len(q), total, err)
		}

		// A verified-only profile counts bob's verified run, not the new one.
		other, err := s.CreateRun(tom, dropRun("ATL-0002", testNow.Add(-24*time.Hour)), "tom")
		if err != nil {
			t.Fatal(err)
		}
		q, total, _ = s.ReviewQueue(context.Background(), 10)
		if total != 1 || len(q) != 1 || q[0].ID != other.ID {
			t.Errorf("queue = %d %v, want the new run", total, q)
		}
		ev, err := s.Evidence(context.Background(), store.EvidenceFilter{Kinds: []models.Kind{models.Drop}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := models.DecodeProfile([]byte(`{"name": "t", "evidence": "verified", "requirements": [{"key": "drop", "kind": "drop", "decision": {"rule": "all_units"}}]}`))
		if err != nil {
			t.Fatal(err)
		}
		stored, err := s.CreateProfile(context.Background(), p, "admin")
		if err != nil || stored.Evidence != "verified" {
			t.Fatalf("profile evidence %q, %v", stored.Evidence, err)
		}
		back, _ := s.Profile(context.Background(), stored.ID, 0)
		if back.Evidence != "verified" {
			t.Errorf("stored evidence %q", back.Evidence)
		}
		m := verdict.EvaluateHandsets(back, ev.Handsets, ev.Runs)
		c := m.Rows[0].Cells[0]
		if m.Evidence != "verified" || c.NUnits != 1 || c.LeftOutUnverified != 1 || len(c.Runs) != 1 || c.Runs[0] != run.ID {
			t.Errorf("verified-only cell %+v", c)
		}
		p.Evidence = ""
		m = verdict.EvaluateHandsets(p, ev.Handsets, ev.Runs)
		if c := m.Rows[0].Cells[0]; m.Evidence != "any" || c.NUnits != 2 || c.LeftOutUnverified != 0 {
			t.Errorf("any-evidence cell %+v", c)
		}
		if _, err := models.DecodeProfile([]byte(`{"name": "t", "evidence": "signed", "requirements": [{"key": "drop", "kind": "drop", "decision": {"rule": "all_units"}}]}`)); code(err) != models.Invalid {
			t.Errorf("evidence signed: %v, want invalid", err)
		}
	})
}
