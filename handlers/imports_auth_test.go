package handlers_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/models"
	"ruggedlab/store"
)

// With accounts on, imports need a technician (api.md §9); the account is
// recorded_by and the default technician, never a name from the file; the
// audit entry of a streamed import (HTTP 200 whatever happened) carries
// its real outcome.
func TestImportAccounts(t *testing.T) {
	eachImportEngine(t, func(t *testing.T, a *importAPI) {
		ctx := context.Background()
		token := map[models.Role]string{}
		for _, r := range []models.Role{models.Evaluator, models.Technician} {
			_, tok, err := a.st.CreateAccount(ctx, "lab-"+string(r), r, "")
			if err != nil {
				t.Fatal(err)
			}
			token[r] = tok
		}
		file := strings.ReplaceAll(dropFile(3, nil), ",M. Roux,", ",,")
		decodeAs[importProblem](t, a.csv(t, "/api/v1/imports/drop", file), 401)
		decodeAs[importProblem](t, a.csv(t, "/api/v1/imports/drop", file, "Authorization", "Bearer "+token[models.Evaluator]), 403)

		tech := []string{"Authorization", "Bearer " + token[models.Technician]}
		imp := decodeAs[importResult](t, a.csv(t, "/api/v1/imports/drop", file, tech...), 201)
		if imp.RecordedBy != "lab-technician" {
			t.Errorf("recorded_by = %q", imp.RecordedBy)
		}
		run, err := a.st.Run(ctx, imp.Created[0])
		if err != nil || run.Technician != "lab-technician" || run.RecordedBy != "lab-technician" {
			t.Errorf("run = %+v, %v", run, err)
		}

		stream := a.csv(t, "/api/v1/imports/drop", dropFile(2, map[int]string{3: "atlas-r1"}), append(tech, "Accept", "application/x-ndjson")...)
		if stream.Code != 200 {
			t.Fatalf("stream: %d %s", stream.Code, stream.Body)
		}
		entries, _, err := a.st.AuditLog(ctx, store.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var last models.AuditEntry
		for _, e := range entries {
			if e.Route == "/api/v1/imports/:kind" && (last.ID == 0 || e.ID > last.ID) {
				last = e
			}
		}
		var detail map[string]any
		_ = json.Unmarshal(last.Detail, &detail)
		if last.Status != 200 || detail["outcome"] != 422.0 || last.Account != "lab-technician" {
			t.Errorf("audit entry %+v detail %v", last, detail)
		}
	}, func(s *handlers.Server) { s.Auth = &handlers.Auth{} })
}
