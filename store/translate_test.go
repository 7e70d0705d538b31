package store

import (
	"fmt"
	"testing"

	"github.com/ncruces/go-sqlite3"
	"gorm.io/gorm"

	"ruggedlab/models"
)

func TestTranslate(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want models.Code
	}{
		{"not found", gorm.ErrRecordNotFound, models.NotFound},
		{"duplicate", fmt.Errorf("insert: %w", gorm.ErrDuplicatedKey), models.Conflict},
		{"sqlite busy", fmt.Errorf("commit: %w", sqlite3.BUSY), models.Busy},
		{"models error kept", models.Errorf(models.Invalid, "bad"), models.Invalid},
		{"anything else", fmt.Errorf("disk on fire"), models.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := models.ErrorCode(translate(tt.err, "thing")); got != tt.want {
				t.Errorf("translate(%v) code = %s, want %s", tt.err, got, tt.want)
			}
		})
	}
}
