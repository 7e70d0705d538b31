package series

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// Cross-sample rules of domain.md §8(c) rule 10.
const (
	// socRiseTolerance is how far soc_pct may rise above the lowest value
	// seen since the last reported rise, in percentage points. Fuel gauges
	// report whole percent and flicker by one point at a step (57, 56, 57,
	// 56), so a one-point rise is sensor noise; more is a charge event,
	// which a discharge curve must not contain. The rule compares with the
	// lowest earlier value rather than only the previous sample because a
	// charger raises SoC by one point per sample at most at 1 Hz, and a
	// sample-to-sample rule would never see it. After a reported rise the
	// reference restarts at the new value, so one charge event gives a few
	// problems, not one per remaining sample.
	socRiseTolerance = 1

	// tempJumpK and tempJumpWindowS: a battery's temperature cannot change
	// by more than 10 K between samples up to one minute apart (rule 10
	// says "between 1-min samples", so 60 s itself counts); such a jump is
	// a sensor fault. Samples further apart are not compared.
	tempJumpK       = 10
	tempJumpWindowS = 60

	// epsilon absorbs binary rounding of decimal input (55.1 → 56.1 is a
	// rise of 1.0000000000000071 in float64).
	epsilon = 1e-9
)

// checker applies the per-value ranges and the cross-sample rules to the
// samples of one series, in order, and records what it finds.
type checker struct {
	kind Kind
	cols []colSpec // the series' columns, canonical order
	// indexes into cols, -1 when the column is absent
	t, soc, temp int
	problems     *problemList

	haveT   bool
	lastT   float64
	lastTAt where

	haveSoc  bool
	socRef   float64 // lowest soc_pct since the last reported rise
	socRefAt where

	haveTemp   bool
	lastTemp   float64
	lastTempT  float64
	lastTempAt where
}

func newChecker(kind Kind, cols []colSpec, pl *problemList) checker {
	c := checker{kind: kind, cols: cols, t: -1, soc: -1, temp: -1, problems: pl}
	for i, s := range cols {
		switch s.name {
		case TimeColumn:
			c.t = i
		case "soc_pct":
			if kind == Battery {
				c.soc = i
			}
		case "temp_c":
			if kind == Battery {
				c.temp = i
			}
		}
	}
	return c
}

// check checks one sample. vals[i] is the value of cols[i] when ok[i];
// values that could not be read were reported already and are skipped here
// and in the cross-sample rules. raw[i] is the text as written (nil for
// JSON, where the parsed number is shown instead).
func (c *checker) check(at where, vals []float64, ok []bool, raw []string) {
	for i := range c.cols {
		if !ok[i] || c.inRange(at, i, vals[i], raw) {
			continue
		}
		// A bad value stays out of the cross-sample rules, except a
		// negative t_s, which still orders the samples.
		if i != c.t {
			ok[i] = false
		}
	}

	tOK := c.t >= 0 && ok[c.t]
	var t float64
	if tOK {
		t = vals[c.t]
		if c.haveT && t <= c.lastT {
			c.problems.add(at.problem(TimeColumn, rawOr(raw, c.t, t),
				"t_s must increase: "+num(t)+" follows "+num(c.lastT)+" ("+c.lastTAt.String()+")"))
		}
		// Follow the new value even when it went backwards, so that one
		// out-of-order sample is one problem, not one per following sample.
		c.haveT, c.lastT, c.lastTAt = true, t, at
	}

	if c.soc >= 0 && ok[c.soc] {
		v := vals[c.soc]
		switch {
		case c.haveSoc && v > c.socRef+socRiseTolerance+epsilon:
			c.problems.add(at.problem("soc_pct", rawOr(raw, c.soc, v),
				"soc_pct rises from "+num(c.socRef)+" ("+c.socRefAt.String()+") to "+num(v)+
					" — a discharge curve may rise at most 1 percentage point (was a charger connected?)"))
			c.socRef, c.socRefAt = v, at
		case !c.haveSoc || v < c.socRef:
			c.socRef, c.socRefAt = v, at
		}
		c.haveSoc = true
	}

	if c.temp >= 0 && ok[c.temp] && tOK {
		v := vals[c.temp]
		if c.haveTemp {
			dt := t - c.lastTempT
			if dt > 0 && dt <= tempJumpWindowS && math.Abs(v-c.lastTemp) > tempJumpK+epsilon {
				c.problems.add(at.problem("temp_c", rawOr(raw, c.temp, v),
					"temp_c jumps from "+num(c.lastTemp)+" ("+c.lastTempAt.String()+") to "+num(v)+
						" in "+approx(dt)+" s — more than 10 K within 60 s is a sensor fault"))
			}
		}
		c.haveTemp, c.lastTemp, c.lastTempT, c.lastTempAt = true, v, t, at
	}
}

