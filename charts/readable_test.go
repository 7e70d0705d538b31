package charts

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

// Tests of issue #16 item 6 (legends that match the marks, no title
// repeating the page heading, "no data" slots, readable KM bands) and of
// the run page's channel chart (item 5).

var ariaLabel = regexp.MustCompile(`aria-label="([^"]*)"`)

// checkTitleIsLabelOnly: the chart's title is its accessible name (and the
// title of a downloaded image), escaped in the attribute; the option draws
// no title text, which would repeat the section heading.
func checkTitleIsLabelOnly(t *testing.T, name, page string, m map[string]any, title string) {
	t.Helper()
	if tt, ok := m["title"].(map[string]any); ok {
		if text, ok := tt["text"]; ok {
			t.Errorf("%s: the option draws title %q; the page heading names the chart", name, text)
		}
	}
	got := ariaLabel.FindStringSubmatch(page)
	if got == nil || html.UnescapeString(got[1]) != title {
		t.Errorf("%s: aria-label %q, want %q", name, got, title)
	}
}

func ptr(v float64) *float64 { return &v }

// everyBuilder builds one chart of each builder, with candidate colours.
func everyBuilder(t *testing.T) map[string]Chart {
	t.Helper()
	out := map[string]Chart{}
	add := func(name string, c Chart, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = c
	}
	c, err := KaplanMeier("km", "Tumbler 1 m", "falls", 0.95, kmFixture)
	add("km", c, err)
	c, err = PassRate("pr", "Ingress IPX7", 0.95, []PassRateBar{
		{Label: "atlas-r1", Passed: 5, N: 5, Color: Color(0), Estimate: 1, Lower: 0.57, Upper: 1},
		{Label: "dune-p5", Passed: 2, N: 4, Color: Color(1), Estimate: 0.5, Lower: 0.15, Upper: 0.85},
		{Label: "empty"},
	})
	add("pass-rate", c, err)
	c, err = PassRate("pr2", "Ingress IPX7", 0.95, []PassRateBar{{Label: "atlas-r1", Passed: 5, N: 5, Estimate: 1, Lower: 0.57, Upper: 1}})
	add("pass-rate-plain", c, err)
	c, err = BatteryRuntime("rt", "EU loop", 0.95, []RuntimeGroup{
		{Label: "atlas-r1", UnitMeans: []float64{38.2, 39.1}, Mean: 38.65, HasCI: true, Lower: 33, Upper: 44},
		{Label: "none"},
	})
	add("battery-runtime", c, err)
	c, err = Discharge("dis", "EU loop: discharge", []string{"atlas-r1", "dune-p5"}, []Curve{
		{Group: 0, X: []float64{0, 1}, Y: []float64{100, 0}}, {Group: 1, X: []float64{0, 2}, Y: []float64{100, 0}}})
	add("discharge", c, err)
	c, err = Chamber("ch", "Cold", []string{"set-point", "air"}, []bool{true, false}, []Curve{
		{Group: 0, X: []float64{0, 1}, Y: []float64{-20, -20}}, {Group: 1, X: []float64{0, 1}, Y: []float64{20, -19}}})
	add("chamber", c, err)
	c, err = UnitDots("repair-steps", "rs", "Display: steps", "steps", []DotGroup{{Label: "atlas-r1", Values: []float64{9, 11}}, {Label: "none"}})
	add("unit-dots", c, err)
	c, err = RankAcceptability("ranks", "Rank acceptability", []RankBar{
		{Label: "atlas-r1", Acceptability: []float64{0.6, 0.4}}, {Label: "dune-p5", Acceptability: []float64{0.4, 0.6}}})
	add("rank-acceptability", c, err)
	c, err = Tornado("stab", "Weight stability", []StabilityBar{{Label: "price", Lo: 0, Hi: 0.5, Weight: 0.4}})
	add("weight-stability", c, err)
	c, err = Incidents("inc", "Incidents", []string{"atlas-r1"}, []IncidentSeries{{"battery", []float64{2}}})
	add("incidents", c, err)
	c, err = RunChannels("discharge", "run", "atlas-r1 unit 1", []float64{0, 1, 2}, batteryChannels())
	add("run-channels", c, err)
	return out
}

func batteryChannels() []Channel {
	return []Channel{
		{Label: "state of charge", Unit: "%", Y: []float64{100, 50, 0}, Min: ptr(0), Max: ptr(100), Decimals: 2},
		{Label: "voltage", Unit: "V", Y: []float64{4.31, 3.8, 3.4}, Decimals: 3},
		{Label: "current", Unit: "mA", Y: []float64{-420, -410, -400}, Decimals: 1},
		{Label: "battery temperature", Unit: "°C", Y: []float64{24, 29.5, 31}, Decimals: 1},
	}
}

