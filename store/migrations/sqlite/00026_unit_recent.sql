-- +goose Up
-- Issue #18: each unit's latest 50 active runs of a kind, any review state
-- or group — what a drop comparison lists per unit (per_unit[].runs). Read
-- from the runs_unit_kind index it was 3,550 index entries at 100,000 runs,
-- a third of the answer's time on SQLite; kept here it is one row a unit.
-- Writes keep it with the summaries (store/unit_lists.go): creates and
-- retractions change it, an amendment only when it moves a run's start.
CREATE TABLE unit_recent (
    unit_id TEXT NOT NULL REFERENCES units(id),
    kind    TEXT NOT NULL,
    -- the unit's active runs of the kind
    n       INTEGER NOT NULL,
    -- 'skey id' entries, oldest first, its 50 latest (as run_tallies.recent)
    recent  TEXT NOT NULL,
    PRIMARY KEY (unit_id, kind)
) WITHOUT ROWID;

-- unitlists:rebuild
INSERT INTO unit_recent (unit_id, kind, n, recent)
SELECT unit_id, kind, count(*), group_concat(CASE WHEN rn <= 50 THEN skey || ' ' || id END, ',' ORDER BY skey, id)
FROM (SELECT unit_id, kind, skey, id, row_number() OVER (PARTITION BY unit_id, kind ORDER BY skey DESC, id DESC) AS rn
    FROM run_tally_keys WHERE status = 'active') ranked
GROUP BY unit_id, kind;
-- unitlists:end

-- +goose Down
DROP TABLE unit_recent;
