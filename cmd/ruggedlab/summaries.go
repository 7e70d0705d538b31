package main

import (
	"context"
	"fmt"
	"io"
	"ruggedlab/store"
)

const summariesUsage = `Usage: ruggedlab summaries rebuild [--db ./ruggedlab.db]

rebuild recomputes every per-unit summary (the run_tallies table that
comparisons, matrices, verdicts, the award and the dashboard read) from the
active runs, in one transaction, and prints how many groups and runs it
counted. Writes keep the summaries current on their own; rebuild is for a
database restored or edited by hand. It raises the data version, so cached
answers are recomputed.
`

// summaries runs "ruggedlab summaries rebuild".
func summaries(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return dispatch("summaries", summariesUsage, args, stdout, stderr,
		subcommand{"rebuild", func(a []string) error { return summariesRebuild(ctx, a, getenv, stdout, stderr) }})
}

func summariesRebuild(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return withCurrentStore(ctx, "summaries rebuild", "Recompute the per-unit summaries from the runs, in one transaction.", args, getenv, stderr,
		func(st *store.Store) error {
			rep, err := st.RebuildTallies(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "summaries rebuilt: %d groups counting %d active runs (there were %d groups before)\n", rep.Groups, rep.Runs, rep.Before)
			return nil
		})
}
