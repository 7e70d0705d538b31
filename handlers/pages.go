package handlers

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/charts"
	"ruggedlab/i18n"
	"ruggedlab/models"
	"ruggedlab/static"
)

// templateFiles are the evaluator pages (api.md §8). Each page file defines
// "title" and "content"; layout.html wraps them in the shared head and nav
// bar, and parts.html holds shared pieces (tables, chart figures).
//
//go:embed templates/*.html
var templateFiles embed.FS

// pages renders the HTML pages. Handlers are thin: read the query, build a
// view model from store and verdict calls, render it into a buffer, then
// write, so a template error is a 500 page and never half a 200.
//
// Store calls get c.Request.Context(), never the *gin.Context itself:
// database/sql watches a query's context from its own goroutine, which can
// outlive the handler, and Gin recycles its Context for the next request
// (the race detector sees the two meet).
type pages struct {
	s *Server
	// tmpl holds each language's pages by file name, e.g. "compare.html";
	// each language's set has its own T (i18n.go).
	tmpl map[i18n.Lang]map[string]*template.Template
}

// newPages parses every page template once (the only state the package
// keeps besides the embedded files). A parse error is a build bug, so it
// panics: the first test that builds Routes fails.
func newPages(s *Server) *pages {
	p := &pages{s: s, tmpl: map[i18n.Lang]map[string]*template.Template{}}
	for _, l := range i18n.Langs {
		funcs := template.FuncMap{
			"static":      static.Path,
			"echartsPath": static.EChartsPath,
			"swatch":      charts.ColorClass,
		}
		for k, f := range langFuncs(s.catalog().Printer(l)) {
			funcs[k] = f
		}
		base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/parts.html"))
		names, err := fs.Glob(templateFiles, "templates/*.html")
		if err != nil {
			panic(err)
		}
		p.tmpl[l] = map[string]*template.Template{}
		for _, n := range names {
			name := path.Base(n)
			if name == "layout.html" || name == "parts.html" {
				continue
			}
			p.tmpl[l][name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, n))
		}
	}
	return p
}

// pageRoutes mounts the static assets and the evaluator pages on r.
func (s *Server) pageRoutes(r *gin.Engine) {
	assets, err := static.New()
	if err != nil {
		panic("static assets: " + err.Error()) // embedded files: a build bug
	}
	h := gin.WrapH(assets)
	r.GET(static.Prefix+"*name", h)
	r.HEAD(static.Prefix+"*name", h)
	r.GET(static.FaviconPath, h)
	r.HEAD(static.FaviconPath, h)

	p := newPages(s)
	s.html = p // error pages for browsers (errorpage.go)
	r.GET("/", p.dashboard)
	r.GET("/handsets/:code", p.handset)
	r.GET("/compare", p.compare())
	r.GET("/compare/export.csv", p.compareExport("csv"))
	r.GET("/compare/export.json", p.compareExport("json"))
	r.GET("/profiles", p.profiles)
	r.GET("/profiles/:id/matrix", p.matrix())
	r.GET("/profiles/:id/award", p.award())
	r.GET("/profiles/:id/award/export.csv", p.awardExport("csv"))
	r.GET("/profiles/:id/award/export.json", p.awardExport("json"))
	r.GET("/profiles/:id/matrix/export.csv", p.matrixExport("csv"))
	r.GET("/profiles/:id/matrix/export.json", p.matrixExport("json"))
	r.GET("/runs", p.runs)
	r.GET("/runs/:id", p.run)
	r.GET("/profiles/:id/evidence-pack.zip", p.evidencePack) // evidence_pack.go
	r.GET("/profiles/:id/report.pdf", p.profileReport)       // test reports (report.go)
	r.GET("/handsets/:code/report.pdf", p.handsetReport)
	r.GET(apiDocsRoute, p.apiDocs) // the REST API's reference (pages_apidocs.go)
	r.GET("/trials", p.trials)     // field pilots (pages_trials.go)
	r.GET("/trials/:id", p.trial())
	r.GET("/trials/:id/export.csv", p.trialExport("csv"))
	r.GET("/trials/:id/export.json", p.trialExport("json"))
	s.formRoutes(r, p) // the technicians' forms (forms.go)
}

// chrome is what the layout needs from every page.
type chrome struct {
	Title     string
	Blind     bool
	Nav       []navLink
	HasCharts bool // load ECharts only where something draws
	Wide      bool // tables with a column per candidate need the width
	Permalink string
	Exports   []exportLink
	// Who is the signed-in account, shown with a log-out button; set by
	// render for every page, so view builders need not know the request.
	Who *models.Account
	// BlindToggle links to the same page in blind mode (never the way back:
	// unmasking is for admins once accounts exist, api.md §9).
	BlindToggle string
	// Actions are the buttons to the forms this account may use here
	// (Server.actions): none for evaluators, none in blind mode.
	Actions []navLink
	// LangHref and LangLabel are the language switch (i18n.go), set by
	// render: the same page in the other language.
	LangHref, LangLabel string
	// ImportsNav shows the list of imports in the nav bar, set by render
	// for an account that may open it (never in blind mode).
	ImportsNav bool
	// Notice says what the last form saved ("Run saved."), above the
	// page's buttons.
	Notice string
}

