package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"minsheng/internal/metrics"
	"minsheng/internal/plan"
)

const userColumns = "id, username, display_name, role, COALESCE(unit_id, ''), COALESCE(jurisdiction_code, ''), disabled, failed_logins, locked_until, must_change_password, password_changed_at, CASE WHEN totp_secret = '' THEN 0 ELSE 1 END, created_at, updated_at"

func scanUser(r interface{ Scan(...any) error }) (*plan.User, error) {
	var u plan.User
	var disabled, mustChange, totp int
	var locked, changed, created, updated string
	err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.UnitID, &u.JurisdictionCode, &disabled, &u.FailedLogins, &locked,
		&mustChange, &changed, &totp, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("用户不存在")
	}
	if err != nil {
		return nil, err
	}
	u.Disabled = disabled != 0
	u.LockedUntil = parseTS(locked)
	u.MustChangePassword = mustChange != 0
	u.TOTPEnabled = totp != 0
	u.CreatedAt, u.UpdatedAt = parseTS(created), parseTS(updated)
	u.PasswordChangedAt = parseTS(changed)
	if u.PasswordChangedAt.IsZero() {
		u.PasswordChangedAt = u.CreatedAt
	}
	return &u, nil
}

// CreateUser stores a new user with an argon2id hash of password; it sets
// u.ID and the times. A reporter's or contributor's jurisdiction is taken
// from its unit when not given. The password must meet s.Passwords, and
// its owner must change it at the first login: an administrator chose it.
// Needs ActionManageUsers (admin). Errors: invalid (fields, password),
// conflict (username taken), forbidden.
func (s *Store) CreateUser(ctx context.Context, actor *plan.User, u *plan.User, password string) error {
	if err := s.Passwords.Check(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.write(ctx, actor, func(t *tx) error {
		if err := plan.Authorize(actor, plan.ActionManageUsers, plan.Resource{Kind: plan.ResourceUser}); err != nil {
			return err
		}
		if err := s.insertUser(t, u, hash); err != nil {
			return err
		}
		u.MustChangePassword, u.PasswordChangedAt = true, t.now
		_, err := t.exec("UPDATE users SET must_change_password = 1, password_changed_at = ? WHERE id = ?", ts(t.now), u.ID)
		return err
	})
}

// insertUser stores one new user with a password hash inside a write:
// its unit and jurisdiction checked, its username unique, audited.
func (s *Store) insertUser(t *tx, u *plan.User, hash string) error {
	u.Username = strings.TrimSpace(u.Username)
	if u.UnitID != "" {
		unit, err := scanUnit(t.row("SELECT id, jurisdiction_code, name, created_at FROM units WHERE id = ?", u.UnitID))
		if err != nil {
			return plan.FieldError("unit", "单位不存在")
		}
		if u.JurisdictionCode == "" {
			u.JurisdictionCode = unit.JurisdictionCode
		} else if u.JurisdictionCode != unit.JurisdictionCode {
			return plan.FieldError("jurisdiction", "单位「%s」不属于行政区划 %s", unit.Name, u.JurisdictionCode)
		}
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if u.JurisdictionCode != "" {
		if err := t.requireJurisdiction(u.JurisdictionCode); err != nil {
			return err
		}
	}
	var n int
	if err := t.row("SELECT COUNT(*) FROM users WHERE username = ?", u.Username).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &plan.Error{Code: plan.EConflict, Field: "username", Message: "用户名「" + u.Username + "」已被使用"}
	}
	u.ID = s.id("user")
	u.CreatedAt, u.UpdatedAt = t.now, t.now
	if _, err := t.exec(`INSERT INTO users (id, username, display_name, password_hash, role, unit_id, jurisdiction_code, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Username, u.DisplayName, hash, string(u.Role), nullIfEmpty(u.UnitID), nullIfEmpty(u.JurisdictionCode), boolInt(u.Disabled), ts(t.now), ts(t.now)); err != nil {
		return err
	}
	return t.audit("user.create", "user", u.ID, nil, u)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// GetUser returns a user by ID. Errors: not_found.
func (s *Store) GetUser(ctx context.Context, id string) (*plan.User, error) {
	var u *plan.User
	err := s.read(ctx, func(c conn) error {
		var err error
		u, err = scanUser(c.row("SELECT "+userColumns+" FROM users WHERE id = ?", id))
		return err
	})
	return u, err
}

// GetUserByUsername returns a user by username. Errors: not_found.
func (s *Store) GetUserByUsername(ctx context.Context, username string) (*plan.User, error) {
	var u *plan.User
	err := s.read(ctx, func(c conn) error {
		var err error
		u, err = scanUser(c.row("SELECT "+userColumns+" FROM users WHERE username = ?", strings.TrimSpace(username)))
		return err
	})
	return u, err
}

// ListUsers returns all users by username.
func (s *Store) ListUsers(ctx context.Context) ([]plan.User, error) {
	out, _, err := s.UsersPage(ctx, Page{})
	return out, err
}

// userKeys is the order of user lists.
var userKeys = keyset{{"username", false}}

// UsersPage is one page of ListUsers and the cursor of the next.
// Errors: invalid (cursor).
func (s *Store) UsersPage(ctx context.Context, pg Page) ([]plan.User, string, error) {
	after, args, err := userKeys.where(pg.After)
	if err != nil {
		return nil, "", err
	}
	var out []plan.User
	err = s.read(ctx, func(c conn) error {
		rows, err := c.query("SELECT "+userColumns+" FROM users WHERE "+after+userKeys.orderBy()+pg.limit(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			out = append(out, *u)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	out, next := cut(pg, out, func(u *plan.User) []any { return []any{u.Username} })
	return out, next, nil
}

// SetPassword replaces a user's password (an administrator's reset) and
// ends its sessions; its owner must change it at the next login. Needs
// ActionManageUsers, or the user itself (then it is ChangePassword
// without the old password: for tools). The password must meet
// s.Passwords, including not being one of the last History ones.
// Errors: invalid, not_found, forbidden.
func (s *Store) SetPassword(ctx context.Context, actor *plan.User, userID, password string) error {
	if err := s.Passwords.Check(password); err != nil {
		return err
	}
	return s.write(ctx, actor, func(t *tx) error {
		if actor.ID != userID {
			if err := plan.Authorize(actor, plan.ActionManageUsers, plan.Resource{Kind: plan.ResourceUser}); err != nil {
				return err
			}
		}
		return s.replacePassword(t, userID, password, actor.ID != userID)
	})
}

// ChangePassword is a user changing its own password: the old one must be
// right, the new one meet s.Passwords. Other sessions of the user end;
// the one in use goes on. Errors: invalid (old password wrong, new one
// weak or reused), unauthorized.
func (s *Store) ChangePassword(ctx context.Context, actor *plan.User, oldPassword, newPassword string) error {
	if actor == nil {
		return plan.Errorf(plan.EUnauthorized, "请先登录")
	}
	if err := s.Passwords.Check(newPassword); err != nil {
		return err
	}
	var hash string
	if err := s.read(ctx, func(c conn) error {
		return c.row("SELECT password_hash FROM users WHERE id = ?", actor.ID).Scan(&hash)
	}); err != nil {
		return err
	}
	if ok, err := CheckPassword(hash, oldPassword); err != nil || !ok {
		return plan.FieldError("old_password", "原密码不正确")
	}
	return s.write(ctx, actor, func(t *tx) error { return s.replacePassword(t, actor.ID, newPassword, false) })
}

// replacePassword stores a new password hash, keeps the old one in the
// history (the last s.Passwords.History), and refuses a password among
// them. A reset by someone else ends every session of the user and
// obliges a change at the next login.
func (s *Store) replacePassword(t *tx, userID, password string, reset bool) error {
	var current string
	if err := t.row("SELECT password_hash FROM users WHERE id = ?", userID).Scan(&current); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("用户不存在")
		}
		return err
	}
	keep := s.Passwords.History
	if keep > 0 {
		old := []string{current}
		rows, err := t.query("SELECT hash FROM password_history WHERE user_id = ? ORDER BY changed_at DESC", userID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return err
			}
			old = append(old, h)
		}
		rows.Close()
		for _, h := range old[:min(len(old), keep)] {
			if ok, _ := CheckPassword(h, password); ok {
				return plan.FieldError("password", "新密码不能与最近 %d 次使用过的密码相同", keep)
			}
		}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	if _, err := t.exec("INSERT INTO password_history (user_id, hash, changed_at) VALUES (?, ?, ?)", userID, current, ts(t.now)); err != nil {
		return err
	}
	// Keep only what the rule needs (History-1 here plus the current hash).
	if _, err := t.exec(`DELETE FROM password_history WHERE user_id = ? AND changed_at NOT IN
		(SELECT changed_at FROM password_history WHERE user_id = ? ORDER BY changed_at DESC LIMIT ?)`, userID, userID, max(keep, 1)); err != nil {
		return err
	}
	if _, err := t.exec("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = '', must_change_password = ?, password_changed_at = ?, updated_at = ? WHERE id = ?",
		hash, boolInt(reset), ts(t.now), ts(t.now), userID); err != nil {
		return err
	}
	if reset {
		// A reset is also how a user who lost the phone gets back in.
		if _, err := t.exec("UPDATE users SET totp_secret = '', totp_last_step = 0 WHERE id = ?", userID); err != nil {
			return err
		}
		if _, err := t.exec("DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
			return err
		}
	}
	return t.audit("user.set_password", "user", userID, nil, map[string]any{"password": "（已更改）", "reset_by_admin": reset})
}

// SetUserDisabled disables or re-enables a user; disabling ends its
// sessions. Needs ActionManageUsers. Errors: not_found, forbidden.
func (s *Store) SetUserDisabled(ctx context.Context, actor *plan.User, userID string, disabled bool) error {
	return s.write(ctx, actor, func(t *tx) error {
		if err := plan.Authorize(actor, plan.ActionManageUsers, plan.Resource{Kind: plan.ResourceUser}); err != nil {
			return err
		}
		before, err := scanUser(t.row("SELECT "+userColumns+" FROM users WHERE id = ?", userID))
		if err != nil {
			return err
		}
		if _, err := t.exec("UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?", boolInt(disabled), ts(t.now), userID); err != nil {
			return err
		}
		if disabled {
			if _, err := t.exec("DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
				return err
			}
		}
		after := *before
		after.Disabled = disabled
		return t.audit("user.set_disabled", "user", userID, before, after)
	})
}

// Authenticate checks a username and password. After MaxLoginFailures
// failures in a row the account is locked for Lockout; a success resets the
// count. Unknown users, wrong passwords, disabled and locked accounts all
// answer unauthorized with the same message, so a caller learns nothing
// about which usernames exist (a locked account says it is locked only when
// the password was right). Failures and successes are audited.
func (s *Store) Authenticate(ctx context.Context, username, password string) (*plan.User, error) {
	return s.AuthenticateWithCode(ctx, username, password, "")
}

// AuthenticateWithCode is Authenticate for a user who may have turned on
// the TOTP second factor (totp.go): then code must be a current code not
// used before, and a wrong or missing one counts as a failed login like
// a wrong password (so guessing codes ends in the lock-out too).
func (s *Store) AuthenticateWithCode(ctx context.Context, username, password, code string) (*plan.User, error) {
	wrong := plan.Errorf(plan.EUnauthorized, "用户名或密码错误")
	var u *plan.User
	var hash, secret string
	var lastStep int64
	err := s.read(ctx, func(c conn) error {
		var err error
		u, err = scanUser(c.row("SELECT "+userColumns+" FROM users WHERE username = ?", strings.TrimSpace(username)))
		if err != nil {
			return err
		}
		return c.row("SELECT password_hash, totp_secret, totp_last_step FROM users WHERE id = ?", u.ID).Scan(&hash, &secret, &lastStep)
	})
	if plan.ErrorCode(err) == plan.ENotFound {
		// Spend the same time as a real check.
		CheckPassword(dummyHash, password)
		return nil, wrong
	}
	if err != nil {
		return nil, err
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if u.Disabled {
		return nil, wrong
	}
	if now.Before(u.LockedUntil) {
		metrics.Logins.WithLabelValues("locked").Inc()
		if ok {
			return nil, plan.Errorf(plan.EUnauthorized, "连续登录失败次数过多，账号已锁定至 %s", u.LockedUntil.In(plan.Shanghai).Format("2006-01-02 15:04"))
		}
		return nil, wrong
	}
	// The second factor, once the password is right.
	codeWrong := false
	var step uint64
	if ok && secret != "" {
		clear, err := s.openTOTP(u.ID, secret)
		if err != nil {
			// The server's key is missing or wrong: not the user's
			// fault, so not counted toward the lock-out.
			return nil, err
		}
		var match bool
		step, match = totpMatch(clear, code, now)
		codeWrong = !match || int64(step) <= lastStep // a code works once
		ok = !codeWrong
	}
	err = s.write(ctx, &plan.User{ID: u.ID}, func(t *tx) error {
		if ok {
			if secret != "" {
				if _, err := t.exec("UPDATE users SET totp_last_step = ? WHERE id = ?", int64(step), u.ID); err != nil {
					return err
				}
			}
			if u.FailedLogins == 0 && u.LockedUntil.IsZero() {
				return t.audit("user.login", "user", u.ID, nil, nil)
			}
			if _, err := t.exec("UPDATE users SET failed_logins = 0, locked_until = '' WHERE id = ?", u.ID); err != nil {
				return err
			}
			return t.audit("user.login", "user", u.ID, nil, nil)
		}
		var failures int
		if err := t.row("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins", u.ID).Scan(&failures); err != nil {
			return err
		}
		detail := map[string]any{"failed_logins": failures}
		if codeWrong {
			detail["factor"] = "totp"
		}
		if failures >= s.MaxLoginFailures {
			until := t.now.Add(s.Lockout)
			if _, err := t.exec("UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?", ts(until), u.ID); err != nil {
				return err
			}
			detail["locked_until"] = ts(until)
		}
		return t.audit("user.login_failed", "user", u.ID, nil, detail)
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		metrics.Logins.WithLabelValues("failed").Inc()
		if codeWrong {
			return nil, &plan.Error{Code: plan.EUnauthorized, Field: "totp", Message: "已启用动态验证码：请填写手机验证器上当前的 6 位数字（每个验证码只能用一次）"}
		}
		return nil, wrong
	}
	metrics.Logins.WithLabelValues("ok").Inc()
	u.FailedLogins, u.LockedUntil = 0, time.Time{}
	s.markExpired(u, now)
	return u, nil
}

// markExpired sets MustChangePassword on a user whose password is older
// than s.Passwords.MaxAge: it must be changed before anything else.
func (s *Store) markExpired(u *plan.User, now time.Time) {
	if s.Passwords.MaxAge > 0 && now.Sub(u.PasswordChangedAt) > s.Passwords.MaxAge {
		u.MustChangePassword = true
	}
}

// dummyHash is checked against when the username is unknown.
var dummyHash, _ = HashPassword("minsheng-dummy-password")

// Session is a login. Its token is given to the client once; only its
// SHA-256 is stored, so a copy of the database opens no session.
type Session struct {
	UserID     string    `json:"user_id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreateSession starts a session for a user and returns its token (32
// random bytes, base64url). Errors: not_found.
func (s *Store) CreateSession(ctx context.Context, userID string) (string, *Session, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	var sess *Session
	err := s.write(ctx, &plan.User{ID: userID}, func(t *tx) error {
		if _, err := scanUser(t.row("SELECT "+userColumns+" FROM users WHERE id = ?", userID)); err != nil {
			return err
		}
		sess = &Session{UserID: userID, CreatedAt: t.now, LastSeenAt: t.now, ExpiresAt: t.now.Add(s.SessionTTL)}
		if _, err := t.exec("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			tokenHash(token), userID, ts(sess.CreatedAt), ts(sess.LastSeenAt), ts(sess.ExpiresAt)); err != nil {
			return err
		}
		return t.audit("session.create", "user", userID, nil, nil)
	})
	if err != nil {
		return "", nil, err
	}
	return token, sess, nil
}

// LookupSession returns the session of a token and its user. Errors:
// unauthorized (unknown or expired token, disabled user).
func (s *Store) LookupSession(ctx context.Context, token string) (*Session, *plan.User, error) {
	// One statement, outside a transaction (it is consistent by itself):
	// every request with a token comes here.
	var sess Session
	var created, seen, expires string
	c := conn{x: s.r, ctx: ctx, pg: s.postgres}
	u, err := scanUser(withScanned(c.row(`SELECT s_user, s_created, s_seen, s_expires, `+userColumns+`
		FROM (SELECT user_id AS s_user, created_at AS s_created, last_seen_at AS s_seen, expires_at AS s_expires
		      FROM sessions WHERE token_hash = ?) ss JOIN users ON id = s_user`, tokenHash(token)), &sess.UserID, &created, &seen, &expires))
	if plan.ErrorCode(err) == plan.ENotFound {
		return nil, nil, plan.Errorf(plan.EUnauthorized, "登录已失效，请重新登录")
	}
	if err != nil {
		return nil, nil, err
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = parseTS(created), parseTS(seen), parseTS(expires)
	now := s.now()
	if !now.Before(sess.ExpiresAt) || u.Disabled {
		return nil, nil, plan.Errorf(plan.EUnauthorized, "登录已失效，请重新登录")
	}
	s.markExpired(u, now)
	return &sess, u, nil
}

// withScanned scans the first columns of a row into first and hands the
// rest on to the next Scan.
func withScanned(r *sql.Row, first ...any) interface{ Scan(...any) error } {
	return scanFunc(func(dest ...any) error { return r.Scan(append(first, dest...)...) })
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// TouchSession extends a session by SessionTTL from now. It is not audited
// (it would log every request) and it is cheap to skip: callers may touch
// only when LastSeenAt is a minute old. Errors: unauthorized.
func (s *Store) TouchSession(ctx context.Context, token string) error {
	now := s.now()
	res, err := s.w.ExecContext(ctx, conn{pg: s.postgres}.q("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ? AND expires_at > ?"),
		ts(now), ts(now.Add(s.SessionTTL)), tokenHash(token), ts(now))
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return plan.Errorf(plan.EUnauthorized, "登录已失效，请重新登录")
	}
	return nil
}

// DeleteSession ends a session (logout). Deleting an unknown token is not
// an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	return s.write(ctx, plan.SystemUser, func(t *tx) error {
		var userID string
		err := t.row("SELECT user_id FROM sessions WHERE token_hash = ?", tokenHash(token)).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := t.exec("DELETE FROM sessions WHERE token_hash = ?", tokenHash(token)); err != nil {
			return err
		}
		t.actor = &plan.User{ID: userID}
		return t.audit("session.delete", "user", userID, nil, nil)
	})
}

// DeleteExpiredSessions removes sessions past their expiry; returns how
// many. Housekeeping, not audited.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.w.ExecContext(ctx, conn{pg: s.postgres}.q("DELETE FROM sessions WHERE expires_at <= ?"), ts(s.now()))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
