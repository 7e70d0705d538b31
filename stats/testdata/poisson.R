# Reference values for the field-pilot statistics of package stats:
# poisson.test (one rate and the comparison of two), prop.test (Wilson on a
# per-unit share), the SUS scoring rule and t.test on SUS scores. Base R only
# (apt-get install -y r-base-core):
#
#   Rscript stats/testdata/poisson.R > stats/testdata/poisson.json
#
# NaN is written as null and +Inf as the string "Inf".

num1 <- function(x) {
  if (is.na(x)) return("null")
  if (is.infinite(x)) return('"Inf"')
  sprintf("%.17g", x)
}
arr <- function(x) paste0("[", paste(vapply(x, num1, ""), collapse = ", "), "]")

# --- one rate: x events in t device-days ------------------------------------
rates <- list(
  c(0, 1000, 0.95), c(7, 2100, 0.95), c(10, 1, 0.95), c(42, 1, 0.95),
  c(1, 0.5, 0.95),    # very small exposure
  c(0, 0.1, 0.95), c(3, 0.02, 0.95), c(150, 4200, 0.95),
  c(7, 2100, 0.90), c(0, 420, 0.99), c(1, 420, 0.99), c(500, 12000, 0.95)
)
# --- two rates: poisson.test(c(x1, x2), c(t1, t2)) --------------------------
ratios <- list(
  c(7, 2100, 19, 2000, 0.95),   # field-trials.md worked example
  c(5, 1000, 5, 1000, 0.95),    # equal rates, equal exposure
  c(10, 1000, 20, 2000, 0.95),  # equal rates, different exposure
  c(0, 1000, 4, 1000, 0.95),    # no incident on the first
  c(4, 1000, 0, 1000, 0.95),    # no incident on the second
  c(0, 10, 0, 10, 0.95),        # no incident at all
  c(1, 0.5, 3, 0.7, 0.95),      # very small exposure
  c(30, 4200, 12, 4200, 0.95), c(2, 420, 9, 380, 0.95),
  c(50, 5000, 70, 5200, 0.95), c(3, 2940, 1, 2940, 0.95),
  c(7, 2100, 19, 2000, 0.90), c(12, 4130, 31, 4095, 0.99),
  c(1, 1000, 1, 3000, 0.95), c(200, 9000, 160, 9500, 0.95)
)
# --- Wilson on a per-unit share s over n units -------------------------------
shares <- list(c(0.5, 5, 0.95), c(0.925, 10, 0.95), c(1, 10, 0.95), c(0, 10, 0.95),
               c(0.73, 7, 0.95), c(0.9, 10, 0.90), c(0.61, 1, 0.95))
# --- per-unit shift counts: units' shares averaged, then Wilson on the units --
by_unit <- list(
  list(name = "one unit with 40 shifts, ten with 4",
       k = c(0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4), n = c(40, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4)),
  list(name = "mixed", k = c(18, 20, 15, 9, 0), n = c(20, 21, 20, 10, 2)),
  list(name = "units without shifts are left out", k = c(3, 0, 5), n = c(4, 0, 5))
)
# --- SUS ---------------------------------------------------------------------
sus_rule <- function(a) 2.5 * (sum(a[c(1, 3, 5, 7, 9)] - 1) + sum(5 - a[c(2, 4, 6, 8, 10)]))
sus <- list(
  c(4, 2, 5, 1, 4, 2, 4, 2, 5, 2), c(5, 1, 5, 1, 5, 1, 5, 1, 5, 1), c(1, 5, 1, 5, 1, 5, 1, 5, 1, 5),
  c(3, 3, 3, 3, 3, 3, 3, 3, 3, 3), c(4, 1, 4, 2, 3, 2, 5, 3, 4, 2), c(2, 4, 3, 4, 2, 3, 3, 4, 2, 5)
)
sus_means <- list(c(82.5, 70, 77.5, 65, 90, 72.5, 80, 67.5, 75, 85), c(55, 62.5), c(40, 52.5, 47.5, 60, 35))

cat("{\n")
cat(sprintf('  "generator": "%s",\n', R.version.string))
cat('  "rates": [\n')
for (k in seq_along(rates)) {
  r <- rates[[k]]
  pt <- poisson.test(r[1], r[2], conf.level = r[3])
  cat(sprintf('    {"x": %d, "t": %s, "conf": %s, "estimate": %s, "ci": %s}%s\n',
              r[1], num1(r[2]), num1(r[3]), num1(unname(pt$estimate)), arr(pt$conf.int),
              if (k < length(rates)) "," else ""))
}
cat('  ],\n  "ratios": [\n')
for (k in seq_along(ratios)) {
  r <- ratios[[k]]
  pt <- poisson.test(c(r[1], r[3]), c(r[2], r[4]), conf.level = r[5])
  cat(sprintf('    {"x1": %d, "t1": %s, "x2": %d, "t2": %s, "conf": %s, "ratio": %s, "ci": %s, "p": %s}%s\n',
              r[1], num1(r[2]), r[3], num1(r[4]), num1(r[5]), num1(unname(pt$estimate)),
              arr(pt$conf.int), num1(pt$p.value), if (k < length(ratios)) "," else ""))
}
cat('  ],\n  "shares": [\n')
for (k in seq_along(shares)) {
  s <- shares[[k]]
  ci <- suppressWarnings(prop.test(s[1] * s[2], s[2], correct = FALSE, conf.level = s[3]))$conf.int
  cat(sprintf('    {"s": %s, "n": %d, "conf": %s, "ci": %s}%s\n', num1(s[1]), s[2], num1(s[3]),
              arr(ci), if (k < length(shares)) "," else ""))
}
cat('  ],\n  "by_unit": [\n')
for (k in seq_along(by_unit)) {
  u <- by_unit[[k]]
  keep <- u$n > 0
  share <- mean(u$k[keep] / u$n[keep])
  units <- sum(keep)
  ci <- suppressWarnings(prop.test(share * units, units, correct = FALSE))$conf.int
  cat(sprintf('    {"name": "%s", "k": %s, "n": %s, "units": %d, "estimate": %s, "ci": %s}%s\n',
              u$name, arr(u$k), arr(u$n), units, num1(share), arr(ci),
              if (k < length(by_unit)) "," else ""))
}
cat('  ],\n  "sus": [\n')
for (k in seq_along(sus)) {
  cat(sprintf('    {"answers": %s, "score": %s}%s\n', arr(sus[[k]]), num1(sus_rule(sus[[k]])),
              if (k < length(sus)) "," else ""))
}
cat('  ],\n  "sus_means": [\n')
for (k in seq_along(sus_means)) {
  s <- sus_means[[k]]
  tt <- t.test(s)
  cat(sprintf('    {"scores": %s, "mean": %s, "ci": %s}%s\n', arr(s), num1(mean(s)), arr(tt$conf.int),
              if (k < length(sus_means)) "," else ""))
}
cat("  ]\n}\n")
