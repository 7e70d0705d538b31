package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"ruggedlab/demo"
	"ruggedlab/eulabel"
	"ruggedlab/models"
	"ruggedlab/store"
	"ruggedlab/verdict"
)

// sameJSON fails unless a and b marshal to the same JSON, numbers equal
// to 1e-12 (battery means are summed per group, in another order).
func sameJSON(t *testing.T, what string, a, b any) {
	t.Helper()
	decode := func(v any) any {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var out any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if d := cmp.Diff(decode(b), decode(a), cmpopts.EquateApprox(1e-12, 1e-12)); d != "" {
		t.Errorf("%s: from summaries (+) differs from runs (-):\n%s", what, d)
	}
}

// assertSameAnswers computes every comparison (per kind, with and without
// the exact-match filters), every profile's matrix (as it is and with
// verified evidence only) and every handset's label yardsticks twice —
// from the per-unit summaries (Store.Evidence) and from every run — and
// requires the same answers. Comparisons of drops read folded
// (CompareEvidence) and matrices read with each unit's latest runs
// (MatrixEvidence) must give the summaries' answers byte for byte.
func assertSameAnswers(t *testing.T, s *store.Store, profiles []models.Profile) {
	t.Helper()
	assertAnswers(t, s, profiles, true)
}

// assertAnswers is assertSameAnswers; without vsRuns, answers are not
// compared with those computed from every run, which list every run's id
// where the others list each unit's latest 50.
func assertAnswers(t *testing.T, s *store.Store, profiles []models.Profile, vsRuns bool) {
	t.Helper()
	ctx := context.Background()
	filters := []store.EvidenceFilter{{}, {HeightM: ptr(1.5)}, {HeightM: ptr(2.0), Surface: "concrete"}, {Surface: "tumbler"},
		{Procedure: "operation_cold"}, {IPCode: "IP68"}, {Protocol: "eu_eei_loop"}, {Handsets: []string{"atlas-r1"}}}
	for _, k := range models.Kinds {
		for _, f := range filters {
			f.Kinds = []models.Kind{k}
			fromTallies, err := s.Evidence(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			fromRuns, err := s.EvidenceFromRuns(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(fromRuns.Runs) > 0 && len(fromTallies.Runs) == 0 {
				t.Fatalf("%s %+v: %d runs, no summary", k, f, len(fromRuns.Runs))
			}
			a, err := verdict.Compare(k, fromTallies.Codes(), fromTallies.Runs, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			b, err := verdict.Compare(k, fromRuns.Codes(), fromRuns.Runs, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			if vsRuns {
				sameJSON(t, fmt.Sprintf("compare %s %+v", k, f), a, b)
			}
			// Drop groups folded per unit (CompareEvidence) give the
			// summaries' answer byte for byte.
			folded, err := s.CompareEvidence(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			c, err := verdict.Compare(k, folded.Codes(), folded.Runs, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			ja, _ := json.Marshal(a)
			jc, _ := json.Marshal(c)
			if string(ja) != string(jc) {
				t.Errorf("compare %s %+v: folded\n%s\nsummaries\n%s", k, f, jc, ja)
			}
		}
	}
	all, err := s.Evidence(ctx, store.EvidenceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.EvidenceFromRuns(ctx, store.EvidenceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	weight := 0
	for i := range all.Runs {
		weight += all.Runs[i].Weight()
	}
	if weight != len(raw.Runs) || len(all.Runs) > len(raw.Runs) {
		t.Errorf("%d groups standing for %d runs, want %d runs", len(all.Runs), weight, len(raw.Runs))
	}
	t.Logf("%d runs in %d groups", len(raw.Runs), len(all.Runs))
	for _, p := range profiles {
		for _, rule := range models.EvidenceRules {
			p.Evidence = rule
			m := verdict.EvaluateHandsets(p, all.Handsets, all.Runs)
			if vsRuns {
				sameJSON(t, "matrix "+p.Name+" evidence "+rule, m, verdict.EvaluateHandsets(p, raw.Handsets, raw.Runs))
			}
			var selects []func(*models.Run) bool
			for _, q := range p.Requirements {
				selects = append(selects, func(r *models.Run) bool {
					return verdict.Matches(q, *r) && (rule != models.EvidenceVerified || r.Review.State == models.Verified)
				})
			}
			windowed, err := s.MatrixEvidence(ctx, store.EvidenceFilter{}, selects)
			if err != nil {
				t.Fatal(err)
			}
			ja, _ := json.Marshal(m)
			jw, _ := json.Marshal(verdict.EvaluateHandsets(p, windowed.Handsets, windowed.Runs))
			if string(ja) != string(jw) {
				t.Errorf("matrix %s evidence %s: latest runs\n%s\nsummaries\n%s", p.Name, rule, jw, ja)
			}
		}
	}
	if !vsRuns {
		return
	}
	for _, h := range all.Handsets {
		sameJSON(t, "measured "+h.Code, eulabel.Measure(h, models.ExpandGroups(all.Runs)), eulabel.Measure(h, raw.Runs))
	}
}

// Summaries give the answers every run gives (issue #18), on both stores:
// on the demo tender, and on a seeded random data set with amendments,
// retractions and reviews.
func TestTalliesAnswerAsRuns(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		t.Run("demo", func(t *testing.T) {
			ctx := context.Background()
			if _, err := demo.Load(ctx, s, testNow); err != nil {
				t.Fatal(err)
			}
			profiles, err := s.AllProfiles(ctx)
			if err != nil || len(profiles) == 0 {
				t.Fatalf("demo profiles: %v", err)
			}
			assertSameAnswers(t, s, profiles)
		})
	})
	openEach(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		tom, ann := audited("tom"), audited("ann")
		rng := rand.New(rand.NewPCG(18, 2026))
		base := testNow.Add(-60 * 24 * time.Hour)
		var active []models.Run
		for i := range 120 {
			r, err := s.CreateRun(tom, randomRun(rng, base.Add(time.Duration(i)*time.Hour)), "tom")
			if err != nil {
				t.Fatal(err)
			}
			active = append(active, r)
		}
		for _, r := range active[:30] {
			switch rng.IntN(3) {
			case 0:
				if _, err := s.RetractRun(tom, r.ID, models.Retraction{Reason: "wrong unit"}, "tom"); err != nil {
					t.Fatal(err)
				}
			case 1:
				d := models.ReviewDecision{Decision: models.Verified, Revision: r.Revision}
				if _, err := s.ReviewRun(ann, r.ID, d, "ann"); err != nil {
					t.Fatal(err)
				}
			default:
				change := `{"notes": "re-read"}`
				if r.Kind == models.Battery {
					change = `{"runtime_h": 21.5}`
				}
				if _, err := s.AmendRun(tom, r.ID, models.Amendment{Reason: "recount", Revision: r.Revision, Changes: json.RawMessage(change)}, "tom"); err != nil {
					t.Fatal(err)
				}
			}
		}
		assertSameAnswers(t, s, []models.Profile{demo.Profile()})
	})
	// Units with more runs of a kind than an answer lists (50), several
	// started at the same instant, some stopped early: the latest ids come
	// from each unit's latest runs (CompareEvidence), not the groups' lists.
	openEach(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		tom := audited("tom")
		rng := rand.New(rand.NewPCG(18, 50))
		base := testNow.Add(-60 * 24 * time.Hour)
		for i := range 330 {
			r := randomRun(rng, base.Add(time.Duration(i/3)*time.Hour))
			if r.Kind == models.Drop && r.FirstFailureDrop == nil && rng.IntN(4) == 0 {
				r.DropsCompleted = ptr(10 + rng.IntN(16))
			}
			if _, err := s.CreateRun(tom, r, "tom"); err != nil {
				t.Fatal(err)
			}
		}
		assertAnswers(t, s, []models.Profile{demo.Profile()}, false)
	})
	// Each path of MatrixEvidence: on ATL-0001, 80 runs the 2 m rule
	// selects, then 60 later tumbler runs — the 2 m rule's runs are all
	// older than the unit's latest 50 (its groups' lists are read), the
	// tumbler rule's latest 50 are the window; on ATL-0002, 30 runs of the
	// 2 m rule (at most 50: their lists, and no window read) under 70
	// later runs no rule selects.
	openEach(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		tom := audited("tom")
		base := testNow.Add(-60 * 24 * time.Hour)
		at := 0
		add := func(serial string, n int, edit func(*models.Run, int)) {
			for i := range n {
				r := dropRun(serial, base.Add(time.Duration(at)*time.Hour))
				at++
				edit(&r, i)
				if _, err := s.CreateRun(tom, r, "tom"); err != nil {
					t.Fatal(err)
				}
			}
		}
		outcomes := func(r *models.Run, i int) { // several groups per rule
			if i%5 == 0 {
				r.FirstFailureDrop, r.WorstSeverity = ptr(1+i%26), ptr(3)
			}
		}
		add("ATL-0001", 80, outcomes)
		add("ATL-0001", 60, func(r *models.Run, i int) {
			r.HeightM, r.Surface, r.PlannedDrops, r.DropsCompleted = ptr(1.0), "tumbler", ptr(200), ptr(150+i%40)
		})
		add("ATL-0002", 30, outcomes)
		add("ATL-0002", 70, func(r *models.Run, i int) { r.HeightM, r.Surface = ptr(1.2), "plywood_on_concrete" })
		assertAnswers(t, s, []models.Profile{demo.Profile()}, false)
	})
}
