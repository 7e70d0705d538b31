package series

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func TestDecodeJSONAccepts(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		in   string
		want Frame
	}{
		{
			name: "api.md example",
			kind: Battery,
			in:   `{"samples": [{"t_s": 0, "soc_pct": 100, "voltage_v": 4.31}, {"t_s": 1.5, "soc_pct": 99.5, "voltage_v": 4.3}]}`,
			want: frame("t_s,soc_pct,voltage_v", col(0, 1.5), col(100, 99.5), col(4.31, 4.3)),
		},
		{
			name: "keys in any order, whitespace, exponents",
			kind: Battery,
			in: "{\n  \"samples\": [\n    {\"current_ma\": -8.5e2, \"t_s\": 0, \"temp_c\": 25},\n" +
				"    { \"temp_c\" : 25.5 , \"t_s\" : 60 , \"current_ma\" : -845 }\n  ]\n}\n",
			want: frame("t_s,current_ma,temp_c", col(0, 60), col(-850, -845), col(25, 25.5)),
		},
		{
			name: "escaped key",
			kind: Temperature,
			in:   `{"samples": [{"t\u005fs": 0, "air_c": 25}, {"t_s": 60, "air\u005fc": 26}]}`,
			want: frame("t_s,air_c", col(0, 60), col(25, 26)),
		},
		{
			name: "t_s alone",
			kind: Temperature,
			in:   `{"samples":[{"t_s":0},{"t_s":1}]}`,
			want: frame("t_s", col(0, 1)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, sum, err := readAll(t, DecodeJSON, tt.kind, tt.in)
			if err != nil {
				t.Fatalf("DecodeJSON: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("frame\n got  %v\n want %v", got, tt.want)
			}
			n := tt.want.Len()
			wantSum := Summary{Rows: n, Columns: tt.want.Columns, First: tt.want.Data[0][0], Last: tt.want.Data[0][n-1]}
			if !reflect.DeepEqual(sum, wantSum) {
				t.Errorf("summary %+v, want %+v", sum, wantSum)
			}
		})
	}
}

