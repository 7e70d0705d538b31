package store

// EvidenceFromRuns is Evidence read from every run, one Run each: tests
// compare the answers computed from summaries with it.
var EvidenceFromRuns = (*Store).evidenceFromRuns
