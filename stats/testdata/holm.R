# Reference values for stats.Holm: R's p.adjust(p, "holm"), the adjustment
# RuggedLab applies to the pairwise p-values of one endpoint (all pairs of
# one compare request). Only base R is needed (apt-get install -y r-base-core):
#
#   Rscript stats/testdata/holm.R > stats/testdata/holm.json
#
# NA stands for a p-value that could not be computed (null in the API);
# p.adjust leaves it out of the family and keeps it NA, written as null.

cases <- list(
  list(name = "empty family", p = numeric(0)),
  list(name = "one test is its own family", p = c(0.03)),
  list(name = "two tests", p = c(0.04, 0.01)),
  # multiplicity.md's worked example (4 candidates, 6 pairs), shuffled
  list(name = "six pairs, worked example shuffled",
       p = c(0.030, 0.004, 0.200, 0.041, 0.012, 0.008)),
  list(name = "ties", p = c(0.01, 0.04, 0.01)),
  list(name = "capped at 1", p = c(0.5, 0.3, 0.9)),
  list(name = "zero and one", p = c(0, 1, 0.2)),
  list(name = "not computable left out", p = c(0.02, NA, 0.01, 0.5)),
  list(name = "all not computable", p = c(NA, NA)),
  list(name = "one computable among not computable", p = c(NA, 0.03, NA)),
  # 6 candidates, 15 pairs, as a Fisher family of small lab samples gives
  list(name = "fifteen pairs",
       p = c(0.00794, 1, 0.524, 0.0867, 1, 0.0226, 0.00276, 0.0698,
             0.524, 0.00794, 0.527, 0.333, 0.167, 0.0476, 0.00108)),
  list(name = "running maximum carries a larger earlier product",
       p = c(0.011, 0.012, 0.0125, 0.013))
)

num <- function(x) {
  if (length(x) == 0) return("[]")
  s <- ifelse(is.na(x), "null", sprintf("%.17g", x))
  paste0("[", paste(s, collapse = ", "), "]")
}

cat("{\n")
cat(sprintf('  "generator": "%s",\n', R.version.string))
cat('  "holm": [\n')
for (k in seq_along(cases)) {
  c <- cases[[k]]
  sep <- if (k < length(cases)) "," else ""
  cat(sprintf('    {"name": "%s", "p": %s, "holm": %s}%s\n',
              c$name, num(c$p), num(p.adjust(c$p, "holm")), sep))
}
cat("  ]\n}\n")