func TestNoChartRepeatsItsHeading(t *testing.T) {
	for name, c := range everyBuilder(t) {
		h, err := c.HTML()
		if err != nil {
			t.Fatal(err)
		}
		checkTitleIsLabelOnly(t, name, string(h), decodeOption(t, c), c.Title)
		// The legend starts at the left on its own line and scrolls; the
		// note (subtext) sits under it, and the plot under both.
		m := decodeOption(t, c)
		if lg, ok := m["legend"].(map[string]any); ok && lg["show"] != false {
			if lg["type"] != "scroll" || lg["top"] != legendTop || lg["right"] != nil {
				t.Errorf("%s: legend %v, want a scrolling legend on the first line", name, lg)
			}
			if sub, _ := dig(t, m, "title", "subtext").(string); sub != "" && dig(t, m, "title", "top") != noteTop {
				t.Errorf("%s: note at %v, want %s, under the legend", name, dig(t, m, "title", "top"), noteTop)
			}
		}
	}
}

// TestLegendsMatchMarks: every legend entry names a series, and an entry
// whose series paints its marks in each candidate's colour shows an
// outline key (the mark's shape), not a colour that no mark has.
func TestLegendsMatchMarks(t *testing.T) {
	for name, c := range everyBuilder(t) {
		m := decodeOption(t, c)
		lg, ok := m["legend"].(map[string]any)
		if !ok || lg["show"] == false {
			continue
		}
		series := m["series"].([]any)
		entries, _ := lg["data"].([]any)
		if lg["data"] == nil {
			for _, s := range series {
				entries = append(entries, s.(map[string]any)["name"])
			}
		}
		for _, e := range entries {
			entryName, key := "", map[string]any(nil)
			switch e := e.(type) {
			case string:
				entryName = e
			case map[string]any:
				entryName = e["name"].(string)
				key, _ = e["itemStyle"].(map[string]any)
			}
			var found map[string]any
			for _, s := range series {
				if s := s.(map[string]any); s["name"] == entryName {
					found = s
					break
				}
			}
			if found == nil {
				t.Errorf("%s: legend entry %q names no series", name, entryName)
				continue
			}
			seriesColor := found["color"]
			if is, ok := found["itemStyle"].(map[string]any); ok && is["color"] != nil {
				seriesColor = is["color"]
			}
			items, _ := found["data"].([]any)
			many := false
			for _, it := range items {
				it, ok := it.(map[string]any)
				if !ok {
					continue
				}
				if is, ok := it["itemStyle"].(map[string]any); ok && is["color"] != nil && is["color"] != seriesColor {
					many = true
				}
			}
			if many && (key == nil || key["color"] != "transparent") {
				t.Errorf("%s: legend entry %q shows colour %v while its marks carry candidates' colours", name, entryName, seriesColor)
			}
		}
	}
}

func TestPassRateLegend(t *testing.T) {
	cs := everyBuilder(t)
	if got := dig(t, decodeOption(t, cs["pass-rate"]), "legend", "data", 0, "itemStyle", "color"); got != "transparent" {
		t.Errorf("coloured bars: key colour %v, want an outline", got)
	}
	// bars in the default colour keep the matching swatch
	if _, ok := dig(t, decodeOption(t, cs["pass-rate-plain"]), "legend", "data", 0).(map[string]any)["itemStyle"]; ok {
		t.Errorf("plain bars: the key should be the bars' own colour")
	}
}

