package models

// ColumnSetter is SetColumn for runs of kind k with the field lookup done
// once: a bulk import sets every cell of every row, and SetColumn builds the
// kind's field list on each call (that alone held imports to ~9k rows/s).
func ColumnSetter(k Kind) func(r *Run, column, cell string) string {
	byName := map[string]field[Run]{}
	for _, f := range runFields(k) {
		if f.nested == nil {
			byName[f.Name] = f
		}
	}
	return func(r *Run, column, cell string) string {
		f, ok := byName[column]
		if !ok {
			return "is not a column of a " + string(k) + " run"
		}
		return setText(f, cell, f.ref(r))
	}
}
