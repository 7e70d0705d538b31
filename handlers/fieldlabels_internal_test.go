package handlers

import (
	"testing"

	"ruggedlab/i18n"
	"ruggedlab/models"
)

// Every field a form can show has a label of its own, and every label a
// French text.
func TestFieldLabelsCoverFieldsInBothLanguages(t *testing.T) {
	cat := i18n.MustLoad()
	names := map[string]bool{}
	for _, k := range models.Kinds {
		for _, fi := range models.RunFields(k) {
			names[fi.Name] = true
		}
	}
	for _, fi := range models.HandsetFields() {
		names[fi.Name] = true
	}
	for name := range names {
		if _, ok := fieldLabels[name]; !ok {
			t.Errorf("field %s has no label", name)
		}
	}
	for name, l := range fieldLabels {
		if !cat.Has(l) {
			t.Errorf("label %q of %s has no French text", l, name)
		}
	}
}

func TestFieldLabelsReplaceNamesInMessages(t *testing.T) {
	fr := i18n.MustLoad().Printer(i18n.FR)
	for _, tc := range []struct {
		p        *i18n.Printer
		in, want string
	}{
		{nil, "must be below start_soc_pct (80 %)", "must be below Charge at start (%) (80 %)"},
		{nil, "must not be before started_at", "must not be before Started"},
		{fr, "must not be before started_at", "must not be before Début"},
		{nil, "declared.drop_height_m is 2", "Declared drop height (m) is 2"},
		{nil, "the unit and the part stay", "the unit and the part stay"},
	} {
		if got := withLabels(tc.p, tc.in); got != tc.want {
			t.Errorf("withLabels(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := fieldLabel("height_m"); got != "Drop height (m)" {
		t.Errorf("fieldLabel(height_m) = %q", got)
	}
	if got := fieldLabelIn(fr, "declared.battery_capacity_mah"); got != "Capacité de batterie déclarée (mAh)" {
		t.Errorf("French label = %q", got)
	}
}
