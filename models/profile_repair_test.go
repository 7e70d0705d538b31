package models_test

import (
	"testing"

	"ruggedlab/models"
)

func TestDecodeRepairRequirements(t *testing.T) {
	req := func(body string) string {
		return `{"name": "n", "requirements": [{"key": "k", "kind": "repair", ` + body + `, "min_units": 3}]}`
	}
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"display ≤ 10 steps", `"where": {"part": ["display"]}, "unit_passes_if": {"max_disassembly_steps": 10, "max_repair_s": 1800}, "decision": {"rule": "all_units"}`, nil},
		{"functional after", `"unit_passes_if": {"functional_after": true}, "decision": {"rule": "all_units"}`, nil},
		{"class at least B", `"unit_passes_if": {"repairability_class_at_least": "B"}, "decision": {"rule": "all_units"}`, nil},
		{"unknown class", `"unit_passes_if": {"repairability_class_at_least": "F"}, "decision": {"rule": "all_units"}`,
			[]string{"requirements[0].unit_passes_if.repairability_class_at_least"}},
		{"unknown part", `"where": {"part": ["sim_tray"]}, "unit_passes_if": {"functional_after": true}, "decision": {"rule": "all_units"}`,
			[]string{"requirements[0].where.part[0]"}},
		{"requires nothing", `"where": {"part": ["display"]}, "decision": {"rule": "all_units"}`, []string{"requirements[0].unit_passes_if"}},
		{"class with a part", `"where": {"part": ["display"]}, "unit_passes_if": {"repairability_class_at_least": "B"}, "decision": {"rule": "all_units"}`,
			[]string{"requirements[0].where.part"}},
		{"class with lower_bound", `"unit_passes_if": {"repairability_class_at_least": "B"}, "decision": {"rule": "lower_bound", "target": 0.5}`,
			[]string{"requirements[0].decision.rule"}},
		{"class mixed with steps", `"unit_passes_if": {"repairability_class_at_least": "B", "max_disassembly_steps": 3}, "decision": {"rule": "all_units"}`,
			[]string{"requirements[0].unit_passes_if.repairability_class_at_least"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := models.DecodeProfile([]byte(req(tc.body)))
			if err == nil {
				err = p.Validate()
			}
			wantFields(t, err, tc.want...)
		})
	}
}
