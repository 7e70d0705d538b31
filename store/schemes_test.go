package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"ruggedlab/award"
	"ruggedlab/demo"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// Scheme versions are numbered per profile, read back as written, and
// each one writes its audit entry in its own transaction; a refused one
// writes neither.
func TestSchemesVersionedAndAudited(t *testing.T) {
	eachAudited(t, func(t *testing.T, _ testdb.Engine, s *store.Store) {
		ctx := audited("ada")
		p, err := s.CreateProfile(ctx, demo.Profile(), "ada")
		if err != nil {
			t.Fatal(err)
		}
		sc := demo.Scheme(p.ID, p.Version)
		v1, err := s.CreateScheme(ctx, sc, "ada", award.CheckScheme)
		if err != nil {
			t.Fatal(err)
		}
		sc.Criteria[3].Weight, sc.Criteria[0].Weight, sc.Criteria[0].WeightRange = 0.5, 0.2, []float64{0.1, 0.3}
		v2, err := s.CreateScheme(ctx, sc, "ada", award.CheckScheme)
		if err != nil || v1.Version != 1 || v2.Version != 2 || v2.RecordedBy != "ada" {
			t.Fatalf("versions %d, %d, %v", v1.Version, v2.Version, err)
		}
		bad := sc
		bad.Criteria = append([]models.SchemeCriterion(nil), sc.Criteria...)
		bad.Criteria[3].Weight = 0.9 // weights add up to 1.4
		if _, err := s.CreateScheme(ctx, bad, "ada", award.CheckScheme); models.ErrorCode(err) != models.Invalid {
			t.Errorf("weights over 1: %v, want invalid", err)
		}
		got, err := s.Scheme(context.Background(), p.ID, 0) // four bid prices are the entered values
		if err != nil || got.Version != 2 || got.Criteria[3].Weight != 0.5 || len(got.Entered) != 4 || got.Gates[0] != "thermal-shock" {
			t.Errorf("latest scheme %+v, %v", got, err)
		}
		if _, err := s.Scheme(context.Background(), p.ID, 3); models.ErrorCode(err) != models.NotFound {
			t.Errorf("scheme 3: %v, want not found", err)
		}
		all, err := s.Schemes(context.Background(), p.ID)
		if err != nil || len(all) != 2 || all[0].Version != 1 || all[0].Criteria[3].Weight != 0.4 {
			t.Errorf("schemes %+v, %v", all, err)
		}
		entries, _, err := s.AuditLog(context.Background(), store.Page{Limit: 10})
		if err != nil || len(entries) != 3 {
			t.Fatalf("audit log: %d entries, %v; want 3 (profile, two schemes)", len(entries), err)
		}
		var d map[string]any
		_ = json.Unmarshal(entries[0].Detail, &d)
		if d["action"] != "create_scheme" || d["created"] != p.ID+"/schemes/2" || entries[0].Status != 201 {
			t.Errorf("scheme entry %+v detail %v", entries[0], d)
		}
		if n, err := s.VerifyAudit(context.Background()); n != 3 || err != nil {
			t.Errorf("VerifyAudit = %d, %v", n, err)
		}
	})
}
