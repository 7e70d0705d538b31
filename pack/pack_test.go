package pack_test

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"ruggedlab/pack"
)

func build(t *testing.T) ([]byte, ed25519.PublicKey) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	files := []pack.File{{Path: "runs/r1.json", Content: []byte(`{"id":"r1","worst_severity":3}`)},
		{Path: "attachments/a1-photo.jpg", Content: bytes.Repeat([]byte{0xFF, 0xD8, 0xFF, 7}, 300)}}
	z, err := pack.Build("t", time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), files, priv)
	if err != nil {
		t.Fatal(err)
	}
	return z, pub
}

// Build, verify, flip one byte, verify fails naming the file.
func TestRoundTrip(t *testing.T) {
	z, pub := build(t)
	m, problems, err := pack.Verify(z, pub)
	if err != nil || len(problems) != 0 || len(m.Files) != 2 {
		t.Fatalf("fresh pack: %v %v %d files", problems, err, len(m.Files))
	}
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	if _, problems, _ := pack.Verify(z, other); len(problems) == 0 {
		t.Error("a pack verified against another key")
	}
	// Flip one byte inside each stored file's data in turn.
	zr, _ := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	for _, f := range zr.File {
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		bad := bytes.Clone(z)
		bad[off+int64(f.CompressedSize64/2)] ^= 0x01
		_, problems, err := pack.Verify(bad, pub)
		if err != nil {
			t.Fatalf("%s flipped: %v", f.Name, err)
		}
		named := false
		for _, p := range problems {
			if p.Path == f.Name || (f.Name == pack.SignatureName && p.Path == pack.ManifestName) {
				named = true
			}
		}
		if !named {
			t.Errorf("flipping a byte of %s: problems %v do not name it", f.Name, problems)
		}
	}
	// A file replaced with the same length and a valid zip: the hash names it.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		c := b.Bytes()
		if f.Name == "runs/r1.json" {
			c = bytes.Replace(c, []byte("3"), []byte("1"), 1)
		}
		w, _ := zw.Create(f.Name)
		w.Write(c)
	}
	zw.Close()
	_, problems, _ = pack.Verify(buf.Bytes(), pub)
	if len(problems) != 1 || problems[0].Path != "runs/r1.json" || !strings.Contains(problems[0].Message, "differs") {
		t.Errorf("an edited run: %v", problems)
	}
}
