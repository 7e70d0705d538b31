package handlers

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"ruggedlab/models"
	"ruggedlab/stats"
	"ruggedlab/verdict"
)

// plainNegative is a number a spreadsheet reads as a number, not a formula.
var plainNegative = regexp.MustCompile(`^-[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// safeCell neutralises spreadsheet formula injection (CWE-1236): a text
// cell starting with = + - @ (or a tab or carriage return, which some
// spreadsheets skip before such a character) gets a leading apostrophe, so
// it is shown as text and never evaluated. Plain negative numbers are left
// alone: "-20" is a setpoint, not a formula.
func safeCell(s string) string {
	if s == "" || plainNegative.MatchString(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func fnum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func fptr(x *float64) string {
	if x == nil {
		return ""
	}
	return fnum(*x)
}

func fint(n int) string { return strconv.Itoa(n) }

func bounds(iv *stats.Interval) (string, string) {
	if iv == nil {
		return "", ""
	}
	return fnum(iv.Lower), fnum(iv.Upper)
}

// compareCSV is the per-handset table of a comparison, one row per handset.
func compareCSV(cmp verdict.Comparison) [][]string {
	switch cmp.Kind {
	case models.Drop:
		rows := [][]string{{"handset", "units", "survived", "failed", "censored", "proportion", "wilson_lower", "wilson_upper",
			"clopper_pearson_lower", "clopper_pearson_upper", "success_run_lower", "km_median", "runs", "null_reasons"}}
		for _, h := range cmp.Drop {
			wl, wu := bounds(h.Wilson)
			cl, cu := bounds(h.ClopperPearson)
			rows = append(rows, []string{h.Handset, fint(h.Units), fint(h.Survived), fint(h.Failed), fint(h.Censored),
				fptr(h.Proportion), wl, wu, cl, cu, fptr(h.SuccessRunLower), fptr(h.KM.Median), fint(h.Runs), reasonsText(h.NullReasons)})
		}
		return rows
	case models.Battery:
		rows := [][]string{{"handset", "n", "mean_h", "sd_h", "ci_lower", "ci_upper", "unit_means_h", "runs", "null_reasons"}}
		for _, h := range cmp.Battery {
			lo, hi := bounds(h.CI)
			means := make([]string, len(h.UnitMeans))
			for i, m := range h.UnitMeans {
				means[i] = fnum(m)
			}
			rows = append(rows, []string{h.Handset, fint(h.N), fptr(h.Mean), fptr(h.SD), lo, hi, strings.Join(means, " "), fint(h.Runs), reasonsText(h.NullReasons)})
		}
		return rows
	}
	rows := [][]string{{"handset", "units", "passed", "failed", "proportion", "wilson_lower", "wilson_upper",
		"clopper_pearson_lower", "clopper_pearson_upper", "success_run_lower", "runs", "null_reasons"}}
	for _, h := range cmp.Pass {
		wl, wu := bounds(h.Wilson)
		cl, cu := bounds(h.ClopperPearson)
		rows = append(rows, []string{h.Handset, fint(h.Units), fint(h.Passed), fint(h.Failed), fptr(h.Proportion),
			wl, wu, cl, cu, fptr(h.SuccessRunLower), fint(h.Runs), reasonsText(h.NullReasons)})
	}
	return rows
}

// reasonsText is an entry's null_reasons in one CSV cell:
// "field: reason; field: reason", by field name.
func reasonsText(r verdict.Reasons) string {
	parts := make([]string, 0, len(r))
	for _, k := range slices.Sorted(maps.Keys(r)) {
		parts = append(parts, k+": "+r[k])
	}
	return strings.Join(parts, "; ")
}

// matrixCSV is the verdict matrix in long form: one row per cell, so a
// spreadsheet can filter and pivot it; runs are the evidence ids,
// space-separated. Field requirements fill the last columns (metric, the
// trials counted and their counts); lab rows leave them empty.
func matrixCSV(m verdict.Matrix) [][]string {
	rows := [][]string{{"key", "title", "kind", "rule", "target", "confidence", "min_units", "handset", "verdict",
		"n_units", "passed_units", "estimate", "ci_lower", "ci_upper", "reason", "runs",
		"metric", "trials", "device_days", "incidents", "shifts", "shifts_lasted", "respondents"}}
	for _, r := range m.Rows {
		for _, c := range r.Cells {
			lo, hi := bounds(c.CI)
			row := []string{r.Key, r.Title, string(r.Kind), r.Rule, fptr(r.Target), fnum(r.Confidence), fint(r.MinUnits),
				c.Handset, string(c.Verdict), fint(c.NUnits), fint(c.PassedUnits), fptr(c.Estimate), lo, hi, c.Reason, strings.Join(c.Runs, " ")}
			if f := c.Field; f != nil {
				row = append(row, r.Metric, strings.Join(f.Trials, " "), fint(f.DeviceDays), fint(f.Incidents), fint(f.Shifts), fint(f.Lasted), fint(f.Respondents))
			} else {
				row = append(row, "", "", "", "", "", "", "")
			}
			rows = append(rows, row)
		}
	}
	return rows
}
