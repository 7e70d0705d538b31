package store_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"ruggedlab/store"
)

// Group keys computed in Go are the view's (issue #18: amendments key
// their groups in Go, the rebuild in SQL): for thousands of tuples of
// every column type — floats lab-like (1.5, -20, 0.1 steps), large,
// small, with 17 digits or random bits, integers, booleans, NULLs and
// non-ASCII text — wherever Go says it is sure, on both engines. Go must
// be sure of most tuples of values a lab types.
func TestGoGkeyMatchesView(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		rng := rand.New(rand.NewPCG(18, 20))
		floats := func() float64 {
			switch rng.IntN(8) {
			case 0:
				return float64(rng.IntN(2001)-1000) / 4
			case 1:
				return float64(rng.IntN(100000)) / 10
			case 2:
				return math.Float64frombits(rng.Uint64())
			case 3:
				return rng.Float64() * math.Pow(10, float64(rng.IntN(40)-20))
			case 4:
				return math.Pow(10, float64(rng.IntN(44)-22))
			case 5:
				return float64(rng.Int64N(1<<60)) * []float64{1, -1}[rng.IntN(2)]
			case 6:
				return []float64{0, math.Copysign(0, -1), 0.1, 0.2, 0.3, 0.30000000000000004, 9.3, 1e15, 1e16, 1e17, 123456789012345, 1234567890123456, 0.0001, 0.00001}[rng.IntN(14)]
			}
			return rng.NormFloat64() * 100
		}
		texts := []string{"concrete", "é", "plywood_on_concrete", "日本語", "", "IP68", "a|b", "~", "1:2"}
		types := store.TallyTypes()
		var tuples [][]any
		lablike := map[int]bool{}
		for n := range 3000 {
			vals := make([]any, len(types))
			for j := range vals {
				if rng.IntN(4) == 0 {
					continue // NULL
				}
				switch types[j] {
				case 'r':
					vals[j] = floats()
				case 'i':
					vals[j] = rng.Int64N(1<<31) - 1<<30 // INTEGER columns: int4 on PostgreSQL
				case 'b':
					vals[j] = rng.IntN(2) == 0
				default:
					vals[j] = texts[rng.IntN(len(texts))]
				}
			}
			if n%3 == 0 { // lab-like: a few decimals at most
				lablike[n] = true
				for j := range vals {
					if _, ok := vals[j].(float64); ok {
						vals[j] = float64(rng.IntN(20001)-10000) / 20
					}
				}
			}
			tuples = append(tuples, vals)
		}
		goKeys, sqlKeys, err := store.GkeysGoAndSQL(context.Background(), s, tuples)
		if err != nil {
			t.Fatal(err)
		}
		unsure, labUnsure := 0, 0
		for i := range tuples {
			if goKeys[i] == "" {
				unsure++
				if lablike[i] {
					labUnsure++
				}
				continue
			}
			if goKeys[i] != sqlKeys[i] {
				t.Fatalf("tuple %d %v:\nGo:  %s\nSQL: %s", i, tuples[i], goKeys[i], sqlKeys[i])
			}
		}
		// A tuple of ~7 lab-like floats: SQLite leaves 2 % of floats to
		// the engine (sqlitePrintf17g), PostgreSQL none.
		if labUnsure > len(lablike)/5 {
			t.Errorf("%d of %d lab-like tuples left to the engine", labUnsure, len(lablike))
		}
		t.Logf("%d tuples, %d left to the engine (%d of %d lab-like)", len(tuples), unsure, labUnsure, len(lablike))
	})
}
