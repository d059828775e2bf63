-- Identity rules of issue 7 (GB/T 22239-2019 身份鉴别): when a password was
-- set and whether its owner must change it at the next login (a password
-- an administrator chose, or one past its age), the hashes of earlier
-- passwords (no reuse of the last N), and the TOTP second factor: its
-- secret and the last time step used (a code works once). Conventions as
-- in 00001 (keep ../sqlite and ../postgres parallel).

-- +goose Up
ALTER TABLE users ADD COLUMN password_changed_at TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

CREATE TABLE password_history (
    user_id    TEXT NOT NULL REFERENCES users (id),
    hash       TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, changed_at);

-- +goose Down
DROP TABLE password_history;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_secret;
ALTER TABLE users DROP COLUMN must_change_password;
ALTER TABLE users DROP COLUMN password_changed_at;
