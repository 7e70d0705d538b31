package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
)

// Imports as objects (issue #16 item 2): /imports lists every import, a
// page at a time, each with its runs (/runs?import=ID) and, for those who
// may, a form that retracts it as a whole: a reason, then a confirmation
// page that says how many runs will be retracted, then the same
// Store.RetractImport as POST /api/v1/imports/{id}/retract.

// importsView is /imports.
type importsView struct {
	chrome
	Imports []importLine
	Pager   pager
}

type importLine struct {
	ID, When, Who, File, Kind string
	Rows                      int
	// Units imports registered units: no runs page, never retracted.
	Units     bool
	Retracted string // "by X on Y: reason", when retracted as a whole
	RunsHref  string
	// RetractHref is the retract form, for an account that may use it.
	RetractHref string
}

func importPath(id string) string { return "/imports/" + url.PathEscape(id) }

func (f *forms) importsList(c *gin.Context) {
	var errs models.FieldErrors
	page := readPage(c, &errs)
	if err := errs.Err("the table request is not valid"); err != nil {
		f.fail(c, err)
		return
	}
	it, err := f.s.Store.ImportTable(c.Request.Context(), page, 0)
	if err != nil {
		f.fail(c, err)
		return
	}
	pt, zone := f.s.printer(c), f.s.zone()
	mayRetract := f.s.allowed(c, http.MethodPost, "/imports/:id/retract")
	v := importsView{chrome: newChrome("Imports", "imports", false)}
	v.Wide = true
	for _, imp := range it.Imports {
		l := importLine{ID: imp.ID, When: pt.DateTimeIn(imp.RecordedAt, zone), Who: imp.RecordedBy, File: imp.FileName,
			Kind: pt.Text(imp.Kind), Rows: imp.Rows, Units: imp.Kind == "units"}
		if !l.Units {
			l.RunsHref = withQuery("/runs", "import", imp.ID)
		}
		if imp.RetractedAt != nil {
			l.Retracted = pt.T("by %s on %s: %s", imp.RetractedBy, pt.DateTimeIn(*imp.RetractedAt, zone), imp.RetractReason)
		} else if !l.Units && mayRetract {
			l.RetractHref = importPath(imp.ID) + "/retract"
		}
		v.Imports = append(v.Imports, l)
	}
	v.Actions = f.s.actions(c, false, action{"Import CSV", "/imports/new", "/imports/new"})
	v.Pager = newPager(it.TablePage, len(it.Imports), func(n int) string {
		if n == 1 {
			return "/imports"
		}
		return "/imports?page=" + strconv.Itoa(n)
	})
	c.Header("Cache-Control", "no-store")
	f.render(c, http.StatusOK, "imports.html", v)
}

// retractImportView is the retract form of an import: the reason, or with
// confirm the last step, which names what will happen.
func (f *forms) retractImportView(c *gin.Context, imp models.Import, reason string, confirm bool) formView {
	pt, zone := f.s.printer(c), f.s.zone()
	v := f.view(c, pt.T("Retract import"))
	file := imp.FileName
	if file == "" {
		file = pt.T("a file")
	}
	v.Lede = pt.T("%d %s runs imported from %s by %s on %s. Every active run of the import is retracted with one reason, all or nothing; retracted runs stay visible, struck through, and leave every statistic. It cannot be undone.",
		len(imp.Created), pt.Text(imp.Kind), file, imp.RecordedBy, pt.DateTimeIn(imp.RecordedAt, zone))
	v.Cancel = "/imports"
	v.Submit = pt.T("Continue")
	v.Fields = []formField{{Name: "reason", Label: pt.T("Reason"), Control: "textarea", Value: reason, Required: true, MaxLen: 4000,
		Hint: pt.T("required, at least 3 characters: why the whole import is retracted")}}
	if confirm {
		v.Heading = pt.T("Retract %d runs?", len(imp.Created))
		v.Lede = pt.T("The %d runs imported from %s will be retracted with the reason: “%s”. Nothing else changes.", len(imp.Created), file, reason)
		v.Fields = nil
		v.Hidden = []hiddenField{{"reason", reason}, {"confirm", "yes"}}
		v.Submit = pt.T("Retract %d runs", len(imp.Created))
	}
	if imp.Kind == "units" {
		v.Messages, v.Submit, v.Fields = []string{pt.T("This import registered units, which are never retracted.")}, "", nil
	}
	return v
}

// retractImportForm is GET /imports/{id}/retract.
func (f *forms) retractImportForm(c *gin.Context) {
	imp, err := f.s.Store.Import(c.Request.Context(), c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.show(c, http.StatusOK, f.retractImportView(c, imp, "", false))
}

// saveImportRetraction is POST /imports/{id}/retract: the reason is
// checked and confirmed on a second page (confirm=yes), then every run is
// retracted in one transaction (Store.RetractImport) and the browser goes
// to the import's runs, struck through.
func (f *forms) saveImportRetraction(c *gin.Context) {
	imp, err := f.s.Store.Import(c.Request.Context(), c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	reason := strings.TrimSpace(c.PostForm("reason"))
	r := models.Retraction{Reason: reason}
	if c.PostForm("confirm") != "yes" {
		if err := r.Validate(); err != nil {
			f.failForm(c, f.retractImportView(c, imp, reason, false), err)
			return
		}
		f.show(c, http.StatusOK, f.retractImportView(c, imp, reason, true))
		return
	}
	if _, err := f.s.Store.RetractImport(c.Request.Context(), imp.ID, r, f.s.author(c)); err != nil {
		f.failForm(c, f.retractImportView(c, imp, reason, false), err)
		return
	}
	c.Redirect(http.StatusSeeOther, withQuery("/runs", "import", imp.ID))
}
