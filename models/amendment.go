package models

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MinReasonLen is the shortest reason an amendment or a retraction takes,
// in characters (ISO/IEC 17025 §7.5.2: say why a record changes).
const MinReasonLen = 3

// Amendment asks for a new revision of a run: why, against which revision,
// and the new values. The values come either as the API's JSON `changes`
// object or as form cells read like CSV cells (Run.SetColumn); the store
// applies them to the run as locked in its transaction (Apply), so the API
// and the forms meet the same rules with the same messages.
type Amendment struct {
	Reason   string
	Revision int // the revision the change was made against; 0 = not given
	// Changes is a JSON object of field names and new values (the API).
	Changes json.RawMessage
	// Cells are every editable field's text as a form posts it; fields
	// whose cell equals the current value are not changes.
	Cells map[string]string
}

// reasonProblem says what is wrong with a reason, or "" if nothing is.
func reasonProblem(reason, why string) string {
	n := len([]rune(strings.TrimSpace(reason)))
	switch {
	case n == 0:
		return "is required: say why the run is " + why + " (ISO/IEC 17025 §7.5.2)"
	case n < MinReasonLen:
		return "must be at least 3 characters: say why the run is " + why + " (ISO/IEC 17025 §7.5.2)"
	}
	return ""
}

// Validate checks the amendment on its own, before any run is read.
func (a Amendment) Validate() error {
	var errs FieldErrors
	if msg := reasonProblem(a.Reason, "amended"); msg != "" {
		errs.Add("reason", "%s", msg)
	}
	if a.Revision < 1 {
		errs.Add("revision", "is required: the revision you amend (from GET /api/v1/runs/{id})")
	}
	if len(a.Changes) == 0 && a.Cells == nil {
		errs.Add("changes", "is required: an object of fields and their new values")
	}
	return errs.Err("the amendment is not valid")
}

// Apply checks the amendment against the current run cur and returns the
// amended run (revision, recorded_by and recorded_at unchanged) and what
// changed. Errors: Conflict (retracted run, stale revision), Invalid
// (every problem at once: reason, values, the amended run's rules with the
// path changes.<field>, nothing changed).
func (a Amendment) Apply(cur Run, now time.Time, facts HandsetFacts) (Run, Changes, error) {
	if cur.Status == Retracted {
		return cur, nil, Errorf(Conflict, "run %s is retracted and cannot be amended", cur.ID)
	}
	if a.Revision >= 1 && a.Revision != cur.Revision {
		msg := "run " + cur.ID + " is at revision " + itoa(cur.Revision) + ", not " + itoa(a.Revision) + ": reload it and amend the latest revision"
		return cur, nil, &Error{Code: Conflict, Message: msg, Fields: FieldErrors{{Field: "revision", Message: msg}}}
	}
	var errs FieldErrors
	if me, ok := a.Validate().(*Error); ok {
		errs = append(errs, me.Fields...)
	}
	next := cur
	switch {
	case a.Cells != nil:
		next = cur.clone()
		for _, f := range runFields(cur.Kind) {
			cell, ok := a.Cells[f.Name]
			if !ok || f.nested != nil || isImmutable(f.Name) {
				continue
			}
			if msg := setText(f, cell, f.ref(&next)); msg != "" {
				errs.Add(f.Name, "%s", msg)
			}
		}
	case len(a.Changes) > 0:
		var err error
		if next, err = cur.Amend(a.Changes); err != nil {
			errs = append(errs, fieldsOf(err)...)
		}
	}
	prefix := "changes."
	if a.Cells != nil {
		prefix = "" // a form shows each error beside its own field
	}
	// The rules run even when a value could not be read, so that one
	// answer lists every problem (issue #16): a field already reported
	// keeps its first message.
	if err := next.Validate(now, facts); err != nil {
		var rules FieldErrors
		for _, f := range fieldsOf(err) {
			if f.Field != "" {
				f.Field = prefix + f.Field
			}
			rules = append(rules, f)
		}
		errs = errs.Merge(rules)
	}
	if len(errs) > 0 {
		return next, nil, errs.Err("the amendment is not valid")
	}
	changes := Diff(cur, next)
	if len(changes) == 0 {
		errs.Add("changes", "changes nothing: every value equals the current one")
		return next, nil, errs.Err("the amendment is not valid")
	}
	return next, changes, nil
}

// Retraction takes a run out of the statistics, with a reason.
type Retraction struct {
	Reason string
}

// Validate checks the retraction on its own.
func (r Retraction) Validate() error {
	var errs FieldErrors
	if msg := reasonProblem(r.Reason, "retracted"); msg != "" {
		errs.Add("reason", "%s", msg)
	}
	return errs.Err("the retraction is not valid")
}

// Apply checks the retraction against the current run and returns the
// retracted run and what changed. Errors: Conflict (already retracted),
// Invalid (reason).
func (r Retraction) Apply(cur Run) (Run, Changes, error) {
	if cur.Status == Retracted {
		return cur, nil, Errorf(Conflict, "run %s is already retracted", cur.ID)
	}
	if err := r.Validate(); err != nil {
		return cur, nil, err
	}
	next := cur
	next.Status = Retracted
	return next, Changes{"status": {From: string(Active), To: string(Retracted)}}, nil
}

func (r Run) clone() Run {
	out := r
	out.Drops = slices.Clone(r.Drops)
	return out
}

func isImmutable(name string) bool { return slices.Contains(immutableFields, name) }

func fieldsOf(err error) FieldErrors {
	if me, ok := err.(*Error); ok && len(me.Fields) > 0 {
		return me.Fields
	}
	return FieldErrors{{Message: err.Error()}}
}

func itoa(n int) string { return strconv.Itoa(n) }
