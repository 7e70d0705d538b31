// Package stats holds the statistics RuggedLab reports: binomial confidence
// intervals for pass proportions, zero-failure (success-run) bounds,
// Kaplan–Meier survival over drops, the log-rank test, Fisher's exact test,
// t intervals and Welch's test for battery means (domain.md §6), and Holm's
// adjustment of a family of p-values for multiplicity; for field pilots,
// exact Poisson rates and rate ratios, per-unit shares and SUS scores.
//
// The package is pure: slices in, numbers out; no database, HTTP or clock.
// Distribution quantiles and tail probabilities come from
// gonum.org/v1/gonum/stat/distuv. Every result is finite (never NaN or
// ±Inf), so it can be written as JSON. A statistic that cannot be computed
// — no data, too few observations for a variance, no variance, no events —
// is not given a stand-in value (p = 1, a zero-width interval): the
// function returns an error wrapping ErrNoData, ErrTooFew, ErrNoVariance or
// ErrNoEvents, and its doc comment says which. The exception is Holm, which
// takes and returns NaN for a p-value that could not be computed.
//
// Each function matches a reference implementation, and the tests compare
// against values that implementation produced (testdata/reference.R writes
// testdata/reference.json; R is not needed to run the tests):
//
//   - Wilson: R stats::prop.test(x, n, correct = FALSE)$conf.int
//   - ClopperPearson: R stats::binom.test(x, n)$conf.int
//   - SuccessRunLower, SuccessRunUnits: the closed forms (1-C)^(1/n) and
//     the smallest n with R^n <= 1-C, evaluated in R
//   - KM: R survival::survfit(Surv(t, e) ~ 1, conf.type = "log-log"),
//     summary(fit, censored = TRUE) and summary(fit)$table["median"]
//   - LogRank: R survival::survdiff(Surv(t, e) ~ group) (rho = 0)
//   - FisherExact: R stats::fisher.test(matrix(c(a, c, b, d), 2))$p.value
//   - MeanT: R stats::t.test(x, conf.level = C)$conf.int
//   - Welch: R stats::t.test(a, b, var.equal = FALSE, conf.level = C)
//   - Holm: R stats::p.adjust(p, "holm") (testdata/holm.R, base R only)
//   - PoissonExact: R stats::poisson.test(x, T) (Garwood's exact interval)
//   - RateRatio: R stats::poisson.test(c(x1, x2), c(T1, T2))
//   - WilsonShare, ShareByUnit: R prop.test(s*n, n, correct = FALSE)
//   - SUSScore: Brooke's rule evaluated in R (testdata/poisson.R, base R)
//
// Regenerate the reference values with
//
//	Rscript stats/testdata/reference.R > stats/testdata/reference.json
//	Rscript stats/testdata/holm.R > stats/testdata/holm.json
//	Rscript stats/testdata/poisson.R > stats/testdata/poisson.json
package stats
