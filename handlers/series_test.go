package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"mime/multipart"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/internal/testdb"
)

// seriesCSV is a battery series of n samples, one per 10 s, written the way
// the API writes numbers back (shortest exact form), so that a download can
// be compared with the upload byte for byte.
func seriesCSV(n int) string {
	var b strings.Builder
	b.WriteString("t_s,soc_pct,voltage_v,current_ma,temp_c\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%g,%g,%g,%g\n", i*10, 100-float64(i*100/max(n, 1)), 4.35-float64(i%100)/1000,
			400+float64(i%50)+0.5, 25+float64(i%7)/10)
	}
	return b.String()
}

// seriesAnswer is the JSON shape of GET …/series.
type seriesAnswer struct {
	RunID       string      `json:"run_id"`
	Revision    int         `json:"revision"`
	Columns     []string    `json:"columns"`
	TotalPoints int         `json:"total_points"`
	Reduced     bool        `json:"reduced"`
	Data        [][]float64 `json:"data"`
}

func decodeSeries(t testing.TB, r response) seriesAnswer {
	t.Helper()
	var s seriesAnswer
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("series answer: %v\n%.300s", err, r.Body)
	}
	return s
}

// csvRows reads back the rows of seriesCSV as numbers.
func csvRows(t testing.TB, text string) [][]float64 {
	t.Helper()
	var rows [][]float64
	for _, line := range strings.Split(strings.TrimSpace(text), "\n")[1:] {
		var row []float64
		for _, f := range strings.Split(line, ",") {
			var v float64
			if _, err := fmt.Sscan(f, &v); err != nil {
				t.Fatal(err)
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	return rows
}

// seriesRun records a run of kind through the API and returns its id.
func seriesRun(t testing.TB, a *testAPI, kind string) string {
	t.Helper()
	return object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody(kind, nil)))["id"].(string)
}

func TestSeriesUploadAndRead(t *testing.T) {
	csvBody := seriesCSV(300)
	eachEngine(t, func(t *testing.T, a *testAPI) {
		seed(t, a)
		run := seriesRun(t, a, "battery")
		r := a.must(t, 201, "POST", "/api/v1/runs/"+run+"/series", csvBody, "Content-Type", "text/csv")
		wantFields(t, object(t, r), map[string]any{"run_id": run, "samples": 300.0, "revision": 1.0})
		if loc := r.Header.Get("Location"); loc != "/api/v1/runs/"+run+"/series" {
			t.Errorf("Location = %q", loc)
		}

		got := decodeSeries(t, a.must(t, 200, "GET", "/api/v1/runs/"+run+"/series", ""))
		if got.RunID != run || got.TotalPoints != 300 || got.Reduced || !slices.Equal(got.Columns, []string{"t_s", "soc_pct", "voltage_v", "current_ma", "temp_c"}) {
			t.Errorf("answer %+v", got)
		}
		if want := csvRows(t, csvBody); !slices.EqualFunc(got.Data, want, slices.Equal) {
			t.Errorf("JSON data differs from the upload")
		}
		c := a.must(t, 200, "GET", "/api/v1/runs/"+run+"/series?format=csv", "")
		if string(c.Body) != csvBody {
			t.Errorf("CSV download differs from the upload:\n%.200s", c.Body)
		}
		if ct := c.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("CSV Content-Type = %q", ct)
		}

		runAnswer := object(t, a.must(t, 200, "GET", "/api/v1/runs/"+run, ""))
		m, _ := runAnswer["metrics"].(map[string]any)
		if runAnswer["has_series"] != true || m["energy_wh"] == nil || m["time_to_20pct_h"] == nil || m["mean_power_w"] == nil {
			t.Errorf("run after upload: has_series %v, metrics %v", runAnswer["has_series"], runAnswer["metrics"])
		}
	})
}

