-- 人大票决: candidate rounds, candidates, secret ballots, and the deputies'
-- year-end evaluation of the projects chosen. Conventions as in 00001
-- (keep ../sqlite parallel).
--
-- Secrecy (docs/人大票决.md): who voted (vote_voters) and what was voted
-- (vote_ballots) are two tables with nothing in common but the round. A
-- ballot row has no voter, no time and a random key. Every ballot cast
-- rewrites the round's ballots with new random keys in random order in its
-- own transaction, so that neither a rowid (SQLite), nor heap order (ctid)
-- or the inserting transaction (xmin, PostgreSQL) can pair a ballot with
-- the voter row written beside it. The year-end evaluation is kept the
-- same way.

-- +goose Up

CREATE TABLE vote_rounds (
    id                TEXT PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    year              INTEGER NOT NULL,
    title             TEXT NOT NULL,
    state             TEXT NOT NULL,
    version           INTEGER NOT NULL,
    max_choices       INTEGER NOT NULL DEFAULT 0,
    seats             INTEGER NOT NULL DEFAULT 0,
    result            TEXT NOT NULL DEFAULT '',
    ballots_hash      TEXT NOT NULL DEFAULT '',
    plan_id           TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    opened_at         TEXT,
    closed_at         TEXT,
    adopted_at        TEXT
);
CREATE UNIQUE INDEX vote_rounds_scope ON vote_rounds (jurisdiction_code, year);

CREATE TABLE vote_candidates (
    id             TEXT PRIMARY KEY,
    round_id       TEXT NOT NULL REFERENCES vote_rounds (id),
    seq            INTEGER NOT NULL DEFAULT 0,
    name           TEXT NOT NULL,
    content        TEXT NOT NULL,
    investment_wan TEXT,
    unit_name      TEXT NOT NULL,
    reason         TEXT NOT NULL,
    source         TEXT NOT NULL,
    proposed_by    TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL,
    merged_into    TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL
);
CREATE INDEX vote_candidates_round ON vote_candidates (round_id, state);

CREATE TABLE vote_voters (
    round_id TEXT NOT NULL REFERENCES vote_rounds (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (round_id, user_id)
);

CREATE TABLE vote_ballots (
    id       TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES vote_rounds (id),
    choices  TEXT NOT NULL
);
CREATE INDEX vote_ballots_round ON vote_ballots (round_id);

CREATE TABLE vote_evaluators (
    project_id TEXT NOT NULL REFERENCES projects (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (project_id, user_id)
);

CREATE TABLE vote_evaluations (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    rating     TEXT NOT NULL
);
CREATE INDEX vote_evaluations_project ON vote_evaluations (project_id);

-- +goose Down
DROP TABLE vote_evaluations;
DROP TABLE vote_evaluators;
DROP TABLE vote_ballots;
DROP TABLE vote_voters;
DROP TABLE vote_candidates;
DROP TABLE vote_rounds;
