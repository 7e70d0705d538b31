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

const allBattery = "battery columns are t_s, soc_pct, voltage_v, current_ma, temp_c"

func TestReadCSVAccepts(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		in   string
		want Frame
	}{
		{
			name: "all battery columns",
			kind: Battery,
			in: lines("t_s,soc_pct,voltage_v,current_ma,temp_c",
				"0,100,4.31,-850,25.0",
				"30,99.5,4.29,-845,25.4"),
			want: frame("t_s,soc_pct,voltage_v,current_ma,temp_c",
				col(0, 30), col(100, 99.5), col(4.31, 4.29), col(-850, -845), col(25, 25.4)),
		},
		{
			name: "UTF-8 BOM and CRLF",
			kind: Battery,
			in:   "\xEF\xBB\xBFt_s,soc_pct\r\n0,100\r\n60,99\r\n",
			want: frame("t_s,soc_pct", col(0, 60), col(100, 99)),
		},
		{
			name: "spaces around header names, columns in any order",
			kind: Battery,
			in:   lines(" voltage_v , t_s ,soc_pct", "4.31,0,100", "4.30,1.5,100"),
			want: frame("t_s,soc_pct,voltage_v", col(0, 1.5), col(100, 100), col(4.31, 4.30)),
		},
		{
			name: "quoted header and values",
			kind: Battery,
			in:   lines(`"t_s","soc_pct"`, `"0","100"`, `"1.5", "99.5"`),
			want: frame("t_s,soc_pct", col(0, 1.5), col(100, 99.5)),
		},
		{
			name: "spaces around values",
			kind: Battery,
			in:   lines("t_s,soc_pct", "0 , 100 ", "\t1,\t99\t"),
			want: frame("t_s,soc_pct", col(0, 1), col(100, 99)),
		},
		{
			name: "blank trailing lines, spreadsheet empty rows",
			kind: Battery,
			in:   "t_s,soc_pct\n0,100\n1,100\n\n\n   \n,\n , \n\r\n",
			want: frame("t_s,soc_pct", col(0, 1), col(100, 100)),
		},
		{
			name: "semicolon delimiter with dot decimals",
			kind: Battery,
			in:   lines("t_s;soc_pct;voltage_v", "0;100;4.31", "0.5;99.9;4.305"),
			want: frame("t_s,soc_pct,voltage_v", col(0, 0.5), col(100, 99.9), col(4.31, 4.305)),
		},
		{
			name: "no trailing newline",
			kind: Battery,
			in:   "t_s,soc_pct\n0,100\n1,99",
			want: frame("t_s,soc_pct", col(0, 1), col(100, 99)),
		},
		{
			name: "t_s alone",
			kind: Temperature,
			in:   lines("t_s", "0", "1", "2.5"),
			want: frame("t_s", col(0, 1, 2.5)),
		},
		{
			name: "chamber log",
			kind: Temperature,
			in: lines("t_s,setpoint_c,air_c,device_c",
				"0,25,24.8,25.1",
				"60,-40,10.2,22.0",
				"120,-80,-79.5,-10",
				"180,150,149.9,150"),
			want: frame("t_s,setpoint_c,air_c,device_c",
				col(0, 60, 120, 180), col(25, -40, -80, 150), col(24.8, 10.2, -79.5, 149.9), col(25.1, 22, -10, 150)),
		},
		{
			name: "exponents, signs, leading and trailing dots",
			kind: Battery,
			in:   lines("t_s,soc_pct,current_ma", "0,1e2,-8.5e2", "+1.,.5,+0"),
			want: frame("t_s,soc_pct,current_ma", col(0, 1), col(100, 0.5), col(-850, 0)),
		},
		{
			name: "range bounds are inclusive",
			kind: Battery,
			in: lines("t_s,soc_pct,voltage_v,current_ma,temp_c",
				"0,100,4.6,-20000,-40",
				"3600,0,2.5,20000,80"),
			want: frame("t_s,soc_pct,voltage_v,current_ma,temp_c",
				col(0, 3600), col(100, 0), col(4.6, 2.5), col(-20000, 20000), col(-40, 80)),
		},
		{
			name: "SoC flicker of one point is sensor noise",
			kind: Battery,
			in:   lines("t_s,soc_pct", "0,57", "1,56", "2,57", "3,56", "4,57", "5,56"),
			want: frame("t_s,soc_pct", col(0, 1, 2, 3, 4, 5), col(57, 56, 57, 56, 57, 56)),
		},
		{
			name: "SoC rise of exactly one point despite binary rounding",
			kind: Battery,
			in:   lines("t_s,soc_pct", "0,55.1", "1,56.1"),
			want: frame("t_s,soc_pct", col(0, 1), col(55.1, 56.1)),
		},
		{
			name: "temperature jump of exactly 10 K",
			kind: Battery,
			in:   lines("t_s,temp_c", "0,25", "1,35", "2,25"),
			want: frame("t_s,temp_c", col(0, 1, 2), col(25, 35, 25)),
		},
		{
			name: "temperature jump over 10 K more than 60 s apart",
			kind: Battery,
			in:   lines("t_s,temp_c", "0,25", "60.5,36"),
			want: frame("t_s,temp_c", col(0, 60.5), col(25, 36)),
		},
		{
			name: "chamber air may change fast and SoC rules do not apply",
			kind: Temperature,
			in:   lines("t_s,air_c", "0,25", "1,60", "2,-20"),
			want: frame("t_s,air_c", col(0, 1, 2), col(25, 60, -20)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, sum, err := readAll(t, ReadCSV, tt.kind, tt.in)
			if err != nil {
				t.Fatalf("ReadCSV: %v", err)
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

func TestReadCSVProblems(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		in   string
		want Problems
	}{
		{
			name: "empty file",
			kind: Battery,
			in:   "",
			want: Problems{at(1, "", "", "the file is empty — the first line must name the columns, e.g. t_s,soc_pct,voltage_v,current_ma,temp_c")},
		},
		{
			name: "blank lines only",
			kind: Temperature,
			in:   "\xEF\xBB\xBF\r\n\r\n",
			want: Problems{at(1, "", "", "the file is empty — the first line must name the columns, e.g. t_s,setpoint_c,air_c,device_c")},
		},
		{
			name: "header only",
			kind: Battery,
			in:   "t_s,soc_pct\n",
			want: Problems{at(1, "", "", "the file has a header but no samples")},
		},
		{
			name: "header only, BOM, CRLF and blank lines",
			kind: Battery,
			in:   "\xEF\xBB\xBFt_s;soc_pct\r\n\r\n;\r\n",
			want: Problems{at(1, "", "", "the file has a header but no samples")},
		},
		{
			name: "unknown column, the known ones still checked",
			kind: Battery,
			in:   lines("t_s,soc,voltage_v", "0,100,4.3", "1,99,4.7"),
			want: Problems{
				at(1, "soc", "soc", `unknown column "soc" — `+allBattery),
				at(3, "voltage_v", "4.7", "voltage_v 4.7 is outside 2.5 to 4.6 V"),
			},
		},
		{
			name: "chamber column in a battery file",
			kind: Battery,
			in:   lines("t_s,air_c", "0,25"),
			want: Problems{at(1, "air_c", "air_c", `unknown column "air_c" — `+allBattery)},
		},
		{
			name: "header names are case-sensitive",
			kind: Temperature,
			in:   lines("t_s,Air_C", "0,25"),
			want: Problems{at(1, "Air_C", "Air_C", `unknown column "Air_C" — temperature columns are t_s, setpoint_c, air_c, device_c`)},
		},
		{
			name: "duplicate column",
			kind: Battery,
			in:   lines("t_s,soc_pct,soc_pct", "0,100,100"),
			want: Problems{at(1, "soc_pct", "soc_pct", "column soc_pct appears twice (columns 2 and 3)")},
		},
		{
			name: "missing t_s",
			kind: Battery,
			in:   lines("soc_pct,voltage_v", "100,4.3"),
			want: Problems{at(1, "t_s", "", "the t_s column is required (seconds from the start of the run)")},
		},
		{
			name: "column without a name",
			kind: Battery,
			in:   lines("t_s,,soc_pct", "0,1,100"),
			want: Problems{at(1, "", "", "column 2 has no name")},
		},
		{
			name: "comma decimal in a semicolon file",
			kind: Battery,
			in:   lines("t_s;soc_pct;voltage_v", "0;100;4,31", "1;99,5;4.30"),
			want: Problems{
				at(2, "voltage_v", "4,31", `"4,31" is not a number — use a dot as decimal separator`),
				at(3, "soc_pct", "99,5", `"99,5" is not a number — use a dot as decimal separator`),
			},
		},
		{
			name: "quoted comma decimal in a comma file",
			kind: Battery,
			in:   lines("t_s,voltage_v", `0,"4,31"`),
			want: Problems{at(2, "voltage_v", "4,31", `"4,31" is not a number — use a dot as decimal separator`)},
		},
		{
			name: "unquoted comma decimal in a comma file shifts the fields",
			kind: Battery,
			in:   lines("t_s,voltage_v", "0,4.31", "1,4,30"),
			want: Problems{at(3, "", "", "this row has 3 values but the header has 2 columns")},
		},
		{
			name: "too few fields",
			kind: Temperature,
			in:   lines("t_s,setpoint_c,air_c", "0,25,25", "60,25"),
			want: Problems{at(3, "", "", "this row has 2 values but the header has 3 columns")},
		},
		{
			name: "t_s going back",
			kind: Battery,
			in:   lines("t_s", "0", "1", "2", "3", "4", "5", "6", "15", "12", "16"),
			want: Problems{at(10, "t_s", "12", "t_s must increase: 12 follows 15 (row 9)")},
		},
		{
			name: "t_s repeated",
			kind: Battery,
			in:   lines("t_s,soc_pct", "0,100", "5.0,99", "5,98"),
			want: Problems{at(4, "t_s", "5", "t_s must increase: 5 follows 5 (row 3)")},
		},
		{
			name: "negative t_s",
			kind: Battery,
			in:   lines("t_s", "-1", "0"),
			want: Problems{at(2, "t_s", "-1", "t_s -1 is negative — t_s counts seconds from the start of the run")},
		},
		{
			name: "NaN and infinities",
			kind: Battery,
			in:   lines("t_s,soc_pct,voltage_v,current_ma,temp_c", "0,NaN,Inf,-Infinity,nan", "inf,100,4.2,-800,25"),
			want: Problems{
				at(2, "soc_pct", "NaN", `"NaN" is not a measured value — give a finite number`),
				at(2, "voltage_v", "Inf", `"Inf" is not a measured value — give a finite number`),
				at(2, "current_ma", "-Infinity", `"-Infinity" is not a measured value — give a finite number`),
				at(2, "temp_c", "nan", `"nan" is not a measured value — give a finite number`),
				at(3, "t_s", "inf", `"inf" is not a measured value — give a finite number`),
			},
		},
		{
			name: "not numbers",
			kind: Battery,
			in:   lines("t_s,soc_pct,voltage_v,current_ma", "0,full,4.3V,0x10", "1,1e999,4.2,1_000"),
			want: Problems{
				at(2, "soc_pct", "full", `"full" is not a number`),
				at(2, "voltage_v", "4.3V", `"4.3V" is not a number`),
				at(2, "current_ma", "0x10", `"0x10" is not a number`),
				at(3, "soc_pct", "1e999", `"1e999" is out of range for a measurement`),
				at(3, "current_ma", "1_000", `"1_000" is not a number`),
			},
		},
		{
			name: "empty values",
			kind: Battery,
			in:   lines("t_s,soc_pct,voltage_v", "0,,4.3", ", 99 ,4.2"),
			want: Problems{
				at(2, "soc_pct", "", "empty value — every sample needs a value in each column of the file"),
				at(3, "t_s", "", "empty value — every sample needs a value in each column of the file"),
			},
		},
		{
			name: "battery values out of range",
			kind: Battery,
			in: lines("t_s,soc_pct,voltage_v,current_ma,temp_c",
				"0,100.5,2.49,-20001,-40.1",
				"1,-0.1,4.61,20000.5,80.5"),
			want: Problems{
				at(2, "soc_pct", "100.5", "soc_pct 100.5 is outside 0 to 100 %"),
				at(2, "voltage_v", "2.49", "voltage_v 2.49 is outside 2.5 to 4.6 V"),
				at(2, "current_ma", "-20001", "current_ma -20001 is outside -20000 to 20000 mA"),
				at(2, "temp_c", "-40.1", "temp_c -40.1 is outside -40 to 80 °C"),
				at(3, "soc_pct", "-0.1", "soc_pct -0.1 is outside 0 to 100 %"),
				at(3, "voltage_v", "4.61", "voltage_v 4.61 is outside 2.5 to 4.6 V"),
				at(3, "current_ma", "20000.5", "current_ma 20000.5 is outside -20000 to 20000 mA"),
				at(3, "temp_c", "80.5", "temp_c 80.5 is outside -40 to 80 °C"),
			},
		},
		{
			name: "chamber values out of range",
			kind: Temperature,
			in:   lines("t_s,setpoint_c,air_c,device_c", "0,-81,150.1,-80", "60,131,20,150"),
			want: Problems{
				at(2, "setpoint_c", "-81", "setpoint_c -81 is outside -80 to 150 °C"),
				at(2, "air_c", "150.1", "air_c 150.1 is outside -80 to 150 °C"),
			},
		},
		{
			name: "SoC rising more than one point",
			kind: Battery,
			in:   lines("t_s,soc_pct", "0,50", "1,49", "2,50.5", "3,50"),
			want: Problems{at(4, "soc_pct", "50.5",
				"soc_pct rises from 49 (row 3) to 50.5 — a discharge curve may rise at most 1 percentage point (was a charger connected?)")},
		},
		{
			name: "charger: one point per sample is still caught",
			kind: Battery,
			in:   lines("t_s,soc_pct", "0,50", "60,51", "120,52", "180,53", "240,54", "300,53"),
			want: Problems{
				at(4, "soc_pct", "52", "soc_pct rises from 50 (row 2) to 52 — a discharge curve may rise at most 1 percentage point (was a charger connected?)"),
				at(6, "soc_pct", "54", "soc_pct rises from 52 (row 4) to 54 — a discharge curve may rise at most 1 percentage point (was a charger connected?)"),
			},
		},
		{
			name: "battery temperature spike",
			kind: Battery,
			in:   lines("t_s,temp_c", "0,25", "1,36", "2,25.5", "62,36"),
			want: Problems{
				at(3, "temp_c", "36", "temp_c jumps from 25 (row 2) to 36 in 1 s — more than 10 K within 60 s is a sensor fault"),
				at(4, "temp_c", "25.5", "temp_c jumps from 36 (row 3) to 25.5 in 1 s — more than 10 K within 60 s is a sensor fault"),
				at(5, "temp_c", "36", "temp_c jumps from 25.5 (row 4) to 36 in 60 s — more than 10 K within 60 s is a sensor fault"),
			},
		},
		{
			name: "a bad value stays out of the cross-sample rules",
			kind: Battery,
			in:   lines("t_s,soc_pct,temp_c", "0,50,25", "1,150,90", "2,49.5,25.5"),
			want: Problems{
				at(3, "soc_pct", "150", "soc_pct 150 is outside 0 to 100 %"),
				at(3, "temp_c", "90", "temp_c 90 is outside -40 to 80 °C"),
			},
		},
		{
			name: "a row with the wrong field count is not checked further",
			kind: Battery,
			in:   lines("t_s,soc_pct,voltage_v", "10,50,4", "5,52,4,2"),
			want: Problems{at(3, "", "", "this row has 4 values but the header has 3 columns")},
		},
		{
			name: "header problems and row problems together",
			kind: Battery,
			in:   lines("soc_pct,volt", "100,4.3", "101,4.2"),
			want: Problems{
				at(1, "volt", "volt", `unknown column "volt" — `+allBattery),
				at(1, "t_s", "", "the t_s column is required (seconds from the start of the run)"),
				at(3, "soc_pct", "101", "soc_pct 101 is outside 0 to 100 %"),
			},
		},
		{
			name: "errors on rows 3, 17 and 250 are all reported",
			kind: Battery,
			in:   rowsWithErrors(),
			want: Problems{
				at(3, "voltage_v", "4,2", `"4,2" is not a number — use a dot as decimal separator`),
				at(17, "soc_pct", "101", "soc_pct 101 is outside 0 to 100 %"),
				at(250, "t_s", "247", "t_s must increase: 247 follows 247 (row 249)"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emitted := 0
			_, err := ReadCSV(strings.NewReader(tt.in), tt.kind, func(Frame) error { emitted++; return nil })
			diffProblems(t, problemsOf(t, err), tt.want)
			if emitted != 0 {
				t.Errorf("emit called %d times for a file with problems in its first batch", emitted)
			}
		})
	}
}

// rowsWithErrors is a 260-sample discharge with a comma decimal on line 3,
// SoC above 100 on line 17 and a repeated t_s on line 250.
func rowsWithErrors() string {
	var b strings.Builder
	b.WriteString("t_s,soc_pct,voltage_v\n")
	for line := 2; line <= 261; line++ {
		t, soc, volts := fmt.Sprint(line-2), fmt.Sprintf("%.1f", 100-float64(line-2)*0.1), "4.2"
		switch line {
		case 3:
			volts = `"4,2"`
		case 17:
			soc = "101"
		case 250:
			t = "247"
		}
		fmt.Fprintf(&b, "%s,%s,%s\n", t, soc, volts)
	}
	return b.String()
}

func TestReadCSVSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want SyntaxError
	}{
		{
			name: "bare quote in a value",
			in:   lines("t_s,soc_pct", "0,100", `1,9"9`),
			want: SyntaxError{Offset: 18, Line: 3,
				Msg: `a quote (") inside a value that does not start with one (column 4) — quote the whole value and double the inner quote ("")`},
		},
		{
			name: "quoted value never closed",
			in:   lines("t_s,soc_pct", `0,"100`, "1,99", "2,98"),
			want: SyntaxError{Offset: 12, Line: 2,
				Msg: `a quoted value opened on this line is never closed (it runs on to line 4)`},
		},
		{
			name: "text after a closing quote",
			in:   lines("t_s,soc_pct", `0,"100"x`),
			want: SyntaxError{Offset: 12, Line: 2,
				Msg: `a quoted value is not closed, or text follows its closing quote (column 7)`},
		},
		{
			name: "JSON sent as CSV",
			in:   ` {"samples": [{"t_s": 0}]}`,
			want: SyntaxError{Offset: 0, Line: 1, Msg: "this is JSON, not CSV: send it as application/json"},
		},
		{
			name: "JSON array after a BOM",
			in:   "\xEF\xBB\xBF[{\"t_s\": 0}]",
			want: SyntaxError{Offset: 3, Line: 1, Msg: "this is JSON, not CSV: send it as application/json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tt.in), Battery, func(Frame) error { return nil })
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

// dischargeCSV is a clean battery file of n samples, one per second.
func dischargeCSV(n int) string {
	var b strings.Builder
	b.WriteString("t_s,soc_pct,voltage_v\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%.4f,%.4f\n", i, 100-float64(i)*90/float64(n), 4.3-float64(i)/float64(n))
	}
	return b.String()
}

func TestReadCSVBatches(t *testing.T) {
	n := 2*BatchRows + 100
	var sizes []int
	var ts []float64
	sum, err := ReadCSV(strings.NewReader(dischargeCSV(n)), Battery, func(f Frame) error {
		sizes = append(sizes, f.Len())
		ts = append(ts, f.Data[0]...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{BatchRows, BatchRows, 100}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("batch sizes %v, want %v", sizes, want)
	}
	for i, v := range ts {
		if v != float64(i) {
			t.Fatalf("sample %d has t_s %v", i, v)
		}
	}
	want := Summary{Rows: n, Columns: []string{"t_s", "soc_pct", "voltage_v"}, First: 0, Last: float64(n - 1)}
	if !reflect.DeepEqual(sum, want) {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
}

func TestReadCSVStopsEmittingAtFirstProblem(t *testing.T) {
	in := dischargeCSV(3 * BatchRows)
	// Break the sample on line 2*BatchRows+500: two full batches have been
	// emitted by then, the third must not be.
	rows := strings.Split(in, "\n")
	bad := 2*BatchRows + 500
	rows[bad-1] = strings.Replace(rows[bad-1], ".", ",", 1)
	rows[bad-1] = `"` + strings.Replace(rows[bad-1], ",", `","`, -1) + `"`
	emitted := 0
	sum, err := ReadCSV(strings.NewReader(strings.Join(rows, "\n")), Battery, func(f Frame) error {
		emitted += f.Len()
		return nil
	})
	ps := problemsOf(t, err)
	if len(ps) != 1 || ps[0].Row != bad {
		t.Fatalf("problems %v, want one on row %d", ps, bad)
	}
	if emitted != 2*BatchRows {
		t.Errorf("emitted %d samples, want %d", emitted, 2*BatchRows)
	}
	if sum.Rows != 3*BatchRows {
		t.Errorf("summary counts %d rows, want %d", sum.Rows, 3*BatchRows)
	}
}

func TestReadCSVCapsProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("t_s;voltage_v\n")
	for i := range MaxProblems + 500 {
		fmt.Fprintf(&b, "%d;4,2\n", i)
	}
	_, err := ReadCSV(strings.NewReader(b.String()), Battery, func(Frame) error { return nil })
	ps := problemsOf(t, err)
	if len(ps) != MaxProblems+1 {
		t.Fatalf("%d problems, want %d", len(ps), MaxProblems+1)
	}
	if last := ps[MaxProblems]; last != (Problem{Index: -1, Message: "and 500 more problems"}) {
		t.Errorf("last entry %#v", last)
	}
	if ps[MaxProblems-1].Row != MaxProblems+1 {
		t.Errorf("entry %d is row %d, want %d", MaxProblems-1, ps[MaxProblems-1].Row, MaxProblems+1)
	}
}

func TestReadCSVPassesErrorsThrough(t *testing.T) {
	errStop := errors.New("database is gone")
	t.Run("emit error stops reading", func(t *testing.T) {
		calls := 0
		_, err := ReadCSV(strings.NewReader(dischargeCSV(3*BatchRows)), Battery, func(Frame) error {
			calls++
			return errStop
		})
		if err != errStop || calls != 1 {
			t.Errorf("err %v after %d calls, want %v after 1", err, calls, errStop)
		}
	})
	t.Run("emit error on the last batch", func(t *testing.T) {
		_, err := ReadCSV(strings.NewReader(dischargeCSV(10)), Battery, func(Frame) error { return errStop })
		if err != errStop {
			t.Errorf("err %v, want %v", err, errStop)
		}
	})
	t.Run("read error", func(t *testing.T) {
		_, err := ReadCSV(iotest.ErrReader(errStop), Battery, func(Frame) error { return nil })
		if err != errStop {
			t.Errorf("err %v, want %v", err, errStop)
		}
	})
	t.Run("read error before the end of the header", func(t *testing.T) {
		r := iotest.TimeoutReader(iotest.OneByteReader(strings.NewReader(dischargeCSV(5))))
		_, err := ReadCSV(r, Battery, func(Frame) error { return nil })
		if !errors.Is(err, iotest.ErrTimeout) {
			t.Errorf("err %v, want %v", err, iotest.ErrTimeout)
		}
	})
	t.Run("read error after some rows", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader(dischargeCSV(5)), iotest.ErrReader(errStop))
		_, err := ReadCSV(r, Battery, func(Frame) error { return nil })
		if err != errStop {
			t.Errorf("err %v, want %v", err, errStop)
		}
	})
	t.Run("unknown kind", func(t *testing.T) {
		_, err := ReadCSV(strings.NewReader("t_s\n0\n"), "drop", func(Frame) error { return nil })
		var ps Problems
		var se *SyntaxError
		if err == nil || errors.As(err, &ps) || errors.As(err, &se) {
			t.Errorf("err %v (%T), want a plain error", err, err)
		}
	})
}

func TestReadCSVSlowReader(t *testing.T) {
	in := "\xEF\xBB\xBF" + dischargeCSV(300)
	got, _, err := readAll(t, func(r io.Reader, k Kind, emit func(Frame) error) (Summary, error) {
		return ReadCSV(iotest.HalfReader(iotest.OneByteReader(r)), k, emit)
	}, Battery, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != 300 || got.Data[0][299] != 299 {
		t.Errorf("read %d samples, last t_s %v", got.Len(), got.Data[0][got.Len()-1])
	}
}

func TestProblemsError(t *testing.T) {
	ps := Problems{
		at(9, "t_s", "12", "t_s must increase: 12 follows 15 (row 8)"),
		at(10, "", "", "this row has 3 values but the header has 2 columns"),
		sample(3, "soc_pct", "", "soc_pct is missing"),
		sample(-1, "foo", "1", "unknown field"),
	}
	want := "series: 4 problems: row 9, column t_s: t_s must increase: 12 follows 15 (row 8); " +
		"row 10: this row has 3 values but the header has 2 columns; " +
		"samples[3].soc_pct: soc_pct is missing; foo: unknown field"
	if got := ps.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
