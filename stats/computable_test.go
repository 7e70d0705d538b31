package stats

import (
	"errors"
	"testing"
)

// The tests below run every comparison on 0, 1 and 2 units per group:
// either a value that R (4.2.2, survival 3.5.3) gives for the same input,
// or the reason it cannot be computed. None may come back as p = 1 or a
// zero-width interval standing in for "unknown".

func TestBinomialSmallN(t *testing.T) {
	tests := []struct {
		x, n    int
		wilson  Interval // R prop.test(x, n, correct = FALSE)$conf.int
		cp      Interval // R binom.test(x, n)$conf.int
		wantErr error
	}{
		{0, 0, Interval{}, Interval{}, ErrNoData},
		{0, 1, Interval{0, 0.793450685622763}, Interval{0, 0.975}, nil},
		{1, 1, Interval{0.206549314377238, 1}, Interval{0.025, 1}, nil},
		{0, 2, Interval{0, 0.657619772493347}, Interval{0, 0.841886116991581}, nil},
		{1, 2, Interval{0.0945312057342307, 0.905468794265769}, Interval{0.0125791170934251, 0.987420882906575}, nil},
		{2, 2, Interval{0.342380227506653, 1}, Interval{0.158113883008419, 1}, nil},
	}
	for _, tt := range tests {
		w, werr := Wilson(tt.x, tt.n, 0.95)
		cp, cerr := ClopperPearson(tt.x, tt.n, 0.95)
		if !errors.Is(werr, tt.wantErr) || !errors.Is(cerr, tt.wantErr) || (tt.wantErr == nil && (werr != nil || cerr != nil)) {
			t.Errorf("%d/%d: errors %v, %v; want %v", tt.x, tt.n, werr, cerr, tt.wantErr)
			continue
		}
		if tt.wantErr != nil {
			continue
		}
		for _, c := range []struct {
			what      string
			got, want Interval
		}{{"Wilson", w, tt.wilson}, {"Clopper–Pearson", cp, tt.cp}} {
			if !approx(c.got.Lower, c.want.Lower) || !approx(c.got.Upper, c.want.Upper) {
				t.Errorf("%d/%d %s = %+v, want %+v (R)", tt.x, tt.n, c.what, c.got, c.want)
			}
		}
	}
}

func TestFisherSmallN(t *testing.T) {
	tests := []struct {
		name       string
		a, b, c, d int // passed, failed of A; passed, failed of B
		want       float64
		wantErr    error
	}{
		{"0 vs 0 units", 0, 0, 0, 0, 0, ErrNoData},
		{"0 vs 1 unit", 0, 0, 1, 0, 0, ErrNoData},
		{"2 vs 0 units", 1, 1, 0, 0, 0, ErrNoData},
		{"1/1 vs 0/1", 1, 0, 0, 1, 1, nil},
		{"1/1 vs 1/1: one possible table", 1, 0, 1, 0, 1, nil},
		{"2/2 vs 0/2", 2, 0, 0, 2, 0.333333333333333, nil},
		{"1/2 vs 2/2", 1, 1, 2, 0, 1, nil},
		{"0/1 vs 1/2", 0, 1, 1, 1, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FisherExact(tt.a, tt.b, tt.c, tt.d)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if err == nil && !approx(got, tt.want) {
				t.Errorf("p = %.15g, want %.15g (R fisher.test)", got, tt.want)
			}
		})
	}
}

func TestLogRankSmallN(t *testing.T) {
	fail := func(ts ...float64) []Observation {
		out := make([]Observation, len(ts))
		for i, x := range ts {
			out[i] = Observation{T: x, Event: true}
		}
		return out
	}
	tests := []struct {
		name    string
		a, b    []Observation
		chisq   float64 // R survdiff
		p       float64
		wantErr error
	}{
		{"0 vs 0 units", nil, nil, 0, 0, ErrNoData},
		{"0 vs 1 unit", nil, fail(3), 0, 0, ErrNoData},
		{"0 vs 2 units", nil, fail(3, 4), 0, 0, ErrNoData},
		{"1 vs 1, both censored", []Observation{{T: 26}}, []Observation{{T: 26}}, 0, 0, ErrNoEvents},
		{"1 vs 1, failing at the same drop", fail(4), fail(4), 0, 0, ErrNoVariance},
		{"1 vs 1, failing at 1 and 2", fail(1), fail(2), 1, 0.317310507862914, nil},
		{"1 vs 1, failure at 2 vs censored at 3", fail(2), []Observation{{T: 3}}, 1, 0.317310507862914, nil},
		{"2 vs 2, failures interleaved", fail(1, 3), fail(2, 4), 0.615384615384615, 0.432767580667785, nil},
		{"2 vs 2, one censored", fail(1, 2), []Observation{{T: 5}, {T: 6, Event: true}}, 2.88235294117647, 0.0895550744136428, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LogRank([][]Observation{tt.a, tt.b})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if got != (ChiSquareTest{}) {
					t.Errorf("not computable but %+v", got)
				}
				return
			}
			if got.DF != 1 || !approx(got.ChiSq, tt.chisq) || !approx(got.P, tt.p) {
				t.Errorf("LogRank = %+v, want chisq %.15g on 1 df, p %.15g (R survdiff)", got, tt.chisq, tt.p)
			}
		})
	}
}

