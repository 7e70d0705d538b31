package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"ruggedlab/models"
)

// EvidenceFilter selects the runs a comparison, a verdict matrix or a
// label yardstick is computed from. Only active runs are ever returned.
type EvidenceFilter struct {
	// Kinds to read; empty means all four.
	Kinds []models.Kind
	// Handsets by code, in the order results should show them; empty means
	// every handset, by code.
	Handsets []string
	// Exact-match filters (api.md §7). Each narrows only the runs of the
	// kind that carries the field: Surface drops no battery run.
	HeightM   *float64 // drop
	Surface   string   // drop
	Procedure string   // temperature
	IPCode    string   // ingress
	Protocol  string   // battery
}

// Matches reports whether r, a run (or group) of Evidence, is one the
// filter's exact-match fields select: the WHERE of evidenceOfKind, in Go,
// for a caller that narrows evidence it has already read (a compare
// page's sections) instead of reading it again. Kinds and handsets are not
// checked.
func (f EvidenceFilter) Matches(r *models.Run) bool {
	eqF := func(p *float64, want *float64) bool { return want == nil || (p != nil && *p == *want) }
	eqS := func(v, want string) bool { return want == "" || v == want }
	switch r.Kind {
	case models.Drop:
		return eqF(r.HeightM, f.HeightM) && eqS(r.Surface, f.Surface)
	case models.Temperature:
		return eqS(r.Procedure, f.Procedure)
	case models.Ingress:
		return eqS(r.IPCode, f.IPCode)
	case models.Battery:
		return eqS(r.Protocol, f.Protocol)
	}
	return true
}

// Evidence is what statistics are computed from: the handsets asked for and
// their active runs.
type Evidence struct {
	Handsets []models.Handset
	// Runs hold the envelope's ID, Kind, Handset (code), Unit (serial),
	// Status and Review.State, and the kind fields statistics use — not method, times,
	// notes, drop logs or series. Grouped by kind (drop, temperature,
	// ingress, battery), oldest started_at first within a kind. Each
	// stands for a group of runs (Group: count, runtime sum, latest ids;
	// ID is the latest): readers that need runs one by one use
	// models.ExpandGroups.
	Runs []models.Run
}

// Codes returns the handset codes in order.
func (e Evidence) Codes() []string {
	codes := make([]string, len(e.Handsets))
	for i, h := range e.Handsets {
		codes[i] = h.Code
	}
	return codes
}

// evidenceColumn is one selected column and where its value goes.
type evidenceColumn struct {
	name string
	set  func(r *models.Run, v any)
}

func floatCol(name string, f func(*models.Run) **float64) evidenceColumn {
	return evidenceColumn{name, func(r *models.Run, v any) { *f(r) = asFloat(v) }}
}
func intCol(name string, f func(*models.Run) **int) evidenceColumn {
	return evidenceColumn{name, func(r *models.Run, v any) { *f(r) = asInt(v) }}
}
func boolCol(name string, f func(*models.Run) **bool) evidenceColumn {
	return evidenceColumn{name, func(r *models.Run, v any) { *f(r) = asBool(v) }}
}
func textCol(name string, f func(*models.Run) *string) evidenceColumn {
	return evidenceColumn{name, func(r *models.Run, v any) { *f(r) = asText(v) }}
}

