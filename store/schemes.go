package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"ruggedlab/models"
)

type schemeRow struct {
	ProfileID      string
	Version        int
	ProfileVersion int
	Name           string
	Body           string
	RecordedBy     string
	RecordedAt     time.Time
}

func (schemeRow) TableName() string { return "schemes" }

// schemeBody is what the body column holds.
type schemeBody struct {
	Criteria []models.SchemeCriterion `json:"criteria"`
	Order    [][]string               `json:"order"`
	Gates    []string                 `json:"gates"`
	Entered  []models.EnteredValue    `json:"entered"`
}

func (r schemeRow) model() (models.Scheme, error) {
	s := models.Scheme{ProfileID: r.ProfileID, Version: r.Version, ProfileVersion: r.ProfileVersion, Name: r.Name,
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}
	var b schemeBody
	if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
		return s, fmt.Errorf("scheme %d of profile %s: stored body unreadable: %w", r.Version, r.ProfileID, err)
	}
	s.Criteria, s.Order, s.Gates, s.Entered = b.Criteria, b.Order, b.Gates, b.Entered
	return s, nil
}

// CreateScheme records the next scheme version of profile s.ProfileID.
// check validates s inside the transaction (the caller's full check,
// profile and arithmetic of the weights). A concurrent writer that took
// the same number is retried with the next. Errors: NotFound, Invalid.
func (s *Store) CreateScheme(ctx context.Context, sc models.Scheme, by string, check func(models.Scheme) error) (models.Scheme, error) {
	for attempt := 0; ; attempt++ {
		out, err := s.createScheme(ctx, sc, by, check)
		if errors.Is(err, gorm.ErrDuplicatedKey) && attempt < 5 {
			continue
		}
		return out, translate(err, "scheme of profile "+sc.ProfileID)
	}
}

func (s *Store) createScheme(ctx context.Context, sc models.Scheme, by string, check func(models.Scheme) error) (models.Scheme, error) {
	err := s.writeTx(ctx, "create_scheme", func(tx *gorm.DB, ch change) error {
		var latest int
		if err := tx.Model(&schemeRow{}).Where("profile_id = ?", sc.ProfileID).Select("COALESCE(MAX(version), 0)").Scan(&latest).Error; err != nil {
			return err
		}
		sc.Version = latest + 1
		if err := check(sc); err != nil {
			return err
		}
		body, err := json.Marshal(schemeBody{Criteria: sc.Criteria, Order: sc.Order, Gates: sc.Gates, Entered: sc.Entered})
		if err != nil {
			return err
		}
		sc.RecordedBy, sc.RecordedAt = by, s.stamp()
		ch["created"] = fmt.Sprintf("%s/schemes/%d", sc.ProfileID, sc.Version)
		ch["target"], ch["version"], ch["profile_version"] = sc.ProfileID, sc.Version, sc.ProfileVersion
		return tx.Create(&schemeRow{ProfileID: sc.ProfileID, Version: sc.Version, ProfileVersion: sc.ProfileVersion, Name: sc.Name,
			Body: string(body), RecordedBy: by, RecordedAt: sc.RecordedAt}).Error
	})
	return sc, err
}

// Scheme returns version of the schemes of profile id; 0 means the
// latest. Errors: NotFound.
func (s *Store) Scheme(ctx context.Context, profileID string, version int) (models.Scheme, error) {
	q := s.db.WithContext(ctx).Where("profile_id = ?", profileID)
	what := "scoring scheme of profile " + profileID
	if version > 0 {
		q = q.Where("version = ?", version)
		what = fmt.Sprintf("scheme version %d of profile %s", version, profileID)
	} else {
		q = q.Order("version DESC")
	}
	var row schemeRow
	if err := q.Take(&row).Error; err != nil {
		return models.Scheme{}, translate(err, what)
	}
	return row.model()
}

// Schemes lists every scheme version of profile id, oldest first (a
// profile has few). Errors: none; an unknown profile gives an empty list.
func (s *Store) Schemes(ctx context.Context, profileID string) ([]models.Scheme, error) {
	var rows []schemeRow
	if err := s.db.WithContext(ctx).Where("profile_id = ?", profileID).Order("version").Find(&rows).Error; err != nil {
		return nil, translate(err, "schemes")
	}
	out := make([]models.Scheme, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.model(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