func TestWelchSmallN(t *testing.T) {
	tests := []struct {
		name      string
		a, b      []float64
		conf      float64
		t, df, p  float64 // R t.test(a, b)
		lo, hi    float64
		wantError error
	}{
		{"0 vs 0", nil, nil, 0.95, 0, 0, 0, 0, 0, ErrNoData},
		{"0 vs 2", nil, []float64{27, 28.5}, 0.95, 0, 0, 0, 0, 0, ErrNoData},
		{"1 vs 1", []float64{30}, []float64{27}, 0.95, 0, 0, 0, 0, 0, ErrTooFew},
		{"1 vs 2", []float64{30}, []float64{27, 28.5}, 0.95, 0, 0, 0, 0, 0, ErrTooFew},
		{"2 vs 1", []float64{30, 32}, []float64{27}, 0.95, 0, 0, 0, 0, 0, ErrTooFew},
		{"2 vs 2 constant", []float64{30, 30}, []float64{27, 27}, 0.95, 0, 0, 0, 0, 0, ErrNoVariance},
		{"2 vs 2", []float64{30, 32}, []float64{27, 28.5}, 0.95, 2.6, 1.85459940652819, 0.131090152982411, -2.55330271123743, 9.05330271123743, nil},
		{"2 vs 3 at 99 %", []float64{30, 32}, []float64{27, 28.5, 29}, 0.99, 2.42857142857143, 1.73922491850779, 0.154325047532885, -12.1477781218108, 17.8144447884774, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Welch(tt.a, tt.b, tt.conf)
			if !errors.Is(err, tt.wantError) || (tt.wantError == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tt.wantError)
			}
			if err != nil {
				return
			}
			checkClose(t, "t", got.T, tt.t)
			checkClose(t, "df", got.DF, tt.df)
			checkClose(t, "p", got.P, tt.p)
			checkClose(t, "diff ci lower", got.DiffCI.Lower, tt.lo)
			checkClose(t, "diff ci upper", got.DiffCI.Upper, tt.hi)
		})
	}
}

func TestMeanTSmallN(t *testing.T) {
	tests := []struct {
		name    string
		xs      []float64
		conf    float64
		mean    float64
		sd      float64
		ci      Interval // R t.test(xs)$conf.int
		wantErr error
	}{
		{"0 units", nil, 0.95, 0, 0, Interval{}, ErrNoData},
		{"1 unit", []float64{31}, 0.95, 31, 0, Interval{}, ErrTooFew},
		{"2 equal units", []float64{31, 31}, 0.95, 31, 0, Interval{}, ErrNoVariance},
		{"2 units", []float64{30, 32}, 0.95, 31, 1.4142135623731, Interval{18.2937952638253, 43.7062047361747}, nil},
		{"2 units at 99 %", []float64{30, 32}, 0.99, 31, 1.4142135623731, Interval{-32.6567411628715, 94.6567411628715}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MeanT(tt.xs, tt.conf)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if got.N != len(tt.xs) || !approx(got.Mean, tt.mean) || !approx(got.SD, tt.sd) {
				t.Errorf("MeanT = %+v, want n %d mean %g sd %g", got, len(tt.xs), tt.mean, tt.sd)
			}
			if err == nil {
				checkClose(t, "ci lower", got.CI.Lower, tt.ci.Lower)
				checkClose(t, "ci upper", got.CI.Upper, tt.ci.Upper)
			} else if got.CI != (Interval{}) {
				t.Errorf("not computable but CI %+v", got.CI)
			}
		})
	}
}

// TestKMMedianSmallN: the median is null both without units and when the
// curve never falls to 0.5; the callers tell the two apart by the count.
func TestKMMedianSmallN(t *testing.T) {
	tests := []struct {
		name   string
		obs    []Observation
		median *float64 // R summary(survfit(...))$table["median"]; nil for NA
	}{
		{"0 units", nil, nil},
		{"1 unit failing at 5", []Observation{{T: 5, Event: true}}, ptr(5.0)},
		{"1 unit censored at 5", []Observation{{T: 5}}, nil},
		{"2 units failing at 3 and 7: midpoint of the 0.5 stretch", []Observation{{T: 3, Event: true}, {T: 7, Event: true}}, ptr(5.0)},
		{"2 units, failure at 3, censored at 7", []Observation{{T: 3, Event: true}, {T: 7}}, ptr(3.0)},
		{"2 units, censored at 3, failure at 7", []Observation{{T: 3}, {T: 7, Event: true}}, ptr(7.0)},
		{"2 units both censored", []Observation{{T: 3}, {T: 7}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KM(tt.obs, 0.95).Median
			switch {
			case (got == nil) != (tt.median == nil):
				t.Errorf("median = %v, want %v", got, tt.median)
			case got != nil && !approx(*got, *tt.median):
				t.Errorf("median = %g, want %g", *got, *tt.median)
			}
		})
	}
}
