package openapi

import (
	"testing"
)

// TestReference: the page's reduction keeps every operation of the
// document, resolves shared parameters and answers, and marks the public
// ones.
func TestReference(t *testing.T) {
	ref := Ref()
	if ref.Title != "RuggedLab REST API" || ref.Version != "1" {
		t.Errorf("info %q %q", ref.Title, ref.Version)
	}
	byID := map[string]Operation{}
	n := 0
	for _, g := range ref.Groups {
		if len(g.Operations) == 0 {
			t.Errorf("empty group %s", g.Tag)
		}
		for _, op := range g.Operations {
			byID[op.ID] = op
			n++
		}
	}
	if n < 50 {
		t.Errorf("%d operations", n)
	}
	spec, ok := byID["openapi"]
	if !ok {
		for id := range byID {
			t.Logf("op %s", id)
		}
		t.Fatalf("no openapi operation")
	}
	if !spec.Public || spec.Method != "GET" || spec.Path != "/api/v1/openapi.json" {
		t.Errorf("openapi.json: %+v", spec)
	}
	cmp := byID["compare"]
	var names []string
	for _, p := range cmp.Parameters {
		names = append(names, p.Name+":"+p.Type)
	}
	want := map[string]bool{"format:json | csv": false, "dialect:standard | fr": false}
	for _, nm := range names {
		if _, ok := want[nm]; ok {
			want[nm] = true
		}
	}
	for nm, seen := range want {
		if !seen {
			t.Errorf("compare lacks parameter %s (has %v)", nm, names)
		}
	}
	if cmp.Public {
		t.Errorf("compare needs an account")
	}
	var statuses []string
	for _, r := range cmp.Responses {
		statuses = append(statuses, r.Status)
		if r.Description == "" {
			t.Errorf("compare %s: no description (a $ref not resolved?)", r.Status)
		}
	}
	if len(statuses) < 3 || statuses[0] != "200" {
		t.Errorf("compare answers %v", statuses)
	}
}

func TestReferenceRefusesBrokenRefs(t *testing.T) {
	cases := map[string]string{
		"not JSON":          `{`,
		"unknown parameter": `{"paths": {"/x": {"get": {"parameters": [{"$ref": "#/components/parameters/Nope"}]}}}}`,
		"unknown response":  `{"paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}}}`,
	}
	for name, js := range cases {
		if _, err := buildReference([]byte(js)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