// A series of several storage blocks, with columns of short decimals and
// columns of computed floats (17 significant digits, which the store keeps
// in its XOR encoding): the download is the upload byte for byte, and
// uploading the download to another run gives the same download again.
func TestSeriesRoundTripAcrossBlocks(t *testing.T) {
	const n = 3*4096 + 123
	var b strings.Builder
	b.WriteString("t_s,soc_pct,voltage_v,current_ma,temp_c\n")
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for i := range n {
		u := float64(i) / n
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s\n", num(float64(i)*0.1), num(math.Round(1e4*100*(1-u))/1e4),
			num(4.35-1.05*u), num(-400-float64(i%977)/4), num(25+math.Sin(float64(i)/50)))
	}
	body := b.String()
	eachEngine(t, func(t *testing.T, a *testAPI) {
		seed(t, a)
		first := seriesRun(t, a, "battery")
		a.must(t, 201, "POST", "/api/v1/runs/"+first+"/series", body, "Content-Type", "text/csv")
		got := a.must(t, 200, "GET", "/api/v1/runs/"+first+"/series?format=csv", "")
		if string(got.Body) != body {
			t.Fatalf("CSV download differs from the upload:\n%.300s", got.Body)
		}
		firstJSON := a.must(t, 200, "GET", "/api/v1/runs/"+first+"/series", "")
		second := seriesRun(t, a, "battery")
		a.must(t, 201, "POST", "/api/v1/runs/"+second+"/series", string(got.Body), "Content-Type", "text/csv")
		again := a.must(t, 200, "GET", "/api/v1/runs/"+second+"/series?format=csv", "")
		if !bytes.Equal(again.Body, got.Body) {
			t.Errorf("second round trip differs")
		}
		secondJSON := a.must(t, 200, "GET", "/api/v1/runs/"+second+"/series", "")
		if !bytes.Equal(bytes.Replace(firstJSON.Body, []byte(first), []byte(second), 1), secondJSON.Body) {
			t.Errorf("JSON downloads differ beyond the run id")
		}
	})
}

func TestSeriesUploadForms(t *testing.T) {
	samples := `{"samples": [{"t_s": 0, "setpoint_c": 20, "air_c": 21.5}, {"t_s": 30.5, "setpoint_c": -20, "air_c": 10.25}]}`
	form := func(field, name, ctype, content string) (string, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.WriteField("note", "ignored")
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name)}
		if ctype != "" {
			h["Content-Type"] = []string{ctype}
		}
		p, _ := w.CreatePart(h)
		p.Write([]byte(content))
		w.Close()
		return b.String(), w.FormDataContentType()
	}
	csvForm, csvType := form("file", "chamber.csv", "text/csv", "t_s,setpoint_c,air_c\n0,20,21.5\n30.5,-20,10.25\n")
	jsonForm, jsonType := form("file", "chamber.json", "", samples)
	noFile, noFileType := form("other", "chamber.csv", "text/csv", "t_s\n0\n")
	want := [][]float64{{0, 20, 21.5}, {30.5, -20, 10.25}}
	cases := []struct {
		name, body, ctype string
		status            int
	}{
		{"json", samples, "application/json", 201},
		{"multipart csv", csvForm, csvType, 201},
		{"multipart json by file name", jsonForm, jsonType, 201},
		{"multipart without file", noFile, noFileType, 422},
	}
	eachEngine(t, func(t *testing.T, a *testAPI) {
		seed(t, a)
		for _, tc := range cases {
			run := seriesRun(t, a, "temperature")
			r := a.call(t, "POST", "/api/v1/runs/"+run+"/series", tc.body, "Content-Type", tc.ctype)
			if r.Status != tc.status {
				t.Errorf("%s: status %d, want %d\n%s", tc.name, r.Status, tc.status, r.Body)
				continue
			}
			if tc.status != 201 {
				wantProblem(t, r, tc.status, "file")
				continue
			}
			got := decodeSeries(t, a.must(t, 200, "GET", "/api/v1/runs/"+run+"/series", ""))
			if !slices.Equal(got.Columns, []string{"t_s", "setpoint_c", "air_c"}) || !slices.EqualFunc(got.Data, want, slices.Equal) {
				t.Errorf("%s: read back %v %v", tc.name, got.Columns, got.Data)
			}
		}
	})
}

// badSeriesCSV has problems on lines 3, 17 and 250 of a 300-sample file.
func badSeriesCSV() string {
	lines := strings.Split(strings.TrimSpace(seriesCSV(299)), "\n")
	lines[2] = strings.Replace(lines[2], "4.", "4,", 1) // decimal comma: one field too many
	f := strings.Split(lines[16], ",")
	f[2] = "9.9" // voltage out of range
	lines[16] = strings.Join(f, ",")
	f = strings.Split(lines[249], ",")
	f[0] = "10" // t_s goes back
	lines[249] = strings.Join(f, ",")
	return strings.Join(lines, "\n") + "\n"
}

