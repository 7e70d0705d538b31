package handlers

import (
	"context"
	"fmt"
	"slices"

	"ruggedlab/charts"
	"ruggedlab/models"
	"ruggedlab/verdict"
)

// Field evidence beside the lab (issue #14 item 6): where a field trial
// answers the lab's question, the compare page adds a section with both in
// one row per candidate and trial — display cracks per 1,000 device-days
// beside the survival of a fixed drop programme, the share of shifts the
// battery lasted beside the lab's runtime. The field numbers are the trial
// summary's (summarize), the lab's the section's own comparison.

// labSection is one lab section's comparison, as the field section quotes it.
type labSection struct {
	title string
	fixed bool // a fixed drop programme (pass rate), not falls to failure
	res   verdict.Comparison
}

func (p *pages) fieldSection(ctx context.Context, q compareQuery, lab []labSection) (*compareSection, error) {
	trials, err := p.s.Store.Trials(ctx)
	if err != nil || len(trials) == 0 {
		return nil, err
	}
	cs := q.cast
	// The lab column: the first fixed drop programme, or the first battery protocol.
	var ref *labSection
	for i := range lab {
		if q.kind == models.Battery || lab[i].fixed {
			ref = &lab[i]
			break
		}
	}
	sec := compareSection{ID: "field", Filters: map[string]string{"evidence": "field trials"}}
	level := fmt.Sprintf("%g %%", q.confidence*100)
	labCols := []column{{"lab_programme", "Lab programme", false}, {"lab_units", "Lab units", true}}
	if q.kind == models.Drop {
		sec.Title = "In service: display cracks beside drop survival"
		sec.Lede = "The lab's drop onto a hard surface is a proxy for what cracks in service. Each row puts a candidate's survival of the lab programme beside the display cracks its units had in a field trial, per 1,000 device-days with the exact Poisson interval (" + level + "); a candidate strong in the lab can still crack more on duty."
		labCols = append(labCols, column{"lab_survived_pct", "Survived (%)", true}, column{"lab_low_pct", "Low (%)", true}, column{"lab_high_pct", "High (%)", true})
	} else {
		sec.Title = "In service: shifts the battery lasted beside the lab runtime"
		sec.Lede = "The lab loop measures hours to empty; in service the question is whether the battery lasts a shift. Each row puts a candidate's lab runtime (mean of unit means, t interval) beside the share of its field shifts that ended above 0 % without a charge, counted per unit first, Wilson interval (" + level + ")."
		labCols = append(labCols, column{"lab_mean_h", "Runtime (h)", true}, column{"lab_low_h", "Low (h)", true}, column{"lab_high_h", "High (h)", true})
	}
	fieldCols := []column{{"trial", "Field trial", false}, {"device_days", "Device-days", true}}
	if q.kind == models.Drop {
		fieldCols = append(fieldCols, column{"display_cracks", "Display cracks", true}, column{"rate_per_1000_device_days", "Per 1,000 device-days", true},
			column{"rate_low", "Low", true}, column{"rate_high", "High", true})
	} else {
		fieldCols = append(fieldCols, column{"shift_units", "Units with shifts", true}, column{"shifts", "Shifts", true},
			column{"lasted_pct", "Lasted (per unit, %)", true}, column{"lasted_low_pct", "Low (%)", true}, column{"lasted_high_pct", "High (%)", true})
	}
	t := table{ID: "field-" + string(q.kind), Caption: "Lab and field, one row per candidate and trial",
		Columns: append(append([]column{{"candidate", "Candidate", false}}, labCols...), fieldCols...)}
	var why []string
	for _, tr := range trials {
		d, err := p.s.Store.TrialData(ctx, tr.ID)
		if err != nil {
			return nil, err
		}
		sum := summarize(d, q.confidence)
		for _, code := range q.filter.Handsets {
			i := slices.IndexFunc(sum.Candidates, func(c trialCandidate) bool { return c.Handset == code })
			if i < 0 {
				continue
			}
			tc := sum.Candidates[i]
			row := []cell{{Text: cs.Label(code), Export: cs.Key(code), Color: charts.Color(cs.Index(code)), Href: handsetHref(cs, code)}}
			row = append(row, labCells(q.cast, q.kind, ref, code)...)
			row = append(row, cell{Text: cs.Text(tr.Name), Href: trialHref(tr.ID, cs.blind)}, intCell(tc.DeviceDays))
			reasons := map[string]string{}
			if q.kind == models.Drop {
				r := tc.ByCategory["display_cracked"]
				row = append(row, intCell(r.Incidents), numCell(float64(r.Estimate), 1), numCell(float64(r.Low), 1), numCell(float64(r.High), 1))
				for k, v := range tc.NullReasons {
					if k == "by_category.display_cracked.estimate" {
						reasons["field rate"] = v
					}
				}
			} else {
				sh := tc.Shifts
				row = append(row, intCell(sh.Units), intCell(sh.Total), numCell(100*float64(sh.Estimate), 1), numCell(100*float64(sh.Low), 1), numCell(100*float64(sh.High), 1))
				if v, ok := tc.NullReasons["shifts.estimate"]; ok {
					reasons["field share"] = v
				}
			}
			if ref == nil {
				reasons["lab"] = "no fixed lab programme on this page"
			}
			why = append(why, nullText(reasons))
			t.Rows = append(t.Rows, row)
		}
	}
	if len(t.Rows) == 0 {
		return nil, nil
	}
	withReasons(&t, why)
	sec.Tables = []table{t}
	return &sec, nil
}

// labCells are the lab columns of a field row: the reference section's
// numbers for code, or "–" when the section has none. The programme's
// title is in the page's language, as the section heading above.
func labCells(cs *cast, kind models.Kind, ref *labSection, code string) []cell {
	none := []cell{textCell(""), textCell(""), textCell(""), textCell(""), textCell("")}
	if ref == nil {
		return none
	}
	title := textCell(cs.Word(ref.title))
	if kind == models.Drop {
		for _, h := range ref.res.Drop {
			if h.Handset != code {
				continue
			}
			out := []cell{title, intCell(h.Units), textCell(""), textCell(""), textCell("")}
			if h.Proportion != nil {
				out[2] = numCell(100**h.Proportion, 1)
			}
			if h.Wilson != nil {
				out[3], out[4] = numCell(100*h.Wilson.Lower, 1), numCell(100*h.Wilson.Upper, 1)
			}
			return out
		}
		return none
	}
	for _, h := range ref.res.Battery {
		if h.Handset != code {
			continue
		}
		out := []cell{title, intCell(h.N), textCell(""), textCell(""), textCell("")}
		if h.Mean != nil {
			out[2] = numCell(*h.Mean, 2)
		}
		if h.CI != nil {
			out[3], out[4] = numCell(h.CI.Lower, 2), numCell(h.CI.Upper, 2)
		}
		return out
	}
	return none
}
