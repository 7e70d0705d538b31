package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
	"ruggedlab/store"
	"ruggedlab/thumbs"
)

// Attachments on runs (issue #13 item 2, api.md §14.2): photos and PDFs
// kept in the database, their type sniffed from the bytes.

// DefaultMaxAttachment bounds one attachment (--max-attachment).
const DefaultMaxAttachment = 20 << 20

// multipartSlack is what a multipart body may carry besides the file: the
// boundaries, part headers and a few small fields.
const multipartSlack = 64 << 10

func attachmentTooLarge(limit int64) error {
	return fileError(models.TooLarge, "the attachment is too large", "is over the "+byteSize(limit)+" limit of one attachment (--max-attachment): nothing was recorded")
}

// fileError is a problem of code naming the field "file".
func fileError(code models.Code, detail, msg string) error {
	return &models.Error{Code: code, Message: detail, Fields: models.FieldErrors{{Field: "file", Message: msg}}}
}

// readAttachment reads a multipart body's "file" part whole (it is stored
// as one value), refusing a body declared over the limit before reading
// any of it, and a streamed one as soon as it passes the limit.
func (s *Server) readAttachment(c *gin.Context) (store.NewAttachment, map[string]string, error) {
	var f store.NewAttachment
	limit := s.MaxAttachment
	if c.Request.ContentLength > limit+multipartSlack {
		return f, nil, attachmentTooLarge(limit)
	}
	mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return f, nil, failCode(models.Unsupported, "send the file as multipart/form-data in a field named file")
	}
	over := func(int64) error { return attachmentTooLarge(limit) }
	body := http.MaxBytesReader(c.Writer, c.Request.Body, limit+multipartSlack)
	mr := multipart.NewReader(&uploadReader{r: body, overLimit: over}, params["boundary"])
	fields := map[string]string{}
	var part *multipart.Part
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return f, fields, models.FieldErrors{{Field: "file", Message: "is required: send the photo or PDF in the form field named file"}}.Err("the form has no file")
		}
		if err != nil {
			return f, fields, uploadError(err, over)
		}
		if p.FormName() == "file" {
			part = p
			break
		}
		b, err := io.ReadAll(io.LimitReader(p, maxFormField))
		if err != nil {
			return f, fields, uploadError(err, over)
		}
		fields[p.FormName()] = string(b)
	}
	content, err := io.ReadAll(io.LimitReader(part, limit+1))
	if err != nil {
		return f, fields, uploadError(err, over)
	}
	if int64(len(content)) > limit {
		return f, fields, attachmentTooLarge(limit)
	}
	f.Name, f.Content = part.FileName(), content
	switch f.MediaType = models.SniffAttachment(content); {
	case len(content) == 0:
		return f, fields, models.FieldErrors{{Field: "file", Message: "is empty (0 bytes): choose the photo or PDF to attach"}}.Err("the attachment is not valid")
	case f.MediaType == "":
		return f, fields, fileError(models.Unsupported, "the attachment's type is not accepted",
			fmt.Sprintf("%q is not a JPEG, PNG, WebP or PDF file (its bytes say so, whatever its name): SVG, HTML and other types are refused", models.AttachmentName(part.FileName())))
	}
	if models.IsImage(f.MediaType) {
		// A photo the server cannot decode is kept (it is evidence) but
		// gets no preview; the page then shows its name only.
		if th, err := thumbs.Make(content); err == nil {
			f.Thumbnail = th
		}
	}
	return f, fields, nil
}

