package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/eulabel"
	"ruggedlab/models"
	"ruggedlab/store"
	"ruggedlab/verdict"
)

// verdictRoutes adds comparison statistics, requirement profiles, verdict
// matrices and planning (api.md §6, §7).
func (s *Server) verdictRoutes(api *gin.RouterGroup, js []gin.HandlerFunc) {
	api.GET("/compare", s.compare)
	api.POST("/profiles", append(slices.Clone(js), s.createProfile)...)
	api.GET("/profiles", s.listProfiles)
	api.GET("/profiles/:id", s.getProfile)
	api.POST("/profiles/:id/versions", append(slices.Clone(js), s.createProfileVersion)...)
	api.GET("/profiles/:id/matrix", s.profileMatrix)
	api.GET("/profiles/:id/diff", s.profileDiff)
	api.GET("/plan", s.plan)
}

// --- shared by API handlers and pages ----------------------------------------

// comparison fetches the evidence and computes api.md §7 for one kind;
// pages call it with the same filter as the API so charts and exports agree.
// Errors: NotFound (unknown handset code).
func (s *Server) comparison(ctx context.Context, f store.EvidenceFilter, confidence float64) (verdict.Comparison, error) {
	if len(f.Kinds) != 1 {
		return verdict.Comparison{}, models.FieldErrors{{Field: "kind", Message: "compare one kind at a time"}}.Err("the comparison request is not valid")
	}
	// CompareEvidence: a drop comparison reads groups folded per unit,
	// not every summary group (issue #18); the same answer.
	ev, err := s.Store.CompareEvidence(ctx, f)
	if err != nil {
		return verdict.Comparison{}, err
	}
	return verdict.Compare(f.Kinds[0], ev.Codes(), ev.Runs, confidence)
}

// comparisonOf is comparison over evidence already read for a wider
// filter of the same kind and handsets: the runs f selects are picked from
// ev (store.EvidenceFilter.Matches, the query's own WHERE), in ev's order,
// so the answer is the one comparison would read (the compare page: one
// evidence read, not one more per section).
func comparisonOf(f store.EvidenceFilter, ev store.Evidence, confidence float64) (verdict.Comparison, error) {
	if len(f.Kinds) != 1 {
		return verdict.Comparison{}, models.FieldErrors{{Field: "kind", Message: "compare one kind at a time"}}.Err("the comparison request is not valid")
	}
	// Counted, then copied: a Run is over 500 bytes, and room for all of
	// ev's (3,100 drop groups at 100,000 runs) was 1.5 MB per section.
	n := 0
	for i := range ev.Runs {
		if r := &ev.Runs[i]; r.Kind == f.Kinds[0] && f.Matches(r) {
			n++
		}
	}
	runs := make([]models.Run, 0, n)
	for i := range ev.Runs {
		if r := &ev.Runs[i]; r.Kind == f.Kinds[0] && f.Matches(r) {
			runs = append(runs, *r)
		}
	}
	return verdict.Compare(f.Kinds[0], ev.Codes(), runs, confidence)
}

// matrix evaluates version (0 = latest) of profile id for the handsets
// (codes; empty = all). Errors: NotFound (profile, version, handset).
func (s *Server) matrix(ctx context.Context, id string, version int, handsets []string) (verdict.Matrix, error) {
	p, err := s.Store.Profile(ctx, id, version)
	if err != nil {
		return verdict.Matrix{}, err
	}
	// MatrixEvidence: groups list ids from each unit's latest runs, not
	// their own lists, given the runs each requirement counts (issue #18);
	// the same matrix.
	ev, err := s.Store.MatrixEvidence(ctx, store.EvidenceFilter{Kinds: profileKinds(p), Handsets: handsets}, matrixSelects(p))
	if err != nil {
		return verdict.Matrix{}, err
	}
	field, err := s.fieldEvidence(ctx, p)
	if err != nil {
		return verdict.Matrix{}, err
	}
	return evaluate(p, ev, field), nil
}

