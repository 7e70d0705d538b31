package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"ruggedlab/handlers/openapi"
)

// openAPIRoute serves the REST API's OpenAPI 3.1 document (api.md §15).
// It is public like /healthz: the document is a constant of the binary,
// the same for everybody, and names no candidate.
const openAPIRoute = "/api/v1/openapi.json"

// openAPIDocument is GET /api/v1/openapi.json.
func (s *Server) openAPIDocument(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json", openapi.JSON())
}
