package handlers

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ruggedlab/i18n"
)

// The interface language (api.md §8.9): ?lang=fr|en on any page switches
// and remembers it in the rl_lang cookie; without a switch the cookie
// decides (garbage → English), then Accept-Language, then English. API
// bodies, field names and machine-readable exports never change.

const printerKey = "ruggedlab.printer"

const rememberKey = "ruggedlab.lang.remember"

// withLang chooses the request's language once and puts its printer in
// the request context, where view builders that only get a context (the
// cast, runSummary) find it. It writes nothing: API answers never change
// with the language; pages say theirs in render (langHeaders).
//
// Outside /api/ a switch (?lang=) is remembered here, before the answer
// cache, whose key holds the language (cacheKey) and whose cached
// answers carry no cookie.
func (s *Server) withLang(c *gin.Context) {
	p, remember := s.choose(c)
	c.Set(printerKey, p)
	c.Set(rememberKey, remember)
	c.Request = c.Request.WithContext(i18n.NewContext(c.Request.Context(), p))
	if !strings.HasPrefix(c.Request.URL.Path, "/api/") {
		if remember {
			http.SetCookie(c.Writer, &http.Cookie{Name: i18n.CookieName, Value: string(p.Lang), Path: "/",
				MaxAge: int((365 * 24 * time.Hour).Seconds()), SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(c)})
		}
		c.Header("Vary", "Accept-Language, Cookie")
	}
	c.Next()
}

// langOf is the request's language (English before withLang ran).
func langOf(c *gin.Context) i18n.Lang {
	if v, ok := c.Get(printerKey); ok {
		return v.(*i18n.Printer).Lang
	}
	return i18n.EN
}

func (s *Server) choose(c *gin.Context) (*i18n.Printer, bool) {
	cookie, err := c.Request.Cookie(i18n.CookieName)
	val := ""
	if err == nil {
		val = cookie.Value
	}
	l, remember := s.catalog().Choose(c.Query(i18n.QueryParam), val, err == nil, c.GetHeader("Accept-Language"))
	return s.catalog().Printer(l), remember
}

// printer is the request's language printer.
func (s *Server) printer(c *gin.Context) *i18n.Printer {
	if v, ok := c.Get(printerKey); ok {
		return v.(*i18n.Printer)
	}
	p, remember := s.choose(c)
	c.Set(printerKey, p)
	c.Set(rememberKey, remember)
	return p
}

// langHeaders is what a page says about its language: Content-Language
// (kept by the answer cache).
func (s *Server) langHeaders(c *gin.Context) *i18n.Printer {
	p := s.printer(c)
	c.Header("Content-Language", string(p.Lang))
	return p
}

// catalog is the server's message catalogue (Server.I18n, loaded once).
func (s *Server) catalog() *i18n.Catalog {
	if s.I18n == nil {
		s.I18n = i18n.MustLoad()
	}
	return s.I18n
}

// langFuncs are the template functions of one language: T translates an
// English text (a printf format with args), dec gives a formatted number
// the language's decimal mark, num formats a float, dateTime a time.
// Templates of other pages use them the same way: {{T "Runs"}}.
func langFuncs(p *i18n.Printer) template.FuncMap {
	return template.FuncMap{
		"T":        p.T,
		"dec":      p.Decimal,
		"num":      p.Num,
		"dateTime": p.DateTime,
		"lang":     func() string { return string(p.Lang) },
	}
}

// langSwitch links to the same page in the other language.
func langSwitch(c *gin.Context, cur i18n.Lang) (href, label string) {
	to, label := i18n.FR, "Français"
	if cur == i18n.FR {
		to, label = i18n.EN, "English"
	}
	q := c.Request.URL.Query()
	q.Set(i18n.QueryParam, string(to))
	u := url.URL{Path: c.Request.URL.Path, RawQuery: q.Encode()}
	return u.String(), label
}
