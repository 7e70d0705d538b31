-- +goose Up
-- Each audit entry stores the SHA-256 of its canonical content and of the
-- previous entry's hash (store/audit.go), so an edit or a deletion breaks
-- the chain that "ruggedlab audit verify" walks. Entries written before
-- this migration have hash '' until Store.Migrate seals them in id order.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';

-- Append-only: an entry may only be sealed once (hash '' → its hash).
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.hash <> '' OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.account IS NOT OLD.account
  OR NEW.role IS NOT OLD.role OR NEW.request_id IS NOT OLD.request_id OR NEW.method IS NOT OLD.method
  OR NEW.route IS NOT OLD.route OR NEW.path IS NOT OLD.path OR NEW.status IS NOT OLD.status
  OR NEW.detail IS NOT OLD.detail OR NEW.address IS NOT OLD.address
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
ALTER TABLE audit_log DROP COLUMN hash;
ALTER TABLE audit_log DROP COLUMN prev_hash;
