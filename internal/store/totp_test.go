package store

import (
	"bytes"
	"context"
	"encoding/base32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/sealed"
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

		// Without a key the secret could only be stored in clear: refused.
		err := s.EnableTOTP(ctx, f.sup, secret, code())
		wantCode(t, err, plan.EInvalid)
		if plan.ErrorMessage(err) != NoTOTPKeyMessage {
			t.Fatalf("without a key: %v", err)
		}
		s.Sealer = testSealer(t)
		wantCode(t, s.EnableTOTP(ctx, f.sup, secret, "000000"), plan.EInvalid)
		must(0, s.EnableTOTP(ctx, f.sup, secret, code()))(t)
		if !must(s.GetUser(ctx, f.sup.ID))(t).TOTPEnabled {
			t.Fatal("factor not on")
		}

		clock = clock.Add(time.Minute)
		_, err = s.Authenticate(ctx, "督查室", "密码-12345678")
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

// storedTOTP is the totp_secret column of a user as the database holds it.
func storedTOTP(t *testing.T, s *Store, userID string) string {
	t.Helper()
	var v string
	if err := s.DB().QueryRow(rebindIf(s, "SELECT totp_secret FROM users WHERE id = ?"), userID).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestTOTPSecretSealed: the secret is stored sealed under the key and
// bound to its account; a store without the key (or with another) cannot
// check codes and says why, without counting it against the user; a
// secret enrolled in clear before sealing still works and is sealed once,
// audited, by SealTOTPSecrets.
func TestTOTPSecretSealed(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		clock := june3
		s.Now = func() time.Time { return clock }
		s.Sealer = testSealer(t)
		secret, _ := must2(NewTOTPSecret("督查室"))(t)
		must(0, s.EnableTOTP(ctx, f.sup, secret, TOTPCode(secret, clock)))(t)

		raw := storedTOTP(t, s, f.sup.ID)
		if !sealed.IsSealed(raw) || strings.Contains(raw, secret) || strings.Contains(strings.ToUpper(raw), secret) {
			t.Fatalf("stored %q for secret %s", raw, secret)
		}
		clock = clock.Add(time.Minute)
		must(s.AuthenticateWithCode(ctx, "督查室", "密码-12345678", TOTPCode(secret, clock)))(t)

		// Without the key, or with another, no code can be checked.
		other, _ := sealed.New([]byte("fedcba9876543210"))
		for _, box := range []*sealed.Box{nil, other} {
			s.Sealer = box
			clock = clock.Add(time.Minute)
			_, err := s.AuthenticateWithCode(ctx, "督查室", "密码-12345678", TOTPCode(secret, clock))
			wantCode(t, err, plan.EUnauthorized)
			if pe := err.(*plan.Error); pe.Field != "totp" || !strings.Contains(pe.Message, "加密密钥") {
				t.Fatalf("key %v: %v", box != nil, err)
			}
		}
		if u := must(s.GetUser(ctx, f.sup.ID))(t); u.FailedLogins != 0 || !u.LockedUntil.IsZero() {
			t.Fatalf("a missing key counted against the user: %+v", u)
		}
		s.Sealer = testSealer(t)

		// A sealed secret copied into another account's row does not open there.
		if _, err := s.WriteDB().Exec(rebindIf(s, "UPDATE users SET totp_secret = ? WHERE id = ?"), raw, f.leader.ID); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(time.Minute)
		_, err := s.AuthenticateWithCode(ctx, f.leader.Username, "密码-12345678", TOTPCode(secret, clock))
		wantCode(t, err, plan.EUnauthorized)

		// A secret enrolled in clear (before sealing) still works, and is
		// sealed once, with an audit record.
		legacy, _ := must2(NewTOTPSecret("x"))(t)
		if _, err := s.WriteDB().Exec(rebindIf(s, "UPDATE users SET totp_secret = ? WHERE id = ?"), legacy, f.repA.ID); err != nil {
			t.Fatal(err)
		}
		s.Sealer = nil
		if n := must(s.ClearTOTPSecrets(ctx))(t); n != 1 {
			t.Fatalf("clear secrets: %d", n)
		}
		must(s.AuthenticateWithCode(ctx, f.repA.Username, "密码-12345678", TOTPCode(legacy, clock)))(t)
		_, err = s.SealTOTPSecrets(ctx)
		wantCode(t, err, plan.EInvalid)
		s.Sealer = testSealer(t)
		if n := must(s.SealTOTPSecrets(ctx))(t); n != 1 {
			t.Fatalf("sealed %d", n)
		}
		if n := must(s.SealTOTPSecrets(ctx))(t); n != 0 {
			t.Fatalf("sealed again: %d", n)
		}
		if v := storedTOTP(t, s, f.repA.ID); !sealed.IsSealed(v) || strings.Contains(v, legacy) {
			t.Fatalf("legacy secret stored as %q", v)
		}
		clock = clock.Add(time.Minute)
		must(s.AuthenticateWithCode(ctx, f.repA.Username, "密码-12345678", TOTPCode(legacy, clock)))(t)
		n := 0
		for _, r := range must(s.AuditRows(ctx, 0, 0))(t) {
			if bytes.Contains(r.After, []byte(legacy)) || bytes.Contains(r.After, []byte(secret)) {
				t.Fatalf("a secret in the audit log: %s", r.After)
			}
			if r.Action == "user.totp_seal" {
				n++
				if r.EntityID != f.repA.ID || r.Actor != plan.SystemUser.ID {
					t.Errorf("audit of the seal: %+v", r)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d audit records of the seal", n)
		}
	})
}

// TestTOTPSecretNotInFile reads the SQLite files themselves: after an
// enrolment and a login the secret is nowhere in them (a clear secret
// written beside it is, so the search works), and a copy of the files
// opened without the key logs nobody in with a right code.
func TestTOTPSecretNotInFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	clock := june3
	s.Now = func() time.Time { return clock }
	s.Sealer = testSealer(t)
	admin := &plan.User{Username: "admin", Role: plan.RoleAdmin}
	must(0, s.CreateUser(ctx, plan.SystemUser, admin, "Admin-pass-1"))(t)
	secret, _ := must2(NewTOTPSecret("admin"))(t)
	must(0, s.EnableTOTP(ctx, admin, secret, TOTPCode(secret, clock)))(t)
	clock = clock.Add(time.Minute)
	must(s.AuthenticateWithCode(ctx, "admin", "Admin-pass-1", TOTPCode(secret, clock)))(t)
	control, _ := must2(NewTOTPSecret("control"))(t)
	// A secret stored as before sealing, for the search to find.
	must(0, s.CreateUser(ctx, plan.SystemUser, &plan.User{Username: "control", Role: plan.RoleAdmin}, "Admin-pass-1"))(t)
	must(s.WriteDB().Exec("UPDATE users SET totp_secret = ? WHERE username = 'control'", control))(t)
	if err := s.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}

	files, _ := filepath.Glob(filepath.Join(dir, "m.db*"))
	var all []byte
	for _, f := range files {
		all = append(all, must(os.ReadFile(f))(t)...)
	}
	if !bytes.Contains(all, []byte(control)) {
		t.Fatal("the search does not find a clear value in the files")
	}
	if bytes.Contains(all, []byte(secret)) || bytes.Contains(all, []byte(strings.ToLower(secret))) {
		t.Fatal("the TOTP secret is in the database file in clear")
	}

	// The copy, opened without the key: a right password and a right code
	// log nobody in, and the stored value opens under no other key.
	copyDir := t.TempDir()
	for _, f := range files {
		must(0, os.WriteFile(filepath.Join(copyDir, filepath.Base(f)), must(os.ReadFile(f))(t), 0o600))(t)
	}
	c := openTest(t, filepath.Join(copyDir, "m.db"))
	c.Now = func() time.Time { return clock.Add(time.Minute) }
	_, err = c.AuthenticateWithCode(ctx, "admin", "Admin-pass-1", TOTPCode(secret, clock.Add(time.Minute)))
	wantCode(t, err, plan.EUnauthorized)
	raw := storedTOTP(t, c, admin.ID)
	other, _ := sealed.New([]byte("fedcba9876543210"))
	if _, err := other.Open(totpPurpose(admin.ID), raw); err == nil {
		t.Fatal("the secret opens under another key")
	}
	// With the key, the same copy works: the key alone was missing.
	c.Sealer = testSealer(t)
	must(c.AuthenticateWithCode(ctx, "admin", "Admin-pass-1", TOTPCode(secret, clock.Add(time.Minute))))(t)
}
