package charts

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestIncidents(t *testing.T) {
	ch, err := Incidents("incidents", "Incidents", []string{"Atlas R1", "</script>"},
		[]IncidentSeries{{"display_cracked", []float64{26.19, 4.76}}, {"battery", []float64{0, math.NaN()}}})
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		Series []struct {
			Name  string `json:"name"`
			Stack string `json:"stack"`
			Data  []struct {
				Value any `json:"value"`
			} `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal(ch.Option, &o); err != nil {
		t.Fatal(err)
	}
	if len(o.Series) != 2 || o.Series[0].Stack != "incidents" || o.Series[0].Data[0].Value != 26.19 || o.Series[1].Data[1].Value != "-" {
		t.Errorf("series %+v", o.Series)
	}
	h, err := ch.HTML()
	if err != nil || strings.Contains(string(h), "</script><") && !strings.Contains(string(h), `\u003c/script\u003e`) {
		t.Errorf("html %v %s", err, h)
	}
	for name, c := range map[string]func() error{
		"no series": func() error { _, err := Incidents("i", "t", []string{"A"}, nil); return err },
		"short": func() error {
			_, err := Incidents("i", "t", []string{"A", "B"}, []IncidentSeries{{"x", []float64{1}}})
			return err
		},
		"brace": func() error {
			_, err := Incidents("i", "t", []string{"A"}, []IncidentSeries{{"{b}", []float64{1}}})
			return err
		},
		"negative": func() error {
			_, err := Incidents("i", "t", []string{"A"}, []IncidentSeries{{"x", []float64{-1}}})
			return err
		},
		"repeated": func() error {
			_, err := Incidents("i", "t", []string{"A", "A"}, []IncidentSeries{{"x", []float64{1, 1}}})
			return err
		},
	} {
		if err := c(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Incidents("i", "t", nil, nil); !errors.Is(err, ErrNoData) {
		t.Errorf("no labels: %v", err)
	}
}
