package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
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
// "rows": N}; with an Idempotency-Key, a retry with the same body replays
// the 201 (Idempotent-Replayed: true) and creates nothing, another body
// with the key is 422; 422 listing every bad row and column; 400 for a file that is
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
	trial := slices.Contains(importer.TrialTargets(), target) // field pilots (trials.go)
	if !slices.Contains(importer.Targets(), target) && !trial {
		s.fail(c, failCode(models.NotFound, "nothing to import as %q: use one of %s", target, strings.Join(append(importer.Targets(), importer.TrialTargets()...), ", ")))
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
	if trial {
		s.importTrialFile(c, target, dryRun)
		return
	}
	o := store.ImportOptions{By: s.author(c), DryRun: dryRun}
	hash, err := s.importKey(c, &o)
	if err != nil {
		s.fail(c, err)
		return
	}
	src, rest, name, err := s.upload(c, hash)
	if err != nil {
		s.fail(c, err)
		return
	}
	o.FileName = name
	if o.Key != nil {
		o.Key.Hash = func() (string, error) {
			// The hash covers the whole body: read what the form
			// left after its file part (closing boundary, fields).
			if _, err := io.Copy(io.Discard, rest); err != nil {
				return "", err
			}
			return hex.EncodeToString(hash.Sum(nil)), nil
		}
	}
	if acceptsNDJSON(c) {
		s.streamImport(c, target, src, o)
		return
	}
	imp, err := s.Store.CreateImport(c.Request.Context(), target, src, o)
	var replay *store.ReplayError
	switch {
	case errors.As(err, &replay):
		c.Header("Idempotent-Replayed", "true")
		writeStored(c, replay.Response)
	case err != nil:
		s.fail(c, err)
	case dryRun:
		c.JSON(http.StatusOK, dryRunAnswer(imp))
	default:
		noteImport(c, imp, http.StatusCreated)
		writeStored(c, importCreated(imp))
	}
}

// noteImport puts what an import did in the audit log entry of its request:
// a streamed answer is 200 whatever happened, so the outcome goes there.
func noteImport(c *gin.Context, imp models.Import, status int) {
	noteAudit(c, "outcome", status)
	if imp.ID != "" {
		noteAudit(c, "import_id", imp.ID)
		noteAudit(c, "rows", imp.Rows)
	}
}

// importKey sets up an Idempotency-Key for the import: the request's hash
// is computed while the body streams through (see store.ImportKey). It
// returns nil without a key, and for dry runs, which create nothing.
func (s *Server) importKey(c *gin.Context, o *store.ImportOptions) (hash.Hash, error) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" || o.DryRun {
		return nil, nil
	}
	if len(key) > 255 {
		return nil, models.FieldErrors{{Field: "Idempotency-Key", Message: "must be at most 255 characters"}}.Err("the Idempotency-Key is not valid")
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", c.Request.Method, c.Request.URL.RequestURI())
	o.Key = &store.ImportKey{Scope: s.idempotencyScope(c), Key: key, Answer: importCreated}
	return h, nil
}

// importCreated is the 201 answer, built once so that the first answer
// and every replay of it are the same bytes.
func importCreated(imp models.Import) store.StoredResponse {
	body, _ := json.Marshal(imp)
	return store.StoredResponse{Status: http.StatusCreated, ContentType: "application/json; charset=utf-8",
		Location: "/api/v1/imports/" + imp.ID, Body: body}
}

func dryRunAnswer(imp models.Import) gin.H { return gin.H{"dry_run": true, "rows": imp.Rows} }

func writeStored(c *gin.Context, r store.StoredResponse) {
	if r.Location != "" {
		c.Header("Location", r.Location)
	}
	c.Data(r.Status, r.ContentType, r.Body)
}

func (s *Server) getImport(c *gin.Context) {
	imp, err := s.Store.Import(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, imp)
}

// listImports lists committed imports, newest first (api.md §5).
func (s *Server) listImports(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, next, err := s.Store.Imports(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, next))
}

// retractImport retracts every run of an import with one reason.
func (s *Server) retractImport(c *gin.Context) {
	var b struct {
		Reason string `json:"reason"`
	}
	if err := decodeStrict(body(c), &b); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.Store.RetractImport(c.Request.Context(), c.Param("kind"), models.Retraction{Reason: b.Reason}, s.author(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// upload checks the media type and returns the file as a stream, the whole
// body (for a form, the rest after the file), and the file's name when the
// client gave one; every byte read is also written to hash, when set.
// Errors: Unsupported, TooLarge (declared length), Malformed (a broken
// form), Invalid (a form without a file).
func (s *Server) upload(c *gin.Context, hash io.Writer) (file, rest io.Reader, name string, err error) {
	if c.Request.ContentLength > s.MaxUpload {
		return nil, nil, "", tooLarge(s.MaxUpload)
	}
	var raw io.Reader = http.MaxBytesReader(c.Writer, c.Request.Body, s.MaxUpload)
	if hash != nil {
		raw = io.TeeReader(raw, hash)
	}
	body := &uploadReader{r: raw}
	ct := c.GetHeader("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = ""
	}
	switch mt {
	case "text/csv", "application/csv", "text/plain":
		if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "us-ascii") {
			return nil, nil, "", failCode(models.Unsupported, "the file must be UTF-8, not %s: save it as \"CSV UTF-8\"", cs)
		}
		_, disp, _ := mime.ParseMediaType(c.GetHeader("Content-Disposition"))
		return body, body, fileName(disp["filename"]), nil
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, nil, "", failCode(models.Malformed, "the multipart/form-data Content-Type has no boundary")
		}
		part, err := filePart(multipart.NewReader(body, params["boundary"]), "the CSV file", nil)
		if err != nil {
			return nil, nil, "", err
		}
		return &uploadReader{r: part}, body, fileName(part.FileName()), nil
	}
	return nil, nil, "", failCode(models.Unsupported, "send the CSV file as text/csv (or multipart/form-data with a file field), not %q; runs in JSON go one by one to POST /api/v1/runs", ct)
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
// over the limit is 413 (worded by overLimit, or tooLarge when nil), a body
// that breaks off is 400. They travel through the importer, the series
// readers and the store unchanged.
type uploadReader struct {
	r         io.Reader
	overLimit func(limit int64) error
}

func (u *uploadReader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if err != nil && err != io.EOF {
		err = uploadError(err, u.overLimit)
	}
	return n, err
}

func uploadError(err error, overLimit func(int64) error) error {
	if overLimit == nil {
		overLimit = tooLarge
	}
	var me *models.Error
	var tl *http.MaxBytesError
	switch {
	case errors.As(err, &me):
		return err
	case errors.As(err, &tl):
		return overLimit(tl.Limit)
	}
	return failCode(models.Malformed, "the upload could not be read to its end: %v", err)
}

// filePart finds the form's "file" part, whose content is what (for the
// message when it is missing).
func filePart(mr *multipart.Reader, what string, overLimit func(int64) error) (*multipart.Part, error) {
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, models.FieldErrors{{Field: "file", Message: "is required: send " + what + " in the form field named file"}}.Err("the form has no file")
		}
		if err != nil {
			return nil, uploadError(err, overLimit)
		}
		if part.FormName() == "file" {
			return part, nil
		}
	}
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
