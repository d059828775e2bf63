package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestRemindCommand: a dry run lists the day's reminders and writes
// nothing; a real pass enqueues and sends them to 新建区's WeCom robot
// (a local server); a second pass that day adds nothing, and a dry run
// says they went out before. A config file with a bad reminder rule is
// refused naming the field.
func TestRemindCommand(t *testing.T) {
	db, _ := supervisedDB(t)
	var mu sync.Mutex
	var got []string
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer robot.Close()
	cfg := filepath.Join(t.TempDir(), "rules.json")
	os.WriteFile(cfg, []byte(`{"reminders": {"webhooks": {"360112": {"kind": "wecom", "url": "`+robot.URL+`/send?key=k"}}}}`), 0o644)

	// April's reports were due on 5 May: the 6th is the first 催报.
	status, out, errOut := runCLI(t, "remind", "--dry-run", "--date", "2024-05-06", "--config", cfg, "--db", db)
	if status != 0 {
		t.Fatalf("dry run: %d %s", status, errOut)
	}
	for _, want := range []string{"2024-05-06 的提醒（试运行", "逾期催报", "区人社局", "企业微信", "/send?…", "关于催报2024年4月民生实事项目进展情况的通知", "将发送"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "key=k") {
		t.Error("the dry run shows the robot's key")
	}
	if len(got) != 0 {
		t.Fatalf("the dry run sent %d messages", len(got))
	}
	status, out, errOut = runCLI(t, "remind", "--date", "2024-05-06", "--config", cfg, "--db", db)
	if status != 0 || !strings.Contains(out, "本次发送成功") {
		t.Fatalf("remind: %d %s %s", status, out, errOut)
	}
	sent := len(got)
	if sent == 0 || !strings.Contains(got[0], `"msgtype":"markdown"`) || !strings.Contains(out, "新入队 "+strconv.Itoa(sent)+" 条") {
		t.Fatalf("sent %d:\n%s", sent, out)
	}
	if status, out, _ = runCLI(t, "remind", "--date", "2024-05-06", "--config", cfg, "--db", db); status != 0 || !strings.Contains(out, "新入队 0 条；本次发送成功 0 条") || len(got) != sent {
		t.Errorf("second pass: %d sent in all\n%s", len(got), out)
	}
	if _, out, _ = runCLI(t, "remind", "--dry-run", "--date", "2024-05-06", "--config", cfg, "--db", db); !strings.Contains(out, "此前已入队") || strings.Contains(out, "将发送") {
		t.Errorf("dry run after the pass:\n%s", out)
	}

	os.WriteFile(cfg, []byte(`{"reminders": {"repeat_every_days": 0}}`), 0o644)
	if status, _, errOut = runCLI(t, "remind", "--dry-run", "--config", cfg, "--db", db); status != exitUnusable || !strings.Contains(errOut, "reminders.repeat_every_days") {
		t.Errorf("bad config: %d %s", status, errOut)
	}
}
