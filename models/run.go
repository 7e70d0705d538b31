package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kind is one of the four test kinds.
type Kind string

// Test kinds.
const (
	Drop        Kind = "drop"
	Temperature Kind = "temperature"
	Ingress     Kind = "ingress"
	Battery     Kind = "battery"
	// Repair is one disassembly and reassembly of one priority part of one
	// unit (domain.md §5, reference/repairability.md).
	Repair Kind = "repair"
)

// Kinds lists the test kinds in the order pages show them.
var Kinds = []Kind{Drop, Temperature, Ingress, Battery, Repair}

// ParseKind checks a kind name.
func ParseKind(s string) (Kind, bool) {
	k := Kind(s)
	return k, slices.Contains(Kinds, k)
}

// Status of a run: retracted runs stay visible but leave the statistics.
type Status string

// Run statuses.
const (
	Active    Status = "active"
	Retracted Status = "retracted"
)

// DropLogEntry is one drop of a drop sequence.
type DropLogEntry struct {
	Seq         int    `json:"seq"`
	Orientation string `json:"orientation"`
	Severity    int    `json:"severity"`
}

// BatteryMetrics are derived from a battery run's discharge series.
type BatteryMetrics struct {
	EnergyWh     *float64 `json:"energy_wh"`
	TimeTo20PctH *float64 `json:"time_to_20pct_h"`
	MeanPowerW   *float64 `json:"mean_power_w"`
}

// Run is one test of one unit, at its latest revision. Kind-specific fields
// are nil (or "") for other kinds.
type Run struct {
	ID         string
	Kind       Kind
	Handset    string // handset code
	Unit       string // unit serial
	Method     string
	StartedAt  time.Time
	EndedAt    time.Time
	Technician string
	Deviations string
	Notes      string

	// drop
	HeightM          *float64
	Surface          string
	ProtectiveCase   *bool
	PlannedDrops     *int
	DropsCompleted   *int
	FirstFailureDrop *int
	WorstSeverity    *int
	Drops            []DropLogEntry

	// temperature
	Procedure        string
	SetpointC        *float64
	LowC             *float64
	HighC            *float64
	Cycles           *int
	DwellMin         *float64
	Passed           *bool
	ShutdownObserved *bool
	ShutdownTempC    *float64

	// ingress
	IPCode          string
	Medium          string
	DepthM          *float64
	DurationMin     *float64
	IngressFound    *bool
	FunctionalAfter *bool

	// battery
	Protocol       string
	RuntimeH       *float64
	StartSocPct    *float64
	EndSocPct      *float64
	BrightnessNits *float64
	AmbientC       *float64
	Metrics        *BatteryMetrics

	// repair (functional_after is shared with ingress: same meaning, the
	// unit works fully afterwards)
	Part             string
	DisassemblySteps *int
	Fasteners        string
	Tools            string
	DisassemblyS     *float64
	ReassemblyS      *float64
	PartReplaced     *bool

	// record keeping, never taken from a body
	Revision   int
	Status     Status
	HasSeries  bool
	RecordedBy string
	RecordedAt time.Time
	// Review of the latest revision (review.go); an amendment resets it.
	Review Review

	// Group, when set, makes this Run stand for a group of a unit's runs
	// that share every evidence column (store.Evidence reads per-unit
	// summaries, issue #18); never written or shown.
	Group *RunGroup
}

// Enumerations from api.md §3.
var (
	Surfaces    = []string{"steel_on_concrete", "concrete", "plywood_on_concrete", "plywood_on_steel", "tumbler", "other"}
	Procedures  = []string{"operation_cold", "operation_hot", "storage_cold", "storage_hot", "thermal_shock"}
	Media       = []string{"fresh", "deionised", "salt", "chlorinated", "dust", "other"}
	Protocols   = []string{"eu_eei_loop", "pcmark_work3", "web", "video_local", "video_stream", "talk", "standby", "custom"}
	Orientation = orientations()
)

func orientations() []string {
	var o []string
	for i := 1; i <= 6; i++ {
		o = append(o, fmt.Sprintf("face_%d", i))
	}
	for i := 1; i <= 12; i++ {
		o = append(o, fmt.Sprintf("edge_%d", i))
	}
	for i := 1; i <= 8; i++ {
		o = append(o, fmt.Sprintf("corner_%d", i))
	}
	return append(o, "random")
}