func TestDecodeJSONProblems(t *testing.T) {
	const keysOf0 = "every sample needs the keys of samples[0]: t_s, soc_pct"
	tests := []struct {
		name string
		in   string
		want Problems
	}{
		{
			name: "samples missing",
			in:   `{}`,
			want: Problems{sample(-1, "samples", "", `samples is missing — send {"samples": [{"t_s": 0, ...}, ...]}`)},
		},
		{
			name: "no samples",
			in:   `{"samples": []}`,
			want: Problems{sample(-1, "samples", "", "there are no samples")},
		},
		{
			name: "samples null",
			in:   `{"samples": null}`,
			want: Problems{
				sample(-1, "samples", "null", "samples must be an array of sample objects, not null"),
				sample(-1, "samples", "", "there are no samples"),
			},
		},
		{
			name: "unknown top-level fields, skipped whole",
			in:   `{"run_id": "r1", "samples": [{"t_s": 0}], "extra": {"a": [1, {"b": 2}]}, "samples": [1]}`,
			want: Problems{
				sample(-1, "run_id", `"r1"`, "unknown field — the body has only samples"),
				sample(-1, "extra", "{…}", "unknown field — the body has only samples"),
				sample(-1, "samples", "[…]", "samples appears twice"),
			},
		},
		{
			name: "numbers too large outside the samples",
			in:   `{"foo": 1e999, "samples": -1e999}`,
			want: Problems{
				sample(-1, "foo", "a number too large for a measurement", "unknown field — the body has only samples"),
				sample(-1, "samples", "a number too large for a measurement",
					"samples must be an array of sample objects, not a number too large for a measurement"),
				sample(-1, "samples", "", "there are no samples"),
			},
		},
		{
			name: "unknown key in a sample",
			in:   `{"samples": [{"t_s": 0, "soc": 100}]}`,
			want: Problems{sample(0, "soc", "100", "unknown field — "+allBattery)},
		},
		{
			name: "wrong types",
			in: `{"samples": [{"t_s": 0, "soc_pct": 100, "voltage_v": 4.3, "current_ma": -800, "temp_c": 25},
				{"t_s": "1", "soc_pct": "99,5", "voltage_v": null, "current_ma": true, "temp_c": [25]},
				{"t_s": 2, "soc_pct": {"v": 99}, "voltage_v": "high", "current_ma": -800, "temp_c": 25}]}`,
			want: Problems{
				sample(1, "t_s", `"1"`, "t_s must be a number, not a string — write 1 without quotes"),
				sample(1, "soc_pct", `"99,5"`, "soc_pct must be a number, not a string — write 99.5 without quotes"),
				sample(1, "voltage_v", "null", "voltage_v must be a number, not null — leave a column out of every sample if it was not measured"),
				sample(1, "current_ma", "true", "current_ma must be a number, not true/false"),
				sample(1, "temp_c", "[25]", "temp_c must be a number, not an array"),
				sample(2, "soc_pct", `{"v": 99}`, "soc_pct must be a number, not an object"),
				sample(2, "voltage_v", `"high"`, "voltage_v must be a number, not a string"),
			},
		},
		{
			name: "t_s missing from the first sample",
			in:   `{"samples": [{"soc_pct": 100}, {"soc_pct": 99}]}`,
			want: Problems{sample(0, "t_s", "", "t_s is required (seconds from the start of the run)")},
		},
		{
			name: "keys differ from samples[0]",
			in:   `{"samples": [{"t_s": 0, "soc_pct": 100}, {"t_s": 1}, {"t_s": 2, "soc_pct": 99, "voltage_v": 4.2}, {"soc_pct": 98}]}`,
			want: Problems{
				sample(1, "soc_pct", "", "soc_pct is missing — "+keysOf0),
				sample(2, "voltage_v", "", "voltage_v is not in samples[0] — every sample needs the same keys: t_s, soc_pct"),
				sample(3, "t_s", "", "t_s is missing — "+keysOf0),
			},
		},
		{
			name: "duplicate key in a sample",
			in:   `{"samples": [{"t_s": 0, "t_s": 1}]}`,
			want: Problems{sample(0, "t_s", "1", "t_s appears twice in one sample")},
		},
		{
			name: "sample that is not an object",
			in:   `{"samples": [{"t_s": 0}, 5, null, "x", {"t_s": 1}]}`,
			want: Problems{
				sample(1, "", "5", `a sample must be an object like {"t_s": 0, ...}, not a number`),
				sample(2, "", "null", `a sample must be an object like {"t_s": 0, ...}, not null`),
				sample(3, "", `"x"`, `a sample must be an object like {"t_s": 0, ...}, not a string`),
			},
		},
		{
			name: "values out of range and not finite",
			in:   `{"samples": [{"t_s": 0, "soc_pct": 100.5, "voltage_v": 4.3}, {"t_s": 1, "soc_pct": 1e999, "voltage_v": 1}]}`,
			want: Problems{
				sample(0, "soc_pct", "100.5", "soc_pct 100.5 is outside 0 to 100 %"),
				sample(1, "soc_pct", "1e999", "1e999 is out of range for a measurement"),
				sample(1, "voltage_v", "1", "voltage_v 1 is outside 2.5 to 4.6 V"),
			},
		},
		{
			name: "cross-sample rules name the earlier sample",
			in: `{"samples": [{"t_s": 0, "soc_pct": 50, "temp_c": 25}, {"t_s": 10, "soc_pct": 49, "temp_c": 25},
				{"t_s": 5, "soc_pct": 51, "temp_c": 40}]}`,
			want: Problems{
				sample(2, "t_s", "5", "t_s must increase: 5 follows 10 (samples[1])"),
				sample(2, "soc_pct", "51", "soc_pct rises from 49 (samples[1]) to 51 — a discharge curve may rise at most 1 percentage point (was a charger connected?)"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emitted := 0
			_, err := DecodeJSON(strings.NewReader(tt.in), Battery, func(Frame) error { emitted++; return nil })
			diffProblems(t, problemsOf(t, err), tt.want)
			if emitted != 0 {
				t.Errorf("emit called %d times for a body with problems in its first batch", emitted)
			}
		})
	}
}

func TestDecodeJSONSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want SyntaxError
	}{
		{"empty body", "", SyntaxError{Offset: 0, Msg: `empty body — expected {"samples": [...]}`}},
		{"array body", `[{"t_s": 0}]`, SyntaxError{Offset: 1, Msg: `expected an object {"samples": [...]}, found [`}},
		{"number body", `42`, SyntaxError{Offset: 2, Msg: `expected an object {"samples": [...]}, found 42`}},
		{"huge number body", `1e7000`, SyntaxError{Offset: 6, Msg: `expected an object {"samples": [...]}, found a number too large for a measurement`}},
		{"samples is an object", `{"samples": {"t_s": 0}}`, SyntaxError{Offset: 13, Msg: "samples must be an array [...], not an object"}},
		{"sample is an array", `{"samples": [{"t_s": 0}, [1, 100]]}`,
			SyntaxError{Offset: 33, Msg: `samples[1] is an array; a sample is an object like {"t_s": 0, ...}`}},
		{"trailing comma", `{"samples": [{"t_s": 0,}]}`,
			SyntaxError{Offset: 13, Msg: "invalid character '}' looking for beginning of object key string"}},
		{"NaN literal", `{"samples": [{"t_s": NaN}]}`,
			SyntaxError{Offset: 13, Msg: "invalid character 'N' looking for beginning of value"}},
		{"cut off", `{"samples": [{"t_s": 0}, {"t_s"`, SyntaxError{Offset: 24, Msg: "the body ends too early (cut off?)"}},
		{"cut off after the array", `{"samples": [{"t_s": 0}]`, SyntaxError{Offset: 24, Msg: "the body ends too early (cut off?)"}},
		{"data after the body", `{"samples": [{"t_s": 0}]} {}`, SyntaxError{Offset: 27, Msg: "unexpected { after the end of the body"}},
		{"garbage after the body", `{"samples": [{"t_s": 0}]} x`,
			SyntaxError{Offset: 26, Msg: "invalid character 'x' looking for beginning of value"}},
		{"syntax error after problems", `{"foo": 1, "samples": [{"t_s": -1}, }`,
			SyntaxError{Offset: 35, Msg: "invalid character '}' looking for beginning of value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeJSON(strings.NewReader(tt.in), Battery, func(Frame) error { return nil })
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

func TestProblemField(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{sample(3, "soc_pct", "", ""), "samples[3].soc_pct"},
		{sample(3, "", "", ""), "samples[3]"},
		{sample(-1, "samples", "", ""), "samples"},
		{sample(-1, "run_id", "", ""), "run_id"},
		{at(7, "soc_pct", "", ""), ""},
	}
	for _, tt := range tests {
		if got := tt.p.Field(); got != tt.want {
			t.Errorf("%#v.Field() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// dischargeJSON is a clean battery body of n samples, one per second.
func dischargeJSON(n int) string {
	var b strings.Builder
	b.WriteString(`{"samples": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"t_s": %d, "soc_pct": %.4f, "voltage_v": %.4f}`, i, 100-float64(i)*90/float64(n), 4.3-float64(i)/float64(n))
	}
	b.WriteString("]}")
	return b.String()
}

func TestDecodeJSONMatchesReadCSV(t *testing.T) {
	n := BatchRows + 10
	fromCSV, sumCSV, err := readAll(t, ReadCSV, Battery, dischargeCSV(n))
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, sumJSON, err := readAll(t, DecodeJSON, Battery, dischargeJSON(n))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromCSV, fromJSON) || !reflect.DeepEqual(sumCSV, sumJSON) {
		t.Errorf("CSV and JSON of the same series differ: %+v vs %+v", sumCSV, sumJSON)
	}
}

func TestDecodeJSONPassesErrorsThrough(t *testing.T) {
	errStop := errors.New("database is gone")
	t.Run("emit error stops reading", func(t *testing.T) {
		calls := 0
		_, err := DecodeJSON(strings.NewReader(dischargeJSON(2*BatchRows)), Battery, func(Frame) error {
			calls++
			return errStop
		})
		if err != errStop || calls != 1 {
			t.Errorf("err %v after %d calls, want %v after 1", err, calls, errStop)
		}
	})
	t.Run("read error", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader(`{"samples": [{"t_s": 0}`), iotest.ErrReader(errStop))
		_, err := DecodeJSON(r, Battery, func(Frame) error { return nil })
		if err != errStop {
			t.Errorf("err %v, want %v", err, errStop)
		}
	})
	t.Run("unknown kind", func(t *testing.T) {
		_, err := DecodeJSON(strings.NewReader(`{"samples": [{"t_s": 0}]}`), "ingress", func(Frame) error { return nil })
		var ps Problems
		var se *SyntaxError
		if err == nil || errors.As(err, &ps) || errors.As(err, &se) {
			t.Errorf("err %v (%T), want a plain error", err, err)
		}
	})
}
