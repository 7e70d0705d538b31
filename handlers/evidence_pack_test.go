package handlers_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

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
		for _, want := range []string{"matrix.json", "matrix.csv", "profile.json", "runs/" + run + ".json", "runs/" + run + ".revisions.csv", "runs/drop.csv", "attachments.json"} {
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
