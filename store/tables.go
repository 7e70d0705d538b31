package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"ruggedlab/models"
)

// Tables for people's pages (issue #16 item 3): a page of rows in the
// order asked, with the total that says "page N of M". Each is one
// counting query and one LIMIT/OFFSET query over the same filter, both
// answered from an index (00017_tables.sql), so a page of a 30,000-run
// handset costs what a page of a 30-run one does. Offsets, not the API's
// cursors: a person jumps to page 12, or back to page 1, and sorts by
// columns a cursor would have to encode.

// TablePerPage is how many rows a table page shows unless asked otherwise.
const TablePerPage = 50

// Sort orders of the runs tables.
const (
	SortStartedAt = "started_at"
	SortKind      = "kind"
	SortSerial    = "serial"
	SortStatus    = "status"
)

// RunSorts are the columns a runs table may be sorted by.
var RunSorts = []string{SortStartedAt, SortKind, SortSerial, SortStatus}

// RunTableQuery asks for one page of runs.
type RunTableQuery struct {
	Handset string // code; "" for every handset
	Unit    string // exact unit serial
	Serial  string // part of a unit serial, any case
	Kind    models.Kind
	Status  models.Status // "" for active and retracted
	// From and To bound started_at: From ≤ started_at < To; zero is open.
	From, To time.Time
	Sort     string // one of RunSorts; "" is started_at
	Desc     bool
	Page     int // from 1; past the last page gives the last page
	PerPage  int // 1–MaxLimit; 0 is TablePerPage
	// NoCount skips the count (Total and Pages stay 0, Page is as asked):
	// for a caller that shows the first rows only and knows the total.
	NoCount bool
}

// TablePage is where a page sits in its table.
type TablePage struct {
	Total   int // rows matching the filter
	Page    int // the page returned, from 1
	Pages   int // at least 1, so an empty table is "page 1 of 1"
	PerPage int
}

// RunTable is a page of runs with its place in the table.
type RunTable struct {
	TablePage
	Runs []models.Run
}

func (q RunTableQuery) check() (RunTableQuery, error) {
	var errs models.FieldErrors
	if q.Sort == "" {
		q.Sort = SortStartedAt
	}
	known := false
	for _, s := range RunSorts {
		known = known || s == q.Sort
	}
	if !known {
		errs.Add("sort", "must be one of %s, not %q", strings.Join(RunSorts, ", "), q.Sort)
	}
	if _, ok := models.ParseKind(string(q.Kind)); q.Kind != "" && !ok {
		errs.Add("kind", "is not a kind of run: %q", string(q.Kind))
	}
	if q.Status != "" && q.Status != models.Active && q.Status != models.Retracted {
		errs.Add("status", "must be %s or %s, not %q", models.Active, models.Retracted, string(q.Status))
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		errs.Add("to", "must be after from")
	}
	checkPage(&errs, &q.Page, &q.PerPage)
	return q, errs.Err("the table request is not valid")
}

func checkPage(errs *models.FieldErrors, page, perPage *int) {
	if *page == 0 {
		*page = 1
	}
	if *perPage == 0 {
		*perPage = TablePerPage
	}
	if *page < 1 {
		errs.Add("page", "must be a whole number from 1, not %d", *page)
	}
	if *perPage < 1 || *perPage > MaxLimit {
		errs.Add("per_page", "must be between 1 and %d, not %d", MaxLimit, *perPage)
	}
}

// place counts the rows of count and settles the page: one past the last
// becomes the last, so a link kept from before a retraction still works.
func place(count *gorm.DB, page, perPage int) (TablePage, error) {
	var n int64
	if err := count.Count(&n).Error; err != nil {
		return TablePage{}, err
	}
	return placeCount(n, page, perPage), nil
}

func placeCount(n int64, page, perPage int) TablePage {
	tp := TablePage{Total: int(n), PerPage: perPage, Pages: max(1, (int(n)+perPage-1)/perPage)}
	tp.Page = min(page, tp.Pages)
	return tp
}

