package store

import "context"

// SchemaVersion is the latest migration applied; 0 for an empty database,
// which commands other than serve and migrate may migrate themselves
// without surprising anyone.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := s.provider()
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}
