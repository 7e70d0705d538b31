package handlers

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"ruggedlab/i18n"
)

// fieldLabels are the names people read for the API's field names (issue
// #16 item 1): what a lab sheet would print, with the unit in brackets,
// for forms, their error messages and the run pages. The English label is
// the key of its French text in i18n/fr.json. Field names stay the API's,
// CSV's and JSON's; only what people read changes.
//
// One table for every page: a run page, a form and an error message name
// a field the same way.
var fieldLabels = map[string]string{
	// Every run.
	"kind":       "Test",
	"handset":    "Handset",
	"unit":       "Unit",
	"method":     "Method",
	"started_at": "Started",
	"ended_at":   "Ended",
	"technician": "Technician",
	"deviations": "Deviations from the method",
	"notes":      "Notes",
	"reason":     "Reason",
	"revision":   "Revision",
	// Record keeping, on a run page.
	"status":      "Status",
	"has_series":  "Series recorded",
	"recorded_by": "Recorded by",
	"recorded_at": "Recorded at",
	// Drop.
	"height_m":           "Drop height (m)",
	"surface":            "Surface",
	"protective_case":    "Protective case",
	"planned_drops":      "Planned drops",
	"drops_completed":    "Drops completed",
	"first_failure_drop": "First failing drop",
	"worst_severity":     "Worst severity (0–6)",
	"drops":              "Drop log",
	// Temperature.
	"procedure":         "Procedure",
	"setpoint_c":        "Setpoint (°C)",
	"low_c":             "Low temperature (°C)",
	"high_c":            "High temperature (°C)",
	"cycles":            "Cycles",
	"dwell_min":         "Dwell (min)",
	"passed":            "Passed",
	"shutdown_observed": "Shutdown observed",
	"shutdown_temp_c":   "Shutdown temperature (°C)",
	// Ingress.
	"ip_code":          "IP code",
	"medium":           "Medium",
	"depth_m":          "Immersion depth (m)",
	"duration_min":     "Duration (min)",
	"ingress_found":    "Ingress found",
	"functional_after": "Works afterwards",
	// Battery.
	"protocol":        "Protocol",
	"runtime_h":       "Runtime (h)",
	"start_soc_pct":   "Charge at start (%)",
	"end_soc_pct":     "Charge at end (%)",
	"brightness_nits": "Screen brightness (cd/m²)",
	"ambient_c":       "Ambient temperature (°C)",
	"metrics":         "Metrics",
	// Battery metrics, derived from the series (BatteryMetrics).
	"energy_wh":       "Energy delivered (Wh)",
	"time_to_20pct_h": "Time until charge ≤ 20 % (h)",
	"mean_power_w":    "Mean power (W)",
	// Repair.
	"part":              "Part",
	"disassembly_steps": "Disassembly steps",
	"fasteners":         "Fasteners",
	"tools":             "Tools",
	"disassembly_s":     "Disassembly time (s)",
	"reassembly_s":      "Reassembly time (s)",
	"part_replaced":     "Part replaced",
	// Handsets and units.
	"code":                           "Code",
	"name":                           "Name",
	"manufacturer":                   "Manufacturer",
	"form_factor":                    "Form factor",
	"serial":                         "Serial number",
	"serials":                        "Serial numbers",
	"declared.ip_code":               "Declared IP code",
	"declared.immersion_depth_m":     "Declared immersion depth (m)",
	"declared.drop_height_m":         "Declared drop height (m)",
	"declared.operating_min_c":       "Declared lowest operating temperature (°C)",
	"declared.operating_max_c":       "Declared highest operating temperature (°C)",
	"declared.battery_capacity_mah":  "Declared battery capacity (mAh)",
	"declared.nominal_voltage_v":     "Declared nominal voltage (V)",
	"declared.repairability_class":   "Declared repairability class",
	"declared.spare_parts_access":    "Spare parts access",
	"declared.spare_parts_years":     "Spare parts availability (years)",
	"declared.software_update_years": "Software updates (years)",
	"declared.repair_info_access":    "Repair information access",
	"declared.support_source":        "Source of the support declarations",
}

// fieldLabel is the English label of a field name ("height_m" → "Drop
// height (m)"); a name missing from the table gets label's spelling of it.
func fieldLabel(name string) string {
	if l, ok := fieldLabels[name]; ok {
		return l
	}
	return label(name)
}

// fieldLabelIn is fieldLabel in p's language (English when p is nil).
func fieldLabelIn(p *i18n.Printer, name string) string {
	l := fieldLabel(name)
	if p == nil {
		return l
	}
	if _, ok := fieldLabels[name]; !ok {
		return l // not in the catalogue either
	}
	return p.Text(l)
}

// fieldNames matches the field names of the table as whole words in a
// message ("must be below start_soc_pct (80 %)"); only names holding an
// underscore or a dot, so that ordinary words ("unit", "part") are left.
var fieldNames = func() *regexp.Regexp {
	var alts []string
	for name := range fieldLabels {
		if strings.ContainsAny(name, "_.") {
			alts = append(alts, regexp.QuoteMeta(name))
		}
	}
	// Longer names first, so declared.drop_height_m wins over drop_height_m.
	slices.SortFunc(alts, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return regexp.MustCompile(`\b(?:` + strings.Join(alts, "|") + `)\b`)
}()

// withLabels replaces the field names a message quotes by their labels in
// p's language: "must be below start_soc_pct" → "must be below Charge at
// start (%)".
func withLabels(p *i18n.Printer, msg string) string {
	return fieldNames.ReplaceAllStringFunc(msg, func(name string) string { return fieldLabelIn(p, name) })
}
