package static

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"
	"sync"
)

// asset is one embedded file with what is needed to serve it.
type asset struct {
	data  []byte
	ctype string
	etag  string // without quotes

	// The gzip form is built on first request and then kept: compressing
	// ECharts (1 MB → ~330 KB) costs tens of milliseconds, too much per
	// request and wasted at start-up for files nobody asks for.
	gzOnce sync.Once
	gz     []byte // nil if gzip would not save enough to be worth it
}

// compressible reports whether the asset is text-like. Images such as the
// PNG-in-ICO favicon are already compressed.
func (a *asset) compressible() bool {
	return strings.HasPrefix(a.ctype, "text/") || strings.HasPrefix(a.ctype, "image/svg+xml")
}

// gzipped returns the cached gzip encoding of the asset, or nil when it would
// not be at least 10% smaller than the original.
func (a *asset) gzipped() []byte {
	a.gzOnce.Do(func() {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return // only for a bad level; serve uncompressed
		}
		if _, err := zw.Write(a.data); err != nil {
			return
		}
		if err := zw.Close(); err != nil {
			return
		}
		if buf.Len() < len(a.data)*9/10 {
			a.gz = buf.Bytes()
		}
	})
	return a.gz
}

// acceptsGzip reports whether an Accept-Encoding header (all its values)
// allows gzip. An explicit "gzip" entry wins over "*"; q=0 means "not
// acceptable" (RFC 9110 §12.5.3).
func acceptsGzip(values []string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "gzip" && name != "x-gzip" && name != "*" {
				continue
			}
			q := qValue(params)
			if name == "*" {
				starQ = max(starQ, q)
			} else {
				gzipQ = max(gzipQ, q)
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// qValue parses the q parameter of one Accept-Encoding entry; a missing or
// malformed q counts as 1, as browsers never send a malformed one and a
// strict reading would only cost bandwidth.
func qValue(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || q < 0 || q > 1 {
			return 1
		}
		return q
	}
	return 1
}