// csvProblem is an entry of "errors" for a CSV upload.
type csvProblem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Value   string `json:"value"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func TestSeriesUpload422(t *testing.T) {
	eachEngine(t, func(t *testing.T, a *testAPI) {
		seed(t, a)
		run := seriesRun(t, a, "battery")
		before := a.snapshot(t)
		r := a.call(t, "POST", "/api/v1/runs/"+run+"/series", badSeriesCSV(), "Content-Type", "text/csv")
		wantProblem(t, r, 422, "", "", "")
		var p struct{ Errors []csvProblem }
		json.Unmarshal(r.Body, &p)
		var rows []int
		for _, e := range p.Errors {
			rows = append(rows, e.Row)
			if e.Message == "" || (e.Row != 3 && e.Column == "") {
				t.Errorf("entry %+v lacks column or message", e)
			}
		}
		if !slices.Equal(rows, []int{3, 17, 250}) {
			t.Errorf("rows %v, want [3 17 250]\n%s", rows, r.Body)
		}
		if p.Errors[1].Column != "voltage_v" || p.Errors[1].Value != "9.9" {
			t.Errorf("row 17 entry %+v, want column voltage_v, value 9.9", p.Errors[1])
		}
		wantProblem(t, a.call(t, "GET", "/api/v1/runs/"+run+"/series", ""), 404)
		if after := a.snapshot(t); after != before {
			t.Errorf("a refused upload changed what the API shows")
		}

		// JSON problems are located by field path.
		var b strings.Builder
		b.WriteString(`{"samples": [`)
		for i := range 20 {
			soc := fmt.Sprint(100 - i)
			if i == 12 {
				soc = `"88"`
			}
			fmt.Fprintf(&b, `%s{"t_s": %d, "soc_pct": %s}`, map[bool]string{true: "", false: ","}[i == 0], i, soc)
		}
		b.WriteString(`]}`)
		r = a.call(t, "POST", "/api/v1/runs/"+run+"/series", b.String())
		wantProblem(t, r, 422, "samples[12].soc_pct")
	})
}

func TestSeriesUploadRefused(t *testing.T) {
	good := seriesCSV(20)
	cases := []struct {
		name   string
		run    string // "{battery}", "{drop}", or a literal id
		query  string
		body   string
		hdr    []string
		status int
		fields []string
	}{
		{"unknown run", "nope", "", good, []string{"Content-Type", "text/csv"}, 404, nil},
		{"drop run", "{drop}", "", good, []string{"Content-Type", "text/csv"}, 422, nil},
		{"second upload", "{battery}", "", good, []string{"Content-Type", "text/csv"}, 409, nil},
		{"replace without reason", "{battery}", "?replace=true", good, []string{"Content-Type", "text/csv"}, 422, []string{"reason"}},
		{"replace not a boolean", "{battery}", "?replace=yes", good, []string{"Content-Type", "text/csv"}, 422, []string{"replace"}},
		{"xml", "{fresh}", "", good, []string{"Content-Type", "application/xml"}, 415, nil},
		{"no media type", "{fresh}", "", good, []string{"Content-Type", ""}, 415, nil},
		{"broken JSON", "{fresh}", "", `{"samples": [{"t_s": 0,}]}`, nil, 400, nil},
		{"JSON array", "{fresh}", "", `[{"t_s": 0}]`, nil, 400, nil},
		{"broken CSV quoting", "{fresh}", "", "t_s,soc_pct\n0,\"100\n", []string{"Content-Type", "text/csv"}, 400, nil},
		{"JSON sent as CSV", "{fresh}", "", `{"samples": []}`, []string{"Content-Type", "text/csv"}, 400, nil},
	}
	eachEngine(t, func(t *testing.T, a *testAPI) {
		seed(t, a)
		ids := map[string]string{"{battery}": seriesRun(t, a, "battery"), "{drop}": seriesRun(t, a, "drop"), "{fresh}": seriesRun(t, a, "battery")}
		a.must(t, 201, "POST", "/api/v1/runs/"+ids["{battery}"]+"/series", good, "Content-Type", "text/csv")
		before := a.snapshot(t)
		for _, tc := range cases {
			run := tc.run
			if id, ok := ids[run]; ok {
				run = id
			}
			r := a.call(t, "POST", "/api/v1/runs/"+run+"/series"+tc.query, tc.body, tc.hdr...)
			t.Run(tc.name, func(t *testing.T) { wantProblem(t, r, tc.status, tc.fields...) })
		}
		if after := a.snapshot(t); after != before {
			t.Errorf("refused uploads changed what the API shows")
		}
		wantProblem(t, a.call(t, "GET", "/api/v1/runs/"+ids["{fresh}"]+"/series", ""), 404)
	})
}

// TestSeriesUpload413 sends more than MaxUpload, once with its length
// declared (refused before reading) and once chunked (refused while
// streaming, after batches have reached the database): nothing is written.
func TestSeriesUpload413(t *testing.T) {
	body := seriesCSV(20_000) // ~600 KB: more than two reader batches
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newAPI(t, e, func(s *handlers.Server) { s.MaxUpload = int64(len(body)) - 100 })
			seed(t, a)
			run := seriesRun(t, a, "battery")
			for _, declared := range []bool{true, false} {
				req := httptest.NewRequest("POST", "/api/v1/runs/"+run+"/series", strings.NewReader(body))
				req.Header.Set("Content-Type", "text/csv")
				if !declared {
					req.ContentLength = -1
				}
				rec := httptest.NewRecorder()
				a.h.ServeHTTP(rec, req)
				wantProblem(t, response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}, 413)
			}
			wantProblem(t, a.call(t, "GET", "/api/v1/runs/"+run+"/series", ""), 404)
			if object(t, a.must(t, 200, "GET", "/api/v1/runs/"+run, ""))["has_series"] != false {
				t.Error("has_series set by a refused upload")
			}
			// Within the limit, the same run takes a series.
			a.must(t, 201, "POST", "/api/v1/runs/"+run+"/series", seriesCSV(100), "Content-Type", "text/csv")
		})
	}
}

func TestSeriesReplace(t *testing.T) {
	eachEngine(t, func(t *testing.T, a *testAPI) {
		seed(t, a)
		run := seriesRun(t, a, "battery")
		first, second := seriesCSV(40), seriesCSV(60)
		a.must(t, 201, "POST", "/api/v1/runs/"+run+"/series", first, "Content-Type", "text/csv")
		a.must(t, 409, "POST", "/api/v1/runs/"+run+"/series", second, "Content-Type", "text/csv")
		r := a.must(t, 201, "POST", "/api/v1/runs/"+run+"/series?replace=true&reason=logger+clock+was+off", second, "Content-Type", "text/csv")
		wantFields(t, object(t, r), map[string]any{"run_id": run, "samples": 60.0, "revision": 2.0})

		for _, tc := range []struct {
			query string
			want  string
		}{{"", second}, {"?revision=2", second}, {"?revision=1", first}} {
			got := a.must(t, 200, "GET", "/api/v1/runs/"+run+"/series"+tc.query+map[bool]string{true: "?", false: "&"}[tc.query == ""]+"format=csv", "")
			if string(got.Body) != tc.want {
				t.Errorf("GET series%s: %d bytes, want the upload of %d bytes", tc.query, len(got.Body), len(tc.want))
			}
		}
		wantProblem(t, a.call(t, "GET", "/api/v1/runs/"+run+"/series?revision=3", ""), 404)
		runAnswer := object(t, a.must(t, 200, "GET", "/api/v1/runs/"+run, ""))
		if runAnswer["revision"] != 2.0 {
			t.Errorf("run revision %v, want 2", runAnswer["revision"])
		}
		var revs listPage
		json.Unmarshal(a.must(t, 200, "GET", "/api/v1/runs/"+run+"/revisions", "").Body, &revs)
		if len(revs.Items) != 2 || revs.Items[1]["reason"] != "logger clock was off" {
			t.Errorf("revisions %v", revs.Items)
		}
	})
}

func TestSeriesReduced(t *testing.T) {
	eachEngine(t, func(t *testing.T, a *testAPI) {
		seed(t, a)
		run := seriesRun(t, a, "battery")
		body := seriesCSV(5000)
		all := csvRows(t, body)
		a.must(t, 201, "POST", "/api/v1/runs/"+run+"/series", body, "Content-Type", "text/csv")
		for _, tc := range []struct {
			max     string
			rows    int
			reduced bool
		}{{"2", 2, true}, {"100", 100, true}, {"2000", 2000, true}, {"4999", 4999, true}, {"5000", 5000, false}, {"100000", 5000, false}} {
			got := decodeSeries(t, a.must(t, 200, "GET", "/api/v1/runs/"+run+"/series?max_points="+tc.max, ""))
			n := len(got.Data)
			if n != tc.rows || got.Reduced != tc.reduced || got.TotalPoints != 5000 {
				t.Errorf("max_points=%s: %d rows, reduced %v, total %d; want %d rows, reduced %v", tc.max, n, got.Reduced, got.TotalPoints, tc.rows, tc.reduced)
				continue
			}
			if !slices.Equal(got.Data[0], all[0]) || !slices.Equal(got.Data[n-1], all[len(all)-1]) {
				t.Errorf("max_points=%s: first/last rows %v %v, want %v %v", tc.max, got.Data[0], got.Data[n-1], all[0], all[len(all)-1])
			}
		}
		c := a.must(t, 200, "GET", "/api/v1/runs/"+run+"/series?max_points=10&format=csv", "")
		if lines := strings.Count(string(c.Body), "\n"); lines != 11 {
			t.Errorf("reduced CSV has %d lines, want a header and 10 rows", lines)
		}
		for _, q := range []string{"max_points=1", "max_points=many", "format=xml", "revision=0"} {
			field := strings.Split(q, "=")[0]
			wantProblem(t, a.call(t, "GET", "/api/v1/runs/"+run+"/series?"+q, ""), 422, field)
		}
		other := seriesRun(t, a, "battery")
		wantProblem(t, a.call(t, "GET", "/api/v1/runs/"+other+"/series", ""), 404)
		wantProblem(t, a.call(t, "GET", "/api/v1/runs/nope/series", ""), 404)
	})
}
