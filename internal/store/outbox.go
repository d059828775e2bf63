package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"minsheng/internal/plan"
)

// The outbox of reminders (internal/notify decides what to send and sends
// it). A reminder is enqueued once per idempotency key and channel
// (INSERT … ON CONFLICT DO NOTHING on a unique index), so a scheduler that
// runs again, or on another server, or after a restart, adds nothing. A
// sender claims due rows with a lease, delivers, and marks them sent; a
// row whose sender died before marking it is claimed again when the lease
// runs out — delivery is at least once (notify's package comment says
// what receivers see).
//
// Enqueueing and the final outcome (sent, or failed for good) are
// audited; claims and retries are delivery bookkeeping and are not, like
// TouchSession.

// Outbox states.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// OutboxMessage is one reminder on one channel.
type OutboxMessage struct {
	ID      string `json:"id"`
	Key     string `json:"key"`
	Channel string `json:"channel"` // email, wecom, dingtalk
	Address string `json:"address"` // e-mail address or webhook URL
	// Secret is DingTalk's signing secret, never shown.
	Secret           string     `json:"-"`
	JurisdictionCode string     `json:"jurisdiction_code"`
	UnitID           string     `json:"unit_id"`
	Kind             string     `json:"kind"`
	Subject          string     `json:"subject"`
	Body             string     `json:"body"`
	State            string     `json:"state"`
	Attempts         int        `json:"attempts"`
	NextAttemptAt    time.Time  `json:"next_attempt_at"`
	LastError        string     `json:"last_error"`
	CreatedAt        time.Time  `json:"created_at"`
	SentAt           *time.Time `json:"sent_at,omitempty"`
}

const outboxColumns = `id, rkey, channel, address, secret, jurisdiction_code, unit_id, kind, subject, body, state, attempts,
	next_attempt_at, last_error, created_at, sent_at`

func scanOutbox(r interface{ Scan(...any) error }) (OutboxMessage, error) {
	var m OutboxMessage
	var next, created string
	var sent sql.NullString
	err := r.Scan(&m.ID, &m.Key, &m.Channel, &m.Address, &m.Secret, &m.JurisdictionCode, &m.UnitID, &m.Kind, &m.Subject, &m.Body,
		&m.State, &m.Attempts, &next, &m.LastError, &created, &sent)
	m.NextAttemptAt, m.CreatedAt, m.SentAt = parseTS(next), parseTS(created), parseTSPtr(sent)
	return m, err
}

// outboxAudit is what the audit log keeps of a message: no secret, and
// the address without a webhook's query (its access token).
func outboxAudit(m OutboxMessage) OutboxMessage {
	if i := strings.IndexByte(m.Address, '?'); i >= 0 {
		m.Address = m.Address[:i] + "?…"
	}
	return m
}