// evidenceColumns are the kind fields statistics and verdicts read: the
// columns of models/profile.go's Where and UnitPassesIf, and the ones the
// comparison needs. Nothing else is selected, so 10,000 runs stay cheap.
var evidenceColumns = map[models.Kind][]evidenceColumn{
	models.Drop: {
		floatCol("height_m", func(r *models.Run) **float64 { return &r.HeightM }),
		textCol("surface", func(r *models.Run) *string { return &r.Surface }),
		boolCol("protective_case", func(r *models.Run) **bool { return &r.ProtectiveCase }),
		intCol("planned_drops", func(r *models.Run) **int { return &r.PlannedDrops }),
		intCol("drops_completed", func(r *models.Run) **int { return &r.DropsCompleted }),
		intCol("first_failure_drop", func(r *models.Run) **int { return &r.FirstFailureDrop }),
		intCol("worst_severity", func(r *models.Run) **int { return &r.WorstSeverity }),
	},
	models.Temperature: {
		textCol("procedure", func(r *models.Run) *string { return &r.Procedure }),
		floatCol("setpoint_c", func(r *models.Run) **float64 { return &r.SetpointC }),
		floatCol("low_c", func(r *models.Run) **float64 { return &r.LowC }),
		floatCol("high_c", func(r *models.Run) **float64 { return &r.HighC }),
		intCol("cycles", func(r *models.Run) **int { return &r.Cycles }),
		floatCol("dwell_min", func(r *models.Run) **float64 { return &r.DwellMin }),
		boolCol("passed", func(r *models.Run) **bool { return &r.Passed }),
		boolCol("shutdown_observed", func(r *models.Run) **bool { return &r.ShutdownObserved }),
	},
	models.Ingress: {
		textCol("ip_code", func(r *models.Run) *string { return &r.IPCode }),
		textCol("medium", func(r *models.Run) *string { return &r.Medium }),
		floatCol("depth_m", func(r *models.Run) **float64 { return &r.DepthM }),
		floatCol("duration_min", func(r *models.Run) **float64 { return &r.DurationMin }),
		boolCol("ingress_found", func(r *models.Run) **bool { return &r.IngressFound }),
		boolCol("functional_after", func(r *models.Run) **bool { return &r.FunctionalAfter }),
	},
	models.Battery: {
		textCol("protocol", func(r *models.Run) *string { return &r.Protocol }),
		floatCol("runtime_h", func(r *models.Run) **float64 { return &r.RuntimeH }),
		floatCol("brightness_nits", func(r *models.Run) **float64 { return &r.BrightnessNits }),
		floatCol("ambient_c", func(r *models.Run) **float64 { return &r.AmbientC }),
	},
	models.Repair: {
		textCol("part", func(r *models.Run) *string { return &r.Part }),
		intCol("disassembly_steps", func(r *models.Run) **int { return &r.DisassemblySteps }),
		textCol("fasteners", func(r *models.Run) *string { return &r.Fasteners }),
		textCol("tools", func(r *models.Run) *string { return &r.Tools }),
		floatCol("disassembly_s", func(r *models.Run) **float64 { return &r.DisassemblyS }),
		floatCol("reassembly_s", func(r *models.Run) **float64 { return &r.ReassemblyS }),
		boolCol("functional_after", func(r *models.Run) **bool { return &r.FunctionalAfter }),
	},
}

// Evidence returns the handsets asked for and their active runs of the
// kinds asked for, read from the per-unit summaries (run_tallies, issue
// #18): each Run stands for a group of a unit's runs sharing every
// evidence column (models.RunGroup), so the cost follows the number of
// groups — a few per unit — not of runs. It takes at most seven queries:
// the handsets, their units, a count, and one per kind. Per-kind queries
// read only that kind's columns, and units are joined in Go from a small
// map rather than per row in SQL.
// Errors: NotFound naming every unknown handset code.
func (s *Store) Evidence(ctx context.Context, f EvidenceFilter) (Evidence, error) {
	return s.evidence(ctx, f, evidenceMode{tallies: true})
}

// EvidenceFromRuns is Evidence read from every run, one Run each: for
// what must name every counted run (evidence packs), where the summaries
// list only each unit's latest 50. Tests prove both give the same answers.
func (s *Store) EvidenceFromRuns(ctx context.Context, f EvidenceFilter) (Evidence, error) {
	return s.evidence(ctx, f, evidenceMode{})
}

// evidenceMode says where evidence is read from: runs, one Run each, or
// the summaries; and for summaries, whether the groups' id lists are
// replaced by each unit's latest runs (MatrixEvidence).
type evidenceMode struct {
	tallies bool
	window  bool
	selects []func(*models.Run) bool
}

// scope is who an evidence read covers: the filter's handsets (ids and
// codes) and their units' serials.
type scope struct {
	codes   map[string]string // handset id → code
	ids     []string          // handset ids
	serials map[string]string // unit id → serial
}

// evidenceScope reads the filter's handsets and their units, the part
// Evidence and CompareEvidence share. No handset: an empty Evidence.
func (s *Store) evidenceScope(ctx context.Context, f EvidenceFilter) (Evidence, scope, error) {
	hs, err := s.handsetsByCode(ctx, f.Handsets)
	if err != nil {
		return Evidence{}, scope{}, err
	}
	ev := Evidence{Handsets: hs, Runs: []models.Run{}}
	if len(hs) == 0 {
		return ev, scope{}, nil
	}
	sc := scope{codes: make(map[string]string, len(hs)), ids: make([]string, len(hs))}
	for i, h := range hs {
		sc.codes[h.ID], sc.ids[i] = h.Code, h.ID
	}
	var units []unitRow
	q := s.db.WithContext(ctx).Select("id", "serial")
	if len(f.Handsets) > 0 {
		q = q.Where("handset_id IN ?", sc.ids)
	}
	if err := q.Find(&units).Error; err != nil {
		return Evidence{}, scope{}, translate(err, "units")
	}
	sc.serials = make(map[string]string, len(units))
	for _, u := range units {
		sc.serials[u.ID] = u.Serial
	}
	return ev, sc, nil
}

