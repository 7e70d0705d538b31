package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"gorm.io/gorm"

	"ruggedlab/models"
)

type auditRow struct {
	ID        int64 `gorm:"primaryKey"`
	At        time.Time
	Account   string
	Role      string
	RequestID string
	Method    string
	Route     string
	Path      string
	Status    int
	Detail    string
	Address   string
}

func (auditRow) TableName() string { return "audit_log" }

func (r auditRow) model() models.AuditEntry {
	return models.AuditEntry{ID: r.ID, At: r.At.UTC(), Account: r.Account, Role: models.Role(r.Role), RequestID: r.RequestID,
		Method: r.Method, Route: r.Route, Path: r.Path, Status: r.Status, Detail: json.RawMessage(r.Detail), Address: r.Address}
}

// RecordAudit appends e to the audit log, stamped with the store's clock;
// e.ID and e.At are ignored. A nil or invalid Detail is stored as {}.
func (s *Store) RecordAudit(ctx context.Context, e models.AuditEntry) error {
	detail := string(e.Detail)
	if !json.Valid(e.Detail) {
		detail = "{}"
	}
	row := auditRow{At: s.stamp(), Account: e.Account, Role: string(e.Role), RequestID: e.RequestID, Method: e.Method,
		Route: e.Route, Path: e.Path, Status: e.Status, Detail: detail, Address: e.Address}
	return translate(s.tx(ctx, func(tx *gorm.DB) error { return tx.Create(&row).Error }), "audit entry")
}

// AuditLog lists entries newest first, in the order they were written.
// Errors: Invalid (limit, cursor).
func (s *Store) AuditLog(ctx context.Context, p Page) ([]models.AuditEntry, string, error) {
	limit, c, err := p.check()
	if err != nil {
		return nil, "", err
	}
	q := s.db.WithContext(ctx).Order("id DESC").Limit(limit + 1)
	if c != nil {
		before, perr := strconv.ParseInt(c.ID, 10, 64)
		if perr != nil {
			return nil, "", models.FieldErrors{{Field: "cursor", Message: "was not issued by this service: use next_cursor from the previous page"}}.Err("the list request is not valid")
		}
		q = q.Where("id < ?", before)
	}
	var rows []auditRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", translate(err, "audit log")
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = cursor{ID: strconv.FormatInt(rows[limit-1].ID, 10)}.encode()
	}
	out := make([]models.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, next, nil
}
