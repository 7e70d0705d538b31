package stats

import (
	"encoding/json"
	"testing"
)

// TestResultsAreJSONSafe feeds degenerate but computable inputs to every
// function and checks that the results encode as JSON, which fails on NaN
// and ±Inf.
func TestResultsAreJSONSafe(t *testing.T) {
	one := []Observation{{T: 1, Event: true}}
	censored := []Observation{{T: 1}, {T: 1}}
	cases := []struct {
		name string
		v    any
		err  error
	}{
		{"Wilson 0/1", nil, nil},
		{"Wilson 1/1", nil, nil},
		{"ClopperPearson 0/1", nil, nil},
		{"SuccessRunLower 0", SuccessRunLower(0, 0.95), nil},
		{"KM empty", KM(nil, 0.95), nil},
		{"KM one event", KM(one, 0.95), nil},
		{"KM all censored", KM(censored, 0.95), nil},
		{"LogRank event vs censored", nil, nil},
		{"FisherExact 1/1 vs 0/1", nil, nil},
		{"MeanT two", nil, nil},
		{"Welch constant vs spread", nil, nil},
	}
	cases[0].v, cases[0].err = Wilson(0, 1, 0.95)
	cases[1].v, cases[1].err = Wilson(1, 1, 0.95)
	cases[2].v, cases[2].err = ClopperPearson(0, 1, 0.95)
	cases[7].v, cases[7].err = LogRank([][]Observation{one, censored})
	cases[8].v, cases[8].err = FisherExact(1, 0, 0, 1)
	cases[9].v, cases[9].err = MeanT([]float64{3, 4}, 0.95)
	cases[10].v, cases[10].err = Welch([]float64{1, 1}, []float64{2, 3}, 0.95)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.err != nil {
				t.Fatalf("not computable: %v", c.err)
			}
			if _, err := json.Marshal(c.v); err != nil {
				t.Errorf("%+v: %v", c.v, err)
			}
		})
	}
}

// ok returns v, panicking on a not-computable error: for table entries
// whose inputs are computable by construction.
func ok[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
