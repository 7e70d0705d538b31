package main

import (
	"fmt"
	"strings"
)

// trials checks the field-pilot contract (api.md §12.6): a trial with
// assignments, bad input refused with nothing written, CSV imports, and
// the summary's names.
func (c *checker) trials() {
	trial := func(changes map[string]any) string {
		t := map[string]any{"name": "apicheck pilot", "site": "apicheck", "start": "2026-03-02", "end": "2026-04-12",
			"assignments": []any{
				map[string]any{"handset": c.code, "unit": "CHK-0001", "carrier": "CHK-A", "from": "2026-03-02", "to": "2026-04-12"},
				map[string]any{"handset": c.other, "unit": "CHK-T1", "carrier": "CHK-B", "from": "2026-03-02", "to": "2026-04-12"},
			}}
		for k, v := range changes {
			t[k] = v
		}
		return js(t)
	}
	c.check("POST /api/v1/handsets/{other}/units CHK-T1 → 201 (a second candidate)", func() error {
		return c.do("POST", "/api/v1/handsets/"+c.other+"/units", `{"serial": "CHK-T1"}`).is(201)
	})
	c.check("POST /api/v1/trials ending before it starts → 422 naming end, nothing written", func() error {
		return c.unchanged(func() error {
			return c.do("POST", "/api/v1/trials", trial(map[string]any{"end": "2026-03-01"})).is(422, "end")
		})
	})
	c.check("POST /api/v1/trials with an e-mail as carrier → 422 naming assignments[0].carrier", func() error {
		bad := trial(nil)
		bad = strings.Replace(bad, `"CHK-A"`, `"jean.dupont@example.fr"`, 1)
		return c.unchanged(func() error { return c.do("POST", "/api/v1/trials", bad).is(422, "assignments[0].carrier") })
	})
	var id string
	c.check("POST /api/v1/trials → 201 with id and Location", func() error {
		a := c.do("POST", "/api/v1/trials", trial(nil))
		m, err := a.object()
		if e := each(a.is(201), err, has(m, map[string]any{"name": "apicheck pilot", "end": "2026-04-12"})); e != nil {
			return e
		}
		id, _ = m["id"].(string)
		return header(a, "Location", "/api/v1/trials/"+id)
	})
	if id == "" {
		return
	}
	c.check("GET /api/v1/trials/{id} → 200 with its 2 assignments", func() error {
		a := c.do("GET", "/api/v1/trials/"+id, "")
		m, err := a.object()
		if e := each(a.is(200), err); e != nil {
			return e
		}
		if as, _ := m["assignments"].([]any); len(as) != 2 {
			return fmt.Errorf("assignments %v", m["assignments"])
		}
		return nil
	})
	c.check("GET /api/v1/trials lists it", func() error {
		items, _, err := c.do("GET", "/api/v1/trials", "").list()
		for _, it := range items {
			if it["id"] == id {
				return err
			}
		}
		return fmt.Errorf("trial %s not listed (%v)", id, err)
	})
	csv := func(kind, file string) *answer {
		return c.do("POST", "/api/v1/imports/"+kind, file, "Content-Type", "text/csv")
	}
	inc := "trial,handset,unit,date,category,severity,out_of_service_h,outcome,notes\n"
	c.check("POST /api/v1/imports/incident with an incident outside the assignment → 422, nothing written", func() error {
		return csv("incident", inc+id+","+c.code+",CHK-0001,2026-05-01,display_cracked,3,0,none,\n").is(422, "")
	})
	c.check("POST /api/v1/imports/incident?dry_run=true → 200 {dry_run: true, rows: 2}", func() error {
		a := c.do("POST", "/api/v1/imports/incident?dry_run=true", inc+id+","+c.code+",CHK-0001,2026-03-10,display_cracked,3,24,replaced,\n"+
			id+","+c.other+",CHK-T1,2026-03-11,buttons,4,0,repaired,\n", "Content-Type", "text/csv")
		m, err := a.object()
		return each(a.is(200), err, has(m, map[string]any{"dry_run": true, "rows": 2}))
	})
	c.check("POST /api/v1/imports/incident → 201 {rows: 2}", func() error {
		a := csv("incident", inc+id+","+c.code+",CHK-0001,2026-03-10,display_cracked,3,24,replaced,\n"+id+","+c.other+",CHK-T1,2026-03-11,buttons,4,0,repaired,\n")
		m, err := a.object()
		return each(a.is(201), err, has(m, map[string]any{"rows": 2, "kind": "incident"}))
	})
	sh := "trial,handset,unit,start,length_h,battery_start_pct,battery_end_pct,charged,lasted_shift\n"
	c.check("POST /api/v1/imports/shift with a 26 h shift → 422", func() error {
		return csv("shift", sh+id+","+c.code+",CHK-0001,2026-03-02T07:00:00Z,26,100,20,false,\n").is(422, "")
	})
	c.check("POST /api/v1/imports/shift → 201 {rows: 2}", func() error {
		a := csv("shift", sh+id+","+c.code+",CHK-0001,2026-03-02T07:00:00Z,8,100,20,false,\n"+id+","+c.other+",CHK-T1,2026-03-02T07:00:00Z,8,100,0,false,\n")
		return a.is(201)
	})
	q := "trial,handset,respondent,sus1,sus2,sus3,sus4,sus5,sus6,sus7,sus8,sus9,sus10\n"
	c.check("POST /api/v1/imports/questionnaire with an answer of 6 → 422", func() error {
		return csv("questionnaire", q+id+","+c.code+",R1,6,2,5,1,4,2,4,2,5,2\n").is(422, "")
	})
	c.check("POST /api/v1/imports/questionnaire → 201", func() error {
		return csv("questionnaire", q+id+","+c.code+",R1,4,2,5,1,4,2,4,2,5,2\n"+id+","+c.other+",R1,3,3,3,3,3,3,3,3,3,3\n").is(201)
	})
	c.check("GET /api/v1/trials/{id}/summary?confidence=0.95 → the contract's names", func() error {
		a := c.do("GET", "/api/v1/trials/"+id+"/summary?confidence=0.95", "")
		m, err := a.object()
		if e := each(a.is(200), err); e != nil {
			return e
		}
		cands, _ := m["candidates"].([]any)
		if len(cands) != 2 {
			return fmt.Errorf("candidates %v", m["candidates"])
		}
		for _, x := range cands {
			cm, _ := x.(map[string]any)
			for _, k := range []string{"handset", "device_days", "incidents", "incident_rate_per_1000_device_days", "shifts", "sus"} {
				if _, ok := cm[k]; !ok {
					return fmt.Errorf("candidate without %q: %v", k, cm)
				}
			}
			if err := each(has(cm, map[string]any{"device_days": 42, "incidents": 1}),
				has(cm["shifts"].(map[string]any), map[string]any{"units": 1, "total": 1}),
				has(cm["sus"].(map[string]any), map[string]any{"respondents": 1})); err != nil {
				return err
			}
			// One respondent: the mean is given, its interval is null with a reason.
			why, _ := cm["null_reasons"].(map[string]any)
			if sus := cm["sus"].(map[string]any); sus["low"] != nil || sus["high"] != nil || why["sus.low"] == nil || why["sus.high"] == nil {
				return fmt.Errorf("one respondent: sus %v, null_reasons %v; want null low/high with sus.low and sus.high reasons", sus, cm["null_reasons"])
			}
		}
		rr, _ := m["rate_ratios"].([]any)
		if len(rr) != 1 {
			return fmt.Errorf("rate_ratios %v", m["rate_ratios"])
		}
		r, _ := rr[0].(map[string]any)
		for _, k := range []string{"a", "b", "ratio", "low", "high", "p", "p_holm"} {
			if _, ok := r[k]; !ok {
				return fmt.Errorf("rate ratio without %q: %v", k, r)
			}
		}
		return has(r, map[string]any{"ratio": 1, "p": 1})
	})
	c.fieldRequirements(id)
}

