package store

import (
	"gorm.io/gorm"

	"ruggedlab/importer"
	"ruggedlab/models"
)

// unitCache looks each handset named in a file up once, with its units, so
// a file of 200,000 runs on a few handsets costs a few queries.
type unitCache struct {
	s        *Store
	handsets map[string]*cachedHandset
	unknown  map[unitKey]models.FieldError // problems of unregistered units, asked once
}

type cachedHandset struct {
	id     string // "" when no handset has the code
	units  map[string]unitRef
	inFile map[string]int // serials registered by this units file: line
}

func newUnitCache(s *Store) *unitCache {
	return &unitCache{s: s, handsets: map[string]*cachedHandset{}, unknown: map[unitKey]models.FieldError{}}
}

func (c *unitCache) handset(db *gorm.DB, code string) (*cachedHandset, error) {
	if h, ok := c.handsets[code]; ok {
		return h, nil
	}
	refs, err := c.s.lookupUnits(db, []models.Run{{Handset: code}})
	if err != nil {
		return nil, err
	}
	h := &cachedHandset{units: map[string]unitRef{}, inFile: map[string]int{}}
	for k, ref := range refs {
		h.units[k.serial], h.id = ref, ref.handsetID
	}
	if h.id == "" { // no units yet, or no such handset
		var rows []handsetRow
		if err := db.Select("id").Where("code = ?", code).Limit(1).Find(&rows).Error; err != nil {
			return nil, err
		}
		if len(rows) == 1 {
			h.id = rows[0].ID
		}
	}
	c.handsets[code] = h
	return h, nil
}

// run finds the unit of a run, or says which of handset or unit is missing
// in the words POST /runs uses.
func (c *unitCache) run(db *gorm.DB, r models.Run) (unitRef, *models.FieldError, error) {
	h, err := c.handset(db, r.Handset)
	if err != nil {
		return unitRef{}, nil, err
	}
	if ref, ok := h.units[r.Unit]; ok {
		return ref, nil, nil
	}
	key := unitKey{r.Handset, r.Unit}
	p, ok := c.unknown[key]
	if !ok {
		p = unknownUnit(db, r)
		c.unknown[key] = p
	}
	return unitRef{}, &p, nil
}

type runSink struct {
	units *unitCache
	rows  []runRow
	revs  []revisionRow
	// tallies gathers the import's groups batch by batch; they are written
	// once, at the end, still in the import's transaction: rewriting each
	// group per batch left hundreds of row versions per group behind on
	// PostgreSQL (one transaction cannot prune its own), and every later
	// batch paid to walk them (100,000 rows: 5 minutes instead of seconds).
	tallies *tallyChange
}

func (k *runSink) take(db *gorm.DB, rd *importer.Reader[models.Run], row importer.Row[models.Run], imp *models.Import, write bool) error {
	r := row.Value
	if r.Technician == "" {
		r.Technician = imp.RecordedBy // as POST /runs: the recorder's name
	}
	var ref unitRef
	var errs models.FieldErrors
	if r.Handset != "" && r.Unit != "" {
		var missing *models.FieldError
		var err error
		if ref, missing, err = k.units.run(db, r); err != nil {
			return err
		}
		if missing != nil {
			errs = append(errs, *missing)
		}
	}
	if err := r.Validate(imp.RecordedAt, ref.facts); err != nil {
		errs = append(asFieldErrors(err), errs...)
	}
	report(rd, row, errs)
	if rd.Failed() || !write {
		return nil // the file will be rejected: only look for more problems
	}
	run, rr, rev := k.units.s.newRunRecord(r, ref, imp.RecordedAt, imp.RecordedBy)
	k.rows, k.revs = append(k.rows, rr), append(k.revs, rev)
	imp.Created = append(imp.Created, run.ID)
	if len(k.rows) >= runBatch {
		return k.write(db)
	}
	return nil
}

// write inserts the queued batch and adds it to the import's groups (one
// statement computing the keys of the batch's distinct tuples).
func (k *runSink) write(db *gorm.DB) error {
	if len(k.rows) == 0 {
		return nil
	}
	if err := db.Create(&k.rows).Error; err != nil {
		return err
	}
	if k.tallies == nil {
		k.tallies = k.units.s.newTallyChange()
	}
	if err := k.tallies.collectNew(db, k.rows); err != nil {
		return err
	}
	if err := db.Create(&k.revs).Error; err != nil {
		return err
	}
	k.rows, k.revs = k.rows[:0], k.revs[:0]
	return nil
}

// flush writes the last batch, then the import's groups.
func (k *runSink) flush(db *gorm.DB) error {
	if err := k.write(db); err != nil {
		return err
	}
	if k.tallies == nil {
		return nil
	}
	return k.tallies.apply(db)
}

type unitSink struct {
	units *unitCache
	rows  []unitRow
}

func (k *unitSink) take(db *gorm.DB, rd *importer.Reader[models.Unit], row importer.Row[models.Unit], imp *models.Import, write bool) error {
	u := row.Value
	var errs models.FieldErrors
	if err := u.Validate(); err != nil {
		errs = asFieldErrors(err)
	}
	var h *cachedHandset
	if u.Handset == "" {
		errs.Add("handset", "is required")
	} else {
		var err error
		if h, err = k.units.handset(db, u.Handset); err != nil {
			return err
		}
		if h.id == "" {
			errs.Add("handset", "handset %q is not registered: create it first (POST /api/v1/handsets)", u.Handset)
		}
	}
	if h != nil && h.id != "" && u.Serial != "" && !errs.Has("serial") {
		if _, ok := h.units[u.Serial]; ok {
			errs.Add("serial", "%s is already registered for handset %s", u.Serial, u.Handset)
		} else if line, ok := h.inFile[u.Serial]; ok {
			errs.Add("serial", "%s appears twice for handset %s in this file (rows %d and %d)", u.Serial, u.Handset, line, row.Line)
		} else {
			h.inFile[u.Serial] = row.Line
		}
	}
	report(rd, row, errs)
	if rd.Failed() || !write {
		return nil
	}
	ur := unitRow{ID: k.units.s.newID(), HandsetID: h.id, Serial: u.Serial, Notes: u.Notes, RecordedBy: imp.RecordedBy, RecordedAt: imp.RecordedAt}
	k.rows = append(k.rows, ur)
	imp.Created = append(imp.Created, ur.ID)
	if len(k.rows) >= unitBatch {
		return k.flush(db)
	}
	return nil
}

func (k *unitSink) flush(db *gorm.DB) error {
	if len(k.rows) == 0 {
		return nil
	}
	if err := db.Create(&k.rows).Error; err != nil {
		return err
	}
	k.rows = k.rows[:0]
	return nil
}