// Enqueue adds the reminders not yet in the outbox (by key and channel)
// and returns those it added. Runs as plan.SystemUser: reminders are the
// system's.
func (s *Store) Enqueue(ctx context.Context, msgs []OutboxMessage) ([]OutboxMessage, error) {
	var added []OutboxMessage
	err := s.write(ctx, plan.SystemUser, func(t *tx) error {
		added = added[:0]
		for _, m := range msgs {
			m.ID, m.State, m.Attempts, m.NextAttemptAt, m.CreatedAt = s.id("msg"), OutboxPending, 0, t.now, t.now
			res, err := t.exec(`INSERT INTO outbox (id, rkey, channel, address, secret, jurisdiction_code, unit_id, kind, subject, body,
				state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
				ON CONFLICT (rkey, channel) DO NOTHING`,
				m.ID, m.Key, m.Channel, m.Address, m.Secret, m.JurisdictionCode, m.UnitID, m.Kind, m.Subject, m.Body,
				OutboxPending, ts(t.now), ts(t.now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if err := t.audit("reminder.enqueue", "outbox", m.ID, nil, outboxAudit(m)); err != nil {
				return err
			}
			added = append(added, m)
		}
		return nil
	})
	return added, err
}

// EnqueuedKeys reports which of the keys are already in the outbox (on
// any channel), for a dry run that says what a pass would add.
func (s *Store) EnqueuedKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := s.read(ctx, func(c conn) error {
		for _, k := range keys {
			var n int
			if err := c.row("SELECT COUNT(*) FROM outbox WHERE rkey = ?", k).Scan(&n); err != nil {
				return err
			}
			out[k] = n > 0
		}
		return nil
	})
	return out, err
}

// ClaimOutbox takes up to limit pending messages that are due, leasing
// each for lease: until then no other sender takes it. Each claim counts
// as an attempt.
func (s *Store) ClaimOutbox(ctx context.Context, lease time.Duration, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := s.write(ctx, plan.SystemUser, func(t *tx) error {
		out = out[:0]
		now := ts(t.now)
		rows, err := t.query(`SELECT `+outboxColumns+` FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?
			AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, id LIMIT ?`, now, now, limit)
		if err != nil {
			return err
		}
		var due []OutboxMessage
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				rows.Close()
				return err
			}
			due = append(due, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range due {
			// Conditional, so that two senders on PostgreSQL cannot both
			// take a row they read at once.
			res, err := t.exec(`UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id = ? AND state = 'pending'
				AND (lease_until IS NULL OR lease_until <= ?)`, ts(t.now.Add(lease)), m.ID, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				m.Attempts++
				out = append(out, m)
			}
		}
		return nil
	})
	return out, err
}

// MarkSent records that the channel acknowledged a message.
func (s *Store) MarkSent(ctx context.Context, id string) error {
	return s.write(ctx, plan.SystemUser, func(t *tx) error {
		m, err := scanOutbox(t.row("SELECT "+outboxColumns+" FROM outbox WHERE id = ?", id))
		if err != nil {
			return err
		}
		if m.State == OutboxSent {
			return nil
		}
		if _, err := t.exec("UPDATE outbox SET state = 'sent', sent_at = ?, lease_until = NULL, last_error = '' WHERE id = ?", ts(t.now), id); err != nil {
			return err
		}
		after := m
		after.State, after.SentAt, after.LastError = OutboxSent, &t.now, ""
		return t.audit("reminder.sent", "outbox", id, outboxAudit(m), outboxAudit(after))
	})
}

// MarkAttemptFailed records a failed delivery: tried again at next, or,
// when final, given up (state failed, audited). errText is kept for the
// supervisor's outbox page.
func (s *Store) MarkAttemptFailed(ctx context.Context, id string, next time.Time, errText string, final bool) error {
	if r := []rune(errText); len(r) > 500 {
		errText = string(r[:500])
	}
	return s.write(ctx, plan.SystemUser, func(t *tx) error {
		state := OutboxPending
		if final {
			state = OutboxFailed
		}
		if _, err := t.exec("UPDATE outbox SET state = ?, next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ? AND state = 'pending'",
			state, ts(next), errText, id); err != nil {
			return err
		}
		if !final {
			return nil
		}
		m, err := scanOutbox(t.row("SELECT "+outboxColumns+" FROM outbox WHERE id = ?", id))
		if err != nil {
			return err
		}
		return t.audit("reminder.failed", "outbox", id, nil, outboxAudit(m))
	})
}

// OutboxFilter selects messages for the outbox page; zero fields select
// all.
type OutboxFilter struct {
	State string
	Limit int
}

// ListOutbox returns the newest messages the actor may see: a supervisor
// those of the jurisdictions it covers, the admin all. Errors: forbidden.
func (s *Store) ListOutbox(ctx context.Context, actor *plan.User, f OutboxFilter) ([]OutboxMessage, error) {
	var where []string
	var args []any
	switch {
	case actor == nil:
		return nil, plan.Errorf(plan.EUnauthorized, "请先登录")
	case actor.Role == plan.RoleAdmin && !actor.Disabled:
	case actor.Role == plan.RoleSupervisor && actor.JurisdictionCode != "" && !actor.Disabled:
		where, args = append(where, "jurisdiction_code LIKE ?"), append(args, plan.CoveredPrefix(actor.JurisdictionCode)+"%")
	default:
		return nil, plan.Errorf(plan.EForbidden, "提醒发送记录仅供督查室和系统管理员查看")
	}
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, f.State)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	q := "SELECT " + outboxColumns + " FROM outbox"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	out := []OutboxMessage{}
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query(q+" ORDER BY created_at DESC, id LIMIT ?", append(args, f.Limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}
