// Package block encodes runs of consecutive samples of a series into one
// compact, lossless byte string (a "block"), column by column, as the
// store keeps series (api.md §12.3). It is pure: float64 columns in, bytes
// out, and back; every float64 comes back with the same bits.
//
// Layout of a block (all integers are unsigned LEB128 varints, "zigzag"
// marks signed ones mapped to unsigned as 0, -1, 1, -2, … → 0, 1, 2, 3, …):
//
//	version (1 byte, = 1) | n samples | c columns | c × column
//	column = encoding (1 byte) | length of what follows | body
//
// Each column picks the smaller of two encodings:
//
//   - Decimal (encoding 1): when every value v of the column is exactly the
//     float64 nearest to m / 10^e for integers m with |m| < 2^53 and one
//     exponent e ≤ 15 — which is the case for any value parsed from a
//     decimal text with at most e decimals, what instruments log — the body
//     is e (1 byte), the difference order k (1 or 2: the smaller result
//     wins) and the integers m as k-th differences: m₀, then for k = 1
//     m[i] − m[i−1], for k = 2 (m₁ − m₀) and then delta-of-deltas
//     m[i] − 2m[i−1] + m[i−2], each zigzag. A regular clock (t_s every 1 s)
//     thus costs one byte per sample, a slowly moving reading one or two.
//     This is the decimal scaling of ALP (Afroozeh, Kuffó, Boncz, SIGMOD
//     2023) with the delta-of-delta timestamps of Gorilla (Pelkonen et al.,
//     VLDB 2015); decoding divides float64(m) by the exact power 10^e, which
//     is correctly rounded, and Encode checks every value comes back
//     bit-for-bit before choosing it.
//   - XOR (encoding 2), for anything else (NaN, −0, a value with more than
//     15 decimals or computed rather than read): Gorilla's float
//     compression, bit-packed: the first value's 64 bits, then per value a
//     0 bit when it equals the previous one, or 10 and the meaningful bits
//     of its XOR with the previous value inside the previous window of
//     leading and trailing zeros, or 11, 6 bits of leading zeros, 6 bits of
//     meaningful length − 1 and those bits.
//
// A block holds at least one sample; the store keeps a few thousand per
// block (see the store's blockRows).
package block

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
)

const (
	version    = 1
	encDecimal = 1
	encXOR     = 2

	maxExp = 15
)

// maxMantissa bounds the integers of the decimal encoding: below 2^53 they
// are exact in a float64.
const maxMantissa = 1 << 53

var pow10 = [maxExp + 1]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// Append encodes the columns (all of the same length, at most 255 columns)
// as one block appended to dst.
func Append(dst []byte, cols [][]float64) []byte {
	var e Encoder
	return e.Append(dst, cols)
}

// Encoder holds scratch space reused across blocks; the zero value is ready.
type Encoder struct{ ints []int64 }

// Append is the package's Append with the encoder's scratch space.
func (e *Encoder) Append(dst []byte, cols [][]float64) []byte {
	n := 0
	if len(cols) > 0 {
		n = len(cols[0])
	}
	dst = append(dst, version)
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = binary.AppendUvarint(dst, uint64(len(cols)))
	for _, c := range cols {
		dst = e.appendColumn(dst, c[:n])
	}
	return dst
}

func (e *Encoder) appendColumn(dst []byte, c []float64) []byte {
	if exp, ok := e.decimal(c); ok {
		k, size := e.order()
		dst = append(dst, encDecimal)
		dst = binary.AppendUvarint(dst, uint64(2+size))
		dst = append(dst, byte(exp), byte(k))
		return e.appendDiffs(dst, k)
	}
	body := appendXOR(nil, c)
	dst = append(dst, encXOR)
	dst = binary.AppendUvarint(dst, uint64(len(body)))
	return append(dst, body...)
}

// decimal finds the smallest exponent at which every value of c is a
// decimal m / 10^exp, leaving the integers m in e.ints. One pass as a rule:
// a value that needs more decimals than those before it restarts the
// column at its exponent.
func (e *Encoder) decimal(c []float64) (int, bool) {
	exp := 0
restart:
	e.ints = e.ints[:0]
	for _, v := range c {
		m, ok := mantissa(v, exp)
		for !ok {
			if exp++; exp > maxExp {
				return 0, false
			}
			if m, ok = mantissa(v, exp); ok {
				goto restart
			}
		}
		e.ints = append(e.ints, m)
	}
	return exp, true
}

