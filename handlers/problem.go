package handlers

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/i18n"
	"ruggedlab/models"
	"ruggedlab/static"
)

// problemType describes one RFC 9457 problem type; each is explained on a
// page the service serves at /problems/<slug>.
type problemType struct {
	Slug, Title, Help string
	Status            int
}

var problemTypes = map[models.Code]problemType{
	models.Invalid:         {"validation", "The request is well-formed but breaks a rule", "Each entry of errors names the field (JSON) or the row and column (CSV) and says what is wrong. Fix them all and send the request again; nothing was written.", http.StatusUnprocessableEntity},
	models.Malformed:       {"malformed", "The body cannot be parsed", "The body is not valid JSON (or CSV), or is a JSON array where an object belongs. Nothing was written.", http.StatusBadRequest},
	models.NotFound:        {"not-found", "No such resource", "The handset, unit, run or import named in the URL does not exist.", http.StatusNotFound},
	models.Conflict:        {"conflict", "The request conflicts with what is recorded", "A handset code or unit serial that already exists, an amendment made against an old revision (reload and amend the latest), or a run that is already retracted.", http.StatusConflict},
	models.TooLarge:        {"too-large", "The body is too large", "The service refuses bodies above its configured limit (--max-json for JSON, --max-upload for CSV and series). Nothing was written.", http.StatusRequestEntityTooLarge},
	models.Unsupported:     {"unsupported-media-type", "Wrong media type", "Send JSON as application/json and CSV as text/csv (or multipart/form-data with a file field).", http.StatusUnsupportedMediaType},
	models.Internal:        {"internal", "Internal error", "Something failed inside the service. It has been logged with the request ID; please report that ID.", http.StatusInternalServerError},
	models.Unauthenticated: {"unauthenticated", "Authentication required", "Send \"Authorization: Bearer <token>\" (ruggedlab user add prints one) or log in at /login. A token stops working when its account is removed; a session ends 12 h after login, after 2 h without use, or at logout.", http.StatusUnauthorized},
	models.Forbidden:       {"forbidden", "Not allowed for your role", "Evaluators read, chart and export. Technicians also record units, runs, amendments, retractions, imports and series. Admins also manage handsets, requirement profiles and accounts, and may unmask blind views. Nothing was written; ask an admin for a role that allows this request.", http.StatusForbidden},
	codeCrossSite:          {"cross-site", "Cross-site request refused", "A state-changing request (POST, PATCH, DELETE) came from another site's page: Sec-Fetch-Site said cross-site, or Origin was not this service. Nothing was written. Scripts that send neither header are not affected.", http.StatusForbidden},
	models.Busy:            {"busy", "The database is busy", "Another long write (usually a bulk import on the embedded SQLite store) holds the database. Nothing was written; retry after the number of seconds in Retry-After.", http.StatusServiceUnavailable},
	codeMethod:             {"method-not-allowed", "Method not allowed", "Runs are never edited in place or deleted: use POST …/amendments or …/retraction.", http.StatusMethodNotAllowed},
}

const codeMethod models.Code = "method_not_allowed"

// Problem is the RFC 9457 body.
type Problem struct {
	Type     string             `json:"type"`
	Title    string             `json:"title"`
	Status   int                `json:"status"`
	Detail   string             `json:"detail,omitempty"`
	Instance string             `json:"instance,omitempty"`
	Errors   models.FieldErrors `json:"errors,omitempty"`
	// RequestID lets a technician quote the failing request to support.
	RequestID string `json:"request_id,omitempty"`
}

// problemFor maps an error to the problem a client sees. Internal errors
// are logged once here and never shown.
func problemFor(c *gin.Context, log *slog.Logger, err error) Problem {
	code := models.ErrorCode(err)
	var me *models.Error
	errors.As(err, &me)
	if errors.Is(err, context.Canceled) {
		code = models.Internal
	}
	pt, ok := problemTypes[code]
	if !ok {
		pt = problemTypes[models.Internal]
	}
	p := Problem{Type: "/problems/" + pt.Slug, Title: pt.Title, Status: pt.Status, Instance: c.Request.URL.Path, RequestID: requestID(c)}
	if code == models.Internal {
		log.ErrorContext(c.Request.Context(), "internal error", "request_id", p.RequestID, "route", c.FullPath(), "err", err)
		p.Detail = "internal error; quote request " + p.RequestID
		return p
	}
	if me != nil {
		p.Detail = me.Message
		p.Errors = me.Fields
	} else {
		p.Detail = err.Error()
	}
	return p
}

// fail writes err as application/problem+json and stops the chain — or,
// for a browser asking for a page outside /api/, as the HTML error page
// in the site's layout (wantsHTML).
func (s *Server) fail(c *gin.Context, err error) {
	if s.html != nil && wantsHTML(c) {
		s.html.fail(c, err)
		return
	}
	p := problemFor(c, s.Log, err)
	writeProblem(c, p)
}

func writeProblem(c *gin.Context, p Problem) {
	if p.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(p.Status, p)
}

func failCode(code models.Code, format string, args ...any) error {
	return models.Errorf(code, format, args...)
}

// problemPage documents one problem type for people who follow its type
// URI, in the reader's language (the problem+json bodies stay English).
var problemPage = template.Must(template.New("problem").Parse(`<!doctype html>
<html lang="{{.P.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.P.T .Title}} — RuggedLab</title><link rel="stylesheet" href="{{.CSS}}"></head>
<body><a class="skip-link" href="#main">{{.P.T "Skip to content"}}</a>
<main id="main" tabindex="-1"><h1>{{.P.T .Title}}</h1><p>{{.P.T "HTTP status %d." .Status}}</p><p>{{.P.T .Help}}</p>
<p>{{.P.T "Problem answers use application/problem+json (RFC 9457); field errors say where: field for JSON bodies, row and column for CSV files (the header is row 1)."}}</p></main></body></html>`))

type problemView struct {
	problemType
	P   *i18n.Printer
	CSS string
}

func (s *Server) problemDoc(c *gin.Context) {
	slug := c.Param("slug")
	for _, pt := range problemTypes {
		if pt.Slug == slug {
			var b strings.Builder
			if err := problemPage.Execute(&b, problemView{pt, s.langHeaders(c), static.Path("app.css")}); err != nil {
				s.fail(c, err)
				return
			}
			c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
			return
		}
	}
	s.fail(c, failCode(models.NotFound, "no problem type %q", slug))
}

func (s *Server) noRoute(c *gin.Context) {
	s.fail(c, failCode(models.NotFound, "no such path: %s", c.Request.URL.Path))
}

func (s *Server) noMethod(c *gin.Context) {
	allowed := c.Writer.Header().Get("Allow")
	s.fail(c, failCode(codeMethod, "%s is not allowed on %s%s", c.Request.Method, c.Request.URL.Path, allowHint(allowed)))
}

func allowHint(allow string) string {
	if allow == "" {
		return ""
	}
	return fmt.Sprintf(" (allowed: %s)", allow)
}
