package verdict_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"ruggedlab/models"
	"ruggedlab/verdict"
)

// group makes r stand for n runs (ids id-000…, one minute apart, the
// latest 50 listed) with battery runtimes summing to sum over rn runs.
func group(r models.Run, n int, sum float64, rn int) models.Run {
	g := &models.RunGroup{Count: n, RuntimeSum: sum, RuntimeN: rn}
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := max(0, n-50); i < n; i++ {
		g.IDs = append(g.IDs, fmt.Sprintf("%s-%03d", r.ID, i))
		g.Keys = append(g.Keys, start.Add(time.Duration(i)*time.Minute).Format(models.StartedKey))
	}
	r.Group = g
	if rn > 0 {
		r.RuntimeH = p(sum / float64(rn))
	}
	return r
}

// Grouped runs (the store's per-unit summaries) weigh by their count:
// runs counts, battery unit means are Σ sum / Σ count across groups, pass
// rules hold for a group's every run, and a unit lists its 50 latest ids
// with runs_total counting all — the same statistics as the runs one by
// one (models.ExpandGroups).
func TestGroupedRunsWeigh(t *testing.T) {
	runs := []models.Run{
		group(drop("a", "A-1", 26, 26, 0, 1), 70, 0, 0),
		group(drop("a", "A-2", 26, 26, 0, 1), 3, 0, 0),
		group(drop("a", "A-2", 26, 10, 10, 3), 2, 0, 0),
		group(battery("a", "A-1", 0), 4, 40, 4), // mean 10
		group(battery("a", "A-1", 0), 1, 20, 1), // with it: 60/5 = 12
		group(battery("a", "A-2", 0), 2, 22, 2),
	}
	dc, err := verdict.Compare(models.Drop, []string{"a"}, runs, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	d := dc.Drop[0]
	if d.Runs != 75 || d.Units != 2 || d.Survived != 1 || d.Failed != 1 {
		t.Errorf("drop: runs %d units %d survived %d failed %d, want 75, 2, 1, 1", d.Runs, d.Units, d.Survived, d.Failed)
	}
	if u := d.PerUnit[0]; len(u.Runs) != 50 || u.RunsTotal != 70 || u.Runs[49] != runs[0].ID+"-069" || u.Runs[0] != runs[0].ID+"-020" {
		t.Errorf("A-1 lists %d runs (%v…), total %d; want its 50 latest of 70", len(u.Runs), u.Runs[:1], u.RunsTotal)
	}
	if u := d.PerUnit[1]; len(u.Runs) != 5 || u.RunsTotal != 5 {
		t.Errorf("A-2 lists %d runs, total %d; want 5 and 5", len(u.Runs), u.RunsTotal)
	}
	bat, err := verdict.Compare(models.Battery, []string{"a"}, runs, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if b := bat.Battery[0]; !reflect.DeepEqual(b.UnitMeans, []float64{12, 11}) || b.Runs != 7 {
		t.Errorf("battery unit means %v over %d runs, want [12 11] over 7", b.UnitMeans, b.Runs)
	}
	// The same runs one by one give the same statistics (below 50 per
	// unit, the same lists too).
	small := runs[1:]
	for _, k := range []models.Kind{models.Drop, models.Battery} {
		a, _ := verdict.Compare(k, []string{"a"}, small, 0.95)
		b, _ := verdict.Compare(k, []string{"a"}, models.ExpandGroups(small), 0.95)
		ja, _ := a.MarshalJSON()
		jb, _ := b.MarshalJSON()
		if string(ja) != string(jb) {
			t.Errorf("%s: grouped\n%s\none by one\n%s", k, ja, jb)
		}
	}
	prof := models.Profile{Name: "p", Version: 1, Requirements: []models.Requirement{{Key: "drop", Kind: models.Drop, MinUnits: 1,
		Where: models.Where{HeightMMin: p(2.0)}, Decision: models.Decision{Rule: models.AllUnits}}}}
	m := verdict.Evaluate(prof, []string{"a"}, runs)
	if c := m.Rows[0].Cells[0]; c.RunsTotal != 75 || len(c.Runs) != 55 || c.Verdict != verdict.NotMet {
		t.Errorf("cell: %s, %d runs listed of %d; want not_met, 55 of 75", c.Verdict, len(c.Runs), c.RunsTotal)
	}
}
