package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func newServer(t *testing.T) *Server {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func get(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestVersionAndPath(t *testing.T) {
	if !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(Version()) {
		t.Fatalf("Version() = %q, want 8 hex digits", Version())
	}
	if got, want := Path("app.css"), "/static/"+Version()+"/app.css"; got != want {
		t.Errorf("Path(app.css) = %q, want %q", got, want)
	}
	if got := EChartsPath(); !strings.HasSuffix(got, "/vendor/echarts-5.6.0/echarts.min.js") {
		t.Errorf("EChartsPath() = %q", got)
	}
}

func TestPathPanicsOnUnknownAsset(t *testing.T) {
	for _, name := range []string{"app.cs", "", "/app.css", "../go.mod", "vendor", "vendor/echarts-5.6.0"} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Path(%q) did not panic", name)
				}
			}()
			Path(name)
		})
	}
}

// The hash is what the README promises; a silent swap of the vendored file
// (or a botched re-download) fails here.
func TestVendoredEChartsChecksum(t *testing.T) {
	data, err := fs.ReadFile(files, echartsFile)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if got, want := hex.EncodeToString(sum[:]), "bf4a223524e40b77c304bec67e1222cf551f14880cf42c69dc046558e11c07b1"; got != want {
		t.Fatalf("sha256(%s) = %s, want %s", echartsFile, got, want)
	}
	for _, name := range []string{"LICENSE", "NOTICE", "LICENSE-d3", "README.md"} {
		if _, err := fs.Stat(files, "vendor/echarts-5.6.0/"+name); err != nil {
			t.Errorf("missing next to echarts.min.js: %v", err)
		}
	}
}

func TestServe(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name      string
		path      string
		wantType  string
		wantCache string
	}{
		{"css", Path("app.css"), "text/css; charset=utf-8", cacheImmutable},
		{"echarts", EChartsPath(), "text/javascript; charset=utf-8", cacheImmutable},
		{"svg", Path("favicon.svg"), "image/svg+xml", cacheImmutable},
		{"ico", Path("favicon.ico"), "image/x-icon", cacheImmutable},
		{"license", Path("vendor/echarts-5.6.0/LICENSE"), "text/plain; charset=utf-8", cacheImmutable},
		{"favicon at root", "/favicon.ico", "image/x-icon", cacheFavicon},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, s, tt.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: status %d", tt.path, rec.Code)
			}
			h := rec.Header()
			checks := map[string]string{
				"Content-Type":           tt.wantType,
				"Cache-Control":          tt.wantCache,
				"X-Content-Type-Options": "nosniff",
			}
			for k, want := range checks {
				if got := h.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if !regexp.MustCompile(`^"[0-9a-f]{16}"$`).MatchString(h.Get("ETag")) {
				t.Errorf("ETag = %q, want a quoted 16-hex-digit tag", h.Get("ETag"))
			}
			if h.Get("Content-Encoding") != "" {
				t.Errorf("Content-Encoding = %q without Accept-Encoding", h.Get("Content-Encoding"))
			}
			if h.Get("Last-Modified") != "" {
				t.Errorf("Last-Modified = %q, want none (ETag is the validator)", h.Get("Last-Modified"))
			}
			if h.Get("Content-Length") == "" {
				t.Error("no Content-Length")
			}
		})
	}
}

func TestEveryEmbeddedFileIsServed(t *testing.T) {
	s := newServer(t)
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		want, _ := fs.ReadFile(files, name)
		rec := get(t, s, Path(name))
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), want) {
			t.Errorf("GET %s: status %d, %d bytes, want 200 and %d bytes", name, rec.Code, rec.Body.Len(), len(want))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestGzipRoundTrip(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name     string
		asset    string
		accept   string
		wantGzip bool
	}{
		{"echarts gzip", echartsFile, "gzip, deflate, br", true},
		{"css gzip", "app.css", "gzip", true},
		{"svg gzip", "favicon.svg", "br;q=1.0, gzip;q=0.8", true},
		{"star", "app.css", "*", true},
		{"gzip refused", "app.css", "gzip;q=0", false},
		{"gzip refused over star", "app.css", "gzip;q=0, *", false},
		{"identity only", "app.css", "identity", false},
		{"ico not compressed", "favicon.ico", "gzip", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := fs.ReadFile(files, tt.asset)
			if err != nil {
				t.Fatal(err)
			}
			rec := get(t, s, Path(tt.asset), "Accept-Encoding", tt.accept)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			gotGzip := rec.Header().Get("Content-Encoding") == "gzip"
			if gotGzip != tt.wantGzip {
				t.Fatalf("Content-Encoding = %q, want gzip=%v", rec.Header().Get("Content-Encoding"), tt.wantGzip)
			}
			body := rec.Body.Bytes()
			if gotGzip {
				if !strings.HasSuffix(rec.Header().Get("ETag"), `-gzip"`) {
					t.Errorf("gzip ETag = %q, want a distinct -gzip tag", rec.Header().Get("ETag"))
				}
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, want) {
				t.Fatalf("body differs from the embedded file (%d vs %d bytes)", len(body), len(want))
			}
		})
	}
}

