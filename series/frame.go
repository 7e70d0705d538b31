package series

// Frame holds samples column-wise: Data[i] holds every value of Columns[i],
// all columns have the same length, and Columns[0] is "t_s". Column-wise
// storage keeps each column one contiguous []float64, which is what LTTB,
// the metrics and bulk inserts read.
//
// NaN never appears: a column that was not measured is absent from Columns,
// never filled with NaN (a NaN would also break JSON encoding of charts).
type Frame struct {
	Columns []string
	Data    [][]float64
}

// Len is the number of samples (rows).
func (f Frame) Len() int {
	if len(f.Data) == 0 {
		return 0
	}
	return len(f.Data[0])
}

// Column returns the values of the named column, or nil when the frame has
// no such column.
func (f Frame) Column(name string) []float64 {
	if i := f.index(name); i >= 0 {
		return f.Data[i]
	}
	return nil
}

func (f Frame) index(name string) int {
	for i, c := range f.Columns {
		if c == name {
			return i
		}
	}
	return -1
}

// Summary describes a whole series once it has been read: the number of
// samples, its columns in canonical order, and the first and last t_s.
type Summary struct {
	Rows        int
	Columns     []string
	First, Last float64 // t_s of the first and last sample
}
