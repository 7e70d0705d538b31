package models_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"ruggedlab/models"
)

// validHandset is the api.md §2 example.
func validHandset() map[string]any {
	return map[string]any{
		"code": "atlas-r1", "name": "Atlas R1", "manufacturer": "Atlas Mobile", "form_factor": "phone",
		"declared": map[string]any{
			"ip_code": "IP68", "immersion_depth_m": 1.5, "drop_height_m": 2.0,
			"operating_min_c": -20, "operating_max_c": 60, "battery_capacity_mah": 5000,
			"nominal_voltage_v": 3.87, "repairability_class": "B",
		},
	}
}

// handsetBody applies change to validHandset; keys "declared.x" change one
// declared value.
func handsetBody(change map[string]any) []byte {
	m := validHandset()
	declared := m["declared"].(map[string]any)
	for k, v := range change {
		dst, key := m, k
		if d, ok := strings.CutPrefix(k, "declared."); ok {
			dst, key = declared, d
		}
		if _, ok := v.(omitted); ok {
			delete(dst, key)
			continue
		}
		dst[key] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

func TestHandsetValid(t *testing.T) {
	h, err := models.DecodeHandset(handsetBody(nil))
	if err != nil {
		t.Fatalf("DecodeHandset: %v", err)
	}
	if err := h.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if h.Code != "atlas-r1" || h.Name != "Atlas R1" || h.FormFactor != "phone" || h.Declared.IPCode != "IP68" {
		t.Errorf("decoded %+v", h)
	}
	want := atlas
	want.FormFactor = "phone"
	if got := h.Facts(); got != want {
		t.Errorf("Facts() = %+v, want %+v", got, want)
	}
	if got := (models.Handset{}).Facts(); got != (models.HandsetFacts{}) {
		t.Errorf("Facts() of a handset without claims = %+v", got)
	}
}

func TestHandsetValidate(t *testing.T) {
	tests := []struct {
		name   string
		change map[string]any
		want   []string
		msgs   map[string]string
	}{
		{name: "code atlas-r1", change: map[string]any{"code": "atlas-r1"}},
		{name: "code two characters", change: map[string]any{"code": "a1"}},
		{name: "code starting with a digit", change: map[string]any{"code": "9x-rugged"}},
		{name: "code 32 characters", change: map[string]any{"code": strings.Repeat("a", 32)}},
		{name: "code Atlas R1", change: map[string]any{"code": "Atlas R1"},
			want: []string{"code"}, msgs: map[string]string{"code": "lowercase"}},
		{name: "code in capitals", change: map[string]any{"code": "ATLAS-R1"}, want: []string{"code"}},
		{name: "code with underscore", change: map[string]any{"code": "atlas_r1"}, want: []string{"code"}},
		{name: "code starting with a hyphen", change: map[string]any{"code": "-atlas"}, want: []string{"code"}},
		{name: "code one character", change: map[string]any{"code": "a"}, want: []string{"code"}},
		{name: "code 33 characters", change: map[string]any{"code": strings.Repeat("a", 33)}, want: []string{"code"}},
		{name: "code missing", change: map[string]any{"code": omit}, want: []string{"code"}},
		{name: "name missing", change: map[string]any{"name": omit}, want: []string{"name"}},
		{name: "name with a control character", change: map[string]any{"name": "Atlas\x1b R1"}, want: []string{"name"}},
		{name: "manufacturer missing", change: map[string]any{"manufacturer": ""}, want: []string{"manufacturer"}},
		{name: "tablet", change: map[string]any{"form_factor": "tablet"}},
		{name: "form factor phablet", change: map[string]any{"form_factor": "phablet"}, want: []string{"form_factor"}},
		{name: "form factor missing", change: map[string]any{"form_factor": omit}, want: []string{"form_factor"}},
		{name: "declared optional", change: map[string]any{"declared": omit}},
		{name: "declared null", change: map[string]any{"declared": nil}},
		{name: "declared empty", change: map[string]any{"declared": map[string]any{}}},
		{name: "declared dual IP code", change: map[string]any{"declared.ip_code": "IP65/IP68"}},
		{name: "declared triple IP code", change: map[string]any{"declared.ip_code": "IP65/IP67/IP69K"}},
		{name: "declared IPX8", change: map[string]any{"declared.ip_code": "IPX8"}},
		{name: "declared IP-68", change: map[string]any{"declared.ip_code": "IP-68"},
			want: []string{"declared.ip_code"}, msgs: map[string]string{"declared.ip_code": "not an IP code"}},
		{name: "declared IP 68", change: map[string]any{"declared.ip_code": "IP 68"}, want: []string{"declared.ip_code"}},
		{name: "declared IP78", change: map[string]any{"declared.ip_code": "IP78"}, want: []string{"declared.ip_code"}},
		{name: "declared dual code with a comma", change: map[string]any{"declared.ip_code": "IP65,IP68"}, want: []string{"declared.ip_code"}},
		{name: "declared dual code with a trailing slash", change: map[string]any{"declared.ip_code": "IP68/"}, want: []string{"declared.ip_code"}},
		{name: "declared dual code with spaces", change: map[string]any{"declared.ip_code": "IP65 / IP68"}, want: []string{"declared.ip_code"}},
		{name: "declared nominal voltage 5.0", change: map[string]any{"declared.nominal_voltage_v": 5.0},
			want: []string{"declared.nominal_voltage_v"}, msgs: map[string]string{"declared.nominal_voltage_v": "between 3 and 4.5"}},
		{name: "declared nominal voltage 2.9", change: map[string]any{"declared.nominal_voltage_v": 2.9}, want: []string{"declared.nominal_voltage_v"}},
		{name: "declared capacity 100 mAh", change: map[string]any{"declared.battery_capacity_mah": 100}, want: []string{"declared.battery_capacity_mah"}},
		{name: "declared capacity 30001 mAh", change: map[string]any{"declared.battery_capacity_mah": 30001}, want: []string{"declared.battery_capacity_mah"}},
		{name: "declared drop height in inches", change: map[string]any{"declared.drop_height_m": 48},
			want: []string{"declared.drop_height_m"}, msgs: map[string]string{"declared.drop_height_m": "centimetres or inches"}},
		{name: "declared negative immersion depth", change: map[string]any{"declared.immersion_depth_m": -1}, want: []string{"declared.immersion_depth_m"}},
		{name: "declared operating range reversed", change: map[string]any{"declared.operating_min_c": 60, "declared.operating_max_c": -20},
			want: []string{"declared.operating_max_c"}},
		{name: "declared operating minimum below -80", change: map[string]any{"declared.operating_min_c": -100}, want: []string{"declared.operating_min_c"}},
		{name: "declared repairability class F", change: map[string]any{"declared.repairability_class": "F"}, want: []string{"declared.repairability_class"}},
		{name: "every problem listed",
			change: map[string]any{"code": "Atlas R1", "name": omit, "declared.nominal_voltage_v": 5.0, "declared.ip_code": "IP-68"},
			want:   []string{"code", "name", "declared.nominal_voltage_v", "declared.ip_code"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := models.DecodeHandset(handsetBody(tc.change))
			if err != nil {
				t.Fatalf("DecodeHandset: %v", err)
			}
			err = h.Validate()
			wantFields(t, err, tc.want...)
			if err != nil && tc.msgs != nil {
				wantMessages(t, err, tc.msgs)
			}
		})
	}
}

func TestDecodeHandsetInvalid(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want []string
		msgs map[string]string
	}{
		{name: "unknown declared field", body: handsetBody(map[string]any{"declared.foo": 1}),
			want: []string{"declared.foo"}, msgs: map[string]string{"declared.foo": "unknown field"}},
		{name: "unknown field", body: handsetBody(map[string]any{"colour": "orange"}), want: []string{"colour"}},
		{name: "declared not an object", body: handsetBody(map[string]any{"declared": "IP68"}), want: []string{"declared"}},
		{name: "declared voltage as a string", body: handsetBody(map[string]any{"declared.nominal_voltage_v": "3.87"}),
			want: []string{"declared.nominal_voltage_v"}, msgs: map[string]string{"declared.nominal_voltage_v": "must be a number"}},
		{name: "code as a number", body: handsetBody(map[string]any{"code": 1}), want: []string{"code"}},
		{name: "record fields are not input", body: handsetBody(map[string]any{"id": "x", "unit_count": 3}),
			want: []string{"id", "unit_count"}},
		{name: "every problem listed",
			body: handsetBody(map[string]any{"declared.foo": 1, "declared.drop_height_m": "2 m", "name": 5, "colour": "orange"}),
			want: []string{"declared.foo", "declared.drop_height_m", "name", "colour"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := models.DecodeHandset(tc.body)
			wantFields(t, err, tc.want...)
			if err != nil && tc.msgs != nil {
				wantMessages(t, err, tc.msgs)
			}
		})
	}
}

func TestDecodeMalformedBodies(t *testing.T) {
	decoders := map[string]func([]byte) error{
		"handset": func(b []byte) error { _, err := models.DecodeHandset(b); return err },
		"unit":    func(b []byte) error { _, err := models.DecodeUnit(b); return err },
		"patch": func(b []byte) error {
			_, err := models.PatchHandset(models.Handset{Code: "atlas-r1"}, b)
			return err
		},
	}
	bodies := map[string]string{
		"JSON array":  `[{"code": "atlas-r1"}]`,
		"broken JSON": `{"code": "atlas-r1",}`,
		"empty body":  ``,
		"JSON null":   `null`,
		"JSON string": `"atlas-r1"`,
	}
	for dn, decode := range decoders {
		for bn, body := range bodies {
			t.Run(dn+"/"+bn, func(t *testing.T) {
				err := decode([]byte(body))
				if c := models.ErrorCode(err); c != models.Malformed {
					t.Errorf("code = %s, want %s (%v)", c, models.Malformed, err)
				}
				if err != nil && strings.Contains(err.Error(), "<nil>") {
					t.Errorf("message %q shows a nil error", err)
				}
			})
		}
	}
}

func TestPatchHandset(t *testing.T) {
	base, err := models.DecodeHandset(handsetBody(nil))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		patch string
		want  []string
		check func(h models.Handset) bool
	}{
		{name: "name", patch: `{"name": "Atlas R1 Pro"}`,
			check: func(h models.Handset) bool { return h.Name == "Atlas R1 Pro" && h.Manufacturer == "Atlas Mobile" }},
		{name: "one declared value keeps the others", patch: `{"declared": {"drop_height_m": 1.5}}`,
			check: func(h models.Handset) bool {
				return *h.Declared.DropHeightM == 1.5 && h.Declared.IPCode == "IP68" && *h.Declared.NominalVoltageV == 3.87
			}},
		{name: "null clears a declared value", patch: `{"declared": {"ip_code": null}}`,
			check: func(h models.Handset) bool { return h.Declared.IPCode == "" && h.Declared.DropHeightM != nil }},
		{name: "code cannot be patched", patch: `{"code": "atlas-r2"}`, want: []string{"code"}},
		{name: "form factor cannot be patched", patch: `{"form_factor": "tablet"}`, want: []string{"form_factor"}},
		{name: "unknown declared field", patch: `{"declared": {"foo": 1}}`, want: []string{"declared.foo"}},
		{name: "declared voltage as a string", patch: `{"declared": {"nominal_voltage_v": "5"}}`, want: []string{"declared.nominal_voltage_v"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := base
			before.Declared = cloneDeclared(base.Declared)
			h, err := models.PatchHandset(before, []byte(tc.patch))
			wantFields(t, err, tc.want...)
			if err == nil && tc.check != nil && !tc.check(h) {
				t.Errorf("patched handset = %+v (declared %+v)", h, h.Declared)
			}
		})
	}

	t.Run("patched value validated", func(t *testing.T) {
		h, err := models.PatchHandset(base, []byte(`{"declared": {"nominal_voltage_v": 5.0}}`))
		if err != nil {
			t.Fatal(err)
		}
		wantFields(t, h.Validate(), "declared.nominal_voltage_v")
	})
}

