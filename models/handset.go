package models

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"
)

var (
	codePattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)
	serialPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)
	// Declared IP ratings may be dual-marked, e.g. IP65/IP68 (IEC 60529:
	// IPX7/8 do not imply IPX5/6).
	declaredIPPattern = regexp.MustCompile(`^IP[0-6X][0-9X]K?(/IP[0-6X][0-9X]K?)*$`)
)

// FormFactors a handset may have; tablets have their own EU label classes.
var FormFactors = []string{"phone", "tablet"}

// Declared holds the manufacturer's claims, all optional, shown beside what
// the lab measured.
type Declared struct {
	IPCode             string   `json:"ip_code,omitempty"`
	ImmersionDepthM    *float64 `json:"immersion_depth_m,omitempty"`
	DropHeightM        *float64 `json:"drop_height_m,omitempty"`
	OperatingMinC      *float64 `json:"operating_min_c,omitempty"`
	OperatingMaxC      *float64 `json:"operating_max_c,omitempty"`
	BatteryCapacityMAh *float64 `json:"battery_capacity_mah,omitempty"`
	NominalVoltageV    *float64 `json:"nominal_voltage_v,omitempty"`
	RepairabilityClass string   `json:"repairability_class,omitempty"`

	// Support parameters of the repairability index (2023/1669 Annex IV
	// point 5: SSP, SSU, SRI): commitments only the supplier can make, used
	// as declared, with where the declaration was read.
	SparePartsAccess    string `json:"spare_parts_access,omitempty"`
	SparePartsYears     *int   `json:"spare_parts_years,omitempty"`
	SoftwareUpdateYears *int   `json:"software_update_years,omitempty"`
	RepairInfoAccess    string `json:"repair_info_access,omitempty"`
	SupportSource       string `json:"support_source,omitempty"`
}

// Handset is a candidate product in the tender.
type Handset struct {
	ID           string    `json:"id"`
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	Manufacturer string    `json:"manufacturer"`
	FormFactor   string    `json:"form_factor"`
	Declared     Declared  `json:"declared"`
	RecordedBy   string    `json:"recorded_by"`
	RecordedAt   time.Time `json:"recorded_at"`
	UnitCount    int       `json:"unit_count"`
}

// Facts returns the declared values run rules need.
func (h Handset) Facts() HandsetFacts {
	f := HandsetFacts{FormFactor: h.FormFactor}
	if h.Declared.BatteryCapacityMAh != nil {
		f.BatteryCapacityMAh = *h.Declared.BatteryCapacityMAh
	}
	if h.Declared.NominalVoltageV != nil {
		f.NominalVoltageV = *h.Declared.NominalVoltageV
	}
	return f
}

var declaredFields = []field[Declared]{
	text("ip_code", 40, false, func(d *Declared) *string { return &d.IPCode }),
	num("immersion_depth_m", "m", 0, 100, false, func(d *Declared) **float64 { return &d.ImmersionDepthM }),
	num("drop_height_m", "m", 0.01, 5, false, func(d *Declared) **float64 { return &d.DropHeightM }),
	num("operating_min_c", "°C", -80, 150, false, func(d *Declared) **float64 { return &d.OperatingMinC }),
	num("operating_max_c", "°C", -80, 150, false, func(d *Declared) **float64 { return &d.OperatingMaxC }),
	num("battery_capacity_mah", "mAh", 500, 30000, false, func(d *Declared) **float64 { return &d.BatteryCapacityMAh }),
	num("nominal_voltage_v", "V", 3.0, 4.5, false, func(d *Declared) **float64 { return &d.NominalVoltageV }),
	enum("repairability_class", []string{"A", "B", "C", "D", "E"}, false, func(d *Declared) *string { return &d.RepairabilityClass }),
	enum("spare_parts_access", SupportAccess, false, func(d *Declared) *string { return &d.SparePartsAccess }),
	integer("spare_parts_years", 0, 30, false, func(d *Declared) **int { return &d.SparePartsYears }),
	integer("software_update_years", 0, 30, false, func(d *Declared) **int { return &d.SoftwareUpdateYears }),
	enum("repair_info_access", SupportAccess, false, func(d *Declared) *string { return &d.RepairInfoAccess }),
	text("support_source", 300, false, func(d *Declared) *string { return &d.SupportSource }),
}

