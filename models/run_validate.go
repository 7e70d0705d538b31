package models

import (
	"fmt"
	"regexp"
	"time"
)

// FutureTolerance is how far ahead of the server clock a timestamp may be
// before it counts as "in the future" (clock skew between rig PCs).
const FutureTolerance = 5 * time.Minute

var ipCodePattern = regexp.MustCompile(`^IP[0-6X][0-9X]K?$`)

// HandsetFacts are the declared values that some run rules need (implied
// battery power). Zero values mean "not declared": those rules are skipped.
type HandsetFacts struct {
	BatteryCapacityMAh float64
	NominalVoltageV    float64
	// FormFactor is the handset's form factor ("" when unknown): a hinge
	// can only be repaired on a foldable.
	FormFactor string
}

// Validate checks every rule of api.md §3 and the physical sanity rules of
// domain.md §8(c) that apply to the run's fields. It returns an *Error with
// every problem, or nil.
func (r *Run) Validate(now time.Time, facts HandsetFacts) error {
	var errs FieldErrors
	r.check(now, facts, &errs)
	return errs.Err("the run is not valid")
}

func (r *Run) check(now time.Time, facts HandsetFacts, errs *FieldErrors) {
	k, ok := ParseKind(string(r.Kind))
	fields := runFields(k)
	if !ok {
		fields = envelopeFields
	}
	checkFields(fields, r, "", errs)
	if !r.StartedAt.IsZero() && !r.EndedAt.IsZero() && r.EndedAt.Before(r.StartedAt) && !errs.Has("ended_at") {
		errs.Add("ended_at", "must not be before started_at")
	}
	limit := now.Add(FutureTolerance)
	if r.StartedAt.After(limit) && !errs.Has("started_at") {
		errs.Add("started_at", "is in the future (%s)", r.StartedAt.Format(time.RFC3339))
	}
	if r.EndedAt.After(limit) && !errs.Has("ended_at") {
		errs.Add("ended_at", "is in the future (%s)", r.EndedAt.Format(time.RFC3339))
	}
	switch k {
	case Drop:
		r.checkDrop(errs)
	case Temperature:
		r.checkTemperature(errs)
	case Ingress:
		r.checkIngress(errs)
	case Battery:
		r.checkBattery(facts, errs)
	case Repair:
		r.checkRepair(facts, errs)
	}
}

func (r *Run) checkDrop(errs *FieldErrors) {
	if r.PlannedDrops != nil && r.DropsCompleted != nil && *r.DropsCompleted > *r.PlannedDrops && !errs.Has("drops_completed") {
		errs.Add("drops_completed", "is %d, more than planned_drops (%d)", *r.DropsCompleted, *r.PlannedDrops)
	}
	if r.FirstFailureDrop != nil && r.DropsCompleted != nil && *r.FirstFailureDrop > *r.DropsCompleted && !errs.Has("first_failure_drop") {
		errs.Add("first_failure_drop", "is drop %d, after the last completed drop (%d)", *r.FirstFailureDrop, *r.DropsCompleted)
	}
	if len(r.Drops) == 0 {
		return
	}
	worst := 0
	for i, d := range r.Drops {
		if d.Seq != i+1 && !errs.Has(fmt.Sprintf("drops[%d].seq", i)) {
			errs.Add(fmt.Sprintf("drops[%d].seq", i), "must be %d: the log numbers drops 1, 2, 3… without gaps", i+1)
		}
		worst = max(worst, d.Severity)
	}
	if r.DropsCompleted != nil && len(r.Drops) != *r.DropsCompleted {
		errs.Add("drops", "logs %d drops but drops_completed is %d", len(r.Drops), *r.DropsCompleted)
	}
	if r.WorstSeverity != nil && worst != *r.WorstSeverity && !errs.Has("worst_severity") {
		errs.Add("worst_severity", "is %d but the worst severity in the drop log is %d", *r.WorstSeverity, worst)
	}
}

func (r *Run) checkTemperature(errs *FieldErrors) {
	// A slice, not a map: problems must come in the same order every time.
	shockFields := []struct {
		name  string
		value any
	}{{"low_c", r.LowC}, {"high_c", r.HighC}, {"cycles", r.Cycles}}
	if r.Procedure == "thermal_shock" {
		for _, f := range shockFields {
			if isNil(f.value) && !errs.Has(f.name) {
				errs.Add(f.name, "is required for thermal_shock")
			}
		}
		if r.SetpointC != nil {
			errs.Add("setpoint_c", "does not apply to thermal_shock: give low_c and high_c")
		}
		if r.LowC != nil && r.HighC != nil && *r.LowC >= *r.HighC && !errs.Has("high_c") {
			errs.Add("high_c", "must be above low_c (%g °C)", *r.LowC)
		}
	} else if r.Procedure != "" {
		if r.SetpointC == nil && !errs.Has("setpoint_c") {
			errs.Add("setpoint_c", "is required for %s", r.Procedure)
		}
		for _, f := range shockFields {
			if !isNil(f.value) {
				errs.Add(f.name, "applies only to thermal_shock")
			}
		}
	}
	if r.ShutdownObserved != nil && *r.ShutdownObserved && r.ShutdownTempC == nil && !errs.Has("shutdown_temp_c") {
		errs.Add("shutdown_temp_c", "is required when shutdown_observed is true")
	}
	if r.ShutdownTempC != nil && (r.ShutdownObserved == nil || !*r.ShutdownObserved) && !errs.Has("shutdown_temp_c") {
		errs.Add("shutdown_temp_c", "is given but shutdown_observed is not true")
	}
}

