package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// seedEvidence registers atlas-r1 (ATL-0001, ATL-0002) and borealis-x
// (BOR-0001) and one run of each kind and surface, plus a retracted and an
// amended drop run. It returns the runs by a short name.
func seedEvidence(t *testing.T, s *store.Store) map[string]models.Run {
	t.Helper()
	ctx := context.Background()
	seed(t, s)
	if _, err := s.CreateHandset(ctx, models.Handset{Code: "borealis-x", Name: "Borealis X", Manufacturer: "Borealis", FormFactor: "phone"}, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUnit(ctx, "borealis-x", models.Unit{Serial: "BOR-0001"}, "t"); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return base.Add(time.Duration(h) * time.Hour) }
	env := func(kind models.Kind, handset, unit string, start time.Time) models.Run {
		return models.Run{Kind: kind, Handset: handset, Unit: unit, Method: "m", StartedAt: start, EndedAt: start.Add(time.Hour)}
	}
	tumble := dropRun("ATL-0002", at(1))
	tumble.HeightM, tumble.Surface, tumble.PlannedDrops, tumble.DropsCompleted, tumble.FirstFailureDrop, tumble.WorstSeverity =
		ptr(1.0), "tumbler", ptr(300), ptr(212), ptr(212), ptr(4)
	cold := env(models.Temperature, "atlas-r1", "ATL-0001", at(2))
	cold.Procedure, cold.SetpointC, cold.DwellMin, cold.Passed, cold.ShutdownObserved, cold.ShutdownTempC =
		"operation_cold", ptr(-20.0), ptr(120.0), ptr(false), ptr(true), ptr(-18.5)
	shock := env(models.Temperature, "atlas-r1", "ATL-0002", at(3))
	shock.Procedure, shock.LowC, shock.HighC, shock.Cycles, shock.DwellMin, shock.Passed = "thermal_shock", ptr(-25.0), ptr(60.0), ptr(5), ptr(30.0), ptr(true)
	water := env(models.Ingress, "atlas-r1", "ATL-0001", at(4))
	water.IPCode, water.Medium, water.DepthM, water.DurationMin, water.IngressFound, water.FunctionalAfter = "IP68", "fresh", ptr(1.5), ptr(30.0), ptr(false), ptr(true)
	loop := env(models.Battery, "borealis-x", "BOR-0001", at(5))
	loop.Protocol, loop.RuntimeH, loop.StartSocPct, loop.EndSocPct, loop.BrightnessNits, loop.AmbientC = "eu_eei_loop", ptr(27.5), ptr(100.0), ptr(0.0), ptr(200.0), ptr(23.0)
	borDrop := dropRun("BOR-0001", at(6))
	borDrop.Handset = "borealis-x"
	runs := []models.Run{dropRun("ATL-0001", at(0)), tumble, cold, shock, water, loop, borDrop, dropRun("ATL-0002", at(7)), dropRun("ATL-0002", at(8))}
	created, err := s.CreateRuns(ctx, runs, "t")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"drop", "tumble", "cold", "shock", "water", "loop", "borDrop", "retracted", "amended"}
	out := map[string]models.Run{}
	for i, n := range names {
		out[n] = created[i]
	}
	if _, err := s.RetractRun(ctx, out["retracted"].ID, models.Retraction{Reason: "rig fault"}, "t"); err != nil {
		t.Fatal(err)
	}
	amended, err := s.AmendRun(ctx, out["amended"].ID, models.Amendment{Reason: "re-inspected", Revision: 1, Changes: json.RawMessage(`{"worst_severity": 3}`)}, "t")
	if err != nil {
		t.Fatal(err)
	}
	out["amended"] = amended
	return out
}

func runIDs(runs []models.Run) []string {
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.ID
	}
	return ids
}

