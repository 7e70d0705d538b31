package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/importer"
	"ruggedlab/models"
	"ruggedlab/store"
)

// maxFormField bounds each small field sent before a form's file part.
const maxFormField = 8 << 10

// formParts reads a multipart form up to its "file" part: the small fields
// before it (the templates put the file last) and the file as a stream,
// never buffered, under the --max-upload limit. Every byte read is also
// written to hash, when set.
func (s *Server) formParts(c *gin.Context, hash io.Writer) (map[string]string, *multipart.Part, *multipart.Reader, error) {
	if c.Request.ContentLength > s.MaxUpload {
		return nil, nil, nil, tooLarge(s.MaxUpload)
	}
	mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, nil, nil, failCode(models.Unsupported, "send the form as multipart/form-data")
	}
	var raw io.Reader = http.MaxBytesReader(c.Writer, c.Request.Body, s.MaxUpload)
	if hash != nil {
		raw = io.TeeReader(raw, hash)
	}
	mr := multipart.NewReader(&uploadReader{r: raw}, params["boundary"])
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return fields, nil, mr, nil
		}
		if err != nil {
			return nil, nil, nil, uploadError(err, nil)
		}
		if part.FormName() == "file" {
			return fields, part, mr, nil
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFormField))
		if err != nil {
			return nil, nil, nil, uploadError(err, nil)
		}
		fields[part.FormName()] = string(b)
	}
}

func (f *forms) importView(c *gin.Context, kind, token string) formView {
	pt := f.s.printer(c)
	v := f.view(c, pt.T("Import a CSV file"))
	v.Lede = pt.T("Units or runs of one kind, one per row, with a header row naming the columns (see the API description of each kind). All rows are recorded, or none.")
	v.Multipart, v.Upload = true, true
	v.Submit = pt.T("Import")
	v.Cancel = "/"
	if token == "" {
		token = newToken()
	}
	v.Hidden = []hiddenField{{"token", token}}
	// The choices are named in words (units, drop, …); the value sent
	// stays the importer's target name.
	targets := []option{{"", pt.T("— choose —")}}
	for _, t := range importer.Targets() {
		targets = append(targets, option{t, pt.Text(t)})
	}
	v.Fields = []formField{
		{Name: "kind", Label: pt.T("What the file holds"), Control: "select", Value: kind, Required: true, Options: targets,
			Hint: pt.T("units (handset,serial,notes) or runs of one test kind")},
		{Name: "dry_run", Label: pt.T("Dry run"), Control: "checkbox", Value: "",
			Hint: pt.T("check every row as an import would, and record nothing")},
		{Name: "file", Label: pt.T("CSV file"), Control: "file", Required: true, Accept: ".csv,text/csv",
			Hint: pt.T("UTF-8, comma or semicolon separated; up to %s", pt.Text(byteSize(f.s.MaxUpload)))},
	}
	return v
}

func (f *forms) importForm(c *gin.Context) {
	f.show(c, http.StatusOK, f.importView(c, c.Query("kind"), ""))
}

