package web_test

import (
	"context"
	"strings"
	"testing"

	"minsheng/internal/store"
)

// unitVar puts the ID of a unit of 新建区 in {unitR} (区人社局).
func unitVar(f *fixture) {
	u, err := f.st.FindUnit(context.Background(), "360112", "区人社局")
	if err != nil {
		f.t.Fatal(err)
	}
	f.vars["unitR"] = u.ID
}

// reminderWriteCases: only the admin sets a unit's reminder addresses.
func reminderWriteCases() []writeCase {
	return []writeCase{
		{route: "PUT /api/v1/units/{unitID}/contact", method: "PUT", url: "/api/v1/units/{unitR}/contact", setup: unitVar,
			body:    `{"email": "renshe@xinjian.gov.cn", "webhook_kind": "wecom", "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}`,
			allowed: map[string]int{admin: 200}},
	}
}

// enqueueFor puts a reminder for 区人社局 of 新建区 in the outbox.
func enqueueFor(f *fixture) {
	unitVar(f)
	_, err := f.st.Enqueue(context.Background(), []store.OutboxMessage{{Key: "report_late|" + f.vars["unitR"] + "|360112|2024-05|late-1",
		Channel: "wecom", Address: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret-key", JurisdictionCode: "360112",
		UnitID: f.vars["unitR"], Kind: "report_late", Subject: "关于催报2024年5月民生实事项目进展情况的通知", Body: "区人社局：……"}})
	if err != nil {
		f.t.Fatal(err)
	}
}

// reminderReads has the contract test see the reminder reads answer.
func reminderReads(t *testing.T, f *fixture) {
	enqueueFor(f)
	f.do(admin, "GET", "/api/v1/contacts?jurisdiction=360112", nil).expect(t, 200, `"unit_name":"区人社局"`)
	f.do(supervisor, "GET", "/api/v1/outbox?state=pending", nil).expect(t, 200, `"kind":"report_late"`)
}

// TestContactsAndOutboxAPI: bad addresses are refused naming the field;
// DingTalk's secret is kept but never shown; the outbox shows a
// supervisor its jurisdiction's reminders without the robots' tokens,
// nothing of other jurisdictions, and refuses units.
func TestContactsAndOutboxAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	unitVar(f)
	for body, field := range map[string]string{
		`{"email": "人社局"}`: "email",
		`{"webhook_kind": "wecom", "webhook_url": "qyapi.weixin.qq.com"}`:                 "webhook_url",
		`{"webhook_kind": "lark", "webhook_url": "https://x.cn"}`:                         "webhook_kind",
		`{"webhook_kind": "wecom", "webhook_url": "https://x.cn", "webhook_secret": "S"}`: "webhook_secret",
	} {
		f.do(admin, "PUT", "/api/v1/units/{unitR}/contact", body).expect(t, 422, `"field":"`+field+`"`)
	}
	f.do(admin, "PUT", "/api/v1/units/nope/contact", `{}`).expect(t, 404)
	r := f.do(admin, "PUT", "/api/v1/units/{unitR}/contact",
		`{"email": "renshe@xinjian.gov.cn", "webhook_kind": "dingtalk", "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=t", "webhook_secret": "SECsecret"}`).
		expect(t, 200, `"has_secret":true`)
	if strings.Contains(string(r.body), "SECsecret") {
		t.Error("the secret is shown")
	}
	r = f.do(admin, "GET", "/api/v1/contacts?jurisdiction=360112", nil).expect(t, 200, `"email":"renshe@xinjian.gov.cn"`)
	if strings.Contains(string(r.body), "SECsecret") {
		t.Error("the secret is listed")
	}
	f.do(supervisor, "GET", "/api/v1/contacts", nil).expect(t, 403)

	enqueueFor(f)
	r = f.do(supervisor, "GET", "/api/v1/outbox", nil).expect(t, 200, `"subject":"关于催报2024年5月民生实事项目进展情况的通知"`, `send?…`)
	if strings.Contains(string(r.body), "secret-key") {
		t.Error("the outbox shows the robot's key")
	}
	if r = f.do(otherSupervisor, "GET", "/api/v1/outbox", nil).expect(t, 200); strings.Contains(string(r.body), "report_late") {
		t.Error("another jurisdiction's supervisor sees the reminder")
	}
	f.do(admin, "GET", "/api/v1/outbox?state=failed", nil).expect(t, 200, `{"items":[]}`)
	f.do(leadReporter, "GET", "/api/v1/outbox", nil).expect(t, 403)
	f.do(supervisor, "GET", "/api/v1/outbox?state=lost", nil).expect(t, 400, `"field":"state"`)
}
