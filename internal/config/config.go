// Package config is the configuration file of `minsheng serve --config`:
// the supervision rules (supervise.Config, whose keys stay at the top
// level, as before there was anything else) plus a "server" and a
// "security" section. Every key has a default; a file need only name what
// it changes. docs/运维手册.md lists every key with its default, and a test
// holds that list to Default.
package config

import (
	"fmt"
	"net/netip"
	"os"
	"slices"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

// Config is the whole file.
type Config struct {
	supervise.Config
	Server   Server   `json:"server"`
	Security Security `json:"security"`
}

// Server is how the process listens and logs. Command-line flags, when
// given, win over these.
type Server struct {
	// Addr is the listen address.
	Addr string `json:"addr"`
	// TLSCert and TLSKey are PEM files; with both the server speaks only
	// HTTPS, marks cookies Secure and sends HSTS.
	TLSCert string `json:"tls_cert"`
	TLSKey  string `json:"tls_key"`
	// LogFormat is "text" (key=value) or "json" (one object a line, for a
	// log collector); LogLevel "debug", "info", "warn" or "error".
	LogFormat string `json:"log_format"`
	LogLevel  string `json:"log_level"`
	// MetricsAllow are the networks (CIDR) that may read /metrics.
	MetricsAllow []string `json:"metrics_allow"`
	// MaxBodyMB bounds a JSON or form body; MaxUploadMB one uploaded file
	// (evidence, a plan document).
	MaxBodyMB   int `json:"max_body_mb"`
	MaxUploadMB int `json:"max_upload_mb"`
	// AnchorDir, when set, receives once a day the head of the audit
	// chain (audit-anchor-YYYY-MM-DD.txt); keep it on another disk or
	// machine. `minsheng audit verify --anchors DIR` checks against it.
	AnchorDir string `json:"anchor_dir"`
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-For names the client (for rate limits and logs).
	TrustedProxies []string `json:"trusted_proxies"`
}

// Security are the identity rules (GB/T 22239-2019 身份鉴别).
type Security struct {
	// SessionIdleMinutes: a session unused this long ends.
	SessionIdleMinutes int `json:"session_idle_minutes"`
	// MaxLoginFailures failures in a row lock an account for
	// LockoutMinutes.
	MaxLoginFailures int `json:"max_login_failures"`
	LockoutMinutes   int `json:"lockout_minutes"`
	// Password rules for new passwords.
	PasswordMinLength  int `json:"password_min_length"`
	PasswordMinClasses int `json:"password_min_classes"`  // of: lower case, upper case, digits, other
	PasswordHistory    int `json:"password_history"`      // the last N may not be used again
	PasswordMaxAgeDays int `json:"password_max_age_days"` // 0: passwords do not expire
	// Rate limits, per minute: login attempts per username and per client
	// address (an office behind one NAT address shares the latter), and
	// public feedback and uploads per client address.
	LoginPerMinute           int `json:"login_per_minute"`
	LoginPerMinutePerAddress int `json:"login_per_minute_per_address"`
	PublicPerMinute          int `json:"public_per_minute"`
}

// Default is the configuration without a file.
func Default() Config {
	return Config{
		Config: supervise.DefaultConfig(),
		Server: Server{Addr: "127.0.0.1:8080", LogFormat: "text", LogLevel: "info", MaxBodyMB: 1,
			MaxUploadMB: int(store.DefaultMaxAttachmentBytes >> 20), TrustedProxies: []string{},
			MetricsAllow: []string{"127.0.0.1/32", "::1/128"}},
		Security: Security{
			SessionIdleMinutes: 30,
			MaxLoginFailures:   store.DefaultMaxLoginFailures,
			LockoutMinutes:     int(store.DefaultLockout / time.Minute),
			// Stricter than the store's own defaults (which tests and
			// tools use): three classes of character, 90 days.
			PasswordMinLength:        store.DefaultPasswordPolicy.MinLength,
			PasswordMinClasses:       3,
			PasswordHistory:          store.DefaultPasswordPolicy.History,
			PasswordMaxAgeDays:       90,
			LoginPerMinute:           10,
			LoginPerMinutePerAddress: 60,
			PublicPerMinute:          20,
		},
	}
}

// Load reads the file at path over the defaults; an empty path is the
// defaults. Errors name the file and the key.
func Load(path string) (Config, error) {
	if path == "" {
		return Default(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("无法读取配置文件 %s：%w", path, err)
	}
	c, err := Parse(b)
	if err != nil {
		return Config{}, fmt.Errorf("配置文件 %s：%s", path, plan.ErrorMessage(err))
	}
	return c, nil
}

// Parse reads configuration JSON over the defaults and checks it.
func Parse(b []byte) (Config, error) {
	c := Default()
	if err := supervise.DecodeStrict(b, &c); err != nil {
		return Config{}, err
	}
	return c, c.Validate()
}

// Validate checks every section.
func (c Config) Validate() error {
	if err := c.Config.Validate(); err != nil {
		return err
	}
	s, sec := c.Server, c.Security
	if (s.TLSCert == "") != (s.TLSKey == "") {
		return plan.FieldError("server.tls_cert", "server.tls_cert 与 server.tls_key 须同时给出")
	}
	if !slices.Contains([]string{"text", "json"}, s.LogFormat) {
		return plan.FieldError("server.log_format", "server.log_format 应为 text 或 json，而不是 %q", s.LogFormat)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, s.LogLevel) {
		return plan.FieldError("server.log_level", "server.log_level 应为 debug、info、warn 或 error，而不是 %q", s.LogLevel)
	}
	for key, list := range map[string][]string{"server.trusted_proxies": s.TrustedProxies, "server.metrics_allow": s.MetricsAllow} {
		if _, err := Prefixes(list); err != nil {
			return plan.FieldError(key, "%s：%v", key, err)
		}
	}
	for _, r := range []struct {
		key       string
		v, lo, hi int
	}{
		{"server.max_body_mb", s.MaxBodyMB, 1, 64},
		{"server.max_upload_mb", s.MaxUploadMB, 1, 1024},
		{"security.session_idle_minutes", sec.SessionIdleMinutes, 1, 24 * 60},
		{"security.max_login_failures", sec.MaxLoginFailures, 1, 100},
		{"security.lockout_minutes", sec.LockoutMinutes, 1, 24 * 60},
		{"security.password_min_length", sec.PasswordMinLength, 8, 128},
		{"security.password_min_classes", sec.PasswordMinClasses, 1, 4},
		{"security.password_history", sec.PasswordHistory, 0, 24},
		{"security.password_max_age_days", sec.PasswordMaxAgeDays, 0, 3650},
		{"security.login_per_minute", sec.LoginPerMinute, 1, 10000},
		{"security.login_per_minute_per_address", sec.LoginPerMinutePerAddress, 1, 100000},
		{"security.public_per_minute", sec.PublicPerMinute, 1, 10000},
	} {
		if r.v < r.lo || r.v > r.hi {
			return plan.FieldError(r.key, "%s 应在 %d 到 %d 之间，而不是 %d", r.key, r.lo, r.hi, r.v)
		}
	}
	return nil
}

// ApplyTo sets the store's identity rules from the security section.
func (sec Security) ApplyTo(st *store.Store) {
	st.SessionTTL = time.Duration(sec.SessionIdleMinutes) * time.Minute
	st.MaxLoginFailures = sec.MaxLoginFailures
	st.Lockout = time.Duration(sec.LockoutMinutes) * time.Minute
	st.Passwords = store.PasswordPolicy{
		MinLength:  sec.PasswordMinLength,
		MinClasses: sec.PasswordMinClasses,
		History:    sec.PasswordHistory,
		MaxAge:     time.Duration(sec.PasswordMaxAgeDays) * 24 * time.Hour,
	}
}

// Prefixes parses addresses and networks: "10.0.0.0/8", or one address.
func Prefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, a := range list {
		if p, err := netip.ParsePrefix(a); err == nil {
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(a)
		if err != nil {
			return nil, fmt.Errorf("「%s」不是 IP 地址或网段", a)
		}
		out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return out, nil
}