// saveImport is POST /imports/new, the form without JavaScript: the same
// CreateImport as POST /api/v1/imports/{kind}, then a page with what was
// recorded or a table of every bad row, column and value. The form's
// token is the import's Idempotency-Key, so a second submit of the same
// form and file records nothing more.
func (f *forms) saveImport(c *gin.Context) {
	fields, file, _, err := f.s.formParts(c, nil)
	v := f.importView(c, fields["kind"], fields["token"])
	if err != nil {
		f.failForm(c, v, err)
		return
	}
	if file == nil {
		f.failForm(c, v, models.FieldErrors{{Field: "file", Message: "is required: choose the CSV file"}}.Err("the form has no file"))
		return
	}
	target := fields["kind"]
	if !slices.Contains(importer.Targets(), target) {
		f.failForm(c, v, models.FieldErrors{{Field: "kind", Message: "is required: say what the file holds"}}.Err("the import is not valid"))
		return
	}
	o := store.ImportOptions{By: f.s.author(c), FileName: fileName(file.FileName()), DryRun: fields["dry_run"] == "true"}
	v.Fields[1].Value = fields["dry_run"]
	var src io.Reader = &uploadReader{r: file}
	if tok := fields["token"]; len(tok) >= 16 && len(tok) <= 64 && !o.DryRun { // a dry run records nothing to replay
		// The hash covers what was imported, the kind and the file's
		// bytes, not the multipart framing: a browser picks a new boundary
		// for each submit, and a double submit must still be recognised.
		h := sha256.New()
		fmt.Fprintf(h, "%s %s %s\n", c.Request.Method, c.Request.URL.Path, target)
		src = io.TeeReader(src, h)
		o.Key = &store.ImportKey{Scope: f.s.idempotencyScope(c), Key: "form:" + tok, Answer: importCreated,
			Hash: func() (string, error) {
				if _, err := io.Copy(io.Discard, src); err != nil {
					return "", err
				}
				return hex.EncodeToString(h.Sum(nil)), nil
			}}
	}
	imp, err := f.s.Store.CreateImport(c.Request.Context(), target, src, o)
	var replay *store.ReplayError
	switch {
	case errors.As(err, &replay):
		_ = json.Unmarshal(replay.Response.Body, &imp)
		v.Done = "This file was already imported: " + plural(imp.Rows, "row") + " recorded."
	case err != nil:
		fields, msg, status, ok := formErrors(c, f.s, err)
		if !ok {
			f.fail(c, err)
			return
		}
		noteImport(c, imp, status)
		v.Problems = fields
		if msg != "" {
			v.Messages = []string{msg}
		}
		f.show(c, status, v)
		return
	case o.DryRun:
		v.Done = "Dry run: " + plural(imp.Rows, "row") + " checked, all valid; nothing was recorded."
		v.Hidden = []hiddenField{{"token", fields["token"]}} // the real import may follow with the same form
		f.show(c, http.StatusOK, v)
		return
	default:
		noteImport(c, imp, http.StatusCreated)
		v.Done = "Imported " + plural(imp.Rows, "row") + " from " + cmpOr(imp.FileName, "the file") + "."
	}
	v.DoneHref = withQuery("/runs", "import", imp.ID) // the runs this import created
	if target == importer.Units || imp.ID == "" {     // units: the dashboard; a dry run created nothing
		v.DoneHref = "/"
	}
	v.Hidden = []hiddenField{{"token", newToken()}} // the next file is a new import
	f.show(c, http.StatusOK, v)
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// seriesFormWords say what the store tells an API client (a query
// string) in the form's terms: its own Replace and Reason fields (issue
// #16 item 4).
var seriesFormWords = strings.NewReplacer(
	" (?replace=true&reason=…)", " in Reason",
	"send it with ?replace=true&reason=…", "choose yes under Replace the series and give a Reason")

func (f *forms) seriesView(c *gin.Context, r models.Run, fields map[string]string) formView {
	pt := f.s.printer(c)
	v := f.view(c, pt.T("Upload the series of a %s run", pt.Text(string(r.Kind))))
	v.Lede = pt.T("Handset %s, unit %s. A CSV file with a header row (t_s and the kind's columns) or a JSON {\"samples\": […]}.", r.Handset, r.Unit)
	v.Multipart = true
	v.Submit = pt.T("Upload series")
	v.Cancel = runPath(r.ID)
	v.Fields = []formField{
		{Name: "replace", Label: pt.T("Replace the series"), Control: "select", Value: fields["replace"],
			Options: []option{{"", pt.T("no")}, {"true", pt.T("yes")}}, Hint: pt.T("only when the run has one: the old samples stay readable")},
		{Name: "reason", Label: pt.T("Reason"), Control: "input", Value: fields["reason"], MaxLen: 4000, Hint: pt.T("required to replace a series")},
		{Name: "file", Label: pt.T("Series file"), Control: "file", Required: true, Accept: ".csv,.json,text/csv,application/json",
			Hint: pt.T("up to %s", pt.Text(byteSize(f.s.MaxUpload)))},
	}
	if r.Kind != models.Battery && r.Kind != models.Temperature {
		v.Messages = []string{pt.T("Only battery and temperature runs carry a series.")}
		v.Submit = ""
	}
	return v
}

func (f *forms) seriesForm(c *gin.Context) {
	r, err := f.s.Store.Run(c.Request.Context(), c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.show(c, http.StatusOK, f.seriesView(c, r, nil))
}

// saveSeries is POST /runs/{id}/series/new: the file streams into the same
// IngestSeries as POST /api/v1/runs/{id}/series; problems come back as a
// table of rows and columns.
func (f *forms) saveSeries(c *gin.Context) {
	ctx := c.Request.Context()
	r, err := f.s.Store.Run(ctx, c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	fields, file, _, err := f.s.formParts(c, nil)
	v := f.seriesView(c, r, fields)
	if err != nil {
		f.failForm(c, v, err)
		return
	}
	if file == nil {
		f.failForm(c, v, models.FieldErrors{{Field: "file", Message: "is required: choose the series file"}}.Err("the form has no file"))
		return
	}
	replace, _ := strconv.ParseBool(fields["replace"])
	isJSON := strings.EqualFold(path.Ext(file.FileName()), ".json")
	if pt, _, _ := mime.ParseMediaType(file.Header.Get("Content-Type")); pt == "application/json" {
		isJSON = true
	}
	o := store.IngestOptions{By: f.s.author(c), Replace: replace, Reason: fields["reason"]}
	_, err = f.s.Store.IngestSeries(ctx, r.ID, readerFor(&uploadReader{r: file, overLimit: seriesTooLarge}, isJSON), o)
	if err != nil {
		err = seriesError(err)
		errs, msg, status, ok := formErrors(c, f.s, err)
		if !ok {
			f.fail(c, err)
			return
		}
		// Form fields (reason) go beside the field; rows go in the table.
		for i := range errs {
			errs[i].Message = seriesFormWords.Replace(errs[i].Message)
		}
		msg = seriesFormWords.Replace(msg)
		for _, e := range errs {
			if e.Row > 0 || !slices.ContainsFunc(v.Fields, func(ff formField) bool { return ff.Name == e.Field }) {
				v.Problems = append(v.Problems, e)
			} else {
				v.Messages = append(v.Messages, attach(f.s.printer(c), v.Fields, models.FieldErrors{e})...)
			}
		}
		if msg != "" {
			v.Messages = append(v.Messages, msg)
		}
		f.show(c, status, v)
		return
	}
	c.Redirect(http.StatusSeeOther, runPath(r.ID))
}