// inRange reports whether value v of column i is within the column's
// bounds, recording a problem when it is not.
func (c *checker) inRange(at where, i int, v float64, raw []string) bool {
	s := c.cols[i]
	if v >= s.min && v <= s.max {
		return true
	}
	text := rawOr(raw, i, v)
	if s.name == TimeColumn {
		c.problems.add(at.problem(s.name, text,
			"t_s "+text+" is negative — t_s counts seconds from the start of the run"))
		return false
	}
	c.problems.add(at.problem(s.name, text,
		s.name+" "+text+" is outside "+num(s.min)+" to "+num(s.max)+" "+s.unit))
	return false
}

// parseValue reads one number as written in a CSV cell. msg is "" when the
// text is a finite decimal number, else a message for the technician.
// The fast path is a single strconv.ParseFloat; everything else (spaces,
// commas, NaN) is only looked at once that failed.
func parseValue(s string) (v float64, msg string) {
	v, err := strconv.ParseFloat(s, 64)
	if err == nil && !goSyntax(s) && !math.IsInf(v, 0) && !math.IsNaN(v) {
		return v, ""
	}
	if t := strings.TrimSpace(s); t != s {
		return parseValue(t)
	}
	switch {
	case s == "":
		return 0, "empty value — every sample needs a value in each column of the file"
	case strings.ContainsRune(s, ',') && validNumber(strings.Replace(s, ",", ".", 1)):
		return 0, strconv.Quote(s) + " is not a number — use a dot as decimal separator"
	case errors.Is(err, strconv.ErrRange):
		return 0, strconv.Quote(s) + " is out of range for a measurement"
	case err == nil && !goSyntax(s): // NaN, Inf, Infinity in any case
		return 0, strconv.Quote(s) + " is not a measured value — give a finite number"
	}
	return 0, strconv.Quote(s) + " is not a number"
}

// validNumber reports whether s reads as a finite decimal number.
func validNumber(s string) bool {
	_, msg := parseValue(s)
	return msg == ""
}

// goSyntax reports whether s, which strconv.ParseFloat accepted, uses Go
// number syntax that no instrument writes — a hexadecimal float ("0x1p-2")
// or digit separators ("1_000") — so it is more likely a typo or a
// misplaced identifier than a measurement. Of the texts ParseFloat accepts
// only hexadecimal ones contain an x. A plain loop beats strings.IndexByte
// on values this short.
func goSyntax(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '_' || c == 'x' || c == 'X' {
			return true
		}
	}
	return false
}

func rawOr(raw []string, i int, v float64) string {
	if raw != nil {
		return strings.TrimSpace(raw[i])
	}
	return num(v)
}

// num writes a value read from the input in its shortest exact form, without
// an exponent for the magnitudes a lab records.
func num(v float64) string {
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// approx writes a computed value (a difference) rounded to 3 decimals, so
// that 3.1 − 0.1 reads "3", not "3.0000000000000004".
func approx(v float64) string {
	return num(math.Round(v*1000) / 1000)
}
