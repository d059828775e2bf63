package supervise

import (
	"os"
	"strings"
	"testing"

	"minsheng/internal/plan"
)

// TestRemindersConfig: the example of docs/督查规则.md reads; fields left
// out keep their defaults; each bad value is refused naming its field.
func TestRemindersConfig(t *testing.T) {
	doc, err := os.ReadFile("../../docs/督查规则.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	s = s[strings.Index(s, "### 提醒"):]
	s = s[strings.Index(s, "```json")+len("```json"):]
	example := s[:strings.Index(s, "```")]
	c, err := ParseConfig([]byte(example))
	if err != nil {
		t.Fatalf("the documented example: %v", err)
	}
	if c.Reminders.Email.Port != 587 || c.Reminders.Webhooks["360702"].Secret != "SEC…" || c.DueDay != 5 {
		t.Errorf("read: %+v", c.Reminders)
	}
	c, err = ParseConfig([]byte(`{"reminders": {"send_hour": 8}}`))
	if err != nil || c.Reminders.SendHour != 8 || c.Reminders.RepeatEveryDays != 3 || !c.Reminders.Enabled {
		t.Errorf("partial: %+v %v", c.Reminders, err)
	}
	for body, field := range map[string]string{
		`{"reminders": {"send_hour": 24}}`:                                                                 "reminders.send_hour",
		`{"reminders": {"repeat_every_days": 0}}`:                                                          "reminders.repeat_every_days",
		`{"reminders": {"max_attempts": 0}}`:                                                               "reminders.max_attempts",
		`{"reminders": {"email": {"host": "smtp.x.cn", "from": "督查室"}}}`:                                   "reminders.email.from",
		`{"reminders": {"email": {"host": "smtp.x.cn", "from": "a@x.cn", "port": 0}}}`:                     "reminders.email.port",
		`{"reminders": {"email": {"host": "smtp.x.cn", "from": "a@x.cn", "tls": "ssl3"}}}`:                 "reminders.email.tls",
		`{"reminders": {"webhooks": {"360112": {"kind": "lark", "url": "https://x.cn"}}}}`:                 "reminders.webhooks.360112",
		`{"reminders": {"webhooks": {"360112": {"kind": "wecom", "url": "x.cn"}}}}`:                        "reminders.webhooks.360112",
		`{"reminders": {"webhooks": {"360112": {"kind": "wecom", "url": "https://x.cn", "secret": "S"}}}}`: "reminders.webhooks.360112",
	} {
		_, err := ParseConfig([]byte(body))
		if e, ok := err.(*plan.Error); !ok || e.Field != field {
			t.Errorf("%s: %v, want field %s", body, err, field)
		}
	}
	if _, err := ParseConfig([]byte(`{"reminders": {"sms": {}}}`)); err == nil || !strings.Contains(err.Error(), "sms") {
		t.Errorf("unknown field: %v", err)
	}
}
