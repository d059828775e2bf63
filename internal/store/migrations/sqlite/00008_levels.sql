-- Levels: a city's (or province's) targets split among the jurisdictions
-- directly below it (任务分解) with the shares' monthly figures; links
-- between a higher plan's project and the lower plan's project that
-- repeats it; and the supervisors' mapping of a target to a canonical
-- indicator (internal/indicator) where the data file's phrases do not
-- reach. Conventions as in 00001 (keep ../sqlite and ../postgres parallel).

-- +goose Up

-- One row per split target and lower jurisdiction. county_target_id is
-- the lower plan's own target for the same work, when a confirmed link
-- says its plan repeats the project: its reports then give the share's
-- figures, and the unit does not report twice.
CREATE TABLE target_shares (
    id                TEXT PRIMARY KEY,
    target_id         TEXT NOT NULL REFERENCES targets (id),
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    unit_id           TEXT NOT NULL REFERENCES units (id),
    value             TEXT NOT NULL,
    county_target_id  TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL,
    UNIQUE (target_id, jurisdiction_code)
);
CREATE INDEX target_shares_scope ON target_shares (jurisdiction_code);
CREATE INDEX target_shares_unit ON target_shares (unit_id);

-- The share's cumulative figure of a month, as its unit reported it.
CREATE TABLE share_reports (
    share_id    TEXT NOT NULL REFERENCES target_shares (id),
    period      TEXT NOT NULL,
    actual      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    reported_at TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    PRIMARY KEY (share_id, period)
);

-- lower_project_id is the lower plan's repeat of upper_project_id; a
-- project repeats at most one higher project.
CREATE TABLE project_links (
    id               TEXT PRIMARY KEY,
    upper_project_id TEXT NOT NULL REFERENCES projects (id),
    lower_project_id TEXT NOT NULL UNIQUE REFERENCES projects (id),
    score            TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL
);
CREATE INDEX project_links_upper ON project_links (upper_project_id);

-- indicator_id '' says the target measures no canonical indicator, even
-- if a phrase of the data file matches it.
CREATE TABLE indicator_overrides (
    target_id    TEXT PRIMARY KEY REFERENCES targets (id),
    indicator_id TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL
);

-- +goose Down
DROP TABLE indicator_overrides;
DROP TABLE project_links;
DROP TABLE share_reports;
DROP TABLE target_shares;
