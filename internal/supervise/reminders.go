package supervise

import (
	"net/mail"
	"net/url"

	"minsheng/internal/plan"
)

// Reminders is the reminder rules and channels (docs/督查规则.md): units
// that have not submitted a month's report are reminded ReportDaysBefore
// days before the due day, then ReportLateAfter days after it and every
// RepeatEveryDays days, at most MaxLateReminders times; units that have
// not answered a letter LetterWorkingDaysBefore working days before its
// deadline, then after it as for reports. Reminders go out from SendHour
// (Shanghai) on.
type Reminders struct {
	Enabled                 bool `json:"enabled"`
	SendHour                int  `json:"send_hour"`
	ReportDaysBefore        int  `json:"report_days_before"`
	ReportLateAfter         int  `json:"report_late_after"`
	RepeatEveryDays         int  `json:"repeat_every_days"`
	MaxLateReminders        int  `json:"max_late_reminders"`
	LetterWorkingDaysBefore int  `json:"letter_working_days_before"`
	// Delivery: a failed message is tried again after RetrySeconds,
	// doubling each time (at most six hours), up to MaxAttempts.
	MaxAttempts  int `json:"max_attempts"`
	RetrySeconds int `json:"retry_seconds"`
	// ScanMinutes is how often serve looks for reminders to enqueue,
	// SendSeconds how often it sends what is due.
	ScanMinutes int `json:"scan_minutes"`
	SendSeconds int `json:"send_seconds"`
	// Email is the SMTP server; without a host no e-mail is sent.
	Email SMTP `json:"email"`
	// Webhooks are the default group robot per jurisdiction code, used for
	// units that have no robot of their own.
	Webhooks map[string]Webhook `json:"webhooks"`
}

// SMTP is the mail server reminders are sent through. TLS is "starttls"
// (the default: upgrade when the server offers it, required when
// credentials are set), "tls" (implicit, port 465) or "none".
type SMTP struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	From     string `json:"from"`
	Username string `json:"username"`
	Password string `json:"password"`
	TLS      string `json:"tls"`
}

// Webhook is a group robot: kind wecom (企业微信) or dingtalk (钉钉), its
// URL, and DingTalk's optional signing secret.
type Webhook struct {
	Kind   string `json:"kind"`
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// DefaultReminders are the rules without a configuration file.
func DefaultReminders() Reminders {
	return Reminders{Enabled: true, SendHour: 9, ReportDaysBefore: 3, ReportLateAfter: 1, RepeatEveryDays: 3, MaxLateReminders: 3,
		LetterWorkingDaysBefore: 1, MaxAttempts: 8, RetrySeconds: 60, ScanMinutes: 60, SendSeconds: 30,
		Email: SMTP{Port: 25, TLS: "starttls"}, Webhooks: map[string]Webhook{}}
}

// Validate checks the rules and channels, naming the field.
func (r Reminders) Validate() error {
	ranges := []struct {
		field     string
		v, lo, hi int
	}{
		{"reminders.send_hour", r.SendHour, 0, 23}, {"reminders.report_days_before", r.ReportDaysBefore, 0, 20},
		{"reminders.report_late_after", r.ReportLateAfter, 1, 20}, {"reminders.repeat_every_days", r.RepeatEveryDays, 1, 30},
		{"reminders.max_late_reminders", r.MaxLateReminders, 0, 20}, {"reminders.letter_working_days_before", r.LetterWorkingDaysBefore, 0, 10},
		{"reminders.max_attempts", r.MaxAttempts, 1, 50}, {"reminders.retry_seconds", r.RetrySeconds, 1, 86400},
		{"reminders.scan_minutes", r.ScanMinutes, 1, 1440}, {"reminders.send_seconds", r.SendSeconds, 1, 3600},
	}
	for _, x := range ranges {
		if x.v < x.lo || x.v > x.hi {
			return plan.FieldError(x.field, "%s 应在 %d 到 %d 之间，而不是 %d", x.field, x.lo, x.hi, x.v)
		}
	}
	if e := r.Email; e.Host != "" {
		if e.Port < 1 || e.Port > 65535 {
			return plan.FieldError("reminders.email.port", "SMTP 端口 reminders.email.port 应在 1 到 65535 之间，而不是 %d", e.Port)
		}
		if a, err := mail.ParseAddress(e.From); err != nil || a.Address == "" {
			return plan.FieldError("reminders.email.from", "发件人 reminders.email.from 应为邮箱地址，而不是「%s」", e.From)
		}
		switch e.TLS {
		case "", "starttls", "tls", "none":
		default:
			return plan.FieldError("reminders.email.tls", "reminders.email.tls 应为 starttls、tls 或 none，而不是「%s」", e.TLS)
		}
	}
	for code, w := range r.Webhooks {
		field := "reminders.webhooks." + code
		if w.Kind != "wecom" && w.Kind != "dingtalk" {
			return plan.FieldError(field, "%s 的 kind 应为 wecom（企业微信）或 dingtalk（钉钉），而不是「%s」", field, w.Kind)
		}
		if u, err := url.Parse(w.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return plan.FieldError(field, "%s 的 url 应为 https:// 开头的网址", field)
		}
		if w.Secret != "" && w.Kind != "dingtalk" {
			return plan.FieldError(field, "%s：只有钉钉群机器人使用加签密钥 secret", field)
		}
	}
	return nil
}
