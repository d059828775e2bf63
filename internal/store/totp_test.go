package store

import (
	"encoding/base32"
	"testing"
	"time"

	"minsheng/internal/plan"
)

// TestTOTPCode: the test vectors of RFC 6238 appendix B (SHA-1), last six
// digits.
func TestTOTPCode(t *testing.T) {
	key := []byte("12345678901234567890")
	for _, c := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		if got := totpCode(key, uint64(c.unix/30)); got != c.want {
			t.Errorf("T=%d: %s, want %s", c.unix, got, c.want)
		}
	}
}

// TestTOTPLogin: with the factor on, the password alone does not log in;
// a current code does, once; wrong codes lock the account like wrong
// passwords; an administrator's password reset turns the factor off.
func TestTOTPLogin(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		clock := june3
		s.Now = func() time.Time { return clock }
		admin := f.user(t, "管理员", plan.RoleAdmin, "", "")
		secret, uri := must2(NewTOTPSecret("督查室"))(t)
		if len(uri) < 20 || len(secret) != 32 {
			t.Fatalf("secret %q uri %q", secret, uri)
		}
		key, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
		code := func() string { return totpCode(key, uint64(clock.Unix()/30)) }

		wantCode(t, s.EnableTOTP(ctx, f.sup, secret, "000000"), plan.EInvalid)
		must(0, s.EnableTOTP(ctx, f.sup, secret, code()))(t)
		if !must(s.GetUser(ctx, f.sup.ID))(t).TOTPEnabled {
			t.Fatal("factor not on")
		}

		clock = clock.Add(time.Minute)
		_, err := s.Authenticate(ctx, "督查室", "密码-12345678")
		wantCode(t, err, plan.EUnauthorized)
		if pe := err.(*plan.Error); pe.Field != "totp" {
			t.Errorf("missing code: %v", err)
		}
		c := code()
		must(s.AuthenticateWithCode(ctx, "督查室", "密码-12345678", c))(t)
		_, err = s.AuthenticateWithCode(ctx, "督查室", "密码-12345678", c) // the same code again
		wantCode(t, err, plan.EUnauthorized)

		// Wrong codes count toward the lock-out.
		clock = clock.Add(time.Minute)
		for range DefaultMaxLoginFailures {
			s.AuthenticateWithCode(ctx, "督查室", "密码-12345678", "123456")
		}
		_, err = s.AuthenticateWithCode(ctx, "督查室", "密码-12345678", code())
		if err == nil || plan.ErrorCode(err) != plan.EUnauthorized {
			t.Fatalf("after five wrong codes: %v", err)
		}

		// The phone is lost: the administrator resets the password.
		clock = clock.Add(DefaultLockout + time.Minute)
		must(0, s.SetPassword(ctx, admin, f.sup.ID, "Reset-pass-1"))(t)
		u := must(s.Authenticate(ctx, "督查室", "Reset-pass-1"))(t)
		if u.TOTPEnabled {
			t.Error("factor still on after an administrator's reset")
		}

		// Turning it off needs a current code.
		must(0, s.EnableTOTP(ctx, u, secret, code()))(t)
		clock = clock.Add(time.Minute)
		wantCode(t, s.DisableTOTP(ctx, u, "000000"), plan.EInvalid)
		must(0, s.DisableTOTP(ctx, u, code()))(t)
		must(s.Authenticate(ctx, "督查室", "Reset-pass-1"))(t)
	})
}
