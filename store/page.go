package store

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"ruggedlab/models"
)

// Page asks for one page of a list.
type Page struct {
	Limit  int    // 1–500; 0 means the default of 50
	Cursor string // from a previous page's next cursor; "" for the first page
}

// Lists defaults from api.md §1.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// cursor marks the last item of a page in the list's sort order. It is
// opaque to clients; a version prefix lets the format change later.
type cursor struct {
	T  time.Time `json:"t,omitzero"`
	S  string    `json:"s,omitempty"`
	ID string    `json:"id"`
}

const cursorPrefix = "c1."

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return cursorPrefix + base64.RawURLEncoding.EncodeToString(b)
}

func (p Page) check() (limit int, c *cursor, err error) {
	limit = p.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	var errs models.FieldErrors
	if limit < 1 || limit > MaxLimit {
		errs.Add("limit", "must be between 1 and %d, not %d", MaxLimit, limit)
	}
	if p.Cursor != "" {
		c = new(cursor)
		raw, derr := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(p.Cursor, cursorPrefix))
		if !strings.HasPrefix(p.Cursor, cursorPrefix) || derr != nil || json.Unmarshal(raw, c) != nil || c.ID == "" {
			errs.Add("cursor", "was not issued by this service: use next_cursor from the previous page")
		}
	}
	return limit, c, errs.Err("the list request is not valid")
}
