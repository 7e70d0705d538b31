package award

import (
	"errors"
	"math"
	"slices"
	"strconv"

	"ruggedlab/models"
	"ruggedlab/verdict"
)

// SchemeRef names the scheme version an award was computed with.
type SchemeRef struct {
	ProfileID      string `json:"profile_id"`
	Version        int    `json:"version"`
	ProfileVersion int    `json:"profile_version"`
	Name           string `json:"name"`
}

// Report is GET /profiles/{id}/award (api.md §6.4): the contract fields
// scheme, draws, seed, candidates[].{handset, excluded, reason, score,
// rank, rank_acceptability, first_rank_se} plus the rest of SMAA-2.
type Report struct {
	Scheme       SchemeRef          `json:"scheme"`
	Profile      verdict.ProfileRef `json:"profile"`
	Draws        int                `json:"draws"`
	Seed         uint64             `json:"seed"`
	WeightMethod string             `json:"weight_method"`
	Criteria     []CriterionReport  `json:"criteria"`
	Candidates   []CandidateReport  `json:"candidates"`
	Winner       *string            `json:"winner"` // deterministic rank 1 (first listed on a tie)
	Counted      string             `json:"counted"`
}

// CriterionReport is one criterion with its weight-stability range.
type CriterionReport struct {
	Key           string    `json:"key"`
	Title         string    `json:"title"`
	Source        string    `json:"source"`
	Requirement   string    `json:"requirement,omitempty"`
	Unit          string    `json:"unit,omitempty"`
	Direction     string    `json:"direction"`
	ValueFunction string    `json:"value_function"`
	Worst         *float64  `json:"worst"`
	Best          *float64  `json:"best"`
	Weight        float64   `json:"weight"`
	WeightRange   []float64 `json:"weight_range"`
	Note          string    `json:"note,omitempty"`
	Stability     Stable    `json:"stability"`
}

// Stable is the range of a criterion's weight over which the
// deterministic winner stays first.
type Stable struct {
	Lo      float64 `json:"lo"`
	Hi      float64 `json:"hi"`
	RivalLo string  `json:"rival_lo"`
	RivalHi string  `json:"rival_hi"`
}

// Pair is P(this candidate scores above handset) in the draws. A list,
// not a map keyed by code, so blind mode masks the handset like any value.
type Pair struct {
	Handset string  `json:"handset"`
	P       float64 `json:"p"`
}

// CandidateReport is one handset. Excluded candidates (a gate not met, a
// criterion without a value) have null score and rank and an empty
// rank_acceptability; Flags lists gates that are inconclusive.
type CandidateReport struct {
	Handset  string   `json:"handset"`
	Excluded bool     `json:"excluded"`
	Reason   string   `json:"reason"`
	Flags    []string `json:"flags"`
	// Why and FlagsWhy are Reason and Flags with their values apart, for
	// pages to word in their language (models.Msg).
	Why                 models.Msgs        `json:"-"`
	FlagsWhy            []models.Msg       `json:"-"`
	Values              []*float64         `json:"values"`
	Describe            []string           `json:"value_sources"`
	Points              []float64          `json:"points"`
	Weighted            []float64          `json:"weighted"`
	Score               *float64           `json:"score"`
	Rank                *int               `json:"rank"`
	RankAcceptability   []float64          `json:"rank_acceptability"`
	RankAcceptabilitySE []float64          `json:"rank_acceptability_se"`
	FirstRankSE         *float64           `json:"first_rank_se"`
	Pairwise            []Pair             `json:"pairwise_winning"`
	CentralWeights      map[string]float64 `json:"central_weights"`
	Confidence          *float64           `json:"confidence_factor"`
	ConfidenceSE        *float64           `json:"confidence_factor_se"`
}

// Measured holds the figures the lab measured outside the matrix that
// criteria may score: the repairability index R per handset code, for
// the handsets whose every priority part has a repair run.
type Measured struct {
	RepairabilityIndex map[string]float64
}

