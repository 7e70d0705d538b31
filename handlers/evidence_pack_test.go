package handlers_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/internal/pdftext"
	"ruggedlab/internal/testdb"
	"ruggedlab/pack"
)

// A pack round trip on both stores: build over HTTP, verify with the
// instance key, flip a byte, verification names the file.
func TestEvidencePackRoundTrip(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		tom, ada := a.as(techName), a.as(adminName)
		a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset), ada...)
		a.must(t, 201, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`, ada...)
		prof := object(t, a.must(t, 201, "POST", "/api/v1/profiles", `{"name": "tender", "requirements": [{"key": "drop", "kind": "drop", "decision": {"rule": "all_units"}}]}`, ada...))
		pid := prof["id"].(string)
		// No evidence yet: a pack that says so, not a 500.
		empty := a.must(t, 200, "GET", "/profiles/"+pid+"/evidence-pack.zip", "", tom...)
		if _, problems, err := pack.Verify(empty.Body, nil); err != nil || len(problems) > 0 {
			t.Fatalf("empty pack: %v %v", problems, err)
		}
		run := object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", nil), tom...))["id"].(string)
		ct, body := multipartFile(t, "crack.jpg", sample(t, "drop-crack.jpg"))
		a.must(t, 201, "POST", "/api/v1/runs/"+run+"/attachments", string(body), append([]string{"Content-Type", ct}, tom...)...)

		resp := a.must(t, 200, "GET", "/profiles/"+pid+"/evidence-pack.zip", "", tom...)
		if resp.Header.Get("Content-Type") != "application/zip" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
			t.Errorf("headers %v", resp.Header)
		}
		keyJSON := object(t, a.must(t, 200, "GET", "/api/v1/signing-key", "", tom...))
		key, err := pack.ParseKey(keyJSON["public_key"].(string))
		if err != nil {
			t.Fatal(err)
		}
		m, problems, err := pack.Verify(resp.Body, key)
		if err != nil || len(problems) > 0 {
			t.Fatalf("pack: %v %v", problems, err)
		}
		paths := map[string]bool{}
		for _, f := range m.Files {
			paths[f.Path] = true
		}
		for _, want := range []string{"matrix.json", "matrix.csv", "profile.json", "report.pdf", "runs/" + run + ".json", "runs/" + run + ".revisions.csv", "runs/drop.csv", "attachments.json"} {
			if !paths[want] {
				t.Errorf("pack lacks %s: %v", want, paths)
			}
		}
		var att string
		for p := range paths {
			if strings.HasPrefix(p, "attachments/"+run+"/") {
				att = p
			}
		}
		if att == "" {
			t.Fatalf("no attachment in the pack: %v", paths)
		}
		zr, _ := zip.NewReader(bytes.NewReader(resp.Body), int64(len(resp.Body)))
		for _, f := range zr.File {
			if f.Name != att {
				continue
			}
			off, _ := f.DataOffset()
			bad := bytes.Clone(resp.Body)
			bad[off+int64(f.CompressedSize64/2)] ^= 0x01
			_, problems, _ := pack.Verify(bad, key)
			if len(problems) == 0 || problems[0].Path != att {
				t.Errorf("a flipped byte in %s: %v", att, problems)
			}
		}
	})
}

// TestEvidencePackListsEveryRun: matrix cells list a unit's latest 50 runs
// (api.md §13.1); the pack still carries every counted run.
func TestEvidencePackListsEveryRun(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		tom, ada := a.as(techName), a.as(adminName)
		a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset), ada...)
		a.must(t, 201, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`, ada...)
		pid := object(t, a.must(t, 201, "POST", "/api/v1/profiles", `{"name": "tender", "requirements": [{"key": "drop", "kind": "drop", "decision": {"rule": "all_units"}}]}`, ada...))["id"].(string)
		const n = 55
		ids := map[string]bool{}
		for range n {
			ids[object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", nil), tom...))["id"].(string)] = true
		}
		resp := a.must(t, 200, "GET", "/profiles/"+pid+"/evidence-pack.zip", "", tom...)
		m, problems, err := pack.Verify(resp.Body, nil)
		if err != nil || len(problems) > 0 {
			t.Fatalf("pack: %v %v", problems, err)
		}
		packed := 0
		for _, f := range m.Files {
			id, ok := strings.CutSuffix(strings.TrimPrefix(f.Path, "runs/"), ".revisions.csv")
			if ok && ids[id] {
				packed++
			}
		}
		if packed != n {
			t.Errorf("the pack carries %d of the %d counted runs", packed, n)
		}
		var mx struct {
			Rows []struct {
				Cells []struct {
					Runs      []string `json:"runs"`
					RunsTotal int      `json:"runs_total"`
				} `json:"cells"`
			} `json:"rows"`
		}
		if err := json.Unmarshal(a.must(t, 200, "GET", "/api/v1/profiles/"+pid+"/matrix", "", tom...).Body, &mx); err != nil || len(mx.Rows) == 0 || len(mx.Rows[0].Cells) == 0 {
			t.Fatalf("matrix: %v %+v", err, mx)
		}
		if c := mx.Rows[0].Cells[0]; len(c.Runs) != 50 || c.RunsTotal != n {
			t.Errorf("matrix cell lists %d runs of %d", len(c.Runs), c.RunsTotal)
		}
	})
}

