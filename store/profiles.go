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

type profileRow struct {
	ID           string
	Version      int
	Name         string
	Requirements string
	Evidence     string
	RecordedBy   string
	RecordedAt   time.Time
}

func (profileRow) TableName() string { return "profiles" }

func (r profileRow) model() (models.Profile, error) {
	p := models.Profile{ID: r.ID, Version: r.Version, Name: r.Name, Evidence: r.Evidence, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}
	if p.Evidence == "" {
		p.Evidence = models.EvidenceAny
	}
	if err := json.Unmarshal([]byte(r.Requirements), &p.Requirements); err != nil {
		return p, fmt.Errorf("profile %s version %d: stored requirements unreadable: %w", r.ID, r.Version, err)
	}
	return p, nil
}

// CreateProfile records version 1 of a new profile. Errors: Invalid.
func (s *Store) CreateProfile(ctx context.Context, p models.Profile, by string) (models.Profile, error) {
	if err := p.Validate(); err != nil {
		return p, err
	}
	p.ID, p.Version = s.newID(), 1
	err := s.writeTx(ctx, "create_profile", func(tx *gorm.DB, ch change) error {
		ch["created"] = p.ID
		ch["version"] = 1
		return s.insertProfile(tx, &p, by)
	})
	return p, translate(err, "profile")
}

// CreateProfileVersion records the next version of profile id with p's
// requirements; an empty name keeps the previous one. Versions are never
// changed, so a concurrent writer that took the same number is retried
// with the next one. Errors: NotFound, Invalid.
func (s *Store) CreateProfileVersion(ctx context.Context, id string, p models.Profile, by string) (models.Profile, error) {
	for attempt := 0; ; attempt++ {
		out, err := s.createProfileVersion(ctx, id, p, by)
		if errors.Is(err, gorm.ErrDuplicatedKey) && attempt < 5 {
			continue
		}
		return out, translate(err, "profile "+id)
	}
}

func (s *Store) createProfileVersion(ctx context.Context, id string, p models.Profile, by string) (models.Profile, error) {
	err := s.writeTx(ctx, "create_profile_version", func(tx *gorm.DB, ch change) error {
		var latest profileRow
		if err := tx.Where("id = ?", id).Order("version DESC").Take(&latest).Error; err != nil {
			return err
		}
		if p.Name == "" {
			p.Name = latest.Name
		}
		if p.Evidence == "" {
			p.Evidence = latest.Evidence // kept like the name when left out
		}
		if err := p.Validate(); err != nil {
			return err
		}
		p.ID, p.Version = id, latest.Version+1
		ch["created"] = fmt.Sprintf("%s/versions/%d", id, p.Version)
		ch["target"], ch["version"] = id, p.Version
		return s.insertProfile(tx, &p, by)
	})
	return p, err
}

func (s *Store) insertProfile(tx *gorm.DB, p *models.Profile, by string) error {
	reqs, err := json.Marshal(p.Requirements)
	if err != nil {
		return err
	}
	p.RecordedBy, p.RecordedAt = by, s.stamp()
	if p.Evidence == "" {
		p.Evidence = models.EvidenceAny
	}
	return tx.Create(&profileRow{ID: p.ID, Version: p.Version, Name: p.Name, Requirements: string(reqs),
		Evidence: p.Evidence, RecordedBy: p.RecordedBy, RecordedAt: p.RecordedAt}).Error
}

// Profile returns version of profile id; version 0 means the latest.
// Errors: NotFound (profile or version).
func (s *Store) Profile(ctx context.Context, id string, version int) (models.Profile, error) {
	q := s.db.WithContext(ctx).Where("id = ?", id)
	what := "profile " + id
	if version > 0 {
		q = q.Where("version = ?", version)
		what = fmt.Sprintf("version %d of profile %s", version, id)
	} else {
		q = q.Order("version DESC")
	}
	var row profileRow
	if err := q.Take(&row).Error; err != nil {
		return models.Profile{}, translate(err, what)
	}
	return row.model()
}

// ProfileVersions lists the version numbers of profile id, oldest first.
// Errors: NotFound.
func (s *Store) ProfileVersions(ctx context.Context, id string) ([]int, error) {
	var versions []int
	err := s.db.WithContext(ctx).Model(&profileRow{}).Where("id = ?", id).Order("version").Pluck("version", &versions).Error
	if err != nil {
		return nil, translate(err, "profile "+id)
	}
	if len(versions) == 0 {
		return nil, models.Errorf(models.NotFound, "profile %s not found", id)
	}
	return versions, nil
}

// Profiles lists the latest version of every profile, oldest profile
// first (ids are time-ordered). Errors: Invalid (limit, cursor).
func (s *Store) Profiles(ctx context.Context, p Page) ([]models.Profile, string, error) {
	limit, c, err := p.check()
	if err != nil {
		return nil, "", err
	}
	q := s.db.WithContext(ctx).Model(&profileRow{}).
		Where("version = (SELECT max(v.version) FROM profiles v WHERE v.id = profiles.id)").
		Order("id").Limit(limit + 1)
	if c != nil {
		q = q.Where("id > ?", c.ID)
	}
	var rows []profileRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", translate(err, "profiles")
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = cursor{ID: rows[limit-1].ID}.encode()
	}
	out := make([]models.Profile, len(rows))
	for i, r := range rows {
		if out[i], err = r.model(); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}
