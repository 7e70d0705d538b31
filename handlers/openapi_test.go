package handlers_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"ruggedlab/handlers"
	"ruggedlab/handlers/openapi"
	"ruggedlab/internal/testdb"
)

// specOperations lists "METHOD /path" of every operation in the document,
// path parameters written {} so that gin's :name and OpenAPI's {name}
// compare by place, not by name.
func specOperations(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapi.JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	braces := regexp.MustCompile(`\{[^}/]+\}`)
	var out []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
				out = append(out, strings.ToUpper(method)+" "+braces.ReplaceAllString(path, "{}"))
			}
		}
	}
	slices.Sort(out)
	return out
}

// routerOperations lists the router's routes under /api/v1 the same way.
func routerOperations(t *testing.T, h http.Handler) []string {
	t.Helper()
	engine, ok := h.(*gin.Engine)
	if !ok {
		t.Fatalf("Routes() is a %T, not a *gin.Engine", h)
	}
	colon := regexp.MustCompile(`[:*][^/]+`)
	var out []string
	for _, r := range engine.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		out = append(out, r.Method+" "+colon.ReplaceAllString(r.Path, "{}"))
	}
	slices.Sort(out)
	return out
}

// TestOpenAPICoversEveryRoute fails when a route of the router under
// /api/v1 is missing from the OpenAPI document, or the document describes
// an /api/v1 operation the router does not serve. (POST /imports/:kind and
// GET /imports/:id are one path of the document, /api/v1/imports/{id};
// POST /imports/:kind/retract is /api/v1/imports/{id}/retract: by place
// they are the same.)
func TestOpenAPICoversEveryRoute(t *testing.T) {
	h := (&handlers.Server{Auth: &handlers.Auth{}}).Routes()
	routes := routerOperations(t, h)
	var spec []string
	for _, op := range specOperations(t) {
		if strings.Contains(op, " /api/v1/") {
			spec = append(spec, op)
		}
	}
	for _, r := range routes {
		if !slices.Contains(spec, r) {
			t.Errorf("route %s is not in handlers/openapi/openapi.yaml", r)
		}
	}
	for _, s := range spec {
		if !slices.Contains(routes, s) {
			t.Errorf("openapi.yaml describes %s, which no route serves", s)
		}
	}
	if len(routes) < 50 {
		t.Errorf("only %d routes under /api/v1: %v", len(routes), routes)
	}
}

// TestOpenAPIDocumentIsPublic: GET /api/v1/openapi.json answers anybody
// (no account, accounts on) with the JSON document, byte for byte what is
// embedded, and an evaluator in forced blind mode gets the same bytes.
func TestOpenAPIDocumentIsPublic(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newAuthAPI(t, e, func(s *handlers.Server) { s.BlindEvaluators = true })
			for _, who := range [][]string{nil, a.as(evalName), a.as(adminName)} {
				r := a.must(t, 200, "GET", "/api/v1/openapi.json", "", who...)
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type = %q", ct)
				}
				if string(r.Body) != string(openapi.JSON()) {
					t.Errorf("the served document differs from the embedded one (%d bytes, want %d)", len(r.Body), len(openapi.JSON()))
				}
				var d map[string]any
				if err := json.Unmarshal(r.Body, &d); err != nil || d["openapi"] != "3.1.0" {
					t.Errorf("not an OpenAPI 3.1 document: %v, openapi = %v", err, d["openapi"])
				}
			}
		})
	}
}