// The demo profile's pack holds its test report (whose annex names every
// counted run) and, the demo having a scoring scheme, the award exports.
func TestEvidencePackDemo(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newPagesFixture(t, e, func(s *handlers.Server) { s.Lab = reportLab })
			resp, body := f.get(t, "/profiles/"+f.profileID+"/evidence-pack.zip")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("pack: %d %.300s", resp.StatusCode, body)
			}
			m, problems, err := pack.Verify([]byte(body), nil)
			if err != nil || len(problems) > 0 {
				t.Fatalf("pack: %v %v", problems, err)
			}
			files := map[string][]byte{}
			zr, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
			if err != nil {
				t.Fatal(err)
			}
			for _, zf := range zr.File {
				rc, _ := zf.Open()
				var b bytes.Buffer
				b.ReadFrom(rc)
				rc.Close()
				files[zf.Name] = b.Bytes()
			}
			listed := map[string]bool{}
			for _, mf := range m.Files {
				listed[mf.Path] = true
			}
			for _, want := range []string{"report.pdf", "award.json", "award.csv", "README.txt",
				"trials/" + f.trialID + ".json", "trials/" + f.trialID + ".incidents.csv"} {
				if !listed[want] {
					t.Errorf("the manifest does not list %s", want)
				}
			}
			pages, err := pdftext.Pages(files["report.pdf"])
			if err != nil {
				t.Fatalf("report.pdf: %v", err)
			}
			text := strings.Join(pages, " ")
			id := reportIDPattern.FindString(text)
			if id == "" || !strings.Contains(string(files["README.txt"]), id) {
				t.Errorf("report id %q not in README.txt:\n%s", id, files["README.txt"])
			}
			incidents, err := csv.NewReader(bytes.NewReader(files["trials/"+f.trialID+".incidents.csv"])).ReadAll()
			if err != nil || len(incidents) < 2 {
				t.Fatalf("incidents.csv: %d rows, %v", len(incidents), err)
			}
			if h := strings.Join(incidents[0], ","); !strings.Contains(h, "status") || !strings.Contains(h, "review_state,review_by,review_at,review_reason") {
				t.Errorf("incidents.csv header %q lacks status and review", h)
			}
			states := map[string]int{}
			for _, row := range incidents[1:] {
				states[row[13]]++
			}
			if states["recorded"]+states["verified"]+states["rejected"] != len(incidents)-1 {
				t.Errorf("incidents.csv review states %v", states)
			}
			if !strings.Contains(string(files["README.txt"]), "Field trials: 1") {
				t.Errorf("README.txt does not name the field trials:\n%s", files["README.txt"])
			}
			for _, want := range []string{reportLab.Name, "Annex: the runs counted", f.retractedRun, "Field incidents and their review"} {
				if !strings.Contains(text, want) {
					t.Errorf("the pack's report lacks %q", want)
				}
			}
			for p := range listed {
				if strings.HasPrefix(p, "runs/") && strings.HasSuffix(p, ".json") {
					if rid := strings.TrimSuffix(strings.TrimPrefix(p, "runs/"), ".json"); !strings.Contains(text, rid) {
						t.Errorf("the report's annex lacks counted run %s", rid)
					}
				}
			}
			if !strings.Contains(string(files["award.csv"]), "atlas-r1") || !strings.Contains(string(files["award.json"]), `"candidates"`) {
				t.Errorf("award exports: %.200s / %.200s", files["award.csv"], files["award.json"])
			}
			t.Logf("demo pack: %d bytes, %d files; report.pdf %d bytes, %d pages", len(body), len(m.Files), len(files["report.pdf"]), len(pages))
		})
	}
}
