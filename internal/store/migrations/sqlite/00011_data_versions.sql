-- Data versions per jurisdiction-year (issue 6): the audit seq and time of
-- the last write confined to one jurisdiction's year (its reports, their
-- releases, monthly plans, statuses, residents' comments and votes), and
-- in the row ('', 0) of the last write that is not. A public page of a
-- plan or project is current while both its rows stand still, so a write
-- to one county's reports no longer drops every other plan's cached
-- pages. Kept in the audited write's own transaction (tx.auditIn).
-- Conventions as in 00001 (keep ../sqlite and ../postgres parallel).

-- +goose Up
CREATE TABLE data_versions (
    jurisdiction_code TEXT NOT NULL,
    year              INTEGER NOT NULL,
    seq               BIGINT NOT NULL,
    at                TEXT NOT NULL,
    PRIMARY KEY (jurisdiction_code, year)
);
-- Until now every write counted for everything: start from the last one.
INSERT INTO data_versions (jurisdiction_code, year, seq, at)
SELECT '', 0, h.seq, COALESCE(l.at, '') FROM audit_head h LEFT JOIN audit_log l ON l.seq = h.seq WHERE h.id = 1;

-- +goose Down
DROP TABLE data_versions;
