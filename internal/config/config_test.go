package config

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"minsheng/internal/plan"
)

// TestDocumentedDefaults: the server and security sections printed in
// docs/运维手册.md are the defaults, key for key.
func TestDocumentedDefaults(t *testing.T) {
	b, err := os.ReadFile("../../docs/运维手册.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "<!-- config-defaults")
	if !ok {
		t.Fatal("docs/运维手册.md lacks the config-defaults block")
	}
	_, after, _ = strings.Cut(after, "```json\n")
	block, _, _ := strings.Cut(after, "```")
	var documented, defaults map[string]any
	if err := json.Unmarshal([]byte(block), &documented); err != nil {
		t.Fatalf("documented block: %v", err)
	}
	d := Default()
	raw, _ := json.Marshal(map[string]any{"server": d.Server, "security": d.Security})
	json.Unmarshal(raw, &defaults)
	if !reflect.DeepEqual(documented, defaults) {
		got, _ := json.MarshalIndent(defaults, "", "  ")
		t.Errorf("docs/运维手册.md shows other defaults than the program's:\n%s", got)
	}
	if _, err := Parse([]byte(block)); err != nil {
		t.Errorf("the documented block does not parse: %v", err)
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name, json string
		field      string // "" : accepted
		want       string
	}{
		{"empty file", ``, "", ""},
		{"supervision rules alone, as before", `{"due_day": 7, "status": {"grace_days": 3}}`, "", ""},
		{"server and security", `{"server": {"addr": "0.0.0.0:80", "log_format": "json", "trusted_proxies": ["10.0.0.1", "192.168.0.0/16"]}, "security": {"lockout_minutes": 30}}`, "", ""},
		{"unknown key in a section", `{"server": {"port": 80}}`, "", "未知的配置项"},
		{"certificate without key", `{"server": {"tls_cert": "a.pem"}}`, "server.tls_cert", "同时给出"},
		{"log format", `{"server": {"log_format": "xml"}}`, "server.log_format", "text 或 json"},
		{"weak password rule", `{"security": {"password_min_length": 6}}`, "security.password_min_length", "8 到 128"},
		{"bad network", `{"server": {"metrics_allow": ["10.0.0.0/33"]}}`, "server.metrics_allow", "不是 IP 地址或网段"},
		{"wrong type", `{"security": {"lockout_minutes": "15"}}`, "security.lockout_minutes", "类型"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse([]byte(c.json))
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if cfg.Security.SessionIdleMinutes != 30 {
					t.Errorf("defaults lost: %+v", cfg.Security)
				}
				return
			}
			if err == nil || !strings.Contains(plan.ErrorMessage(err), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
			var pe *plan.Error
			if c.field != "" && (!errors.As(err, &pe) || pe.Field != c.field) {
				t.Errorf("field of %v, want %s", err, c.field)
			}
		})
	}
	cfg, _ := Parse([]byte(`{"due_day": 7}`))
	if cfg.DueDay != 7 || cfg.Server.Addr != "127.0.0.1:8080" {
		t.Errorf("top-level supervision key with defaults elsewhere: %d %q", cfg.DueDay, cfg.Server.Addr)
	}
}
