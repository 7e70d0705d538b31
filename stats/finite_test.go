package stats

import (
	"encoding/json"
	"testing"
)

// TestResultsAreJSONSafe feeds degenerate inputs to every function and
// checks that the results encode as JSON, which fails on NaN and ±Inf.
func TestResultsAreJSONSafe(t *testing.T) {
	one := []Observation{{T: 1, Event: true}}
	censored := []Observation{{T: 1}, {T: 1}}
	cases := []struct {
		name string
		v    any
	}{
		{"Wilson 0/0", Wilson(0, 0, 0.95)},
		{"Wilson 1/1", Wilson(1, 1, 0.95)},
		{"ClopperPearson 0/0", ClopperPearson(0, 0, 0.95)},
		{"ClopperPearson 0/1", ClopperPearson(0, 1, 0.95)},
		{"SuccessRunLower 0", SuccessRunLower(0, 0.95)},
		{"KM empty", KM(nil, 0.95)},
		{"KM one event", KM(one, 0.95)},
		{"KM all censored", KM(censored, 0.95)},
		{"LogRank one vs one", LogRank([][]Observation{one, one})},
		{"LogRank event vs censored", LogRank([][]Observation{one, censored})},
		{"FisherExact zeros", FisherExact(0, 0, 0, 0)},
		{"MeanT one", MeanT([]float64{3}, 0.95)},
		{"MeanT constant", MeanT([]float64{3, 3}, 0.95)},
		{"Welch one vs one", Welch([]float64{1}, []float64{2}, 0.95)},
		{"Welch constant vs constant", Welch([]float64{1, 1}, []float64{2, 2}, 0.95)},
		{"Welch constant vs spread", Welch([]float64{1, 1}, []float64{2, 3}, 0.95)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := json.Marshal(c.v); err != nil {
				t.Errorf("%+v: %v", c.v, err)
			}
		})
	}
}
