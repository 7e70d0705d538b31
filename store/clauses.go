package store

import "gorm.io/gorm/clause"

// forUpdate locks the selected row of table until the transaction ends.
// SQLite needs no row lock: an immediate transaction holds the write lock.
func forUpdate(table string) clause.Locking {
	return clause.Locking{Strength: clause.LockingStrengthUpdate, Table: clause.Table{Name: table}}
}
