package handlers

import (
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
	"unicode"

	"github.com/gin-gonic/gin"

	"ruggedlab/importer"
	"ruggedlab/models"
	"ruggedlab/store"
)

// createImport answers POST /api/v1/imports/{kind}, kind being units or a
// run kind (api.md §5). The file streams from the request into the store,
// which validates and inserts rows in batches in one transaction: all or
// nothing, with memory flat however large the file.
//
// Body, one of:
//   - the CSV file itself as text/csv, application/csv or text/plain
//     (charset, if given, must be UTF-8); its name may come in a
//     Content-Disposition: attachment; filename="…" header;
//   - multipart/form-data with the file in the field "file" (read as a
//     stream, never buffered; other fields are ignored).
//
// The CSV format (header names, delimiter sniffing, BOM, CRLF, quoting) is
// described in package importer. Query: dry_run=true checks every row and
// writes nothing.
//
// Answers: 201 {"import_id", "kind", "file_name", "rows", "created",
// "recorded_by", "recorded_at"} with Location; dry run 200 {"dry_run": true,
// "rows": N}; 422 listing every bad row and column; 400 for a file that is
// not CSV or a broken upload; 404 for an unknown kind; 413 past --max-upload;
// 415 for JSON or any other media type. Nothing is written unless 201.
//
// Progress: with "Accept: application/x-ndjson" the answer is 200
// application/x-ndjson, one JSON object per line, flushed as it goes:
//
//	{"rows": 0, "bytes": 0}                         at once
//	{"rows": 120400, "bytes": 18034567}             about every second
//	{"status": 201, "result": {…the 201 body…}}     last line, on success
//	{"status": 422, "problem": {…problem+json…}}    last line, on failure
//
// The HTTP status is 200 because it is sent before the outcome is known;
// the last line's status is the one the plain answer would have had.
// Problems found before the file is read (404, 413 by Content-Length, 415,
// a form without a file) are plain problem answers even then.
func (s *Server) createImport(c *gin.Context) {
	target := c.Param("kind")
	if !slices.Contains(importer.Targets(), target) {
		s.fail(c, failCode(models.NotFound, "nothing to import as %q: use one of %s", target, strings.Join(importer.Targets(), ", ")))
		return
	}
	dryRun := false
	if v, ok := c.GetQuery("dry_run"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			s.fail(c, models.FieldErrors{{Field: "dry_run", Message: "must be true or false, not " + strconv.Quote(v)}}.Err("the import request is not valid"))
			return
		}
		dryRun = b
	}
	src, name, err := s.upload(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	o := store.ImportOptions{FileName: name, By: s.author(c), DryRun: dryRun}
	if acceptsNDJSON(c) {
		s.streamImport(c, target, src, o)
		return
	}
	imp, err := s.Store.CreateImport(c, target, src, o)
	if err != nil {
		s.fail(c, err)
		return
	}
	status, body := importAnswer(imp, dryRun)
	if status == http.StatusCreated {
		c.Header("Location", "/api/v1/imports/"+imp.ID)
	}
	c.JSON(status, body)
}

// importAnswer is the body of a successful import or dry run.
func importAnswer(imp models.Import, dryRun bool) (int, any) {
	if dryRun {
		return http.StatusOK, gin.H{"dry_run": true, "rows": imp.Rows}
	}
	return http.StatusCreated, imp
}

func (s *Server) getImport(c *gin.Context) {
	imp, err := s.Store.Import(c, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, imp)
}

// upload checks the media type and returns the file as a stream, with its
// name when the client gave one. Errors: Unsupported, TooLarge (declared
// length), Malformed (a broken form), Invalid (a form without a file).
func (s *Server) upload(c *gin.Context) (io.Reader, string, error) {
	if c.Request.ContentLength > s.MaxUpload {
		return nil, "", tooLarge(s.MaxUpload)
	}
	body := &uploadReader{r: http.MaxBytesReader(c.Writer, c.Request.Body, s.MaxUpload)}
	ct := c.GetHeader("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = ""
	}
	switch mt {
	case "text/csv", "application/csv", "text/plain":
		if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "us-ascii") {
			return nil, "", failCode(models.Unsupported, "the file must be UTF-8, not %s: save it as \"CSV UTF-8\"", cs)
		}
		_, disp, _ := mime.ParseMediaType(c.GetHeader("Content-Disposition"))
		return body, fileName(disp["filename"]), nil
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, "", failCode(models.Malformed, "the multipart/form-data Content-Type has no boundary")
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return nil, "", models.FieldErrors{{Field: "file", Message: "is required: send the CSV file in the form field named file"}}.Err("the form has no file")
			}
			if err != nil {
				return nil, "", uploadError(err)
			}
			if part.FormName() == "file" {
				return &uploadReader{r: part}, fileName(part.FileName()), nil
			}
		}
	}
	return nil, "", failCode(models.Unsupported, "send the CSV file as text/csv (or multipart/form-data with a file field), not %q; runs in JSON go one by one to POST /api/v1/runs", ct)
}

func acceptsNDJSON(c *gin.Context) bool {
	for _, a := range strings.Split(c.GetHeader("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(a)); err == nil && mt == "application/x-ndjson" {
			return true
		}
	}
	return false
}

// uploadReader turns read errors into the answers they deserve: the body
// over the limit is 413, a body that breaks off is 400. They travel through
// the importer and the store unchanged.
type uploadReader struct{ r io.Reader }

func (u *uploadReader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if err != nil && err != io.EOF {
		err = uploadError(err)
	}
	return n, err
}

func uploadError(err error) error {
	var me *models.Error
	var tl *http.MaxBytesError
	switch {
	case errors.As(err, &me):
		return err
	case errors.As(err, &tl):
		return tooLarge(tl.Limit)
	}
	return failCode(models.Malformed, "the upload could not be read to its end: %v", err)
}

func tooLarge(limit int64) error {
	return failCode(models.TooLarge, "the upload is over the %s limit (--max-upload): nothing was imported; split the file", byteSize(limit))
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d-byte", n)
}

// fileName keeps the base name a client sent, printable and short: it is
// shown on pages and stored as text.
func fileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = path.Base(strings.ReplaceAll(name, `\`, "/")) // old browsers send C:\…\file.csv
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" {
		return ""
	}
	if r := []rune(name); len(r) > 255 {
		name = string(r[:255])
	}
	return name
}
