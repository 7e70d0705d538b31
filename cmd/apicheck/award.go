package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
)

// award checks the award (issue #12): a profile and a scoring scheme are
// recorded, GET /profiles/{id}/award answers the contract shape with one
// rank acceptability per candidate in the award, the same seed gives the
// same bytes, and the bad inputs are refused naming the field with no
// scheme written.
func (c *checker) award() {
	var id string
	c.check("POST /api/v1/profiles → 201 (for the award)", func() error {
		a := c.do("POST", "/api/v1/profiles", `{"name": "apicheck award", "requirements": [{"key": "battery-30h", "title": "EU loop ≥ 30 h",
			"kind": "battery", "where": {"protocol": "eu_eei_loop"}, "decision": {"rule": "mean_lower_bound", "target": 30, "confidence": 0.95}, "min_units": 3}]}`)
		m, err := a.object()
		if err == nil {
			id = fmt.Sprint(m["id"])
		}
		return each(a.is(201), err)
	})
	base := "/api/v1/profiles/" + url.PathEscape(id)
	scheme := func(edit func(m map[string]any)) string {
		m := map[string]any{"name": "price 70 %, support 30 %",
			"criteria": []any{
				map[string]any{"key": "price", "source": "entered", "direction": "lower", "value_function": "lowest_ratio", "weight": 0.7, "weight_range": []any{0.5, 0.8}},
				map[string]any{"key": "support", "source": "entered", "direction": "higher", "value_function": "linear", "worst": 2, "best": 7, "weight": 0.3},
			},
			"entered": []any{
				map[string]any{"criterion": "price", "handset": c.code, "value": 900, "date": "2026-01-15", "source": "bid"},
				map[string]any{"criterion": "price", "handset": c.other, "value": 1000, "date": "2026-01-15", "source": "bid"},
				map[string]any{"criterion": "support", "handset": c.code, "value": 4, "date": "2026-01-15", "source": "bid"},
				map[string]any{"criterion": "support", "handset": c.other, "value": 6, "date": "2026-01-15", "source": "bid"},
			}}
		if edit != nil {
			edit(m)
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	crit := func(m map[string]any, i int) map[string]any { return m["criteria"].([]any)[i].(map[string]any) }
	c.check("POST /api/v1/profiles/{id}/schemes → 201, version 1", func() error {
		a := c.do("POST", base+"/schemes", scheme(nil))
		m, err := a.object()
		return each(a.is(201), err, has(m, map[string]any{"version": 1, "profile_version": 1}))
	})
	c.check("GET /api/v1/profiles/{id}/award → 200 {scheme, draws, seed, candidates[handset, excluded, reason, score, rank, rank_acceptability, first_rank_se]}", func() error {
		a := c.do("GET", base+"/award", "")
		var m struct {
			Scheme     map[string]any   `json:"scheme"`
			Draws      *int             `json:"draws"`
			Seed       *uint64          `json:"seed"`
			Candidates []map[string]any `json:"candidates"`
		}
		if err := a.is(200); err != nil {
			return err
		}
		if err := json.Unmarshal(a.body, &m); err != nil || m.Scheme == nil || m.Draws == nil || m.Seed == nil {
			return fmt.Errorf("not the award shape: %s", clip(a.body))
		}
		in := 0
		for _, cd := range m.Candidates {
			for _, k := range []string{"handset", "excluded", "reason", "score", "rank", "rank_acceptability", "first_rank_se"} {
				if _, ok := cd[k]; !ok {
					return fmt.Errorf("candidate %v has no %q", cd["handset"], k)
				}
			}
			if cd["excluded"] == false {
				in++
			}
		}
		for _, cd := range m.Candidates {
			ra, _ := cd["rank_acceptability"].([]any)
			if cd["excluded"] == false && len(ra) != in {
				return fmt.Errorf("%v: %d rank acceptabilities for %d candidates in the award", cd["handset"], len(ra), in)
			}
			if cd["handset"] == c.code && cd["excluded"] != false {
				return fmt.Errorf("%s is excluded: %v", c.code, cd["reason"])
			}
		}
		if in < 2 {
			return fmt.Errorf("%d candidates in the award, want at least 2", in)
		}
		return nil
	})
	c.check("GET /api/v1/profiles/{id}/award?scheme=1&draws=500&seed=7 twice → the same bytes", func() error {
		a, b := c.do("GET", base+"/award?scheme=1&draws=500&seed=7", ""), c.do("GET", base+"/award?scheme=1&draws=500&seed=7", "")
		if err := each(a.is(200), b.is(200)); err != nil {
			return err
		}
		if !bytes.Equal(a.body, b.body) {
			return fmt.Errorf("two answers differ")
		}
		return nil
	})
	schemes := func() string { return string(c.do("GET", base+"/schemes", "").body) }
	refusals := []struct {
		what  string
		edit  func(m map[string]any)
		field string
	}{
		{"a zero price", func(m map[string]any) { m["entered"].([]any)[0].(map[string]any)["value"] = 0 }, "entered[0].value"},
		{"worst equal to best", func(m map[string]any) { crit(m, 1)["best"] = 2 }, "criteria[1].best"},
		{"lower bounds over 1", func(m map[string]any) {
			crit(m, 1)["weight"], crit(m, 1)["weight_range"] = 0.5, []any{0.5, 0.6}
			crit(m, 0)["weight"], crit(m, 0)["weight_range"] = 0.6, []any{0.6, 0.8}
		}, "criteria"},
		{"a criterion naming no requirement of the profile", func(m map[string]any) {
			crit(m, 1)["source"], crit(m, 1)["requirement"] = "requirement", "no-such-requirement"
			m["entered"] = m["entered"].([]any)[:2]
		}, "criteria[1].requirement"},
		{"a rank order with a cycle", func(m map[string]any) {
			crit(m, 0)["weight"], crit(m, 1)["weight"], crit(m, 0)["weight_range"] = 0.5, 0.5, []any{0.4, 0.6}
			m["order"] = []any{[]any{"price", "support"}, []any{"support", "price"}}
		}, "order"},
	}
	for _, r := range refusals {
		c.check("POST /api/v1/profiles/{id}/schemes with "+r.what+" → 422 naming "+r.field+", nothing written", func() error {
			before := schemes()
			if err := c.do("POST", base+"/schemes", scheme(r.edit)).is(422, r.field); err != nil {
				return err
			}
			if schemes() != before {
				return fmt.Errorf("the refused scheme was written")
			}
			return nil
		})
	}
	for _, q := range []struct{ query, field string }{{"draws=99", "draws"}, {"draws=1000000", "draws"}, {"seed=x", "seed"}} {
		c.check("GET /api/v1/profiles/{id}/award?"+q.query+" → 422 naming "+q.field, func() error {
			return c.do("GET", base+"/award?"+q.query, "").is(422, q.field)
		})
	}
}
