package series

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// FuzzReadCSV checks what must hold for any input: no panic; the error is
// nil, Problems or *SyntaxError (the reader and emit never fail here);
// problems are capped and located; and clean input yields frames whose
// every value passed the checks.
func FuzzReadCSV(f *testing.F) {
	for _, seed := range []string{
		"",
		"t_s\n",
		"t_s,soc_pct,voltage_v,current_ma,temp_c\n0,100,4.31,-850,25.0\n30,99.5,4.29,-845,25.4\n",
		"\xEF\xBB\xBFt_s;soc_pct\r\n0;100\r\n1;99,5\r\n\r\n",
		"t_s,soc,soc,\n0,1,2,3\n",
		`"t_s","soc_pct"` + "\n" + `"0","1""00"` + "\n",
		"t_s,temp_c\n0,25\n1,36\n2,NaN\n3,-Inf\n4,1e999\n",
		"t_s,soc_pct\n5,50\n4,52\n4,\n",
		"soc_pct\n1\n",
		`{"samples": []}`,
		rowsWithErrors(),
		string(mustRead(f, "battery_discharge.csv")[:4000]),
	} {
		f.Add(seed, true)
	}
	f.Add(string(mustRead(f, "chamber_log.csv")[:3000]), false)
	f.Fuzz(func(t *testing.T, in string, battery bool) {
		kind := Temperature
		if battery {
			kind = Battery
		}
		checkRead(t, ReadCSV, kind, in)
	})
}

// FuzzDecodeJSON is FuzzReadCSV for JSON bodies.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		"",
		"{}",
		`{"samples": [{"t_s": 0, "soc_pct": 100, "voltage_v": 4.31}, {"t_s": 1.5, "soc_pct": 99.5, "voltage_v": 4.3}]}`,
		`{"samples": [{"t\u005fs": 0, "x": [1, {"y": "}"}]}, 5, {"t_s": "1"}, [1]]}`,
		`{"samples": [{"t_s": 0, "t_s": 1e999}, {"soc_pct": null}]} x`,
		`{"a": {"b": [[[]]]}, "samples": {"t_s": 0}}`,
		dischargeJSON(50),
	} {
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, in string, battery bool) {
		kind := Temperature
		if battery {
			kind = Battery
		}
		checkRead(t, DecodeJSON, kind, in)
	})
}

func checkRead(t *testing.T, read reader, kind Kind, in string) {
	got, sum, err := readAll(t, read, kind, in)
	var ps Problems
	var se *SyntaxError
	switch {
	case err == nil:
	case errors.As(err, &ps):
		if len(ps) == 0 || len(ps) > MaxProblems+1 {
			t.Fatalf("%d problems", len(ps))
		}
		for i, p := range ps {
			if p.Message == "" {
				t.Fatalf("problem %d has no message: %#v", i, p)
			}
		}
		return
	case errors.As(err, &se):
		if se.Msg == "" || se.Offset < 0 || se.Offset > int64(len(in)) {
			t.Fatalf("syntax error %#v for %d bytes", se, len(in))
		}
		return
	default:
		t.Fatalf("error %v (%T)", err, err)
	}

	if got.Len() == 0 || got.Len() != sum.Rows {
		t.Fatalf("clean input gave %d samples, summary %+v", got.Len(), sum)
	}
	if sum.First != got.Data[0][0] || sum.Last != got.Data[0][got.Len()-1] {
		t.Fatalf("summary %+v does not match the frame", sum)
	}
	if strings.Join(sum.Columns, ",") != strings.Join(got.Columns, ",") {
		t.Fatalf("summary columns %v, frame columns %v", sum.Columns, got.Columns)
	}
	all := specs(kind)
	for c, name := range got.Columns {
		s := all[specIndex(all, name)]
		for i, v := range got.Data[c] {
			if math.IsNaN(v) || v < s.min || v > s.max {
				t.Fatalf("%s[%d] = %v passed the checks", name, i, v)
			}
			if c == 0 && i > 0 && v <= got.Data[0][i-1] {
				t.Fatalf("t_s[%d] = %v after %v passed the checks", i, v, got.Data[0][i-1])
			}
		}
	}
}
