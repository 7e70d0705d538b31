package handlers_test

import (
	"net/http"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/internal/testdb"
)

// BenchmarkReportDemo measures the demo profile's test report and evidence
// pack over HTTP on SQLite: build time (ns/op) and size (bytes/file).
//
//	go test ./handlers/ -run '^$' -bench BenchmarkReportDemo -benchtime 5x
func BenchmarkReportDemo(b *testing.B) {
	f := newPagesFixture(b, testdb.SQLite(b), func(s *handlers.Server) { s.Lab = reportLab })
	for _, tc := range []struct{ name, path string }{
		{"profile-report", "/profiles/" + f.profileID + "/report.pdf"},
		{"handset-report", "/handsets/atlas-r1/report.pdf"},
		{"evidence-pack", "/profiles/" + f.profileID + "/evidence-pack.zip"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			size := 0
			for b.Loop() {
				resp, body := f.get(b, tc.path)
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", tc.path, resp.StatusCode)
				}
				size = len(body)
			}
			b.ReportMetric(float64(size), "bytes/file")
		})
	}
}