// envelopeFields are common to every kind. kind, handset and unit identify
// the run and are decoded like the rest so their errors are listed too.
var envelopeFields = []field[Run]{
	enum("kind", kindNames(), true, func(r *Run) *string { return (*string)(&r.Kind) }),
	text("handset", 32, true, func(r *Run) *string { return &r.Handset }),
	text("unit", 64, true, func(r *Run) *string { return &r.Unit }),
	text("method", 200, true, func(r *Run) *string { return &r.Method }),
	timestamp("started_at", func(r *Run) *time.Time { return &r.StartedAt }),
	timestamp("ended_at", func(r *Run) *time.Time { return &r.EndedAt }),
	text("technician", 120, false, func(r *Run) *string { return &r.Technician }),
	text("deviations", 4000, false, func(r *Run) *string { return &r.Deviations }),
	text("notes", 4000, false, func(r *Run) *string { return &r.Notes }),
}

func kindNames() []string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return s
}

var kindFields = map[Kind][]field[Run]{
	Drop: {
		num("height_m", "m", 0.01, 5.0, true, func(r *Run) **float64 { return &r.HeightM }),
		enum("surface", Surfaces, true, func(r *Run) *string { return &r.Surface }),
		boolean("protective_case", true, func(r *Run) **bool { return &r.ProtectiveCase }),
		integer("planned_drops", 1, 10000, true, func(r *Run) **int { return &r.PlannedDrops }),
		integer("drops_completed", 0, 10000, true, func(r *Run) **int { return &r.DropsCompleted }),
		integer("first_failure_drop", 1, 10000, false, func(r *Run) **int { return &r.FirstFailureDrop }),
		integer("worst_severity", 0, 6, true, func(r *Run) **int { return &r.WorstSeverity }),
		{FieldInfo: FieldInfo{Name: "drops", Type: Nested, Help: "optional per-drop log: seq, orientation, severity"}, nested: decodeDrops},
	},
	Temperature: {
		enum("procedure", Procedures, true, func(r *Run) *string { return &r.Procedure }),
		num("setpoint_c", "°C", -80, 150, false, func(r *Run) **float64 { return &r.SetpointC }),
		num("low_c", "°C", -80, 150, false, func(r *Run) **float64 { return &r.LowC }),
		num("high_c", "°C", -80, 150, false, func(r *Run) **float64 { return &r.HighC }),
		integer("cycles", 1, 1000, false, func(r *Run) **int { return &r.Cycles }),
		num("dwell_min", "min", 1, 10080, true, func(r *Run) **float64 { return &r.DwellMin }),
		boolean("passed", true, func(r *Run) **bool { return &r.Passed }),
		boolean("shutdown_observed", false, func(r *Run) **bool { return &r.ShutdownObserved }),
		num("shutdown_temp_c", "°C", -80, 150, false, func(r *Run) **float64 { return &r.ShutdownTempC }),
	},
	Ingress: {
		text("ip_code", 8, true, func(r *Run) *string { return &r.IPCode }),
		enum("medium", Media, true, func(r *Run) *string { return &r.Medium }),
		num("depth_m", "m", 0, 100, false, func(r *Run) **float64 { return &r.DepthM }),
		num("duration_min", "min", 0.1, 10080, false, func(r *Run) **float64 { return &r.DurationMin }),
		boolean("ingress_found", true, func(r *Run) **bool { return &r.IngressFound }),
		boolean("functional_after", true, func(r *Run) **bool { return &r.FunctionalAfter }),
	},
	Battery: {
		enum("protocol", Protocols, true, func(r *Run) *string { return &r.Protocol }),
		num("runtime_h", "h", 0, 2000, true, func(r *Run) **float64 { return &r.RuntimeH }),
		num("start_soc_pct", "%", 0, 100, true, func(r *Run) **float64 { return &r.StartSocPct }),
		num("end_soc_pct", "%", 0, 100, true, func(r *Run) **float64 { return &r.EndSocPct }),
		num("brightness_nits", "cd/m²", 0, 2500, false, func(r *Run) **float64 { return &r.BrightnessNits }),
		num("ambient_c", "°C", -40, 60, false, func(r *Run) **float64 { return &r.AmbientC }),
	},
	Repair: repairFields,
}

