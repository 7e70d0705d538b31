-- +goose Up
-- Per-unit summaries (issue #18 item 1): statistics are counted over units,
-- so they are computed from one row per group of a unit's active runs that
-- share kind, review state and every evidence column (store/evidence.go),
-- with the group's run count, battery runtime sum and count, and its 50
-- latest run ids. Writes keep it current in their own transaction
-- (store/tallies.go); `ruggedlab summaries rebuild` recomputes it.
--
-- run_tally_keys gives each run its group: gkey encodes the evidence
-- columns with NULL as a value ('~'), text length-prefixed and floats
-- exactly, so that equal tuples and only they share a key (a primary key
-- cannot hold NULLs); skey is started_at as fixed-width UTC text, so that
-- text order is time order on both engines.
CREATE VIEW run_tally_keys AS
SELECT id, unit_id, handset_id, kind, review_state, status, started_at, runtime_h,
    height_m, surface, protective_case, planned_drops, drops_completed, first_failure_drop, worst_severity, procedure, setpoint_c, low_c, high_c, cycles, dwell_min, passed, shutdown_observed, ip_code, medium, depth_m, duration_min, ingress_found, functional_after, protocol, brightness_nits, ambient_c, part, disassembly_steps, fasteners, tools, disassembly_s, reassembly_s,
    CAST(started_at AS TEXT) AS skey,
    CASE WHEN height_m IS NULL THEN '~' ELSE printf('%.17g', height_m) END
        || '|' || CASE WHEN surface IS NULL THEN '~' ELSE length(surface) || ':' || surface END
        || '|' || CASE WHEN protective_case IS NULL THEN '~' ELSE CAST(protective_case AS TEXT) END
        || '|' || CASE WHEN planned_drops IS NULL THEN '~' ELSE CAST(planned_drops AS TEXT) END
        || '|' || CASE WHEN drops_completed IS NULL THEN '~' ELSE CAST(drops_completed AS TEXT) END
        || '|' || CASE WHEN first_failure_drop IS NULL THEN '~' ELSE CAST(first_failure_drop AS TEXT) END
        || '|' || CASE WHEN worst_severity IS NULL THEN '~' ELSE CAST(worst_severity AS TEXT) END
        || '|' || CASE WHEN procedure IS NULL THEN '~' ELSE length(procedure) || ':' || procedure END
        || '|' || CASE WHEN setpoint_c IS NULL THEN '~' ELSE printf('%.17g', setpoint_c) END
        || '|' || CASE WHEN low_c IS NULL THEN '~' ELSE printf('%.17g', low_c) END
        || '|' || CASE WHEN high_c IS NULL THEN '~' ELSE printf('%.17g', high_c) END
        || '|' || CASE WHEN cycles IS NULL THEN '~' ELSE CAST(cycles AS TEXT) END
        || '|' || CASE WHEN dwell_min IS NULL THEN '~' ELSE printf('%.17g', dwell_min) END
        || '|' || CASE WHEN passed IS NULL THEN '~' ELSE CAST(passed AS TEXT) END
        || '|' || CASE WHEN shutdown_observed IS NULL THEN '~' ELSE CAST(shutdown_observed AS TEXT) END
        || '|' || CASE WHEN ip_code IS NULL THEN '~' ELSE length(ip_code) || ':' || ip_code END
        || '|' || CASE WHEN medium IS NULL THEN '~' ELSE length(medium) || ':' || medium END
        || '|' || CASE WHEN depth_m IS NULL THEN '~' ELSE printf('%.17g', depth_m) END
        || '|' || CASE WHEN duration_min IS NULL THEN '~' ELSE printf('%.17g', duration_min) END
        || '|' || CASE WHEN ingress_found IS NULL THEN '~' ELSE CAST(ingress_found AS TEXT) END
        || '|' || CASE WHEN functional_after IS NULL THEN '~' ELSE CAST(functional_after AS TEXT) END
        || '|' || CASE WHEN protocol IS NULL THEN '~' ELSE length(protocol) || ':' || protocol END
        || '|' || CASE WHEN brightness_nits IS NULL THEN '~' ELSE printf('%.17g', brightness_nits) END
        || '|' || CASE WHEN ambient_c IS NULL THEN '~' ELSE printf('%.17g', ambient_c) END
        || '|' || CASE WHEN part IS NULL THEN '~' ELSE length(part) || ':' || part END
        || '|' || CASE WHEN disassembly_steps IS NULL THEN '~' ELSE CAST(disassembly_steps AS TEXT) END
        || '|' || CASE WHEN fasteners IS NULL THEN '~' ELSE length(fasteners) || ':' || fasteners END
        || '|' || CASE WHEN tools IS NULL THEN '~' ELSE length(tools) || ':' || tools END
        || '|' || CASE WHEN disassembly_s IS NULL THEN '~' ELSE printf('%.17g', disassembly_s) END
        || '|' || CASE WHEN reassembly_s IS NULL THEN '~' ELSE printf('%.17g', reassembly_s) END AS gkey
FROM runs;

CREATE TABLE run_tallies (
    unit_id            TEXT NOT NULL REFERENCES units(id),
    kind               TEXT NOT NULL,
    review_state       TEXT NOT NULL,
    gkey               TEXT NOT NULL,
    handset_id         TEXT NOT NULL REFERENCES handsets(id),
    height_m           REAL,
    surface            TEXT,
    protective_case    BOOLEAN,
    planned_drops      INTEGER,
    drops_completed    INTEGER,
    first_failure_drop INTEGER,
    worst_severity     INTEGER,
    procedure          TEXT,
    setpoint_c         REAL,
    low_c              REAL,
    high_c             REAL,
    cycles             INTEGER,
    dwell_min          REAL,
    passed             BOOLEAN,
    shutdown_observed  BOOLEAN,
    ip_code            TEXT,
    medium             TEXT,
    depth_m            REAL,
    duration_min       REAL,
    ingress_found      BOOLEAN,
    functional_after   BOOLEAN,
    protocol           TEXT,
    brightness_nits    REAL,
    ambient_c          REAL,
    part               TEXT,
    disassembly_steps  INTEGER,
    fasteners          TEXT,
    tools              TEXT,
    disassembly_s      REAL,
    reassembly_s       REAL,
    n                  INTEGER NOT NULL,
    runtime_sum        REAL NOT NULL DEFAULT 0,
    runtime_n          INTEGER NOT NULL DEFAULT 0,
    -- 'skey id' entries, oldest first, the group's 50 latest runs.
    recent             TEXT NOT NULL,
    PRIMARY KEY (unit_id, kind, review_state, gkey)
);
CREATE INDEX run_tallies_kind_handset ON run_tallies (kind, handset_id);

-- tallies:rebuild
INSERT INTO run_tallies (unit_id, kind, review_state, gkey, handset_id, height_m, surface, protective_case, planned_drops, drops_completed, first_failure_drop, worst_severity, procedure, setpoint_c, low_c, high_c, cycles, dwell_min, passed, shutdown_observed, ip_code, medium, depth_m, duration_min, ingress_found, functional_after, protocol, brightness_nits, ambient_c, part, disassembly_steps, fasteners, tools, disassembly_s, reassembly_s, n, runtime_sum, runtime_n, recent)
SELECT unit_id, kind, review_state, gkey, handset_id, height_m, surface, protective_case, planned_drops, drops_completed, first_failure_drop, worst_severity, procedure, setpoint_c, low_c, high_c, cycles, dwell_min, passed, shutdown_observed, ip_code, medium, depth_m, duration_min, ingress_found, functional_after, protocol, brightness_nits, ambient_c, part, disassembly_steps, fasteners, tools, disassembly_s, reassembly_s,
    count(*), coalesce(sum(runtime_h), 0), count(runtime_h),
    group_concat(CASE WHEN rn <= 50 THEN skey || ' ' || id END, ',' ORDER BY skey, id)
FROM (SELECT k.*, row_number() OVER (PARTITION BY unit_id, kind, review_state, gkey ORDER BY skey DESC, id DESC) AS rn
    FROM run_tally_keys k WHERE status = 'active') ranked
GROUP BY unit_id, kind, review_state, gkey, handset_id, height_m, surface, protective_case, planned_drops, drops_completed, first_failure_drop, worst_severity, procedure, setpoint_c, low_c, high_c, cycles, dwell_min, passed, shutdown_observed, ip_code, medium, depth_m, duration_min, ingress_found, functional_after, protocol, brightness_nits, ambient_c, part, disassembly_steps, fasteners, tools, disassembly_s, reassembly_s;
-- tallies:end

-- +goose Down
DROP TABLE run_tallies;
DROP VIEW run_tally_keys;
