-- The monthly cycle: jurisdictions, units, users, sessions, plan versions
-- and their published projects/targets, monthly plans, reports, attachments
-- and the hash-chained audit log.
--
-- Conventions shared with ../sqlite (keep the two files parallel):
--   * IDs are opaque TEXT made by the program;
--   * money and target values are TEXT decimals (exact on both databases);
--   * times are TEXT in UTC, fixed width ("2024-05-31T08:00:00.000000Z"),
--     so text order is time order and audit rows hash identically on both;
--   * booleans are INTEGER 0/1; lists are JSON arrays in TEXT.

-- +goose Up
CREATE TABLE jurisdictions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL DEFAULT '',
    parent_code TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE TABLE units (
    id                TEXT PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    name              TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    UNIQUE (jurisdiction_code, name)
);

CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    username          TEXT NOT NULL UNIQUE,
    display_name      TEXT NOT NULL DEFAULT '',
    password_hash     TEXT NOT NULL,
    role              TEXT NOT NULL,
    unit_id           TEXT REFERENCES units (id),
    jurisdiction_code TEXT REFERENCES jurisdictions (code),
    disabled          INTEGER NOT NULL DEFAULT 0,
    failed_logins     INTEGER NOT NULL DEFAULT 0,
    locked_until      TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX users_unit ON users (unit_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE plans (
    id                TEXT PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    year              INTEGER NOT NULL,
    version           INTEGER NOT NULL,
    state             TEXT NOT NULL,
    rev               INTEGER NOT NULL DEFAULT 1,
    title             TEXT NOT NULL,
    document          TEXT NOT NULL,
    source_text       TEXT NOT NULL DEFAULT '',
    source_sha256     TEXT NOT NULL DEFAULT '',
    changes           TEXT NOT NULL DEFAULT '[]',
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    published_at      TEXT,
    published_by      TEXT NOT NULL DEFAULT '',
    UNIQUE (jurisdiction_code, year, version)
);
CREATE UNIQUE INDEX plans_one_published ON plans (jurisdiction_code, year) WHERE state = 'published';

CREATE TABLE projects (
    id                TEXT PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    year              INTEGER NOT NULL,
    plan_id           TEXT NOT NULL REFERENCES plans (id),
    doc_index         INTEGER NOT NULL,
    seq               INTEGER NOT NULL,
    category_seq      INTEGER,
    category_title    TEXT NOT NULL DEFAULT '',
    title             TEXT NOT NULL,
    text              TEXT NOT NULL DEFAULT '',
    tags              TEXT NOT NULL DEFAULT '[]',
    leaders           TEXT NOT NULL DEFAULT '[]',
    investment_wan    TEXT,
    retired_by        TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX projects_scope ON projects (jurisdiction_code, year, retired_by, seq);
CREATE INDEX projects_plan ON projects (plan_id);

CREATE TABLE project_units (
    project_id TEXT NOT NULL REFERENCES projects (id),
    unit_id    TEXT NOT NULL REFERENCES units (id),
    role       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (project_id, role, unit_id)
);
CREATE INDEX project_units_unit ON project_units (unit_id);

CREATE TABLE targets (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    doc_index  INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    text       TEXT NOT NULL DEFAULT '',
    metric     TEXT NOT NULL,
    comparator TEXT NOT NULL,
    value      TEXT NOT NULL,
    unit       TEXT NOT NULL,
    base_value TEXT,
    base_unit  TEXT,
    kind       TEXT NOT NULL DEFAULT '',
    subproject TEXT,
    retired_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX targets_project ON targets (project_id, retired_by, seq);

CREATE TABLE subprojects (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL REFERENCES projects (id),
    seq            INTEGER NOT NULL,
    name           TEXT NOT NULL,
    content        TEXT,
    investment_wan TEXT,
    locations      TEXT NOT NULL DEFAULT '[]',
    years          TEXT,
    expected       TEXT,
    leaders        TEXT NOT NULL DEFAULT '[]',
    units          TEXT NOT NULL DEFAULT '[]',
    retired_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX subprojects_project ON subprojects (project_id, retired_by, seq);

CREATE TABLE monthly_plans (
    project_id    TEXT PRIMARY KEY REFERENCES projects (id),
    state         TEXT NOT NULL,
    version       INTEGER NOT NULL,
    deadline      TEXT NOT NULL DEFAULT '',
    return_reason TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL DEFAULT '',
    submitted_at  TEXT,
    approved_at   TEXT,
    approved_by   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE monthly_plan_targets (
    project_id TEXT NOT NULL REFERENCES monthly_plans (project_id),
    target_id  TEXT NOT NULL REFERENCES targets (id),
    month      INTEGER NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (project_id, target_id, month)
);
CREATE INDEX monthly_plan_targets_target ON monthly_plan_targets (target_id);

CREATE TABLE monthly_plan_investment (
    project_id TEXT NOT NULL REFERENCES monthly_plans (project_id),
    month      INTEGER NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (project_id, month)
);

CREATE TABLE reports (
    id                TEXT PRIMARY KEY,
    project_id        TEXT NOT NULL REFERENCES projects (id),
    period            TEXT NOT NULL,
    state             TEXT NOT NULL,
    version           INTEGER NOT NULL,
    submitted_version INTEGER NOT NULL DEFAULT 0,
    investment_wan    TEXT,
    disbursed_wan     TEXT,
    progress          TEXT NOT NULL DEFAULT '',
    problems          TEXT NOT NULL DEFAULT '',
    next_steps        TEXT NOT NULL DEFAULT '',
    return_reason     TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL DEFAULT '',
    submitted_at      TEXT,
    submitted_by      TEXT NOT NULL DEFAULT '',
    accepted_at       TEXT,
    accepted_by       TEXT NOT NULL DEFAULT '',
    UNIQUE (project_id, period)
);
CREATE INDEX reports_period_state ON reports (period, state);

CREATE TABLE report_targets (
    report_id TEXT NOT NULL REFERENCES reports (id),
    target_id TEXT NOT NULL REFERENCES targets (id),
    actual    TEXT,
    note      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, target_id)
);
CREATE INDEX report_targets_target ON report_targets (target_id);

CREATE TABLE report_contributions (
    report_id      TEXT NOT NULL REFERENCES reports (id),
    unit_id        TEXT NOT NULL REFERENCES units (id),
    text           TEXT NOT NULL DEFAULT '',
    investment_wan TEXT,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    PRIMARY KEY (report_id, unit_id)
);

CREATE TABLE report_revisions (
    report_id TEXT NOT NULL REFERENCES reports (id),
    seq       INTEGER NOT NULL,
    action    TEXT NOT NULL,
    state     TEXT NOT NULL,
    version   INTEGER NOT NULL,
    actor_id  TEXT NOT NULL,
    at        TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    snapshot  TEXT NOT NULL,
    PRIMARY KEY (report_id, seq)
);

CREATE TABLE attachments (
    sha256       TEXT PRIMARY KEY,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    content      BYTEA NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE report_attachments (
    report_id TEXT NOT NULL REFERENCES reports (id),
    sha256    TEXT NOT NULL REFERENCES attachments (sha256),
    name      TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    added_by  TEXT NOT NULL,
    PRIMARY KEY (report_id, sha256)
);

CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_hash ON audit_log (hash);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- The head of the chain: the last seq and hash, updated in the same
-- transaction as every append. Its row lock serialises appends on
-- PostgreSQL, and it lets verification notice a cut-off tail.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP TABLE report_attachments;
DROP TABLE attachments;
DROP TABLE report_revisions;
DROP TABLE report_contributions;
DROP TABLE report_targets;
DROP TABLE reports;
DROP TABLE monthly_plan_investment;
DROP TABLE monthly_plan_targets;
DROP TABLE monthly_plans;
DROP TABLE subprojects;
DROP TABLE targets;
DROP TABLE project_units;
DROP TABLE projects;
DROP TABLE plans;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE units;
DROP TABLE jurisdictions;
