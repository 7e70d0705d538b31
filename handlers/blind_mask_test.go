package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"ruggedlab/handlers"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// blindFixture is the demo tender served with --blind-evaluators, and the
// tokens of one account per role.
type blindFixture struct {
	*pagesFixture
	engine *gin.Engine
	log    *lockedBuffer
	tokens map[models.Role]string
	// letters are the blind references of every candidate, as the API
	// answers them (/api/v1/handsets as the evaluator).
	letters  []string
	importID string
}

func newBlindFixture(t *testing.T, e testdb.Engine) *blindFixture {
	t.Helper()
	log := &lockedBuffer{}
	f := &blindFixture{log: log, tokens: map[models.Role]string{}}
	f.pagesFixture = newPagesFixture(t, e, func(s *handlers.Server) {
		s.Auth, s.BlindEvaluators = &handlers.Auth{}, true
		s.Log = slog.New(slog.NewJSONHandler(log, nil))
	})
	f.engine = f.router.(*gin.Engine)
	ctx := context.Background()
	for name, role := range map[string]models.Role{"ada": models.Admin, "tom": models.Technician, "eve": models.Evaluator} {
		_, tok, err := f.st.CreateAccount(ctx, name, role, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = tok
	}
	// An import, so its summary is walked too.
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/api/v1/imports/units", strings.NewReader("handset,serial,notes\natlas-r1,ATL-9001,spare Atlas R1 from Atlas Mobile\n"))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+f.tokens[models.Technician])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var imp struct {
		ID string `json:"import_id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&imp)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || imp.ID == "" {
		t.Fatalf("import units: %d", resp.StatusCode)
	}
	f.importID = imp.ID
	f.secrets = append(f.secrets, "ATL-9001")

	var list struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}
	resp2, body := f.get(t, "/api/v1/handsets?limit=100", f.as(models.Evaluator)...)
	if resp2.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &list) != nil || len(list.Items) == 0 {
		t.Fatalf("blind GET /api/v1/handsets: %d\n%s", resp2.StatusCode, body)
	}
	for _, it := range list.Items {
		f.letters = append(f.letters, it.Code)
	}
	return f
}

func (f *blindFixture) as(r models.Role) []string {
	return []string{"Authorization", "Bearer " + f.tokens[r]}
}

// leaks lists the secrets in an answer's body and headers (any case).
func (f *blindFixture) leaks(resp *http.Response, body string) []string {
	var hdr strings.Builder
	for k, vs := range resp.Header {
		hdr.WriteString(k + ": " + strings.Join(vs, ", ") + "\n")
	}
	all := strings.ToLower(body + "\n" + hdr.String())
	var out []string
	for _, s := range f.secrets {
		if strings.Contains(all, strings.ToLower(s)) {
			out = append(out, s)
		}
	}
	return out
}

// walkPaths fills a GET route template with every value a blind client
// could put there: candidate letters, unit references, the ids of runs, the
// profile and the import, kinds, problem slugs, account names. A route
// added later with any of these parameters is walked without a change
// here; a parameter name unknown here fails the test, so it gets a value.
func (f *blindFixture) walkPaths(t *testing.T, route string) []string {
	values := map[string][]string{
		"code":     {"A", "B", "C", "D", "E", "F"},
		"serial":   {"unit-1", "unit-2"},
		"id":       {f.batteryRun, f.chamberRun, f.xsRun, f.retractedRun, f.profileID, f.importID, f.trialID},
		"kind":     {"drop", "temperature", "ingress", "battery", "units"},
		"slug":     {"not-found", "validation"},
		"name":     {"eve", "ada"},
		"incident": {f.incidentID, "no-such-incident"},
	}
	paths := []string{""}
	for _, seg := range strings.Split(strings.TrimPrefix(route, "/"), "/") {
		var next []string
		for _, p := range paths {
			switch {
			case strings.HasPrefix(seg, "*"):
				next = append(next, p+"/app.css")
			case strings.HasPrefix(seg, ":"):
				vs, ok := values[seg[1:]]
				if !ok {
					t.Errorf("route %s: no blind values for parameter %s; add them to walkPaths", route, seg)
				}
				for _, v := range vs {
					next = append(next, p+"/"+v)
				}
			default:
				next = append(next, p+"/"+seg)
			}
		}
		paths = next
	}
	if len(paths) == 1 && paths[0] == "" {
		paths[0] = "/"
	}
	return paths
}

// blindQueries are added to every route without an id parameter, so
// filters, selections and exports are walked too.
var blindQueries = []string{"", "?kind=drop", "?kind=battery&handsets=A,B", "?kind=ingress&handset=A", "?handset=A&unit=unit-1", "?blind=0", "?limit=2"}

// TestBlindWalksEveryRoute: as a blind evaluator on the demo tender, every
// GET route of the router (so a route added later is walked too) answers
// with no code, name, manufacturer or serial in its body or headers, and
// never a 500; the masker's safety net never had to catch anything.
func TestBlindWalksEveryRoute(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newBlindFixture(t, e)
			if strings.Join(f.letters, ",") != "A,B,C,D,E,F" {
				t.Errorf("blind handset list names %v, want the letters A…F", f.letters)
			}
			routes := f.engine.Routes()
			slices.SortFunc(routes, func(a, b gin.RouteInfo) int { return strings.Compare(a.Path, b.Path) })
			walked, statuses := 0, map[int]int{}
			byRoute := map[string]map[int]bool{} // route → statuses seen, for the record of what masks and what refuses
			for _, r := range routes {
				if r.Method != http.MethodGet {
					continue
				}
				for _, p := range f.walkPaths(t, r.Path) {
					queries := blindQueries
					if strings.Contains(r.Path, ":id") || strings.Contains(r.Path, "*") || strings.HasPrefix(r.Path, "/problems") {
						queries = blindQueries[:1]
					}
					for _, q := range queries {
						resp, body := f.get(t, p+q, f.as(models.Evaluator)...)
						walked++
						statuses[resp.StatusCode]++
						if byRoute[r.Path] == nil {
							byRoute[r.Path] = map[int]bool{}
						}
						byRoute[r.Path][resp.StatusCode] = true
						if resp.StatusCode >= 500 {
							t.Errorf("GET %s%s (%s): %d\n%.300s", p, q, r.Path, resp.StatusCode, body)
						}
						if l := f.leaks(resp, body); len(l) > 0 {
							t.Errorf("GET %s%s (%s) %d reveals %q\n%.2000s", p, q, r.Path, resp.StatusCode, l, body)
						}
					}
				}
			}
			t.Logf("%d blind GETs over %d routes: statuses %v", walked, len(routes), statuses)
			var table []string
			for route, seen := range byRoute {
				table = append(table, fmt.Sprintf("%s %v", route, slices.Sorted(maps.Keys(seen))))
			}
			slices.Sort(table)
			t.Logf("statuses by route:\n%s", strings.Join(table, "\n"))
			if statuses[http.StatusOK] < walked/3 {
				t.Errorf("only %d of %d blind GETs answered 200: the walk is not reaching the data", statuses[http.StatusOK], walked)
			}
			if bytes.Contains(f.log.Bytes(), []byte("blind leak caught")) {
				t.Errorf("the masker's safety net caught a leak the masking missed:\n%s", f.log.Bytes())
			}
		})
	}
}

// TestBlindAPIMasks: the API names candidates by their letters and units
// by unit-N, and those references work both ways, so blind pages and API
// answers link up; technicians still see codes.
func TestBlindAPIMasks(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newBlindFixture(t, e)
			var h map[string]any
			resp, body := f.get(t, "/api/v1/handsets/A", f.as(models.Evaluator)...)
			if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &h) != nil || h["code"] != "A" || h["name"] != "Candidate A" {
				t.Fatalf("blind GET /api/v1/handsets/A: %d %s", resp.StatusCode, body)
			}
			resp, body = f.get(t, "/api/v1/handsets/A/units", f.as(models.Evaluator)...)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"serial":"unit-1"`) {
				t.Fatalf("blind units of A: %d %s", resp.StatusCode, body)
			}
			if resp, body = f.get(t, "/api/v1/handsets/A/units/unit-1", f.as(models.Evaluator)...); resp.StatusCode != http.StatusOK {
				t.Fatalf("blind GET unit-1 of A: %d %s", resp.StatusCode, body)
			}
			resp, body = f.get(t, "/api/v1/runs?handset=A&limit=5", f.as(models.Evaluator)...)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"handset":"A"`) {
				t.Fatalf("blind runs of A: %d %s", resp.StatusCode, body)
			}
			// The page of the letter the API gave is the same candidate's.
			if resp, _ := f.get(t, "/handsets/A", f.as(models.Evaluator)...); resp.StatusCode != http.StatusOK {
				t.Fatalf("blind page /handsets/A: %d", resp.StatusCode)
			}
			// A page of two in code order would tell which letters have the
			// first codes: a blind list is whole, in letter order.
			var hl struct {
				Items []struct {
					Code string `json:"code"`
				} `json:"items"`
				NextCursor *string `json:"next_cursor"`
			}
			_, body = f.get(t, "/api/v1/handsets?limit=2", f.as(models.Evaluator)...)
			if err := json.Unmarshal([]byte(body), &hl); err != nil || len(hl.Items) != len(f.letters) || hl.NextCursor != nil {
				t.Fatalf("blind ?limit=2 handset list: want all %d letters and no cursor: %.500s", len(f.letters), body)
			}
			for i, it := range hl.Items {
				if it.Code != f.letters[i] {
					t.Errorf("blind handset list item %d is %q, want %q (letter order)", i, it.Code, f.letters[i])
				}
			}
			if _, body := f.get(t, "/api/v1/handsets?limit=100", f.as(models.Technician)...); !strings.Contains(body, "atlas-r1") {
				t.Errorf("a technician's handset list is masked: %.300s", body)
			}
			// Unmasking every profile unmasks the API too.
			ps, _, err := f.st.Profiles(context.Background(), store.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/profiles/"+p.ID+"/unmask", nil)
				req.Header.Set("Authorization", "Bearer "+f.tokens[models.Admin])
				client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			if _, body := f.get(t, "/api/v1/handsets?limit=100", f.as(models.Evaluator)...); !strings.Contains(body, "atlas-r1") {
				t.Errorf("after unmasking every profile the evaluator's API is still blind: %.300s", body)
			}
		})
	}
}

var requestIDField = regexp.MustCompile(`"request_id":"[^"]*"`)

