package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"ruggedlab/models"
)

// Imports lists committed imports newest first, without their created ids
// (an import of 30,000 runs would make one list item megabytes long):
// Import(id) has them.
func (s *Store) Imports(ctx context.Context, p Page) ([]models.ImportSummary, string, error) {
	limit, c, err := p.check()
	if err != nil {
		return nil, "", err
	}
	q := s.db.WithContext(ctx).Model(&importRow{}).Select("id, kind, file_name, row_count, recorded_by, recorded_at").
		Order("recorded_at DESC, id DESC").Limit(limit + 1)
	if c != nil {
		t := c.T.UTC().Truncate(time.Microsecond)
		q = q.Where("recorded_at < ? OR (recorded_at = ? AND id < ?)", t, t, c.ID)
	}
	var rows []importRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", translate(err, "imports")
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = cursor{T: last.RecordedAt, ID: last.ID}.encode()
	}
	out := make([]models.ImportSummary, len(rows))
	for i, r := range rows {
		out[i] = models.ImportSummary{ID: r.ID, Kind: r.Kind, FileName: r.FileName, Rows: r.RowCount,
			RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}
	}
	return out, next, nil
}

// ImportRetraction is what RetractImport did.
type ImportRetraction struct {
	Import models.ImportSummary `json:"import"`
	// Retracted lists the runs this call retracted; AlreadyRetracted those
	// retracted before it (one by one), which are left as they were.
	Retracted        []string `json:"retracted"`
	AlreadyRetracted []string `json:"already_retracted"`
	Reason           string   `json:"reason"`
}

// RetractImport retracts every run a bulk import created, with one reason,
// all or nothing, in one transaction with one audit entry naming them: a
// junk file is undone as it was done. Runs already retracted one by one
// stay as they are. Errors: Invalid (the reason), NotFound, Conflict (an
// import of units — units are not retracted — or one whose runs are all
// retracted already).
func (s *Store) RetractImport(ctx context.Context, id string, r models.Retraction, by string) (ImportRetraction, error) {
	out := ImportRetraction{Retracted: []string{}, AlreadyRetracted: []string{}, Reason: r.Reason}
	if err := r.Validate(); err != nil {
		return out, err
	}
	err := s.writeTx(ctx, "retract_import", func(tx *gorm.DB, ch change) error {
		var row importRow
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return err
		}
		imp := row.model()
		out.Import = models.ImportSummary{ID: imp.ID, Kind: imp.Kind, FileName: imp.FileName, Rows: imp.Rows,
			RecordedBy: imp.RecordedBy, RecordedAt: imp.RecordedAt}
		if imp.Kind == "units" {
			return models.Errorf(models.Conflict, "import %s registered units, which are never retracted: retract their runs", id)
		}
		// One set of group updates for the whole import, written at the
		// end (see runSink.tallies for why not per chunk).
		tc := s.newTallyChange()
		for chunk := range slices.Chunk(imp.Created, 500) {
			var active []string
			if err := tx.Model(&runRow{}).Where("id IN ? AND status = ?", chunk, string(models.Active)).Pluck("id", &active).Error; err != nil {
				return err
			}
			isActive := map[string]bool{}
			for _, a := range active {
				isActive[a] = true
			}
			for _, runID := range chunk {
				if !isActive[runID] {
					out.AlreadyRetracted = append(out.AlreadyRetracted, runID)
					continue
				}
				if _, _, err := s.retractTx(tx, tc, runID, r, by); err != nil {
					return fmt.Errorf("run %s: %w", runID, err)
				}
				out.Retracted = append(out.Retracted, runID)
			}
		}
		if err := tc.apply(tx); err != nil {
			return err
		}
		if len(out.Retracted) == 0 {
			return models.Errorf(models.Conflict, "every run of import %s is already retracted", id)
		}
		// the list of imports says it was undone, and by whom
		if err := tx.Model(&importRow{}).Where("id = ?", id).Updates(map[string]any{"retracted_at": s.stamp(),
			"retracted_by": by, "retract_reason": r.Reason}).Error; err != nil {
			return err
		}
		ch["target"], ch["reason"], ch["runs"] = id, r.Reason, out.Retracted
		return nil
	})
	if err != nil {
		return out, translate(err, "import "+id)
	}
	return out, nil
}
