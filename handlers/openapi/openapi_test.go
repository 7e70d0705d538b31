package openapi_test

import (
	"encoding/json"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"ruggedlab/handlers/openapi"
)

// TestOpenAPILint loads the document with libopenapi and fails on any error:
// the document against the OpenAPI 3.1 schema, every $ref resolved, every
// schema compiled. It runs in ./scripts/test, so CI lints the spec.
func TestOpenAPILint(t *testing.T) {
	var probe map[string]any
	if err := json.Unmarshal(openapi.JSON(), &probe); err != nil {
		t.Fatalf("the served JSON is not JSON: %v", err)
	}
	if probe["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v, want 3.1.0", probe["openapi"])
	}
	doc, err := libopenapi.NewDocument(openapi.JSON())
	if err != nil {
		t.Fatalf("libopenapi cannot read the document: %v", err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("the document does not build: %v", err)
	}
	if n := model.Model.Paths.PathItems.Len(); n < 40 {
		t.Errorf("only %d paths", n)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("no validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("%s", e.Error())
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  at %s (%s): %s", se.FieldPath, se.KeywordLocation, se.Reason)
			}
		}
	}
	// Every operation has an id, a summary and at least one 2xx answer.
	ids := map[string]bool{}
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			where := method + " " + path
			if op.OperationId == "" || ids[op.OperationId] {
				t.Errorf("%s: operationId %q missing or repeated", where, op.OperationId)
			}
			ids[op.OperationId] = true
			if op.Summary == "" {
				t.Errorf("%s: no summary", where)
			}
			ok := false
			for code := range op.Responses.Codes.KeysFromOldest() {
				if code[0] == '2' {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s: no 2xx answer", where)
			}
		}
	}
}
