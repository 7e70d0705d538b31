package series

import (
	"bytes"
	"encoding/json"
	"io"
)

// maxRecordBytes bounds one CSV line and one JSON value (a sample, or a
// token outside the samples). A real one is under 200 bytes; without a
// bound, a 1 GiB upload with no line break, or one sample holding a 1 GiB
// string, would be held in memory whole by encoding/csv or json.Decoder,
// which is what streaming is meant to prevent.
const maxRecordBytes = 1 << 20

// lineLimiter fails a read once a line grows past maxRecordBytes. It sits
// under the bufio.Reader, so it sees chunks of at most readBufferSize
// bytes and only has to track the line that runs across chunks.
type lineLimiter struct {
	r       io.Reader
	offset  int64 // bytes read so far
	line    int   // line number of the current line
	lineLen int   // bytes of the current line read so far
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	chunk := p[:n]
	if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
		l.line += bytes.Count(chunk, []byte{'\n'})
		l.lineLen = n - i - 1
	} else {
		l.lineLen += n
	}
	l.offset += int64(n)
	if l.lineLen > maxRecordBytes {
		return n, &SyntaxError{Offset: l.offset - int64(l.lineLen), Line: l.line,
			Msg: "a line longer than 1 MiB — this is not a series CSV"}
	}
	return n, err
}

// valueLimiter fails a read once json.Decoder holds more than
// maxRecordBytes it has not yet consumed, which happens only inside one
// value (json.Decoder buffers a whole value before decoding it).
type valueLimiter struct {
	r    io.Reader
	dec  *json.Decoder
	read int64
}

func (v *valueLimiter) Read(p []byte) (int, error) {
	if at := v.dec.InputOffset(); v.read-at > maxRecordBytes {
		return 0, &SyntaxError{Offset: at, Msg: "a value longer than 1 MiB — a sample is a few numbers"}
	}
	n, err := v.r.Read(p)
	v.read += int64(n)
	return n, err
}
