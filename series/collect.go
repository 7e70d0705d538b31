package series

// BatchRows is the most samples one call of emit receives. 8192 rows of five
// columns is 320 KiB: big enough that a database insert per batch is cheap,
// small enough that memory does not grow with the file.
const BatchRows = 8192

// collector is what ReadCSV and DecodeJSON share once the columns are known:
// it checks each sample, gathers good samples into batches and emits them
// while no problem has been seen.
type collector struct {
	checker
	names []string
	emit  func(Frame) error
	batch [][]float64 // nil once a problem has been seen

	flushed     bool // a full batch went out: size the next ones up front
	rows        int
	haveFirst   bool
	first, last float64
}

func newCollector(kind Kind, cols []colSpec, pl *problemList, emit func(Frame) error) *collector {
	names := make([]string, len(cols))
	for i, s := range cols {
		names[i] = s.name
	}
	return &collector{
		checker: newChecker(kind, cols, pl),
		names:   names,
		emit:    emit,
		batch:   make([][]float64, len(cols)),
	}
}

// skip counts a sample that could not be read at all (a CSV row with the
// wrong number of fields), so that Summary.Rows counts every sample.
func (c *collector) skip() { c.rows++ }

// sample checks one sample and, while the series is still clean, adds it to
// the batch, emitting the batch when it is full. Only emit's error is
// returned; problems go to the problem list.
func (c *collector) sample(at where, vals []float64, ok []bool, raw []string) error {
	c.rows++
	c.check(at, vals, ok, raw)
	if c.t >= 0 && ok[c.t] {
		if !c.haveFirst {
			c.first, c.haveFirst = vals[c.t], true
		}
		c.last = vals[c.t]
	}
	if c.problems.any() {
		c.batch = nil // all or nothing: never emit after a problem
		return nil
	}
	if c.flushed && c.batch[0] == nil {
		for i := range c.batch {
			c.batch[i] = make([]float64, 0, BatchRows)
		}
	}
	for i, v := range vals {
		c.batch[i] = append(c.batch[i], v)
	}
	if len(c.batch[0]) == BatchRows {
		return c.flush()
	}
	return nil
}

// flush emits the current batch and starts a new one. Each batch gets new
// slices, so emit may keep the Frame it is given (no aliasing surprises for
// callers that collect batches); the cost is one allocation per column per
// 8192 samples, and only one batch is alive at a time unless emit keeps it.
func (c *collector) flush() error {
	if c.problems.any() || len(c.batch) == 0 || len(c.batch[0]) == 0 {
		return nil
	}
	f := Frame{Columns: append([]string(nil), c.names...), Data: c.batch}
	c.batch = make([][]float64, len(c.names))
	c.flushed = true
	return c.emit(f)
}

func (c *collector) summary() Summary {
	return Summary{Rows: c.rows, Columns: append([]string(nil), c.names...), First: c.first, Last: c.last}
}
