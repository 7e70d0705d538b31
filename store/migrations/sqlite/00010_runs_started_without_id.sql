-- +goose Up
-- Nothing to change on SQLite: PostgreSQL's 00010 drops id from
-- runs_started so that its foreign-key checks cannot pick that index, but
-- SQLite checks a foreign key through the parent's primary key only. The
-- file keeps both engines' migration numbers in step.
SELECT 1;

-- +goose Down
SELECT 1;
