package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"ruggedlab/models"
)

// Field pilots (issue #14): trials, assignments, incidents, shifts and
// questionnaires. Items arrive one by one (JSON) or from a CSV file; the
// batch methods check every item first and write all or nothing.

type trialRow struct {
	ID, Name, Site, Notes string
	StartDate, EndDate    string
	RecordedBy            string
	RecordedAt            time.Time
}

func (trialRow) TableName() string { return "trials" }

type assignmentRow struct {
	ID, TrialID, UnitID, HandsetID string
	Carrier, FromDate, ToDate      string
	Position                       int
}

func (assignmentRow) TableName() string { return "trial_assignments" }

type incidentRow struct {
	ID, TrialID, UnitID, HandsetID string
	OccurredOn, Category           string
	Severity                       int
	OutOfServiceH                  float64
	Outcome, Notes                 string
	RetractedAt                    *time.Time
	RetractionReason               *string
	RecordedBy                     string
	RecordedAt                     time.Time
	ReviewState, ReviewBy          string
	ReviewAt                       *time.Time
	ReviewReason                   string
}

func (incidentRow) TableName() string { return "trial_incidents" }

type shiftRow struct {
	ID, TrialID, UnitID, HandsetID string
	StartedAt                      time.Time
	LengthH                        float64
	BatteryStartPct                *float64
	BatteryEndPct                  *float64
	Charged, LastedShift           bool
	RecordedBy                     string
	RecordedAt                     time.Time
}

func (shiftRow) TableName() string { return "trial_shifts" }

type questionnaireRow struct {
	ID, TrialID, HandsetID, Respondent string
	Answers, Custom                    string
	Score                              float64
	RecordedBy                         string
	RecordedAt                         time.Time
}

func (questionnaireRow) TableName() string { return "trial_questionnaires" }

// CreateTrial records a trial with its assignments. Errors: Invalid (with
// the field of each problem, e.g. assignments[2].unit for an unknown unit).
func (s *Store) CreateTrial(ctx context.Context, t models.Trial, by string) (models.Trial, error) {
	if err := t.Validate(); err != nil {
		return t, err
	}
	t.ID, t.RecordedBy, t.RecordedAt = s.newID(), by, s.stamp()
	if t.Assignments == nil {
		t.Assignments = []models.Assignment{}
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var fe models.FieldErrors
		rows := make([]assignmentRow, len(t.Assignments))
		for i, a := range t.Assignments {
			var u unitRow
			err := tx.Joins("JOIN handsets ON handsets.id = units.handset_id").
				Where("handsets.code = ? AND units.serial = ?", a.Handset, a.Unit).Take(&u).Error
			if err == gorm.ErrRecordNotFound {
				fe.Add(fmt.Sprintf("assignments[%d].unit", i), "unit %s of handset %s is not registered", a.Unit, a.Handset)
				continue
			} else if err != nil {
				return err
			}
			rows[i] = assignmentRow{ID: s.newID(), TrialID: t.ID, UnitID: u.ID, HandsetID: u.HandsetID,
				Carrier: a.Carrier, FromDate: a.From, ToDate: a.To, Position: i}
		}
		if err := fe.Err("the trial is not valid"); err != nil {
			return err
		}
		if err := tx.Create(&trialRow{ID: t.ID, Name: t.Name, Site: t.Site, Notes: t.Notes, StartDate: t.Start,
			EndDate: t.End, RecordedBy: by, RecordedAt: t.RecordedAt}).Error; err != nil {
			return err
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(&rows, 500).Error; err != nil {
				return err
			}
		}
		return bumpVersion(tx) // exposure is field evidence (matrix, compare)
	})
	return t, translate(err, "trial")
}

