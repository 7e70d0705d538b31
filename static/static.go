// Package static embeds and serves the assets of RuggedLab's HTML pages:
// the vendored ECharts build, the stylesheet and the favicons.
//
// Lab networks are air-gapped, so a page must never load anything from
// another origin; everything a page needs is in this package's embed.FS.
//
// Assets are served under a versioned path, /static/<version>/<name>, where
// <version> is a short hash of the whole embedded tree. The URL changes
// whenever any asset changes, so responses can be cached for a year as
// immutable and an upgrade can never leave a browser with a stale mix.
// Templates get URLs from [Path] and [EChartsPath]; nothing else should build
// asset URLs by hand.
//
// Mounting (Gin stays in the handlers package, so this package offers a plain
// http.Handler):
//
//	assets, err := static.New()
//	h := gin.WrapH(assets)
//	r.GET(static.Prefix+"*name", h)
//	r.HEAD(static.Prefix+"*name", h)
//	r.GET(static.FaviconPath, h)
//	r.HEAD(static.FaviconPath, h)
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sync"
)

//go:generate go run gen_favicon.go

// files holds every asset. Directories are listed explicitly so that a stray
// file dropped into static/ (a Go file, an editor backup) is not served.
//
//go:embed app.css charts.js favicon.svg favicon.ico forms.js attach.js entry.js vendor
var files embed.FS

const (
	// Prefix is the path under which versioned assets are served.
	Prefix = "/static/"
	// FaviconPath is where browsers look for an icon on their own, whatever
	// the page says; serving it avoids a 404 console error on every page.
	FaviconPath = "/favicon.ico"
	// echartsFile is the vendored ECharts build (see its README.md).
	echartsFile = "vendor/echarts-5.6.0/echarts.min.js"
)

// version is computed once: the embedded tree cannot change while the
// process runs.
var version = sync.OnceValue(func() string {
	v, err := hashTree(files)
	if err != nil {
		// The embed.FS is compiled in; failing to read it is a build bug.
		panic("static: hashing embedded assets: " + err.Error())
	}
	return v
})

// Version returns the short content hash of all embedded assets (8 hex
// digits), the <version> segment of every asset URL.
func Version() string { return version() }

// Path returns the versioned URL path of the embedded asset name, e.g.
// Path("app.css") == "/static/3f2a1c9e/app.css".
//
// It panics if name is not an embedded file, so that a typo in a template
// fails the render (html/template turns the panic into an execution error)
// and the tests, instead of producing a silent 404 in a browser.
func Path(name string) string {
	if !fs.ValidPath(name) {
		panic(fmt.Sprintf("static: invalid asset name %q", name))
	}
	if info, err := fs.Stat(files, name); err != nil || info.IsDir() {
		panic(fmt.Sprintf("static: no embedded asset %q", name))
	}
	return Prefix + Version() + "/" + name
}

// EChartsPath returns the versioned URL path of the vendored ECharts build,
// for the single <script src> a chart page needs.
func EChartsPath() string { return Path(echartsFile) }

// hashTree hashes every file's path and content, in the lexical order
// fs.WalkDir guarantees, and returns the first 4 bytes as hex. Four bytes are
// plenty to tell releases apart; the value is not a security boundary.
func hashTree(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		// Length-prefix both parts so that no two trees hash the same input.
		fmt.Fprintf(h, "%d:%s%d:", len(name), name, len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)[:4]), nil
}
