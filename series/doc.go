// Package series reads, checks and reduces the time series of test runs:
// battery discharge curves and temperature-chamber logs (api.md §4,
// domain.md §8(c) rule 10).
//
// The package is pure: readers in, column-wise Frames and row/column
// Problems out; no database, HTTP or clock. ReadCSV and DecodeJSON stream:
// they hand the caller batches of at most BatchRows samples through an emit
// callback, so a million-sample upload is never held in memory at once and
// can be written to the database while it is still arriving.
//
// All-or-nothing is the caller's job: the readers stop emitting at the first
// problem but keep reading to report every problem (up to MaxProblems), so a
// caller writes the batches inside one transaction and rolls it back when
// the reader returns an error.
//
// Errors, and how an HTTP layer answers them (api.md §11 "400 or 422"):
//
//   - Problems: the input was parsed but breaks a rule: 422, one entry of
//     "errors" per Problem (CSV: row and column; JSON: Problem.Field()).
//   - *SyntaxError: the input cannot be parsed at all (broken JSON, a JSON
//     array where an object belongs, broken CSV quoting): 400.
//   - anything else comes from the reader or from emit, returned unchanged.
package series
