package series

import "math"

// Kind is the kind of run a series belongs to; it decides the columns.
type Kind string

// The kinds of run that carry a series (api.md §11 "Series": other kinds
// have none).
const (
	Battery     Kind = "battery"
	Temperature Kind = "temperature"
)

// TimeColumn is the one column every series has: seconds from the start of
// the run, decimals allowed.
const TimeColumn = "t_s"

// colSpec is what the checks need to know about one column. Bounds are
// inclusive and in the column's own unit.
type colSpec struct {
	name     string
	min, max float64
	unit     string // shown in messages after a number, e.g. "4.8 V"
}

// specs lists a kind's columns in canonical order, t_s first; nil for an
// unknown kind. It builds a fresh slice each call so that no caller can
// change the table for another.
//
// Ranges: t_s has no upper bound (a run's length is checked on the run,
// domain.md §8(c) rule 9); voltage_v is per cell (rule 10); temp_c is a
// battery temperature, which a handset shuts down long before −40 or 80 °C;
// current_ma ±20 A is far beyond any handset and only catches unit mistakes
// (A vs mA); chamber temperatures follow the set-point limits of rule 2.
func specs(kind Kind) []colSpec {
	switch kind {
	case Battery:
		return []colSpec{
			{name: TimeColumn, min: 0, max: math.MaxFloat64, unit: "s"},
			{name: "soc_pct", min: 0, max: 100, unit: "%"},
			{name: "voltage_v", min: 2.5, max: 4.6, unit: "V"},
			{name: "current_ma", min: -20000, max: 20000, unit: "mA"},
			{name: "temp_c", min: -40, max: 80, unit: "°C"},
		}
	case Temperature:
		return []colSpec{
			{name: TimeColumn, min: 0, max: math.MaxFloat64, unit: "s"},
			{name: "setpoint_c", min: -80, max: 150, unit: "°C"},
			{name: "air_c", min: -80, max: 150, unit: "°C"},
			{name: "device_c", min: -80, max: 150, unit: "°C"},
		}
	}
	return nil
}

// Columns returns the columns allowed for kind in canonical order (t_s
// first), or nil for an unknown kind. Frames list their columns in this
// order whatever order the input had.
func Columns(kind Kind) []string {
	sp := specs(kind)
	if sp == nil {
		return nil
	}
	names := make([]string, len(sp))
	for i, s := range sp {
		names[i] = s.name
	}
	return names
}

// MainColumn is the column a chart of this kind plots and Reduce keeps the
// shape of: the state of charge of a discharge curve, the air temperature
// of a chamber log. "" for an unknown kind.
func MainColumn(kind Kind) string {
	switch kind {
	case Battery:
		return "soc_pct"
	case Temperature:
		return "air_c"
	}
	return ""
}

// Valid reports whether k is a kind that carries a series.
func (k Kind) Valid() bool { return specs(k) != nil }
