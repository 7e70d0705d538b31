package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"

	"ruggedlab/models"
)

type handsetRow struct {
	ID           string
	Code         string
	Name         string
	Manufacturer string
	FormFactor   string
	Declared     string
	RecordedBy   string
	RecordedAt   time.Time
	UnitCount    int `gorm:"->;-:migration"`
}

func (handsetRow) TableName() string { return "handsets" }

func (r handsetRow) model() models.Handset {
	h := models.Handset{ID: r.ID, Code: r.Code, Name: r.Name, Manufacturer: r.Manufacturer,
		FormFactor: r.FormFactor, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC(), UnitCount: r.UnitCount}
	_ = json.Unmarshal([]byte(r.Declared), &h.Declared)
	return h
}

func declaredJSON(d models.Declared) string {
	b, _ := json.Marshal(d)
	return string(b)
}

// CreateHandset registers a candidate. Errors: Invalid, Conflict (code taken).
func (s *Store) CreateHandset(ctx context.Context, h models.Handset, by string) (models.Handset, error) {
	if err := h.Validate(); err != nil {
		return h, err
	}
	row := handsetRow{ID: s.newID(), Code: h.Code, Name: h.Name, Manufacturer: h.Manufacturer,
		FormFactor: h.FormFactor, Declared: declaredJSON(h.Declared), RecordedBy: by, RecordedAt: s.stamp()}
	err := s.writeTx(ctx, "create_handset", func(tx *gorm.DB, ch change) error {
		ch["created"] = h.Code
		ch["values"] = h
		return tx.Create(&row).Error
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return h, conflictAt("code", "handset %s already exists", h.Code)
	}
	if err != nil {
		return h, translate(err, "handset "+h.Code)
	}
	return row.model(), nil
}

const handsetSelect = "handsets.*, (SELECT count(*) FROM units WHERE units.handset_id = handsets.id) AS unit_count"

// Handsets lists candidates by code.
func (s *Store) Handsets(ctx context.Context, p Page) ([]models.Handset, string, error) {
	limit, c, err := p.check()
	if err != nil {
		return nil, "", err
	}
	q := s.db.WithContext(ctx).Select(handsetSelect).Order("code").Limit(limit + 1)
	if c != nil {
		q = q.Where("code > ?", c.S)
	}
	var rows []handsetRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", translate(err, "handsets")
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = cursor{S: last.Code, ID: last.ID}.encode()
	}
	out := make([]models.Handset, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, next, nil
}

// AllHandsets returns every candidate by code; a tender has a handful.
func (s *Store) AllHandsets(ctx context.Context) ([]models.Handset, error) {
	var rows []handsetRow
	if err := s.db.WithContext(ctx).Select(handsetSelect).Order("code").Find(&rows).Error; err != nil {
		return nil, translate(err, "handsets")
	}
	out := make([]models.Handset, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// Handset finds a candidate by code. Errors: NotFound.
func (s *Store) Handset(ctx context.Context, code string) (models.Handset, error) {
	var row handsetRow
	err := s.db.WithContext(ctx).Select(handsetSelect).Where("code = ?", code).Take(&row).Error
	if err != nil {
		return models.Handset{}, translate(err, "handset "+code)
	}
	return row.model(), nil
}

// PatchHandset changes a handset's name, manufacturer or declared values
// with patch (which decodes and applies the body) in one transaction.
// Errors: NotFound, Invalid.
func (s *Store) PatchHandset(ctx context.Context, code string, patch func(models.Handset) (models.Handset, error)) (models.Handset, error) {
	var out models.Handset
	err := s.writeTx(ctx, "patch_handset", func(tx *gorm.DB, ch change) error {
		var row handsetRow
		if err := tx.Where("code = ?", code).Take(&row).Error; err != nil {
			return err
		}
		h, err := patch(row.model())
		if err != nil {
			return err
		}
		if err := h.Validate(); err != nil {
			return err
		}
		ch["target"] = code
		ch["changes"] = fieldChanges(row.model(), h, "name", "manufacturer", "declared")
		row.Name, row.Manufacturer, row.Declared = h.Name, h.Manufacturer, declaredJSON(h.Declared)
		if err := tx.Model(&row).Select("name", "manufacturer", "declared").Updates(&row).Error; err != nil {
			return err
		}
		out = row.model()
		return nil
	})
	if err != nil {
		return out, translate(err, "handset "+code)
	}
	return s.Handset(ctx, code)
}