func (s *Store) evidence(ctx context.Context, f EvidenceFilter, m evidenceMode) (Evidence, error) {
	tallies := m.tallies
	ev, sc, err := s.evidenceScope(ctx, f)
	if err != nil || len(ev.Handsets) == 0 {
		return ev, err
	}
	codes, ids, serials := sc.codes, sc.ids, sc.serials
	var kinds []string
	for _, k := range models.Kinds { // fixed order: the same queries every time
		if len(f.Kinds) == 0 || slices.Contains(f.Kinds, k) {
			kinds = append(kinds, string(k))
		}
	}
	// A run is over 500 bytes: growing the slice row by row would allocate
	// and copy several times its final size. The count is an upper bound
	// (it ignores the exact-match filters, and for runs includes retracted
	// ones) read from the (kind, handset_id) index alone.
	var n int64
	table := "run_tallies"
	if !tallies {
		table = "runs"
	}
	cq := s.db.WithContext(ctx).Table(table).Where("kind IN ?", kinds)
	if len(f.Handsets) > 0 {
		cq = cq.Where("handset_id IN ?", ids)
	}
	if err := cq.Count(&n).Error; err != nil {
		return Evidence{}, translate(err, "evidence")
	}
	ev.Runs = make([]models.Run, 0, n)
	for _, k := range kinds {
		if err := s.evidenceOfKind(ctx, models.Kind(k), f, ids, codes, serials, m, &ev.Runs); err != nil {
			return Evidence{}, translate(err, "evidence")
		}
	}
	return ev, nil
}

