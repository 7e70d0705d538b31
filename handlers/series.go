package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
	"ruggedlab/series"
	"ruggedlab/store"
)

// uploadSeries answers POST /api/v1/runs/{id}/series (api.md §4, §11
// "Series"). The body streams from the connection through the series
// reader into the database inside one transaction: all or nothing, memory
// flat whatever the size.
//
// Body: text/csv (also application/csv, text/plain), application/json
// {"samples": [...]}, or multipart/form-data with the file in the field
// "file" (JSON when the part says application/json or the file name ends
// in .json, else CSV). Query: replace=true&reason=… to replace an existing
// series, which records a new run revision and keeps the old samples.
//
// Answers: 201 {"run_id", "samples", "revision"} with Location; 400 a body
// that cannot be parsed; 404 unknown run; 409 a series exists (without
// replace) or the run is retracted; 413 over --max-upload; 415 another
// media type; 422 every problem with row and column (CSV) or field (JSON),
// a run kind without series, or replace without a reason.
//
// No Idempotency-Key support here: it needs the whole body hashed before
// the request runs, which a streamed upload cannot give; sending the same
// series twice is a 409, which serves the same purpose.
func (s *Server) uploadSeries(c *gin.Context) {
	id := c.Param("id")
	o := store.IngestOptions{By: s.author(c), Reason: c.Query("reason")}
	if v, ok := c.GetQuery("replace"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			s.fail(c, models.FieldErrors{{Field: "replace", Message: "must be true or false, not " + strconv.Quote(v)}}.Err("the upload request is not valid"))
			return
		}
		o.Replace = b
	}
	read, err := s.seriesBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.Store.IngestSeries(c.Request.Context(), id, read, o)
	if err != nil {
		s.fail(c, seriesError(err))
		return
	}
	created(c, "/api/v1/runs/"+url.PathEscape(id)+"/series", gin.H{"run_id": res.RunID, "samples": res.Samples, "revision": res.Revision})
}

// seriesBody checks the media type, before anything is read, and returns
// the reader the store will call once it has accepted the upload. Errors:
// Unsupported, TooLarge (declared length), Malformed (a form without a
// boundary).
func (s *Server) seriesBody(c *gin.Context) (store.SeriesReader, error) {
	if c.Request.ContentLength > s.MaxUpload {
		return nil, seriesTooLarge(s.MaxUpload)
	}
	body := &uploadReader{r: http.MaxBytesReader(c.Writer, c.Request.Body, s.MaxUpload), overLimit: seriesTooLarge}
	ct := c.GetHeader("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = ""
	}
	switch mt {
	case "text/csv", "application/csv", "text/plain":
		return readerFor(body, false), nil
	case "application/json":
		return readerFor(body, true), nil
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, failCode(models.Malformed, "the multipart/form-data Content-Type has no boundary")
		}
		mr := multipart.NewReader(body, params["boundary"])
		// The form is read only when the store calls: a refused upload
		// (unknown run, 409) reads nothing.
		return func(k series.Kind, emit func(series.Frame) error) (series.Summary, error) {
			part, err := filePart(mr, "the series", seriesTooLarge)
			if err != nil {
				return series.Summary{}, err
			}
			pt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
			isJSON := pt == "application/json" || strings.EqualFold(path.Ext(part.FileName()), ".json")
			return readerFor(&uploadReader{r: part, overLimit: seriesTooLarge}, isJSON)(k, emit)
		}, nil
	}
	return nil, failCode(models.Unsupported, "send the series as text/csv, application/json or multipart/form-data with a file field, not %q", ct)
}

func readerFor(r io.Reader, isJSON bool) store.SeriesReader {
	return func(k series.Kind, emit func(series.Frame) error) (series.Summary, error) {
		if isJSON {
			return series.DecodeJSON(r, k, emit)
		}
		return series.ReadCSV(r, k, emit)
	}
}

// seriesTooLarge words the 413 for a series, which cannot be split.
func seriesTooLarge(limit int64) error {
	return failCode(models.TooLarge, "the upload is over the %s limit (--max-upload): nothing was written", byteSize(limit))
}

// seriesError maps the series readers' errors to problems (api.md §11
// "400 or 422"): Problems → 422 with one entry per problem, located by row
// and column for CSV and by field path for JSON; *SyntaxError → 400.
func seriesError(err error) error {
	var ps series.Problems
	var se *series.SyntaxError
	switch {
	case errors.As(err, &ps):
		fields := make(models.FieldErrors, len(ps))
		for i, p := range ps {
			fe := models.FieldError{Value: p.Value, Message: p.Message}
			if p.Row > 0 {
				fe.Row, fe.Column = p.Row, p.Column
			} else {
				fe.Field = p.Field()
			}
			fields[i] = fe
		}
		count := plural(len(ps), "problem")
		if len(ps) > series.MaxProblems { // the last entry counts the rest
			count = fmt.Sprintf("more than %d problems", series.MaxProblems)
		}
		return &models.Error{Code: models.Invalid, Fields: fields,
			Message: "the series is not valid (" + count + "); nothing was written"}
	case errors.As(err, &se):
		return failCode(models.Malformed, "%s; nothing was written", strings.TrimPrefix(se.Error(), "series: "))
	}
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
