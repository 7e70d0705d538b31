package charts

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// The two measured vectors of stack-notes §2.4.
const (
	payloadScript = `</script><script>alert(1)</script>`
	payloadMarker = `__f__(function(){document.title='PWNED'})()__f__`
)

// optionFromHTML pulls the argument of setOption(...) back out of rendered
// HTML and decodes it, i.e. it reads the option the way the browser will.
func optionFromHTML(t *testing.T, html string) map[string]any {
	t.Helper()
	// What static/charts.js does: JSON.parse the data block's text.
	_, rest, ok := strings.Cut(html, `<script type="application/json" data-chart-option="`)
	if !ok {
		t.Fatalf("no option data block in:\n%s", html)
	}
	_, rest, ok = strings.Cut(rest, `">`)
	if !ok {
		t.Fatalf("option data block tag not closed in:\n%s", html)
	}
	arg, _, ok := strings.Cut(rest, "</script>")
	if !ok {
		t.Fatalf("option data block not closed in:\n%s", html)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(arg), &m); err != nil {
		t.Fatalf("option data block is not JSON: %v\n%s", err, arg)
	}
	return m
}

// dig walks decoded JSON by object keys and array indexes.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("dig %v: %T is not an object", path, v)
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("dig %v: %T has no index %d", path, v, k)
			}
			v = a[k]
		}
	}
	return v
}

func payloadBar(title, series, category string) *echarts.Bar {
	bar := echarts.NewBar()
	bar.SetGlobalOptions(echarts.WithTitleOpts(opts.Title{Title: title}))
	bar.SetXAxis([]string{category, "plain"})
	bar.AddSeries(series, []opts.BarData{{Value: 3}, {Value: 5}})
	return bar
}

func TestHTMLEscapesUserText(t *testing.T) {
	for _, tt := range []struct{ name, payload string }{
		{"script end tag", payloadScript},
		{"function marker", payloadMarker},
	} {
		t.Run(tt.name, func(t *testing.T) {
			option, err := Options(payloadBar(tt.payload, tt.payload, tt.payload))
			if err != nil {
				t.Fatal(err)
			}
			h, err := Chart{Name: "bar", ID: "xss", Title: tt.payload, Option: option}.HTML()
			if err != nil {
				t.Fatal(err)
			}
			html := string(h)
			for _, bad := range []string{"</script><script>", "<script>alert", "alert(1)</script>"} {
				if strings.Contains(html, bad) {
					t.Errorf("output contains %q:\n%s", bad, html)
				}
			}
			if n := strings.Count(html, "<script"); n != 1 {
				t.Errorf("%d <script occurrences, want 1", n)
			}
			if n := strings.Count(html, "</script"); n != 1 {
				t.Errorf("%d </script occurrences, want 1", n)
			}
			// What the browser gets back: the same strings, markers included.
			m := optionFromHTML(t, html)
			for _, path := range [][]any{
				{"title", "text"},
				{"series", 0, "name"},
				{"xAxis", 0, "data", 0},
			} {
				if got := dig(t, m, path...); got != tt.payload {
					t.Errorf("option %v = %q, want the payload as a plain string", path, got)
				}
			}
			if tt.payload == payloadMarker && !strings.Contains(html, `"__f__(function(){document.title=`) {
				t.Errorf("marker not kept inside a JSON string:\n%s", html)
			}
		})
	}
}

func TestOptionsRejectsNonFinite(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    float64
	}{
		{"NaN", math.NaN()},
		{"+Inf", math.Inf(1)},
		{"-Inf", math.Inf(-1)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bar := echarts.NewBar()
			bar.SetXAxis([]string{"a"})
			bar.AddSeries("s", []opts.BarData{{Value: tt.v}})
			option, err := Options(bar)
			if err == nil {
				t.Fatalf("Options = %s, want an error", option)
			}
			if !strings.Contains(err.Error(), "unsupported value") {
				t.Errorf("error %q does not say why", err)
			}
		})
	}
}

