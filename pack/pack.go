// Package pack builds and checks evidence packs (issue #13 item 4): a zip
// whose manifest.json lists every other file with its SHA-256 and size,
// and whose manifest.sig is the Ed25519 signature of manifest.json's
// exact bytes. It is pure: files and a key in, bytes out; Verify needs
// nothing but the zip (and, to check who signed, the public key).
package pack

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// File is one file of a pack.
type File struct {
	Path    string
	Content []byte
}

// Manifest is manifest.json.
type Manifest struct {
	Format    string      `json:"format"` // "ruggedlab-evidence-pack/1"
	Title     string      `json:"title"`
	CreatedAt time.Time   `json:"created_at"`
	PublicKey string      `json:"public_key"` // base64 Ed25519 key that signed it
	Files     []Manifest1 `json:"files"`
}

// Manifest1 is one file's entry.
type Manifest1 struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// Format names the pack layout.
const Format = "ruggedlab-evidence-pack/1"

// Names of the signed files at the root of a pack.
const (
	ManifestName  = "manifest.json"
	SignatureName = "manifest.sig"
)

// Build writes the zip: manifest.json, manifest.sig, then files in order.
func Build(title string, created time.Time, files []File, key ed25519.PrivateKey) ([]byte, error) {
	m := Manifest{Format: Format, Title: title, CreatedAt: created.UTC(),
		PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)), Files: []Manifest1{}}
	seen := map[string]bool{ManifestName: true, SignatureName: true}
	for _, f := range files {
		if seen[f.Path] {
			return nil, fmt.Errorf("pack: %s twice", f.Path)
		}
		seen[f.Path] = true
		sum := sha256.Sum256(f.Content)
		m.Files = append(m.Files, Manifest1{Path: f.Path, SHA256: hex.EncodeToString(sum[:]), Bytes: len(f.Content)})
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(key, mb))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	write := func(name string, b []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: created.UTC()})
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	if err := write(ManifestName, mb); err != nil {
		return nil, err
	}
	if err := write(SignatureName, []byte(sig+"\n")); err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := write(f.Path, f.Content); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Problem is one thing wrong with a pack, naming the file.
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// Verify checks every hash and the signature of the pack in data. With
// key nil, the signature is checked against the key the manifest names
// (integrity only: anyone can make a key); with key, the manifest must
// name that key. It returns the manifest and every problem found (none
// when the pack holds).
func Verify(data []byte, key ed25519.PublicKey) (Manifest, []Problem, error) {
	var m Manifest
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return m, nil, fmt.Errorf("not a zip file: %w", err)
	}
	contents := map[string][]byte{}
	var problems []Problem
	var order []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			problems = append(problems, Problem{f.Name, "cannot be read: " + err.Error()})
			continue
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			// A flipped byte in a deflated file usually shows here, as a
			// checksum or a corrupt stream error.
			problems = append(problems, Problem{f.Name, "is damaged: " + err.Error()})
			contents[f.Name] = nil
			continue
		}
		if _, dup := contents[f.Name]; dup {
			problems = append(problems, Problem{f.Name, "is in the zip twice"})
		}
		contents[f.Name] = b
		order = append(order, f.Name)
	}
	mb, ok := contents[ManifestName]
	if !ok || mb == nil {
		return m, append(problems, Problem{ManifestName, "is missing or unreadable"}), nil
	}
	if err := json.Unmarshal(mb, &m); err != nil {
		return m, append(problems, Problem{ManifestName, "is not valid JSON: " + err.Error()}), nil
	}
	signer, err := base64.StdEncoding.DecodeString(m.PublicKey)
	if err != nil || len(signer) != ed25519.PublicKeySize {
		problems = append(problems, Problem{ManifestName, "names no valid Ed25519 public key"})
		signer = nil
	}
	if key != nil && signer != nil && !bytes.Equal(signer, key) {
		problems = append(problems, Problem{ManifestName, "is signed by another key than the one given (--key)"})
	}
	check := key
	if check == nil {
		check = signer
	}
	sig, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(contents[SignatureName])))
	switch {
	case err != nil || len(sig) != ed25519.SignatureSize:
		problems = append(problems, Problem{SignatureName, "is missing or not an Ed25519 signature"})
	case check != nil && !ed25519.Verify(check, mb, sig):
		problems = append(problems, Problem{ManifestName, "does not match its signature (manifest.sig): the manifest was changed"})
	}
	listed := map[string]bool{ManifestName: true, SignatureName: true}
	for _, f := range m.Files {
		listed[f.Path] = true
		b, ok := contents[f.Path]
		switch {
		case !ok:
			problems = append(problems, Problem{f.Path, "is listed in the manifest but missing"})
		case b == nil:
			// already named as damaged
		default:
			sum := sha256.Sum256(b)
			if hex.EncodeToString(sum[:]) != f.SHA256 || len(b) != f.Bytes {
				problems = append(problems, Problem{f.Path, "differs from the manifest (SHA-256 or size)"})
			}
		}
	}
	for _, name := range order {
		if !listed[name] {
			problems = append(problems, Problem{name, "is not listed in the manifest"})
		}
	}
	slices.SortStableFunc(problems, func(a, b Problem) int {
		if a.Path < b.Path {
			return -1
		}
		if a.Path > b.Path {
			return 1
		}
		return 0
	})
	return m, problems, nil
}

// ParseKey reads a base64 Ed25519 public key (as GET /api/v1/signing-key
// and "ruggedlab signing-key" print it).
func ParseKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("not a base64 Ed25519 public key (32 bytes)")
	}
	return ed25519.PublicKey(b), nil
}

// Fingerprint is the first 16 hex digits of the key's SHA-256.
func Fingerprint(key ed25519.PublicKey) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:8])
}
