package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"ruggedlab/models"
)

// Reads shaped for the pages, which show everything at once: unlike the
// paginated list methods (Units, Profiles) they have no limit, so a page
// never shows part of the data while looking complete (#10 item 3). The
// API keeps the paginated methods.

// UnitsOf returns every unit of the given handsets, by handset code, each
// list ordered by serial as Units orders it. Handsets without units, and
// codes no handset has, are absent from the map. One query, whatever the
// number of handsets.
func (s *Store) UnitsOf(ctx context.Context, codes []string) (map[string][]models.Unit, error) {
	out := map[string][]models.Unit{}
	if len(codes) == 0 {
		return out, nil
	}
	// unitRow's fields plus the handset's code (an embedded unexported
	// struct would not be scanned by GORM).
	var rows []struct {
		ID, HandsetID, Serial, Notes, RecordedBy string
		RecordedAt                               time.Time
		Code                                     string
	}
	err := s.db.WithContext(ctx).Table("units").Select("units.*, handsets.code AS code").
		Joins("JOIN handsets ON handsets.id = units.handset_id").
		Where("handsets.code IN ?", codes).Order("handsets.code, units.serial").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "units")
	}
	for _, r := range rows {
		u := unitRow{ID: r.ID, HandsetID: r.HandsetID, Serial: r.Serial, Notes: r.Notes, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
		out[r.Code] = append(out[r.Code], u.model(r.Code))
	}
	return out, nil
}

// AllProfiles returns the latest version of every requirement profile,
// ordered by ID as Profiles orders them.
func (s *Store) AllProfiles(ctx context.Context) ([]models.Profile, error) {
	var rows []profileRow
	err := s.db.WithContext(ctx).Model(&profileRow{}).
		Where("version = (SELECT max(v.version) FROM profiles v WHERE v.id = profiles.id)").
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "profiles")
	}
	out := make([]models.Profile, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.model(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CountProfiles returns how many requirement profiles exist (each counted
// once, whatever its number of versions).
func (s *Store) CountProfiles(ctx context.Context) (int, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&profileRow{}).Distinct("id").Count(&n).Error; err != nil {
		return 0, translate(err, "profiles")
	}
	return int(n), nil
}

// RunCount is how many runs one unit has of one kind, by status.
type RunCount struct {
	Handset, Unit string // code, serial
	Kind          models.Kind
	Active        int
	Retracted     int
}

// RunCounts counts the runs of the given handsets per unit and kind, so
// the dashboard and the handset page cost per unit, not per run (issue #18
// item 3): active runs are summed from the per-unit summaries
// (run_tallies), and only retracted runs — few — are counted in runs.
// Units without runs are absent.
func (s *Store) RunCounts(ctx context.Context, codes []string) ([]RunCount, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	var rows []struct {
		Code, Serial, Kind, Status string
		N                          int
	}
	q := func(table, status, count string) error {
		var part []struct {
			Code, Serial, Kind, Status string
			N                          int
		}
		where := "handsets.code IN ?"
		args := []any{codes}
		if status != "" {
			// a literal, not a parameter: the planners match it against
			// the partial index runs_retracted (migration 00021) only so
			where += " AND " + table + ".status = '" + status + "'"
		}
		err := s.db.WithContext(ctx).Table(table).
			Select("handsets.code AS code, units.serial AS serial, "+table+".kind AS kind, '"+count+"' AS status, "+
				map[bool]string{true: "SUM(" + table + ".n)", false: "COUNT(*)"}[table == "run_tallies"]+" AS n").
			Joins("JOIN handsets ON handsets.id = "+table+".handset_id").
			Joins("JOIN units ON units.id = "+table+".unit_id").
			Where(where, args...).
			Group("handsets.code, units.serial, " + table + ".kind").Scan(&part).Error
		rows = append(rows, part...)
		return err
	}
	if err := q("run_tallies", "", string(models.Active)); err != nil {
		return nil, translate(err, "run counts")
	}
	if err := q("runs", string(models.Retracted), string(models.Retracted)); err != nil {
		return nil, translate(err, "run counts")
	}
	slices.SortStableFunc(rows, func(a, b struct {
		Code, Serial, Kind, Status string
		N                          int
	}) int {
		return cmp.Or(strings.Compare(a.Code, b.Code), strings.Compare(a.Serial, b.Serial), strings.Compare(a.Kind, b.Kind))
	})
	var out []RunCount
	for _, r := range rows {
		if n := len(out); n == 0 || out[n-1].Handset != r.Code || out[n-1].Unit != r.Serial || out[n-1].Kind != models.Kind(r.Kind) {
			out = append(out, RunCount{Handset: r.Code, Unit: r.Serial, Kind: models.Kind(r.Kind)})
		}
		c := &out[len(out)-1]
		if r.Status == string(models.Retracted) {
			c.Retracted += r.N
		} else {
			c.Active += r.N
		}
	}
	return out, nil
}
