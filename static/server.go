package static

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// Cache policies. Versioned URLs never change meaning, so browsers may keep
// them for a year without revalidating. /favicon.ico has no version in its
// URL, so it gets a day and revalidation by ETag.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheFavicon   = "public, max-age=86400"
)

// Server serves the embedded assets. It is safe for concurrent use; build one
// at start-up with [New] and share it.
type Server struct {
	version string
	assets  map[string]*asset // by path inside the embed.FS
}

// New reads the embedded tree once, checksums every file and picks its
// Content-Type. It returns an error if a file has an extension without a
// known type, so that a new kind of asset is never served as a guess.
func New() (*Server, error) {
	s := &Server{version: Version(), assets: map[string]*asset{}}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		ctype, ok := contentType(name)
		if !ok {
			return fmt.Errorf("static: no content type for %q", name)
		}
		sum := sha256.Sum256(data)
		s.assets[name] = &asset{
			data:  data,
			ctype: ctype,
			etag:  hex.EncodeToString(sum[:8]),
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ServeHTTP serves GET and HEAD for Prefix+version+"/"+name and for
// FaviconPath. Anything else is 404 with "Cache-Control: no-store":
//
//   - an unknown name;
//   - a well-formed URL with another version. Such a URL comes from a page
//     rendered by a different build (open in a tab across an upgrade). A
//     redirect to the current version would hand that page assets it was not
//     written against, and would hide a template that builds URLs by hand;
//     a 404 shows the problem in the browser tests instead.
//
// Responses carry Content-Type, Content-Length, ETag, Cache-Control and
// "X-Content-Type-Options: nosniff"; text assets are gzipped when the client
// accepts it (and carry "Vary: Accept-Encoding" either way). Conditional and
// range requests are handled by http.ServeContent.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	a, cache := s.lookup(r.URL.Path)
	if a == nil {
		w.Header().Set("Cache-Control", "no-store")
		http.NotFound(w, r)
		return
	}

	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", cache)
	h.Set("X-Content-Type-Options", "nosniff")
	body, etag := a.data, a.etag
	if a.compressible() {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			if gz := a.gzipped(); gz != nil {
				// A different representation needs a different strong ETag.
				body, etag = gz, a.etag+"-gzip"
				h.Set("Content-Encoding", "gzip")
			}
		}
	}
	h.Set("ETag", `"`+etag+`"`)
	// No modification time: embedded files have none, and the ETag is the
	// validator. ServeContent then omits Last-Modified.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// lookup maps a URL path to an asset and its cache policy, or returns nil.
func (s *Server) lookup(urlPath string) (*asset, string) {
	if urlPath == FaviconPath {
		return s.assets["favicon.ico"], cacheFavicon
	}
	rest, ok := strings.CutPrefix(urlPath, Prefix)
	if !ok {
		return nil, ""
	}
	v, name, ok := strings.Cut(rest, "/")
	if !ok || v != s.version {
		return nil, ""
	}
	// The map holds only clean embed paths, so "..", "//" and the like
	// simply miss; no file system is touched.
	return s.assets[name], cacheImmutable
}

// contentType returns the Content-Type for an embedded file. The table is
// explicit rather than mime.TypeByExtension, whose answers depend on the
// host's /etc/mime.types.
func contentType(name string) (string, bool) {
	base := path.Base(name)
	switch strings.ToLower(path.Ext(base)) {
	case ".css":
		return "text/css; charset=utf-8", true
	case ".js":
		return "text/javascript; charset=utf-8", true
	case ".svg":
		return "image/svg+xml", true
	case ".ico":
		return "image/x-icon", true
	case ".png":
		return "image/png", true
	case ".md", ".txt":
		return "text/plain; charset=utf-8", true
	case "":
		// LICENSE, NOTICE and friends.
		if base == strings.ToUpper(base) || strings.HasPrefix(base, "LICENSE") {
			return "text/plain; charset=utf-8", true
		}
	}
	return "", false
}
