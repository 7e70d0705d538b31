package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// The contract: "ruggedlab summaries rebuild" recomputes the summaries
// from the runs — here after they were emptied behind the store's back —
// and says what it counted; --help prints its usage; a wrong subcommand
// is a usage error.
func TestSummariesRebuild(t *testing.T) {
	t.Parallel()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, e.DSN, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateHandset(ctx, models.Handset{Code: "atlas-r1", Name: "Atlas R1", Manufacturer: "Atlas", FormFactor: "phone"}, "t"); err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateUnit(ctx, "atlas-r1", models.Unit{Serial: "ATL-0001"}, "t"); err != nil {
				t.Fatal(err)
			}
			start := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second)
			for i, h := range []float64{1.2, 1.2, 2.0} {
				r := models.Run{Kind: models.Drop, Handset: "atlas-r1", Unit: "ATL-0001", Method: "MIL-STD-810H 516.8 IV",
					StartedAt: start.Add(time.Duration(i) * time.Hour), EndedAt: start.Add(time.Duration(i)*time.Hour + 30*time.Minute),
					HeightM: &h, Surface: "concrete", ProtectiveCase: new(bool), PlannedDrops: ptrInt(26), DropsCompleted: ptrInt(26), WorstSeverity: ptrInt(1)}
				if _, err := st.CreateRun(ctx, r, "t"); err != nil {
					t.Fatal(err)
				}
			}
			want, err := st.Tallies(ctx)
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			testdb.Exec(t, e, "DELETE FROM run_tallies")
			testdb.Exec(t, e, "DELETE FROM unit_recent")
			var stdout, stderr bytes.Buffer
			if err := run(ctx, []string{"summaries", "rebuild", "--db", e.DSN}, env(), &stdout, &stderr); err != nil {
				t.Fatalf("rebuild: %v\n%s", err, stderr.String())
			}
			if got := stdout.String(); got != "summaries rebuilt: 2 groups counting 3 active runs (there were 0 groups before)\n" {
				t.Errorf("rebuild printed %q", got)
			}
			st, err = store.Open(ctx, e.DSN, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			got, err := st.Tallies(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("rebuilt %d groups, the writes kept %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("group %d: rebuilt %+v, writes kept %+v", i, got[i], want[i])
				}
			}
		})
	}
	t.Run("help and usage", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"summaries", "rebuild", "--help"}, env(), &stdout, &stderr); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "-db") {
			t.Errorf("summaries rebuild --help = %v, %q", err, stderr.String())
		}
		stderr.Reset()
		if err := run(context.Background(), []string{"summaries"}, env(), &stdout, &stderr); exitCode(err) != 2 || !strings.Contains(stderr.String(), "summaries rebuild") {
			t.Errorf("summaries = %v (exit %d), %q", err, exitCode(err), stderr.String())
		}
		if err := run(context.Background(), []string{"summaries", "redo"}, env(), &stdout, &stderr); exitCode(err) != 2 || !strings.Contains(err.Error(), `"redo"`) {
			t.Errorf("summaries redo = %v (exit %d)", err, exitCode(err))
		}
	})
}

func ptrInt(n int) *int { return &n }
