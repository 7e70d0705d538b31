package series

import (
	"errors"
	"strings"
	"testing"
)

func TestOversizedRecords(t *testing.T) {
	huge := strings.Repeat("0", 2*maxRecordBytes)
	tests := []struct {
		name string
		read reader
		in   string
		want SyntaxError
	}{
		{
			name: "CSV line",
			read: ReadCSV,
			in:   "t_s\n0\n1" + huge + "\n2\n",
			want: SyntaxError{Offset: 6, Line: 3, Msg: "a line longer than 1 MiB — this is not a series CSV"},
		},
		{
			name: "CSV without line breaks",
			read: ReadCSV,
			in:   "t_s," + huge,
			want: SyntaxError{Offset: 0, Line: 1, Msg: "a line longer than 1 MiB — this is not a series CSV"},
		},
		{
			name: "JSON sample",
			read: DecodeJSON,
			in:   `{"samples": [{"t_s": 0}, {"t_s": "` + huge + `"}]}`,
			want: SyntaxError{Offset: 24, Msg: "a value longer than 1 MiB — a sample is a few numbers"},
		},
		{
			name: "JSON field outside the samples",
			read: DecodeJSON,
			in:   `{"note": "` + huge + `", "samples": []}`,
			want: SyntaxError{Offset: 9, Msg: "a value longer than 1 MiB — a sample is a few numbers"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.read(strings.NewReader(tt.in), Battery, func(Frame) error { return nil })
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want *SyntaxError", err, err)
			}
			if *se != tt.want {
				t.Errorf("got  %#v\nwant %#v", *se, tt.want)
			}
		})
	}
}
