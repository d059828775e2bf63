-- The public portal and residents' feedback: what the supervisor released
-- of accepted reports, residents' comments (moderated before they show),
-- satisfaction votes, and the codes of phone verification. Conventions as
-- in 00001 (keep ../postgres parallel). Personal data (a resident's phone
-- number and name) is stored only sealed (internal/sealed, SM4-GCM) with
-- a key that is not in the database; *_index columns are keyed HMAC-SM3
-- fingerprints, never the value.

-- +goose Up

-- A supervisor's release of an accepted report: which fields go public.
-- It holds for report_version only; a report reopened and accepted again
-- is a new version and shows only the defaults until released again.
CREATE TABLE report_releases (
    report_id      TEXT PRIMARY KEY REFERENCES reports (id),
    report_version INTEGER NOT NULL,
    progress       INTEGER NOT NULL,
    problems       INTEGER NOT NULL,
    next_steps     INTEGER NOT NULL,
    released_at    TEXT NOT NULL,
    released_by    TEXT NOT NULL
);

-- The photos of a release: only these attachments are served publicly.
CREATE TABLE report_public_photos (
    report_id TEXT NOT NULL REFERENCES report_releases (report_id),
    sha256    TEXT NOT NULL REFERENCES attachments (sha256),
    PRIMARY KEY (report_id, sha256)
);
CREATE INDEX report_public_photos_sha ON report_public_photos (sha256);

CREATE TABLE resident_comments (
    id           TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects (id),
    body         TEXT NOT NULL,
    name_sealed  TEXT NOT NULL DEFAULT '',
    phone_sealed TEXT NOT NULL DEFAULT '',
    device       TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    moderated_at TEXT,
    moderated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX resident_comments_project ON resident_comments (project_id, state, created_at);
CREATE INDEX resident_comments_state ON resident_comments (state, created_at);

-- One vote per project and voter: a device token, or a verified phone
-- number's index when verification is on. A revote replaces the row.
CREATE TABLE satisfaction_votes (
    project_id   TEXT NOT NULL REFERENCES projects (id),
    voter        TEXT NOT NULL,
    choice       TEXT NOT NULL,
    phone_sealed TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (project_id, voter)
);

-- The last code sent to a phone number (by index): its SM3 hash, expiry
-- and the wrong tries so far.
CREATE TABLE phone_codes (
    phone_index TEXT PRIMARY KEY,
    code_hash   TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE phone_codes;
DROP TABLE satisfaction_votes;
DROP TABLE resident_comments;
DROP TABLE report_public_photos;
DROP TABLE report_releases;