// TestBlindCannotGuess: a real code or serial in a blind request gets the
// very answer (status, body shape, text) a code that does not exist gets.
func TestBlindCannotGuess(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newBlindFixture(t, e)
			for _, tc := range []struct{ real, fake string }{
				{"/api/v1/handsets/atlas-r1", "/api/v1/handsets/nosuch-r9"},
				{"/api/v1/handsets/atlas-r1/units", "/api/v1/handsets/nosuch-r9/units"},
				{"/api/v1/handsets/A/units/ATL-0001", "/api/v1/handsets/A/units/NOS-0001"},
				{"/api/v1/runs?handset=atlas-r1", "/api/v1/runs?handset=nosuch-r9"},
				{"/api/v1/compare?kind=drop&handsets=atlas-r1", "/api/v1/compare?kind=drop&handsets=nosuch-r9"},
				{"/handsets/atlas-r1", "/handsets/nosuch-r9"},
				{"/compare?kind=drop&handsets=atlas-r1", "/compare?kind=drop&handsets=nosuch-r9"},
			} {
				r1, b1 := f.get(t, tc.real, f.as(models.Evaluator)...)
				r2, b2 := f.get(t, tc.fake, f.as(models.Evaluator)...)
				norm := func(b, tok string) string {
					b = requestIDField.ReplaceAllString(b, `"request_id":""`)
					b = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f-]{27}|\b[0-9a-f]{24}\b`).ReplaceAllString(b, "ID")
					return strings.ReplaceAll(strings.ReplaceAll(b, tok, "TOKEN"), "nosuch-r9", "TOKEN")
				}
				realTok, fakeTok := "atlas-r1", "nosuch-r9"
				if strings.Contains(tc.real, "ATL-0001") {
					realTok, fakeTok = "ATL-0001", "NOS-0001"
				}
				if r1.StatusCode != r2.StatusCode || r1.Header.Get("Location") != strings.ReplaceAll(r2.Header.Get("Location"), fakeTok, realTok) ||
					norm(b1, realTok) != norm(b2, fakeTok) {
					t.Errorf("GET %s answers unlike GET %s:\n%d %s\n%d %s", tc.real, tc.fake, r1.StatusCode, b1, r2.StatusCode, b2)
				}
				if r1.StatusCode == http.StatusOK && strings.HasPrefix(tc.real, "/api/") && strings.Contains(tc.real, "/handsets/atlas") {
					t.Errorf("GET %s found the real candidate", tc.real)
				}
			}
		})
	}
}

// Bytes is what the server logged so far.
func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}
