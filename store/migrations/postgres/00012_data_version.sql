-- +goose Up
-- The data version (issue #18): one counter that every data write raises in
-- its own transaction (store.writeTx and RecordAudit, which records an
-- unmask), so an answer computed at version n stays right until n changes.
-- Series are written outside writeTx (streamed, COPY), so a statement-level
-- trigger raises it for them.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO data_version (id, n) VALUES (1, 1);
-- +goose StatementBegin
CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER data_version_series AFTER INSERT OR UPDATE OR DELETE ON series
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();

-- +goose Down
DROP TRIGGER data_version_series ON series;
DROP FUNCTION data_version_bump();
DROP TABLE data_version;
