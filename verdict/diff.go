package verdict

import "ruggedlab/models"

// Change is one cell whose verdict differs between two profile versions
// evaluated on the same evidence. From or To is null when the requirement
// is absent from that version.
type Change struct {
	Key     string   `json:"key"`
	Title   string   `json:"title"`
	Handset string   `json:"handset"`
	From    *Verdict `json:"from"`
	To      *Verdict `json:"to"`
	// Reason explains the new cell (the old one's when the requirement was
	// removed).
	Reason string `json:"reason"`
	// Why is Reason for pages to word (models.Msg).
	Why models.Msgs `json:"-"`
}

// Diff lists the cells whose verdict changed from one matrix to the other:
// requirements of the new version in their order, then those removed.
// Both matrices must cover the same handsets (Evaluate with one list).
func Diff(from, to Matrix) []Change {
	old := map[string]Row{}
	for _, r := range from.Rows {
		old[r.Key] = r
	}
	changes := []Change{}
	seen := map[string]bool{}
	for _, r := range to.Rows {
		seen[r.Key] = true
		before, had := old[r.Key]
		for i, c := range r.Cells {
			after := c.Verdict
			ch := Change{Key: r.Key, Title: r.Title, Handset: c.Handset, To: &after, Reason: c.Reason, Why: c.Why}
			if had && i < len(before.Cells) && before.Cells[i].Handset == c.Handset {
				if before.Cells[i].Verdict == after {
					continue
				}
				prev := before.Cells[i].Verdict
				ch.From = &prev
			}
			changes = append(changes, ch)
		}
	}
	for _, r := range from.Rows {
		if seen[r.Key] {
			continue
		}
		for _, c := range r.Cells {
			prev := c.Verdict
			why := models.Msgs{models.M("requirement removed: %s", c.Why)}
			changes = append(changes, Change{Key: r.Key, Title: r.Title, Handset: c.Handset, From: &prev, Reason: "requirement removed: " + c.Reason, Why: why})
		}
	}
	return changes
}
