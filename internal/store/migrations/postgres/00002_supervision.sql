-- Supervision: the status history of projects per month, and the letters
-- of the escalation ladder (工作提示函, 督办函) with their events and the
-- units' evidence. Conventions as in 00001 (keep ../postgres parallel).

-- +goose Up

-- One row per project, month and computation. The row whose superseded_at
-- is NULL is the current status of that month; a recomputation that
-- changes it stamps the old row and adds a new one, so the history of a
-- month (what it showed when a letter was drafted, and after a correction)
-- is kept. basis fingerprints the inputs the row was computed from.
CREATE TABLE project_statuses (
    id                TEXT PRIMARY KEY,
    project_id        TEXT NOT NULL REFERENCES projects (id),
    jurisdiction_code TEXT NOT NULL,
    year              INTEGER NOT NULL,
    period            TEXT NOT NULL,
    status            TEXT NOT NULL,
    behind            INTEGER NOT NULL DEFAULT 0,
    run               INTEGER NOT NULL DEFAULT 0,
    due_soon          INTEGER NOT NULL DEFAULT 0,
    ratio             TEXT NOT NULL DEFAULT '1',
    reason            TEXT NOT NULL DEFAULT '',
    detail            TEXT NOT NULL DEFAULT '{}',
    basis             TEXT NOT NULL,
    computed_at       TEXT NOT NULL,
    superseded_at     TEXT
);
CREATE UNIQUE INDEX project_statuses_current ON project_statuses (project_id, period) WHERE superseded_at IS NULL;
CREATE INDEX project_statuses_scope ON project_statuses (jurisdiction_code, year, period);

CREATE TABLE letters (
    id                TEXT PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    year              INTEGER NOT NULL,
    project_id        TEXT NOT NULL REFERENCES projects (id),
    kind              TEXT NOT NULL,
    state             TEXT NOT NULL,
    version           INTEGER NOT NULL,
    period            TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT '',
    reason            TEXT NOT NULL DEFAULT '',
    serial            INTEGER NOT NULL DEFAULT 0,
    doc_number        TEXT NOT NULL DEFAULT '',
    title             TEXT NOT NULL,
    recipients        TEXT NOT NULL DEFAULT '[]',
    cc                TEXT NOT NULL DEFAULT '[]',
    body              TEXT NOT NULL DEFAULT '',
    issuer            TEXT NOT NULL DEFAULT '',
    response_days     INTEGER NOT NULL DEFAULT 0,
    due_date          TEXT NOT NULL DEFAULT '',
    issued_at         TEXT,
    issued_by         TEXT NOT NULL DEFAULT '',
    answer            TEXT NOT NULL DEFAULT '',
    answered_at       TEXT,
    answered_by       TEXT NOT NULL DEFAULT '',
    note              TEXT NOT NULL DEFAULT '',
    closed_at         TEXT,
    closed_by         TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL DEFAULT ''
);
-- Serial numbers are yearly per jurisdiction and kind, never reused.
CREATE UNIQUE INDEX letters_serial ON letters (jurisdiction_code, year, kind, serial) WHERE serial > 0;
CREATE INDEX letters_project ON letters (project_id, period);
CREATE INDEX letters_scope ON letters (jurisdiction_code, year, state);

CREATE TABLE letter_events (
    letter_id TEXT NOT NULL REFERENCES letters (id),
    seq       INTEGER NOT NULL,
    action    TEXT NOT NULL,
    state     TEXT NOT NULL,
    actor_id  TEXT NOT NULL,
    at        TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (letter_id, seq)
);

-- The unit's evidence, stored once per SHA-256 in attachments.
CREATE TABLE letter_attachments (
    letter_id TEXT NOT NULL REFERENCES letters (id),
    sha256    TEXT NOT NULL REFERENCES attachments (sha256),
    name      TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    added_by  TEXT NOT NULL,
    PRIMARY KEY (letter_id, sha256)
);

-- +goose Down
DROP TABLE letter_attachments;
DROP TABLE letter_events;
DROP TABLE letters;
DROP TABLE project_statuses;
