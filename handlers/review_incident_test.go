package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Field-trial incidents are reviewed by a second person (issue #13) through
// the API, the review queue (bulk verify, with one confirmation) and the
// one-incident form, on both stores; a profile counting verified evidence
// only keeps an incident-rate cell from being met while incidents wait.
func TestReviewIncidents(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		tom, ada, eve := a.as(techName), a.as(adminName), a.as(evalName)
		a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset), ada...)
		a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(borealisHandset), ada...)
		for _, u := range []string{"atlas-r1/units\x00ATL-0001", "atlas-r1/units\x00ATL-0002", "borealis-x/units\x00BOR-0001"} {
			path, serial, _ := strings.Cut(u, "\x00")
			a.must(t, 201, "POST", "/api/v1/handsets/"+path, `{"serial": "`+serial+`"}`, ada...)
		}
		trial := object(t, a.must(t, 201, "POST", "/api/v1/trials", trialBody(nil), tom...))["id"].(string)
		inc := func(date, cat string) string {
			body := `{"handset":"atlas-r1","unit":"ATL-0002","date":"` + date + `","category":"` + cat + `","severity":3,"outcome":"replaced"}`
			in := object(t, a.must(t, 201, "POST", "/api/v1/trials/"+trial+"/incidents", body, tom...))
			wantFields(t, in, map[string]any{"review": map[string]any{"state": "recorded", "by": "", "at": nil, "reason": ""}})
			return in["id"].(string)
		}
		first, second, third := inc("2026-03-10", "display_cracked"), inc("2026-03-11", "battery"), inc("2026-03-12", "software")

		path := "/api/v1/trials/" + trial + "/incidents/" + first + "/review"
		p := wantAccessProblem(t, a.call(t, "POST", path, `{"decision": "verified"}`, tom...), 403, "forbidden")
		if !strings.Contains(p.Detail, "second person") {
			t.Errorf("self-review detail %q does not say why", p.Detail)
		}
		wantProblem(t, a.call(t, "POST", path, `{"decision": "rejected", "reason": "no"}`, ada...), 422, "reason")
		wantProblem(t, a.call(t, "POST", path, `{"decision": "verified", "revision": 2}`, ada...), 422, "revision")
		wantProblem(t, a.call(t, "POST", path, `{"decision": "verified", "extra": 1}`, ada...), 422, "extra")
		wantAccessProblem(t, a.call(t, "POST", path, `{"decision": "verified"}`, eve...), 403, "forbidden")
		wantAccessProblem(t, a.call(t, "POST", "/api/v1/trials/"+trial+"/incidents/nope/review", `{"decision": "verified"}`, ada...), 404, "not-found")

		// A verified-only profile: one incident verified, two waiting.
		profile := `{"name": "Pilote vérifié", "evidence": "verified", "requirements": [
		  {"key": "field-incidents", "kind": "field", "metric": "incident_rate", "decision": {"rule": "upper_bound", "target": 100}}]}`
		pid := object(t, a.must(t, 201, "POST", "/api/v1/profiles", profile, ada...))["id"].(string)
		ok := object(t, a.must(t, 200, "POST", path, `{"decision": "verified", "revision": 1}`, ada...))
		if rv := ok["review"].(map[string]any); rv["state"] != "verified" || rv["by"] != adminName || rv["at"] == nil {
			t.Errorf("verified review = %v", rv)
		}
		atlas := matrixCell(t, a, pid, ada)
		if atlas.Verdict != "inconclusive" || atlas.Field.Incidents != 1 || atlas.LeftOut != 2 || !strings.Contains(atlas.Reason, "2 incident(s) await review") {
			t.Errorf("atlas cell while two incidents wait: %+v", atlas)
		}

		// The queue lists the two others for ada, none of them for tom to tick.
		q := string(a.must(t, 200, "GET", "/review", "", ada...).Body)
		for _, id := range []string{second, third} {
			if !strings.Contains(q, `name="incident" value="`+trial+":"+id+`"`) {
				t.Errorf("queue lacks incident %s:\n%.4000s", id, q)
			}
		}
		if strings.Contains(q, first) {
			t.Errorf("the verified incident is still queued")
		}
		if strings.Contains(string(a.must(t, 200, "GET", "/review", "", tom...).Body), `name="incident"`) {
			t.Errorf("tom may tick incidents he recorded")
		}
		form := url.Values{"incident": {trial + ":" + second}}
		hdr := append([]string{"Content-Type", "application/x-www-form-urlencoded"}, ada...)
		if conf := a.must(t, 200, "POST", "/review", form.Encode(), hdr...); !strings.Contains(string(conf.Body), "Verify 1 item(s)") {
			t.Errorf("confirmation page:\n%.3000s", conf.Body)
		}
		form.Set("confirm", "1")
		if loc := a.must(t, http.StatusSeeOther, "POST", "/review", form.Encode(), hdr...).Header.Get("Location"); loc != "/review?verified=1" {
			t.Errorf("bulk verify redirects to %q", loc)
		}

		// The one-incident form rejects the third with a reason.
		fpath := "/trials/" + trial + "/incidents/" + third + "/review"
		if page := string(a.must(t, 200, "GET", fpath, "", ada...).Body); !strings.Contains(page, "ATL-0002") {
			t.Errorf("review form:\n%.2000s", page)
		}
		bad := url.Values{"decision": {"rejected"}, "reason": {"no"}}
		if r := a.call(t, "POST", fpath, bad.Encode(), hdr...); r.Status != 422 || !strings.Contains(string(r.Body), "at least 3") {
			t.Errorf("a two-letter reason: %d\n%.2000s", r.Status, r.Body)
		}
		rej := url.Values{"decision": {"rejected"}, "reason": {"software fault, not the handset"}}
		if loc := a.must(t, http.StatusSeeOther, "POST", fpath, rej.Encode(), hdr...).Header.Get("Location"); loc != "/review?reviewed=1" {
			t.Errorf("form review redirects to %q", loc)
		}
		list := decodeList(t, a.must(t, 200, "GET", "/api/v1/trials/"+trial+"/incidents", "", eve...))
		states := map[string]string{}
		for _, m := range list.Items {
			states[m["id"].(string)] = m["review"].(map[string]any)["state"].(string)
		}
		if states[first] != "verified" || states[second] != "verified" || states[third] != "rejected" {
			t.Errorf("review states %v", states)
		}
		// Two verified, the rejected one left out: nothing waits, so the
		// cell is judged (2 in 84 device-days: upper bound 86 ≤ 100).
		atlas = matrixCell(t, a, pid, ada)
		if atlas.Verdict != "met" || atlas.Field.Incidents != 2 || atlas.LeftOut != 1 {
			t.Errorf("atlas cell once reviewed: %+v", atlas)
		}
		// The trial page shows each incident's review.
		page := string(a.must(t, 200, "GET", "/trials/"+trial, "", eve...).Body)
		if !strings.Contains(page, "by "+adminName) || !strings.Contains(page, "software fault, not the handset") {
			t.Errorf("trial page lacks the reviews:\n%.5000s", page)
		}
	})
}

type reviewedCell struct {
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
	LeftOut int    `json:"left_out_unverified"`
	Field   struct {
		Incidents int `json:"incidents"`
	} `json:"field"`
}

// matrixCell is atlas-r1's cell of the profile's first row.
func matrixCell(t *testing.T, a *authAPI, profile string, as []string) reviewedCell {
	t.Helper()
	var m struct {
		Rows []struct {
			Cells []struct {
				Handset string `json:"handset"`
				reviewedCell
			} `json:"cells"`
		} `json:"rows"`
	}
	decodeInto(t, a.must(t, 200, "GET", "/api/v1/profiles/"+profile+"/matrix", "", as...), &m)
	for _, c := range m.Rows[0].Cells {
		if c.Handset == "atlas-r1" {
			return c.reviewedCell
		}
	}
	t.Fatalf("no atlas-r1 cell in %+v", m)
	return reviewedCell{}
}