// Build turns a scheme and the verdict matrix of its profile version into
// the maths problem: gates applied, one Measure per candidate and
// criterion. Candidates are the matrix's handsets in its order. It returns
// the problem (only candidates in the award) and a report skeleton with
// every candidate. Errors: *Error (weights that cannot sum to 1, an order
// against the weights, a cycle).
func Build(s models.Scheme, m verdict.Matrix, ev Measured) (*Problem, Report, error) {
	rep := Report{Scheme: SchemeRef{ProfileID: s.ProfileID, Version: s.Version, ProfileVersion: s.ProfileVersion, Name: s.Name},
		Profile: m.Profile, Counted: m.Counted, Criteria: []CriterionReport{}, Candidates: []CandidateReport{}}
	p := &Problem{}
	idx := map[string]int{}
	for j, c := range s.Criteria {
		idx[c.Key] = j
		cr := Criterion{Key: c.Key, LowerIsBetter: c.Direction == "lower", Rule: Linear, Weight: c.Weight, Lo: c.Weight, Hi: c.Weight}
		if c.ValueFunction == "lowest_ratio" {
			cr.Rule = LowestRatio
		} else if c.Worst != nil && c.Best != nil {
			cr.Worst, cr.Best = *c.Worst, *c.Best
		}
		wr := []float64{c.Weight, c.Weight}
		if len(c.WeightRange) == 2 {
			cr.Lo, cr.Hi = c.WeightRange[0], c.WeightRange[1]
			wr = slices.Clone(c.WeightRange)
		}
		p.Criteria = append(p.Criteria, cr)
		rep.Criteria = append(rep.Criteria, CriterionReport{Key: c.Key, Title: c.Title, Source: c.Source, Requirement: c.Requirement,
			Unit: c.Unit, Direction: c.Direction, ValueFunction: c.ValueFunction, Worst: c.Worst, Best: c.Best,
			Weight: c.Weight, WeightRange: wr, Note: c.Note})
	}
	for _, chain := range s.Order {
		for k := 0; k+1 < len(chain); k++ {
			p.Order = append(p.Order, [2]int{idx[chain[k]], idx[chain[k+1]]})
		}
	}
	rows := map[string]*verdict.Row{}
	for i := range m.Rows {
		rows[m.Rows[i].Key] = &m.Rows[i]
	}
	entered := map[[2]string]float64{}
	for _, e := range s.Entered {
		entered[[2]string{e.Criterion, e.Handset}] = e.Value
	}
	for hi, h := range m.Handsets {
		cand := CandidateReport{Handset: h, Flags: []string{}, Values: make([]*float64, len(s.Criteria)), Describe: make([]string, len(s.Criteria)),
			Points: []float64{}, Weighted: []float64{}, RankAcceptability: []float64{}, RankAcceptabilitySE: []float64{},
			Pairwise: []Pair{}, CentralWeights: map[string]float64{}}
		var why []models.Msg
		for _, g := range s.Gates {
			cell := rows[g].Cells[hi]
			switch cell.Verdict {
			case verdict.NotMet:
				why = append(why, models.M("mandatory requirement %s not met (%s)", g, cell.Why))
			case verdict.Inconclusive:
				f := models.M("mandatory requirement %s inconclusive (%s)", g, cell.Why)
				cand.Flags, cand.FlagsWhy = append(cand.Flags, f.String()), append(cand.FlagsWhy, f)
			}
		}
		ms := make([]Measure, len(s.Criteria))
		for j, c := range s.Criteria {
			switch c.Source {
			case models.SourceRequirement:
				cell := rows[c.Requirement].Cells[hi]
				switch {
				case cell.Estimate == nil || cell.NUnits == 0:
				case rows[c.Requirement].Kind == models.FieldTrial:
					ms[j] = fieldMeasure(rows[c.Requirement], cell) // field.go
				case rows[c.Requirement].Rule == models.MeanLowerBound:
					sd := 0.0
					if cell.SD != nil {
						sd = *cell.SD
					}
					ms[j] = Mean{Mean: *cell.Estimate, SD: sd, N: cell.NUnits}
				default:
					ms[j] = Proportion{X: cell.PassedUnits, N: cell.NUnits}
				}
			case models.SourceEntered:
				if v, ok := entered[[2]string{c.Key, h}]; ok {
					ms[j] = Fixed(v)
				}
			case models.SourceRepairability:
				// R comes from the worst unit of each priority part: a
				// fixed figure of the teardown, not a sample to redraw.
				if v, ok := ev.RepairabilityIndex[h]; ok {
					ms[j] = Fixed(v)
				}
			}
			if ms[j] == nil {
				why = append(why, models.M("no value for criterion %s", c.Key))
				continue
			}
			v := ms[j].Point()
			cand.Values[j], cand.Describe[j] = &v, ms[j].Describe()
		}
		if len(why) > 0 {
			cand.Excluded, cand.Why = true, models.JoinMsgs(why)
			cand.Reason = cand.Why.String()
		} else {
			p.Candidates = append(p.Candidates, h)
			p.Values = append(p.Values, ms)
		}
		rep.Candidates = append(rep.Candidates, cand)
	}
	return p, rep, p.Validate()
}

