// Package golden compares test output with files kept under testdata/golden,
// so a change to a chart's options or a problem body shows as a diff in
// review. `go test ./PKG/ -run TestX -update` rewrites the files from what
// the code now produces; read the diff before committing it.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden with the output of this run")

// Assert compares got with testdata/golden/NAME (NAME may hold slashes),
// or writes it there under -update.
func Assert(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", "golden", filepath.FromSlash(name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("golden file %s: %v (run the test with -update to create it)", path, err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from its golden file (rerun with -update if the change is intended):\n%s", path, Diff(string(want), string(got)))
	}
}

// AssertJSON indents v's JSON encoding (or, for []byte and
// json.RawMessage, the JSON it holds) so golden files diff line by line,
// then compares it as Assert does.
func AssertJSON(tb testing.TB, name string, v any) {
	tb.Helper()
	raw, ok := v.([]byte)
	if m, isRaw := v.(json.RawMessage); isRaw {
		raw, ok = m, true
	}
	if !ok {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			tb.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		tb.Fatalf("golden %s: not JSON: %v\n%.300s", name, err, raw)
	}
	out.WriteByte('\n')
	Assert(tb, name, out.Bytes())
}

// Diff shows what changed between want and got, line by line (go-cmp's
// report: "-" lines are the golden file's, "+" lines this run's).
func Diff(want, got string) string {
	return cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n"))
}
