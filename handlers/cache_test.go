package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ruggedlab/handlers"
	"ruggedlab/internal/apicontract"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// A cached answer is the answer: for a seeing admin and a blind evaluator,
// on every cached route, the second GET (served from the cache) equals the
// first (computed) and the answer of a fresh server that has cached
// nothing; If-None-Match with the ETag is a 304 without a body until a
// write changes the data version, and then the new answer is the fresh
// server's. Blind answers from the cache leak nothing.
func TestCachedEqualsUncached(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newBlindFixture(t, e)
			fresh := func() *httptest.Server {
				srv := &handlers.Server{Store: f.st, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return pagesNow },
					Auth: &handlers.Auth{}, BlindEvaluators: true}
				ts := httptest.NewServer(apicontract.Wrap(t, srv.Routes()))
				t.Cleanup(ts.Close)
				return ts
			}
			get := func(base, path string, hdr ...string) (*http.Response, string) {
				t.Helper()
				saved := f.srv
				f.srv = &httptest.Server{URL: base}
				defer func() { f.srv = saved }()
				return f.get(t, path, hdr...)
			}
			who := func(r models.Role) []string { return f.as(r) }
			for _, role := range []models.Role{models.Admin, models.Evaluator} {
				code := "atlas-r1"
				if role == models.Evaluator {
					code = f.letters[0]
				}
				paths := []string{"/", "/handsets/" + code, "/compare?kind=drop", "/compare?kind=battery",
					"/api/v1/compare?kind=drop", "/api/v1/compare?kind=ingress&handsets=" + code,
					"/api/v1/profiles/" + f.profileID + "/matrix", "/profiles/" + f.profileID + "/matrix",
					"/compare/export.csv?kind=drop",
					// the runs list, a later page by its cursor, and a reduced series
					"/api/v1/runs?kind=drop&limit=5", "/api/v1/runs?limit=3&include_retracted=true",
					"/api/v1/runs?handset=" + code + "&limit=2", "/api/v1/runs/" + f.batteryRun + "/series?max_points=50",
					"/api/v1/runs/" + f.batteryRun + "/series?max_points=40&format=csv"}
				if next := nextCursor(t, "/api/v1/runs?limit=3", who(role), f.get); next != "" {
					paths = append(paths, "/api/v1/runs?limit=3&cursor="+next)
				} else {
					t.Fatalf("%s: the runs list has no second page", role)
				}
				for _, p := range paths {
					who := who(role)
					r1, b1 := get(f.srv.URL, p, who...)
					r2, b2 := get(f.srv.URL, p, who...)
					r3, b3 := get(fresh().URL, p, who...)
					if r1.StatusCode != 200 || r2.StatusCode != 200 || r3.StatusCode != 200 {
						t.Fatalf("%s GET %s: %d, %d, %d", role, p, r1.StatusCode, r2.StatusCode, r3.StatusCode)
					}
					if b1 != b2 || b1 != b3 {
						t.Errorf("%s GET %s: cached answer differs from the computed one (%d, %d, %d bytes)", role, p, len(b1), len(b2), len(b3))
					}
					if ct := r2.Header.Get("Content-Type"); ct != r1.Header.Get("Content-Type") {
						t.Errorf("%s GET %s: cached Content-Type %q, computed %q", role, p, ct, r1.Header.Get("Content-Type"))
					}
					tag := r1.Header.Get("ETag")
					if tag == "" || r2.Header.Get("ETag") != tag {
						t.Fatalf("%s GET %s: ETag %q then %q", role, p, tag, r2.Header.Get("ETag"))
					}
					if role == models.Evaluator {
						if leaks := f.leaks(r2, b2); len(leaks) > 0 {
							t.Errorf("blind GET %s from the cache leaks %v", p, leaks)
						}
					}
					r4, b4 := get(f.srv.URL, p, append(who, "If-None-Match", tag)...)
					if r4.StatusCode != http.StatusNotModified || b4 != "" || r4.Header.Get("ETag") != tag {
						t.Errorf("%s GET %s If-None-Match: %d, %d bytes, ETag %q", role, p, r4.StatusCode, len(b4), r4.Header.Get("ETag"))
					}
				}
			}
			// Identical requests at once (one computes, the others wait and
			// share its answer) each get the whole answer once, equal to a
			// fresh server's: the computing one once wrote it twice.
			for _, p := range []string{"/api/v1/compare?kind=drop", "/handsets/atlas-r1", "/api/v1/runs?kind=drop&limit=50"} {
				// a write first, so that nothing is cached at the new version
				if _, err := f.st.CreateHandset(context.Background(), models.Handset{Code: "cache-" + strconv.Itoa(len(p)), Name: "Cache Probe",
					Manufacturer: "Probe", FormFactor: "phone"}, "test"); err != nil {
					t.Fatal(err)
				}
				_, want := get(fresh().URL, p, f.as(models.Admin)...)
				bodies := make([]string, 8)
				var wg sync.WaitGroup
				for i := range bodies {
					wg.Add(1)
					go func() {
						defer wg.Done()
						req, _ := http.NewRequest(http.MethodGet, f.srv.URL+p, nil)
						req.Header.Set("Authorization", f.as(models.Admin)[1])
						resp, err := http.DefaultClient.Do(req)
						if err != nil {
							t.Error(err)
							return
						}
						defer resp.Body.Close()
						b, _ := io.ReadAll(resp.Body)
						bodies[i] = string(b)
					}()
				}
				wg.Wait()
				for i, b := range bodies {
					if b != want {
						t.Errorf("GET %s, one of %d at once (#%d): %d bytes, a fresh server's answer is %d", p, len(bodies), i, len(b), len(want))
					}
				}
			}

			// The admin's and the evaluator's answers never share a tag.
			ra, _ := get(f.srv.URL, "/api/v1/compare?kind=drop", f.as(models.Admin)...)
			re, _ := get(f.srv.URL, "/api/v1/compare?kind=drop", f.as(models.Evaluator)...)
			if ra.Header.Get("ETag") == re.Header.Get("ETag") {
				t.Error("a seeing and a blind account got the same ETag")
			}

			// A write changes the version: the old tag is a 200 with the new answer.
			old := ra.Header.Get("ETag")
			r, body := f.get(t, "/api/v1/runs?kind=drop&limit=1", f.as(models.Admin)...)
			var id string
			if i := strings.Index(body, `"id":"`); i >= 0 {
				id = body[i+6 : i+6+strings.Index(body[i+6:], `"`)]
			}
			if r.StatusCode != 200 || id == "" {
				t.Fatalf("list runs: %d %s", r.StatusCode, body)
			}
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/api/v1/runs/"+id+"/retraction", strings.NewReader(`{"reason": "cache test: a void run"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", f.as(models.Technician)[1])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 && resp.StatusCode != 201 {
				t.Fatalf("retract %s: %d", id, resp.StatusCode)
			}
			r5, b5 := get(f.srv.URL, "/api/v1/compare?kind=drop", append(f.as(models.Admin), "If-None-Match", old)...)
			_, b6 := get(fresh().URL, "/api/v1/compare?kind=drop", f.as(models.Admin)...)
			if r5.StatusCode != 200 || r5.Header.Get("ETag") == old || b5 != b6 {
				t.Errorf("after a retraction: %d, ETag %q (was %q), answer equal to a fresh server's: %v", r5.StatusCode, r5.Header.Get("ETag"), old, b5 == b6)
			}
		})
	}
}

// nextCursor is a list answer's next_cursor ("" for none).
func nextCursor(t *testing.T, path string, who []string, get func(testing.TB, string, ...string) (*http.Response, string)) string {
	t.Helper()
	resp, body := get(t, path, who...)
	var l struct {
		Next *string `json:"next_cursor"`
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &l) != nil {
		t.Fatalf("list: %d %.300s", resp.StatusCode, body)
	}
	if l.Next == nil {
		return ""
	}
	return url.QueryEscape(*l.Next)
}
