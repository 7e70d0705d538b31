package handlers_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"ruggedlab/handlers"
	"ruggedlab/internal/apicontract"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// TestCompareHonesty checks issue #10 items 4–6 on pages, exports and the
// API, on candidates with 3, 2, 1 and 0 units: captions and headers name
// the level asked for; what cannot be computed is "–" (null) with its
// reason, never p = 1; pairwise p-values carry their Holm adjustment.
func TestCompareHonesty(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newHonestyFixture(t, e)
			t.Run("labels say the level used", f.testLevelLabels)
			t.Run("not computable is null with a reason", f.testNotComputable)
			t.Run("Holm beside raw", f.testHolm)
		})
	}
}

// Candidates of the honesty fixture and their battery unit means.
var honestyUnits = map[string][]float64{
	"hc-three": {30, 32, 34},
	"hc-two":   {27, 28.5},
	"hc-one":   {31.31},
	"hc-none":  nil, // registered, no units
}

func newHonestyFixture(t *testing.T, e testdb.Engine) *pagesFixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, e, storetest.WithNow(func() time.Time { return pagesNow }))
	n := 0
	for _, code := range []string{"hc-none", "hc-one", "hc-three", "hc-two"} {
		if _, err := st.CreateHandset(ctx, models.Handset{Code: code, Name: "Model " + code, Manufacturer: "Maker", FormFactor: "phone"}, "test"); err != nil {
			t.Fatal(err)
		}
		var units []models.Unit
		var runs []models.Run
		for u, mean := range honestyUnits[code] {
			serial := fmt.Sprintf("%s-%d", strings.ToUpper(code), u)
			units = append(units, models.Unit{Handset: code, Serial: serial})
			n++
			at := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(n) * 48 * time.Hour)
			env := func(k models.Kind, method string, d time.Duration) models.Run {
				at = at.Add(d + time.Hour)
				return models.Run{Kind: k, Handset: code, Unit: serial, Method: method, StartedAt: at.Add(-d), EndedAt: at, Technician: "T. Test"}
			}
			batt := env(models.Battery, "EU 2023/1669 Annex IV", 30*time.Hour)
			batt.Protocol, batt.RuntimeH, batt.StartSocPct, batt.EndSocPct = "eu_eei_loop", fptr(mean), fptr(100), fptr(0)
			batt.BrightnessNits, batt.AmbientC = fptr(200), fptr(23)
			cold := env(models.Temperature, "IEC 60068-2-1 Ad", time.Hour)
			cold.Procedure, cold.SetpointC, cold.DwellMin, cold.Passed = "operation_cold", fptr(-20), fptr(120), bptr(u != 1)
			drop := env(models.Drop, "MIL-STD-810H 516.8 IV", time.Hour)
			drop.HeightM, drop.Surface, drop.ProtectiveCase, drop.PlannedDrops = fptr(2), "concrete", bptr(false), iptr(26)
			drop.DropsCompleted, drop.WorstSeverity = iptr(26), iptr(1)
			runs = append(runs, batt, cold, drop)
		}
		if len(units) == 0 {
			continue
		}
		if _, err := st.CreateUnits(ctx, units, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateRuns(ctx, runs, "test"); err != nil {
			t.Fatal(err)
		}
	}
	srv := &handlers.Server{Store: st, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return pagesNow }}
	router := srv.Routes()
	f := &pagesFixture{engine: e.Name, st: st, router: router, srv: httptest.NewServer(apicontract.Wrap(t, router))}
	t.Cleanup(f.srv.Close)
	return f
}

const honestyHandsets = "hc-three,hc-two,hc-one,hc-none"

var tagPattern = regexp.MustCompile(`<[^>]*>`)