func cloneDeclared(d models.Declared) models.Declared {
	b, _ := json.Marshal(d)
	var out models.Declared
	_ = json.Unmarshal(b, &out)
	return out
}

func TestUnit(t *testing.T) {
	valid := map[string]any{"serial": "ATL-0001", "notes": "bought 2026-05\nboxed"}
	tests := []struct {
		name   string
		change map[string]any
		want   []string
	}{
		{name: "valid", change: nil},
		{name: "serial with dot, underscore and slash", change: map[string]any{"serial": "ATL.0001_b/2"}},
		{name: "serial of one character", change: map[string]any{"serial": "7"}},
		{name: "serial 64 characters", change: map[string]any{"serial": strings.Repeat("A", 64)}},
		{name: "notes optional", change: map[string]any{"notes": nil}},
		{name: "serial with a space", change: map[string]any{"serial": "ATL 0001"}, want: []string{"serial"}},
		{name: "serial with a trailing space", change: map[string]any{"serial": "ATL-0001 "}, want: []string{"serial"}},
		{name: "serial starting with a hyphen", change: map[string]any{"serial": "-ATL"}, want: []string{"serial"}},
		{name: "serial with a comma", change: map[string]any{"serial": "ATL,1"}, want: []string{"serial"}},
		{name: "serial 65 characters", change: map[string]any{"serial": strings.Repeat("A", 65)}, want: []string{"serial"}},
		{name: "serial missing", change: map[string]any{"serial": nil}, want: []string{"serial"}},
		{name: "notes with a control character", change: map[string]any{"notes": "a\x07"}, want: []string{"notes"}},
		{name: "notes too long", change: map[string]any{"notes": strings.Repeat("n", 4001)}, want: []string{"notes"}},
		{name: "every problem listed", change: map[string]any{"serial": "ATL 1", "notes": "\x00"}, want: []string{"serial", "notes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := maps.Clone(valid)
			maps.Copy(m, tc.change)
			b, _ := json.Marshal(m)
			u, err := models.DecodeUnit(b)
			if err != nil {
				t.Fatalf("DecodeUnit: %v", err)
			}
			wantFields(t, u.Validate(), tc.want...)
		})
	}

	decodeTests := []struct {
		name string
		body string
		want []string
	}{
		{name: "unknown field", body: `{"serial": "ATL-0001", "colour": "red"}`, want: []string{"colour"}},
		{name: "handset is taken from the URL", body: `{"serial": "ATL-0001", "handset": "atlas-r1"}`, want: []string{"handset"}},
		{name: "serial as a number", body: `{"serial": 1}`, want: []string{"serial"}},
	}
	for _, tc := range decodeTests {
		t.Run("decode/"+tc.name, func(t *testing.T) {
			_, err := models.DecodeUnit([]byte(tc.body))
			wantFields(t, err, tc.want...)
		})
	}
}
