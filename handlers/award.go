package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"ruggedlab/award"
	"ruggedlab/models"
)

// awardRoutes adds scoring schemes and the award (issue #12, api.md §6.4).
func (s *Server) awardRoutes(api *gin.RouterGroup, js []gin.HandlerFunc) {
	api.POST("/profiles/:id/schemes", append(slices.Clone(js), s.createScheme)...)
	api.GET("/profiles/:id/schemes", s.listSchemes)
	api.GET("/profiles/:id/award", s.getAward)
}

func (s *Server) createScheme(c *gin.Context) {
	ctx := c.Request.Context()
	b := body(c)
	var head struct {
		ProfileVersion int `json:"profile_version"`
	}
	_ = json.Unmarshal(b, &head) // a malformed body is reported by DecodeScheme
	if head.ProfileVersion < 0 {
		head.ProfileVersion = 0
	}
	p, err := s.Store.Profile(ctx, c.Param("id"), head.ProfileVersion)
	if err != nil {
		s.fail(c, err)
		return
	}
	sc, err := models.DecodeScheme(b, p)
	if err == nil {
		sc, err = s.Store.CreateScheme(ctx, sc, s.author(c), award.CheckScheme)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, "/api/v1/profiles/"+url.PathEscape(sc.ProfileID)+"/award?scheme="+strconv.Itoa(sc.Version), sc)
}

func (s *Server) listSchemes(c *gin.Context) {
	ctx := c.Request.Context()
	if _, err := s.Store.ProfileVersions(ctx, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	items, err := s.Store.Schemes(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, ""))
}

// awardQuery is the award's parameters; the page's permalinks carry the
// same three.
type awardQuery struct {
	Scheme int
	Draws  int
	Seed   uint64
}

func awardParams(c *gin.Context, errs *models.FieldErrors) awardQuery {
	q := awardQuery{Scheme: positiveIntParam(c, "scheme", errs), Draws: award.DefaultDraws, Seed: award.DefaultSeed}
	if v := c.Query("draws"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < award.MinDraws || n > award.MaxDraws {
			errs.Add("draws", "must be a whole number from %d to %d, not %q", award.MinDraws, award.MaxDraws, v)
		} else {
			q.Draws = n
		}
	}
	if v := c.Query("seed"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			errs.Add("seed", "must be a whole number from 0 to 18446744073709551615, not %q", v)
		} else {
			q.Seed = n
		}
	}
	return q
}

// awardReport reads the scheme, its profile version's matrix (the
// evidence once) and computes the award. Errors: NotFound (profile,
// scheme), Invalid (a stored scheme the evidence cannot score).
func (s *Server) awardReport(ctx context.Context, id string, q awardQuery) (award.Report, error) {
	sc, err := s.Store.Scheme(ctx, id, q.Scheme)
	if err != nil {
		return award.Report{}, err
	}
	m, err := s.matrix(ctx, id, sc.ProfileVersion, nil)
	if err != nil {
		return award.Report{}, err
	}
	var ev award.Measured
	if slices.ContainsFunc(sc.Criteria, func(c models.SchemeCriterion) bool { return c.Source == models.SourceRepairability }) {
		ev.RepairabilityIndex = map[string]float64{}
		for _, code := range m.Handsets {
			h, err := s.measuredHandset(ctx, code)
			if err != nil {
				return award.Report{}, err
			}
			if r := h.Measured.Repairability; r != nil && r.Index != nil {
				ev.RepairabilityIndex[code] = *r.Index
			}
		}
	}
	p, rep, err := award.Build(sc, m, ev)
	if err != nil {
		return rep, award.AsFieldError(err)
	}
	award.Fill(p, &rep, q.Draws, q.Seed)
	return rep, nil
}

// getAward answers GET /api/v1/profiles/{id}/award (api.md §6.4).
func (s *Server) getAward(c *gin.Context) {
	var errs models.FieldErrors
	q := awardParams(c, &errs)
	format := formatParam(c, &errs)
	if err := errs.Err("the award request is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.awardReport(c.Request.Context(), c.Param("id"), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	if format == "csv" {
		writeCSV(c, "profile-"+rep.Profile.ID+"-scheme"+strconv.Itoa(rep.Scheme.Version)+"-award.csv", awardCSV(rep, nil))
		return
	}
	c.JSON(http.StatusOK, rep)
}

// awardCSV is the award table as the page shows it: one row per
// candidate, per criterion its value and points, then score, rank, the
// rank acceptabilities and P(first)'s standard error. name maps a handset
// code to the label shown (nil: the code).
func awardCSV(rep award.Report, name func(string) string) [][]string {
	if name == nil {
		name = func(s string) string { return s }
	}
	ranks := 0
	for _, cd := range rep.Candidates {
		ranks = max(ranks, len(cd.RankAcceptability))
	}
	head := []string{"handset", "excluded", "reason", "flags"}
	for _, cr := range rep.Criteria {
		head = append(head, cr.Key+"_value", cr.Key+"_points")
	}
	head = append(head, "score", "rank")
	for r := 1; r <= ranks; r++ {
		head = append(head, "p_rank"+strconv.Itoa(r))
	}
	head = append(head, "first_rank_se", "confidence_factor", "draws", "seed", "scheme_version")
	rows := [][]string{head}
	for _, cd := range rep.Candidates {
		flags := ""
		for i, f := range cd.Flags {
			if i > 0 {
				flags += "; "
			}
			flags += f
		}
		row := []string{name(cd.Handset), strconv.FormatBool(cd.Excluded), cd.Reason, flags}
		for j := range rep.Criteria {
			pts := ""
			if j < len(cd.Points) {
				pts = fnum(cd.Points[j])
			}
			row = append(row, fptr(cd.Values[j]), pts)
		}
		rank := ""
		if cd.Rank != nil {
			rank = strconv.Itoa(*cd.Rank)
		}
		row = append(row, fptr(cd.Score), rank)
		for r := range ranks {
			v := ""
			if r < len(cd.RankAcceptability) {
				v = fnum(cd.RankAcceptability[r])
			}
			row = append(row, v)
		}
		row = append(row, fptr(cd.FirstRankSE), fptr(cd.Confidence), strconv.Itoa(rep.Draws),
			strconv.FormatUint(rep.Seed, 10), strconv.Itoa(rep.Scheme.Version))
		rows = append(rows, row)
	}
	return rows
}
