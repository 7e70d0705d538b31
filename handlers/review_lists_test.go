package handlers_test

import (
	"strconv"
	"strings"
	"testing"
)

// Review state and attachments show on the handset page and in the
// evidence lists (/runs?ids=, the dashboard's latest runs), thumbnails
// only outside blind mode (issue #13 items 1–2).
func TestReviewAndAttachmentsInLists(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		tom, ada := a.as(techName), a.as(adminName)
		a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset), ada...)
		a.must(t, 201, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`, ada...)
		verified := object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", nil), tom...))["id"].(string)
		plain := object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", map[string]any{"started_at": "2026-02-18T09:00:00Z", "ended_at": "2026-02-18T10:00:00Z"}), tom...))["id"].(string)
		a.must(t, 200, "POST", "/api/v1/runs/"+verified+"/review", `{"decision": "verified", "revision": 1}`, ada...)
		ct, body := multipartFile(t, "crack.jpg", sample(t, "drop-crack.jpg"))
		att := object(t, a.must(t, 201, "POST", "/api/v1/runs/"+verified+"/attachments", string(body), append([]string{"Content-Type", ct}, tom...)...))["id"].(string)
		thumb := `src="/api/v1/attachments/` + att + `/thumbnail"`

		hs := string(a.must(t, 200, "GET", "/handsets/atlas-r1", "", tom...).Body)
		for _, want := range []string{`data-review="verified"`, `data-review="recorded"`, `data-attachments="1"`, `href="/runs/` + verified + `#attachments"`} {
			if !strings.Contains(hs, want) {
				t.Errorf("handset page lacks %s", want)
			}
		}
		if n := strings.Count(hs, "data-attachments="); n != 1 {
			t.Errorf("handset page marks %d runs with attachments, want 1", n)
		}

		cases := []struct {
			name, path string
			thumbs     bool
		}{
			{"evidence list", "/runs?ids=" + verified + "," + plain, true},
			{"blind evidence list", "/runs?ids=" + verified + "," + plain + "&blind=1", false},
			{"dashboard", "/", true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				page := string(a.must(t, 200, "GET", tc.path, "", tom...).Body)
				for _, want := range []string{`class="review verified"`, `class="review recorded"`, ">" + adminName + "<"} {
					if !strings.Contains(page, want) {
						t.Errorf("%s lacks %s", tc.path, want)
					}
				}
				if got := strings.Contains(page, thumb); got != tc.thumbs {
					t.Errorf("%s shows the thumbnail: %v, want %v", tc.path, got, tc.thumbs)
				}
				if !strings.Contains(page, `#attachments">`+strconv.Itoa(1)+`</a>`) {
					t.Errorf("%s does not link the attachment count to the run page", tc.path)
				}
			})
		}
	})
}
