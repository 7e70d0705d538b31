package handlers

import "github.com/gin-gonic/gin"

// contentSecurityPolicy is the one policy of every response (api.md
// "Security headers"). Everything comes from the service itself; there is
// no inline script or style anywhere, so no nonce is needed: charts are data
// blocks drawn by static/charts.js (see the charts package doc), and
// colours and sizes are app.css classes. frame-ancestors 'none' keeps the
// forms out of other sites' frames (clickjacking); form-action and base-uri
// stop an injected <form> or <base> from sending data elsewhere.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the security headers on every response, whatever
// answers it: page, API, static asset, problem, 404. It runs first and
// before the handler writes, since headers cannot be added afterwards.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY") // frame-ancestors for browsers that predate it
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	c.Next()
}
