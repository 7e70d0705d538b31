package handlers

import (
	"testing"
	"time"

	"ruggedlab/i18n"
	"ruggedlab/models"
)

// TestRunsTableSeconds: a runs list gives start times to the minute, with
// the seconds where two runs of the list share a minute, and every start
// to the second in its cell's title; exports keep the minute.
func TestRunsTableSeconds(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	runs := []models.Run{
		{ID: "r1", Handset: "atlas-r1", Unit: "U1", Kind: models.Drop, StartedAt: at.Add(5 * time.Second)},
		{ID: "r2", Handset: "atlas-r1", Unit: "U1", Kind: models.Drop, StartedAt: at.Add(40 * time.Second)},
		{ID: "r3", Handset: "atlas-r1", Unit: "U1", Kind: models.Drop, StartedAt: at.Add(3*time.Minute + 7*time.Second)},
	}
	for _, tc := range []struct {
		tr               *i18n.Printer
		same, alone, sec string
	}{
		{nil, "2026-03-02 09:00:05 UTC", "2026-03-02 09:03 UTC", "2026-03-02 09:03:07 UTC"},
		{i18n.MustLoad().Printer(i18n.FR), "02/03/2026 09:00:05 UTC", "02/03/2026 09:03 UTC", "02/03/2026 09:03:07 UTC"},
	} {
		cs := &cast{tr: tc.tr}
		tab := runsTable("runs", "runs", cs, runs, nil)
		col := -1
		for i, c := range tab.Columns {
			if c.Key == "started_at" {
				col = i
			}
		}
		if col < 0 {
			t.Fatalf("no started_at column in %v", tab.Columns)
		}
		first, alone := tab.Rows[0][col], tab.Rows[2][col]
		if first.Text != tc.same || tab.Rows[1][col].Text == first.Text {
			t.Errorf("runs of one minute show %q and %q, want their seconds (%q)", first.Text, tab.Rows[1][col].Text, tc.same)
		}
		if alone.Text != tc.alone || alone.Title != tc.sec {
			t.Errorf("a run alone in its minute shows %q titled %q, want %q titled %q", alone.Text, alone.Title, tc.alone, tc.sec)
		}
		if first.Export == "" || first.Export == first.Text {
			t.Errorf("a run of a shared minute exports %q, want the minute as before", first.Export)
		}
	}
}
