package store

import (
	"context"
	"syscall"
	"testing"
	"time"

	"ruggedlab/internal/testdb"
	"ruggedlab/series"
)

// benchFrames is a battery series of n samples in reader-sized batches.
func benchFrames(n int) []series.Frame {
	var out []series.Frame
	for start := 0; start < n; start += series.BatchRows {
		m := min(series.BatchRows, n-start)
		f := series.Frame{Columns: series.Columns(series.Battery), Data: make([][]float64, 5)}
		for j := range f.Data {
			f.Data[j] = make([]float64, m)
		}
		for i := range m {
			k := float64(start + i)
			f.Data[0][i], f.Data[1][i], f.Data[2][i] = k, 100-k/float64(n)*100, 4.35-k/float64(n)
			f.Data[3][i], f.Data[4][i] = 400+float64(i%50), 25+float64(i%9)/10
		}
		out = append(out, f)
	}
	return out
}

func replay(frames []series.Frame) SeriesReader {
	return func(_ series.Kind, emit func(series.Frame) error) (series.Summary, error) {
		n := 0
		for _, f := range frames {
			if err := emit(f); err != nil {
				return series.Summary{}, err
			}
			n += f.Len()
		}
		return series.Summary{Rows: n, Columns: frames[0].Columns}, nil
	}
}

// BenchmarkSeriesBlocks measures writing a 1 M-sample battery series as
// blocks — cutting, encoding and inserting them, the reader's batches
// already parsed — on each engine: samples/s of wall time and CPU time per
// sample, which a shared machine disturbs far less:
//
//	./scripts/test ./store/ -run '^$' -bench SeriesBlocks -benchtime 2x
func BenchmarkSeriesBlocks(b *testing.B) {
	const n = 1_000_000
	frames := benchFrames(n)
	for _, e := range testdb.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			s, err := Open(ctx, e.DSN, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if err := s.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			cpu0 := cpuTime()
			for it := range b.N {
				fs := startFrames(series.Battery, replay(frames))
				fs.ready()
				err := s.inSeriesTx(ctx, func(tx seriesTx) error {
					_, err := tx.copyBlocks(ctx, int64(it+1), levelSamples, newBlocker(len(fs.columns()), fs.samples()))
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				fs.wait()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(n*b.N), "cpu-ns/sample")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
