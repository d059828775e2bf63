-- Derived data for reading at scale: the roll-up facts Store.Rollup sums,
-- kept per project and month by the write transactions that change their
-- inputs (see rollupfacts.go and the package comment of store.go), rebuilt
-- whole when the rules they were computed under change (rollup_basis); and
-- a summary of each plan for lists. Conventions as in 00001 (keep
-- ../sqlite and ../postgres parallel).

-- +goose Up

-- One row per project in force and month of its year. The key leads with
-- the month and the jurisdiction, so that a roll-up reads one range.
CREATE TABLE rollup_facts (
    period            TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    project_id        TEXT NOT NULL,
    state             TEXT NOT NULL,              -- the month's report state, 'none' without one
    open              INTEGER NOT NULL DEFAULT 0, -- 1: no report or a draft; late once the month is overdue
    late              INTEGER NOT NULL DEFAULT 0, -- 1: submitted (or accepted) after the due day
    status            TEXT NOT NULL,              -- plan.Status, an open month taken as not yet overdue
    planned_wan       TEXT,
    actual_wan        TEXT,
    disbursed_wan     TEXT,
    PRIMARY KEY (period, jurisdiction_code, project_id)
) WITHOUT ROWID;
CREATE INDEX rollup_facts_project ON rollup_facts (project_id);

-- The facts of a jurisdiction's projects for a month, summed (kept with
-- the facts): a national roll-up reads a row per county, not per project.
-- by_state and by_status are JSON counts; open counts the open months,
-- open_due those of them whose status is 临期 (未报送 once overdue).
CREATE TABLE rollup_totals (
    period            TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    projects          INTEGER NOT NULL,
    by_state          TEXT NOT NULL,
    by_status         TEXT NOT NULL,
    late              INTEGER NOT NULL,
    open              INTEGER NOT NULL,
    open_due          INTEGER NOT NULL,
    planned_wan       TEXT NOT NULL,
    actual_wan        TEXT NOT NULL,
    disbursed_wan     TEXT NOT NULL,
    PRIMARY KEY (period, jurisdiction_code)
) WITHOUT ROWID;

-- The rules the facts were computed under (due day, thresholds, version of
-- the computation); '' until the first full computation.
CREATE TABLE rollup_basis (
    id    INTEGER PRIMARY KEY,
    basis TEXT NOT NULL
);
INSERT INTO rollup_basis (id, basis) VALUES (1, '');

-- What a list of plans shows of a plan's document (store.PlanSummary:
-- jurisdiction, doc_number, project_count, finding_count), so that the
-- list reads no document.
ALTER TABLE plans ADD COLUMN summary TEXT NOT NULL DEFAULT '{}';
UPDATE plans SET summary = json_object(
    'jurisdiction', json(json_extract(document, '$.jurisdiction')),
    'doc_number', json_extract(document, '$.doc_number'),
    'project_count', COALESCE(json_array_length(document, '$.projects'), 0),
    'finding_count', COALESCE(json_array_length(document, '$.findings'), 0));

-- +goose Down
ALTER TABLE plans DROP COLUMN summary;
DROP TABLE rollup_basis;
DROP TABLE rollup_totals;
DROP TABLE rollup_facts;
