package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"sync"
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
	PrevHash  string
	Hash      string
}

func (auditRow) TableName() string { return "audit_log" }

func (r auditRow) model() models.AuditEntry {
	return models.AuditEntry{ID: r.ID, At: r.At.UTC(), Account: r.Account, Role: models.Role(r.Role), RequestID: r.RequestID,
		Method: r.Method, Route: r.Route, Path: r.Path, Status: r.Status, Detail: json.RawMessage(r.Detail), Address: r.Address,
		PrevHash: r.PrevHash, Hash: r.Hash}
}

// Audit describes the request a write belongs to: who, the request ID,
// the route and path, plus notes the handler adds. A handler puts it in
// the context (WithAudit) before calling the store; every data-changing
// store method then appends the entry, with what it changed, inside the
// write's own transaction, so a write and its entry commit or roll back
// together. Without one in the context (the command line, the demo loader)
// writes are not audited.
type Audit struct {
	// Describe gives Account, Role, RequestID, Method, Route, Path and
	// Address when the entry is written (the account may be known only
	// after the descriptor was made).
	Describe func() models.AuditEntry

	mu      sync.Mutex
	notes   map[string]any
	written int
}

type auditKey struct{}

// WithAudit returns ctx carrying a.
func WithAudit(ctx context.Context, a *Audit) context.Context {
	return context.WithValue(ctx, auditKey{}, a)
}

// AuditFrom returns the Audit carried by ctx, or nil.
func AuditFrom(ctx context.Context) *Audit {
	a, _ := ctx.Value(auditKey{}).(*Audit)
	return a
}

// Note adds a fact to the entry (a login's tried name, say); never secrets.
func (a *Audit) Note(key string, v any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.notes == nil {
		a.notes = map[string]any{}
	}
	a.notes[key] = v
}

// Notes returns a copy of the notes.
func (a *Audit) Notes() map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.notes)
}

// Written reports how many entries the store committed for this request.
func (a *Audit) Written() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.written
}

// change is what a write records about itself in its audit entry.
type change map[string]any

// writeTx is tx for a data change: fn does the write and fills in ch
// (target, created ids, old → new values, reason); then, in the same
// transaction, the entry is appended to the chain. If the entry cannot be
// written the write rolls back and the caller gets an internal error.
func (s *Store) writeTx(ctx context.Context, action string, fn func(tx *gorm.DB, ch change) error) error {
	a := AuditFrom(ctx)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		ch := change{}
		if err := fn(tx, ch); err != nil {
			return err
		}
		if err := bumpVersion(tx); err != nil {
			return fmt.Errorf("data version: %w", err)
		}
		if a == nil {
			return nil
		}
		detail := a.Notes()
		if detail == nil {
			detail = map[string]any{}
		}
		maps.Copy(detail, ch)
		detail["action"] = action
		var e models.AuditEntry
		if a.Describe != nil {
			e = a.Describe()
		}
		e.Status = 200
		if _, ok := ch["created"]; ok {
			e.Status = 201
		}
		raw, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("audit entry: %w", err)
		}
		e.Detail = raw
		if err := s.appendAudit(tx, e); err != nil {
			return fmt.Errorf("audit entry not written, so the write was not made: %w", err)
		}
		return nil
	})
	if err == nil && a != nil {
		a.mu.Lock()
		a.written++
		a.mu.Unlock()
	}
	return err
}

// auditLockKey is the PostgreSQL advisory lock that serializes appends to
// the chain (any constant shared by every instance).
const auditLockKey = 0x52554747_41554454 // "RUGGAUDT"

// appendAudit appends e to the chain inside tx, stamped with the store's
// clock; e.ID, e.At and the hashes are ignored. A nil or invalid Detail is
// stored as {}. The head of the chain is read under a lock held until the
// transaction ends: pg_advisory_xact_lock on PostgreSQL; on SQLite the
// immediate transaction already holds the database's only write lock.
func (s *Store) appendAudit(tx *gorm.DB, e models.AuditEntry) error {
	detail := canonicalJSON(e.Detail)
	if s.engine == Postgres {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", int64(auditLockKey)).Error; err != nil {
			return err
		}
	}
	var head []auditRow
	if err := tx.Select("hash").Order("id DESC").Limit(1).Find(&head).Error; err != nil {
		return err
	}
	row := auditRow{At: s.stamp(), Account: e.Account, Role: string(e.Role), RequestID: e.RequestID, Method: e.Method,
		Route: e.Route, Path: e.Path, Status: e.Status, Detail: detail, Address: e.Address}
	if len(head) == 1 {
		row.PrevHash = head[0].Hash
	}
	row.Hash = auditHash(row)
	return tx.Create(&row).Error
}

