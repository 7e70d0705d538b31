package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ruggedlab/models"
	"ruggedlab/store"
)

const importDropHeader = "handset,unit,method,started_at,ended_at,technician,height_m,surface,protective_case,planned_drops,drops_completed,first_failure_drop,worst_severity"

// importDropFile has n valid drop rows on ATL-0001/ATL-0002 (no technician
// on even rows); bad replaces the row on that line.
func importDropFile(n int, bad map[int]string) string {
	var b strings.Builder
	b.WriteString(importDropHeader + "\n")
	for i := 1; i <= n; i++ {
		if line, ok := bad[i+1]; ok {
			b.WriteString(line + "\n")
			continue
		}
		start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		tech := "M. Roux"
		if i%2 == 0 {
			tech = ""
		}
		fmt.Fprintf(&b, "atlas-r1,ATL-000%d,MIL-STD-810H 516.8 IV,%s,%s,%s,2.0,concrete,false,26,26,,1\n",
			1+i%2, start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339), tech)
	}
	return b.String()
}

// More rows than one batch: every run is there at revision 1 with its
// "created" revision, technicians default to the recorder, the summary
// lists the ids in file order, and Progress was told along the way.
func TestCreateImportRuns(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		var calls []int
		imp, err := s.CreateImport(ctx, "drop", strings.NewReader(importDropFile(1203, nil)), store.ImportOptions{
			FileName: "rig3.csv", By: "importer", Progress: func(rows int, _ int64) { calls = append(calls, rows) }})
		if err != nil {
			t.Fatal(err)
		}
		if imp.Rows != 1203 || len(imp.Created) != 1203 || imp.Kind != "drop" || imp.FileName != "rig3.csv" || imp.RecordedBy != "importer" || !imp.RecordedAt.Equal(testNow) {
			t.Fatalf("import = %+v", imp)
		}
		if len(calls) != 6 || calls[0] != 200 || calls[5] != 1200 {
			t.Errorf("progress calls %v", calls)
		}
		got, err := s.Import(ctx, imp.ID)
		if err != nil || strings.Join(got.Created, ",") != strings.Join(imp.Created, ",") || got.Rows != 1203 {
			t.Fatalf("Import = %+v, %v", got, err)
		}
		for _, i := range []int{0, 1, 1202} {
			r, err := s.Run(ctx, imp.Created[i])
			if err != nil {
				t.Fatal(err)
			}
			wantTech := map[bool]string{true: "M. Roux", false: "importer"}[(i+1)%2 == 1]
			if r.Revision != 1 || r.RecordedBy != "importer" || r.Technician != wantTech || r.Unit != fmt.Sprintf("ATL-000%d", 1+(i+1)%2) {
				t.Errorf("run %d = %+v", i, r)
			}
			revs, err := s.Revisions(ctx, r.ID)
			if err != nil || len(revs) != 1 || revs[0].Reason != "created" {
				t.Errorf("revisions %+v %v", revs, err)
			}
		}
	})
}

// A problem on the last line, after two batches went to the database:
// the transaction takes them back, and no summary exists.
func TestCreateImportRollsBackFlushedBatches(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		_, err := s.CreateImport(ctx, "drop", strings.NewReader(importDropFile(1100, map[int]string{1101: "atlas-r1,ATL-0003,M,2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,,2.0,concrete,false,26,26,,1"})), store.ImportOptions{By: "importer"})
		var me *models.Error
		if code(err) != models.Invalid || !asError(err, &me) || len(me.Fields) != 1 || me.Fields[0].Row != 1101 || me.Fields[0].Column != "unit" {
			t.Fatalf("err = %v", err)
		}
		runs, _, err := s.Runs(ctx, store.RunFilter{IncludeRetracted: true, Page: store.Page{Limit: 10}})
		if err != nil || len(runs) != 0 {
			t.Errorf("runs after rollback: %d, %v", len(runs), err)
		}
		if _, err := s.CreateImport(ctx, "drop", strings.NewReader(importDropFile(3, nil)), store.ImportOptions{By: "importer"}); err != nil {
			t.Errorf("the next import: %v", err)
		}
	})
}

func TestCreateImportDryRunAndTargets(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		imp, err := s.CreateImport(ctx, "drop", strings.NewReader(importDropFile(700, nil)), store.ImportOptions{DryRun: true})
		if err != nil || imp.Rows != 700 || len(imp.Created) != 0 {
			t.Fatalf("dry run = %+v, %v", imp, err)
		}
		if _, err := s.Import(ctx, imp.ID); code(err) != models.NotFound {
			t.Errorf("dry run left a summary: %v", err)
		}
		runs, _, _ := s.Runs(ctx, store.RunFilter{Page: store.Page{Limit: 10}})
		if len(runs) != 0 {
			t.Errorf("dry run wrote %d runs", len(runs))
		}
		if _, err := s.CreateImport(ctx, "shock", strings.NewReader(importDropFile(1, nil)), store.ImportOptions{}); code(err) != models.NotFound {
			t.Errorf("unknown target: %v", err)
		}
		if _, err := s.CreateImport(ctx, "drop", strings.NewReader("handset,\"unit\nx"), store.ImportOptions{}); code(err) != models.Malformed {
			t.Errorf("not CSV: %v", err)
		}
	})
}

// Units from a file, then runs naming them, in two imports.
func TestCreateImportUnitsThenRuns(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		units, err := s.CreateImport(ctx, "units", strings.NewReader("handset,serial,notes\natlas-r1,ATL-0101,boxed\natlas-r1,ATL-0102,\n"), store.ImportOptions{By: "importer"})
		if err != nil || units.Rows != 2 || len(units.Created) != 2 {
			t.Fatalf("units = %+v, %v", units, err)
		}
		u, err := s.Unit(ctx, "atlas-r1", "ATL-0101")
		if err != nil || u.ID != units.Created[0] || u.Notes != "boxed" || u.RecordedBy != "importer" {
			t.Fatalf("unit = %+v, %v", u, err)
		}
		file := strings.ReplaceAll(importDropFile(4, nil), "ATL-000", "ATL-010")
		runs, err := s.CreateImport(ctx, "drop", strings.NewReader(file), store.ImportOptions{By: "importer"})
		if err != nil || runs.Rows != 4 {
			t.Fatalf("runs = %+v, %v", runs, err)
		}
		u, _ = s.Unit(ctx, "atlas-r1", "ATL-0102")
		if len(u.Runs) != 2 {
			t.Errorf("ATL-0102 has %d runs, want 2", len(u.Runs))
		}
	})
}
