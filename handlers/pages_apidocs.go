package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"ruggedlab/handlers/openapi"
)

// apiDocsRoute is the REST API's reference for people: the OpenAPI document
// drawn as a page by the server, so it needs no viewer script, nothing from
// another origin, and cannot say anything the served contract does not.
// It is public like the document itself.
const apiDocsRoute = "/docs/api"

type apiDocsView struct {
	chrome
	Ref     openapi.Reference
	JSONURL string
}

func (p *pages) apiDocs(c *gin.Context) {
	v := apiDocsView{chrome: newChrome("REST API reference", "api", isBlind(c)), Ref: openapi.Ref(), JSONURL: openAPIRoute}
	p.render(c, http.StatusOK, "apidocs.html", v)
}
