package series

import (
	"bytes"
	"math"
	"strconv"
	"testing"
)

// batteryCSV1M is n battery samples at 1 Hz as an instrument writes them:
// five columns, fixed decimals, a slow discharge.
func batteryCSV(n int) []byte {
	buf := make([]byte, 0, n*36)
	buf = append(buf, "t_s,soc_pct,voltage_v,current_ma,temp_c\n"...)
	for i := range n {
		frac := float64(i) / float64(n)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, 100-90*frac, 'f', 2, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, 4.35-0.9*frac, 'f', 3, 64)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(-850-i%37), 10)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, 25+3*math.Sin(float64(i)/600), 'f', 1, 64)
		buf = append(buf, '\n')
	}
	return buf
}

func BenchmarkReadCSV1M(b *testing.B) {
	const n = 1_000_000
	data := batteryCSV(n)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sum, err := ReadCSV(bytes.NewReader(data), Battery, func(Frame) error { return nil })
		if err != nil || sum.Rows != n {
			b.Fatalf("%d rows, %v", sum.Rows, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkDecodeJSON1M(b *testing.B) {
	const n = 1_000_000
	data := []byte(dischargeJSON(n))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sum, err := DecodeJSON(bytes.NewReader(data), Battery, func(Frame) error { return nil })
		if err != nil || sum.Rows != n {
			b.Fatalf("%d rows, %v", sum.Rows, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkLTTB1M(b *testing.B) {
	const n = 1_000_000
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = float64(i)
		y[i] = 100 - 90*float64(i)/n + math.Sin(float64(i)/1000)
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := LTTB(x, y, 2000); len(got) != 2000 {
			b.Fatalf("%d points", len(got))
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}
