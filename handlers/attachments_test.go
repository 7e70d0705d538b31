package handlers_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/thumbs"
)

func multipartFile(t testing.TB, name string, content []byte) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	w.Close()
	return w.FormDataContentType(), b.Bytes()
}

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "attachments", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The sniffer reads the bytes, never the name.
func TestSniffAttachmentSamples(t *testing.T) {
	for name, want := range map[string]string{"drop-crack.jpg": models.MediaJPEG, "screen.png": models.MediaPNG,
		"ingress.webp": models.MediaWebP, "chamber-report.pdf": models.MediaPDF, "page.html.jpg": "", "drawing.svg": "", "empty.jpg": ""} {
		if got := models.SniffAttachment(sample(t, name)); got != want {
			t.Errorf("SniffAttachment(%s) = %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{"drop-crack.jpg", "screen.png", "ingress.webp"} {
		th, err := thumbs.Make(sample(t, name))
		if err != nil {
			t.Fatalf("thumbs.Make(%s): %v", name, err)
		}
		img, err := jpeg.Decode(bytes.NewReader(th))
		if err != nil {
			t.Fatalf("thumbnail of %s is not a JPEG: %v", name, err)
		}
		if b := img.Bounds(); max(b.Dx(), b.Dy()) > thumbs.Size {
			t.Errorf("thumbnail of %s is %v", name, b)
		}
	}
}

func TestAttachments(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newAuthAPI(t, e, func(s *handlers.Server) { s.MaxAttachment = 64 << 10 })
			tom, ada := a.as(techName), a.as(adminName)
			a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset), ada...)
			a.must(t, 201, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`, ada...)
			id := object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", nil), tom...))["id"].(string)
			path := "/api/v1/runs/" + id + "/attachments"
			post := func(name string, content []byte) response {
				ct, body := multipartFile(t, name, content)
				return a.call(t, "POST", path, string(body), append([]string{"Content-Type", ct}, tom...)...)
			}
			photo := sample(t, "drop-crack.jpg")
			r := post("drop-crack.jpg", photo)
			if r.Status != 201 {
				t.Fatalf("upload: %d\n%s", r.Status, r.Body)
			}
			got := object(t, r)
			sum := sha256.Sum256(photo)
			wantFields(t, got, map[string]any{"sha256": hex.EncodeToString(sum[:]), "media_type": "image/jpeg", "bytes": float64(len(photo)),
				"name": "drop-crack.jpg", "recorded_by": techName, "status": "active", "has_thumbnail": true, "run": id})
			attID := got["id"].(string)
			pdf := post("report.bin", sample(t, "chamber-report.pdf"))
			if pdf.Status != 201 || object(t, pdf)["media_type"] != "application/pdf" || object(t, pdf)["has_thumbnail"] != false {
				t.Errorf("pdf upload: %d %s", pdf.Status, pdf.Body)
			}
			before := string(a.must(t, 200, "GET", path, "", tom...).Body)
			wantProblem(t, post("page.html.jpg", sample(t, "page.html.jpg")), 415, "file")
			wantProblem(t, post("drawing.svg", sample(t, "drawing.svg")), 415, "file")
			wantProblem(t, post("empty.jpg", nil), 422, "file")
			big := append(append([]byte{}, photo...), bytes.Repeat([]byte{0}, 70<<10)...)
			wantProblem(t, post("big.jpg", big), 413, "file")
			if string(a.must(t, 200, "GET", path, "", tom...).Body) != before {
				t.Error("a refused upload changed something")
			}
			list := decodeList(t, a.must(t, 200, "GET", path, "", tom...))
			if len(list.Items) != 2 {
				t.Fatalf("list = %v", list.Items)
			}

			// Over the limit by Content-Length: 413 before the body is read.
			req := httptest.NewRequest("POST", path, &neverRead{t: t})
			req.ContentLength = 10 << 20
			req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
			req.Header.Set("Authorization", tom[1])
			rec := httptest.NewRecorder()
			a.h.ServeHTTP(rec, req)
			if rec.Code != 413 || !strings.Contains(rec.Header().Get("Content-Type"), "problem+json") {
				t.Errorf("declared 10 MiB: %d %s", rec.Code, rec.Body)
			}

			dl := a.must(t, 200, "GET", "/api/v1/attachments/"+attID, "", tom...)
			if !bytes.Equal(dl.Body, photo) || dl.Header.Get("Content-Type") != "image/jpeg" || dl.Header.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.HasPrefix(dl.Header.Get("Content-Disposition"), `attachment; filename="drop-crack.jpg"`) {
				t.Errorf("download: %d bytes, headers %v", len(dl.Body), dl.Header)
			}
			th := a.must(t, 200, "GET", "/api/v1/attachments/"+attID+"/thumbnail", "", tom...)
			if _, err := jpeg.Decode(bytes.NewReader(th.Body)); err != nil {
				t.Errorf("thumbnail: %v", err)
			}
			page := string(a.must(t, 200, "GET", "/runs/"+id, "", tom...).Body)
			if !strings.Contains(page, fmt.Sprintf(`src="/api/v1/attachments/%s/thumbnail"`, attID)) || !strings.Contains(page, "report.bin") {
				t.Errorf("run page lacks the attachments:\n%.3000s", page)
			}
			// Retracted, never deleted.
			wantProblem(t, a.call(t, "POST", "/api/v1/attachments/"+attID+"/retraction", `{"reason": ""}`, tom...), 422, "reason")
			ret := object(t, a.must(t, 200, "POST", "/api/v1/attachments/"+attID+"/retraction", `{"reason": "wrong unit photographed"}`, tom...))
			if ret["status"] != "retracted" || ret["retract_reason"] != "wrong unit photographed" || ret["retracted_by"] != techName {
				t.Errorf("retracted = %v", ret)
			}
			a.must(t, 409, "POST", "/api/v1/attachments/"+attID+"/retraction", `{"reason": "again and again"}`, tom...)
			if dl := a.must(t, 200, "GET", "/api/v1/attachments/"+attID, "", tom...); !bytes.Equal(dl.Body, photo) {
				t.Error("a retracted attachment's bytes are gone")
			}
			a.must(t, 404, "GET", "/api/v1/attachments/nope", "", tom...)
			a.must(t, 404, "POST", "/api/v1/runs/nope/attachments", "", append([]string{"Content-Type", "multipart/form-data; boundary=x"}, tom...)...)
		})
	}
}

// neverRead fails the test if the handler reads the body.
type neverRead struct{ t *testing.T }

func (n *neverRead) Read([]byte) (int, error) {
	n.t.Error("the body was read although Content-Length is over the limit")
	return 0, http.ErrBodyReadAfterClose
}
