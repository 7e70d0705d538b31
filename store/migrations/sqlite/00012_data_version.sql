-- +goose Up
-- The data version (issue #18): one counter that every data write raises in
-- its own transaction (store.writeTx and RecordAudit, which records an
-- unmask), so an answer computed at version n stays right until n changes.
-- Series are written outside writeTx (streamed), so triggers raise it for them.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO data_version (id, n) VALUES (1, 1);
-- +goose StatementBegin
CREATE TRIGGER data_version_series_insert AFTER INSERT ON series BEGIN
    UPDATE data_version SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER data_version_series_update AFTER UPDATE ON series BEGIN
    UPDATE data_version SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER data_version_series_delete AFTER DELETE ON series BEGIN
    UPDATE data_version SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER data_version_series_delete;
DROP TRIGGER data_version_series_update;
DROP TRIGGER data_version_series_insert;
DROP TABLE data_version;
