package models

import (
	"strings"
	"time"
)

// ReviewState is where a run's latest revision stands in second-person
// review (ISO/IEC 17025 §7.8.1: a result is checked by someone other than
// the person who recorded it).
type ReviewState string

// Review states.
const (
	Recorded ReviewState = "recorded" // not yet reviewed, or amended since
	Verified ReviewState = "verified"
	Rejected ReviewState = "rejected" // stays visible; needs an amendment
)

// Review is a run's review: who decided, when and why (reason for
// rejected). By and At are empty while the state is recorded.
type Review struct {
	State  ReviewState `json:"state"`
	By     string      `json:"by"`
	At     *time.Time  `json:"at"`
	Reason string      `json:"reason"`
}

// Evidence rules of a profile: which runs count.
const (
	EvidenceAny      = "any"      // every active run counts
	EvidenceVerified = "verified" // only runs whose latest revision is verified
)

// EvidenceRules lists a profile's evidence rules.
var EvidenceRules = []string{EvidenceAny, EvidenceVerified}

// ReviewDecision is a reviewer's decision on one revision of a run.
type ReviewDecision struct {
	Decision ReviewState // verified or rejected
	Revision int         // the revision reviewed; it must be the latest
	Reason   string      // required for rejected
}

// Validate checks the decision on its own, before any run is read.
func (d ReviewDecision) Validate() error {
	errs := d.checks()
	if d.Revision < 1 {
		errs.Add("revision", "is required: the revision you reviewed (from GET /api/v1/runs/{id})")
	}
	return errs.Err("the review is not valid")
}

// checks are the problems of a decision whatever it is about.
func (d ReviewDecision) checks() FieldErrors {
	var errs FieldErrors
	switch d.Decision {
	case Verified, Rejected:
	case "":
		errs.Add("decision", "is required: \"verified\" or \"rejected\"")
	default:
		errs.Add("decision", "must be \"verified\" or \"rejected\", not %q", string(d.Decision))
	}
	if d.Decision == Rejected {
		if msg := reasonProblem(d.Reason, "rejected"); msg != "" {
			errs.Add("reason", "%s", msg)
		}
	}
	return errs
}

// review is the review d records, by reviewer by at now.
func (d ReviewDecision) review(by string, now time.Time) Review {
	rv := Review{State: d.Decision, By: by, At: &now}
	if d.Decision == Rejected {
		rv.Reason = strings.TrimSpace(d.Reason)
	}
	return rv
}

// Apply checks the decision of reviewer by against the current run cur,
// first recorded by creator, and returns the reviewed run. Errors:
// Forbidden (the reviewer recorded or last amended the run), Conflict
// (stale revision, retracted run, a run already reviewed), Invalid.
func (d ReviewDecision) Apply(cur Run, creator, by string, now time.Time) (Run, error) {
	if err := d.Validate(); err != nil {
		return cur, err
	}
	if by == creator || by == cur.RecordedBy {
		who := "recorded"
		if by != creator {
			who = "last amended"
		}
		return cur, Errorf(Forbidden, "you %s run %s: a second person must review it (ISO/IEC 17025 §7.8.1)", who, cur.ID)
	}
	if cur.Status == Retracted {
		return cur, Errorf(Conflict, "run %s is retracted: there is nothing to review", cur.ID)
	}
	if d.Revision != cur.Revision {
		msg := "run " + cur.ID + " is at revision " + itoa(cur.Revision) + ", not " + itoa(d.Revision) + ": reload it and review the latest revision"
		return cur, &Error{Code: Conflict, Message: msg, Fields: FieldErrors{{Field: "revision", Message: msg}}}
	}
	switch cur.Review.State {
	case Verified:
		return cur, Errorf(Conflict, "run %s revision %d is already verified by %s", cur.ID, cur.Revision, cur.Review.By)
	case Rejected:
		return cur, Errorf(Conflict, "run %s revision %d was rejected by %s: it needs an amendment before another review", cur.ID, cur.Revision, cur.Review.By)
	}
	next := cur
	next.Review = d.review(by, now)
	return next, nil
}

// IncidentRevision is the only revision an incident has: it is never
// amended, only retracted (a rejected incident is retracted and recorded
// anew).
const IncidentRevision = 1

// ValidateIncident checks a decision on a field-trial incident: the
// revision may be left out, and is otherwise IncidentRevision.
func (d ReviewDecision) ValidateIncident() error {
	errs := d.checks()
	if d.Revision != 0 && d.Revision != IncidentRevision {
		errs.Add("revision", "must be 1 or left out: an incident is never amended, so it has one revision")
	}
	return errs.Err("the review is not valid")
}

// ApplyIncident checks the decision of reviewer by on incident cur and
// returns the reviewed incident. Errors: Invalid, Forbidden (the reviewer
// recorded it), Conflict (retracted, or already reviewed).
func (d ReviewDecision) ApplyIncident(cur Incident, by string, now time.Time) (Incident, error) {
	if err := d.ValidateIncident(); err != nil {
		return cur, err
	}
	if by == cur.RecordedBy {
		return cur, Errorf(Forbidden, "you recorded incident %s: a second person must review it (ISO/IEC 17025 §7.8.1)", cur.ID)
	}
	if cur.Retracted {
		return cur, Errorf(Conflict, "incident %s is retracted: there is nothing to review", cur.ID)
	}
	switch cur.ReviewOf().State {
	case Verified:
		return cur, Errorf(Conflict, "incident %s is already verified by %s", cur.ID, cur.Review.By)
	case Rejected:
		return cur, Errorf(Conflict, "incident %s was rejected by %s: retract it and record it anew", cur.ID, cur.Review.By)
	}
	next := cur
	next.Review = d.review(by, now)
	return next, nil
}

// ReviewOf returns in's review, recorded for an incident read before
// incidents were reviewed.
func (in Incident) ReviewOf() Review {
	if in.Review.State == "" {
		return Review{State: Recorded}
	}
	return in.Review
}

// ReviewOf returns r's review, with the recorded state for a run read
// before reviews existed.
func (r Run) ReviewOf() Review {
	if r.Review.State == "" {
		return Review{State: Recorded}
	}
	return r.Review
}
