package store

import (
	"context"
	"strings"
)

// UnmaskRoute is the route whose audited action unmasks a profile's blind
// view for evaluators.
const UnmaskRoute = "/profiles/:id/unmask"

// UnmaskedProfiles returns the ids of the profiles an admin has unmasked.
//
// The record is the audit entry of the unmask action (status 200, written
// before the unmask takes effect), not a table of its own: the audit log
// is in the database, so every instance sees an unmask at once, it cannot
// be undone by editing a flag, and an unmask whose audit entry failed to
// be written never happened.
func (s *Store) UnmaskedProfiles(ctx context.Context) (map[string]bool, error) {
	var paths []string
	err := s.db.WithContext(ctx).Model(&auditRow{}).Where("route = ? AND method = ? AND status = ?", UnmaskRoute, "POST", 200).
		Distinct().Pluck("path", &paths).Error
	if err != nil {
		return nil, translate(err, "unmasked profiles")
	}
	out := map[string]bool{}
	for _, p := range paths {
		if id, ok := strings.CutPrefix(p, "/profiles/"); ok {
			if id, ok = strings.CutSuffix(id, "/unmask"); ok && id != "" {
				out[id] = true
			}
		}
	}
	return out, nil
}
