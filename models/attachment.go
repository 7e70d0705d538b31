package models

import (
	"bytes"
	"strings"
	"time"
)

// Attachment is a file kept with a run: a photo of a failure or an
// instrument's own PDF report. The bytes are stored with their SHA-256;
// an attachment is never deleted, only retracted with a reason.
type Attachment struct {
	ID            string     `json:"id"`
	Run           string     `json:"run"`
	Name          string     `json:"name"`
	MediaType     string     `json:"media_type"`
	Bytes         int64      `json:"bytes"`
	SHA256        string     `json:"sha256"`
	HasThumbnail  bool       `json:"has_thumbnail"`
	Status        Status     `json:"status"`
	RecordedBy    string     `json:"recorded_by"`
	RecordedAt    time.Time  `json:"recorded_at"`
	RetractReason string     `json:"retract_reason,omitempty"`
	RetractedBy   string     `json:"retracted_by,omitempty"`
	RetractedAt   *time.Time `json:"retracted_at,omitempty"`
}

// Media types an attachment may have.
const (
	MediaJPEG = "image/jpeg"
	MediaPNG  = "image/png"
	MediaWebP = "image/webp"
	MediaPDF  = "application/pdf"
)

// AttachmentTypes lists the accepted media types.
var AttachmentTypes = []string{MediaJPEG, MediaPNG, MediaWebP, MediaPDF}

// SniffAttachment names the media type of a file from its first bytes
// (at least 12 are needed), never from its name or a header: JPEG, PNG,
// WebP or PDF, or "" for anything else (SVG, HTML, scripts, archives…).
func SniffAttachment(head []byte) string {
	switch {
	case len(head) >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF:
		return MediaJPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return MediaPNG
	case len(head) >= 12 && bytes.HasPrefix(head, []byte("RIFF")) && string(head[8:12]) == "WEBP":
		return MediaWebP
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return MediaPDF
	}
	return ""
}

// IsImage reports whether a media type is a photo the pages show.
func IsImage(mediaType string) bool { return strings.HasPrefix(mediaType, "image/") }

// AttachmentName cleans a client's file name for storage and for
// Content-Disposition: the base name, printable, at most 120 characters;
// "attachment" when nothing is left.
func AttachmentName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == '"' || r == ';' {
			continue
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	if r := []rune(out); len(r) > 120 {
		out = string(r[:120])
	}
	if out == "" || out == "." || out == ".." {
		out = "attachment"
	}
	return out
}
