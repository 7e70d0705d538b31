package handlers

import (
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
	"ruggedlab/store"
)

const forcedBlindKey = "forced_blind"

// blindByRole marks an evaluator's page request for blind mode when the
// server forces it (Server.BlindEvaluators); isBlind reads the mark, so
// every page and export honours it through the one hook. Whether the page
// is still masked is asked of the database only when a page calls isBlind.
func (s *Server) blindByRole(c *gin.Context) {
	if s.BlindEvaluators && s.Auth != nil {
		if a, ok := account(c); ok && !a.Role.AtLeast(models.Technician) {
			ctx := c.Request.Context()
			id := ""
			if strings.HasPrefix(c.FullPath(), "/profiles/:id/") {
				id = c.Param("id")
			}
			c.Set(forcedBlindKey, sync.OnceValue(func() bool {
				unmasked, err := s.Store.UnmaskedProfiles(ctx)
				if err != nil {
					s.Log.Error("unmasked profiles not read; the page stays blind", "request_id", requestID(c), "err", err)
					return true // fail closed
				}
				if id != "" {
					return !unmasked[id]
				}
				return !s.allUnmasked(c, unmasked)
			}))
		}
	}
	c.Next()
}

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
	var ids []string
	p := store.Page{Limit: 500}
	for {
		items, next, err := s.Store.Profiles(c.Request.Context(), p)
		if err != nil {
			return nil, err
		}
		for _, pr := range items {
			ids = append(ids, pr.ID)
		}
		if next == "" {
			return ids, nil
		}
		p.Cursor = next
	}
}

// forcedBlind reports whether blindByRole marked this request blind.
func forcedBlind(c *gin.Context) bool {
	v, ok := c.Get(forcedBlindKey)
	f, _ := v.(func() bool)
	return ok && f != nil && f()
}
