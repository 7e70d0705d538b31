package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"ruggedlab/models"
)

type unitRow struct {
	ID         string
	HandsetID  string
	Serial     string
	Notes      string
	RecordedBy string
	RecordedAt time.Time
}

func (unitRow) TableName() string { return "units" }

func (r unitRow) model(code string) models.Unit {
	return models.Unit{ID: r.ID, Handset: code, Serial: r.Serial, Notes: r.Notes, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}
}

// CreateUnit registers one unit of a handset. Errors: NotFound (handset),
// Invalid, Conflict (serial exists for that handset).
func (s *Store) CreateUnit(ctx context.Context, code string, u models.Unit, by string) (models.Unit, error) {
	out, err := s.CreateUnits(ctx, []models.Unit{{Handset: code, Serial: u.Serial, Notes: u.Notes}}, by)
	if models.ErrorCode(err) == models.Conflict {
		return u, conflictAt("serial", "unit %s of handset %s already exists", u.Serial, code)
	}
	if err != nil {
		return u, err
	}
	return out[0], nil
}

// CreateUnits registers units, all or none, in one transaction. Each unit
// names its handset by code. Errors: Invalid (with the index of each bad
// unit in Row, starting at 1), NotFound, Conflict.
func (s *Store) CreateUnits(ctx context.Context, units []models.Unit, by string) ([]models.Unit, error) {
	for _, u := range units {
		if err := u.Validate(); err != nil {
			return nil, err
		}
	}
	now := s.stamp()
	out := make([]models.Unit, len(units))
	err := s.writeTx(ctx, "create_units", func(tx *gorm.DB, ch change) error {
		ids, err := handsetIDs(tx, units)
		if err != nil {
			return err
		}
		rows := make([]unitRow, len(units))
		for i, u := range units {
			rows[i] = unitRow{ID: s.newID(), HandsetID: ids[u.Handset], Serial: u.Serial, Notes: u.Notes, RecordedBy: by, RecordedAt: now}
			out[i] = rows[i].model(u.Handset)
		}
		if err := tx.CreateInBatches(&rows, 200).Error; err != nil {
			return translate(err, "unit serial")
		}
		created := make([]string, len(out))
		for i, u := range out {
			created[i] = u.Handset + "/" + u.Serial
		}
		ch["created"] = created
		return nil
	})
	if err != nil {
		return nil, translate(err, "unit")
	}
	return out, nil
}

func handsetIDs(tx *gorm.DB, units []models.Unit) (map[string]string, error) {
	codes := map[string]bool{}
	var list []string
	for _, u := range units {
		if !codes[u.Handset] {
			codes[u.Handset] = true
			list = append(list, u.Handset)
		}
	}
	var rows []handsetRow
	if err := tx.Select("id", "code").Where("code IN ?", list).Find(&rows).Error; err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for _, r := range rows {
		ids[r.Code] = r.ID
	}
	for _, c := range list {
		if ids[c] == "" {
			return nil, models.Errorf(models.NotFound, "handset %s not found", c)
		}
	}
	return ids, nil
}

// Units lists the units of a handset by serial. Errors: NotFound.
func (s *Store) Units(ctx context.Context, code string, p Page) ([]models.Unit, string, error) {
	limit, c, err := p.check()
	if err != nil {
		return nil, "", err
	}
	h, err := s.Handset(ctx, code)
	if err != nil {
		return nil, "", err
	}
	q := s.db.WithContext(ctx).Where("handset_id = ?", h.ID).Order("serial").Limit(limit + 1)
	if c != nil {
		q = q.Where("serial > ?", c.S)
	}
	var rows []unitRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", translate(err, "units")
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = cursor{S: rows[limit-1].Serial, ID: rows[limit-1].ID}.encode()
	}
	out := make([]models.Unit, len(rows))
	for i, r := range rows {
		out[i] = r.model(code)
	}
	return out, next, nil
}

// UnitSerials lists every registered unit, handset code then serial, for
// the run form's unit picker: code, serial and id only.
func (s *Store) UnitSerials(ctx context.Context) ([]models.Unit, error) {
	var rows []struct {
		ID, Code, Serial string
	}
	err := s.db.WithContext(ctx).Table("units").Select("units.id, handsets.code, units.serial").
		Joins("JOIN handsets ON handsets.id = units.handset_id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "units")
	}
	out := make([]models.Unit, len(rows))
	for i, r := range rows {
		out[i] = models.Unit{ID: r.ID, Handset: r.Code, Serial: r.Serial}
	}
	// The same order on both engines, whatever PostgreSQL's collation.
	slices.SortFunc(out, func(a, b models.Unit) int {
		return cmp.Or(strings.Compare(a.Handset, b.Handset), strings.Compare(a.Serial, b.Serial))
	})
	return out, nil
}

// Unit returns one unit with its whole run history, oldest first and
// retracted runs included: the stress sequence matters. Errors: NotFound.
func (s *Store) Unit(ctx context.Context, code, serial string) (models.Unit, error) {
	var row unitRow
	err := s.db.WithContext(ctx).Joins("JOIN handsets ON handsets.id = units.handset_id").
		Where("handsets.code = ? AND units.serial = ?", code, serial).Take(&row).Error
	if err != nil {
		return models.Unit{}, translate(err, "unit "+serial+" of handset "+code)
	}
	u := row.model(code)
	var runs []runRow
	if err := s.runQuery(ctx).Where("runs.unit_id = ?", row.ID).Order("runs.started_at, runs.id").Find(&runs).Error; err != nil {
		return u, translate(err, "runs")
	}
	u.Runs = make([]models.Run, len(runs))
	for i, r := range runs {
		u.Runs[i] = r.model()
	}
	return u, nil
}
