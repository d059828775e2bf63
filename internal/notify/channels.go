package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

// Channels delivers outbox messages: e-mail through the configured SMTP
// server, and the WeCom and DingTalk group robots over HTTPS.
type Channels struct {
	SMTP supervise.SMTP
	// HTTP posts to the robots; it must time out.
	HTTP *http.Client
	// Now stamps DingTalk's signature and the e-mail's Date.
	Now func() time.Time
	// TLSConfig is for the SMTP connection (tests trust their own server).
	TLSConfig *tls.Config
}

// NewChannels returns the channels of a configuration.
func NewChannels(cfg supervise.SMTP) *Channels {
	return &Channels{SMTP: cfg, HTTP: &http.Client{Timeout: 15 * time.Second}, Now: time.Now}
}

// Deliver sends one message on its channel; nil means the channel
// acknowledged it (the SMTP server accepted the data; the robot answered
// errcode 0).
func (c *Channels) Deliver(ctx context.Context, m store.OutboxMessage) error {
	switch m.Channel {
	case ChannelEmail:
		return c.sendMail(ctx, m)
	case store.WebhookWeCom:
		return c.postRobot(ctx, m.Address, WeComPayload(m.Subject, m.Body))
	case store.WebhookDingTalk:
		u, err := SignDingTalk(m.Address, m.Secret, c.Now())
		if err != nil {
			return err
		}
		return c.postRobot(ctx, u, DingTalkPayload(m.Subject, m.Body))
	}
	return fmt.Errorf("未知的发送渠道 %q", m.Channel)
}

// ChannelEmail is the e-mail channel; the robots' channels are named by
// their webhook kinds (store.WebhookWeCom, store.WebhookDingTalk).
const ChannelEmail = "email"

// MessageID is the e-mail Message-ID of a reminder, made from its key
// and channel: a message sent twice (a sender that died between sending
// and marking) carries the same ID both times, so receivers can drop the
// copy.
func MessageID(m store.OutboxMessage) string {
	sum := sha256.Sum256([]byte(m.Key + "\x00" + m.Channel + "\x00" + m.Address))
	return "<" + hex.EncodeToString(sum[:16]) + "@reminder.minsheng>"
}

// mailMessage is the RFC 5322 message: UTF-8 text, base64, the subject
// encoded by RFC 2047.
func mailMessage(from string, m store.OutboxMessage, now time.Time) []byte {
	var b bytes.Buffer
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	if a, err := mail.ParseAddress(from); err == nil {
		from = a.String() // a display name in Chinese is RFC 2047-encoded
	}
	hdr("From", from)
	hdr("To", m.Address)
	hdr("Subject", mime.BEncoding.Encode("UTF-8", m.Subject))
	hdr("Date", now.Format(time.RFC1123Z))
	hdr("Message-ID", MessageID(m))
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n")))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

func (c *Channels) sendMail(ctx context.Context, m store.OutboxMessage) error {
	cfg := c.SMTP
	if cfg.Host == "" {
		return errors.New("未配置 SMTP 服务器（reminders.email.host）")
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	tlsCfg := c.TLSConfig
	if tlsCfg == nil {
		tlsCfg = &tls.Config{ServerName: cfg.Host}
	}
	d := net.Dialer{Timeout: 15 * time.Second}
	var conn net.Conn
	var err error
	if cfg.TLS == "tls" {
		conn, err = tls.DialWithDialer(&d, "tcp", addr, tlsCfg)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("无法连接 SMTP 服务器 %s：%w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(time.Minute))
	}
	cl, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("SMTP 服务器 %s 无应答：%w", addr, err)
	}
	defer cl.Close()
	if cfg.TLS == "" || cfg.TLS == "starttls" {
		if ok, _ := cl.Extension("STARTTLS"); ok {
			if err := cl.StartTLS(tlsCfg); err != nil {
				return fmt.Errorf("SMTP STARTTLS 失败：%w", err)
			}
		} else if cfg.Username != "" {
			return errors.New("SMTP 服务器不支持 STARTTLS，不以明文发送口令（可设 reminders.email.tls 为 tls）")
		}
	}
	if cfg.Username != "" {
		if err := cl.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host)); err != nil {
			return fmt.Errorf("SMTP 登录失败：%w", err)
		}
	}
	from := cfg.From
	if a, err := mail.ParseAddress(from); err == nil {
		from = a.Address
	}
	if err := cl.Mail(from); err != nil {
		return fmt.Errorf("SMTP 拒绝发件人 %s：%w", from, err)
	}
	if err := cl.Rcpt(m.Address); err != nil {
		return fmt.Errorf("SMTP 拒绝收件人 %s：%w", m.Address, err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA 失败：%w", err)
	}
	if _, err := w.Write(mailMessage(cfg.From, m, c.Now())); err != nil {
		return fmt.Errorf("SMTP 写入邮件失败：%w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP 未接受邮件：%w", err)
	}
	cl.Quit()
	return nil
}

// WeComPayload is the WeCom group robot's markdown message.
func WeComPayload(subject, body string) []byte {
	var content strings.Builder
	content.WriteString("**" + subject + "**\n")
	for _, line := range strings.Split(body, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			content.WriteString("> " + line + "\n")
		}
	}
	type md struct {
		Content string `json:"content"`
	}
	return marshal(struct {
		MsgType  string `json:"msgtype"`
		Markdown md     `json:"markdown"`
	}{"markdown", md{strings.TrimSuffix(content.String(), "\n")}})
}

// DingTalkPayload is the DingTalk group robot's markdown message.
func DingTalkPayload(subject, body string) []byte {
	var text strings.Builder
	text.WriteString("#### " + subject + "\n")
	for _, line := range strings.Split(body, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			text.WriteString("\n" + line + "\n")
		}
	}
	type md struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	}
	return marshal(struct {
		MsgType  string `json:"msgtype"`
		Markdown md     `json:"markdown"`
	}{"markdown", md{subject, text.String()}})
}

func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// SignDingTalk adds DingTalk's signature to a robot URL: timestamp (ms)
// and sign = base64(HMAC-SHA256(secret, timestamp + "\n" + secret)). No
// secret: the URL as it is.
func SignDingTalk(raw, secret string, now time.Time) (string, error) {
	if secret == "" {
		return raw, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("钉钉群机器人地址无效：%w", err)
	}
	stamp := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stamp + "\n" + secret))
	q := u.Query()
	q.Set("timestamp", stamp)
	q.Set("sign", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// postRobot posts a robot message; both robots answer {"errcode": 0} when
// they took it.
func (c *Channels) postRobot(ctx context.Context, u string, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("群机器人地址无效：%w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("群机器人无法访问：%s", redact(err.Error()))
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("群机器人答复 HTTP %d", res.StatusCode)
	}
	var ack struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &ack); err != nil || ack.ErrCode == nil {
		return fmt.Errorf("群机器人答复无法识别：%.200s", raw)
	}
	if *ack.ErrCode != 0 {
		return fmt.Errorf("群机器人拒绝：errcode %d %s", *ack.ErrCode, ack.ErrMsg)
	}
	return nil
}

// redact drops a URL's query (the robot's access token) from an error.
func redact(s string) string { return queryPart.ReplaceAllString(s, "?…") }

var queryPart = regexp.MustCompile(`\?[^"\s]*`)
