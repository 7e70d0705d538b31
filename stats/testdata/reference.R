# Reference values for package stats, computed with R and the survival
# package. The Go tests read the JSON this prints; R is not needed to run them.
#
#   apt-get install -y r-base-core r-cran-survival r-cran-jsonlite
#   Rscript stats/testdata/reference.R > stats/testdata/reference.json
#
# NA (an undefined value in R) is written as null; the Go tests check the
# documented finite convention there instead.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

# --- binomial intervals: prop.test (Wilson, no correction) and binom.test ----
binom_cases <- list(
  c(5, 5, 0.95), c(4, 5, 0.95), c(0, 5, 0.95), c(0, 1, 0.95), c(1, 1, 0.95),
  c(9, 10, 0.95), c(10, 10, 0.95), c(18, 20, 0.95), c(26, 26, 0.95),
  c(3, 7, 0.95), c(1, 2, 0.95),
  c(5, 5, 0.90), c(4, 5, 0.90), c(0, 5, 0.90), c(9, 10, 0.90), c(18, 20, 0.90),
  c(26, 26, 0.99), c(1, 3, 0.99)
)
binomial <- lapply(binom_cases, function(k) {
  x <- k[1]; n <- k[2]; conf <- k[3]
  list(
    name = sprintf("%d/%d @ %g", x, n, conf),
    x = x, n = n, conf = conf,
    # prop.test warns that the chi-square approximation may be poor for
    # small n; the interval itself is still the Wilson score interval.
    wilson = I(as.numeric(suppressWarnings(
      prop.test(x, n, correct = FALSE, conf.level = conf))$conf.int)),
    clopper_pearson = I(as.numeric(binom.test(x, n, conf.level = conf)$conf.int))
  )
})

# --- success run (zero-failure demonstration) -------------------------------
success_run_lower <- lapply(list(c(1, 0.95), c(5, 0.95), c(10, 0.95), c(26, 0.95),
                                 c(5, 0.90), c(22, 0.90), c(3, 0.99)), function(k) {
  list(name = sprintf("%d units @ %g", k[1], k[2]), n = k[1], conf = k[2],
       lower = (1 - k[2])^(1 / k[1]))
})
# Units by definition: the smallest n with target^n <= 1 - conf.
units_needed <- function(target, conf) {
  n <- 1
  while (target^n > 1 - conf) n <- n + 1
  n
}
success_run_units <- lapply(list(c(0.9, 0.9), c(0.99, 0.95), c(0.95, 0.95), c(0.8, 0.8),
                                 c(0.5, 0.75), c(0.5, 0.875), c(0.9, 0.95),
                                 c(0.999, 0.99), c(0.5, 0.95)), function(k) {
  list(name = sprintf("R=%g @ %g", k[1], k[2]), target = k[1], conf = k[2],
       units = units_needed(k[1], k[2]))
})

# --- Kaplan-Meier: survfit, log-log interval ---------------------------------
km_case <- function(name, t, e, conf = 0.95) {
  fit <- survfit(Surv(t, e) ~ 1, conf.type = "log-log", conf.int = conf)
  s <- summary(fit, censored = TRUE)
  steps <- lapply(seq_along(s$time), function(i) list(
    t = s$time[i], n_risk = s$n.risk[i], n_event = s$n.event[i],
    n_censor = s$n.censor[i], surv = s$surv[i],
    lower = if (is.na(s$lower[i])) NULL else s$lower[i],
    upper = if (is.na(s$upper[i])) NULL else s$upper[i]))
  med <- unname(summary(fit)$table["median"])
  list(name = name, conf = conf, t = I(t), e = I(as.integer(e)),
       steps = steps, median = if (is.na(med)) NULL else med)
}
km <- list(
  km_case("ties of events and censorings", c(1, 2, 2, 2, 3, 4, 5, 5), c(0, 1, 1, 0, 1, 0, 1, 1)),
  km_case("all censored", c(3, 5, 5, 8), c(0, 0, 0, 0)),
  km_case("censoring at the last time", c(1, 2, 4, 4, 6), c(1, 0, 1, 0, 0)),
  km_case("event and censoring at the last time", c(2, 3, 3, 7, 7), c(1, 1, 0, 1, 0)),
  km_case("n=1 event", c(3), c(1)),
  km_case("n=1 censored", c(3), c(0)),
  km_case("median on a flat 0.5 stretch", c(1, 2, 3, 4), c(1, 1, 1, 1)),
  km_case("median 0.5 never falls further", c(1, 2, 3, 3), c(1, 1, 0, 0)),
  km_case("tumbler drops", c(50, 80, 80, 120, 150, 200, 200, 200), c(1, 1, 0, 1, 1, 0, 0, 0)),
  km_case("tumbler drops 90%", c(50, 80, 80, 120, 150, 200, 200, 200), c(1, 1, 0, 1, 1, 0, 0, 0), 0.90),
  km_case("unsorted input, twenty units",
          c(12, 3, 7, 7, 20, 15, 3, 9, 11, 11, 11, 25, 30, 30, 4, 18, 22, 9, 6, 30),
          c(1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0))
)

