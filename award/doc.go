// Package award scores tender candidates with a published weighting and
// asks how sure the ranking is (issue #12).
//
// It is pure: criteria, weights and measured or entered values in, tables
// out; no database, HTTP or clock. The store reads the evidence once per
// request and the handlers turn it into Measures (see measure.go), so a new
// metric source (the repairability index, field-trial rates) plugs in by
// implementing Measure.
//
//   - Deterministic computes the committee's spreadsheet: each criterion's
//     point value mapped to points in [0, 1] by its value function, the
//     weighted sum with the nominal weights, and the rank.
//   - Simulate runs SMAA-2 (Lahdelma & Salminen, Operations Research
//     49(3), 2001; Monte Carlo as in Tervonen & Lahdelma, EJOR 178(2),
//     2007): each draw takes the measured values from their sampling
//     distributions and a weight vector uniformly from the set the scheme
//     allows, scores and ranks the candidates. It reports rank acceptability
//     indices, pairwise winning indices, central weight vectors, confidence
//     factors (a second simulation scoring with each candidate's central
//     weights), each proportion's Monte Carlo standard error √(p(1−p)/K),
//     and the draws and seed: the same problem, draws and seed give the same
//     numbers bit for bit (math/rand/v2 PCG, fixed iteration order).
//   - Stability gives, for each criterion, the range of its weight over
//     which the deterministic winner stays first when the other weights are
//     rescaled proportionally (closed form: every score is linear in it).
//
// Weights are sampled as follows (WeightSampler.Method names the one used):
//
//   - "fixed": every weight exact;
//   - "dirichlet": no constraint besides the simplex: n Exp(1) values
//     normalised, i.e. Dirichlet(1, …, 1), uniform on the simplex;
//   - "sorted": only a complete rank order over all criteria: a uniform
//     simplex draw sorted into that order, uniform on the ordered region
//     because the simplex is symmetric;
//   - "rejection": intervals and/or partial orders, when a pilot of 2,000
//     uniform simplex draws accepts at least 5 %: draws outside the set are
//     rejected, so accepted ones are exactly uniform on it;
//   - "hit-and-run": otherwise (narrow intervals in many dimensions): a
//     hit-and-run chain inside the polytope {w ≥ 0, Σw = 1, lo ≤ w ≤ hi,
//     w_a ≥ w_b}, started at a point found by rejection or at the interval
//     barycentre, with 100·n burn-in steps and n steps between kept draws
//     (Smith 1984; the R package hitandrun does the same). Its draws are
//     asymptotically uniform and slightly correlated, so the reported
//     standard errors, which assume independent draws, are a little
//     optimistic for weight-driven uncertainty.
//
// Criteria with an exact weight keep it in every draw; the free mass 1−Σexact
// is shared among the others.
package award
