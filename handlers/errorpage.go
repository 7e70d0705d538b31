package handlers

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
)

// People's pages speak HTML (issue 16 item 4): every error a browser can
// reach outside /api/ — a page that cannot be built, a role that may not
// open a form, an unknown address, a body over the limit, a cross-site
// post — is an HTML page in the site's layout, with the status the
// problem+json answer would have. API clients keep problem+json:
// /api/v1/... always, and elsewhere whenever they do not ask for HTML.

// wantsHTML reports whether the client asked for a page: a path outside
// /api/ whose Accept prefers text/html to JSON. No Accept, */* or
// application/json stays problem+json, so scripts see no change.
func wantsHTML(c *gin.Context) bool {
	if isAPI(c.Request.URL.Path) || c.GetHeader("Accept") == "" {
		return false
	}
	switch c.NegotiateFormat("application/problem+json", gin.MIMEJSON, gin.MIMEHTML, "application/xhtml+xml") {
	case gin.MIMEHTML, "application/xhtml+xml":
		return true
	}
	return false
}

// errorView is the page shown instead of a page that cannot be built.
type errorView struct {
	chrome
	Status int
	// Message says what happened in people's words; Detail is the
	// service's own message when it adds something (a handset code, a
	// field), shown under it.
	Message string
	Detail  string
	Fields  models.FieldErrors
	Request string
	// Next is where to go from here (the login form, the form again).
	Next, NextLabel string
}

// fail shows err as an HTML page with the status problem+json would have:
// 404 for an unknown handset, run, profile or address, 403 for a role
// that may not open the page, 422 for a bad query, 500 (logged once, with
// the request id) for anything else.
func (p *pages) fail(c *gin.Context, err error) {
	pr := problemFor(c, p.s.Log, err)
	pt := p.s.printer(c)
	lang := p.s.langHeaders(c).Lang
	v := errorView{chrome: newChrome(pr.Title, "", isBlind(c)), Status: pr.Status, Detail: pr.Detail, Fields: pr.Errors, Request: pr.RequestID}
	v.LangHref, v.LangLabel = langSwitch(c, lang)
	if a, ok := account(c); ok {
		v.Who = &a
	}
	code := models.ErrorCode(err)
	switch {
	case code == models.Forbidden:
		need := requiredRole(c.Request.Method, c.FullPath())
		if a, ok := account(c); ok && need != public {
			v.Message = pt.T("This page is for the %s role; you are signed in as %s with the %s role.", pt.Text(string(need)), a.Name, pt.Text(string(a.Role)))
		} else {
			v.Message = pt.T("Your role may not open this page.")
		}
		v.Message += " " + pt.T("Nothing was written. Ask an admin for a role that allows it.")
		v.Detail = ""
	case code == codeCrossSite:
		v.Message = pt.T("The form was sent from another site's page, so it was refused and nothing was written. Open the form on this site and send it again.")
		v.Detail = ""
	case code == models.Unauthenticated:
		v.Message = pt.T("Log in to see this page.")
		v.Next, v.NextLabel = "/login?next="+c.Request.URL.RequestURI(), pt.T("Log in")
		v.Detail = ""
	case code == models.NotFound && c.FullPath() == "":
		v.Message = pt.T("There is no page at this address. It may have been mistyped, or the link is out of date.")
		v.Detail = ""
	case code == models.NotFound:
		v.Message = pt.T("What this address names is not recorded (or no longer exists).")
	case code == codeMethod:
		v.Message = pt.T("This address cannot be used that way. Use the buttons and links of the pages; runs are changed by amending or retracting them, never deleted.")
		v.Detail = ""
	case code == models.TooLarge:
		v.Message = pt.T("The file or form is over the size the service accepts. Nothing was written; split the file or ask an admin to raise the limit.")
		v.Detail = ""
	case code == models.Unsupported:
		v.Message = pt.T("The form was sent in a way the service does not read. Nothing was written; send it again from the form.")
		v.Detail = ""
	case code == models.Busy:
		c.Header("Retry-After", "5")
		v.Message = pt.T("The database is busy with another long write (usually an import). Nothing was written; try again in a few seconds.")
		v.Detail = ""
	case code == models.Conflict:
		v.Message = pt.T("This conflicts with what is recorded. Reload the page and try again.")
	case code == models.Invalid || code == models.Malformed:
		v.Message = pt.T("Some of what was asked is not valid. Nothing was written.")
	case pr.Status >= 500:
		v.Message = pt.T("Something failed inside the service. It has been logged; please quote the request number below.")
		v.Detail = ""
	}
	// Details and field messages come from the store and the validators in
	// English; those the catalogue knows are shown in the page's language.
	known := func(s string) string {
		if pt.Known(s) {
			return pt.Text(s)
		}
		return s
	}
	v.Detail = known(peopleWords(v.Detail))
	for i := range v.Fields {
		v.Fields[i].Message = known(peopleWords(v.Fields[i].Message))
	}
	if v.Message == "" {
		v.Message, v.Detail = v.Detail, ""
	}
	if v.Blind {
		// The message may quote a code from the URL; say less.
		v.Detail = ""
	}
	if back := c.Request.Referer(); back != "" && v.Next == "" && sameOrigin(c, back) {
		v.Next, v.NextLabel = back, pt.T("Back to the previous page")
	}
	var buf bytes.Buffer
	c.Header("X-Content-Type-Options", "nosniff")
	if t, ok := p.tmpl[lang]["error.html"]; ok && t.ExecuteTemplate(&buf, "layout.html", v) == nil {
		c.Data(pr.Status, "text/html; charset=utf-8", buf.Bytes())
		c.Abort()
		return
	}
	c.String(pr.Status, "%s\n", pr.Title)
	c.Abort()
}

// apiHint is the "(POST /api/v1/…)" a store message adds for API
// clients; people's pages drop it and offer the form instead.
var apiHint = regexp.MustCompile(`\s*\((?:GET|POST|PATCH|PUT|DELETE) /api/[^)]*\)`)

// peopleWords is a service message as a page shows it: without API paths.
func peopleWords(s string) string { return apiHint.ReplaceAllString(s, "") }

// sameOrigin reports whether a Referer is a page of this service, the
// only kind of "back" link an error page offers.
func sameOrigin(c *gin.Context, ref string) bool {
	host := c.Request.Host
	return host != "" && (strings.HasPrefix(ref, "http://"+host+"/") || strings.HasPrefix(ref, "https://"+host+"/"))
}
