package openapi

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Reference is the document reduced to what a person reads on the API
// reference page: every operation by tag, with its parameters and answers.
// It is built from the same embedded document that /api/v1/openapi.json
// serves, so the page cannot say something the contract does not.
type Reference struct {
	Title, Version, Description string
	Groups                      []Group
}

// Group is the operations of one tag, in the document's tag order.
type Group struct {
	Tag        string
	Operations []Operation
}

// Operation is one method on one path.
type Operation struct {
	ID, Method, Path, Summary, Description string
	Public                                 bool // needs no account
	Parameters                             []Parameter
	Body                                   []string // request media types
	Responses                              []Response
}

// Parameter is one path, query or header parameter.
type Parameter struct {
	Name, In, Type, Description string
	Required                    bool
}

// Response is one answer status.
type Response struct {
	Status, Description string
	Media               []string
}

// document is the part of OpenAPI 3.1 the reference reads.
type document struct {
	Info struct {
		Title, Version, Description string
	}
	Tags []struct {
		Name string
	}
	Paths      map[string]map[string]json.RawMessage
	Components struct {
		Parameters map[string]parameter
		Responses  map[string]response
	}
}

type parameter struct {
	Ref         string `json:"$ref"`
	Name, In    string
	Description string
	Required    bool
	Schema      struct {
		Type any
		Enum []any
	}
}

type response struct {
	Ref         string `json:"$ref"`
	Description string
	Content     map[string]json.RawMessage
}

type operation struct {
	OperationID string `json:"operationId"`
	Summary     string
	Description string
	Tags        []string
	Security    *[]any
	Parameters  []parameter
	RequestBody *struct {
		Content map[string]json.RawMessage
	} `json:"requestBody"`
	Responses map[string]response
}

// methods in the order the page lists them.
var methods = []string{"get", "post", "put", "patch", "delete"}

// Ref returns the reference, built once. It panics if the embedded document
// does not have the shape this reads, which the package's tests rule out.
var Ref = sync.OnceValue(func() Reference {
	r, err := buildReference(JSON())
	if err != nil {
		panic(fmt.Sprintf("openapi: reference: %v", err))
	}
	return r
})

func buildReference(js []byte) (Reference, error) {
	var d document
	if err := json.Unmarshal(js, &d); err != nil {
		return Reference{}, err
	}
	ref := Reference{Title: d.Info.Title, Version: d.Info.Version, Description: d.Info.Description}
	byTag := map[string][]Operation{}
	for path, item := range d.Paths {
		for _, m := range methods {
			raw, ok := item[m]
			if !ok {
				continue
			}
			var o operation
			if err := json.Unmarshal(raw, &o); err != nil {
				return Reference{}, fmt.Errorf("%s %s: %w", m, path, err)
			}
			op, err := d.operation(strings.ToUpper(m), path, o)
			if err != nil {
				return Reference{}, err
			}
			tag := "other"
			if len(o.Tags) > 0 {
				tag = o.Tags[0]
			}
			byTag[tag] = append(byTag[tag], op)
		}
	}
	tags := []string{}
	for _, t := range d.Tags {
		tags = append(tags, t.Name)
	}
	for t := range byTag {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	for _, t := range tags {
		ops := byTag[t]
		if len(ops) == 0 {
			continue
		}
		slices.SortFunc(ops, func(a, b Operation) int {
			if c := strings.Compare(a.Path, b.Path); c != 0 {
				return c
			}
			return slices.Index(methods, strings.ToLower(a.Method)) - slices.Index(methods, strings.ToLower(b.Method))
		})
		ref.Groups = append(ref.Groups, Group{Tag: t, Operations: ops})
	}
	return ref, nil
}

func (d *document) operation(method, path string, o operation) (Operation, error) {
	op := Operation{ID: o.OperationID, Method: method, Path: path, Summary: o.Summary, Description: o.Description,
		Public: o.Security != nil && len(*o.Security) == 0}
	for _, p := range o.Parameters {
		if p.Ref != "" {
			name := strings.TrimPrefix(p.Ref, "#/components/parameters/")
			c, ok := d.Components.Parameters[name]
			if !ok {
				return Operation{}, fmt.Errorf("%s %s: no parameter %s", method, path, p.Ref)
			}
			p = c
		}
		op.Parameters = append(op.Parameters, Parameter{Name: p.Name, In: p.In, Type: schemaType(p.Schema.Type, p.Schema.Enum),
			Description: p.Description, Required: p.Required || p.In == "path"})
	}
	if o.RequestBody != nil {
		op.Body = sortedKeys(o.RequestBody.Content)
	}
	for _, status := range sortedKeys(o.Responses) {
		r := o.Responses[status]
		if r.Ref != "" {
			name := strings.TrimPrefix(r.Ref, "#/components/responses/")
			c, ok := d.Components.Responses[name]
			if !ok {
				return Operation{}, fmt.Errorf("%s %s: no response %s", method, path, r.Ref)
			}
			r = c
		}
		op.Responses = append(op.Responses, Response{Status: status, Description: r.Description, Media: sortedKeys(r.Content)})
	}
	return op, nil
}

// schemaType spells a parameter's schema type: "integer", "a | b" for an
// enum.
func schemaType(t any, enum []any) string {
	if len(enum) > 0 {
		vals := make([]string, len(enum))
		for i, v := range enum {
			vals[i] = fmt.Sprint(v)
		}
		return strings.Join(vals, " | ")
	}
	switch t := t.(type) {
	case string:
		return t
	case []any:
		parts := make([]string, len(t))
		for i, v := range t {
			parts[i] = fmt.Sprint(v)
		}
		return strings.Join(parts, " or ")
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
