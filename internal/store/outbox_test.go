package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
)

// TestUnitContacts: only the admin sets a unit's addresses; bad ones are
// refused naming the field; DingTalk's secret is kept when not retyped,
// cleared on request or when the robot is no longer DingTalk, and never
// shown or audited.
func TestUnitContacts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		admin := f.user(t, "管理员", plan.RoleAdmin, "", "")
		unit := f.repA.UnitID
		_, err := s.SetUnitContact(f.ctx, f.sup, unit, ContactInput{Email: "a@b.cn"})
		wantCode(t, err, plan.EForbidden)
		for _, c := range []struct {
			in    ContactInput
			field string
		}{
			{ContactInput{Email: "人社局"}, "email"},
			{ContactInput{WebhookKind: "feishu", WebhookURL: "https://x.cn/hook"}, "webhook_kind"},
			{ContactInput{WebhookKind: WebhookWeCom, WebhookURL: "ftp://x.cn"}, "webhook_url"},
			{ContactInput{WebhookURL: "https://x.cn/hook"}, "webhook_kind"},
			{ContactInput{WebhookKind: WebhookWeCom, WebhookURL: "https://x.cn/hook", WebhookSecret: "SEC1"}, "webhook_secret"},
		} {
			_, err := s.SetUnitContact(f.ctx, admin, unit, c.in)
			wantCode(t, err, plan.EInvalid)
			if e, _ := err.(*plan.Error); e == nil || len(e.Details) == 0 || e.Details[0].Field != c.field {
				t.Errorf("%+v: %v, want field %s", c.in, err, c.field)
			}
		}
		_, err = s.SetUnitContact(f.ctx, admin, "nope", ContactInput{})
		wantCode(t, err, plan.ENotFound)

		ding := ContactInput{Email: "renshe@xinjian.gov.cn", WebhookKind: WebhookDingTalk, WebhookURL: "https://oapi.dingtalk.com/robot/send?access_token=t", WebhookSecret: "SECxyz"}
		c := must(s.SetUnitContact(f.ctx, admin, unit, ding))(t)
		if !c.HasSecret || c.Secret != "SECxyz" {
			t.Fatalf("contact: %+v", c)
		}
		ding.WebhookSecret = ""
		if c = must(s.SetUnitContact(f.ctx, admin, unit, ding))(t); c.Secret != "SECxyz" {
			t.Errorf("the secret was not kept: %+v", c)
		}
		ding.ClearSecret = true
		if c = must(s.SetUnitContact(f.ctx, admin, unit, ding))(t); c.HasSecret {
			t.Errorf("the secret was not cleared")
		}
		all := must(s.UnitContacts(f.ctx, "360112"))(t)
		found := false
		for _, uc := range all {
			if uc.UnitID == unit {
				found = uc.Email == "renshe@xinjian.gov.cn" && uc.WebhookKind == WebhookDingTalk
			}
		}
		if !found || len(all) < 3 {
			t.Errorf("contacts: %+v", all)
		}
		rows := must(s.AuditRows(f.ctx, 1, 0))(t)
		for _, r := range rows {
			if r.Action == "unit.contact" && (strings.Contains(string(r.After), "SECxyz") || strings.Contains(string(r.Before), "SECxyz")) {
				t.Errorf("the audit log keeps the secret: %s", r.After)
			}
		}
	})
}

// TestOutbox: a reminder is enqueued once per key and channel; a claimed
// message is the claimer's until its lease ends; sent and failed messages
// are not claimed again; the supervisor sees its jurisdiction's messages,
// another jurisdiction's supervisor none, a reporter is refused.
func TestOutbox(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		now := time.Date(2024, 11, 6, 1, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		msg := func(key, channel string) OutboxMessage {
			return OutboxMessage{Key: key, Channel: channel, Address: "a@b.cn", JurisdictionCode: "360112", UnitID: f.repA.UnitID,
				Kind: "report_late", Subject: "催报", Body: "正文"}
		}
		added := must(s.Enqueue(f.ctx, []OutboxMessage{msg("k1", "email"), msg("k1", "wecom"), msg("k2", "email")}))(t)
		if len(added) != 3 {
			t.Fatalf("added %d", len(added))
		}
		if again := must(s.Enqueue(f.ctx, []OutboxMessage{msg("k1", "email"), msg("k3", "email")}))(t); len(again) != 1 || again[0].Key != "k3" {
			t.Fatalf("enqueued again: %+v", again)
		}
		keys := must(s.EnqueuedKeys(f.ctx, []string{"k1", "k9"}))(t)
		if !keys["k1"] || keys["k9"] {
			t.Errorf("keys: %v", keys)
		}
		first := must(s.ClaimOutbox(f.ctx, time.Minute, 2))(t)
		second := must(s.ClaimOutbox(f.ctx, time.Minute, 10))(t)
		if len(first) != 2 || len(second) != 2 || first[0].Attempts != 1 {
			t.Fatalf("claims: %d then %d", len(first), len(second))
		}
		if none := must(s.ClaimOutbox(f.ctx, time.Minute, 10))(t); len(none) != 0 {
			t.Fatalf("claimed within the lease: %d", len(none))
		}
		if err := s.MarkSent(f.ctx, first[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkAttemptFailed(f.ctx, first[1].ID, now, "550 无此用户", true); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkAttemptFailed(f.ctx, second[0].ID, now.Add(time.Hour), "超时", false); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Minute)
		if again := must(s.ClaimOutbox(f.ctx, time.Minute, 10))(t); len(again) != 1 || again[0].ID != second[1].ID {
			t.Fatalf("after the lease: %+v", again)
		}
		sup := must(s.ListOutbox(f.ctx, f.sup, OutboxFilter{}))(t)
		if len(sup) != 4 {
			t.Errorf("supervisor sees %d", len(sup))
		}
		failed := must(s.ListOutbox(f.ctx, f.sup, OutboxFilter{State: OutboxFailed}))(t)
		if len(failed) != 1 || failed[0].LastError != "550 无此用户" {
			t.Errorf("failed: %+v", failed)
		}
		if other := must(s.ListOutbox(f.ctx, f.otherSup, OutboxFilter{}))(t); len(other) != 0 {
			t.Errorf("another jurisdiction's supervisor sees %d", len(other))
		}
		_, err := s.ListOutbox(f.ctx, f.repA, OutboxFilter{})
		wantCode(t, err, plan.EForbidden)
	})
}

// TestLateMigration: a database already past 00004 when 00004 arrives
// (numbers are reserved per feature and land in any order) gets it
// applied at the next start instead of refusing to open.
func TestLateMigration(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		for _, q := range []string{"DROP TABLE outbox", "DROP TABLE unit_contacts", "DELETE FROM goose_db_version WHERE version_id = 4"} {
			if _, err := s.WriteDB().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		s2 := openTest(t, dsn)
		if _, err := s2.UnitContacts(context.Background(), ""); err != nil {
			t.Fatalf("00004 was not applied late: %v", err)
		}
	})
}