func TestOptionsTurnsAnimationOff(t *testing.T) {
	bar := echarts.NewBar()
	bar.SetGlobalOptions(echarts.WithAnimation(true))
	bar.AddSeries("s", []opts.BarData{{Value: 1}})
	option, err := Options(bar)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(option, &m); err != nil {
		t.Fatal(err)
	}
	if m["animation"] != false {
		t.Errorf("animation = %v, want false", m["animation"])
	}
}

func TestChartValidate(t *testing.T) {
	ok := json.RawMessage(`{"series":[]}`)
	for _, tt := range []struct {
		name    string
		c       Chart
		wantErr string
	}{
		{"ok", Chart{Name: "km", ID: "km-1", Option: ok}, ""},
		{"ok height", Chart{Name: "pass-rate", ID: "a", Height: 250, Option: ok}, ""},
		{"empty id", Chart{Name: "km", Option: ok}, "id"},
		{"id upper", Chart{Name: "km", ID: "Km", Option: ok}, "id"},
		{"id digit first", Chart{Name: "km", ID: "1km", Option: ok}, "id"},
		{"id dash first", Chart{Name: "km", ID: "-km", Option: ok}, "id"},
		{"id quote", Chart{Name: "km", ID: `km"x`, Option: ok}, "id"},
		{"id space", Chart{Name: "km", ID: "km 1", Option: ok}, "id"},
		{"id underscore", Chart{Name: "km", ID: "km_1", Option: ok}, "id"},
		{"id too long", Chart{Name: "km", ID: strings.Repeat("a", 65), Option: ok}, "id"},
		{"bad name", Chart{Name: "</div>", ID: "km", Option: ok}, "name"},
		{"height small", Chart{Name: "km", ID: "km", Height: 10, Option: ok}, "height"},
		{"height negative", Chart{Name: "km", ID: "km", Height: -1, Option: ok}, "height"},
		{"no option", Chart{Name: "km", ID: "km"}, "option"},
		{"empty option", Chart{Name: "km", ID: "km", Option: json.RawMessage(" ")}, "option"},
		{"null option", Chart{Name: "km", ID: "km", Option: json.RawMessage("null")}, "option"},
		{"array option", Chart{Name: "km", ID: "km", Option: json.RawMessage("[]")}, "option"},
		{"truncated option", Chart{Name: "km", ID: "km", Option: json.RawMessage(`{"a":`)}, "option"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("Validate: nil, want an error about %s", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("Validate: %v, want it to mention %s", err, tt.wantErr)
			}
			if _, herr := tt.c.HTML(); (herr == nil) != (err == nil) {
				t.Errorf("HTML error %v disagrees with Validate error %v", herr, err)
			}
		})
	}
}

func TestHTMLIsDeterministic(t *testing.T) {
	mk := func() string {
		option, err := Options(payloadBar("t", "s", "c"))
		if err != nil {
			t.Fatal(err)
		}
		h, err := Chart{Name: "bar", ID: "bar-1", Option: option}.HTML()
		if err != nil {
			t.Fatal(err)
		}
		return string(h)
	}
	a, b := mk(), mk()
	if a != b {
		t.Fatalf("two renders differ:\n%s\n%s", a, b)
	}
	// No code and no style attribute: the page's Content-Security-Policy
	// allows neither inline scripts nor style attributes.
	for _, bad := range []string{"style=", "<script>", "echarts.init", "on" + "load="} {
		if strings.Contains(a, bad) {
			t.Errorf("output contains %q, which the pages' CSP blocks:\n%s", bad, a)
		}
	}
	for _, want := range []string{
		`<div data-chart="bar" id="bar-1" data-height="400"></div>`,
		`<script type="application/json" data-chart-option="bar-1">{`,
		`"animation":false`,
	} {
		if !strings.Contains(a, want) {
			t.Errorf("output lacks %q:\n%s", want, a)
		}
	}
}

func TestColorClass(t *testing.T) {
	for i := range len(palette) + 2 {
		if got, want := ColorClass(Color(i)), "c"+strconv.Itoa(i%len(palette)); got != want {
			t.Errorf("ColorClass(Color(%d)) = %q, want %q", i, got, want)
		}
	}
	if got := ColorClass("#123456"); got != "" {
		t.Errorf("ColorClass of a colour outside the palette = %q, want \"\"", got)
	}
}
