package browsertest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestOriginOf(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		err      bool
	}{
		{"http://127.0.0.1:8080/x", "http://127.0.0.1:8080", false},
		{"http://127.0.0.1/x", "http://127.0.0.1:80", false},
		{"http://127.0.0.1:80/", "http://127.0.0.1:80", false},
		{"HTTP://Example.INVALID/x.js", "http://example.invalid:80", false},
		{"https://cdn.example/e.js", "https://cdn.example:443", false},
		{"ws://127.0.0.1:8080/live", "http://127.0.0.1:8080", false},
		{"wss://h/live", "https://h:443", false},
		{"http://[::1]:9000/", "http://[::1]:9000", false},
		{"data:image/png;base64,AAAA", "", false},
		{"blob:http://127.0.0.1:8080/uuid", "", false},
		{"about:blank", "", false},
		{"/relative", "", true},
	} {
		got, err := originOf(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("originOf(%q) = %q, %v; want %q, err=%v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestProblems(t *testing.T) {
	drawn := ChartReport{Name: "km", ID: "km", HasInstance: true, Series: 1, CanvasW: 600, CanvasH: 400, InkPixels: 9000}
	for _, tt := range []struct {
		name string
		r    PageReport
		want []string // substrings, one per expected problem, in order
	}{
		{"clean", PageReport{Charts: []ChartReport{drawn}}, nil},
		{"no charts is clean", PageReport{}, nil},
		{"everything wrong", PageReport{
			ConsoleErrors:   []string{"Uncaught ReferenceError: echarts is not defined"},
			FailedRequests:  []string{"http://x/a.js: net::ERR_NAME_NOT_RESOLVED"},
			ForeignRequests: []string{"http://x/a.js"},
			Dialogs:         []string{"alert: 1"},
			Charts: []ChartReport{
				{Name: "a", ID: "a"},
				{Name: "b", ID: "b", HasInstance: true},
				{Name: "c", ID: "c", HasInstance: true, Series: 1, InkPixels: 500},
				drawn,
			},
		}, []string{
			"console error: Uncaught ReferenceError",
			"failed request: http://x/a.js",
			"request to another origin: http://x/a.js",
			"dialog: alert: 1",
			`chart "a" (#a): no ECharts instance`,
			`chart "b" (#b): no series`,
			`chart "c" (#c): only 500 ink pixels`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.r.Problems()
			if len(got) != len(tt.want) {
				t.Fatalf("Problems() = %q, want %d problems", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestUniq(t *testing.T) {
	got := uniq([]string{"a", "b", "a", "c", "b"})
	if !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("uniq = %q", got)
	}
}

func TestScreenshotDir(t *testing.T) {
	root := repoRoot()
	for _, tt := range []struct{ env, want string }{
		{"", root + "/screenshots"},
		{"out/shots", root + "/out/shots"},
		{"/tmp/shots", "/tmp/shots"},
	} {
		t.Setenv("RUGGEDLAB_SCREENSHOTS", tt.env)
		if got := ScreenshotDir(); got != tt.want {
			t.Errorf("RUGGEDLAB_SCREENSHOTS=%q: ScreenshotDir() = %q, want %q", tt.env, got, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("repoRoot() = %q: %v", root, err)
	}
}