// mantissa gives the m for which float64(m) / 10^exp is v, bit for bit
// (so never for NaN, ±Inf or −0), if there is one with |m| < 2^53.
func mantissa(v float64, exp int) (int64, bool) {
	f := math.Round(v * pow10[exp])
	if !(math.Abs(f) < maxMantissa) { // also false for NaN and ±Inf
		return 0, false
	}
	m := int64(f)
	return m, math.Float64bits(float64(m)/pow10[exp]) == math.Float64bits(v)
}

// order picks the difference order (1 or 2) giving the shorter body, and
// that body's size without the two header bytes.
func (e *Encoder) order() (int, int) {
	m := e.ints
	var s1, s2 int
	for i := range m {
		var d1, d2 int64
		switch i {
		case 0:
			d1, d2 = m[0], m[0]
		case 1:
			d1 = m[1] - m[0]
			d2 = d1
		default:
			d1 = m[i] - m[i-1]
			d2 = d1 - (m[i-1] - m[i-2])
		}
		s1 += uvarintLen(zigzag(d1))
		s2 += uvarintLen(zigzag(d2))
	}
	if s2 < s1 {
		return 2, s2
	}
	return 1, s1
}

func (e *Encoder) appendDiffs(dst []byte, k int) []byte {
	m := e.ints
	for i := range m {
		var d int64
		switch {
		case i == 0:
			d = m[0]
		case i == 1 || k == 1:
			d = m[i] - m[i-1]
		default:
			d = m[i] - 2*m[i-1] + m[i-2]
		}
		dst = binary.AppendUvarint(dst, zigzag(d))
	}
	return dst
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

func uvarintLen(u uint64) int { return (bits.Len64(u|1) + 6) / 7 }

// ErrCorrupt is the error Decode wraps for a payload it cannot read.
var ErrCorrupt = errors.New("block: corrupt")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// Decode decodes a block into dst, one slice per column, reusing dst's
// slices (their contents are replaced); it returns the columns. Errors:
// ErrCorrupt (wrapped) when payload is not a block this package wrote.
func Decode(dst [][]float64, payload []byte) ([][]float64, error) {
	if len(payload) == 0 || payload[0] != version {
		return dst, corrupt("unknown version")
	}
	p := payload[1:]
	n, w := binary.Uvarint(p)
	if w <= 0 || n > uint64(len(payload))*8 {
		return dst, corrupt("bad length")
	}
	p = p[w:]
	nc, w := binary.Uvarint(p)
	if w <= 0 || nc > 255 {
		return dst, corrupt("bad column count")
	}
	p = p[w:]
	for len(dst) < int(nc) {
		dst = append(dst, nil)
	}
	dst = dst[:nc]
	for j := range dst {
		if len(p) < 1 {
			return dst, corrupt("column %d missing", j)
		}
		enc := p[0]
		size, w := binary.Uvarint(p[1:])
		if w <= 0 || size > uint64(len(p)-1-w) {
			return dst, corrupt("column %d: bad size", j)
		}
		body := p[1+w : 1+w+int(size)]
		p = p[1+w+int(size):]
		col := dst[j][:0]
		if cap(col) < int(n) {
			col = make([]float64, 0, n)
		}
		var err error
		switch enc {
		case encDecimal:
			col, err = decodeDecimal(col, body, int(n))
		case encXOR:
			col, err = decodeXOR(col, body, int(n))
		default:
			err = corrupt("unknown encoding %d", enc)
		}
		if err != nil {
			return dst, fmt.Errorf("column %d: %w", j, err)
		}
		dst[j] = col
	}
	if len(p) != 0 {
		return dst, corrupt("%d trailing bytes", len(p))
	}
	return dst, nil
}

// Len is the number of samples in a block, read from its header.
func Len(payload []byte) (int, error) {
	if len(payload) == 0 || payload[0] != version {
		return 0, corrupt("unknown version")
	}
	n, w := binary.Uvarint(payload[1:])
	if w <= 0 {
		return 0, corrupt("bad length")
	}
	return int(n), nil
}

func decodeDecimal(col []float64, body []byte, n int) ([]float64, error) {
	if len(body) < 2 || body[0] > maxExp || (body[1] != 1 && body[1] != 2) {
		return col, corrupt("bad decimal header")
	}
	p := pow10[body[0]]
	k := body[1]
	body = body[2:]
	var prev, delta int64
	for i := range n {
		u, w := binary.Uvarint(body)
		if w <= 0 {
			return col, corrupt("decimal value %d", i)
		}
		body = body[w:]
		d := unzigzag(u)
		switch {
		case i == 0:
			prev = d
		case i == 1 || k == 1:
			delta = d
			prev += delta
		default:
			delta += d
			prev += delta
		}
		col = append(col, float64(prev)/p)
	}
	if len(body) != 0 {
		return col, corrupt("decimal trailing bytes")
	}
	return col, nil
}

// bitWriter appends bits most significant first.
type bitWriter struct {
	buf  []byte
	acc  uint64 // pending bits, right-aligned
	nacc uint   // how many
}

func (b *bitWriter) write(v uint64, n uint) {
	for n > 0 {
		take := min(n, 56-b.nacc)
		b.acc = b.acc<<take | (v>>(n-take))&(1<<take-1)
		b.nacc += take
		n -= take
		for b.nacc >= 8 {
			b.buf = append(b.buf, byte(b.acc>>(b.nacc-8)))
			b.nacc -= 8
		}
		b.acc &= 1<<b.nacc - 1
	}
}

func (b *bitWriter) flush() []byte {
	if b.nacc > 0 {
		b.buf = append(b.buf, byte(b.acc<<(8-b.nacc)))
		b.acc, b.nacc = 0, 0
	}
	return b.buf
}

type bitReader struct {
	p   []byte
	pos uint // bit position
}

func (r *bitReader) read(n uint) (uint64, bool) {
	if r.pos+n > uint(len(r.p))*8 {
		return 0, false
	}
	var v uint64
	for n > 0 {
		byteAt := r.p[r.pos/8]
		off := r.pos % 8
		take := min(n, 8-off)
		v = v<<take | uint64(byteAt>>(8-off-take))&(1<<take-1)
		r.pos += take
		n -= take
	}
	return v, true
}

func appendXOR(dst []byte, c []float64) []byte {
	w := bitWriter{buf: dst}
	if len(c) == 0 {
		return w.flush()
	}
	prev := math.Float64bits(c[0])
	w.write(prev, 64)
	lead, trail := uint(65), uint(0) // no window yet
	for _, v := range c[1:] {
		cur := math.Float64bits(v)
		x := cur ^ prev
		prev = cur
		if x == 0 {
			w.write(0, 1)
			continue
		}
		l, t := uint(bits.LeadingZeros64(x)), uint(bits.TrailingZeros64(x))
		if l > 63 {
			l = 63
		}
		if lead <= 64 && l >= lead && t >= trail {
			w.write(0b10, 2)
			w.write(x>>trail, 64-lead-trail)
			continue
		}
		lead, trail = l, t
		meaningful := 64 - l - t
		w.write(0b11, 2)
		w.write(uint64(l), 6)
		w.write(uint64(meaningful-1), 6)
		w.write(x>>t, meaningful)
	}
	return w.flush()
}

func decodeXOR(col []float64, body []byte, n int) ([]float64, error) {
	if n == 0 {
		return col, nil
	}
	r := bitReader{p: body}
	prev, ok := r.read(64)
	if !ok {
		return col, corrupt("xor first value")
	}
	col = append(col, math.Float64frombits(prev))
	lead, trail := uint(65), uint(0)
	for i := 1; i < n; i++ {
		b, ok := r.read(1)
		if !ok {
			return col, corrupt("xor value %d", i)
		}
		if b == 1 {
			b, ok = r.read(1)
			if !ok {
				return col, corrupt("xor value %d", i)
			}
			if b == 1 {
				l, ok1 := r.read(6)
				m, ok2 := r.read(6)
				if !ok1 || !ok2 || l+m+1 > 64 {
					return col, corrupt("xor window %d", i)
				}
				lead, trail = uint(l), 64-uint(l)-uint(m+1)
			} else if lead > 64 {
				return col, corrupt("xor value %d reuses no window", i)
			}
			x, ok := r.read(64 - lead - trail)
			if !ok {
				return col, corrupt("xor value %d", i)
			}
			prev ^= x << trail
		}
		col = append(col, math.Float64frombits(prev))
	}
	if uint(len(body)) != (r.pos+7)/8 {
		return col, corrupt("xor trailing bytes")
	}
	return col, nil
}