// Trials lists every trial, newest start first, without assignments.
func (s *Store) Trials(ctx context.Context) ([]models.Trial, error) {
	var rows []trialRow
	if err := s.db.WithContext(ctx).Order("start_date DESC, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "trials")
	}
	out := make([]models.Trial, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

func (r trialRow) model() models.Trial {
	return models.Trial{ID: r.ID, Name: r.Name, Site: r.Site, Start: r.StartDate, End: r.EndDate, Notes: r.Notes,
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}
}

// Trial returns one trial with its assignments. Errors: NotFound.
func (s *Store) Trial(ctx context.Context, id string) (models.Trial, error) {
	var r trialRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return models.Trial{}, translate(err, "trial "+id)
	}
	t := r.model()
	as, err := s.assignments(s.db.WithContext(ctx), []string{id})
	if err != nil {
		return t, err
	}
	t.Assignments = []models.Assignment{}
	for _, a := range as {
		t.Assignments = append(t.Assignments, a.Assignment)
	}
	return t, nil
}

type assigned struct {
	models.Assignment
	trialID, unitID, handsetID string
}

func (s *Store) assignments(tx *gorm.DB, trials []string) ([]assigned, error) {
	var rows []struct {
		TrialID, UnitID, HandsetID, Carrier, FromDate, ToDate, Code, Serial string
	}
	err := tx.Table("trial_assignments").
		Select("trial_assignments.trial_id AS trial_id, trial_assignments.unit_id AS unit_id, "+
			"trial_assignments.handset_id AS handset_id, trial_assignments.carrier AS carrier, "+
			"trial_assignments.from_date AS from_date, trial_assignments.to_date AS to_date, "+
			"handsets.code AS code, units.serial AS serial").
		Joins("JOIN units ON units.id = trial_assignments.unit_id").
		Joins("JOIN handsets ON handsets.id = trial_assignments.handset_id").
		Where("trial_assignments.trial_id IN ?", trials).
		Order("trial_assignments.trial_id, trial_assignments.position").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "assignments")
	}
	out := make([]assigned, len(rows))
	for i, r := range rows {
		out[i] = assigned{Assignment: models.Assignment{Handset: r.Code, Unit: r.Serial, Carrier: r.Carrier, From: r.FromDate, To: r.ToDate},
			trialID: r.TrialID, unitID: r.UnitID, handsetID: r.HandsetID}
	}
	return out, nil
}

// Where says where an item's problems are: a JSON field path (one item,
// Lines nil) or the CSV line of each item, with the field as its column.
type Where struct{ Lines []int }

func (w Where) at(i int, e models.FieldError) models.FieldError {
	if w.Lines != nil {
		return models.FieldError{Row: w.Lines[i], Column: e.Field, Value: e.Value, Message: e.Message}
	}
	return e
}

// trialIndex resolves trials, units and assignments for a batch of items.
type trialIndex struct {
	known  map[string]bool
	byUnit map[[3]string][]assigned // trial, handset code, serial
	byCode map[[2]string]string     // trial, handset code → handset id
}

func (s *Store) trialIndex(tx *gorm.DB, ids []string) (trialIndex, error) {
	ix := trialIndex{known: map[string]bool{}, byUnit: map[[3]string][]assigned{}, byCode: map[[2]string]string{}}
	var found []string
	if err := tx.Table("trials").Where("id IN ?", ids).Pluck("id", &found).Error; err != nil {
		return ix, err
	}
	for _, id := range found {
		ix.known[id] = true
	}
	as, err := s.assignments(tx, found)
	if err != nil {
		return ix, err
	}
	for _, a := range as {
		k := [3]string{a.trialID, a.Handset, a.Unit}
		ix.byUnit[k] = append(ix.byUnit[k], a)
		ix.byCode[[2]string{a.trialID, a.Handset}] = a.handsetID
	}
	return ix, nil
}

