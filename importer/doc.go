// Package importer reads bulk-import CSV files — units, or runs of one test
// kind — into typed rows and row/column problems. It is pure: a reader in,
// rows and problems out; it knows nothing of HTTP or the database, so it can
// be fuzzed, and the store decides what a valid row becomes.
//
// # What a file may look like
//
//   - The first non-blank line is the header: the field names of api.md §2
//     (units: handset, serial, notes) or §3 (runs: models.CSVColumns(kind)),
//     in any order, optional columns may be left out. There is no kind
//     column: the kind comes from the URL.
//   - The delimiter is chosen from the header line: ";" or a tab when the
//     header has more of them than commas (spreadsheets in European locales
//     and many instruments write ";"), else ",". Decimals always use a dot:
//     in a ";" file "2,0" is one cell and gets the "use a dot" message; in a
//     "," file it splits the row, and the field-count problem says so.
//   - A UTF-8 byte-order mark, CRLF line ends, spaces around cells and
//     header names, quoted cells (with "" for a quote, and line breaks
//     inside, e.g. multi-line notes) are accepted. Blank lines and rows whose
//     cells are all empty (",,,," from spreadsheets) are skipped.
//   - Booleans are true/false (also 1/0); an empty cell is null.
//
// # Where problems are reported
//
// Every problem is a models.FieldError with Row = the line number in the
// file on which the record starts (header = 1, BOM or not), Column = the
// column name ("" for a whole-row problem), Value = the cell text
// (shortened) and a Message a technician can act on. Reading never stops at
// the first problem: up to MaxProblems are kept, then one "and N more".
//
// # 400 or 422
//
// Input that is not CSV at all — a stray quote, an unclosed quote, JSON, a
// record over MaxRecordBytes — is a *models.Error with code Malformed (400).
// Parsed but wrong — header problems, wrong field counts, cells that are not
// numbers, a file with no rows — is code Invalid (422), returned by Err.
// Errors of the underlying reader are returned unchanged.
package importer
