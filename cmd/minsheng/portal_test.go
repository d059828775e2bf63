package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/sealed"
	"minsheng/internal/store"
	"minsheng/internal/supervise"
	"minsheng/internal/web"
)

// setupPortal takes the personal-data key from the configuration or a key
// file (never the database) and derives the device-token key from it, so
// that both outlive a restart; a bad key stops the server with a message
// naming the section.
func TestSetupPortal(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "personal.key")
	os.WriteFile(keyFile, []byte("00112233445566778899aabbccddeeff\n"), 0o600)
	badFile := filepath.Join(dir, "bad.key")
	os.WriteFile(badFile, []byte("short"), 0o600)
	st, err := store.Open(context.Background(), filepath.Join(dir, "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var stderr bytes.Buffer
	e := env{ctx: context.Background(), stderr: &stderr}
	setup := func(cfg supervise.PortalConfig, demo bool) (*web.Server, error) {
		st.Sealer = nil
		site := web.New(st, nil)
		return site, setupPortal(e, st, site, cfg, demo)
	}
	cfg := supervise.DefaultPortalConfig()

	cfg.PersonalDataKeyFile = keyFile
	a, err := setup(cfg, false)
	if err != nil || st.Sealer == nil {
		t.Fatalf("key file: %v", err)
	}
	sealed := st.Sealer.Seal("comment.phone", "13800001234")
	cfg.PersonalDataKeyFile, cfg.PersonalDataKey = "", "00112233445566778899aabbccddeeff"
	b, err := setup(cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.Sealer.Open("comment.phone", sealed); err != nil || got != "13800001234" {
		t.Errorf("the same key in the file and in the configuration: %q %v", got, err)
	}
	if !bytes.Equal(a.Portal.DeviceKey, b.Portal.DeviceKey) || len(a.Portal.DeviceKey) == 0 {
		t.Error("the device key is not derived from the personal-data key")
	}

	for _, bad := range []supervise.PortalConfig{{PersonalDataKeyFile: badFile}, {PersonalDataKeyFile: filepath.Join(dir, "missing.key")}, {PersonalDataKey: "xyz"}} {
		if _, err := setup(bad, false); err == nil || !strings.Contains(err.Error(), "portal") {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	// No key: no personal data; with --demo, a key for this run, said so.
	if _, err := setup(supervise.DefaultPortalConfig(), false); err != nil || st.Sealer != nil {
		t.Errorf("no key: %v %v", err, st.Sealer)
	}
	if _, err := setup(supervise.DefaultPortalConfig(), true); err != nil || st.Sealer == nil || !strings.Contains(stderr.String(), "临时密钥") {
		t.Errorf("demo: %v %q", err, stderr.String())
	}
}

// A TOTP secret enrolled in clear (before secrets were sealed) is sealed
// when the server starts with a configured key, once; without a key the
// start warns of it; a key for this run only (--demo) leaves it alone.
func TestSetupPortalSealsTOTP(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "personal.key")
	os.WriteFile(keyFile, []byte("00112233445566778899aabbccddeeff\n"), 0o600)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateUser(ctx, plan.SystemUser, &plan.User{Username: "admin", Role: plan.RoleAdmin}, "Admin-pass-1"); err != nil {
		t.Fatal(err)
	}
	secret, _, _ := store.NewTOTPSecret("admin")
	if _, err := st.WriteDB().Exec("UPDATE users SET totp_secret = ? WHERE username = 'admin'", secret); err != nil {
		t.Fatal(err)
	}
	stored := func() string {
		var v string
		st.DB().QueryRow("SELECT totp_secret FROM users WHERE username = 'admin'").Scan(&v)
		return v
	}
	var stderr bytes.Buffer
	e := env{ctx: ctx, stderr: &stderr}
	setup := func(cfg supervise.PortalConfig, demo bool) {
		t.Helper()
		stderr.Reset()
		st.Sealer = nil
		if err := setupPortal(e, st, web.New(st, nil), cfg, demo); err != nil {
			t.Fatal(err)
		}
	}

	setup(supervise.DefaultPortalConfig(), false)
	if !strings.Contains(stderr.String(), "1 个账号的动态验证码密钥以明文保存") || stored() != secret {
		t.Fatalf("no key: %q %q", stderr.String(), stored())
	}
	setup(supervise.DefaultPortalConfig(), true)
	if stored() != secret {
		t.Fatal("sealed under a key for this run only")
	}
	cfg := supervise.DefaultPortalConfig()
	cfg.PersonalDataKeyFile = keyFile
	setup(cfg, false)
	if !strings.Contains(stderr.String(), "已用 SM4 加密 1 个账号") || !sealed.IsSealed(stored()) {
		t.Fatalf("with the key: %q %q", stderr.String(), stored())
	}
	setup(cfg, false)
	if stderr.Len() != 0 {
		t.Fatalf("sealed twice: %q", stderr.String())
	}
	code := store.TOTPCode(secret, time.Now())
	if _, err := st.AuthenticateWithCode(ctx, "admin", "Admin-pass-1", code); err != nil {
		t.Fatalf("login after the seal: %v", err)
	}
}