// unit finds the assignment covering day, adding a problem when there is none.
func (ix trialIndex) unit(fe *models.FieldErrors, trial, handset, serial, day, dayField string) *assigned {
	if !ix.known[trial] {
		fe.Add("trial", "trial %q not found", trial)
		return nil
	}
	as := ix.byUnit[[3]string{trial, handset, serial}]
	if len(as) == 0 {
		fe.Add("unit", "unit %s of handset %s is not assigned to anyone in this trial", serial, handset)
		return nil
	}
	for i := range as {
		if as[i].Covers(day) {
			return &as[i]
		}
	}
	fe.Add(dayField, "%s is outside every assignment of unit %s (%s)", day, serial, periods(as))
	return nil
}

func periods(as []assigned) string {
	s := ""
	for i, a := range as {
		if i > 0 {
			s += ", "
		}
		s += a.From + " to " + a.To
	}
	return s
}

func distinct(n int, key func(int) string) []string {
	seen := map[string]bool{}
	var out []string
	for i := range n {
		if k := key(i); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// TrialWrite says how a batch is written.
type TrialWrite struct {
	By     string
	DryRun bool // check everything, write nothing
	Where  Where
}

// CreateIncidents records incidents, all or none: each must fall within an
// assignment of its unit in its trial. Errors: Invalid.
func (s *Store) CreateIncidents(ctx context.Context, items []models.Incident, w TrialWrite) ([]models.Incident, error) {
	now := s.stamp()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		ix, err := s.trialIndex(tx, distinct(len(items), func(i int) string { return items[i].Trial }))
		if err != nil {
			return err
		}
		var all models.FieldErrors
		rows := make([]incidentRow, 0, len(items))
		for i := range items {
			in := &items[i]
			if in.Outcome == "" {
				in.Outcome = "none"
			}
			fe := in.Validate()
			var a *assigned
			if !fe.Has("date") && !fe.Has("unit") {
				a = ix.unit(&fe, in.Trial, in.Handset, in.Unit, in.Date, "date")
			}
			for _, e := range fe {
				all = append(all, w.Where.at(i, e))
			}
			if len(fe) > 0 || a == nil {
				continue
			}
			in.ID, in.RecordedBy, in.RecordedAt = s.newID(), w.By, now
			in.Review = models.Review{State: models.Recorded}
			rows = append(rows, incidentRow{ID: in.ID, TrialID: in.Trial, UnitID: a.unitID, HandsetID: a.handsetID,
				OccurredOn: in.Date, Category: in.Category, Severity: in.Severity, OutOfServiceH: in.OutOfServiceH,
				Outcome: in.Outcome, Notes: in.Notes, RecordedBy: w.By, RecordedAt: now, ReviewState: string(models.Recorded)})
		}
		if err := all.Err("the incidents are not valid: nothing was recorded"); err != nil {
			return err
		}
		if w.DryRun || len(rows) == 0 {
			return nil
		}
		if err := tx.CreateInBatches(&rows, 500).Error; err != nil {
			return err
		}
		return bumpVersion(tx)
	})
	return items, translate(err, "incidents")
}

// RetractIncident marks an incident void with a reason; it stays visible
// and leaves the statistics. Errors: NotFound, Invalid, Conflict (already).
func (s *Store) RetractIncident(ctx context.Context, trial, id, reason, by string) (models.Incident, error) {
	if reason == "" {
		return models.Incident{}, models.FieldErrors{{Field: "reason", Message: "is required"}}.Err("the retraction is not valid")
	}
	now := s.stamp()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var r incidentRow
		if err := tx.Where("trial_id = ? AND id = ?", trial, id).Take(&r).Error; err != nil {
			return translate(err, "incident "+id)
		}
		if r.RetractedAt != nil {
			return conflictAt("reason", "incident %s was already retracted", id)
		}
		if err := tx.Model(&incidentRow{}).Where("id = ?", id).
			Updates(map[string]any{"retracted_at": now, "retraction_reason": reason}).Error; err != nil {
			return err
		}
		return bumpVersion(tx)
	})
	if err != nil {
		return models.Incident{}, translate(err, "incident")
	}
	return s.Incident(ctx, trial, id)
}