// matrixSelects are the runs each lab requirement of p counts, as
// verdict.EvaluateHandsets picks them: its matches, verified only when the
// profile counts verified evidence.
func matrixSelects(p models.Profile) []func(*models.Run) bool {
	var out []func(*models.Run) bool
	for _, q := range p.Requirements {
		if q.Kind == models.FieldTrial {
			continue
		}
		verifiedOnly := p.Evidence == models.EvidenceVerified
		out = append(out, func(r *models.Run) bool {
			return verdict.Matches(q, *r) && (!verifiedOnly || r.Review.State == models.Verified)
		})
	}
	return out
}

// profileKinds lists the run kinds a profile's requirements read, so the
// evidence query selects no column it does not need (field requirements
// read the trials: verdicts_field.go).
func profileKinds(ps ...models.Profile) []models.Kind {
	var kinds []models.Kind
	for _, p := range ps {
		for _, r := range p.Requirements {
			if r.Kind != models.FieldTrial && !slices.Contains(kinds, r.Kind) {
				kinds = append(kinds, r.Kind)
			}
		}
	}
	return kinds
}

// --- query parsing --------------------------------------------------------------

var filterIPPattern = regexp.MustCompile(`^IP[0-6X][0-9X]K?$`)

// codesParam reads a comma-separated handset list; empty means all.
func codesParam(c *gin.Context) []string {
	var out []string
	for _, code := range strings.Split(c.Query("handsets"), ",") {
		if code = strings.TrimSpace(code); code != "" {
			out = append(out, code)
		}
	}
	return out
}

func positiveIntParam(c *gin.Context, name string, errs *models.FieldErrors) int {
	v, ok := c.GetQuery(name)
	if !ok || v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		errs.Add(name, "must be a whole number ≥ 1, not %q", v)
		return 0
	}
	return n
}

// probabilityParam reads a number in the open interval (0, 1).
func probabilityParam(c *gin.Context, name string, errs *models.FieldErrors) *float64 {
	v, ok := c.GetQuery(name)
	if !ok || v == "" {
		return nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || !(x > 0 && x < 1) {
		errs.Add(name, "must be a number between 0 and 1 (exclusive), e.g. 0.95, not %q", v)
		return nil
	}
	return &x
}

func formatParam(c *gin.Context, errs *models.FieldErrors) string {
	switch f := c.Query("format"); f {
	case "", "json":
		return "json"
	case "csv":
		dialectParam(c, errs)
		return "csv"
	default:
		errs.Add("format", "must be json or csv, not %q", f)
		return ""
	}
}

// compareFilter reads GET /compare's query. A filter on a field the kind
// does not have is refused: it would silently match nothing.
func compareFilter(c *gin.Context, errs *models.FieldErrors) store.EvidenceFilter {
	var f store.EvidenceFilter
	k := c.Query("kind")
	kind, ok := models.ParseKind(k)
	switch {
	case k == "":
		errs.Add("kind", "is required: one of drop, temperature, ingress, battery")
	case !ok:
		errs.Add("kind", "must be one of drop, temperature, ingress, battery, not %q", k)
	}
	f.Kinds, f.Handsets = []models.Kind{kind}, codesParam(c)
	filters := []struct {
		name   string
		kind   models.Kind
		values []string
		dst    *string
	}{
		{"surface", models.Drop, models.Surfaces, &f.Surface},
		{"procedure", models.Temperature, models.Procedures, &f.Procedure},
		{"ip_code", models.Ingress, nil, &f.IPCode},
		{"protocol", models.Battery, models.Protocols, &f.Protocol},
	}
	for _, fl := range filters {
		v := c.Query(fl.name)
		if v == "" {
			continue
		}
		switch {
		case ok && kind != fl.kind:
			errs.Add(fl.name, "filters %s runs, but kind is %s", fl.kind, kind)
		case fl.values != nil && !slices.Contains(fl.values, v):
			errs.Add(fl.name, "must be one of %s, not %q", strings.Join(fl.values, ", "), v)
		case fl.values == nil && !filterIPPattern.MatchString(v):
			errs.Add(fl.name, "%q is not an IP code such as IPX7, IP6X or IP68", v)
		}
		*fl.dst = v
	}
	if v := c.Query("height_m"); v != "" {
		h, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil || h <= 0 || h > 5:
			errs.Add("height_m", "must be a number of metres in (0, 5], not %q", v)
		case ok && kind != models.Drop:
			errs.Add("height_m", "filters drop runs, but kind is %s", kind)
		default:
			f.HeightM = &h
		}
	}
	return f
}