// fieldRequirements checks single incidents and their retraction, and a
// profile requirement on the trial (api.md §12.6 "Requirements on field
// evidence"): bad input refused, the field row of the matrix, and that an
// incident changes the matrix (field writes raise the data version).
func (c *checker) fieldRequirements(trial string) {
	inc := `{"handset": "` + c.code + `", "unit": "CHK-0001", "date": "2026-03-20", "category": "software", "severity": 1}`
	var incident string
	c.check("POST /api/v1/trials/{id}/incidents → 201", func() error {
		a := c.do("POST", "/api/v1/trials/"+trial+"/incidents", inc)
		m, err := a.object()
		incident, _ = m["id"].(string)
		return each(a.is(201), err, has(m, map[string]any{"category": "software", "retracted": false}))
	})
	c.check("POST /api/v1/trials/{id}/incidents outside the assignment → 422 naming date", func() error {
		return c.do("POST", "/api/v1/trials/"+trial+"/incidents", strings.Replace(inc, "2026-03-20", "2026-05-20", 1)).is(422, "date")
	})
	c.check("POST …/incidents/{incident}/retraction → 200, twice → 409", func() error {
		path := "/api/v1/trials/" + trial + "/incidents/" + incident + "/retraction"
		a := c.do("POST", path, `{"reason": "apicheck: entered twice"}`)
		m, err := a.object()
		return each(a.is(200), err, has(m, map[string]any{"retracted": true}), c.do("POST", path, `{"reason": "again"}`).is(409, "reason"))
	})
	req := func(metric, rule string, target any) string {
		return js(map[string]any{"name": "apicheck field", "requirements": []any{map[string]any{
			"key": "field-" + metric, "kind": "field", "metric": metric, "where": map[string]any{"trial": trial},
			"decision": map[string]any{"rule": rule, "target": target}}}})
	}
	c.check("POST /api/v1/profiles with an unknown field metric → 422 naming requirements[0].metric", func() error {
		return c.unchanged(func() error {
			return c.do("POST", "/api/v1/profiles", req("crashes", "upper_bound", 5)).is(422, "requirements[0].metric")
		})
	})
	c.check("POST /api/v1/profiles with a field target out of range → 422 naming requirements[0].decision.target", func() error {
		return c.unchanged(func() error {
			return c.do("POST", "/api/v1/profiles", req("shifts_lasted", "lower_bound", 90)).is(422, "requirements[0].decision.target")
		})
	})
	var profile string
	c.check("POST /api/v1/profiles with an incident_rate requirement → 201", func() error {
		a := c.do("POST", "/api/v1/profiles", req("incident_rate", "upper_bound", 100))
		m, err := a.object()
		profile, _ = m["id"].(string)
		return each(a.is(201), err)
	})
	if profile == "" {
		return
	}
	cell := func() (map[string]any, string, error) {
		a := c.do("GET", "/api/v1/profiles/"+profile+"/matrix?handsets="+c.code, "")
		m, err := a.object()
		if e := each(a.is(200), err); e != nil {
			return nil, "", e
		}
		rows, _ := m["rows"].([]any)
		if len(rows) != 1 {
			return nil, "", fmt.Errorf("rows %v", m["rows"])
		}
		r, _ := rows[0].(map[string]any)
		if e := has(r, map[string]any{"kind": "field", "metric": "incident_rate", "rule": "upper_bound"}); e != nil {
			return nil, "", e
		}
		cells, _ := r["cells"].([]any)
		if len(cells) != 1 {
			return nil, "", fmt.Errorf("cells %v", r["cells"])
		}
		cm, _ := cells[0].(map[string]any)
		return cm, a.header.Get("ETag"), nil
	}
	var tag string
	c.check("GET /api/v1/profiles/{id}/matrix → the field row: 1 incident in 42 device-days, exact interval, inconclusive", func() error {
		cm, t, err := cell()
		if err != nil {
			return err
		}
		tag = t
		f, _ := cm["field"].(map[string]any)
		if ci, _ := cm["ci"].([]any); len(ci) != 2 {
			return fmt.Errorf("ci %v", cm["ci"])
		}
		return each(has(cm, map[string]any{"verdict": "inconclusive", "n_units": 1}), has(f, map[string]any{"device_days": 42, "incidents": 1}))
	})
	c.check("an incident changes the matrix (new ETag, 2 incidents)", func() error {
		if e := c.do("POST", "/api/v1/trials/"+trial+"/incidents", strings.Replace(inc, "2026-03-20", "2026-03-21", 1)).is(201); e != nil {
			return e
		}
		cm, t, err := cell()
		if err != nil {
			return err
		}
		if t == tag {
			return fmt.Errorf("ETag %s unchanged after an incident", t)
		}
		f, _ := cm["field"].(map[string]any)
		return has(f, map[string]any{"incidents": 2})
	})
}
