package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"gorm.io/gorm"

	"ruggedlab/models"
)

type attachmentRow struct {
	ID            string
	RunID         string
	Name          string
	MediaType     string
	Bytes         int64
	Sha256        string `gorm:"column:sha256"`
	Content       []byte
	Thumbnail     []byte
	Status        string
	RecordedBy    string
	RecordedAt    time.Time
	RetractReason string
	RetractedBy   string
	RetractedAt   *time.Time
	HasThumbnail  bool `gorm:"->;-:migration"`
}

func (attachmentRow) TableName() string { return "attachments" }

// attachmentMeta selects everything but the bytes.
const attachmentMeta = "id, run_id, name, media_type, bytes, sha256, status, recorded_by, recorded_at, retract_reason, retracted_by, retracted_at, " +
	"(thumbnail IS NOT NULL) AS has_thumbnail"

func (r attachmentRow) model() models.Attachment {
	a := models.Attachment{ID: r.ID, Run: r.RunID, Name: r.Name, MediaType: r.MediaType, Bytes: r.Bytes, SHA256: r.Sha256,
		HasThumbnail: r.HasThumbnail, Status: models.Status(r.Status), RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC(),
		RetractReason: r.RetractReason, RetractedBy: r.RetractedBy}
	if r.RetractedAt != nil {
		t := r.RetractedAt.UTC()
		a.RetractedAt = &t
	}
	return a
}

// NewAttachment is a file to keep with a run. MediaType must come from
// models.SniffAttachment; Thumbnail is the preview made for photos (nil
// for PDFs, or for a photo too large to preview).
type NewAttachment struct {
	Name      string
	MediaType string
	Content   []byte
	Thumbnail []byte
}

// CreateAttachment keeps a file with run runID, with its SHA-256, who and
// when, and its audit entry. Errors: NotFound (run), Invalid (empty file,
// a type that is not accepted).
func (s *Store) CreateAttachment(ctx context.Context, runID string, f NewAttachment, by string) (models.Attachment, error) {
	var errs models.FieldErrors
	if len(f.Content) == 0 {
		errs.Add("file", "is empty (0 bytes): choose the photo or PDF to attach")
	} else if models.SniffAttachment(f.Content) != f.MediaType || f.MediaType == "" {
		errs.Add("file", "is not a JPEG, PNG, WebP or PDF file")
	}
	if err := errs.Err("the attachment is not valid"); err != nil {
		return models.Attachment{}, err
	}
	sum := sha256.Sum256(f.Content)
	row := attachmentRow{ID: s.newID(), RunID: runID, Name: models.AttachmentName(f.Name), MediaType: f.MediaType,
		Bytes: int64(len(f.Content)), Sha256: hex.EncodeToString(sum[:]), Content: f.Content, Thumbnail: f.Thumbnail,
		Status: string(models.Active), RecordedBy: by, RecordedAt: s.stamp(), HasThumbnail: f.Thumbnail != nil}
	err := s.writeTx(ctx, "create_attachment", func(tx *gorm.DB, ch change) error {
		var n int64
		if err := tx.Model(&runRow{}).Where("id = ?", runID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return models.Errorf(models.NotFound, "run %s not found", runID)
		}
		ch["created"], ch["target"], ch["sha256"], ch["bytes"], ch["media_type"] = row.ID, runID, row.Sha256, row.Bytes, row.MediaType
		return tx.Omit("has_thumbnail").Create(&row).Error
	})
	if err != nil {
		return models.Attachment{}, translate(err, "attachment")
	}
	return row.model(), nil
}

// Attachments lists a run's attachments, oldest first, retracted ones
// included. Errors: NotFound (run).
func (s *Store) Attachments(ctx context.Context, runID string) ([]models.Attachment, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&runRow{}).Where("id = ?", runID).Count(&n).Error; err != nil {
		return nil, translate(err, "run")
	}
	if n == 0 {
		return nil, models.Errorf(models.NotFound, "run %s not found", runID)
	}
	return s.attachmentsWhere(ctx, "run_id IN ?", []string{runID})
}

// AttachmentsOfRuns lists the attachments of many runs (evidence packs).
func (s *Store) AttachmentsOfRuns(ctx context.Context, runIDs []string) ([]models.Attachment, error) {
	var out []models.Attachment
	for start := 0; start < len(runIDs); start += 500 {
		chunk := runIDs[start:min(start+500, len(runIDs))]
		as, err := s.attachmentsWhere(ctx, "run_id IN ?", chunk)
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	return out, nil
}

func (s *Store) attachmentsWhere(ctx context.Context, where string, args ...any) ([]models.Attachment, error) {
	var rows []attachmentRow
	if err := s.db.WithContext(ctx).Model(&attachmentRow{}).Select(attachmentMeta).Where(where, args...).
		Order("recorded_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "attachments")
	}
	out := make([]models.Attachment, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// Attachment returns one attachment's record. Errors: NotFound.
func (s *Store) Attachment(ctx context.Context, id string) (models.Attachment, error) {
	var row attachmentRow
	if err := s.db.WithContext(ctx).Model(&attachmentRow{}).Select(attachmentMeta).Where("id = ?", id).Take(&row).Error; err != nil {
		return models.Attachment{}, translate(err, "attachment "+id)
	}
	return row.model(), nil
}

// AttachmentContent returns an attachment's record and its original bytes,
// or (thumbnail) its preview, nil when it has none. Errors: NotFound.
func (s *Store) AttachmentContent(ctx context.Context, id string, thumbnail bool) (models.Attachment, []byte, error) {
	col := "content"
	if thumbnail {
		col = "thumbnail"
	}
	var row attachmentRow
	if err := s.db.WithContext(ctx).Model(&attachmentRow{}).Select(attachmentMeta+", "+col).Where("id = ?", id).Take(&row).Error; err != nil {
		return models.Attachment{}, nil, translate(err, "attachment "+id)
	}
	if thumbnail {
		return row.model(), row.Thumbnail, nil
	}
	return row.model(), row.Content, nil
}

// RetractAttachment marks an attachment retracted with a reason; its bytes
// stay. Errors: Invalid (reason), NotFound, Conflict (already retracted).
func (s *Store) RetractAttachment(ctx context.Context, id string, r models.Retraction, by string) (models.Attachment, error) {
	if err := r.Validate(); err != nil {
		return models.Attachment{}, err
	}
	now := s.stamp()
	err := s.writeTx(ctx, "retract_attachment", func(tx *gorm.DB, ch change) error {
		res := tx.Model(&attachmentRow{}).Where("id = ? AND status = ?", id, string(models.Active)).
			Updates(map[string]any{"status": string(models.Retracted), "retract_reason": strings.TrimSpace(r.Reason), "retracted_by": by, "retracted_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var n int64
			if err := tx.Model(&attachmentRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return models.Errorf(models.NotFound, "attachment %s not found", id)
			}
			return models.Errorf(models.Conflict, "attachment %s is already retracted", id)
		}
		ch["target"], ch["reason"] = id, strings.TrimSpace(r.Reason)
		return nil
	})
	if err != nil {
		return models.Attachment{}, translate(err, "attachment "+id)
	}
	return s.Attachment(ctx, id)
}