// filterEcho lists the filters applied, for the answer and permalinks.
func filterEcho(f store.EvidenceFilter) map[string]any {
	out := map[string]any{}
	if f.HeightM != nil {
		out["height_m"] = *f.HeightM
	}
	for name, v := range map[string]string{"surface": f.Surface, "procedure": f.Procedure, "ip_code": f.IPCode, "protocol": f.Protocol} {
		if v != "" {
			out[name] = v
		}
	}
	return out
}

// --- handlers --------------------------------------------------------------------

// compare answers GET /api/v1/compare (api.md §7).
func (s *Server) compare(c *gin.Context) {
	var errs models.FieldErrors
	f := compareFilter(c, &errs)
	conf := probabilityParam(c, "confidence", &errs)
	format := formatParam(c, &errs)
	if err := errs.Err("the comparison request is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	level := verdict.DefaultConfidence
	if conf != nil {
		level = *conf
	}
	cmp, err := s.comparison(c.Request.Context(), f, level)
	if err != nil {
		s.fail(c, err)
		return
	}
	cmp.Filters = filterEcho(f)
	if format == "csv" {
		writeCSV(c, "compare-"+string(cmp.Kind)+".csv", compareCSV(cmp))
		return
	}
	s.writeMarshaled(c, cmp)
}

// writeMarshaled answers 200 with v's own JSON. c.JSON would hand v to
// json.Marshal, which re-reads whatever a MarshalJSON returns to compact
// it: for a drop comparison at 100,000 runs (148 KB, 3,550 run ids) that
// second pass was 1 ms of the 11 (issue #18). The bytes are the same.
func (s *Server) writeMarshaled(c *gin.Context, v json.Marshaler) {
	b, err := v.MarshalJSON()
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}

func (s *Server) createProfile(c *gin.Context) {
	p, err := models.DecodeProfile(body(c))
	if err == nil {
		p, err = s.Store.CreateProfile(c.Request.Context(), p, s.author(c))
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, "/api/v1/profiles/"+url.PathEscape(p.ID), p)
}

func (s *Server) createProfileVersion(c *gin.Context) {
	p, err := models.DecodeProfileVersion(body(c))
	if err == nil {
		p, err = s.Store.CreateProfileVersion(c.Request.Context(), c.Param("id"), p, s.author(c))
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, "/api/v1/profiles/"+url.PathEscape(p.ID)+"?version="+strconv.Itoa(p.Version), p)
}

func (s *Server) listProfiles(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, next, err := s.Store.Profiles(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, next))
}

// profileWithVersions is a profile version and the versions that exist.
type profileWithVersions struct {
	models.Profile
	Versions []int `json:"versions"`
}

