package main

import (
	"encoding/json"
	"fmt"
	"slices"
)

// repair checks the fifth run kind (issue #11): a repair run is recorded
// and listed by kind, its bad inputs are refused naming the field with
// nothing written, and the handset shows measured.repairability with a null
// class while priority parts have no run.
func (c *checker) repair() {
	body := func(changes map[string]any) string {
		m := map[string]any{"method": "2023/1669 Annex IV point 5", "part": "display", "disassembly_steps": 14,
			"fasteners": "resupplied", "tools": "proprietary", "disassembly_s": 1250, "reassembly_s": 1100,
			"part_replaced": true, "functional_after": true}
		for k, v := range changes {
			m[k] = v
		}
		return c.runBody("repair", "CHK-0001", 40, m)
	}
	var id string
	c.check("POST /api/v1/runs (repair) → 201, revision 1, active", func() error {
		a := c.do("POST", "/api/v1/runs", body(nil))
		m, err := a.object()
		if err == nil {
			id = fmt.Sprint(m["id"])
		}
		return each(a.is(201), err, has(m, map[string]any{"kind": "repair", "part": "display", "disassembly_steps": 14,
			"tools": "proprietary", "functional_after": true, "revision": 1, "status": "active"}))
	})
	c.check("GET /api/v1/runs?handset=&kind=repair → only the repair run", func() error {
		got, err := c.runIDs("&kind=repair")
		if err == nil && !slices.Equal(got, []string{id}) {
			err = fmt.Errorf("got %q, want [%s]", got, id)
		}
		return err
	})
	refusals := []struct {
		what    string
		changes map[string]any
		field   string
	}{
		{"disassembly_steps 0", map[string]any{"disassembly_steps": 0}, "disassembly_steps"},
		{"disassembly_steps 2.5", map[string]any{"disassembly_steps": 2.5}, "disassembly_steps"},
		{"a negative disassembly_s", map[string]any{"disassembly_s": -1}, "disassembly_s"},
		{"reassembly_s over 24 h", map[string]any{"reassembly_s": 90000}, "reassembly_s"},
		{"an unknown part", map[string]any{"part": "sim_tray"}, "part"},
		{"an unknown tool class", map[string]any{"tools": "hammer"}, "tools"},
		{"an unknown fastener class", map[string]any{"fasteners": "glue"}, "fasteners"},
		{"hinge on a handset that is not foldable", map[string]any{"part": "hinge"}, "part"},
		{"functional_after missing", map[string]any{"functional_after": nil}, "functional_after"},
	}
	for _, r := range refusals {
		c.check("POST /api/v1/runs (repair) with "+r.what+" → 422 naming "+r.field+", nothing written", func() error {
			return c.unchanged(func() error { return c.do("POST", "/api/v1/runs", body(r.changes)).is(422, r.field) })
		})
	}
	// The CSV import of the same run: its columns are the JSON body's fields.
	header := "handset,unit,started_at,ended_at,technician,method,part,disassembly_steps,fasteners,tools,disassembly_s,reassembly_s,part_replaced,functional_after"
	row := func(steps string) string {
		return c.code + ",CHK-0001," + c.at(41) + "," + c.at(42) + ",apicheck,2023/1669 Annex IV point 5,battery," + steps + ",reusable,basic,600,500,true,true"
	}
	c.check("POST /api/v1/imports/repair?dry_run=true → 200 {dry_run: true, rows: 2}, nothing written", func() error {
		return c.unchanged(func() error {
			a := c.do("POST", "/api/v1/imports/repair?dry_run=true", header+"\n"+row("4")+"\n"+row("5")+"\n", "Content-Type", "text/csv")
			m, err := a.object()
			return each(a.is(200), err, has(m, map[string]any{"dry_run": true, "rows": 2}))
		})
	})
	c.check("POST /api/v1/imports/repair with disassembly_steps 0 on row 3 → 422 naming row 3 and the column, nothing written", func() error {
		return c.unchanged(func() error {
			a := c.do("POST", "/api/v1/imports/repair", header+"\n"+row("4")+"\n"+row("0")+"\n", "Content-Type", "text/csv")
			if err := a.is(422, ""); err != nil { // CSV errors name a row and column, not a field
				return err
			}
			var p struct {
				Errors []struct {
					Row    int    `json:"row"`
					Column string `json:"column"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(a.body, &p); err != nil || len(p.Errors) != 1 || p.Errors[0].Row != 3 || p.Errors[0].Column != "disassembly_steps" {
				return fmt.Errorf("want one error at row 3, column disassembly_steps: %s", clip(a.body))
			}
			return nil
		})
	})
	c.check("GET /api/v1/handsets/{code} → measured.repairability, class null, missing_parts named", func() error {
		a := c.do("GET", "/api/v1/handsets/"+c.code, "")
		m, err := a.object()
		if e := each(a.is(200), err); e != nil {
			return e
		}
		measured, _ := m["measured"].(map[string]any)
		rep, ok := measured["repairability"].(map[string]any)
		if !ok {
			return fmt.Errorf("measured.repairability missing: %s", clip(a.body))
		}
		for _, k := range []string{"index", "class", "declared_class", "parts", "missing_parts", "note"} {
			if _, ok := rep[k]; !ok {
				return fmt.Errorf("measured.repairability has no %q", k)
			}
		}
		missing, _ := rep["missing_parts"].([]any)
		parts, _ := rep["parts"].([]any)
		if rep["class"] != nil || rep["index"] != nil || !slices.Contains(missing, any("battery")) || slices.Contains(missing, any("display")) || len(parts) != 1 {
			return fmt.Errorf("class %v index %v missing %v parts %d", rep["class"], rep["index"], missing, len(parts))
		}
		return nil
	})
}
