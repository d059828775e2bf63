package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

const (
	testSubject = "关于按时报送2024年10月民生实事项目进展情况的提醒"
	testBody    = "区人社局：\n请抓紧填报并按时报送。\n南昌市新建区人民政府督查室"
)

// robot is a group robot for the tests: it checks each request against
// check and answers errcode.
func robot(t *testing.T, check func(r *http.Request, body string), answer string) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("robot got %s with %q", r.Method, r.Header.Get("Content-Type"))
		}
		check(r, string(b))
		io.WriteString(w, answer)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// TestWeCom: the exact JSON of a WeCom group robot's markdown message.
func TestWeCom(t *testing.T) {
	t.Parallel()
	want := `{"msgtype":"markdown","markdown":{"content":"**关于按时报送2024年10月民生实事项目进展情况的提醒**\n> 区人社局：\n> 请抓紧填报并按时报送。\n> 南昌市新建区人民政府督查室"}}`
	ts := robot(t, func(r *http.Request, body string) {
		if body != want {
			t.Errorf("WeCom body\n got %s\nwant %s", body, want)
		}
		if r.URL.Query().Get("key") != "abc" {
			t.Errorf("key lost: %s", r.URL)
		}
	}, `{"errcode":0,"errmsg":"ok"}`)
	ch := NewChannels(supervise.SMTP{})
	m := store.OutboxMessage{Channel: "wecom", Address: ts.URL + "/cgi-bin/webhook/send?key=abc", Subject: testSubject, Body: testBody}
	if err := ch.Deliver(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

// TestDingTalk: the exact JSON, and the signature DingTalk checks:
// timestamp in milliseconds, sign = base64(HMAC-SHA256(secret,
// timestamp+"\n"+secret)), computed here independently.
func TestDingTalk(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 11, 2, 1, 0, 0, 0, time.UTC)
	secret := "SEC0123456789abcdef"
	want := `{"msgtype":"markdown","markdown":{"title":"关于按时报送2024年10月民生实事项目进展情况的提醒","text":"#### 关于按时报送2024年10月民生实事项目进展情况的提醒\n\n区人社局：\n\n请抓紧填报并按时报送。\n\n南昌市新建区人民政府督查室\n"}}`
	ts := robot(t, func(r *http.Request, body string) {
		if body != want {
			t.Errorf("DingTalk body\n got %s\nwant %s", body, want)
		}
		q := r.URL.Query()
		if q.Get("access_token") != "tok" || q.Get("timestamp") != "1730509200000" {
			t.Errorf("query: %s", r.URL.RawQuery)
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(q.Get("timestamp") + "\n" + secret))
		if q.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			t.Errorf("sign %q is wrong", q.Get("sign"))
		}
	}, `{"errcode":0,"errmsg":"ok"}`)
	ch := NewChannels(supervise.SMTP{})
	ch.Now = func() time.Time { return now }
	m := store.OutboxMessage{Channel: "dingtalk", Address: ts.URL + "/robot/send?access_token=tok", Secret: secret, Subject: testSubject, Body: testBody}
	if err := ch.Deliver(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	// Without a secret the URL goes as it is.
	if u, _ := SignDingTalk("https://oapi.dingtalk.com/robot/send?access_token=tok", "", now); u != "https://oapi.dingtalk.com/robot/send?access_token=tok" {
		t.Errorf("unsigned: %s", u)
	}
}

// TestRobotRefusals: a robot's errcode, an HTTP error or an answer that is
// not the robots' JSON is a failed delivery, and the access token in the
// URL does not end up in the error.
func TestRobotRefusals(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ answer, want string }{
		{`{"errcode":93000,"errmsg":"invalid webhook url"}`, "errcode 93000"},
		{`<html>维护中</html>`, "无法识别"},
		{`{}`, "无法识别"},
	} {
		ts := robot(t, func(*http.Request, string) {}, c.answer)
		err := NewChannels(supervise.SMTP{}).Deliver(context.Background(), store.OutboxMessage{Channel: "wecom", Address: ts.URL + "?key=secret-token", Subject: "s", Body: "b"})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("answer %s: %v, want %q", c.answer, err, c.want)
		}
	}
	err := NewChannels(supervise.SMTP{}).Deliver(context.Background(), store.OutboxMessage{Channel: "wecom", Address: "http://127.0.0.1:1/send?key=secret-token", Subject: "s", Body: "b"})
	if err == nil || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("unreachable robot: %v", err)
	}
}

// TestEmail: the message the SMTP server takes: the addresses, a
// Message-ID made from the key, the subject and body in UTF-8.
func TestEmail(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t)
	ch := NewChannels(supervise.SMTP{Host: "127.0.0.1", Port: srv.port(), From: "章贡区督查室 <ducha@zhanggong.gov.cn>", TLS: "starttls"})
	m := store.OutboxMessage{Key: "report_due|u1|360112|2024-10|before", Channel: "email", Address: "renshe@xinjian.gov.cn", Subject: testSubject, Body: testBody}
	if err := ch.Deliver(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	ids, subjects, bodies := srv.received(t)
	if len(ids) != 1 || ids[0] != MessageID(m) || subjects[0] != testSubject || bodies[0] != testBody+"\n" && bodies[0] != testBody {
		t.Fatalf("received %v %v %q", ids, subjects, bodies)
	}
	if srv.rcpts[0][0] != "renshe@xinjian.gov.cn" || srv.msgs[0].Header.Get("To") != "renshe@xinjian.gov.cn" {
		t.Errorf("recipient: %v %s", srv.rcpts[0], srv.msgs[0].Header.Get("To"))
	}
	if from, _ := srv.msgs[0].Header.AddressList("From"); len(from) != 1 || from[0].Name != "章贡区督查室" || from[0].Address != "ducha@zhanggong.gov.cn" {
		t.Errorf("from: %v", from)
	}
	// Credentials are never sent in clear: this server offers no STARTTLS.
	ch.SMTP.Username, ch.SMTP.Password = "ducha", "pw"
	if err := ch.Deliver(context.Background(), m); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("login without TLS: %v", err)
	}
}
