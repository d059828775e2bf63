package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/sealed"
)

// TOTP second factor (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits),
// the one authenticator apps on phones speak. A user turns it on by
// scanning (or typing) a new secret and proving it with a first code;
// from then on a login needs the password and a current code. A code is
// accepted one step early or late (clock drift) and only once.
//
// The secret is stored sealed (internal/sealed, SM4-GCM under the key of
// the configuration, never of the database): whoever holds a copy of the
// database must not be able to make codes. Without a key no secret is
// accepted. Secrets enrolled before they were sealed stay readable in
// clear until SealTOTPSecrets, which serve runs at start with a key.

const totpStep = 30 * time.Second

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a random 160-bit secret in base32 and the
// otpauth:// URI authenticator apps read (issuer minsheng).
func NewTOTPSecret(username string) (secret, uri string, err error) {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	secret = b32.EncodeToString(b[:])
	// An ASCII issuer: apps show it as it is, percent-escaped Chinese not.
	uri = "otpauth://totp/minsheng:" + url.PathEscape(username) + "?secret=" + secret + "&issuer=minsheng&digits=6&period=30"
	return secret, uri, nil
}

// totpCode is the code of a secret for time step n.
func totpCode(key []byte, n uint64) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], n)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

// totpMatch returns the step (now-1, now or now+1) whose code is code,
// and false when none is.
func totpMatch(secret, code string, now time.Time) (uint64, bool) {
	key, err := b32.DecodeString(strings.ToUpper(strings.TrimSpace(secret)))
	if err != nil || len(code) != 6 {
		return 0, false
	}
	n := uint64(now.Unix()) / uint64(totpStep/time.Second)
	for _, s := range []uint64{n - 1, n, n + 1} {
		if hmac.Equal([]byte(totpCode(key, s)), []byte(code)) {
			return s, true
		}
	}
	return 0, false
}

// totpPurpose is what a user's sealed secret is bound to: the user's ID
// too, so that a secret copied into another account's row does not open
// (a database administrator could otherwise give any account the secret
// of his own).
func totpPurpose(userID string) string { return "user.totp_secret:" + userID }

// NoTOTPKeyMessage is why TOTP cannot be turned on without a key.
const NoTOTPKeyMessage = "本平台未配置加密密钥（配置项 portal.personal_data_key_file），动态验证码的密钥不能以明文保存，暂不能启用。请联系系统管理员配置密钥后再试"

// CanEnableTOTP reports whether a secret can be stored: a key is configured.
func (s *Store) CanEnableTOTP() bool { return s.Sealer != nil }

// openTOTP returns the clear secret of a user from its stored form: ""
// for none, a clear secret (enrolled before sealing) as it is, a sealed
// one opened. A sealed secret without the right key is an error for the
// user to take to the administrator.
func (s *Store) openTOTP(userID, stored string) (string, error) {
	if stored == "" || !sealed.IsSealed(stored) {
		return stored, nil
	}
	if s.Sealer != nil {
		if secret, err := s.Sealer.Open(totpPurpose(userID), stored); err == nil {
			return secret, nil
		}
	}
	return "", &plan.Error{Code: plan.EUnauthorized, Field: "totp",
		Message: "本账号已启用动态验证码，但服务器未配置加密密钥或密钥与启用时不同，无法核对验证码；请联系系统管理员"}
}

// EnableTOTP turns on the second factor of actor with a secret from
// NewTOTPSecret, proven by a current code from the user's app. Errors:
// invalid (wrong code; no key configured), unauthorized.
func (s *Store) EnableTOTP(ctx context.Context, actor *plan.User, secret, code string) error {
	if !s.CanEnableTOTP() {
		return plan.FieldError("code", NoTOTPKeyMessage)
	}
	step, ok := totpMatch(secret, code, s.now())
	if !ok {
		return plan.FieldError("code", "动态验证码不正确，请输入手机验证器上当前显示的 6 位数字")
	}
	return s.write(ctx, actor, func(t *tx) error {
		if _, err := t.exec("UPDATE users SET totp_secret = ?, totp_last_step = ?, updated_at = ? WHERE id = ?",
			s.Sealer.Seal(totpPurpose(actor.ID), strings.ToUpper(secret)), int64(step), ts(t.now), actor.ID); err != nil {
			return err
		}
		return t.audit("user.totp_enable", "user", actor.ID, nil, nil)
	})
}