// evidenceOfKind appends the active runs of kind k, oldest first: from
// run_tallies, one Run per group (ordered by its oldest listed run), or
// from runs, one per run.
func (s *Store) evidenceOfKind(ctx context.Context, k models.Kind, f EvidenceFilter, handsetIDs []string,
	codes, serials map[string]string, m evidenceMode, out *[]models.Run) error {
	tallies := m.tallies
	// Repair groups keep their lists: a repairability class reads runs one
	// by one (models.ExpandGroups), ids included.
	window := tallies && m.window && k != models.Repair
	var cols []evidenceColumn
	for _, c := range evidenceColumns[k] {
		if tallies && c.name == "runtime_h" {
			continue // summed per group: runtime_sum, runtime_n
		}
		cols = append(cols, c)
	}
	var sel strings.Builder
	var args []any
	if tallies {
		if window {
			// The list's first entry, its comma included: groups sort by it
			// as by the whole list (entries are distinct, and none holds a
			// comma), and the list itself is not read out.
			first := "CASE WHEN instr(recent, ',') > 0 THEN substr(recent, 1, instr(recent, ',')) ELSE recent END"
			if s.engine == Postgres {
				first = "CASE WHEN position(',' in recent) > 0 THEN substr(recent, 1, position(',' in recent)) ELSE recent END"
			}
			sel.WriteString("SELECT " + first + ", handset_id, unit_id, review_state, n, runtime_sum, runtime_n")
		} else {
			sel.WriteString("SELECT recent, handset_id, unit_id, review_state, n, runtime_sum, runtime_n")
		}
		for _, c := range cols {
			sel.WriteString(", " + c.name)
		}
		if window {
			sel.WriteString(", gkey") // to read the group's stored list if need be
		}
		sel.WriteString(" FROM run_tallies WHERE kind = ?")
		args = []any{string(k)}
	} else {
		sel.WriteString("SELECT id, handset_id, unit_id, review_state")
		for _, c := range cols {
			sel.WriteString(", " + c.name)
		}
		sel.WriteString(" FROM runs WHERE kind = ? AND status = ?")
		args = []any{string(k), string(models.Active)}
	}
	if len(f.Handsets) > 0 {
		sel.WriteString(" AND handset_id IN ?")
		args = append(args, handsetIDs)
	}
	exact := []struct {
		kind   models.Kind
		column string
		value  any
		set    bool
	}{
		{models.Drop, "height_m", f.HeightM, f.HeightM != nil},
		{models.Drop, "surface", f.Surface, f.Surface != ""},
		{models.Temperature, "procedure", f.Procedure, f.Procedure != ""},
		{models.Ingress, "ip_code", f.IPCode, f.IPCode != ""},
		{models.Battery, "protocol", f.Protocol, f.Protocol != ""},
	}
	for _, e := range exact {
		if !e.set || e.kind != k {
			continue // a filter narrows only its own kind
		}
		if hm, ok := e.value.(*float64); ok {
			e.value = *hm
		}
		sel.WriteString(" AND " + e.column + " = ?")
		args = append(args, e.value)
	}
	if !tallies {
		sel.WriteString(" ORDER BY started_at, id")
	}
	// Groups are sorted below, in Go, by recent in byte order: recent starts
	// with the oldest listed run's started_at, so groups come in the order
	// of their runs, as runs would. (ORDER BY recent made the database sort
	// every group's whole list, megabytes at 100,000 runs, to compare the
	// first few bytes.)
	start := len(*out)
	var recents []string
	// window: each group's unit id, its primary key (stored), and its
	// review state and columns as read, flat (keyVals, 1+len(cols) per
	// group), for its colKey — computed only for the units whose window
	// is read (windowIDs).
	var unitIDs []string
	var keyVals []any
	var stored []tallyKey

	rows, err := s.db.WithContext(ctx).Raw(sel.String(), args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	head := 4
	if tallies {
		head = 7
	}
	width := head + len(cols)
	if window {
		width++ // gkey
	}
	vals, ptrs := anyRow(width)
	for rows.Next() {
		// Scanning into any skips database/sql's reflection; the values
		// are converted below for both drivers' types.
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		// Filled in place: a local Run would escape to the heap per row.
		*out = append(*out, models.Run{Kind: k, Handset: codes[asText(vals[1])], Unit: serials[asText(vals[2])], Status: models.Active,
			Review: models.Review{State: models.ReviewState(asText(vals[3]))}})
		r := &(*out)[len(*out)-1]
		if tallies {
			g := &models.RunGroup{Count: asIntValue(vals[4]), RuntimeN: asIntValue(vals[6])}
			if sum := asFloat(vals[5]); sum != nil {
				g.RuntimeSum = *sum
			}
			// Kept as stored, parsed by what reads it: an answer shows a
			// unit's latest 50 ids, not every group's 50 (issue #18).
			if window {
				recents = append(recents, asText(vals[0]))
				unitIDs = append(unitIDs, asText(vals[2]))
				keyVals = append(append(keyVals, vals[3]), vals[head:head+len(cols)]...)
				stored = append(stored, tallyKey{unit: asText(vals[2]), kind: string(k), review: asText(vals[3]), gkey: asText(vals[len(vals)-1])})
				g.IDs, g.Keys = []string{}, []string{}
			} else {
				g.Recent = asText(vals[0])
				recents = append(recents, g.Recent)
				r.ID = g.Latest()
			}
			if g.RuntimeN > 0 {
				r.RuntimeH = new(g.RuntimeSum / float64(g.RuntimeN))
			}
			r.Group = g
		} else {
			r.ID = asText(vals[0])
		}
		for i, c := range cols {
			c.set(r, vals[head+i])
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if window {
		if err := s.windowIDs(ctx, k, f, handsetIDs, cols, m.selects, (*out)[start:], unitIDs, keyVals, stored); err != nil {
			return err
		}
	}
	if tallies {
		sortByKey((*out)[start:], recents)
	}
	return nil
}

// sortByKey sorts runs by keys (runs[i] has keys[i]) in byte order; keys
// are distinct (each names its runs' ids), so the order is total.
func sortByKey(runs []models.Run, keys []string) {
	idx := make([]int, len(runs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	// Applied in place, cycle by cycle: a Run is over 500 bytes, and a
	// sorted copy of 3,000 groups was most of the sort's time.
	for i := range idx {
		if idx[i] < 0 {
			continue
		}
		held, j := runs[i], i
		for {
			k := idx[j]
			idx[j] = -1
			if k == i {
				runs[j] = held
				break
			}
			runs[j] = runs[k]
			j = k
		}
	}
}

func asIntValue(v any) int {
	if n := asInt(v); n != nil {
		return *n
	}
	return 0
}

// handsetsByCode returns the handsets with these codes in the order given
// (duplicates dropped), or all handsets by code when none is given.
func (s *Store) handsetsByCode(ctx context.Context, codes []string) ([]models.Handset, error) {
	if len(codes) == 0 {
		return s.AllHandsets(ctx)
	}
	var rows []handsetRow
	if err := s.db.WithContext(ctx).Select(handsetSelect).Where("code IN ?", codes).Find(&rows).Error; err != nil {
		return nil, translate(err, "handsets")
	}
	found := map[string]handsetRow{}
	for _, r := range rows {
		found[r.Code] = r
	}
	var out []models.Handset
	var missing []string
	seen := map[string]bool{}
	for _, c := range codes {
		if seen[c] {
			continue
		}
		seen[c] = true
		r, ok := found[c]
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", c))
			continue
		}
		out = append(out, r.model())
	}
	if len(missing) > 0 {
		return nil, models.Errorf(models.NotFound, "handset %s not found", strings.Join(missing, ", "))
	}
	return out, nil
}

func asText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

func asFloat(v any) *float64 {
	switch x := v.(type) {
	case float64:
		return &x
	case int64:
		f := float64(x)
		return &f
	}
	return nil
}

func asInt(v any) *int {
	switch x := v.(type) {
	case int64:
		n := int(x)
		return &n
	case float64:
		n := int(x)
		return &n
	}
	return nil
}

func asBool(v any) *bool {
	switch x := v.(type) {
	case bool:
		return &x
	case int64:
		b := x != 0
		return &b
	}
	return nil
}
