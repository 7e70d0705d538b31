-- +goose Up
-- Each audit entry stores the SHA-256 of its canonical content and of the
-- previous entry's hash (store/audit.go), so an edit or a deletion breaks
-- the chain that "ruggedlab audit verify" walks. Entries written before
-- this migration have hash '' until Store.Migrate seals them in id order.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';

-- Append-only: UPDATE, DELETE and TRUNCATE are refused, except sealing an
-- entry written before the chain (hash '' → its hash, nothing else).
-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.hash = '' AND NEW.hash <> ''
       AND (NEW.id, NEW.at, NEW.account, NEW.role, NEW.request_id, NEW.method, NEW.route, NEW.path, NEW.status, NEW.detail, NEW.address)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.account, OLD.role, OLD.request_id, OLD.method, OLD.route, OLD.path, OLD.status, OLD.detail, OLD.address) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TRIGGER audit_log_no_truncate ON audit_log;
DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION audit_log_append_only();
ALTER TABLE audit_log DROP COLUMN hash;
ALTER TABLE audit_log DROP COLUMN prev_hash;