// RunFields describes the input fields of a kind, envelope first, for forms,
// CSV headers and the API description.
func RunFields(k Kind) []FieldInfo {
	var out []FieldInfo
	for _, f := range runFields(k) {
		out = append(out, f.FieldInfo)
	}
	return out
}

func runFields(k Kind) []field[Run] {
	return append(slices.Clone(envelopeFields), kindFields[k]...)
}

// CSVColumns are the columns a run import of kind k may carry: every field
// but kind (it comes from the URL) and the nested drop log.
func CSVColumns(k Kind) []string {
	var cols []string
	for _, f := range runFields(k) {
		if f.Name != "kind" && f.nested == nil {
			cols = append(cols, f.Name)
		}
	}
	return cols
}

// DecodeRun decodes a run body. It reports every unknown field and every
// wrongly typed value; a body that is not a JSON object is Malformed.
func DecodeRun(body []byte) (Run, error) {
	var r Run
	var probe struct {
		Kind json.RawMessage `json:"kind"`
	}
	if err := json.Unmarshal(body, &probe); err != nil || isNull(body) {
		return r, notAnObject(body, err)
	}
	var kind string
	_ = json.Unmarshal(probe.Kind, &kind)
	k, ok := ParseKind(kind)
	var errs FieldErrors
	fields := runFields(k)
	if !ok {
		// Without a valid kind only the envelope can be checked; kind
		// fields are not "unknown", they are unknowable.
		fields = envelopeFields
		if len(probe.Kind) == 0 {
			errs.Add("kind", "is required: one of %s", strings.Join(kindNames(), ", "))
		} else {
			errs.Add("kind", "must be one of %s", strings.Join(kindNames(), ", "))
		}
		decodeKnown(body, fields, &r, &errs)
		return r, errs.Err("the run is not valid")
	}
	if !decodeObject(body, "", fields, &r, &errs) {
		return r, Errorf(Malformed, "the body must be a JSON object")
	}
	return r, errs.Err("the run is not valid")
}

// decodeKnown decodes only the fields listed, ignoring others.
func decodeKnown(body []byte, fields []field[Run], r *Run, errs *FieldErrors) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return
	}
	for _, f := range fields {
		if raw, ok := obj[f.Name]; ok && f.nested == nil {
			if msg := setJSON(f, raw, f.ref(r)); msg != "" {
				errs.Add(f.Name, "%s", msg)
			}
		}
	}
}

// isNull reports whether body is the JSON literal null, which decodes into
// a struct without error but is no object.
func isNull(body []byte) bool { return string(bytes.TrimSpace(body)) == "null" }

func notAnObject(body []byte, err error) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return Errorf(Malformed, "the body must be a JSON object, not an array")
	}
	if isNull(body) {
		return Errorf(Malformed, "the body must be a JSON object, not null")
	}
	var se *json.SyntaxError
	if e, ok := err.(*json.SyntaxError); ok {
		se = e
		return Errorf(Malformed, "malformed JSON at byte %d: %s", se.Offset, se.Error())
	}
	return Errorf(Malformed, "the body must be a JSON object: %v", err)
}

func decodeDrops(raw json.RawMessage, path string, r *Run, errs *FieldErrors) {
	if string(bytes.TrimSpace(raw)) == "null" {
		r.Drops = nil
		return
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		errs.Add(path, "must be an array of {seq, orientation, severity}")
		return
	}
	r.Drops = make([]DropLogEntry, len(items))
	for i, item := range items {
		p := fmt.Sprintf("%s[%d]", path, i)
		var d dropEntryInput
		if !decodeObject(item, p, dropEntryFields, &d, errs) {
			errs.Add(p, "must be an object {seq, orientation, severity}")
			continue
		}
		checkFields(dropEntryFields, &d, p, errs)
		if d.Seq != nil {
			r.Drops[i].Seq = *d.Seq
		}
		if d.Severity != nil {
			r.Drops[i].Severity = *d.Severity
		}
		r.Drops[i].Orientation = d.Orientation
	}
}

type dropEntryInput struct {
	Seq         *int
	Orientation string
	Severity    *int
}

var dropEntryFields = []field[dropEntryInput]{
	integer("seq", 1, 10000, true, func(d *dropEntryInput) **int { return &d.Seq }),
	enum("orientation", Orientation, true, func(d *dropEntryInput) *string { return &d.Orientation }),
	integer("severity", 0, 6, true, func(d *dropEntryInput) **int { return &d.Severity }),
}
