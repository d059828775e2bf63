package store

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"minsheng/internal/plan"
)

// Webhook kinds of the group robots reminders go to.
const (
	WebhookWeCom    = "wecom"    // 企业微信群机器人
	WebhookDingTalk = "dingtalk" // 钉钉群机器人
)

// UnitContact is where a unit is reminded: an e-mail address and a group
// robot's webhook. The signing secret is never shown back.
type UnitContact struct {
	UnitID           string    `json:"unit_id"`
	UnitName         string    `json:"unit_name"`
	JurisdictionCode string    `json:"jurisdiction_code"`
	Email            string    `json:"email"`
	WebhookKind      string    `json:"webhook_kind"`
	WebhookURL       string    `json:"webhook_url"`
	HasSecret        bool      `json:"has_secret"`
	Secret           string    `json:"-"`
	UpdatedAt        time.Time `json:"updated_at,omitzero"`
	UpdatedBy        string    `json:"updated_by,omitempty"`
}

// ContactInput is the admin's edit of a unit's addresses. An empty
// WebhookSecret keeps the stored one; ClearSecret removes it.
type ContactInput struct {
	Email         string `json:"email"`
	WebhookKind   string `json:"webhook_kind"`
	WebhookURL    string `json:"webhook_url"`
	WebhookSecret string `json:"webhook_secret"`
	ClearSecret   bool   `json:"clear_secret"`
}

// Validate checks the addresses, naming the field.
func (in *ContactInput) Validate() error {
	in.Email, in.WebhookKind, in.WebhookURL = strings.TrimSpace(in.Email), strings.TrimSpace(in.WebhookKind), strings.TrimSpace(in.WebhookURL)
	in.WebhookSecret = strings.TrimSpace(in.WebhookSecret)
	var ps plan.Problems
	add := func(field, msg string) {
		ps = append(ps, plan.Problem{Field: field, Message: msg, Severity: plan.ProblemError})
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			add("email", "电子邮箱格式不对：「"+in.Email+"」，应为 name@example.gov.cn 这样的地址")
		}
	}
	switch in.WebhookKind {
	case "", WebhookWeCom, WebhookDingTalk:
	default:
		add("webhook_kind", "群机器人类型应为 wecom（企业微信）或 dingtalk（钉钉），而不是「"+in.WebhookKind+"」")
	}
	if in.WebhookURL != "" {
		u, err := url.Parse(in.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("webhook_url", "群机器人地址应为 https:// 开头的网址")
		}
		if in.WebhookKind == "" {
			add("webhook_kind", "填写了群机器人地址，请选择企业微信或钉钉")
		}
	} else if in.WebhookKind != "" {
		add("webhook_url", "请填写群机器人地址（Webhook）")
	}
	if in.WebhookSecret != "" && in.WebhookKind != WebhookDingTalk {
		add("webhook_secret", "只有钉钉群机器人使用加签密钥")
	}
	return ps.Err()
}

const contactColumns = `u.id, u.name, u.jurisdiction_code, COALESCE(c.email, ''), COALESCE(c.webhook_kind, ''), COALESCE(c.webhook_url, ''),
	COALESCE(c.webhook_secret, ''), COALESCE(c.updated_at, ''), COALESCE(c.updated_by, '')`

func scanContact(r interface{ Scan(...any) error }) (UnitContact, error) {
	var c UnitContact
	var updated string
	err := r.Scan(&c.UnitID, &c.UnitName, &c.JurisdictionCode, &c.Email, &c.WebhookKind, &c.WebhookURL, &c.Secret, &updated, &c.UpdatedBy)
	c.HasSecret, c.UpdatedAt = c.Secret != "", parseTS(updated)
	return c, err
}

// UnitContacts lists the units of a jurisdiction ("" for all) with their
// addresses (blank when none were set), by name. For the admin's page
// and the reminder scheduler; callers check who asks.
func (s *Store) UnitContacts(ctx context.Context, jurisdictionCode string) ([]UnitContact, error) {
	var out []UnitContact
	err := s.read(ctx, func(c conn) error {
		q := "SELECT " + contactColumns + " FROM units u LEFT JOIN unit_contacts c ON c.unit_id = u.id"
		var args []any
		if jurisdictionCode != "" {
			q += " WHERE u.jurisdiction_code = ?"
			args = append(args, jurisdictionCode)
		}
		rows, err := c.query(q+" ORDER BY u.jurisdiction_code, u.name", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			uc, err := scanContact(rows)
			if err != nil {
				return err
			}
			out = append(out, uc)
		}
		return rows.Err()
	})
	return out, err
}

// SetUnitContact replaces a unit's addresses. Needs ActionManageUnits
// (the admin). Errors: invalid (with the field), not_found, forbidden.
func (s *Store) SetUnitContact(ctx context.Context, actor *plan.User, unitID string, in ContactInput) (*UnitContact, error) {
	var out UnitContact
	err := s.write(ctx, actor, func(t *tx) error {
		if err := plan.Authorize(actor, plan.ActionManageUnits, plan.Resource{Kind: plan.ResourceUnit}); err != nil {
			return err
		}
		before, err := scanContact(t.row("SELECT "+contactColumns+" FROM units u LEFT JOIN unit_contacts c ON c.unit_id = u.id WHERE u.id = ?", unitID))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("没有这个单位")
		}
		if err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		secret := before.Secret
		switch {
		case in.ClearSecret || in.WebhookKind != WebhookDingTalk:
			secret = ""
		case in.WebhookSecret != "":
			secret = in.WebhookSecret
		}
		if _, err := t.exec(`INSERT INTO unit_contacts (unit_id, email, webhook_kind, webhook_url, webhook_secret, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (unit_id) DO UPDATE SET email = excluded.email, webhook_kind = excluded.webhook_kind, webhook_url = excluded.webhook_url,
			webhook_secret = excluded.webhook_secret, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			unitID, in.Email, in.WebhookKind, in.WebhookURL, secret, ts(t.now), actor.ID); err != nil {
			return err
		}
		out = before
		out.Email, out.WebhookKind, out.WebhookURL, out.Secret, out.HasSecret = in.Email, in.WebhookKind, in.WebhookURL, secret, secret != ""
		out.UpdatedAt, out.UpdatedBy = t.now, actor.ID
		// The audit keeps whether a secret is set, not the secret.
		return t.audit("unit.contact", "unit", unitID, before, out)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
