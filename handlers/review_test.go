package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The review API and pages (issue #13) on both stores.
func TestReviewAPIAndQueue(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		tom, ada, eve := a.as(techName), a.as(adminName), a.as(evalName)
		a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset), ada...)
		a.must(t, 201, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`, ada...)
		a.must(t, 201, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0002"}`, ada...)
		run := object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", nil), tom...))
		id := run["id"].(string)
		wantFields(t, run, map[string]any{"review": map[string]any{"state": "recorded", "by": "", "at": nil, "reason": ""}})

		path := "/api/v1/runs/" + id + "/review"
		p := wantAccessProblem(t, a.call(t, "POST", path, `{"decision": "verified", "revision": 1}`, tom...), 403, "forbidden")
		if !strings.Contains(p.Detail, "second person") {
			t.Errorf("self-review detail %q does not say why", p.Detail)
		}
		wantProblem(t, a.call(t, "POST", path, `{"decision": "verified", "revision": 2}`, ada...), 409, "revision")
		wantProblem(t, a.call(t, "POST", path, `{"decision": "rejected", "revision": 1}`, ada...), 422, "reason")
		wantProblem(t, a.call(t, "POST", path, `{"decision": "verified", "revision": 1, "extra": 1}`, ada...), 422, "extra")
		wantAccessProblem(t, a.call(t, "POST", path, `{"decision": "verified", "revision": 1}`, eve...), 403, "forbidden")
		got := object(t, a.must(t, 200, "GET", "/api/v1/runs/"+id, "", tom...))
		if rv := got["review"].(map[string]any); rv["state"] != "recorded" {
			t.Fatalf("refused reviews changed the run: %v", rv)
		}
		ok := object(t, a.must(t, 200, "POST", path, `{"decision": "verified", "revision": 1}`, ada...))
		if rv := ok["review"].(map[string]any); rv["state"] != "verified" || rv["by"] != adminName || rv["at"] == nil {
			t.Errorf("verified review = %v", rv)
		}

		// The run page says who verified it; the queue is empty for now.
		page := a.must(t, 200, "GET", "/runs/"+id, "", tom...)
		if !strings.Contains(string(page.Body), "verified by "+adminName) {
			t.Errorf("run page does not show the review:\n%.2000s", page.Body)
		}
		// A run recorded by ada waits in tom's queue; bulk verify asks once.
		other := object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", map[string]any{"unit": "ATL-0002"}), ada...))["id"].(string)
		q := a.must(t, 200, "GET", "/review", "", tom...)
		if !strings.Contains(string(q.Body), `value="`+other+`:1"`) || strings.Contains(string(q.Body), id) {
			t.Errorf("queue page:\n%.3000s", q.Body)
		}
		wantAccessProblemOrPage(t, a.call(t, "GET", "/review", "", eve...), 403)
		form := url.Values{"run": {other + ":1"}}
		hdr := append([]string{"Content-Type", "application/x-www-form-urlencoded"}, tom...)
		conf := a.must(t, 200, "POST", "/review", form.Encode(), hdr...)
		if !strings.Contains(string(conf.Body), "Verify 1 item(s)") {
			t.Errorf("confirmation page:\n%.3000s", conf.Body)
		}
		if rv := object(t, a.must(t, 200, "GET", "/api/v1/runs/"+other, "", tom...))["review"].(map[string]any); rv["state"] != "recorded" {
			t.Errorf("the confirmation step verified already: %v", rv)
		}
		form.Set("confirm", "1")
		done := a.must(t, http.StatusSeeOther, "POST", "/review", form.Encode(), hdr...)
		if loc := done.Header.Get("Location"); loc != "/review?verified=1" {
			t.Errorf("bulk verify redirects to %q", loc)
		}
		if rv := object(t, a.must(t, 200, "GET", "/api/v1/runs/"+other, "", tom...))["review"].(map[string]any); rv["state"] != "verified" || rv["by"] != techName {
			t.Errorf("bulk verified review = %v", rv)
		}
		// An amendment returns the run to recorded.
		am := object(t, a.must(t, 201, "POST", "/api/v1/runs/"+id+"/amendments", `{"reason": "recount", "revision": 1, "changes": {"worst_severity": 3}}`, tom...))
		if rv := am["review"].(map[string]any); rv["state"] != "recorded" || rv["by"] != "" {
			t.Errorf("amended run's review = %v", rv)
		}
	})
}

func wantAccessProblemOrPage(t *testing.T, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d\n%.500s", r.Status, status, r.Body)
	}
}
