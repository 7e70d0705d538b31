package report_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"ruggedlab/i18n"
	"ruggedlab/internal/pdftext"
	"ruggedlab/report"
)

func ptr(v float64) *float64 { return &v }

func sample(tr *i18n.Printer, rows int) report.Report {
	from, to := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	tb := report.Table{Caption: "Résultats", Header: []string{"Exigence", "Candidat", "n", "Estimation (%)", "IC bas", "IC haut"},
		Num: []bool{false, false, true, true, true, true}}
	for i := 0; i < rows; i++ {
		tb.Rows = append(tb.Rows, []string{"Chute de 1,5 m sur béton", "atlas-r1", "5", "80,0", "37,6", "96,4"})
	}
	return report.Report{ID: "RL-P-fsi-v2-20260317T120000Z", Title: "Rapport d'essai", Subject: "Profil « Sécurité » version 2",
		Lab:    report.Lab{Name: "Laboratoire d'essais Élancourt", Address: "3 rue de l'Église\n78990 Élancourt"},
		Issued: time.Date(2026, 3, 17, 12, 0, 0, 0, time.UTC), TestedFrom: &from, TestedTo: &to, Tr: tr,
		Sections: []report.Section{{Heading: "Résultats", Text: []string{"Les résultats ne se rapportent qu'aux objets soumis à l'essai."},
			Tables: []report.Table{tb},
			Charts: []report.Chart{
				{Title: "Survie (Kaplan–Meier)", XLabel: "chutes", YLabel: "survie", Steps: []report.StepSeries{{Label: "atlas-r1", Color: "#0072b2",
					Points: []report.Point{{X: 3, Y: 0.8}, {X: 10, Y: 0.6}, {X: 26, Y: 0.6}}}}},
				{Title: "Taux de réussite", YLabel: "%", Bars: &report.BarChart{Categories: []string{"1,5 m béton", "IP68"}, YMax: 100,
					Targets: []*float64{ptr(90), nil},
					Series:  []report.BarSeries{{Label: "atlas-r1", Color: "#e69f00", Values: []report.Bar{{Value: ptr(80), Lower: ptr(37.6), Upper: ptr(96.4)}, {}}}}}},
			}}}}
}

func TestReportRender(t *testing.T) {
	fr := i18n.MustLoad().Printer(i18n.FR)
	cases := []struct {
		name  string
		rows  int
		pages int
	}{{"one page", 3, 1}, {"long table breaks pages", 120, 3}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := report.Render(sample(fr, tc.rows))
			if err != nil {
				t.Fatal(err)
			}
			pages, err := pdftext.Pages(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(pages) < tc.pages {
				t.Fatalf("%d pages, want ≥ %d", len(pages), tc.pages)
			}
			all := strings.Join(pages, "\n")
			for _, want := range []string{"Rapport d'essai", "RL-P-fsi-v2-20260317T120000Z", "Laboratoire d'essais Élancourt", "3 rue de l'Église",
				"Sécurité", "Chute de 1,5 m sur béton", "96,4", "17/03/2026", "qu'aux objets soumis à l'essai"} {
				if !strings.Contains(all, want) {
					t.Errorf("text lacks %q:\n%s", want, all)
				}
			}
			for i, p := range pages {
				want := "page " + strconv.Itoa(i+1) + " sur " + strconv.Itoa(len(pages))
				if !strings.Contains(p, want) {
					t.Errorf("page %d lacks %q:\n%s", i+1, want, p)
				}
			}
		})
	}
}
