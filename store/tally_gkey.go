package store

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// goGkey is the group key the view run_tally_keys (migration 00014)
// computes for a run with these tallyColumns values, spelt in Go: each
// amendment computed it in SQL, and the thirty CASE terms were most of
// what its upkeep cost on the wasm SQLite and a large part of its
// statements' text and planning on PostgreSQL (issue #18). ok is false
// for a value whose spelling by the engine Go cannot be sure to match (a
// float near a rounding tie, a subnormal or non-finite one, text that is
// not valid UTF-8 or holds a NUL): the caller then asks the engine, as
// before. TestGoGkeyMatchesView holds both spellings together.
func goGkey(engine string, vals []any) (string, bool) {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteByte('|')
		}
		switch x := v.(type) {
		case nil:
			b.WriteByte('~')
		case bool:
			switch {
			case engine == Postgres && x:
				b.WriteString("true")
			case engine == Postgres:
				b.WriteString("false")
			case x:
				b.WriteByte('1') // SQLite stores booleans as 1 and 0
			default:
				b.WriteByte('0')
			}
		case int64:
			b.WriteString(strconv.FormatInt(x, 10))
		case float64:
			var s string
			var ok bool
			if engine == Postgres {
				s, ok = pgFloatText(x)
			} else {
				s, ok = sqlitePrintf17g(x)
			}
			if !ok {
				return "", false
			}
			b.WriteString(s)
		case string:
			// length() counts characters on both engines; SQLite's
			// stops at a NUL, PostgreSQL's text cannot hold one.
			if !utf8.ValidString(x) || strings.IndexByte(x, 0) >= 0 {
				return "", false
			}
			b.WriteString(strconv.Itoa(utf8.RuneCountInString(x)))
			b.WriteByte(':')
			b.WriteString(x)
		default:
			return "", false
		}
	}
	return b.String(), true
}

// floatUnsure says the engine's text of x may not be Go's: not finite, or
// so small that the engines' conversions are not worth trusting there.
func floatUnsure(x float64) bool {
	return math.IsNaN(x) || math.IsInf(x, 0) || (x != 0 && math.Abs(x) < 1e-300)
}

// pgFloatText is PostgreSQL's float8 output (extra_float_digits > 0, the
// default since 12): the shortest digits that read back exactly, fixed
// notation for a decimal exponent from -4 to 14, else d.ddde±XX.
func pgFloatText(x float64) (string, bool) {
	if floatUnsure(x) {
		return "", false
	}
	if x == 0 {
		if math.Signbit(x) {
			return "-0", true
		}
		return "0", true
	}
	digits, exp, neg := decimalDigits(strconv.FormatFloat(x, 'e', -1, 64))
	if len(digits) > 15 || math.Abs(x) >= 1<<53 {
		// Go's shortest digits may end on the bound of x's rounding
		// interval where PostgreSQL's (Ryu, bounds excluded) take one
		// more: seen at 4.7624519834501363e+17.
		return "", false
	}
	return layoutFloat(digits, exp, neg, exp < -4 || exp >= 15), true
}

// sqlitePrintf17g is SQLite's printf('%.17g', x) (3.43 and later): 16
// significant digits, laid out as C's %g with precision 17 — fixed for a
// decimal exponent from -4 to 16 — without trailing zeros. SQLite's own
// conversion is not exact: measured against 100,000 random doubles, it
// differed from correct rounding only when the digits after the 16th
// were 495 to 499…, and there either way; so values whose digits there
// start 49 or 50 are refused (2 %), the others correctly rounded. A
// negative zero is 0 (SQLite stores it as an integer).
func sqlitePrintf17g(x float64) (string, bool) {
	if floatUnsure(x) {
		return "", false
	}
	if x == 0 {
		return "0", true
	}
	long, _, _ := decimalDigits(strconv.FormatFloat(x, 'e', 39, 64))
	if tail := long[16:]; strings.HasPrefix(tail, "49") || strings.HasPrefix(tail, "50") {
		return "", false
	}
	digits, exp, neg := decimalDigits(strconv.FormatFloat(x, 'e', 15, 64))
	return layoutFloat(digits, exp, neg, exp < -4 || exp >= 17), true
}

// decimalDigits splits Go's %e text ("-d.ddde±XX") into its digits, its
// decimal exponent and its sign.
func decimalDigits(s string) (string, int, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, e, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(e)
	return strings.Replace(mant, ".", "", 1), exp, neg
}

// layoutFloat writes digits (d1 d2 …, the value d1.d2… × 10^exp) in
// exponent notation (sci: at least two exponent digits) or fixed, with no
// trailing zeros after a decimal point.
func layoutFloat(digits string, exp int, neg, sci bool) string {
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		digits = "0"
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case sci:
		b.WriteString(digits[:1])
		if len(digits) > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		if exp < 0 {
			b.WriteByte('-')
			exp = -exp
		} else {
			b.WriteByte('+')
		}
		if exp < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.Itoa(exp))
	case exp < 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -exp-1))
		b.WriteString(digits)
	case exp+1 >= len(digits):
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", exp+1-len(digits)))
	default:
		b.WriteString(digits[:exp+1])
		b.WriteByte('.')
		b.WriteString(digits[exp+1:])
	}
	return b.String()
}