func TestGzipShrinksECharts(t *testing.T) {
	s := newServer(t)
	rec := get(t, s, EChartsPath(), "Accept-Encoding", "gzip")
	if n := rec.Body.Len(); n > 400_000 {
		t.Errorf("gzipped ECharts is %d bytes, want about 330 KB", n)
	}
	if v := rec.Header().Get("Vary"); v != "Accept-Encoding" {
		t.Errorf("Vary = %q", v)
	}
}

func TestConditionalGet(t *testing.T) {
	s := newServer(t)
	for _, accept := range []string{"", "gzip"} {
		first := get(t, s, Path("app.css"), "Accept-Encoding", accept)
		etag := first.Header().Get("ETag")
		rec := get(t, s, Path("app.css"), "Accept-Encoding", accept, "If-None-Match", etag)
		if rec.Code != http.StatusNotModified {
			t.Errorf("accept %q: If-None-Match %s: status %d, want 304", accept, etag, rec.Code)
		}
		if rec.Header().Get("Cache-Control") != cacheImmutable {
			t.Errorf("304 lost Cache-Control: %q", rec.Header().Get("Cache-Control"))
		}
	}
}

func TestNotFound(t *testing.T) {
	s := newServer(t)
	other := "00000000"
	if Version() == other {
		other = "11111111"
	}
	for _, p := range []string{
		"/static/" + Version() + "/nope.css",
		"/static/" + other + "/app.css", // another build's URL: 404, not redirect
		"/static/app.css",               // no version
		"/static/" + Version() + "/",
		"/static/" + Version() + "/vendor",
		"/static/" + Version() + "/../static.go",
		"/static/" + Version() + "//app.css",
		"/static/" + Version() + "/gen_favicon.go", // not embedded
		"/favicon.svg",
		"/",
	} {
		rec := get(t, s, p)
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, rec.Code)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", p, cc)
		}
	}
}

func TestMethods(t *testing.T) {
	s := newServer(t)
	head := httptest.NewRecorder()
	s.ServeHTTP(head, httptest.NewRequest(http.MethodHead, Path("app.css"), nil))
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: status %d, %d body bytes, Content-Length %q", head.Code, head.Body.Len(), head.Header().Get("Content-Length"))
	}
	post := httptest.NewRecorder()
	s.ServeHTTP(post, httptest.NewRequest(http.MethodPost, Path("app.css"), nil))
	if post.Code != http.StatusMethodNotAllowed || post.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d, Allow %q", post.Code, post.Header().Get("Allow"))
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header []string
		want   bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"deflate", "gzip;q=0.5"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"*;q=0"}, false},
		{[]string{"*;q=0.1"}, true},
		{[]string{"*, gzip;q=0"}, false},
		{[]string{"br, identity"}, false},
		{[]string{"gzip;q=bogus"}, true},
	}
	for _, tt := range tests {
		if got := acceptsGzip(tt.header); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestContentTypeTable(t *testing.T) {
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"a.css", "text/css; charset=utf-8", true},
		{"x/y.JS", "text/javascript; charset=utf-8", true},
		{"LICENSE", "text/plain; charset=utf-8", true},
		{"vendor/x/LICENSE-d3", "text/plain; charset=utf-8", true},
		{"NOTICE", "text/plain; charset=utf-8", true},
		{"Makefile", "", false},
		{"font.woff2", "", false},
	}
	for _, tt := range tests {
		got, ok := contentType(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("contentType(%q) = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// The version must depend on contents and names, not only on file count.
func TestHashTreeChangesWithContent(t *testing.T) {
	a, _ := hashTree(fstest.MapFS{"a.css": {Data: []byte("x")}})
	b, _ := hashTree(fstest.MapFS{"a.css": {Data: []byte("y")}})
	c, _ := hashTree(fstest.MapFS{"b.css": {Data: []byte("x")}})
	if a == b || a == c {
		t.Errorf("hashTree collisions: %s %s %s", a, b, c)
	}
}

// Path's panic on a typo must surface as a template error, not a crash.
func TestPathTypoIsATemplateError(t *testing.T) {
	tmpl := template.Must(template.New("p").Funcs(template.FuncMap{"static": Path}).
		Parse(`<link rel="stylesheet" href="{{static "app.cs"}}">`))
	err := tmpl.Execute(io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), `no embedded asset "app.cs"`) {
		t.Fatalf("Execute error = %v, want one naming the missing asset", err)
	}
}