func TestEvidence(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		runs := seedEvidence(t, s)
		id := func(names ...string) []string {
			var ids []string
			for _, n := range names {
				ids = append(ids, runs[n].ID)
			}
			return ids
		}
		cases := []struct {
			name     string
			f        store.EvidenceFilter
			handsets []string
			runs     []string
		}{
			{"everything active, by kind, oldest first", store.EvidenceFilter{}, []string{"atlas-r1", "borealis-x"},
				id("drop", "tumble", "borDrop", "amended", "cold", "shock", "water", "loop")},
			{"one kind", store.EvidenceFilter{Kinds: []models.Kind{models.Drop}}, []string{"atlas-r1", "borealis-x"},
				id("drop", "tumble", "borDrop", "amended")},
			{"handsets in the order asked, duplicates dropped", store.EvidenceFilter{Kinds: []models.Kind{models.Drop}, Handsets: []string{"borealis-x", "atlas-r1", "borealis-x"}},
				[]string{"borealis-x", "atlas-r1"}, id("drop", "tumble", "borDrop", "amended")},
			{"one handset", store.EvidenceFilter{Handsets: []string{"borealis-x"}}, []string{"borealis-x"}, id("borDrop", "loop")},
			{"surface narrows drop runs only", store.EvidenceFilter{Surface: "tumbler"}, []string{"atlas-r1", "borealis-x"},
				id("tumble", "cold", "shock", "water", "loop")},
			{"height_m", store.EvidenceFilter{Kinds: []models.Kind{models.Drop}, HeightM: ptr(2.0)}, []string{"atlas-r1", "borealis-x"},
				id("drop", "borDrop", "amended")},
			{"procedure", store.EvidenceFilter{Kinds: []models.Kind{models.Temperature}, Procedure: "thermal_shock"}, []string{"atlas-r1", "borealis-x"}, id("shock")},
			{"ip_code", store.EvidenceFilter{Kinds: []models.Kind{models.Ingress}, IPCode: "IPX7"}, []string{"atlas-r1", "borealis-x"}, nil},
			{"protocol", store.EvidenceFilter{Kinds: []models.Kind{models.Battery}, Protocol: "eu_eei_loop"}, []string{"atlas-r1", "borealis-x"}, id("loop")},
		}
		for _, tc := range cases {
			ev, err := s.Evidence(ctx, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if !slices.Equal(ev.Codes(), tc.handsets) {
				t.Errorf("%s: handsets %v, want %v", tc.name, ev.Codes(), tc.handsets)
			}
			if got := runIDs(ev.Runs); !slices.Equal(got, tc.runs) && (len(got) > 0 || len(tc.runs) > 0) {
				t.Errorf("%s: runs %v, want %v", tc.name, got, tc.runs)
			}
		}

		// The kind fields statistics need come back on both engines, with
		// the amended value; what statistics do not need is left out.
		ev, err := s.Evidence(ctx, store.EvidenceFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]models.Run{}
		for _, r := range ev.Runs {
			got[r.ID] = r
		}
		tu := got[runs["tumble"].ID]
		if tu.Handset != "atlas-r1" || tu.Unit != "ATL-0002" || tu.Status != models.Active || *tu.HeightM != 1 || tu.Surface != "tumbler" ||
			*tu.ProtectiveCase || *tu.PlannedDrops != 300 || *tu.DropsCompleted != 212 || *tu.FirstFailureDrop != 212 || *tu.WorstSeverity != 4 {
			t.Errorf("drop fields: %+v", tu)
		}
		if tu.Method != "" || !tu.StartedAt.IsZero() {
			t.Errorf("evidence carries only what statistics read, got method %q, started_at %v", tu.Method, tu.StartedAt)
		}
		if a := got[runs["amended"].ID]; *a.WorstSeverity != 3 || a.FirstFailureDrop != nil {
			t.Errorf("amended run: worst_severity %v, first_failure_drop %v; want 3, null", *a.WorstSeverity, a.FirstFailureDrop)
		}
		c := got[runs["cold"].ID]
		if c.Procedure != "operation_cold" || *c.SetpointC != -20 || *c.Passed || !*c.ShutdownObserved || *c.DwellMin != 120 {
			t.Errorf("temperature fields: %+v", c)
		}
		sh := got[runs["shock"].ID]
		if sh.SetpointC != nil || *sh.LowC != -25 || *sh.HighC != 60 || *sh.Cycles != 5 || !*sh.Passed {
			t.Errorf("thermal shock fields: %+v", sh)
		}
		w := got[runs["water"].ID]
		if w.IPCode != "IP68" || w.Medium != "fresh" || *w.DepthM != 1.5 || *w.DurationMin != 30 || *w.IngressFound || !*w.FunctionalAfter {
			t.Errorf("ingress fields: %+v", w)
		}
		l := got[runs["loop"].ID]
		if l.Protocol != "eu_eei_loop" || *l.RuntimeH != 27.5 || *l.BrightnessNits != 200 || *l.AmbientC != 23 {
			t.Errorf("battery fields: %+v", l)
		}

		_, err = s.Evidence(ctx, store.EvidenceFilter{Handsets: []string{"atlas-r1", "nope-1", "zeta"}})
		if code(err) != models.NotFound || !strings.Contains(err.Error(), `"nope-1"`) || !strings.Contains(err.Error(), `"zeta"`) {
			t.Errorf("unknown codes: %v; want not found naming both", err)
		}
	})
}

func TestEvidenceEmpty(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ev, err := s.Evidence(context.Background(), store.EvidenceFilter{})
		if err != nil || len(ev.Handsets) != 0 || ev.Runs == nil || len(ev.Runs) != 0 {
			t.Errorf("empty database: %+v, %v; want no handsets and runs []", ev, err)
		}
	})
}

// TestDropFoldStreams: on SQLite the drop compare's fold reads the
// covering index run_tallies_drop in the order it groups by (migration
// 00025) — no temporary B-tree, with or without its filters — which
// holds only while the fold spells the role as the index does.
func TestDropFoldStreams(t *testing.T) {
	s := storetest.Open(t, testdb.SQLite(t))
	seedEvidence(t, s)
	ctx := context.Background()
	for _, f := range []store.EvidenceFilter{
		{Kinds: []models.Kind{models.Drop}},
		{Kinds: []models.Kind{models.Drop}, HeightM: ptr(1.0), Surface: "tumbler"},
	} {
		plan, err := store.DropFoldPlan(ctx, s, f, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "COVERING INDEX run_tallies_drop") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("fold %+v: plan\n%s\nwant the covering index run_tallies_drop and no temporary B-tree", f, plan)
		}
	}
}
