package handlers

import (
	"github.com/gin-gonic/gin"
)

const forcedBlindKey = "forced_blind"

// allUnmasked reports whether every profile is unmasked: a page that
// belongs to no profile (the dashboard, a comparison) shows candidates
// that some still-masked profile may be judging, so it stays blind until
// the last profile is unmasked.
func (s *Server) allUnmasked(c *gin.Context, unmasked map[string]bool) bool {
	if len(unmasked) == 0 {
		return false
	}
	ids, err := s.profileIDs(c)
	if err != nil {
		return false
	}
	for _, id := range ids {
		if !unmasked[id] {
			return false
		}
	}
	return true
}

func (s *Server) profileIDs(c *gin.Context) ([]string, error) {
	all, err := s.Store.AllProfiles(c.Request.Context())
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(all))
	for i, pr := range all {
		ids[i] = pr.ID
	}
	return ids, nil
}

// forcedBlind reports whether blindMask marked this request blind.
func forcedBlind(c *gin.Context) bool {
	v, ok := c.Get(forcedBlindKey)
	f, _ := v.(func() bool)
	return ok && f != nil && f()
}
