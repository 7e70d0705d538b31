package models_test

import (
	"errors"
	"fmt"
	"testing"

	"ruggedlab/models"
)

func TestErrorCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want models.Code
	}{
		{name: "models error", err: models.Errorf(models.Conflict, "duplicate code %q", "atlas-r1"), want: models.Conflict},
		{name: "wrapped", err: fmt.Errorf("store: %w", models.Errorf(models.NotFound, "no such run")), want: models.NotFound},
		{name: "field errors", err: models.FieldErrors{{Field: "height_m", Message: "x"}}.Err("bad"), want: models.Invalid},
		{name: "foreign error", err: errors.New("disk full"), want: models.Internal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := models.ErrorCode(tc.err); got != tc.want {
				t.Errorf("ErrorCode = %s, want %s", got, tc.want)
			}
		})
	}
	if err := (models.FieldErrors{}).Err("fine"); err != nil {
		t.Errorf("no field errors gave %v", err)
	}
}

func TestErrorMessage(t *testing.T) {
	err := models.FieldErrors{
		{Field: "height_m", Message: "must be between 0.01 and 5 (m), not -1"},
		{Row: 7, Column: "height_m", Value: "2,0", Message: "use a dot"},
		{Message: "bare"},
	}.Err("the run is not valid")
	want := "the run is not valid: height_m: must be between 0.01 and 5 (m), not -1; row 7, column height_m: use a dot; bare"
	if err.Error() != want {
		t.Errorf("Error() = %q\nwant      %q", err.Error(), want)
	}
	if got := models.Errorf(models.Malformed, "not JSON").Error(); got != "not JSON" {
		t.Errorf("Error() = %q", got)
	}
}
