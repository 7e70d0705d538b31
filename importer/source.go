package importer

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"ruggedlab/models"
)

// MaxRecordBytes bounds one record. The longest legitimate run row is a few
// tens of kilobytes (notes and deviations are at most 4000 characters);
// without a bound, a file with one unclosed quote or no line breaks would be
// held in memory whole by encoding/csv.
const MaxRecordBytes = 1 << 20

// sniffBytes is how much of the start of the file is looked at to find the
// header line and choose the delimiter.
const sniffBytes = 64 << 10

var errRecordTooLong = errors.New("record too long")

// source counts the bytes taken from the client (for progress) and refuses
// to feed encoding/csv more than MaxRecordBytes past the start of the record
// being read.
type source struct {
	r           io.Reader
	n           int64 // bytes read from r
	recordStart int64 // offset in r where the current record starts
}

func (s *source) Read(p []byte) (int, error) {
	// The check runs ahead of csv's own buffering by at most its buffers
	// (a few KiB plus sniffBytes): far below the bound.
	if s.n-s.recordStart > MaxRecordBytes+sniffBytes {
		return 0, errRecordTooLong
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	return n, err
}

var bom = []byte("\xEF\xBB\xBF")

// open wraps src, skips a byte-order mark and looks at the first non-blank
// line: it returns the buffered reader positioned after the BOM, the number
// of bytes skipped and the delimiter. JSON is refused here (400), because
// read as CSV it would give a baffling "unknown column {".
func open(src *source) (*bufio.Reader, int64, rune, error) {
	br := bufio.NewReaderSize(src, sniffBytes)
	var skipped int64
	head, err := br.Peek(len(bom))
	if err != nil && err != io.EOF {
		return nil, 0, 0, err
	}
	if bytes.Equal(head, bom) {
		_, _ = br.Discard(len(bom)) // cannot fail: Peek returned the bytes
		skipped = int64(len(bom))
	}
	first, err := peekHeader(br)
	if err != nil {
		return nil, 0, 0, err
	}
	if len(first) > 0 && (first[0] == '{' || first[0] == '[') {
		return nil, 0, 0, models.Errorf(models.Malformed, "this is JSON, not CSV: send a CSV file whose first line names the columns (runs one by one go to POST /api/v1/runs)")
	}
	return br, skipped, delimiter(first), nil
}

// peekHeader returns the first non-blank line (trimmed of leading spaces and
// line breaks) without consuming it, as far as the sniff buffer reaches.
// Only read errors other than EOF and a full buffer are returned.
func peekHeader(br *bufio.Reader) ([]byte, error) {
	p, err := br.Peek(sniffBytes)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	p = bytes.TrimLeft(p, " \t\r\n")
	if i := bytes.IndexByte(p, '\n'); i >= 0 {
		p = p[:i]
	}
	return p, nil
}

// delimiter picks the most frequent of ",", ";" and tab in the header line;
// column names contain none of them, so counting is enough. Ties go to ",".
func delimiter(header []byte) rune {
	best, n := ',', bytes.Count(header, []byte{','})
	for _, d := range []rune{';', '\t'} {
		if c := bytes.Count(header, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

func delimiterName(d rune) string {
	switch d {
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return "comma"
}

// tooLong is the 400 answer for a record over MaxRecordBytes.
func tooLong(line int) error {
	return models.Errorf(models.Malformed, "the record starting on line %d is longer than %d KiB: a quote is probably never closed, or the file has no line breaks", line, MaxRecordBytes>>10)
}