type navLink struct {
	Label, Href string
	Current     bool
	Sub         bool // the kinds under "Compare"
}

type exportLink struct{ Kind, Href string }

// exportLinks are a page's downloads: CSV, the same CSV in the French
// spreadsheet dialect (csv_dialect.go), and JSON.
func exportLinks(csvHref, jsonHref string) []exportLink {
	sep := "?"
	if strings.Contains(csvHref, "?") {
		sep = "&"
	}
	return []exportLink{{"csv", csvHref}, {"csv-fr", csvHref + sep + "dialect=fr"}, {"json", jsonHref}}
}

// newChrome builds the nav bar: every chart is at most two clicks from "/"
// (nav → page). current is the nav entry to mark.
func newChrome(title, current string, blind bool) chrome {
	q := ""
	if blind {
		q = "?blind=1"
	}
	and := strings.Replace(q, "?", "&", 1)
	nav := []navLink{
		{Label: "Dashboard", Href: "/" + q, Current: current == "dashboard"},
		{Label: "Compare:", Href: "/compare" + q, Current: current == "compare"},
	}
	for _, k := range models.Kinds {
		name := string(k)
		nav = append(nav, navLink{Label: strings.ToUpper(name[:1]) + name[1:], Href: "/compare?kind=" + name + and,
			Current: current == "compare-"+name, Sub: true})
	}
	nav = append(nav, navLink{Label: "Runs", Href: "/runs" + q, Current: current == "runs"})
	nav = append(nav, navLink{Label: "Profiles", Href: "/profiles" + q, Current: current == "profiles"})
	nav = append(nav, navLink{Label: "Field trials", Href: "/trials" + q, Current: current == "trials"})
	nav = append(nav, navLink{Label: "API", Href: apiDocsRoute + q, Current: current == "api"})
	return chrome{Title: title, Blind: blind, Nav: nav}
}

// isBlind reads ?blind=1 (also true/yes/on), and is true whatever the
// query for an evaluator while the server forces blind mode on them
// (blindMask).
func isBlind(c *gin.Context) bool {
	if forcedBlind(c) {
		return true
	}
	switch strings.ToLower(c.Query("blind")) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// withQuery builds path?query with the parameters in the order given,
// skipping empty values, so permalinks read naturally and compare equal.
func withQuery(p string, kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		parts = append(parts, url.QueryEscape(kv[i])+"="+queryValue(kv[i+1]))
	}
	if len(parts) == 0 {
		return p
	}
	return p + "?" + strings.Join(parts, "&")
}

// queryValue escapes a query value but keeps commas, which separate
// handsets and are legal in a query (RFC 3986 sub-delims).
func queryValue(v string) string { return strings.ReplaceAll(url.QueryEscape(v), "%2C", ",") }

func blindParam(blind bool) string {
	if blind {
		return "1"
	}
	return ""
}

// render executes page into a buffer and writes it with status. A template
// error becomes the 500 page.
func (p *pages) render(c *gin.Context, status int, page string, view any) {
	pr := p.s.langHeaders(c)
	t, ok := p.tmpl[pr.Lang][page]
	var buf bytes.Buffer
	err := errors.New("no template " + page)
	if ok {
		err = t.ExecuteTemplate(&buf, "layout.html", withWho(view, c, pr.Lang, p.s.allowed(c, "GET", "/imports")))
	}
	if err != nil {
		p.fail(c, fmt.Errorf("render %s: %w", page, err))
		return
	}
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// chartHTML renders built charts for a page in tr's language (nil:
// English); a chart that cannot be drawn is an error of the page (500),
// never a silently empty box.
func chartHTML(tr *i18n.Printer, cs ...charts.Chart) ([]template.HTML, error) {
	out := make([]template.HTML, 0, len(cs))
	for _, ch := range cs {
		if tr != nil && tr.Lang != i18n.EN {
			var err error
			if ch, err = charts.Localize(ch, tr); err != nil {
				return nil, err
			}
		}
		h, err := ch.HTML()
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// withWho returns view with its chrome's Who set to the request's account.
// Views are built by value in many places, some without the request, so
// the account is filled in here, once, on a copy.
func withWho(view any, c *gin.Context, lang i18n.Lang, imports bool) any {
	a, ok := account(c)
	rv := reflect.ValueOf(view)
	if rv.Kind() != reflect.Struct {
		return view
	}
	cp := reflect.New(rv.Type())
	cp.Elem().Set(rv)
	if f := cp.Elem().FieldByName("Who"); ok && f.IsValid() && f.CanSet() && f.Type() == reflect.TypeOf(&a) {
		f.Set(reflect.ValueOf(&a))
	}
	href, label := langSwitch(c, lang)
	if f := cp.Elem().FieldByName("LangHref"); f.IsValid() && f.CanSet() && f.Kind() == reflect.String {
		f.SetString(href)
	}
	if f := cp.Elem().FieldByName("LangLabel"); f.IsValid() && f.CanSet() && f.Kind() == reflect.String {
		f.SetString(label)
	}
	if f, blind := cp.Elem().FieldByName("ImportsNav"), cp.Elem().FieldByName("Blind"); f.IsValid() && f.CanSet() && blind.IsValid() && !blind.Bool() {
		f.SetBool(imports)
	}
	return cp.Interface()
}
