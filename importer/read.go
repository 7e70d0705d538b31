package importer

import (
	"io"

	"ruggedlab/models"
)

// ReadRuns reads a whole run file of kind k, calling fn for each row that
// has the right number of fields (rows with problems included, so fn can add
// its own through the reader). It returns the number of data rows and, at
// the end, every problem (Invalid), or the first Malformed or read error, or
// fn's error.
func ReadRuns(src io.Reader, k models.Kind, fn func(*Reader[models.Run], Row[models.Run]) error) (int, error) {
	rd, err := NewRunReader(src, k)
	if err != nil {
		return 0, err
	}
	return readAll(rd, fn)
}

// ReadUnits is ReadRuns for a units file.
func ReadUnits(src io.Reader, fn func(*Reader[models.Unit], Row[models.Unit]) error) (int, error) {
	rd, err := NewUnitReader(src)
	if err != nil {
		return 0, err
	}
	return readAll(rd, fn)
}

func readAll[T any](rd *Reader[T], fn func(*Reader[T], Row[T]) error) (int, error) {
	for {
		row, err := rd.Next()
		if err == io.EOF {
			return rd.Rows(), rd.Err()
		}
		if err != nil {
			return rd.Rows(), err
		}
		if fn != nil {
			if err := fn(rd, row); err != nil {
				return rd.Rows(), err
			}
		}
	}
}
