package store

import (
	"context"
	"time"

	"ruggedlab/models"
)

// ImportListing is an import as the people's list shows it: the summary
// and, once it was retracted as a whole (RetractImport), by whom, when
// and why.
type ImportListing struct {
	models.ImportSummary
	RetractedAt   *time.Time
	RetractedBy   string
	RetractReason string
}

// ImportTable is a page of the list of imports.
type ImportTable struct {
	TablePage
	Imports []ImportListing
}

// ImportTable returns one page of every import, newest first, without
// their created ids. Errors: Invalid (page, per_page).
func (s *Store) ImportTable(ctx context.Context, page, perPage int) (ImportTable, error) {
	var errs models.FieldErrors
	checkPage(&errs, &page, &perPage)
	if err := errs.Err("the table request is not valid"); err != nil {
		return ImportTable{}, err
	}
	db := s.db.WithContext(ctx)
	tp, err := place(db.Model(&importRow{}), page, perPage)
	if err != nil {
		return ImportTable{}, translate(err, "imports")
	}
	var rows []importRow
	err = db.Model(&importRow{}).Select("id, kind, file_name, row_count, recorded_by, recorded_at, retracted_at, retracted_by, retract_reason").
		Order("recorded_at DESC, id DESC").Limit(tp.PerPage).Offset((tp.Page - 1) * tp.PerPage).Find(&rows).Error
	if err != nil {
		return ImportTable{}, translate(err, "imports")
	}
	out := ImportTable{TablePage: tp, Imports: make([]ImportListing, len(rows))}
	for i, r := range rows {
		l := ImportListing{ImportSummary: models.ImportSummary{ID: r.ID, Kind: r.Kind, FileName: r.FileName, Rows: r.RowCount,
			RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}, RetractedBy: r.RetractedBy, RetractReason: r.RetractReason}
		if r.RetractedAt != nil {
			at := r.RetractedAt.UTC()
			l.RetractedAt = &at
		}
		out.Imports[i] = l
	}
	return out, nil
}