// Incidents lists a trial's incidents by date, retracted ones included.
func (s *Store) Incidents(ctx context.Context, trial string) ([]models.Incident, error) {
	return s.incidents(s.db.WithContext(ctx).Where("trial_incidents.trial_id = ?", trial).Order("occurred_on, trial_incidents.id"))
}

// Incident is one incident of a trial. Errors: NotFound.
func (s *Store) Incident(ctx context.Context, trial, id string) (models.Incident, error) {
	list, err := s.incidents(s.db.WithContext(ctx).Where("trial_incidents.trial_id = ? AND trial_incidents.id = ?", trial, id))
	if err != nil {
		return models.Incident{}, err
	}
	if len(list) == 0 {
		return models.Incident{}, models.Errorf(models.NotFound, "incident %s not found in trial %s", id, trial)
	}
	return list[0], nil
}

// incidents reads the incidents q selects, with their handset code and
// unit serial.
func (s *Store) incidents(q *gorm.DB) ([]models.Incident, error) {
	var rows []struct {
		ID, TrialID, OccurredOn, Category, Outcome, Notes, RecordedBy, Code, Serial string
		Severity                                                                    int
		OutOfServiceH                                                               float64
		RetractedAt                                                                 *time.Time
		RetractionReason                                                            *string
		RecordedAt                                                                  time.Time
		ReviewState, ReviewBy, ReviewReason                                         string
		ReviewAt                                                                    *time.Time
	}
	err := q.Table("trial_incidents").
		Select("trial_incidents.id AS id, trial_incidents.trial_id AS trial_id, occurred_on, category, outcome, trial_incidents.notes AS notes, " +
			"trial_incidents.recorded_by AS recorded_by, handsets.code AS code, units.serial AS serial, severity, " +
			"out_of_service_h, retracted_at, retraction_reason, trial_incidents.recorded_at AS recorded_at, " +
			"review_state, review_by, review_reason, review_at").
		Joins("JOIN units ON units.id = trial_incidents.unit_id").
		Joins("JOIN handsets ON handsets.id = trial_incidents.handset_id").
		Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "incidents")
	}
	out := make([]models.Incident, len(rows))
	for i, r := range rows {
		out[i] = models.Incident{ID: r.ID, Trial: r.TrialID, Handset: r.Code, Unit: r.Serial, Date: r.OccurredOn,
			Category: r.Category, Severity: r.Severity, OutOfServiceH: r.OutOfServiceH, Outcome: r.Outcome, Notes: r.Notes,
			Retracted: r.RetractedAt != nil, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC(),
			Review: models.Review{State: models.ReviewState(r.ReviewState), By: r.ReviewBy, Reason: r.ReviewReason}}
		if r.RetractedAt != nil {
			t := r.RetractedAt.UTC()
			out[i].RetractedAt = &t
		}
		if r.RetractionReason != nil {
			out[i].RetractionReason = *r.RetractionReason
		}
		if r.ReviewAt != nil {
			t := r.ReviewAt.UTC()
			out[i].Review.At = &t
		}
		out[i].Review = out[i].ReviewOf()
	}
	return out, nil
}