func (f *pagesFixture) testLevelLabels(t *testing.T) {
	for _, kind := range []string{"drop", "temperature", "battery"} {
		t.Run(kind, func(t *testing.T) {
			path := "/compare?kind=" + kind + "&handsets=" + honestyHandsets + "&confidence=0.99"
			resp, body := f.get(t, path)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d", path, resp.StatusCode)
			}
			// Everything the reader sees, the chart options included.
			text := html.UnescapeString(body)
			if strings.Contains(text, "95 %") || strings.Contains(text, "95&nbsp;%") {
				i := strings.Index(text, "95 %")
				t.Errorf("the page at 0.99 says 95 %%: …%s…", text[max(0, i-120):min(len(text), i+40)])
			}
			if n := strings.Count(text, "99 %"); n < 4 {
				t.Errorf("the page at 0.99 names 99 %% only %d times", n)
			}
			for _, want := range []string{"Intervals at 99 % confidence."} {
				if !strings.Contains(text, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			// Every header naming a level names 99 %.
			for _, th := range regexp.MustCompile(`<th[^>]*>([^<]*)</th>`).FindAllStringSubmatch(body, -1) {
				label := html.UnescapeString(th[1])
				if strings.Contains(label, "%") && regexp.MustCompile(`\d+ %`).MatchString(label) && !strings.Contains(label, "99 %") {
					t.Errorf("header %q names another level", label)
				}
			}
			var ex exportJSON
			f.getJSON(t, strings.Replace(path, "/compare?", "/compare/export.json?", 1), &ex)
			if ex.Meta["confidence"] != 0.99 {
				t.Errorf("export meta confidence %v", ex.Meta["confidence"])
			}
			_, csvBody := f.get(t, strings.Replace(path, "/compare?", "/compare/export.csv?", 1))
			if strings.Contains(csvBody, "95 %") || !strings.Contains(csvBody, "99 %") {
				t.Errorf("CSV export captions: %.600s", csvBody)
			}
		})
	}
	// The default is 95 %, and says so.
	_, body := f.get(t, "/compare?kind=battery&handsets="+honestyHandsets)
	if !strings.Contains(html.UnescapeString(body), "95 % low (h)") {
		t.Errorf("default page does not name 95 %%")
	}
}

// pairRow finds the pairs-table row of a and b (in either order) in a
// compare JSON export.
func pairRow(t *testing.T, ex exportJSON, a, b string) map[string]any {
	t.Helper()
	for _, sec := range ex.Sections {
		for _, tb := range sec.Tables {
			if !strings.HasPrefix(tb.ID, "pairs") {
				continue
			}
			// Pages name a candidate "Model X (code)": match by the code.
			is := func(v any, code string) bool {
				s, _ := v.(string)
				return s == code || strings.HasSuffix(s, " ("+code+")")
			}
			for _, r := range tb.Rows {
				if (is(r["a"], a) && is(r["b"], b)) || (is(r["a"], b) && is(r["b"], a)) {
					return r
				}
			}
		}
	}
	t.Fatalf("no pair row %s–%s", a, b)
	return nil
}

func (f *pagesFixture) testNotComputable(t *testing.T) {
	q := "kind=battery&handsets=" + honestyHandsets
	var ex exportJSON
	f.getJSON(t, "/compare/export.json?"+q, &ex)

	// 3 units vs 1 unit: the "diff 3.31, CI [3.31, 3.31], p 1".
	r := pairRow(t, ex, "hc-three", "hc-one")
	if d, _ := r["diff_h"].(float64); d != 0.69 && d != -0.69 {
		t.Errorf("difference %v, want 0.69", r["diff_h"])
	}
	for _, col := range []string{"t", "df", "p", "p_holm", "diff_ci_lower_h", "diff_ci_upper_h"} {
		if r[col] != nil {
			t.Errorf("3 vs 1 unit: %s = %v, want null", col, r[col])
		}
	}
	if why, _ := r["null_reasons"].(string); !strings.Contains(why, "hc-one has 1 unit") {
		t.Errorf("3 vs 1 unit: reason %q", why)
	}
	// No units: nothing at all, and no "0.00 … p 1".
	r = pairRow(t, ex, "hc-three", "hc-none")
	for _, col := range []string{"diff_h", "t", "df", "p", "p_holm"} {
		if r[col] != nil {
			t.Errorf("3 vs 0 units: %s = %v, want null", col, r[col])
		}
	}
	if why, _ := r["null_reasons"].(string); !strings.Contains(why, "hc-none has no units") {
		t.Errorf("3 vs 0 units: reason %q", why)
	}
	// Computable pair: numbers and no reason.
	if r = pairRow(t, ex, "hc-three", "hc-two"); r["p"] == nil || r["p_holm"] == nil || r["null_reasons"] != nil {
		t.Errorf("3 vs 2 units: %v", r)
	}

	// The page shows the same: "–" and the reason in the row.
	_, body := f.get(t, "/compare?"+q)
	text := html.UnescapeString(tagPattern.ReplaceAllString(body, " "))
	if !strings.Contains(text, "Why “–”") || !strings.Contains(text, "hc-one has 1 unit: Welch's test needs at least 2 units on each side") {
		t.Errorf("page lacks the reason column or the 1-unit reason")
	}

	// The API: null with null_reasons, never p = 1.
	var api struct {
		Handsets []map[string]any `json:"handsets"`
		Pairwise []map[string]any `json:"pairwise"`
	}
	f.getJSON(t, "/api/v1/compare?"+q, &api)
	for _, pr := range api.Pairwise {
		reasons, ok := pr["null_reasons"].(map[string]any)
		if !ok {
			t.Fatalf("pair without null_reasons: %v", pr)
		}
		for _, k := range []string{"t", "df", "p", "p_holm", "diff_ci"} {
			if _, why := reasons[k]; (pr[k] == nil) != why {
				t.Errorf("%v–%v: %s = %v, reason %v", pr["a"], pr["b"], k, pr[k], reasons[k])
			}
		}
		if pr["b"] == "hc-one" && pr["p"] != nil {
			t.Errorf("%v–hc-one: p = %v, want null", pr["a"], pr["p"])
		}
	}
	// The API CSV carries the reasons of the per-handset table.
	_, body = f.get(t, "/api/v1/compare?"+q+"&format=csv")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	last := len(recs[0]) - 1
	if recs[0][last] != "null_reasons" {
		t.Fatalf("CSV header %v", recs[0])
	}
	for _, rec := range recs[1:] {
		if rec[0] == "hc-none" && !strings.Contains(rec[last], "mean: no unit with a runtime") {
			t.Errorf("hc-none CSV reasons %q", rec[last])
		}
		if rec[0] == "hc-three" && rec[last] != "" {
			t.Errorf("hc-three CSV reasons %q", rec[last])
		}
	}
}

func (f *pagesFixture) testHolm(t *testing.T) {
	var api struct {
		Pairwise []map[string]any `json:"pairwise"`
	}
	f.getJSON(t, "/api/v1/compare?kind=drop&handsets="+honestyHandsets, &api)
	if len(api.Pairwise) != 6 {
		t.Fatalf("%d pairs, want 6", len(api.Pairwise))
	}
	for _, pr := range api.Pairwise {
		for _, raw := range []string{"p", "fisher_p"} {
			if _, ok := pr[raw+"_holm"]; !ok {
				t.Errorf("pair %v–%v lacks %s_holm", pr["a"], pr["b"], raw)
			}
			if r, ok := pr[raw].(float64); ok {
				if h, ok := pr[raw+"_holm"].(float64); !ok || h < r {
					t.Errorf("%v–%v: %s %v, holm %v", pr["a"], pr["b"], raw, r, pr[raw+"_holm"])
				}
			}
		}
	}
	// Temperature: hc-three 2/3, hc-two 1/2, hc-one 1/1 and hc-none: three
	// pairs are tested, so Fisher's family has 3 members.
	_, body := f.get(t, "/compare?kind=temperature&handsets="+honestyHandsets)
	text := html.UnescapeString(body)
	for _, want := range []string{"Fisher p (raw)", "Fisher p (Holm)", "Holm-adjusted over the 6 pairs"} {
		if !strings.Contains(text, want) {
			t.Errorf("temperature page lacks %q", want)
		}
	}
	var ex exportJSON
	f.getJSON(t, "/compare/export.json?kind=temperature&handsets="+honestyHandsets, &ex)
	r := pairRow(t, ex, "hc-three", "hc-two")
	if _, ok := r["fisher_p_holm"]; !ok {
		t.Errorf("export pair lacks fisher_p_holm: %v", r)
	}
}