var handsetFields = []field[Handset]{
	text("code", 32, true, func(h *Handset) *string { return &h.Code }),
	text("name", 120, true, func(h *Handset) *string { return &h.Name }),
	text("manufacturer", 120, true, func(h *Handset) *string { return &h.Manufacturer }),
	enum("form_factor", FormFactors, true, func(h *Handset) *string { return &h.FormFactor }),
	{FieldInfo: FieldInfo{Name: "declared", Type: Nested}, nested: func(raw json.RawMessage, path string, h *Handset, errs *FieldErrors) {
		if strings.TrimSpace(string(raw)) == "null" {
			h.Declared = Declared{}
			return
		}
		if !decodeObject(raw, path, declaredFields, &h.Declared, errs) {
			errs.Add(path, "must be an object")
		}
	}},
}

// DecodeHandset decodes a handset body, listing every problem.
func DecodeHandset(body []byte) (Handset, error) {
	var h Handset
	var errs FieldErrors
	if !decodeObject(body, "", handsetFields, &h, &errs) {
		return h, notAnObject(body, json.Unmarshal(body, &map[string]any{}))
	}
	if len(errs) > 0 {
		// One answer for types and rules alike (issue #16): the rules of
		// the fields that could be read come with the type errors.
		if err := h.Validate(); err != nil {
			errs = errs.Merge(fieldsOf(err))
		}
	}
	return h, errs.Err("the handset is not valid")
}

// PatchHandset applies a PATCH body (name, manufacturer, declared) to h.
func PatchHandset(h Handset, body []byte) (Handset, error) {
	var errs FieldErrors
	var patchable []field[Handset]
	for _, f := range handsetFields {
		if f.Name != "code" && f.Name != "form_factor" {
			patchable = append(patchable, f)
		}
	}
	if !decodeObject(body, "", patchable, &h, &errs) {
		return h, notAnObject(body, json.Unmarshal(body, &map[string]any{}))
	}
	return h, errs.Err("the change is not valid")
}

// Validate checks a handset's fields and declared values.
func (h *Handset) Validate() error {
	var errs FieldErrors
	checkFields(handsetFields, h, "", &errs)
	checkFields(declaredFields, &h.Declared, "declared", &errs)
	if h.Code != "" && !errs.Has("code") && !codePattern.MatchString(h.Code) {
		errs.Add("code", "%q must be 2–32 lowercase letters, digits or hyphens, starting with a letter or digit (e.g. atlas-r1)", h.Code)
	}
	d := h.Declared
	if d.IPCode != "" && !errs.Has("declared.ip_code") && !declaredIPPattern.MatchString(d.IPCode) {
		errs.Add("declared.ip_code", "%q is not an IP code such as IP68 or IP65/IP68", d.IPCode)
	}
	if d.OperatingMinC != nil && d.OperatingMaxC != nil && *d.OperatingMinC >= *d.OperatingMaxC && !errs.Has("declared.operating_max_c") {
		errs.Add("declared.operating_max_c", "must be above operating_min_c")
	}
	return errs.Err("the handset is not valid")
}

// Unit is one physical handset, identified by its serial within its model.
type Unit struct {
	ID         string    `json:"id"`
	Handset    string    `json:"handset"`
	Serial     string    `json:"serial"`
	Notes      string    `json:"notes"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
	Runs       []Run     `json:"runs,omitempty"`
}

var unitFields = []field[Unit]{
	text("serial", 64, true, func(u *Unit) *string { return &u.Serial }),
	text("notes", 4000, false, func(u *Unit) *string { return &u.Notes }),
}

// UnitColumns are the columns of a units CSV import.
var UnitColumns = []string{"handset", "serial", "notes"}

// DecodeUnit decodes a unit body.
func DecodeUnit(body []byte) (Unit, error) {
	var u Unit
	var errs FieldErrors
	if !decodeObject(body, "", unitFields, &u, &errs) {
		return u, notAnObject(body, json.Unmarshal(body, &map[string]any{}))
	}
	return u, errs.Err("the unit is not valid")
}

// Validate checks a unit's serial and notes.
func (u *Unit) Validate() error {
	var errs FieldErrors
	checkFields(unitFields, u, "", &errs)
	if u.Serial != "" && !errs.Has("serial") && !serialPattern.MatchString(u.Serial) {
		errs.Add("serial", "%q must be 1–64 letters, digits, '.', '_', '/' or '-', starting with a letter or digit", u.Serial)
	}
	return errs.Err("the unit is not valid")
}
