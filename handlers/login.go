package handlers

import (
	"bytes"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/i18n"
	"ruggedlab/models"
	"ruggedlab/static"
	"ruggedlab/store"
)

// loginPage is the login form, and the account page that shows who is
// logged in with a way out. Parsed once, like problemPage.
var loginPage = template.Must(template.New("login").Funcs(template.FuncMap{"static": static.Path}).Parse(`<!doctype html>
<html lang="{{.P.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Account}}{{.P.T "Account"}}{{else}}{{.P.T "Log in"}}{{end}} — RuggedLab</title>
<link rel="stylesheet" href="{{static "app.css"}}"><link rel="icon" href="{{.Favicon}}"></head>
<body><a class="skip-link" href="#main">{{.P.T "Skip to content"}}</a>
<main class="login" id="main" tabindex="-1">
<h1>RuggedLab</h1>
{{- if .Account}}
<p>{{.P.T "Logged in as"}} <strong data-account>{{.Account.Name}}</strong> ({{.P.T (print .Account.Role)}}).</p>
<form method="post" action="/logout"><button type="submit">{{.P.T "Log out"}}</button></form>
{{- else}}
{{- if .Message}}<p class="error" role="alert">{{.Message}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="next" value="{{.Next}}">
<p><label for="name">{{.P.T "Name"}}</label><br><input id="name" name="name" value="{{.Name}}" autocomplete="username" autocapitalize="none" required autofocus></p>
<p><label for="password">{{.P.T "Password"}}</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">{{.P.T "Log in"}}</button></p>
</form>
{{- end}}
{{- with .LangHref}}<p><a href="{{.}}" data-lang-switch>{{$.LangLabel}}</a></p>{{end}}
</main></body></html>
`))

type loginView struct {
	Account *models.Account
	Message string
	Name    string
	Next    string
	Favicon string
	// P is the page's language (set by renderLogin); LangHref and
	// LangLabel switch to the other one.
	P                   *i18n.Printer
	LangHref, LangLabel string
}

func (s *Server) renderLogin(c *gin.Context, status int, v loginView) {
	v.Favicon = static.FaviconPath
	v.P = s.langHeaders(c)
	if c.Request.Method == http.MethodGet {
		v.LangHref, v.LangLabel = langSwitch(c, v.P.Lang)
	}
	var b bytes.Buffer
	if err := loginPage.Execute(&b, v); err != nil {
		s.fail(c, err)
		return
	}
	// The form is never cached: it may carry a message about this attempt.
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
}

// showLogin is GET /login.
func (s *Server) showLogin(c *gin.Context) {
	s.renderLogin(c, http.StatusOK, loginView{Next: safeNext(c.Query("next"))})
}

// wrongLogin is the one message for every failed login, so the form does
// not tell which names exist.
const wrongLogin = "Wrong name or password"

// login is POST /login: name and password from the form; on success a
// fresh session (any old one ends) and a 303 to next.
func (s *Server) login(c *gin.Context) {
	name := strings.ToLower(strings.TrimSpace(c.PostForm("name")))
	password := c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	if next == "/" {
		next = safeNext(c.Query("next"))
	}
	old, _ := c.Cookie(sessionCookie)
	noteAudit(c, "name", name)
	acct, sess, err := s.Store.Login(c.Request.Context(), name, password, c.ClientIP(), old)
	var tooMany *store.TooManyAttempts
	switch {
	case errors.As(err, &tooMany):
		secs := int(math.Ceil(tooMany.RetryAfter.Seconds()))
		noteAudit(c, "outcome", "rate_limited")
		s.Log.WarnContext(c.Request.Context(), "login refused: too many failures", "request_id", requestID(c),
			"name", name, "address", c.ClientIP(), "retry_after_s", secs)
		c.Header("Retry-After", strconv.Itoa(secs))
		s.renderLogin(c, http.StatusTooManyRequests, loginView{Name: name, Next: next,
			Message: s.printer(c).T("Too many failed logins. Try again in %s.", minutes(s.printer(c), secs))})
	case errors.Is(err, store.ErrWrongLogin):
		noteAudit(c, "outcome", "wrong_name_or_password")
		s.Log.WarnContext(c.Request.Context(), "login failed", "request_id", requestID(c), "name", name, "address", c.ClientIP())
		c.Header("WWW-Authenticate", `Bearer realm="ruggedlab"`)
		s.renderLogin(c, http.StatusUnauthorized, loginView{Name: name, Next: next, Message: s.printer(c).T(wrongLogin)})
	case err != nil:
		s.fail(c, err)
	default:
		noteAudit(c, "outcome", "ok")
		c.Set(accountKey, acct) // the audit entry names who logged in
		s.Log.InfoContext(c.Request.Context(), "login", "request_id", requestID(c), "account", acct.Name, "address", c.ClientIP())
		s.setSessionCookie(c, sess)
		c.Redirect(http.StatusSeeOther, next)
	}
}

func minutes(p *i18n.Printer, secs int) string {
	if m := (secs + 59) / 60; m > 1 {
		return p.T("%d minutes", m)
	}
	return p.T("a minute")
}

// logout is POST /logout: the session ends in the database, so a copy of
// the cookie is worthless from now on, and the browser forgets it.
func (s *Server) logout(c *gin.Context) {
	if token, err := c.Cookie(sessionCookie); err == nil && token != "" {
		if err := s.Store.EndSession(c.Request.Context(), token); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.clearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, "/login")
}

// showAccount is GET /account: who is logged in, and the logout button.
func (s *Server) showAccount(c *gin.Context) {
	a, _ := account(c)
	s.renderLogin(c, http.StatusOK, loginView{Account: &a})
}

// safeNext keeps a post-login redirect on this site: only a path, never
// a scheme, a host or a protocol-relative "//host" (nor "/\host", which
// browsers read the same way), so the login form cannot be used to send
// people elsewhere.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Path == "/login" {
		return "/"
	}
	return next
}
