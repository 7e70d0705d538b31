package series

import (
	"strings"
	"testing"
)

func TestErrorTexts(t *testing.T) {
	many := make(Problems, 12)
	for i := range many {
		many[i] = at(i+2, "t_s", "", "bad")
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"one problem", Problems{sample(0, "t_s", "", "t_s is required")}, "series: 1 problem: samples[0].t_s: t_s is required"},
		{"only the first ten are spelled out", many, "series: 12 problems: row 2, column t_s: bad; " +
			"row 3, column t_s: bad; row 4, column t_s: bad; row 5, column t_s: bad; row 6, column t_s: bad; " +
			"row 7, column t_s: bad; row 8, column t_s: bad; row 9, column t_s: bad; row 10, column t_s: bad; " +
			"row 11, column t_s: bad; …"},
		{"the cap entry", Problems{{Index: -1, Message: "and 5 more problems"}}, "series: 1 problem: and 5 more problems"},
		{"CSV syntax", &SyntaxError{Offset: 12, Line: 2, Msg: "x"}, "series: malformed CSV on line 2: x"},
		{"JSON syntax", &SyntaxError{Offset: 12, Msg: "x"}, "series: malformed JSON at byte 12: x"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s:\n got  %s\n want %s", tt.name, got, tt.want)
		}
	}
}

func TestShortenKeepsRunesWhole(t *testing.T) {
	long := strings.Repeat("a", maxValueLen-1) + "°C and more"
	got := shorten(long)
	if got != strings.Repeat("a", maxValueLen-1)+"…" {
		t.Errorf("shorten = %q", got)
	}
	if s := strings.Repeat("b", maxValueLen); shorten(s) != s {
		t.Errorf("shortened a value of exactly %d bytes", maxValueLen)
	}
}

func TestNum(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 12: "12", -40.5: "-40.5", 1234567: "1234567", 1e-7: "1e-07", 2e21: "2e+21", 0.001: "0.001",
	} {
		if got := num(v); got != want {
			t.Errorf("num(%v) = %q, want %q", v, got, want)
		}
	}
}
