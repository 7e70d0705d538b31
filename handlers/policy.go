package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
	"ruggedlab/static"
)

// public marks a route anyone may call: probes, assets, problem pages and
// the login form itself.
const public models.Role = ""

// requiredRole is the policy table: the least role that may call a route,
// by method and Gin route template (api.md §9). Reads need an account;
// writes are listed one by one, and a write route missing here needs admin,
// so a route added without a thought for permissions fails closed.
// route is "" for a path no route matches: it needs an account, then gets
// its 404 or 405, since no handler runs to change anything.
func requiredRole(method, route string) models.Role {
	if route == "" {
		return models.Evaluator
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		switch route {
		case "/healthz", "/readyz", "/metrics", "/problems/:slug",
			static.Prefix + "*name", static.FaviconPath, "/login",
			"/api/v1/openapi.json", apiDocsRoute: // the API's contract names nothing (apidocs.go)
			return public
		case "/runs/new", "/imports/new", // technicians' forms
			"/imports", "/imports/:id/retract", // imports as objects (forms_imports.go)
			"/handsets/:code/units/new", "/runs/:id/amend", "/runs/:id/retract", "/runs/:id/series/new",
			"/runs/:id/review", "/review", "/trials/:id/incidents/:incident/review", // second-person review (review.go)
			"/runs/:id/attachments/new": // attachments.go
			return models.Technician
		case "/api/v1/accounts", "/api/v1/accounts/:name", "/api/v1/audit",
			"/handsets/new", "/audit":
			return models.Admin
		}
		return models.Evaluator
	}
	switch method + " " + route {
	case "POST /login", "POST /logout":
		return public
	case "POST /api/v1/handsets/:code/units",
		"POST /api/v1/runs",
		"POST /api/v1/runs/:id/amendments",
		"POST /api/v1/runs/:id/retraction",
		"POST /api/v1/runs/:id/review", "POST /runs/:id/review", "POST /review", // review.go
		"POST /api/v1/trials/:id/incidents/:incident/review", "POST /trials/:id/incidents/:incident/review",
		"POST /api/v1/runs/:id/attachments", "POST /api/v1/attachments/:id/retraction", "POST /runs/:id/attachments/new", // attachments.go
		"POST /api/v1/runs/:id/series",
		"POST /api/v1/imports/:kind",
		"POST /api/v1/imports/:kind/retract", // :kind holds the import id
		"POST /api/v1/trials", "POST /api/v1/trials/:id/incidents", "POST /api/v1/trials/:id/shifts",
		"POST /api/v1/trials/:id/questionnaires", "POST /api/v1/trials/:id/incidents/:incident/retraction",
		"POST /runs/new", // the technicians' forms (forms.go)
		"POST /handsets/:code/units/new",
		"POST /runs/:id/amend",
		"POST /runs/:id/retract",
		"POST /runs/:id/series/new",
		"POST /imports/new",
		"POST /imports/:id/retract":
		return models.Technician
	case "POST /api/v1/handsets",
		"PATCH /api/v1/handsets/:code",
		"POST /api/v1/profiles",
		"POST /api/v1/profiles/:id/versions",
		"POST /api/v1/profiles/:id/schemes",
		"POST /api/v1/accounts",
		"DELETE /api/v1/accounts/:name",
		"POST /handsets/new",
		"POST /profiles/:id/unmask":
		return models.Admin
	}
	return models.Admin
}

// actionRole is the policy for actions inside a page rather than routes.
// Unknown actions need admin, like unknown write routes.
func actionRole(action string) models.Role {
	switch action {
	case "unmask": // showing candidates' names on a blind page
		return models.Admin
	}
	return models.Admin
}

// may reports whether the request's account may perform action (see
// actionRole). Without accounts (tests of other concerns) everything is
// allowed.
func (s *Server) may(c *gin.Context, action string) bool {
	if s.Auth == nil {
		return true
	}
	a, ok := account(c)
	return ok && a.Role.AtLeast(actionRole(action))
}
