package handlers_test

import (
	"strings"
	"testing"

	"ruggedlab/internal/testdb"
)

// TestTrialPages: the demo's field trial is listed, its page shows the
// summary's numbers and exports them, and the drop and battery compare
// pages put the field evidence beside the lab's — plain and blind.
func TestTrialPages(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newPagesFixture(t, e)
			_, list := f.get(t, "/trials")
			if !strings.Contains(list, "/trials/"+f.trialID) || !strings.Contains(list, `href="/trials"`) {
				t.Errorf("/trials lacks the demo trial or the nav link")
			}
			resp, page := f.get(t, "/trials/"+f.trialID)
			if resp.StatusCode != 200 || !strings.Contains(page, `data-chart="trial-incidents"`) || !strings.Contains(page, `id="summary"`) {
				t.Fatalf("trial page %d: no chart or summary\n%.500s", resp.StatusCode, page)
			}
			// Atlas R1: 14 incidents over 420 device-days = 33.3 / 1,000.
			if !strings.Contains(page, ">33.3<") || !strings.Contains(page, ">26.2<") {
				t.Errorf("trial page lacks Atlas R1's rates (33.3 overall, 26.2 display cracks)")
			}
			_, csv := f.get(t, "/trials/"+f.trialID+"/export.csv")
			if !strings.Contains(csv, "rate_per_1000_device_days") || !strings.Contains(csv, "atlas-r1") {
				t.Errorf("trial CSV export:\n%.400s", csv)
			}
			_, blind := f.get(t, "/trials/"+f.trialID+"?blind=1")
			f.assertNoSecrets(t, "blind trial page", blind)
			_, bcsv := f.get(t, "/trials/"+f.trialID+"/export.csv?blind=1")
			f.assertNoSecrets(t, "blind trial CSV", bcsv)
			if resp, _ := f.get(t, "/trials/nope"); resp.StatusCode != 404 {
				t.Errorf("unknown trial: %d", resp.StatusCode)
			}

			_, drop := f.get(t, "/compare?kind=drop")
			if !strings.Contains(drop, `id="field-drop"`) || !strings.Contains(drop, "display cracks beside drop survival") {
				t.Errorf("/compare?kind=drop has no field section")
			}
			row := rowOf(drop, "field-drop", "atlas-r1")
			if !strings.Contains(row, ">26.2<") || !strings.Contains(row, "onto concrete") {
				t.Errorf("field-drop row of atlas-r1: %s", row)
			}
			_, batt := f.get(t, "/compare?kind=battery")
			if row := rowOf(batt, "field-battery", "atlas-r1"); !strings.Contains(row, ">210<") {
				t.Errorf("field-battery row of atlas-r1 (210 shifts): %s", row)
			}
			_, bdrop := f.get(t, "/compare?kind=drop&blind=1")
			if !strings.Contains(bdrop, `id="field-drop"`) {
				t.Errorf("blind drop page has no field section")
			}
			f.assertNoSecrets(t, "blind drop compare", bdrop)
			_, dcsv := f.get(t, "/compare/export.csv?kind=drop")
			if !strings.Contains(dcsv, "display_cracks") {
				t.Errorf("drop export lacks the field table")
			}
		})
	}
}

// rowOf is the <tr> of table id whose text names who.
func rowOf(page, id, who string) string {
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := page[i:]
	if end := strings.Index(rest, "</table>"); end > 0 {
		rest = rest[:end]
	}
	for _, tr := range strings.Split(rest, "<tr>") {
		// who is a candidate's code; pages show "Name (code)"
		if strings.Contains(tr, ">"+who+"<") || strings.Contains(tr, " ("+who+")<") {
			return tr
		}
	}
	return ""
}

// TestTrialPageInFrench: the trial page is French throughout — headings
// and also every cell built in Go (categories, outcomes, statuses), not
// only the chrome TestPagesInTwoLanguages checks — and asks the catalogue
// for nothing it lacks; the compare pages' field rows name the lab
// programme in French.
func TestTrialPageInFrench(t *testing.T) {
	f, miss, cat := newI18nFixture(t, testdb.SQLite(t))
	_, fr := f.get(t, "/trials/"+f.trialID, "Cookie", "rl_lang=fr")
	if ks := miss.take(); len(ks) > 0 {
		t.Errorf("French trial page asks for messages the catalogue lacks: %q", ks)
	}
	f.assertNoEnglish(t, cat, fr)
	for _, want := range []string{"essai terrain", "écran fissuré", "remplacé", "réparé", "actif", "Incidents par catégorie et candidat"} {
		if !strings.Contains(fr, want) {
			t.Errorf("French trial page lacks %q", want)
		}
	}
	for _, bad := range []string{">display_cracked<", ">replaced<", ">active<", "field trial"} {
		if strings.Contains(fr, bad) {
			t.Errorf("French trial page still says %q", bad)
		}
	}
	_, drop := f.get(t, "/compare?kind=drop", "Cookie", "rl_lang=fr")
	if row := rowOf(drop, "field-drop", "atlas-r1"); !strings.Contains(row, "sur béton") {
		t.Errorf("French field-drop row of atlas-r1: %s", row)
	}
	if ks := miss.take(); len(ks) > 0 {
		t.Errorf("French drop page asks for messages the catalogue lacks: %q", ks)
	}
}