// CreateShifts records shift logs, all or none; each shift must start
// within an assignment of its unit. Errors: Invalid. It returns how many
// shifts were (or, dry, would be) recorded.
func (s *Store) CreateShifts(ctx context.Context, items []models.Shift, w TrialWrite) (int, error) {
	now := s.stamp()
	batch := 256
	if s.engine == Postgres {
		batch = 2000
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		ix, err := s.trialIndex(tx, distinct(len(items), func(i int) string { return items[i].Trial }))
		if err != nil {
			return err
		}
		var all models.FieldErrors
		rows := make([]shiftRow, 0, min(len(items), batch))
		flush := func() error {
			if w.DryRun || len(rows) == 0 || len(all) > 0 {
				rows = rows[:0]
				return nil
			}
			err := tx.Create(&rows).Error
			rows = rows[:0]
			return err
		}
		for i := range items {
			sh := &items[i]
			fe := sh.Complete()
			var a *assigned
			if !fe.Has("start") && !fe.Has("unit") {
				a = ix.unit(&fe, sh.Trial, sh.Handset, sh.Unit, sh.Start.UTC().Format(models.DateLayout), "start")
			}
			for _, e := range fe {
				if len(all) < 1000 {
					all = append(all, w.Where.at(i, e))
				}
			}
			if len(fe) > 0 || a == nil {
				continue
			}
			rows = append(rows, shiftRow{ID: s.newID(), TrialID: sh.Trial, UnitID: a.unitID, HandsetID: a.handsetID,
				StartedAt: sh.Start.UTC(), LengthH: sh.LengthH, BatteryStartPct: sh.BatteryFrom, BatteryEndPct: sh.BatteryTo,
				Charged: sh.Charged, LastedShift: *sh.LastedShift, RecordedBy: w.By, RecordedAt: now})
			if len(rows) == batch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := all.Err("the shifts are not valid: nothing was recorded"); err != nil {
			return err
		}
		if err := flush(); err != nil || w.DryRun || len(items) == 0 {
			return err
		}
		return bumpVersion(tx)
	})
	return len(items), translate(err, "shifts")
}

// CreateQuestionnaires records SUS questionnaires, all or none; the
// handset must be a candidate of the trial (a unit assigned in it), and a
// respondent answers once per candidate. Errors: Invalid, Conflict.
func (s *Store) CreateQuestionnaires(ctx context.Context, items []models.Questionnaire, score func([]int) (float64, error), w TrialWrite) ([]models.Questionnaire, error) {
	now := s.stamp()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		ix, err := s.trialIndex(tx, distinct(len(items), func(i int) string { return items[i].Trial }))
		if err != nil {
			return err
		}
		var all models.FieldErrors
		rows := make([]questionnaireRow, 0, len(items))
		seen := map[[3]string]bool{}
		for i := range items {
			q := &items[i]
			fe := q.Complete(score)
			hid := ""
			switch {
			case !ix.known[q.Trial]:
				fe.Add("trial", "trial %q not found", q.Trial)
			case ix.byCode[[2]string{q.Trial, q.Handset}] == "":
				fe.Add("handset", "handset %q has no unit in this trial", q.Handset)
			default:
				hid = ix.byCode[[2]string{q.Trial, q.Handset}]
			}
			k := [3]string{q.Trial, q.Handset, q.Respondent}
			if seen[k] {
				fe.Add("respondent", "%s already answered for %s in this file", q.Respondent, q.Handset)
			}
			seen[k] = true
			for _, e := range fe {
				all = append(all, w.Where.at(i, e))
			}
			if len(fe) > 0 {
				continue
			}
			ans, _ := json.Marshal(q.SUS)
			if q.Custom == nil {
				q.Custom = map[string]int{}
			}
			cus, _ := json.Marshal(q.Custom)
			rows = append(rows, questionnaireRow{ID: s.newID(), TrialID: q.Trial, HandsetID: hid, Respondent: q.Respondent,
				Answers: string(ans), Custom: string(cus), Score: q.Score, RecordedBy: w.By, RecordedAt: now})
		}
		if err := all.Err("the questionnaires are not valid: nothing was recorded"); err != nil {
			return err
		}
		if w.DryRun || len(rows) == 0 {
			return nil
		}
		if err := tx.CreateInBatches(&rows, 500).Error; err != nil {
			return translate(err, "a questionnaire of that respondent for that handset")
		}
		return bumpVersion(tx)
	})
	return items, translate(err, "questionnaires")
}

