-- Reminders: the units' addresses (e-mail, group-robot webhook) and the
-- outbox of reminders to send. Conventions as in 00001 (keep ../sqlite
-- parallel).

-- +goose Up

-- Where a unit is reminded, set by the admin. webhook_kind is wecom
-- (企业微信群机器人) or dingtalk (钉钉群机器人); webhook_secret is DingTalk's
-- optional signing secret.
CREATE TABLE unit_contacts (
    unit_id        TEXT PRIMARY KEY REFERENCES units (id),
    email          TEXT NOT NULL DEFAULT '',
    webhook_kind   TEXT NOT NULL DEFAULT '',
    webhook_url    TEXT NOT NULL DEFAULT '',
    webhook_secret TEXT NOT NULL DEFAULT '',
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL
);

-- One row per reminder and channel. rkey is the reminder's idempotency
-- key (kind, unit, project or letter, period, step): the unique index
-- makes enqueueing the same reminder again a no-op, across restarts and
-- servers. A sender claims a due row by setting lease_until; a row whose
-- lease ran out without being marked sent is claimed again.
CREATE TABLE outbox (
    id                TEXT PRIMARY KEY,
    rkey              TEXT NOT NULL,
    channel           TEXT NOT NULL,
    address           TEXT NOT NULL,
    secret            TEXT NOT NULL DEFAULT '',
    jurisdiction_code TEXT NOT NULL,
    unit_id           TEXT NOT NULL DEFAULT '',
    kind              TEXT NOT NULL,
    subject           TEXT NOT NULL,
    body              TEXT NOT NULL,
    state             TEXT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TEXT NOT NULL,
    lease_until       TEXT,
    last_error        TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    sent_at           TEXT
);
CREATE UNIQUE INDEX outbox_key ON outbox (rkey, channel);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_scope ON outbox (jurisdiction_code, created_at);

-- +goose Down
DROP TABLE outbox;
DROP TABLE unit_contacts;
