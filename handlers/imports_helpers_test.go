package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"ruggedlab/handlers"
	"ruggedlab/internal/apicontract"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// importClock is the clock of the import tests (after every example run).
var importClock = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// importAPI is the real router on a real, migrated database, with a second
// connection that counts rows behind the API's back.
type importAPI struct {
	h   http.Handler
	st  *store.Store
	raw *gorm.DB
}

func newImportAPI(t *testing.T, e testdb.Engine, configure ...func(*handlers.Server)) *importAPI {
	t.Helper()
	st := storetest.Open(t, e, storetest.WithNow(func() time.Time { return importClock }))
	srv := &handlers.Server{Store: st, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return importClock }}
	for _, f := range configure {
		f(srv)
	}
	dial := postgres.Open(e.DSN)
	if !store.IsPostgres(e.DSN) {
		dial = gormlite.Open("file:" + e.DSN + "?_pragma=busy_timeout(10000)")
	}
	raw, err := gorm.Open(dial, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := raw.DB()
	t.Cleanup(func() { sqlDB.Close() })
	a := &importAPI{h: srv.Routes(), st: st, raw: raw}
	a.register(t)
	return a
}

func eachImportEngine(t *testing.T, fn func(t *testing.T, a *importAPI), configure ...func(*handlers.Server)) {
	t.Helper()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, newImportAPI(t, e, configure...)) })
	}
}

// register records the demo handsets the example files name, and one unit
// (ATL-0001) that run files below use; the examples' units come from
// units.csv.
func (a *importAPI) register(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	f := func(v float64) *float64 { return &v }
	for _, h := range []models.Handset{
		{Code: "atlas-r1", Name: "Atlas R1", Manufacturer: "Atlas Mobile", FormFactor: "phone",
			Declared: models.Declared{BatteryCapacityMAh: f(5000), NominalVoltageV: f(3.87)}},
		{Code: "borealis-x", Name: "Borealis X", Manufacturer: "Borealis Devices", FormFactor: "phone"},
		{Code: "cobalt-t8", Name: "Cobalt T8", Manufacturer: "Cobalt Rugged", FormFactor: "tablet"},
		{Code: "dune-p5", Name: "Dune P5", Manufacturer: "Dune Telecom", FormFactor: "phone"},
	} {
		if _, err := a.st.CreateHandset(ctx, h, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.st.CreateUnit(ctx, "atlas-r1", models.Unit{Serial: "ATL-0001"}, "test"); err != nil {
		t.Fatal(err)
	}
}

// counts is the number of rows in the tables an import writes.
func (a *importAPI) counts(t *testing.T) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"units", "runs", "run_revisions", "imports"} {
		var n int64
		if err := a.raw.Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s=%d", table, n))
	}
	return strings.Join(parts, " ")
}

// rows counts one table.
func (a *importAPI) rows(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := a.raw.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// send posts body through the router; hdr holds name/value pairs.
func (a *importAPI) send(t *testing.T, path string, body io.Reader, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	raw, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", path, bytes.NewReader(raw))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return apicontract.Serve(t, a.h, req, raw) // checked against the OpenAPI document (internal/apicontract)
}

func (a *importAPI) csv(t *testing.T, path, body string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	return a.send(t, path, strings.NewReader(body), append([]string{"Content-Type", "text/csv"}, hdr...)...)
}

func (a *importAPI) get(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	return apicontract.Serve(t, a.h, httptest.NewRequest("GET", path, nil), nil)
}

// form is a multipart/form-data body with the file in field "file".
func form(t *testing.T, field, name, content string) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("comment", "uploaded by the import page")
	fw, err := w.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(fw, content)
	w.Close()
	return &b, w.FormDataContentType()
}

func example(t *testing.T, target string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "importer", "testdata", "examples", target+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type importResult struct {
	ImportID   string   `json:"import_id"`
	Kind       string   `json:"kind"`
	FileName   string   `json:"file_name"`
	Rows       int      `json:"rows"`
	Created    []string `json:"created"`
	RecordedBy string   `json:"recorded_by"`
	RecordedAt string   `json:"recorded_at"`
}

type importProblem struct {
	Type   string              `json:"type"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Errors []models.FieldError `json:"errors"`
}

func decodeAs[T any](t *testing.T, rec *httptest.ResponseRecorder, status int) T {
	t.Helper()
	var v T
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	return v
}

// where lists problems as "row/column/value: message" for comparison.
func where(p importProblem) []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, fmt.Sprintf("%d/%s/%s: %s", e.Row, e.Column, e.Value, e.Message))
	}
	return out
}

const dropCSVHeader = "handset,unit,method,started_at,ended_at,technician,height_m,surface,protective_case,planned_drops,drops_completed,first_failure_drop,worst_severity"

// dropLine is a valid drop run on ATL-0001, distinct per i.
func dropLine(i int) string {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	return fmt.Sprintf("atlas-r1,ATL-0001,MIL-STD-810H 516.8 IV,%s,%s,M. Roux,2.0,concrete,false,26,26,,%d",
		start.Format(time.RFC3339), start.Add(40*time.Minute).Format(time.RFC3339), i%3)
}

// dropFile is a header and n valid rows; edit replaces the row on a line.
func dropFile(n int, edit map[int]string) string {
	var b strings.Builder
	b.WriteString(dropCSVHeader + "\n")
	for i := 1; i <= n; i++ {
		line := dropLine(i)
		if e, ok := edit[i+1]; ok {
			line = e
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}
