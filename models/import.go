package models

import "time"

// Import records one bulk import from a CSV file: units, or runs of one
// kind. It exists only for an import that was committed whole.
type Import struct {
	ID         string    `json:"import_id"`
	Kind       string    `json:"kind"` // "units" or a run kind
	FileName   string    `json:"file_name"`
	Rows       int       `json:"rows"`
	Created    []string  `json:"created"` // unit or run ids, in file order
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// ImportSummary is an import as the list of imports shows it: everything
// but the created ids (GET /api/v1/imports/{id} has them).
type ImportSummary struct {
	ID         string    `json:"import_id"`
	Kind       string    `json:"kind"`
	FileName   string    `json:"file_name"`
	Rows       int       `json:"rows"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}
