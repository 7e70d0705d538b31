package handlers

import (
	"bufio"
	"encoding/json"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
	"ruggedlab/store"
)

// getSeries answers GET /api/v1/runs/{id}/series (api.md §4, §11 "Series").
//
// Query: max_points=N (≥ 2) reduces the series on the server to at most N
// whole rows by LTTB on the kind's main column, first and last kept;
// without it, or when N is at least the series' length, the raw series.
// format=json (default) or csv. revision=N gives the series as it stood at
// run revision N (an earlier one after a replacement).
//
// JSON: {"run_id", "revision", "columns", "total_points", "reduced",
// "data": [[t_s, …], …]}; CSV: a header line of the columns, one line per
// sample. The raw series streams from the database cursor to the client,
// so a million-row download is never held in memory.
func (s *Server) getSeries(c *gin.Context) {
	maxPoints, revision, asCSV, err := seriesQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	info, err := s.Store.SeriesInfo(c.Request.Context(), c.Param("id"), revision)
	if err != nil {
		s.fail(c, err)
		return
	}
	w := newSeriesWriter(c, asCSV)
	if maxPoints == 0 || maxPoints >= info.Samples {
		w.begin(info, false)
		s.endSeries(c, w, s.Store.StreamSeries(c.Request.Context(), info, w.row))
		return
	}
	f, err := s.Store.ReducedSeries(c.Request.Context(), info, maxPoints)
	if err != nil {
		s.fail(c, err)
		return
	}
	w.begin(info, f.Len() < info.Samples)
	row := make([]float64, len(f.Columns))
	for i := range f.Len() {
		for j := range row {
			row[j] = f.Data[j][i]
		}
		if err = w.row(row); err != nil {
			break
		}
	}
	s.endSeries(c, w, err)
}

func seriesQuery(c *gin.Context) (maxPoints, revision int, asCSV bool, err error) {
	var errs models.FieldErrors
	if v, ok := c.GetQuery("max_points"); ok {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 2 {
			errs.Add("max_points", "must be a whole number of at least 2 (the first and last samples are always kept), not %q", v)
		}
		maxPoints = n
	}
	if v, ok := c.GetQuery("revision"); ok {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 {
			errs.Add("revision", "must be a run revision (1, 2, …), not %q", v)
		}
		revision = n
	}
	switch v := c.Query("format"); v {
	case "", "json":
	case "csv":
		asCSV = true
	default:
		errs.Add("format", "must be json or csv, not %q", v)
	}
	return maxPoints, revision, asCSV, errs.Err("the series request is not valid")
}

// endSeries finishes a series answer. An error before anything reached the
// client still becomes a problem answer; after that the status is sent, so
// the connection is cut instead: the client sees a broken transfer rather
// than a short series that looks complete.
func (s *Server) endSeries(c *gin.Context, w *seriesWriter, err error) {
	if err == nil {
		err = w.end()
		if err == nil {
			return
		}
	}
	if !c.Writer.Written() {
		s.fail(c, err)
		return
	}
	s.Log.WarnContext(c.Request.Context(), "series answer cut short", "request_id", requestID(c), "rows", w.rows, "err", err)
	panic(http.ErrAbortHandler)
}

// seriesWriter writes a series answer row by row into a 64 KiB buffer.
type seriesWriter struct {
	c    *gin.Context
	bw   *bufio.Writer
	csv  bool
	buf  []byte
	rows int
}

func newSeriesWriter(c *gin.Context, asCSV bool) *seriesWriter {
	return &seriesWriter{c: c, bw: bufio.NewWriterSize(c.Writer, 64<<10), csv: asCSV, buf: make([]byte, 0, 256)}
}

func (w *seriesWriter) begin(info store.SeriesInfo, reduced bool) {
	h := w.c.Writer.Header()
	if w.csv {
		h.Set("Content-Type", "text/csv; charset=utf-8")
		for j, col := range info.Columns {
			if j > 0 {
				w.bw.WriteByte(',')
			}
			w.bw.WriteString(col)
		}
		w.bw.WriteByte('\n')
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	id, _ := json.Marshal(info.RunID)
	cols, _ := json.Marshal(info.Columns)
	w.bw.WriteString(`{"run_id":` + string(id) + `,"revision":` + strconv.Itoa(info.Revision) +
		`,"columns":` + string(cols) + `,"total_points":` + strconv.Itoa(info.Samples) +
		`,"reduced":` + strconv.FormatBool(reduced) + `,"data":[`)
}

// row writes one sample; its error is the client's connection failing.
func (w *seriesWriter) row(vals []float64) error {
	b := w.buf[:0]
	if !w.csv {
		if w.rows > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
	}
	for j, v := range vals {
		if j > 0 {
			b = append(b, ',')
		}
		b = appendNumber(b, v)
	}
	if w.csv {
		b = append(b, '\n')
	} else {
		b = append(b, ']')
	}
	w.buf = b
	w.rows++
	_, err := w.bw.Write(b)
	return err
}

func (w *seriesWriter) end() error {
	if !w.csv {
		w.bw.WriteString("]}\n")
	}
	return w.bw.Flush()
}

// appendNumber writes a float64 as encoding/json does: no exponent for the
// magnitudes a lab records, the shortest text that reads back exactly.
func appendNumber(b []byte, v float64) []byte {
	format := byte('f')
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, v, format, -1, 64)
	if format == 'e' {
		// e-07 → e-7, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
