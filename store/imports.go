package store

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"gorm.io/gorm"

	"ruggedlab/importer"
	"ruggedlab/models"
)

type importRow struct {
	ID         string
	Kind       string
	FileName   string
	RowCount   int
	Created    string // JSON array of ids
	RecordedBy string
	RecordedAt time.Time
	// Set when the import was retracted as a whole (RetractImport).
	RetractedAt   *time.Time
	RetractedBy   string
	RetractReason string
}

func (importRow) TableName() string { return "imports" }

func (r importRow) model() models.Import {
	imp := models.Import{ID: r.ID, Kind: r.Kind, FileName: r.FileName, Rows: r.RowCount,
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC(), Created: []string{}}
	_ = json.Unmarshal([]byte(r.Created), &imp.Created)
	return imp
}

// ImportOptions describe one upload.
type ImportOptions struct {
	FileName string
	By       string // recorded_by; also the technician of runs that name none
	// DryRun checks every row as an import would and writes nothing.
	DryRun bool
	// Progress, when set, is called on the importing goroutine every few
	// hundred rows with the rows and bytes read so far.
	Progress func(rows int, bytes int64)
	// Key, when set, makes the import idempotent (ignored for dry runs,
	// which create nothing).
	Key *ImportKey
}

// progressRows is how often Progress is called; the caller throttles by time.
const progressRows = 200

// Batch sizes: one INSERT each. runs has 48 columns, so 500 rows stay under
// SQLite's 32,766 bound variables and PostgreSQL's 65,535.
const (
	runBatch  = 500
	unitBatch = 1000
)

// CreateImport reads a CSV file of units or of runs of one kind (target is
// "units" or a kind) from src and records every row, all or none, in one
// transaction: rows are validated and inserted in batches while the file is
// read, so memory stays flat however large the file (only the created ids
// and the handsets named are kept), and the import's own record is written
// in the same transaction. On any problem reading goes on to the end so
// that every bad row is reported, then everything is rolled back.
//
// On SQLite the write lock is held while the file streams in: other writes
// wait (busy_timeout) for the length of the upload.
//
// Errors: Invalid (every problem, row = file line, column = field name),
// Malformed (not CSV), NotFound (unknown target), *ReplayError and
// ErrKeyInFlight (with o.Key), src's own errors unchanged, and internal
// errors.
func (s *Store) CreateImport(ctx context.Context, target string, src io.Reader, o ImportOptions) (models.Import, error) {
	if o.Key != nil && !o.DryRun {
		if err := s.replayImportKey(ctx, *o.Key); err != nil {
			return models.Import{}, translate(err, "import")
		}
	}
	if target == importer.Units {
		rd, err := importer.NewUnitReader(src)
		if err != nil {
			return models.Import{}, err
		}
		return importFile(ctx, s, rd, o, &unitSink{units: newUnitCache(s)})
	}
	k, ok := models.ParseKind(target)
	if !ok {
		return models.Import{}, models.Errorf(models.NotFound, "nothing to import as %q: use units, drop, temperature, ingress or battery", target)
	}
	rd, err := importer.NewRunReader(src, k)
	if err != nil {
		return models.Import{}, err
	}
	return importFile(ctx, s, rd, o, &runSink{units: newUnitCache(s)})
}

// sink checks the rows of one target and writes them in batches.
type sink[T any] interface {
	// take checks a row, reports its problems to rd and, while the file is
	// clean and write is set, queues it (flushing full batches).
	take(db *gorm.DB, rd *importer.Reader[T], row importer.Row[T], imp *models.Import, write bool) error
	// flush writes what is queued.
	flush(db *gorm.DB) error
}

func importFile[T any](ctx context.Context, s *Store, rd *importer.Reader[T], o ImportOptions, sk sink[T]) (models.Import, error) {
	imp := models.Import{ID: s.newID(), Kind: rd.Target(), FileName: o.FileName, RecordedBy: o.By, RecordedAt: s.stamp(), Created: []string{}}
	body := func(db *gorm.DB) error {
		reported := 0
		for {
			row, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			if err := sk.take(db, rd, row, &imp, !o.DryRun); err != nil {
				return err
			}
			if o.Progress != nil && rd.Rows()-reported >= progressRows {
				reported = rd.Rows()
				o.Progress(reported, rd.Bytes())
			}
		}
		if err := rd.Err(); err != nil {
			return err
		}
		imp.Rows = rd.Rows()
		if o.DryRun {
			return nil
		}
		if err := sk.flush(db); err != nil {
			return err
		}
		ids, _ := json.Marshal(imp.Created)
		if err := db.Create(&importRow{ID: imp.ID, Kind: imp.Kind, FileName: imp.FileName, RowCount: imp.Rows,
			Created: string(ids), RecordedBy: imp.RecordedBy, RecordedAt: imp.RecordedAt}).Error; err != nil {
			return err
		}
		if o.Key != nil {
			return s.keepImportKey(db, *o.Key, imp)
		}
		return nil
	}
	var err error
	if o.DryRun {
		// Reads only: no transaction, so a dry run never takes SQLite's
		// write lock.
		err = body(s.db.WithContext(ctx))
	} else {
		err = s.writeTx(ctx, "import_"+imp.Kind, func(tx *gorm.DB, ch change) error {
			if err := body(tx); err != nil {
				return err
			}
			// The import's record lists every created id; the entry
			// names the import and counts them.
			ch["created"], ch["rows"], ch["created_count"] = imp.ID, imp.Rows, len(imp.Created)
			return nil
		})
	}
	if err != nil {
		return models.Import{}, translate(err, "import")
	}
	if !o.DryRun {
		s.afterImport(ctx, imp.Rows)
	}
	return imp, nil
}

// Import returns the record of a committed import. Errors: NotFound.
func (s *Store) Import(ctx context.Context, id string) (models.Import, error) {
	var row importRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return models.Import{}, translate(err, "import "+id)
	}
	return row.model(), nil
}

// report adds the problems of err (a *models.Error from Validate, or plain
// field errors) at row, except on columns whose cell was already reported.
func report[T any](rd *importer.Reader[T], row importer.Row[T], errs models.FieldErrors) {
	for _, e := range errs {
		if !row.Reported(e.Field) {
			rd.Report(row.Problem(e.Field, e.Message))
		}
	}
}
