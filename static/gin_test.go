package static

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
)

// The package doc shows how handlers mount the server on Gin; this keeps that
// snippet honest (route syntax, no conflict between the two patterns).
func TestMountOnGin(t *testing.T) {
	gin.SetMode(gin.TestMode)
	s := newServer(t)
	r := gin.New()
	h := gin.WrapH(s)
	r.GET(Prefix+"*name", h)
	r.HEAD(Prefix+"*name", h)
	r.GET(FaviconPath, h)
	r.HEAD(FaviconPath, h)

	for path, want := range map[string]int{
		Path("app.css"):                 http.StatusOK,
		EChartsPath():                   http.StatusOK,
		FaviconPath:                     http.StatusOK,
		"/static/deadbeef/app.css":      http.StatusNotFound,
		Prefix + Version() + "/missing": http.StatusNotFound,
	} {
		if rec := get(t, r, path); rec.Code != want {
			t.Errorf("GET %s via Gin: status %d, want %d", path, rec.Code, want)
		}
	}
}