// countRuns counts the runs matching q's handset, unit, kind and status
// without reading runs: active ones are summed from run_tallies (which
// count every active run once), retracted ones counted on the partial
// index runs_retracted (migration 00021).
func (s *Store) countRuns(tx *gorm.DB, q RunTableQuery) (int64, error) {
	where := func(db *gorm.DB, table string) *gorm.DB {
		switch {
		case q.Handset != "" && q.Unit != "":
			db = db.Where(table+".unit_id = (SELECT u.id FROM units u JOIN handsets h ON h.id = u.handset_id WHERE h.code = ? AND u.serial = ?)", q.Handset, q.Unit)
		case q.Handset != "":
			db = db.Where(table+".handset_id = (SELECT h.id FROM handsets h WHERE h.code = ?)", q.Handset)
		case q.Unit != "":
			db = db.Where(table+".unit_id IN (SELECT u.id FROM units u WHERE u.serial = ?)", q.Unit)
		}
		if q.Kind != "" {
			db = db.Where(table+".kind = ?", string(q.Kind))
		}
		return db
	}
	var total int64
	if q.Status != models.Retracted {
		var n int64
		if err := where(tx.Table("run_tallies"), "run_tallies").Select("COALESCE(SUM(run_tallies.n), 0)").Row().Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	if q.Status != models.Active {
		var n int64
		// a literal: the planners match the partial index's WHERE only so
		if err := where(tx.Table("runs"), "runs").Where("runs.status = '" + string(models.Retracted) + "'").Count(&n).Error; err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// likePattern is a LIKE pattern matching s anywhere, with LIKE's own
// characters taken literally (ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// RunTable returns one page of the runs matching q, both statuses unless q
// says, in q's order (ties newest start first, then by id). Errors:
// Invalid (sort, kind, status, to, page, per_page).
func (s *Store) RunTable(ctx context.Context, q RunTableQuery) (RunTable, error) {
	q, err := q.check()
	if err != nil {
		return RunTable{}, err
	}
	// The handset and unit are matched by id through subqueries, not
	// through the joins, so that the planner starts from
	// runs_handset_started (or runs_unit) instead of scanning every run.
	filter := func(db *gorm.DB) *gorm.DB {
		switch {
		case q.Handset != "" && q.Unit != "":
			// the unit implies the handset: one id, so runs_unit serves it
			// (with both conditions the planners walked the handset's index)
			db = db.Where("runs.unit_id = (SELECT u.id FROM units u JOIN handsets h ON h.id = u.handset_id WHERE h.code = ? AND u.serial = ?)", q.Handset, q.Unit)
		case q.Handset != "":
			db = db.Where("runs.handset_id = (SELECT h.id FROM handsets h WHERE h.code = ?)", q.Handset)
		case q.Unit != "":
			db = db.Where("runs.unit_id IN (SELECT u.id FROM units u WHERE u.serial = ?)", q.Unit)
		}
		if q.Serial != "" {
			db = db.Where(`runs.unit_id IN (SELECT u.id FROM units u WHERE LOWER(u.serial) LIKE ? ESCAPE '\')`, likePattern(q.Serial))
		}
		if q.Kind != "" {
			db = db.Where("runs.kind = ?", string(q.Kind))
		}
		if q.Status != "" {
			db = db.Where("runs.status = ?", string(q.Status))
		}
		if !q.From.IsZero() {
			db = db.Where("runs.started_at >= ?", q.From.UTC().Truncate(time.Microsecond))
		}
		if !q.To.IsZero() {
			db = db.Where("runs.started_at < ?", q.To.UTC().Truncate(time.Microsecond))
		}
		return db
	}
	// Two plain reads, not a transaction: SQLite transactions here are
	// immediate (they take the write lock), and a page whose count is a
	// run off after a concurrent write is harmless.
	var out RunTable
	tx := s.db.WithContext(ctx)
	err = func() error {
		tp := TablePage{Page: q.Page, PerPage: q.PerPage}
		switch {
		case q.NoCount:
		case q.Serial == "" && q.From.IsZero() && q.To.IsZero():
			// counted from the summaries: a handset's 25,000 runs are not
			// walked to say "page 1 of 509" (issue #18)
			n, err := s.countRuns(tx, q)
			if err != nil {
				return err
			}
			tp = placeCount(n, q.Page, q.PerPage)
		default:
			var err error
			if tp, err = place(filter(tx.Model(&runRow{})), q.Page, q.PerPage); err != nil {
				return err
			}
		}
		out.TablePage = tp
		dir := " ASC"
		if q.Desc {
			dir = " DESC"
		}
		order := map[string]string{SortStartedAt: "runs.started_at" + dir + ", runs.id" + dir,
			SortKind:   "runs.kind" + dir + ", runs.started_at DESC, runs.id DESC",
			SortSerial: "units.serial" + dir + ", runs.started_at DESC, runs.id DESC",
			SortStatus: "runs.status" + dir + ", runs.started_at DESC, runs.id DESC"}[q.Sort]
		// A deferred join: the page's ids first, from the index alone (the
		// offset skips ids, not joined 60-column rows, which the tie sort
		// would otherwise carry: 30,000 of them for page 600), then those
		// 50 runs with their handset and unit.
		ids := tx.Model(&runRow{}).Select("runs.id")
		if q.Sort == SortSerial {
			ids = ids.Joins("JOIN units ON units.id = runs.unit_id")
		}
		var page []string
		if err := filter(ids).Order(order).Limit(tp.PerPage).Offset((tp.Page-1)*tp.PerPage).Pluck("runs.id", &page).Error; err != nil {
			return err
		}
		var rows []runRow
		if len(page) > 0 {
			sel := tx.Model(&runRow{}).Select("runs.*, handsets.code AS handset_code, units.serial AS unit_serial").
				Joins("JOIN handsets ON handsets.id = runs.handset_id").
				Joins("JOIN units ON units.id = runs.unit_id")
			if err := sel.Where("runs.id IN ?", page).Order(order).Find(&rows).Error; err != nil {
				return err
			}
		}
		out.Runs = make([]models.Run, len(rows))
		for i, r := range rows {
			out.Runs[i] = r.model()
		}
		return nil
	}()
	if err != nil {
		return RunTable{}, translate(err, "runs")
	}
	return out, nil
}

// Outcomes of an audited request.
const (
	OutcomeDone    = "done"    // status below 400: it happened
	OutcomeRefused = "refused" // 400 and above: refused or failed
)

// AuditQuery asks for one page of the audit log, newest first.
type AuditQuery struct {
	Account string // exact account name
	Outcome string // "", OutcomeDone or OutcomeRefused
	// Q is free text found, in any case, in the path, route, detail,
	// account, address or request id.
	Q       string
	Page    int
	PerPage int
}

// AuditTable is a page of the audit log.
type AuditTable struct {
	TablePage
	Entries []models.AuditEntry
}

// AuditTable returns one page of the audit entries matching q, newest
// first. Errors: Invalid (outcome, page, per_page).
func (s *Store) AuditTable(ctx context.Context, q AuditQuery) (AuditTable, error) {
	var errs models.FieldErrors
	if q.Outcome != "" && q.Outcome != OutcomeDone && q.Outcome != OutcomeRefused {
		errs.Add("outcome", "must be %s or %s, not %q", OutcomeDone, OutcomeRefused, q.Outcome)
	}
	checkPage(&errs, &q.Page, &q.PerPage)
	if err := errs.Err("the table request is not valid"); err != nil {
		return AuditTable{}, err
	}
	filter := func(db *gorm.DB) *gorm.DB {
		if q.Account != "" {
			db = db.Where("account = ?", q.Account)
		}
		switch q.Outcome {
		case OutcomeDone:
			db = db.Where("status < 400")
		case OutcomeRefused:
			db = db.Where("status >= 400")
		}
		if q.Q != "" {
			p := likePattern(q.Q)
			db = db.Where(`(LOWER(path) LIKE ? ESCAPE '\' OR LOWER(route) LIKE ? ESCAPE '\' OR LOWER(CAST(detail AS TEXT)) LIKE ? ESCAPE '\'`+
				` OR LOWER(account) LIKE ? ESCAPE '\' OR LOWER(address) LIKE ? ESCAPE '\' OR LOWER(request_id) LIKE ? ESCAPE '\')`,
				p, p, p, p, p, p)
		}
		return db
	}
	var out AuditTable
	tx := s.db.WithContext(ctx)
	err := func() error {
		tp, err := place(filter(tx.Model(&auditRow{})), q.Page, q.PerPage)
		if err != nil {
			return err
		}
		out.TablePage = tp
		var rows []auditRow
		if err := filter(tx.Model(&auditRow{})).Order("id DESC").Limit(tp.PerPage).Offset((tp.Page - 1) * tp.PerPage).Find(&rows).Error; err != nil {
			return err
		}
		out.Entries = make([]models.AuditEntry, len(rows))
		for i, r := range rows {
			out.Entries[i] = r.model()
		}
		return nil
	}()
	if err != nil {
		return AuditTable{}, translate(err, "audit log")
	}
	return out, nil
}

// UnitRunTotals counts the runs (both statuses) of each unit of a handset,
// by serial, for the handset page's sequences: RunCounts' sums (active
// runs from the per-unit summaries, retracted ones from runs_retracted),
// so nothing walks a unit's runs (issue #18). Units without runs are
// absent.
func (s *Store) UnitRunTotals(ctx context.Context, code string) (map[string]int, error) {
	counts, err := s.RunCounts(ctx, []string{code})
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, c := range counts {
		if n := c.Active + c.Retracted; n > 0 {
			out[c.Unit] += n
		}
	}
	return out, nil
}
