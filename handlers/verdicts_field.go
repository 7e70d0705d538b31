package handlers

import (
	"context"
	"slices"

	"ruggedlab/models"
	"ruggedlab/store"
	"ruggedlab/verdict"
)

// Field requirements (kind field, issue #14 item 7) are judged on the
// trials, not on runs: the matrix Evaluate makes from the runs gets its
// field rows from verdict.WithField, on the same counts the trial summary
// reads (store.TrialData).

// hasField says whether any of the profiles has a field requirement.
func hasField(ps ...models.Profile) bool {
	for _, p := range ps {
		if slices.ContainsFunc(p.Requirements, func(r models.Requirement) bool { return r.Kind == models.FieldTrial }) {
			return true
		}
	}
	return false
}

// fieldEvidence reads every trial's counts, or nothing when no profile
// asks for field evidence.
func (s *Server) fieldEvidence(ctx context.Context, ps ...models.Profile) ([]verdict.FieldData, error) {
	if !hasField(ps...) {
		return nil, nil
	}
	trials, err := s.Store.Trials(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]verdict.FieldData, 0, len(trials))
	for _, t := range trials {
		d, err := s.Store.TrialData(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, fieldData(d))
	}
	return out, nil
}

// fieldData is a trial's counts as verdict reads them.
func fieldData(d store.TrialData) verdict.FieldData {
	units := map[string][]string{}
	for _, a := range d.Trial.Assignments {
		if !slices.Contains(units[a.Handset], a.Unit) {
			units[a.Handset] = append(units[a.Handset], a.Unit)
		}
	}
	return verdict.FieldData{Trial: d.Trial.ID, DeviceDays: d.DeviceDays, Units: units, Incidents: d.Incidents,
		Verified: d.Verified, Pending: d.Pending, Shifts: d.Shifts, SUS: d.SUS}
}

// evaluate is the verdict matrix of p on the runs and, for its field
// requirements, the trials.
func evaluate(p models.Profile, ev store.Evidence, field []verdict.FieldData) verdict.Matrix {
	m := verdict.EvaluateHandsets(p, ev.Handsets, ev.Runs)
	if hasField(p) {
		m = verdict.WithField(m, p, field)
	}
	return m
}
