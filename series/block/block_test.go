package block

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"testing"
)

// parsed is what the CSV reader makes of decimal texts.
func parsed(texts ...string) []float64 {
	out := make([]float64, len(texts))
	for i, s := range texts {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			panic(err)
		}
		out[i] = v
	}
	return out
}

func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func roundTrip(t *testing.T, cols [][]float64) []byte {
	t.Helper()
	p := Append(nil, cols)
	got, err := Decode(nil, p)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(got) != len(cols) {
		t.Fatalf("%d columns back, want %d", len(got), len(cols))
	}
	for j := range cols {
		if !sameBits(got[j], cols[j]) {
			t.Fatalf("column %d: got %v, want %v", j, got[j], cols[j])
		}
	}
	if n, err := Len(p); err != nil || n != len(cols[0]) {
		t.Fatalf("Len = %d, %v; want %d", n, err, len(cols[0]))
	}
	return p
}

// encodingOf is the encoding byte of column j of a block.
func encodingOf(t *testing.T, p []byte, j int) (enc byte, exp, order int) {
	t.Helper()
	p = p[1:]
	_, w := binary.Uvarint(p)
	p = p[w:]
	_, w = binary.Uvarint(p)
	p = p[w:]
	for k := 0; ; k++ {
		size, w := binary.Uvarint(p[1:])
		if k == j {
			if p[0] == encDecimal {
				return p[0], int(p[1+w]), int(p[2+w])
			}
			return p[0], -1, -1
		}
		p = p[1+w+int(size):]
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		col       []float64
		enc       byte
		exp, ord  int // for the decimal encoding
		maxPerVal float64
	}{
		{"one value", []float64{42}, encDecimal, 0, 1, 2},
		{"regular clock", func() []float64 {
			c := make([]float64, 4096)
			for i := range c {
				c[i] = float64(i)
			}
			return c
		}(), encDecimal, 0, 1, 1.01},
		{"tenths of a second", parsed("0.1", "0.2", "0.3", "0.4", "0.5", "0.6"), encDecimal, 1, 1, 1.5},
		{"soc falling", parsed("100.0000", "99.9999", "99.9998", "99.9997", "99.9995"), encDecimal, 4, 1, 2},
		{"mixed decimals", parsed("4.35", "4.3499", "4.34987", "4.3"), encDecimal, 5, 1, 4},
		{"negative", parsed("-20", "-20.5", "-21.25", "-40"), encDecimal, 2, 2, 3},
		{"zero", []float64{0, 0, 0}, encDecimal, 0, 1, 1},
		{"large integers", []float64{1 << 52, 1<<52 + 1, -(1 << 52)}, encDecimal, 0, 1, 9},
		{"negative zero", []float64{1, math.Copysign(0, -1), 2}, encXOR, -1, -1, 10},
		{"NaN and infinities", []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Float64frombits(0x7ff8000000000001)}, encXOR, -1, -1, 10},
		{"computed", []float64{math.Pi, math.E, math.Sqrt2, math.Pi, math.Pi}, encXOR, -1, -1, 10},
		{"too many decimals", parsed("0.1234567890123456", "0.5"), encXOR, -1, -1, 10},
		{"beyond 2^53", []float64{1 << 60, 3}, encXOR, -1, -1, 10},
		{"tiny", []float64{5e-324, 1e-300}, encXOR, -1, -1, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := roundTrip(t, [][]float64{tt.col})
			enc, exp, ord := encodingOf(t, p, 0)
			if enc != tt.enc || (enc == encDecimal && (exp != tt.exp || ord != tt.ord)) {
				t.Errorf("encoding %d (exp %d, order %d), want %d (exp %d, order %d)", enc, exp, ord, tt.enc, tt.exp, tt.ord)
			}
			if per := float64(len(p)-4) / float64(len(tt.col)); per > tt.maxPerVal+4 {
				t.Errorf("%.1f bytes per value", per)
			}
		})
	}
}

