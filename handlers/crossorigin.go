package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
)

// codeCrossSite is a state-changing request another site's page sent.
const codeCrossSite models.Code = "cross_site"

// refuseCrossSite applies Go's http.CrossOriginProtection to every request:
// a POST, PATCH or DELETE whose Sec-Fetch-Site says cross-site, or whose
// Origin is not this host, is refused before any handler runs; GET, HEAD
// and OPTIONS pass, which is why no GET handler changes state. Scripts
// (curl, lab tools) send neither header and pass. It runs as middleware
// calling Check, rather than wrapping the engine with Handler, so that a
// refusal is a problem+json answer with a request ID, logged and counted
// like every other answer.
func (s *Server) refuseCrossSite() gin.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	return func(c *gin.Context) {
		if err := cop.Check(c.Request); err != nil {
			s.Log.WarnContext(c.Request.Context(), "cross-site request refused", "request_id", requestID(c),
				"method", c.Request.Method, "path", c.Request.URL.Path, "origin", c.GetHeader("Origin"),
				"sec_fetch_site", c.GetHeader("Sec-Fetch-Site"), "err", err)
			s.fail(c, failCode(codeCrossSite, "cross-site request refused: %s %s came from another site's page", c.Request.Method, c.Request.URL.Path))
			return
		}
		c.Next()
	}
}
