package stats

import "errors"

// Reasons a statistic cannot be computed. A function that returns one of
// them (wrapped, with detail; test with errors.Is) has no value to give:
// callers must show the statistic as missing (JSON null), never as the zero
// value or a p-value of 1 that the result struct may still hold.
var (
	// ErrNoData: a sample or group is empty.
	ErrNoData = errors.New("no observations")
	// ErrTooFew: fewer observations than the statistic needs (a variance
	// needs 2).
	ErrTooFew = errors.New("too few observations")
	// ErrNoVariance: the observations do not vary where the statistic
	// divides by their spread (R stops with "data are essentially
	// constant" or a singular variance).
	ErrNoVariance = errors.New("no variance")
	// ErrNoEvents: a survival comparison saw no event while two groups
	// were at risk, so it has nothing to compare.
	ErrNoEvents = errors.New("no events")
)
