package handlers

import (
	"fmt"
	"testing"

	"ruggedlab/eulabel"
	"ruggedlab/i18n"
	"ruggedlab/models"
	"ruggedlab/verdict"
)

// TestSayReasons: the reasons the verdict, award and eulabel packages give
// read in French with decimal commas from the catalogue, and say is their
// English byte for byte on English pages.
func TestSayReasons(t *testing.T) {
	cat := i18n.MustLoad()
	var missing []string
	cat.OnMissing = func(k string) { missing = append(missing, k) }
	fr, en := cat.Printer(i18n.FR), cat.Printer(i18n.EN)
	f := func(v float64) *float64 { return &v }
	i := func(v int) *int { return &v }
	drop := func(unit string, ok bool) models.Run {
		r := models.Run{ID: "r-" + unit, Kind: models.Drop, Handset: "h", Unit: unit, Status: models.Active,
			HeightM: f(2), Surface: "concrete", PlannedDrops: i(26), DropsCompleted: i(26), WorstSeverity: i(1)}
		if !ok {
			r.DropsCompleted, r.FirstFailureDrop, r.WorstSeverity = i(9), i(9), i(3)
		}
		return r
	}
	req := func(rule string, target *float64, minUnits int) models.Requirement {
		return models.Requirement{Key: "drop", Kind: models.Drop, Where: models.Where{HeightMMin: f(2)},
			UnitPassesIf: models.UnitPassesIf{DropsCompletedMin: i(26), WorstSeverityMax: i(2)},
			Decision:     models.Decision{Rule: rule, Target: target, Confidence: 0.95}, MinUnits: minUnits}
	}
	var runs []models.Run
	for n, ok := range []bool{true, true, true, true, false} {
		runs = append(runs, drop(fmt.Sprint("u", n), ok))
	}
	cell := func(q models.Requirement, runs []models.Run) verdict.Cell {
		return verdict.Evaluate(models.Profile{Requirements: []models.Requirement{q}}, []string{"h"}, runs).Rows[0].Cells[0]
	}
	interval := cell(req(models.LowerBound, f(0.5), 5), runs)
	tooFew := cell(req(models.AllUnits, nil, 5), runs[3:])
	rep := eulabel.Repair(models.Handset{Code: "h", FormFactor: "phone"}, nil)
	for _, tc := range []struct {
		name   string
		why    models.Msgs
		en, fr string
	}{
		{"Wilson interval", interval.Why, interval.Reason,
			"l'intervalle de Wilson à 95 % [0,376 ; 0,964] contient la cible 0,500 : il faut plus d'exemplaires"},
		{"too few, one failed", tooFew.Why, tooFew.Reason,
			"2 exemplaires essayé(s), le profil en demande 5 ; 1 exemplaire déjà en échec : « all_units » ne peut plus être satisfaite"},
		{"repairability without runs", rep.Why, rep.Note,
			"pas de classe : aucun essai de réparation actif pour batterie, écran, coque arrière, caméra avant, caméra arrière, port de charge, boutons, microphone, haut-parleur (une classe n'est jamais calculée sur une partie seulement des pièces prioritaires)"},
		{"award gate", models.JoinMsgs([]models.Msg{models.M("mandatory requirement %s not met (%s)", "drop", interval.Why), models.M("no value for criterion %s", "price")}),
			"mandatory requirement drop not met (Wilson 95 % interval [0.376, 0.964] contains the target 0.500: more units needed); no value for criterion price",
			"exigence obligatoire « drop » non satisfaite (l'intervalle de Wilson à 95 % [0,376 ; 0,964] contient la cible 0,500 : il faut plus d'exemplaires) ; aucune valeur pour le critère « price »"},
	} {
		if got := sayAll(en, tc.why); got != tc.en || tc.why.String() != tc.en {
			t.Errorf("%s in English: say %q, String %q, want %q", tc.name, got, tc.why.String(), tc.en)
		}
		if got := sayAll(nil, tc.why); got != tc.en {
			t.Errorf("%s without a printer: %q, want %q", tc.name, got, tc.en)
		}
		if got := sayAll(fr, tc.why); got != tc.fr {
			t.Errorf("%s in French:\n got %q\nwant %q", tc.name, got, tc.fr)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the catalogue lacks %q", missing)
	}
}
