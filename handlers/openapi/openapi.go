// Package openapi holds the REST API's OpenAPI 3.1 document (openapi.yaml,
// kept by hand beside the handlers) and serves it as JSON.
//
// The document is checked against the code, not only written: every API
// test of package handlers validates its request and answer against it
// (handlers/openapi_check_test.go), a test fails when a route of the router
// is missing here or the reverse, and a lint test loads it with
// libopenapi and fails on any error of the document itself.
package openapi

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/goccy/go-yaml"
)

// YAML is the document as written.
//
//go:embed openapi.yaml
var YAML []byte

// JSON is the document as JSON, converted once. It panics if the embedded
// YAML does not convert, which the package's tests rule out.
var JSON = sync.OnceValue(func() []byte {
	b, err := yaml.YAMLToJSON(YAML)
	if err != nil {
		panic(fmt.Sprintf("openapi: the embedded openapi.yaml is not valid YAML: %v", err))
	}
	return b
})