// A battery log as the bench generates it: five decimal columns at 1 Hz
// must take well under the store's 12 bytes per sample.
func TestBatteryBlockSize(t *testing.T) {
	const n = 4096
	cols := make([][]float64, 5)
	for j := range cols {
		cols[j] = make([]float64, n)
	}
	for i := range n {
		u := float64(i) / 1e6
		cols[0][i] = parsed(strconv.FormatFloat(float64(i), 'f', 1, 64))[0]
		cols[1][i] = parsed(strconv.FormatFloat(100*(1-u), 'f', 4, 64))[0]
		cols[2][i] = parsed(strconv.FormatFloat(4.35-0.75*u, 'f', 5, 64))[0]
		cols[3][i] = parsed(strconv.FormatFloat(420+60*math.Sin(float64(i)*0.0037)+5*math.Sin(float64(i)*1.3), 'f', 2, 64))[0]
		cols[4][i] = parsed(strconv.FormatFloat(25+6*(1-math.Exp(-float64(i)/3600))+0.2*math.Sin(float64(i)*0.7), 'f', 3, 64))[0]
	}
	p := roundTrip(t, cols)
	if per := float64(len(p)) / n; per > 9 {
		t.Errorf("%.2f bytes per sample, want ≤ 9", per)
	} else {
		t.Logf("%.2f bytes per sample", per)
	}
}

func TestDecodeReusesAndRejects(t *testing.T) {
	a := Append(nil, [][]float64{{1, 2, 3}, {0.5, 0.25, 0.125}})
	b := Append(nil, [][]float64{{4}, {math.Pi}})
	dst, err := Decode(nil, a)
	if err != nil {
		t.Fatal(err)
	}
	dst, err = Decode(dst, b)
	if err != nil || !sameBits(dst[0], []float64{4}) || !sameBits(dst[1], []float64{math.Pi}) {
		t.Fatalf("second decode: %v %v", dst, err)
	}
	bad := map[string][]byte{
		"empty":          nil,
		"version":        {2, 1, 1},
		"truncated":      a[:len(a)-1],
		"trailing":       append(append([]byte(nil), a...), 0),
		"huge length":    {1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1},
		"bad encoding":   {1, 1, 1, 9, 0},
		"no columns yet": {1, 1, 2, 1, 3, 0, 1, 2},
	}
	for name, p := range bad {
		if _, err := Decode(nil, p); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err %v, want ErrCorrupt", name, err)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f}, uint8(1))
	f.Add([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), uint8(3))
	f.Fuzz(func(t *testing.T, raw []byte, ncol uint8) {
		nc := int(ncol%5) + 1
		n := len(raw) / 8 / nc
		cols := make([][]float64, nc)
		for j := range cols {
			cols[j] = make([]float64, n)
			for i := range n {
				bitsAt := binary.LittleEndian.Uint64(raw[(j*n+i)*8:])
				if bitsAt&1 == 0 { // half the values as short decimals
					cols[j][i] = float64(int64(bitsAt>>40)-1<<23) / 1000
				} else {
					cols[j][i] = math.Float64frombits(bitsAt)
				}
			}
		}
		p := Append(nil, cols)
		got, err := Decode(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		for j := range cols {
			if !sameBits(got[j], cols[j]) {
				t.Fatalf("column %d: got %v, want %v", j, got[j], cols[j])
			}
		}
	})
}

func FuzzDecode(f *testing.F) {
	f.Add(Append(nil, [][]float64{{1, 2, 3}, {math.Pi, 1, 1}}))
	f.Fuzz(func(t *testing.T, p []byte) {
		cols, err := Decode(nil, p)
		if err != nil {
			return
		}
		// Whatever decodes, encodes back to a block with the same values.
		again, err := Decode(nil, Append(nil, cols))
		if err != nil {
			t.Fatal(err)
		}
		for j := range cols {
			if !sameBits(again[j], cols[j]) {
				t.Fatalf("column %d changed", j)
			}
		}
	})
}

// batteryBlock is a full block of a 1 Hz battery log, as parsed from CSV.
func batteryBlock() [][]float64 {
	const n = 4096
	cols := make([][]float64, 5)
	for i := range n {
		u := float64(i) / 1e6
		for j, v := range []float64{float64(i), math.Round(1e4*100*(1-u)) / 1e4, math.Round(1e5*(4.35-0.75*u)) / 1e5,
			math.Round(100*(420+60*math.Sin(float64(i)*0.0037))) / 100, math.Round(1e3*(25+0.2*math.Sin(float64(i)*0.7))) / 1e3} {
			cols[j] = append(cols[j], v)
		}
	}
	return cols
}

// go test ./series/block/ -run '^$' -bench . -benchmem
func BenchmarkAppend(b *testing.B) {
	cols := batteryBlock()
	var e Encoder
	var buf []byte
	for b.Loop() {
		buf = e.Append(buf[:0], cols)
	}
	b.ReportMetric(float64(len(buf))/4096, "bytes/sample")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/4096, "ns/sample")
}

func BenchmarkDecode(b *testing.B) {
	p := Append(nil, batteryBlock())
	var cols [][]float64
	for b.Loop() {
		var err error
		if cols, err = Decode(cols, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/4096, "ns/sample")
}
