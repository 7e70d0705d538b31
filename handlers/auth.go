package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
	"ruggedlab/store"
)

// Auth configures accounts (api.md §9): scripts send an API token, people
// log in at /login and carry a session cookie.
type Auth struct {
	// SecureCookies marks the session cookie Secure even on a plain-HTTP
	// request, for a service behind a proxy that terminates TLS. Requests
	// that arrive over TLS always get a Secure cookie.
	SecureCookies bool
}

// sessionCookie holds a login session's token.
const sessionCookie = "rl_session"

const accountKey = "account"

// account returns the account that made the request, if any.
func account(c *gin.Context) (models.Account, bool) {
	v, ok := c.Get(accountKey)
	a, _ := v.(models.Account)
	return a, ok
}

// author is who records a write: the account's name (api.md §11 "Who"),
// never a name taken from the body; "anonymous" only when the server runs
// without accounts.
func (s *Server) author(c *gin.Context) string {
	if a, ok := account(c); ok {
		return a.Name
	}
	return anonymous
}

// idempotencyScope keeps one account's Idempotency-Keys apart from
// another's, so two scripts that happen to pick the same key do not see
// each other's answers (api.md §11).
func (s *Server) idempotencyScope(c *gin.Context) string {
	if a, ok := account(c); ok {
		return "account:" + a.ID
	}
	return "service"
}

// authenticate finds the account behind a token or session cookie and
// applies the policy table: the one place that decides who may call what.
func (s *Server) authenticate(c *gin.Context) {
	if s.Auth == nil {
		c.Next()
		return
	}
	need := requiredRole(c.Request.Method, c.FullPath())
	acct, err := s.identify(c)
	if err == nil {
		c.Set(accountKey, acct)
	}
	switch {
	case need == public:
		// Stale credentials do not stand between anyone and the login
		// form, the probes or the assets.
	case err != nil && models.ErrorCode(err) != models.Unauthenticated:
		s.fail(c, err)
		return
	case err != nil:
		s.refuse(c, err)
		return
	case !acct.Role.AtLeast(need):
		s.fail(c, failCode(models.Forbidden, "%s %s needs the %s role; account %s has the %s role",
			c.Request.Method, c.FullPath(), need, acct.Name, acct.Role))
		return
	}
	c.Next()
}

// identify reads the bearer token, else the session cookie. A cookie that
// no longer leads to a session is cleared. Errors: Unauthenticated, or a
// store failure.
func (s *Server) identify(c *gin.Context) (models.Account, error) {
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return models.Account{}, failCode(models.Unauthenticated, "the Authorization header must be \"Bearer <token>\"")
		}
		return s.Store.AccountByToken(c.Request.Context(), strings.TrimSpace(token))
	}
	if token, err := c.Cookie(sessionCookie); err == nil && token != "" {
		a, err := s.Store.SessionAccount(c.Request.Context(), token)
		if models.ErrorCode(err) == models.Unauthenticated {
			s.clearSessionCookie(c)
		}
		return a, err
	}
	return models.Account{}, failCode(models.Unauthenticated,
		"authentication required: send \"Authorization: Bearer <token>\" (ruggedlab user add prints one) or log in at /login")
}

// refuse answers a request without a valid account: a 401 problem for the
// API, a redirect to the login form (and back afterwards) for pages.
func (s *Server) refuse(c *gin.Context, err error) {
	if isAPI(c.Request.URL.Path) {
		c.Header("WWW-Authenticate", `Bearer realm="ruggedlab"`)
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
	c.Abort()
}

func isAPI(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }

// setSessionCookie gives the browser its session. HttpOnly keeps it from
// scripts; SameSite=Lax keeps other sites' forms from sending it (the
// cross-origin check covers older browsers); Secure whenever the request
// came over TLS or the operator says a proxy terminates TLS.
func (s *Server) setSessionCookie(c *gin.Context, sess store.Session) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: sess.Token, Path: "/",
		Expires: sess.ExpiresAt, MaxAge: int(store.SessionLifetime.Seconds()),
		HttpOnly: true, Secure: s.secureCookies(c), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies(c), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) secureCookies(c *gin.Context) bool {
	return c.Request.TLS != nil || (s.Auth != nil && s.Auth.SecureCookies)
}