// DisableTOTP turns the second factor of actor off; a current code proves
// the phone is still at hand (without it, an administrator's password
// reset turns it off). Errors: invalid (wrong code), unauthorized.
func (s *Store) DisableTOTP(ctx context.Context, actor *plan.User, code string) error {
	return s.write(ctx, actor, func(t *tx) error {
		var stored string
		var last int64
		if err := t.row("SELECT totp_secret, totp_last_step FROM users WHERE id = ?", actor.ID).Scan(&stored, &last); err != nil {
			return err
		}
		if stored == "" {
			return nil
		}
		secret, err := s.openTOTP(actor.ID, stored)
		if err != nil {
			return err
		}
		if step, ok := totpMatch(secret, code, t.now); !ok || int64(step) <= last {
			return plan.FieldError("code", "动态验证码不正确")
		}
		if _, err := t.exec("UPDATE users SET totp_secret = '', totp_last_step = 0, updated_at = ? WHERE id = ?", ts(t.now), actor.ID); err != nil {
			return err
		}
		return t.audit("user.totp_disable", "user", actor.ID, nil, nil)
	})
}

// SealTOTPSecrets seals the secrets still stored in clear (enrolled before
// secrets were sealed), in one transaction with an audit record per
// account, and returns how many it sealed: once, since a sealed secret is
// left alone. Errors: invalid (no key configured).
func (s *Store) SealTOTPSecrets(ctx context.Context) (int, error) {
	if s.Sealer == nil {
		return 0, plan.Errorf(plan.EInvalid, "未配置加密密钥，无法加密动态验证码的密钥")
	}
	n := 0
	err := s.write(ctx, plan.SystemUser, func(t *tx) error {
		n = 0
		clear, err := clearTOTPSecrets(t.conn)
		if err != nil {
			return err
		}
		for _, c := range clear {
			// Only if still in clear: two servers starting at once on one
			// PostgreSQL seal it once.
			res, err := t.exec("UPDATE users SET totp_secret = ? WHERE id = ? AND totp_secret = ?", s.Sealer.Seal(totpPurpose(c.id), c.secret), c.id, c.secret)
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil || k == 0 {
				continue
			}
			if err := t.audit("user.totp_seal", "user", c.id, nil, map[string]any{"totp_secret": "（已用 SM4 加密）"}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// ClearTOTPSecrets counts the secrets still stored in clear, for a server
// without a key to warn of them.
func (s *Store) ClearTOTPSecrets(ctx context.Context) (int, error) {
	var n int
	err := s.read(ctx, func(c conn) error {
		clear, err := clearTOTPSecrets(c)
		n = len(clear)
		return err
	})
	return n, err
}

type userSecret struct{ id, secret string }

// clearTOTPSecrets returns the secrets stored in clear, in the order of
// the users' IDs (so that the audit records come in a fixed order).
func clearTOTPSecrets(c conn) ([]userSecret, error) {
	rows, err := c.query("SELECT id, totp_secret FROM users WHERE totp_secret <> '' ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userSecret
	for rows.Next() {
		var u userSecret
		if err := rows.Scan(&u.id, &u.secret); err != nil {
			return nil, err
		}
		if !sealed.IsSealed(u.secret) {
			out = append(out, u)
		}
	}
	return out, rows.Err()
}

// TOTPCode is the code an authenticator app shows for secret at a time
// (tests, diagnostics); "" for a malformed secret.
func TOTPCode(secret string, at time.Time) string {
	key, err := b32.DecodeString(strings.ToUpper(strings.TrimSpace(secret)))
	if err != nil {
		return ""
	}
	return totpCode(key, uint64(at.Unix())/uint64(totpStep/time.Second))
}