// uploadAttachment is POST /api/v1/runs/{id}/attachments.
func (s *Server) uploadAttachment(c *gin.Context) {
	// An unknown run answers 404 before 20 MB are read for nothing.
	if _, err := s.Store.Run(c.Request.Context(), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	f, _, err := s.readAttachment(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	a, err := s.Store.CreateAttachment(c.Request.Context(), c.Param("id"), f, s.author(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/attachments/"+a.ID)
	c.JSON(http.StatusCreated, a)
}

// listAttachments is GET /api/v1/runs/{id}/attachments.
func (s *Server) listAttachments(c *gin.Context) {
	as, err := s.Store.Attachments(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if as == nil {
		as = []models.Attachment{}
	}
	c.JSON(http.StatusOK, gin.H{"items": as})
}

// errBlindAttachment: a photo shows the handset, so blind accounts get
// the list (masked like every answer) but not the bytes.
var errBlindAttachment = models.Errorf(models.Forbidden, "attachments are not shown in blind mode: a photo or an instrument report can name the candidate")

// downloadAttachment is GET /api/v1/attachments/{id}: the original bytes,
// as a download that no browser renders in the service's origin.
func (s *Server) downloadAttachment(c *gin.Context) {
	s.serveAttachment(c, false)
}

// attachmentThumbnail is GET /api/v1/attachments/{id}/thumbnail: the JPEG
// preview made at upload (404 for PDFs and photos too large to preview).
func (s *Server) attachmentThumbnail(c *gin.Context) {
	s.serveAttachment(c, true)
}

func (s *Server) serveAttachment(c *gin.Context, thumbnail bool) {
	if blindRequest(c) {
		s.fail(c, errBlindAttachment)
		return
	}
	a, b, err := s.Store.AttachmentContent(c.Request.Context(), c.Param("id"), thumbnail)
	if err != nil {
		s.fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=86400, immutable") // the bytes of an id never change
	h.Set("X-Attachment-SHA256", a.SHA256)
	if thumbnail {
		if b == nil {
			s.fail(c, models.Errorf(models.NotFound, "attachment %s has no thumbnail (only photos have one)", a.ID))
			return
		}
		c.Data(http.StatusOK, models.MediaJPEG, b)
		return
	}
	h.Set("Content-Disposition", contentDisposition(a.Name))
	c.Data(http.StatusOK, a.MediaType, b)
}

// contentDisposition always says attachment (never inline), with an ASCII
// fallback name and the UTF-8 one (RFC 6266).
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

// retractAttachment is POST /api/v1/attachments/{id}/retraction.
func (s *Server) retractAttachment(c *gin.Context) {
	var b struct {
		Reason string `json:"reason"`
	}
	if err := decodeStrict(body(c), &b); err != nil {
		s.fail(c, err)
		return
	}
	a, err := s.Store.RetractAttachment(c.Request.Context(), c.Param("id"), models.Retraction{Reason: b.Reason}, s.author(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

// attachForm is GET /runs/{id}/attachments/new.
func (f *forms) attachForm(c *gin.Context) {
	r, err := f.s.Store.Run(c.Request.Context(), c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.show(c, http.StatusOK, f.attachView(c, r))
}

func (f *forms) attachView(c *gin.Context, r models.Run) formView {
	pt := f.s.printer(c)
	v := f.view(c, pt.T("Attach a photo or PDF"))
	v.Lede = pt.T("Handset %s, unit %s. The file is kept with the run with its SHA-256; it can be retracted, never deleted.", r.Handset, r.Unit)
	v.Multipart, v.Upload, v.Attach = true, true, true
	v.Submit = pt.T("Attach")
	v.Cancel = runPath(r.ID)
	v.Fields = []formField{{Name: "file", Label: pt.T("File"), Control: "file", Required: true, Accept: "image/jpeg,image/png,image/webp,application/pdf",
		Hint: pt.T("JPEG, PNG, WebP or PDF, up to %s", pt.Text(byteSize(f.s.MaxAttachment)))}}
	return v
}

// saveAttachment is POST /runs/{id}/attachments/new: the same checks and
// CreateAttachment as the API.
func (f *forms) saveAttachment(c *gin.Context) {
	r, err := f.s.Store.Run(c.Request.Context(), c.Param("id"))
	if err != nil {
		f.fail(c, err)
		return
	}
	v := f.attachView(c, r)
	file, _, err := f.s.readAttachment(c)
	if err == nil {
		_, err = f.s.Store.CreateAttachment(c.Request.Context(), r.ID, file, f.s.author(c))
	}
	if err != nil {
		var me *models.Error
		if errors.As(err, &me) && (me.Code == models.TooLarge || me.Code == models.Unsupported) {
			v.Messages = append(v.Messages, attach(f.s.printer(c), v.Fields, me.Fields)...)
			f.show(c, problemTypes[me.Code].Status, v)
			return
		}
		f.failForm(c, v, err)
		return
	}
	if strings.Contains(c.GetHeader("Accept"), "application/json") {
		c.JSON(http.StatusCreated, gin.H{"location": runPath(r.ID)}) // attach.js follows it
		return
	}
	c.Redirect(http.StatusSeeOther, runPath(r.ID))
}
