package handlers_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"ruggedlab/internal/testdb"
)

// TestReadableRunPages is issue #16 item 5: a run page names its fields
// as people do, with their units, shows numbers to their precision with
// the page's decimal mark, times in the lab's zone to the second, and the
// battery chart draws every uploaded channel on its own axis; lists tell
// runs apart although their ids share a prefix.
func TestReadableRunPages(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newPagesFixture(t, e)
			var run struct {
				StartedAt  time.Time `json:"started_at"`
				RecordedAt time.Time `json:"recorded_at"`
				Metrics    struct {
					EnergyWh float64 `json:"energy_wh"`
				} `json:"metrics"`
			}
			f.getJSON(t, "/api/v1/runs/"+f.batteryRun, &run)
			energy := fmt.Sprintf("%.2f", run.Metrics.EnergyWh)
			for _, tt := range []struct {
				lang         string
				labels       []string
				energy       string
				started      string
				recorded     string
				enumerations []string
			}{
				{"en", []string{"Charge at start (%)", "Charge at end (%)", "Runtime (h)", "Energy delivered (Wh)", "Time until charge ≤ 20 % (h)",
					"Mean power (W)", "Ambient temperature (°C)", "Screen brightness (cd/m²)", "Started", "Recorded at", "Run id"},
					energy, run.StartedAt.Round(time.Second).In(paris).Format("2006-01-02 15:04:05 MST"),
					run.RecordedAt.Round(time.Second).In(paris).Format("2006-01-02 15:04:05 MST"), []string{"EU energy-label loop", "active", "yes"}},
				{"fr", []string{"Charge au début (%)", "Énergie fournie (Wh)", "Puissance moyenne (W)", "Début", "Identifiant de l’essai"},
					strings.Replace(energy, ".", ",", 1), run.StartedAt.Round(time.Second).In(paris).Format("02/01/2006 15:04:05 MST"),
					run.RecordedAt.Round(time.Second).In(paris).Format("02/01/2006 15:04:05 MST"), []string{"oui"}},
			} {
				t.Run(tt.lang, func(t *testing.T) {
					resp, body := f.get(t, "/runs/"+f.batteryRun+"?lang="+tt.lang)
					if resp.StatusCode != 200 {
						t.Fatalf("status %d", resp.StatusCode)
					}
					fields := fieldRows(body)
					for _, l := range tt.labels {
						if _, ok := fields[l]; !ok {
							t.Errorf("no field labelled %q; fields %v", l, fields)
						}
					}
					for label := range fields {
						if regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)+$`).MatchString(label) {
							t.Errorf("field %q is an API name, not a label", label)
						}
					}
					energyLabel := map[string]string{"en": "Energy delivered (Wh)", "fr": "Énergie fournie (Wh)"}[tt.lang]
					if got := fields[energyLabel]; got != tt.energy {
						t.Errorf("energy = %q, want %q (to 0.01, the page's decimal mark)", got, tt.energy)
					}
					startLabel := map[string]string{"en": "Started", "fr": "Début"}[tt.lang]
					if got := fields[startLabel]; got != tt.started {
						t.Errorf("started = %q, want %q (lab zone, to the second)", got, tt.started)
					}
					recLabel := map[string]string{"en": "Recorded at", "fr": "Saisi le"}[tt.lang]
					if got := fields[recLabel]; got != tt.recorded {
						t.Errorf("recorded at = %q, want %q", got, tt.recorded)
					}
					for _, w := range tt.enumerations {
						if !containsValue(fields, w) {
							t.Errorf("no field reads %q; fields %v", w, fields)
						}
					}
					for label, v := range fields {
						if regexp.MustCompile(`\d{2}:\d{2}:\d{2}\.\d|T\d{2}:\d{2}|Z$|\d\.\d{5,}|\d,\d{5,}`).MatchString(v) {
							t.Errorf("field %q = %q: raw timestamp or unformatted number", label, v)
						}
					}
					if tt.lang == "fr" && (!strings.Contains(body, "points enregistrés (révision") || !strings.Contains(body, "Aucune photo ni aucun PDF joint.")) {
						t.Errorf("French run page: the series and attachment notes are in English")
					}
					if tt.lang == "fr" && containsValue(fields, energy) && strings.Contains(energy, ".") {
						t.Errorf("French page shows %s with a point", energy)
					}
				})
			}

			t.Run("battery chart has every channel", func(t *testing.T) {
				var s struct {
					Columns []string `json:"columns"`
				}
				f.getJSON(t, "/api/v1/runs/"+f.batteryRun+"/series", &s)
				_, body := f.get(t, "/runs/"+f.batteryRun)
				opt := chartOption(t, body, "discharge")
				var o struct {
					YAxis  []map[string]any `json:"yAxis"`
					Series []struct {
						Name       string `json:"name"`
						YAxisIndex int    `json:"yAxisIndex"`
					} `json:"series"`
				}
				if err := json.Unmarshal(opt, &o); err != nil {
					t.Fatal(err)
				}
				channels := len(s.Columns) - 1 // all but t_s
				if channels < 4 || len(o.Series) != channels || len(o.YAxis) != channels {
					t.Fatalf("series columns %v: chart has %d series on %d axes, want %d on %d", s.Columns, len(o.Series), len(o.YAxis), channels, channels)
				}
				names := map[string]bool{}
				for i, sr := range o.Series {
					names[o.YAxis[sr.YAxisIndex]["name"].(string)] = true
					if sr.YAxisIndex != i {
						t.Errorf("series %q on axis %d, want its own axis %d", sr.Name, sr.YAxisIndex, i)
					}
				}
				for _, want := range []string{"state of charge (%)", "voltage (V)", "current (mA)", "battery temperature (°C)"} {
					if !names[want] {
						t.Errorf("no axis %q among %v", want, names)
					}
				}
			})

			t.Run("revisions read like the fields", func(t *testing.T) {
				var before struct {
					Revision  int       `json:"revision"`
					AmbientC  float64   `json:"ambient_c"`
					StartedAt time.Time `json:"started_at"`
				}
				f.getJSON(t, "/api/v1/runs/"+f.chamberRun, &before)
				start := before.StartedAt.Add(1500 * time.Millisecond)
				body := fmt.Sprintf(`{"reason": "logger clock", "revision": %d, "changes": {"started_at": %q, "dwell_min": 30.25}}`,
					before.Revision, start.Format(time.RFC3339Nano))
				resp, err := http.Post(f.srv.URL+"/api/v1/runs/"+f.chamberRun+"/amendments", "application/json", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 201 {
					t.Fatalf("amendment: %d", resp.StatusCode)
				}
				for _, tt := range []struct{ lang, start string }{
					{"en", start.Round(time.Second).In(paris).Format("2006-01-02 15:04:05 MST")},
					{"fr", start.Round(time.Second).In(paris).Format("02/01/2006 15:04:05 MST")},
				} {
					_, page := f.get(t, "/runs/"+f.chamberRun+"?lang="+tt.lang)
					page = html.UnescapeString(page)
					if !strings.Contains(page, "→ 30"+map[string]string{"en": ".", "fr": ","}[tt.lang]+"25") {
						t.Errorf("%s: the revision does not show the new dwell 30.25 with the page's decimal mark", tt.lang)
					}
					if !strings.Contains(page, "→ "+tt.start) {
						t.Errorf("%s: the revision does not show the new start as %q", tt.lang, tt.start)
					}
					if strings.Contains(page, "started_at:") || strings.Contains(page, "dwell_min:") {
						t.Errorf("%s: the revision names fields by their API names", tt.lang)
					}
				}
			})

			t.Run("run ids tell runs apart", func(t *testing.T) {
				_, body := f.get(t, "/runs?ids="+strings.Join(f.evidence, ","))
				seen := map[string]bool{}
				for _, id := range f.evidence {
					m := regexp.MustCompile(`<a href="/runs/` + id + `">([^<]*)</a>`).FindStringSubmatch(body)
					if m == nil {
						t.Fatalf("no link to run %s", id)
					}
					text := html.UnescapeString(m[1])
					if !strings.HasPrefix(text, "…") || !strings.HasSuffix(id, strings.TrimPrefix(text, "…")) || len([]rune(text)) < 9 {
						t.Errorf("run %s shown as %q, want … and its tail", id, text)
					}
					if seen[text] {
						t.Errorf("two runs shown as %q", text)
					}
					seen[text] = true
				}
				if p := f.evidence[0][:8]; strings.HasPrefix(f.evidence[1], p) && strings.Contains(body, ">"+p+"…") {
					t.Errorf("the list still shows the shared prefix %s", p)
				}
			})
		})
	}
}

var fieldRow = regexp.MustCompile(`<dt>([^<]*)</dt><dd>(?:<code>)?([^<]*)(?:</code>)?</dd>`)

// fieldRows reads a run page's field list: label → value.
func fieldRows(body string) map[string]string {
	out := map[string]string{}
	for _, m := range fieldRow.FindAllStringSubmatch(body, -1) {
		out[html.UnescapeString(m[1])] = html.UnescapeString(m[2])
	}
	return out
}

func containsValue(fields map[string]string, v string) bool {
	for _, got := range fields {
		if got == v {
			return true
		}
	}
	return false
}

// chartOption is the option JSON of the page's chart named name.
func chartOption(t *testing.T, body, name string) json.RawMessage {
	t.Helper()
	m := regexp.MustCompile(`data-chart="` + name + `" id="([a-z0-9-]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no chart %q", name)
	}
	start := `<script type="application/json" data-chart-option="` + m[1] + `">`
	_, rest, ok := strings.Cut(body, start)
	if !ok {
		t.Fatalf("no option block for %s", m[1])
	}
	opt, _, _ := strings.Cut(rest, "</script>")
	return json.RawMessage(opt)
}