// RecordAudit appends e to the audit log in a transaction of its own: for
// requests that changed nothing (refused, failed, replayed) and actions
// that are not data writes. e.ID, e.At and the hashes are ignored.
func (s *Store) RecordAudit(ctx context.Context, e models.AuditEntry) error {
	return translate(s.tx(ctx, func(tx *gorm.DB) error {
		if err := bumpVersion(tx); err != nil { // an unmask changes what blind pages show
			return err
		}
		return s.appendAudit(tx, e)
	}), "audit entry")
}

// canonicalJSON is detail compact with sorted keys and numbers as written,
// as PostgreSQL's jsonb gives it back in another shape: the hash covers
// this form, recomputed from what is read.
func canonicalJSON(detail []byte) string {
	dec := json.NewDecoder(bytes.NewReader(detail))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "{}"
	}
	if _, ok := v.(map[string]any); !ok {
		return "{}"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// auditHash is the SHA-256 (hex) of an entry's canonical content: every
// column but id and hash, prev_hash included, as a JSON array.
func auditHash(r auditRow) string {
	b, _ := json.Marshal([]any{r.At.UTC().Format(sqliteTimeLayout), r.Account, r.Role, r.RequestID, r.Method,
		r.Route, r.Path, r.Status, canonicalJSON([]byte(r.Detail)), r.Address, r.PrevHash})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// sealAudit chains the entries written before migration 00006 (hash ”),
// in id order, so an upgraded database verifies. Migrate calls it.
func (s *Store) sealAudit(ctx context.Context) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if s.engine == Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", int64(auditLockKey)).Error; err != nil {
				return err
			}
		}
		var n int64
		if err := tx.Model(&auditRow{}).Where("hash = ''").Count(&n).Error; err != nil || n == 0 {
			return err
		}
		var rows []auditRow
		if err := tx.Order("id").Find(&rows).Error; err != nil {
			return err
		}
		prev := ""
		for _, r := range rows {
			if r.Hash == "" {
				r.PrevHash = prev
				r.Hash = auditHash(r)
				if err := tx.Model(&auditRow{}).Where("id = ? AND hash = ''", r.ID).
					Updates(map[string]any{"prev_hash": r.PrevHash, "hash": r.Hash}).Error; err != nil {
					return err
				}
			}
			prev = r.Hash
		}
		s.log.Info("audit log sealed", "entries", n)
		return nil
	})
}

// AuditBreak names the first entry at which the chain is broken.
type AuditBreak struct {
	ID     int64
	Reason string
}

func (b *AuditBreak) Error() string { return fmt.Sprintf("audit entry %d: %s", b.ID, b.Reason) }

// VerifyAudit walks the chain in id order, recomputing each entry's hash
// and checking it links to the previous one. It returns how many entries
// it checked and, on a broken chain, an *AuditBreak naming the first bad
// entry. A deleted entry shows as the next one's broken link; the chain
// alone cannot tell a removed newest entry from one never written.
func (s *Store) VerifyAudit(ctx context.Context) (int, error) {
	rows, err := s.db.WithContext(ctx).Model(&auditRow{}).Order("id").Rows()
	if err != nil {
		return 0, translate(err, "audit log")
	}
	defer rows.Close()
	n, prev, prevID := 0, "", int64(0)
	for rows.Next() {
		var r auditRow
		if err := s.db.ScanRows(rows, &r); err != nil {
			return n, translate(err, "audit log")
		}
		switch {
		case r.Hash == "":
			return n, &AuditBreak{r.ID, "has no hash (not sealed: run 'ruggedlab migrate')"}
		case r.PrevHash != prev && n == 0:
			return n, &AuditBreak{r.ID, "is the first entry but links to a previous hash: the entries before it were deleted"}
		case r.PrevHash != prev:
			return n, &AuditBreak{r.ID, fmt.Sprintf("does not link to entry %d: an entry between them was deleted, or entry %d was edited", prevID, prevID)}
		case auditHash(r) != r.Hash:
			return n, &AuditBreak{r.ID, "its content does not match its hash: it was edited"}
		}
		n++
		prev, prevID = r.Hash, r.ID
	}
	return n, translate(rows.Err(), "audit log")
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

// fieldChanges lists, as old → new, the named JSON fields that differ
// between two versions of a record.
func fieldChanges(before, after any, names ...string) models.Changes {
	decode := func(v any) map[string]any {
		raw, _ := json.Marshal(v)
		m := map[string]any{}
		_ = json.Unmarshal(raw, &m)
		return m
	}
	a, b := decode(before), decode(after)
	out := models.Changes{}
	for _, n := range names {
		x, _ := json.Marshal(a[n])
		y, _ := json.Marshal(b[n])
		if !bytes.Equal(x, y) {
			out[n] = models.Change{From: a[n], To: b[n]}
		}
	}
	return out
}