func (s *Server) getProfile(c *gin.Context) {
	var errs models.FieldErrors
	version := positiveIntParam(c, "version", &errs)
	if err := errs.Err("the profile request is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.Store.Profile(c.Request.Context(), c.Param("id"), version)
	if err != nil {
		s.fail(c, err)
		return
	}
	versions, err := s.Store.ProfileVersions(c.Request.Context(), p.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, profileWithVersions{Profile: p, Versions: versions})
}

// profileMatrix answers GET /api/v1/profiles/{id}/matrix (api.md §6).
func (s *Server) profileMatrix(c *gin.Context) {
	var errs models.FieldErrors
	version := positiveIntParam(c, "version", &errs)
	format := formatParam(c, &errs)
	if err := errs.Err("the matrix request is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	m, err := s.matrix(c.Request.Context(), c.Param("id"), version, codesParam(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	if format == "csv" {
		writeCSV(c, "profile-"+m.Profile.ID+"-v"+strconv.Itoa(m.Profile.Version)+"-matrix.csv", matrixCSV(m))
		return
	}
	c.JSON(http.StatusOK, m)
}

// profileDiff answers GET /api/v1/profiles/{id}/diff?from=1&to=2: both
// versions judged on today's evidence, the cells whose verdict differs.
// Defaults: to = latest, from = to − 1.
func (s *Server) profileDiff(c *gin.Context) {
	var errs models.FieldErrors
	from, to := positiveIntParam(c, "from", &errs), positiveIntParam(c, "to", &errs)
	if err := errs.Err("the diff request is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.diff(c.Request.Context(), c.Param("id"), from, to, codesParam(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

type profileDiff struct {
	Profile  verdict.ProfileRef `json:"profile"`
	From     int                `json:"from"`
	To       int                `json:"to"`
	Handsets []string           `json:"handsets"`
	Changes  []verdict.Change   `json:"changes"`
}

func (s *Server) diff(ctx context.Context, id string, from, to int, handsets []string) (profileDiff, error) {
	newer, err := s.Store.Profile(ctx, id, to)
	if err != nil {
		return profileDiff{}, err
	}
	if from == 0 {
		from = max(1, newer.Version-1)
	}
	older, err := s.Store.Profile(ctx, id, from)
	if err != nil {
		return profileDiff{}, err
	}
	ev, err := s.Store.Evidence(ctx, store.EvidenceFilter{Kinds: profileKinds(older, newer), Handsets: handsets})
	if err != nil {
		return profileDiff{}, err
	}
	field, err := s.fieldEvidence(ctx, older, newer)
	if err != nil {
		return profileDiff{}, err
	}
	a, b := evaluate(older, ev, field), evaluate(newer, ev, field)
	return profileDiff{Profile: b.Profile, From: older.Version, To: newer.Version, Handsets: b.Handsets, Changes: verdict.Diff(a, b)}, nil
}

// planAnswer is GET /api/v1/plan: the success-run sample size for a target,
// and with a profile, how many more passing units each cell needs.
type planAnswer struct {
	SuccessRun *verdict.SuccessRun `json:"success_run"`
	Profile    *verdict.ProfileRef `json:"profile,omitempty"`
	Handsets   []string            `json:"handsets,omitempty"`
	Rows       []verdict.PlanRow   `json:"rows,omitempty"`
}

func (s *Server) plan(c *gin.Context) {
	var errs models.FieldErrors
	target := probabilityParam(c, "target", &errs)
	conf := probabilityParam(c, "confidence", &errs)
	version := positiveIntParam(c, "version", &errs)
	id := c.Query("profile")
	if target == nil && id == "" && !errs.Has("target") {
		errs.Add("target", "is required without a profile: the reliability to demonstrate, e.g. 0.9")
	}
	if err := errs.Err("the plan request is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	var out planAnswer
	if target != nil {
		level := models.DefaultConfidence
		if conf != nil {
			level = *conf
		}
		sr := verdict.SuccessRunPlan(*target, level)
		out.SuccessRun = &sr
	}
	if id != "" {
		m, err := s.matrix(c.Request.Context(), id, version, codesParam(c))
		if err != nil {
			s.fail(c, err)
			return
		}
		out.Profile, out.Handsets, out.Rows = &m.Profile, m.Handsets, verdict.Plan(m)
	}
	c.JSON(http.StatusOK, out)
}

// handsetWithMeasured is a handset with what the lab measured beside what
// the maker declared (the EU label yardsticks and the IP code).
type handsetWithMeasured struct {
	models.Handset
	Measured eulabel.Measured `json:"measured"`
}

// measuredHandset reads a handset and the runs the label yardsticks use.
// Errors: NotFound.
func (s *Server) measuredHandset(ctx context.Context, code string) (handsetWithMeasured, error) {
	// Drops count only as the free-fall yardstick (eulabel: 1 m tumbler
	// runs): the surface filter reads those, not every drop programme.
	ev, err := s.Store.Evidence(ctx, store.EvidenceFilter{Handsets: []string{code}, Surface: "tumbler",
		Kinds: []models.Kind{models.Drop, models.Ingress, models.Battery, models.Repair}})
	if err != nil {
		return handsetWithMeasured{}, err
	}
	h := ev.Handsets[0]
	return handsetWithMeasured{Handset: h, Measured: eulabel.Measure(h, models.ExpandGroups(ev.Runs))}, nil
}
