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
)

// TOTP second factor (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits),
// the one authenticator apps on phones speak. A user turns it on by
// scanning (or typing) a new secret and proving it with a first code;
// from then on a login needs the password and a current code. A code is
// accepted one step early or late (clock drift) and only once.

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

// EnableTOTP turns on the second factor of actor with a secret from
// NewTOTPSecret, proven by a current code from the user's app. Errors:
// invalid (wrong code), unauthorized.
func (s *Store) EnableTOTP(ctx context.Context, actor *plan.User, secret, code string) error {
	step, ok := totpMatch(secret, code, s.now())
	if !ok {
		return plan.FieldError("code", "动态验证码不正确，请输入手机验证器上当前显示的 6 位数字")
	}
	return s.write(ctx, actor, func(t *tx) error {
		if _, err := t.exec("UPDATE users SET totp_secret = ?, totp_last_step = ?, updated_at = ? WHERE id = ?",
			strings.ToUpper(secret), int64(step), ts(t.now), actor.ID); err != nil {
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
		var secret string
		var last int64
		if err := t.row("SELECT totp_secret, totp_last_step FROM users WHERE id = ?", actor.ID).Scan(&secret, &last); err != nil {
			return err
		}
		if secret == "" {
			return nil
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

// TOTPCode is the code an authenticator app shows for secret at a time
// (tests, diagnostics); "" for a malformed secret.
func TOTPCode(secret string, at time.Time) string {
	key, err := b32.DecodeString(strings.ToUpper(strings.TrimSpace(secret)))
	if err != nil {
		return ""
	}
	return totpCode(key, uint64(at.Unix())/uint64(totpStep/time.Second))
}