# --- log-rank: survdiff, rho = 0 ---------------------------------------------
logrank_case <- function(name, groups) {
  t <- unlist(lapply(groups, `[[`, "t"))
  e <- unlist(lapply(groups, `[[`, "e"))
  g <- unlist(lapply(seq_along(groups), function(i) rep(i, length(groups[[i]]$t))))
  sd <- survdiff(Surv(t, e) ~ factor(g))
  list(name = name,
       groups = lapply(groups, function(x) list(t = I(x$t), e = I(as.integer(x$e)))),
       chisq = sd$chisq, df = sum(sd$exp > 0) - 1, p = sd$pvalue)
}
grp <- function(t, e) list(t = t, e = e)
logrank <- list(
  logrank_case("two groups", list(
    grp(c(6, 6, 6, 7, 10, 13, 16, 22, 23), c(1, 1, 1, 1, 0, 1, 1, 1, 1)),
    grp(c(1, 1, 2, 2, 3, 4, 4, 5, 5, 8), c(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)))),
  logrank_case("two groups, ties across groups and censoring", list(
    grp(c(50, 80, 80, 120, 150, 200, 200, 200), c(1, 1, 0, 1, 1, 0, 0, 0)),
    grp(c(30, 50, 80, 80, 100, 120, 200), c(1, 1, 1, 0, 1, 1, 0)))),
  logrank_case("two groups of five, 5/5 vs 0/5 censored", list(
    grp(c(26, 26, 26, 26, 26), c(0, 0, 0, 0, 0)),
    grp(c(3, 8, 12, 15, 20), c(1, 1, 1, 1, 1)))),
  logrank_case("three groups", list(
    grp(c(5, 8, 12, 12, 20, 25), c(1, 1, 1, 0, 1, 0)),
    grp(c(3, 4, 6, 9, 9, 14), c(1, 1, 1, 1, 0, 1)),
    grp(c(10, 18, 22, 30, 30, 30), c(1, 1, 0, 0, 0, 0)))),
  logrank_case("three groups, one censored before any event", list(
    grp(c(5, 8, 12, 12, 20), c(1, 1, 1, 0, 1)),
    grp(c(3, 4, 6, 9, 9), c(1, 1, 1, 1, 0)),
    grp(c(1, 2), c(0, 0)))),
  logrank_case("four groups", list(
    grp(c(4, 7, 9, 15), c(1, 1, 0, 1)),
    grp(c(2, 3, 7, 8, 8), c(1, 1, 1, 0, 1)),
    grp(c(10, 12, 15, 20), c(1, 0, 1, 0)),
    grp(c(1, 5, 6, 7, 11, 14), c(1, 1, 0, 1, 1, 1))))
)

# --- Fisher's exact test: table [[a, b], [c, d]] ------------------------------
fisher_cases <- list(
  c(5, 0, 0, 5), c(5, 0, 5, 0), c(3, 2, 1, 4), c(10, 0, 6, 4), c(0, 5, 0, 5),
  c(26, 0, 20, 6), c(1, 9, 11, 3), c(7, 3, 2, 8), c(4, 1, 2, 3), c(0, 5, 5, 0),
  c(12, 8, 9, 11), c(2, 0, 0, 1)
)
fisher <- lapply(fisher_cases, function(k) {
  list(name = sprintf("[[%d,%d],[%d,%d]]", k[1], k[2], k[3], k[4]),
       a = k[1], b = k[2], c = k[3], d = k[4],
       p = fisher.test(matrix(k, 2, byrow = TRUE))$p.value)
})

# --- one-sample t intervals ----------------------------------------------------
mean_case <- function(name, xs, conf = 0.95) {
  tt <- t.test(xs, conf.level = conf)
  list(name = name, xs = I(xs), conf = conf, n = length(xs), mean = mean(xs),
       sd = sd(xs), ci = I(as.numeric(tt$conf.int)))
}
mean_t <- list(
  mean_case("five units", c(31.2, 29.8, 33.1, 30.5, 32.0)),
  mean_case("five units 90%", c(31.2, 29.8, 33.1, 30.5, 32.0), 0.90),
  mean_case("two units", c(30, 32)),
  mean_case("ten units", c(28.4, 30.1, 29.7, 31.5, 30.9, 27.8, 29.2, 30.4, 31.1, 29.9)),
  mean_case("large close values", c(100000.1, 100000.3, 100000.2, 100000.6)),
  mean_case("three units 99%", c(18.5, 21.0, 19.25), 0.99)
)

# --- Welch two-sample t-test ----------------------------------------------------
welch_case <- function(name, a, b, conf = 0.95) {
  tt <- t.test(a, b, var.equal = FALSE, conf.level = conf)
  list(name = name, a = I(a), b = I(b), conf = conf,
       t = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value,
       diff_ci = I(as.numeric(tt$conf.int)))
}
welch <- list(
  welch_case("five vs five", c(31.2, 29.8, 33.1, 30.5, 32.0), c(27.9, 29.5, 28.1, 30.2, 26.8)),
  welch_case("two vs two", c(30, 32), c(27, 28.5)),
  welch_case("two vs six", c(30, 33), c(27, 28.5, 29, 26.5, 30, 28)),
  welch_case("one group constant", c(30, 30, 30), c(28, 29, 31.5)),
  welch_case("identical samples", c(20, 22, 24), c(20, 22, 24)),
  welch_case("unequal spread 90%", c(15.2, 15.9, 14.8, 16.1), c(12.0, 19.5, 10.2, 17.7, 21.3), 0.90)
)

out <- list(
  generator = paste0(R.version.string, ", survival ", packageVersion("survival")),
  binomial = binomial,
  success_run_lower = success_run_lower,
  success_run_units = success_run_units,
  km = km,
  logrank = logrank,
  fisher = fisher,
  mean_t = mean_t,
  welch = welch
)
cat(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null", na = "null"))
cat("\n")
