-- On-site inspections (实地督查) and the carry-over of multi-year projects
-- into next year's plan. Conventions as in 00001 (keep ../postgres
-- parallel).

-- +goose Up

-- One row per visit. Never deleted: a visit is evidence.
CREATE TABLE inspections (
    id                TEXT PRIMARY KEY,
    project_id        TEXT NOT NULL REFERENCES projects (id),
    jurisdiction_code TEXT NOT NULL,
    year              INTEGER NOT NULL,
    visit_date        TEXT NOT NULL,
    inspectors        TEXT NOT NULL DEFAULT '[]',
    place             TEXT NOT NULL DEFAULT '',
    narrative         TEXT NOT NULL DEFAULT '',
    discrepant        INTEGER NOT NULL DEFAULT 0,
    letter_id         TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL
);
CREATE INDEX inspections_project ON inspections (project_id, visit_date);
CREATE INDEX inspections_scope ON inspections (jurisdiction_code, visit_date);

-- What was found per target against the figure last reported (a snapshot:
-- period is the month of the report checked, '' when none). short marks a
-- finding below the reported figure beyond the tolerance: that report is
-- 核查不符.
CREATE TABLE inspection_findings (
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    seq           INTEGER NOT NULL,
    target_id     TEXT NOT NULL REFERENCES targets (id),
    period        TEXT NOT NULL DEFAULT '',
    reported      TEXT,
    found         TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    short         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (inspection_id, seq)
);
CREATE INDEX inspection_findings_report ON inspection_findings (target_id, period);

-- Photos, stored once per SHA-256 in attachments.
CREATE TABLE inspection_photos (
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    sha256        TEXT NOT NULL REFERENCES attachments (sha256),
    name          TEXT NOT NULL,
    added_at      TEXT NOT NULL,
    added_by      TEXT NOT NULL,
    PRIMARY KEY (inspection_id, sha256)
);

-- The supervisor's carry-over decisions on a draft plan: which project
-- (subproject '') or sub-project of the draft continues which of last
-- year's, and a multi-year sub-project's year-end share. Applied at
-- publication (project_predecessors, subproject_predecessors). A row of
-- project_index -1 marks that the supervisor saved the decisions (so that
-- "nothing continues" differs from "not yet reviewed").
CREATE TABLE carryover_links (
    plan_id            TEXT NOT NULL REFERENCES plans (id),
    project_index      INTEGER NOT NULL,
    subproject         TEXT NOT NULL DEFAULT '',
    prev_project_id    TEXT NOT NULL DEFAULT '',
    prev_subproject_id TEXT NOT NULL DEFAULT '',
    score              TEXT NOT NULL DEFAULT '0',
    year_end           TEXT,
    reached_before     TEXT,
    PRIMARY KEY (plan_id, project_index, subproject)
);

-- A published project or sub-project and the one of last year it
-- continues. IDs survive new versions of the plan, so the links do too.
CREATE TABLE project_predecessors (
    project_id      TEXT PRIMARY KEY REFERENCES projects (id),
    prev_project_id TEXT NOT NULL REFERENCES projects (id)
);
CREATE INDEX project_predecessors_prev ON project_predecessors (prev_project_id);

CREATE TABLE subproject_predecessors (
    subproject_id      TEXT PRIMARY KEY REFERENCES subprojects (id),
    prev_subproject_id TEXT NOT NULL REFERENCES subprojects (id),
    reached_before     TEXT
);

-- +goose Down
DROP TABLE subproject_predecessors;
DROP TABLE project_predecessors;
DROP TABLE carryover_links;
DROP TABLE inspection_photos;
DROP TABLE inspection_findings;
DROP TABLE inspections;