// TrialData is what a trial's summary is computed from.
type TrialData struct {
	Trial      models.Trial
	Candidates []string // handset codes with a unit in the trial, sorted
	DeviceDays map[string]int
	Incidents  map[string]map[string]int // handset → category → count (not retracted)
	// Verified and Pending split Incidents by review (issue #13): verified
	// ones, and those still recorded (awaiting review); the rest were
	// rejected.
	Verified, Pending map[string]map[string]int
	Shifts            map[string][][2]int  // handset → per unit [lasted, total]
	SUS               map[string][]float64 // handset → scores
	Custom            map[string]map[string][]int
}

// TrialData reads a trial's exposure, incident counts, per-unit shift
// counts and SUS scores. Errors: NotFound.
func (s *Store) TrialData(ctx context.Context, id string) (TrialData, error) {
	t, err := s.Trial(ctx, id)
	if err != nil {
		return TrialData{}, err
	}
	d := TrialData{Trial: t, DeviceDays: map[string]int{}, Incidents: map[string]map[string]int{},
		Verified: map[string]map[string]int{}, Pending: map[string]map[string]int{},
		Shifts: map[string][][2]int{}, SUS: map[string][]float64{}, Custom: map[string]map[string][]int{}}
	for _, a := range t.Assignments {
		if _, ok := d.DeviceDays[a.Handset]; !ok {
			d.Candidates = append(d.Candidates, a.Handset)
		}
		d.DeviceDays[a.Handset] += a.Days()
		d.Incidents[a.Handset] = map[string]int{}
	}
	sort.Strings(d.Candidates)
	db := s.db.WithContext(ctx)
	var inc []struct {
		Code, Category, ReviewState string
		N                           int
	}
	if err := db.Table("trial_incidents").Select("handsets.code AS code, category, review_state, COUNT(*) AS n").
		Joins("JOIN handsets ON handsets.id = trial_incidents.handset_id").
		Where("trial_id = ? AND retracted_at IS NULL", id).Group("handsets.code, category, review_state").Scan(&inc).Error; err != nil {
		return d, translate(err, "incidents")
	}
	add := func(m map[string]map[string]int, code, cat string, n int) {
		if m[code] == nil {
			m[code] = map[string]int{}
		}
		m[code][cat] += n
	}
	for _, r := range inc {
		add(d.Incidents, r.Code, r.Category, r.N)
		switch models.ReviewState(r.ReviewState) {
		case models.Verified:
			add(d.Verified, r.Code, r.Category, r.N)
		case models.Recorded:
			add(d.Pending, r.Code, r.Category, r.N)
		}
	}
	var sh []struct {
		Code, UnitID string
		Lasted, N    int
	}
	if err := db.Table("trial_shifts").
		Select("handsets.code AS code, unit_id, SUM(CASE WHEN lasted_shift THEN 1 ELSE 0 END) AS lasted, COUNT(*) AS n").
		Joins("JOIN handsets ON handsets.id = trial_shifts.handset_id").
		Where("trial_id = ?", id).Group("handsets.code, unit_id").Order("handsets.code, unit_id").Scan(&sh).Error; err != nil {
		return d, translate(err, "shifts")
	}
	for _, r := range sh {
		d.Shifts[r.Code] = append(d.Shifts[r.Code], [2]int{r.Lasted, r.N})
	}
	var qs []struct {
		Code, Custom string
		Score        float64
	}
	if err := db.Table("trial_questionnaires").Select("handsets.code AS code, custom, score").
		Joins("JOIN handsets ON handsets.id = trial_questionnaires.handset_id").
		Where("trial_id = ?", id).Order("handsets.code, respondent").Scan(&qs).Error; err != nil {
		return d, translate(err, "questionnaires")
	}
	for _, r := range qs {
		d.SUS[r.Code] = append(d.SUS[r.Code], r.Score)
		var cus map[string]int
		_ = json.Unmarshal([]byte(r.Custom), &cus)
		for k, v := range cus {
			if d.Custom[r.Code] == nil {
				d.Custom[r.Code] = map[string][]int{}
			}
			d.Custom[r.Code][k] = append(d.Custom[r.Code][k], v)
		}
	}
	return d, nil
}