func isNil(v any) bool {
	switch p := v.(type) {
	case *float64:
		return p == nil
	case *int:
		return p == nil
	}
	return v == nil
}

// IsImmersion reports whether an IP code's water numeral is 7 or 8.
func IsImmersion(code string) bool {
	return len(code) >= 4 && (code[3] == '7' || code[3] == '8')
}

func (r *Run) checkIngress(errs *FieldErrors) {
	code := r.IPCode
	if code == "" || errs.Has("ip_code") {
		return
	}
	if !ipCodePattern.MatchString(code) {
		errs.Add("ip_code", "%q is not an IP code: write IP, then a solids numeral 0–6 or X, then a water numeral 0–9 or X, e.g. IPX7, IP6X, IP68 (no hyphen or space)", code)
		return
	}
	water := code[3]
	if r.Medium == "dust" && water != 'X' && !errs.Has("medium") {
		errs.Add("medium", "is dust but %s tests water: use IP%cX for a dust run", code, code[2])
	}
	if r.Medium != "" && r.Medium != "dust" && water == 'X' && !errs.Has("medium") {
		errs.Add("medium", "is %s but %s has no water numeral", r.Medium, code)
	}
	if !IsImmersion(code) {
		return
	}
	if r.DepthM == nil && !errs.Has("depth_m") {
		errs.Add("depth_m", "is required for immersion code %s", code)
	}
	if r.DurationMin == nil && !errs.Has("duration_min") {
		errs.Add("duration_min", "is required for immersion code %s", code)
	}
	if r.DepthM == nil || r.DurationMin == nil || errs.Has("depth_m") || errs.Has("duration_min") {
		return
	}
	d, t := *r.DepthM, *r.DurationMin
	if d < 1.0 {
		errs.Add("depth_m", "is %g m: %s needs at least 1 m (IEC 60529 IPX7)", d, code)
	}
	if t < 30 {
		errs.Add("duration_min", "is %g min: %s needs at least 30 min (IEC 60529 IPX7)", t, code)
	}
	if water == '8' && d <= 1.0 && t <= 30 && d >= 1.0 && t >= 30 { // exactly the IPX7 minimum
		errs.Add("depth_m", "%s must be more severe than IPX7: deeper than 1 m or longer than 30 min", code)
	}
}

var quietProtocols = map[string]bool{"talk": true, "standby": true}

func (r *Run) checkBattery(facts HandsetFacts, errs *FieldErrors) {
	if r.RuntimeH != nil && *r.RuntimeH <= 0 && !errs.Has("runtime_h") {
		errs.Add("runtime_h", "must be more than 0 h")
	}
	if r.StartSocPct != nil && r.EndSocPct != nil && *r.EndSocPct >= *r.StartSocPct && !errs.Has("end_soc_pct") {
		errs.Add("end_soc_pct", "must be below start_soc_pct (%g %%): a discharge run ends lower than it starts", *r.StartSocPct)
	}
	if r.Protocol != "" && !quietProtocols[r.Protocol] && r.BrightnessNits == nil && !errs.Has("brightness_nits") {
		errs.Add("brightness_nits", "is required for screen-on protocol %s", r.Protocol)
	}
	// Implied mean power (domain.md §8(c) rule 9) catches runtimes typed in
	// minutes or a wrong SoC: only when the handset declares its battery and
	// the three values it uses are themselves valid (problems elsewhere in
	// the body must not hide this one).
	if facts.BatteryCapacityMAh <= 0 || facts.NominalVoltageV <= 0 || r.RuntimeH == nil || r.StartSocPct == nil || r.EndSocPct == nil ||
		errs.Has("runtime_h") || errs.Has("start_soc_pct") || errs.Has("end_soc_pct") {
		return
	}
	energyWh := facts.NominalVoltageV * facts.BatteryCapacityMAh / 1000 * (*r.StartSocPct - *r.EndSocPct) / 100
	power := energyWh / *r.RuntimeH
	floor := 0.05
	if r.Protocol == "standby" {
		floor = 0.005
	}
	if power < floor {
		errs.Add("runtime_h", "implies a mean power of %.3f W from the declared %g mAh at %g V — below %g W, implausible for %s (hours typed as minutes?)",
			power, facts.BatteryCapacityMAh, facts.NominalVoltageV, floor, r.Protocol)
	}
	if r.Protocol == "eu_eei_loop" {
		eei := *r.RuntimeH * 1000 / (facts.NominalVoltageV * facts.BatteryCapacityMAh)
		if eei > 15 {
			errs.Add("runtime_h", "implies an energy-efficiency index of %.2f 1/W — above 15, implausible", eei)
		}
	}
}