// Fill computes the deterministic table, the stability ranges and the
// SMAA-2 simulation into rep (as Build returned it).
func Fill(p *Problem, rep *Report, draws int, seed uint64) {
	rep.Draws, rep.Seed = draws, seed
	rows := Deterministic(p)
	res := Simulate(p, draws, seed)
	rep.WeightMethod = res.WeightMethod
	if rep.WeightMethod == "" {
		rep.WeightMethod = "none"
	}
	for j, st := range Stability(p, rows) {
		rep.Criteria[j].Stability = Stable{Lo: round(st.Lo), Hi: round(st.Hi), RivalLo: st.RivalLo, RivalHi: st.RivalHi}
	}
	at := map[string]int{}
	for i, h := range p.Candidates {
		at[h] = i
	}
	for ci := range rep.Candidates {
		c := &rep.Candidates[ci]
		i, ok := at[c.Handset]
		if !ok {
			continue
		}
		r := rows[i]
		c.Points, c.Weighted = roundAll(r.Points), roundAll(r.Weighted)
		score, rank := round(r.Score), r.Rank
		c.Score, c.Rank = &score, &rank
		if r.Rank == 1 && rep.Winner == nil {
			h := c.Handset
			rep.Winner = &h
		}
		c.RankAcceptability, c.RankAcceptabilitySE = roundAll(res.Acceptability[i]), roundAll(res.AcceptSE[i])
		fse := round(res.AcceptSE[i][0])
		c.FirstRankSE = &fse
		c.Pairwise = []Pair{}
		for k, other := range p.Candidates {
			if k != i {
				c.Pairwise = append(c.Pairwise, Pair{Handset: other, P: round(res.Pairwise[i][k])})
			}
		}
		c.CentralWeights = map[string]float64{}
		if res.Central[i] != nil {
			for j, cr := range p.Criteria {
				c.CentralWeights[cr.Key] = round(res.Central[i][j])
			}
			cf, cse := round(res.Confidence[i]), round(res.ConfidenceSE[i])
			c.Confidence, c.ConfidenceSE = &cf, &cse
		}
	}
}

// round keeps 6 decimals: figures estimated from at most 50,000 draws
// carry no more, and the output stays readable and byte-stable.
func round(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 6, 64), 64)
	return v
}

func roundAll(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = round(x)
	}
	return out
}

// CheckScheme is the full check of a decoded scheme (models.DecodeScheme
// checked the fields): the weights' arithmetic, on the problem the scheme
// makes. The store calls it inside the transaction that records a
// version. Errors: Invalid, naming the field.
func CheckScheme(sc models.Scheme) error {
	p, _, err := Build(sc, verdict.Matrix{}, Measured{})
	_ = p
	return AsFieldError(err)
}

// AsFieldError turns an *Error into a models Invalid error naming the
// field (422 problem+json); other errors pass through.
func AsFieldError(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return models.FieldErrors{{Field: e.Field, Message: e.Detail}}.Err("the scoring scheme is not valid")
	}
	return err
}