func TestEmptySlotsSayNoData(t *testing.T) {
	pr, err := PassRate("pr", "x", 0.95, []PassRateBar{
		{Label: "atlas-r1", Passed: 1, N: 1, Estimate: 1, Lower: 0.2, Upper: 1},
		{Label: "dune-p5", Empty: "aucune donnée"},
		{Label: "cobalt-t8"},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := decodeOption(t, pr)
	for _, tt := range []struct {
		path []any
		want any
	}{
		{[]any{"series", 0, "data", 1, "label", "formatter"}, "aucune donnée"},
		{[]any{"series", 0, "data", 1, "label", "show"}, true},
		{[]any{"series", 0, "data", 1, "value"}, 0.0},
		{[]any{"series", 0, "data", 1, "itemStyle", "opacity"}, 0.0},
		{[]any{"series", 0, "data", 2, "label", "formatter"}, NoData},
		{[]any{"series", 1, "data", 2, "value", 0}, "-"}, // no whisker
	} {
		if got := dig(t, m, tt.path...); got != tt.want {
			t.Errorf("pass rate %v = %#v, want %#v", tt.path, got, tt.want)
		}
	}
	// The empty text and the candidate's name reach the page as data only.
	// (A text with braces, like the __f__ marker, is refused: see below.)
	for _, payload := range []string{payloadScript, "</script><img src=x onerror=alert(1)>"} {
		c, err := PassRate("pr", payload, 0.95, []PassRateBar{{Label: payloadMarker, Empty: payload}})
		if err != nil {
			t.Fatal(err)
		}
		h, err := c.HTML()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(string(h), "</script") != 1 || strings.Contains(string(h), "<script>alert") {
			t.Errorf("an empty slot's text can end the script:\n%s", h)
		}
		if got := dig(t, optionFromHTML(t, string(h)), "series", 0, "data", 0, "label", "formatter"); got != payload {
			t.Errorf("empty slot says %q, want the text as given", got)
		}
	}
	if _, err := PassRate("pr", "x", 0.95, []PassRateBar{{Label: "a", Empty: payloadMarker}}); err == nil {
		t.Errorf("an empty-slot text with braces must be refused (ECharts template)")
	}
	if _, err := PassRate("pr", "x", 0.95, []PassRateBar{{Label: "a", Empty: "{b}"}}); err == nil {
		t.Errorf("an empty-slot text with a brace must be refused (ECharts template)")
	}
	cs := everyBuilder(t)
	for _, tt := range []struct {
		chart string
		path  []any
		want  any
	}{
		{"battery-runtime", []any{"xAxis", 0, "data", 1}, "none\n(no data)"},
		{"unit-dots", []any{"xAxis", 0, "data", 1}, "none\n(no data)"},
		{"km", []any{"legend", "data", 2}, "no units yet (no data)"},
	} {
		if got := dig(t, decodeOption(t, cs[tt.chart]), tt.path...); got != tt.want {
			t.Errorf("%s %v = %#v, want %#v", tt.chart, tt.path, got, tt.want)
		}
	}
	km, err := KaplanMeier("km", "x", "drops", 0.95, []KMCurve{{Label: "a", Empty: "aucune donnée"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := dig(t, decodeOption(t, km), "series", 0, "name"); got != "a (aucune donnée)" {
		t.Errorf("empty KM curve named %q", got)
	}
}

// TestKMBandsReadable: with more than KMBandsShown candidates the bands
// rest hidden and show as their candidate's emphasis (hover), each with an
// id static/charts.js finds; with two or fewer they are shaded.
func TestKMBandsReadable(t *testing.T) {
	curve := func(label string) KMCurve {
		return KMCurve{Label: label, Steps: []KMStep{{T: 10, Surv: 0.8, Lower: 0.4, Upper: 0.95, Events: 1, N: 5}}}
	}
	for _, tt := range []struct {
		n    int
		rest float64
	}{{1, kmBandOpacity}, {2, kmBandOpacity}, {3, 0}, {5, 0}} {
		var curves []KMCurve
		for i := range tt.n {
			curves = append(curves, curve(string(rune('a'+i))))
		}
		c, err := KaplanMeier("km", "x", "drops", 0.95, curves)
		if err != nil {
			t.Fatal(err)
		}
		m := decodeOption(t, c)
		bands := 0
		for _, s := range m["series"].([]any) {
			s := s.(map[string]any)
			id, _ := s["id"].(string)
			if !strings.HasPrefix(id, "km-band-") {
				continue
			}
			bands++
			if got := dig(t, s, "areaStyle", "opacity"); got != tt.rest {
				t.Errorf("%d candidates: band %s rests at opacity %v, want %v", tt.n, id, got, tt.rest)
			}
			if got := dig(t, s, "emphasis", "areaStyle", "opacity"); got != kmBandOpacity {
				t.Errorf("%d candidates: band %s emphasis opacity %v, want %v", tt.n, id, got, kmBandOpacity)
			}
			if dig(t, s, "emphasis", "disabled") != false {
				t.Errorf("band %s: emphasis disabled, so hovering cannot show it", id)
			}
		}
		if bands != tt.n {
			t.Errorf("%d candidates: %d bands with an id", tt.n, bands)
		}
		note, _ := dig(t, m, "title", "subtext").(string)
		if tt.n > KMBandsShown && !strings.Contains(note, "Point at a candidate") {
			t.Errorf("%d candidates: the note %q does not say how to see a band", tt.n, note)
		}
	}
}

func TestRunChannels(t *testing.T) {
	c, err := RunChannels("discharge", "run", "atlas-r1 unit 1", []float64{0, 1, 2}, batteryChannels())
	if err != nil {
		t.Fatal(err)
	}
	m := decodeOption(t, c)
	axes := m["yAxis"].([]any)
	series := m["series"].([]any)
	if len(axes) != 4 || len(series) != 4 {
		t.Fatalf("%d axes and %d series, want 4 and 4 (every uploaded channel)", len(axes), len(series))
	}
	want := []struct {
		name, position string
		offset         any
	}{
		{"state of charge (%)", "left", nil}, {"voltage (V)", "right", nil},
		{"current (mA)", "left", float64(channelAxisOffset)}, {"battery temperature (°C)", "right", float64(channelAxisOffset)},
	}
	for i, w := range want {
		ax := axes[i].(map[string]any)
		if ax["name"] != w.name || ax["position"] != w.position || ax["offset"] != w.offset {
			t.Errorf("axis %d = %v %v %v, want %+v", i, ax["name"], ax["position"], ax["offset"], w)
		}
		if dig(t, series, i, "yAxisIndex") != float64(i) || dig(t, series, i, "color") != dig(t, ax, "axisLine", "lineStyle", "color") {
			t.Errorf("series %d is not on its own axis in its colour", i)
		}
		if dig(t, m, "legend", "data", i) != dig(t, series, i, "name") {
			t.Errorf("legend entry %d is not series %d", i, i)
		}
	}
	for _, tt := range []struct {
		path []any
		want any
	}{
		{[]any{"yAxis", 0, "max"}, 100.0},
		{[]any{"yAxis", 1, "scale"}, true},
		{[]any{"series", 1, "data", 0, 1}, 4.31},
		{[]any{"series", 3, "data", 1, 1}, 29.5},
		{[]any{"grid", 0, "left"}, px(channelAxisRoom + channelAxisOffset)},
		{[]any{"grid", 0, "right"}, px(channelAxisRoom + channelAxisOffset)},
		{[]any{"yAxis", 2, "nameLocation"}, "middle"}, // names along their axes never collide
	} {
		if got := dig(t, m, tt.path...); got != tt.want {
			t.Errorf("option %v = %#v, want %#v", tt.path, got, tt.want)
		}
	}
	for _, bad := range [][]Channel{
		nil,
		{{Label: "", Y: []float64{1, 2, 3}}},
		{{Label: "v", Y: []float64{1, 2}}},
		{{Label: "v", Y: []float64{1, 2, 3}}, {Label: "v", Y: []float64{1, 2, 3}}},
		{{Label: "v", Unit: "{a}", Y: []float64{1, 2, 3}}},
	} {
		if _, err := RunChannels("discharge", "run", "x", []float64{0, 1, 2}, bad); err == nil {
			t.Errorf("RunChannels(%v) accepted", bad)
		}
	}
	// user text (the title) stays inert
	for _, payload := range []string{payloadScript, payloadMarker} {
		c, err := RunChannels("discharge", "run", payload, []float64{0}, []Channel{{Label: "voltage", Unit: "V", Y: []float64{4}}})
		if err != nil {
			t.Fatal(err)
		}
		h, err := c.HTML()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(string(h), "</script") != 1 || strings.Contains(string(h), "<script>alert") {
			t.Errorf("user text can end the script:\n%s", h)
		}
		checkTitleIsLabelOnly(t, "run-channels", string(h), optionFromHTML(t, string(h)), payload)
	}
}

// A caption, for a chart its heading does not name, is the figure's
// caption, escaped; without one the chart shows no title at all.
func TestChartCaption(t *testing.T) {
	c := everyBuilder(t)["battery-runtime"]
	h, err := c.HTML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(h), "figcaption") {
		t.Errorf("no caption asked for, yet:\n%.200s", h)
	}
	c.Caption = payloadScript
	h, err = c.HTML()
	if err != nil {
		t.Fatal(err)
	}
	want := `<figcaption class="chart-title">` + html.EscapeString(payloadScript) + "</figcaption>"
	if !strings.HasPrefix(string(h), want) {
		t.Errorf("caption:\n%.300s\nwant it to start %s", h, want)
	}
	if strings.Count(string(h), "</script") != 1 {
		t.Errorf("the caption can end a script:\n%s", h)
	}
}
