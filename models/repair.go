package models

// Repair runs (domain.md §5, reference/repairability.md): one run is one
// unit, one priority part, one disassembly and reassembly, observed the way
// Delegated Regulation (EU) 2023/1669 Annex IV point 5 scores it.

// Parts are the priority parts of Annex IV point 5 (codes BAT, DA, BC, FFC,
// RFC, EC, BUT, MIC, SPK, FM). hinge (FM) exists only on foldables.
var Parts = []string{"battery", "display", "back_cover", "front_camera", "rear_camera",
	"charging_port", "buttons", "microphone", "speaker", "hinge"}

// FoldableFormFactors are the form factors that have a hinge. None of
// FormFactors is foldable today (the tender's candidates are rigid phones
// and tablets), so a hinge run is refused for every handset; adding a
// foldable form factor here is all it takes to allow it.
var FoldableFormFactors = []string{}

// Fastener classes (EN 45554 / 2023/1669): reusable, resupplied with the
// spare part, removable but not reusable, non-removable.
var Fasteners = []string{"reusable", "resupplied", "removable", "non_removable"}

// Tool classes (EN 45554 / 2023/1669): no tool, basic tools, a tool supplied
// with the spare part, one supplied with the product, other commercially
// available tools, proprietary tools (not available to the public).
var Tools = []string{"none", "basic", "supplied_with_part", "supplied_with_product", "commercial", "proprietary"}

// Access classes for declared spare parts and repair information: who may
// obtain them.
var SupportAccess = []string{"end_users", "professional_repairers", "none"}

// maxRepairS is 24 h: a longer disassembly is a typing error (minutes or
// milliseconds), not a repair.
const maxRepairS = 86400

var repairFields = []field[Run]{
	enum("part", Parts, true, func(r *Run) *string { return &r.Part }),
	integer("disassembly_steps", 1, 500, true, func(r *Run) **int { return &r.DisassemblySteps }),
	enum("fasteners", Fasteners, true, func(r *Run) *string { return &r.Fasteners }),
	enum("tools", Tools, true, func(r *Run) *string { return &r.Tools }),
	num("disassembly_s", "s", 1, maxRepairS, true, func(r *Run) **float64 { return &r.DisassemblyS }),
	num("reassembly_s", "s", 1, maxRepairS, true, func(r *Run) **float64 { return &r.ReassemblyS }),
	boolean("part_replaced", false, func(r *Run) **bool { return &r.PartReplaced }),
	boolean("functional_after", true, func(r *Run) **bool { return &r.FunctionalAfter }),
}

func (r *Run) checkRepair(facts HandsetFacts, errs *FieldErrors) {
	if r.Part == "hinge" && !errs.Has("part") {
		foldable := false
		for _, f := range FoldableFormFactors {
			foldable = foldable || f == facts.FormFactor
		}
		if !foldable {
			ff := facts.FormFactor
			if ff == "" {
				ff = "not foldable"
			}
			errs.Add("part", "is hinge but the handset's form factor is %s: only foldables have a hinge assembly", ff)
		}
	}
}

// RepairTimeS is a repair run's disassembly plus reassembly time, or nil.
func (r Run) RepairTimeS() *float64 {
	if r.DisassemblyS == nil || r.ReassemblyS == nil {
		return nil
	}
	t := *r.DisassemblyS + *r.ReassemblyS
	return &t
}
