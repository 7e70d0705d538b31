-- +goose Up
-- Issue #18: each unit's latest 50 active runs of a kind, any review state
-- or group — what a drop comparison lists per unit (per_unit[].runs): one
-- row a unit rather than 50 index entries. Writes keep it with the
-- summaries (store/unit_lists.go): creates and retractions change it, an
-- amendment only when it moves a run's start.
CREATE TABLE unit_recent (
    unit_id TEXT NOT NULL REFERENCES units(id),
    kind    TEXT NOT NULL,
    -- the unit's active runs of the kind
    n       INTEGER NOT NULL,
    -- 'skey id' entries, oldest first, its 50 latest (as run_tallies.recent)
    recent  TEXT NOT NULL,
    PRIMARY KEY (unit_id, kind)
);

-- unitlists:rebuild
INSERT INTO unit_recent (unit_id, kind, n, recent)
SELECT unit_id, kind, count(*), string_agg(CASE WHEN rn <= 50 THEN skey || ' ' || id END, ',' ORDER BY skey COLLATE "C", id COLLATE "C")
FROM (SELECT unit_id, kind, skey, id, row_number() OVER (PARTITION BY unit_id, kind ORDER BY skey COLLATE "C" DESC, id COLLATE "C" DESC) AS rn
    FROM run_tally_keys WHERE status = 'active') ranked
GROUP BY unit_id, kind;
-- unitlists:end

-- +goose Down
DROP TABLE unit_recent;
