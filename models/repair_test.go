package models_test

import (
	"testing"

	"ruggedlab/models"
)

// The bad inputs of issue #11, each naming its field.
func TestValidateRepair(t *testing.T) {
	phone := models.HandsetFacts{FormFactor: "phone"}
	runRuleCases(t, models.Repair, []ruleCase{
		{name: "valid"},
		{name: "steps 1", change: map[string]any{"disassembly_steps": 1}},
		{name: "steps 0", change: map[string]any{"disassembly_steps": 0}, want: []string{"disassembly_steps"}},
		{name: "steps missing", change: map[string]any{"disassembly_steps": omit}, want: []string{"disassembly_steps"}},
		{name: "negative disassembly time", change: map[string]any{"disassembly_s": -5}, want: []string{"disassembly_s"}},
		{name: "reassembly over 24 h", change: map[string]any{"reassembly_s": 86401}, want: []string{"reassembly_s"}},
		{name: "24 h exactly", change: map[string]any{"reassembly_s": 86400}},
		{name: "unknown part", change: map[string]any{"part": "sim_tray"}, want: []string{"part"}},
		{name: "unknown tool", change: map[string]any{"tools": "hammer"}, want: []string{"tools"}},
		{name: "unknown fastener", change: map[string]any{"fasteners": "glue"}, want: []string{"fasteners"}},
		{name: "functional_after missing", change: map[string]any{"functional_after": omit}, want: []string{"functional_after"}},
		{name: "part_replaced optional", change: map[string]any{"part_replaced": omit}},
		{name: "hinge on a phone", change: map[string]any{"part": "hinge"}, facts: phone, want: []string{"part"},
			msgs: map[string]string{"part": "form factor is phone"}},
		{name: "hinge, form factor unknown", change: map[string]any{"part": "hinge"}, want: []string{"part"}},
	})
}

func TestDecodeRepairFractionalSteps(t *testing.T) {
	_, err := models.DecodeRun([]byte(`{"kind":"repair","disassembly_steps":2.5}`))
	wantFields(t, err, "disassembly_steps")
}
