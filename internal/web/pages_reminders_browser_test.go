package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minsheng/internal/store"
)

// TestBrowserReminders: the admin sets a unit's e-mail and WeCom robot (a
// bad address first, refused beside its field); the supervisor's outbox
// page shows reminders waiting, sent and failed with the last error, and
// no robot's key.
func TestBrowserReminders(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	b := newBrowserRun(t, ts)
	unit := f.projects[0].ReportingUnitIDs()[0]

	adm := b.tab()
	b.login(adm, "admin")
	b.open(adm, "/admin/contacts?jurisdiction="+fixtureCode)
	row := "#unit-" + unit
	b.do(adm,
		chromedp.SetValue(chromedp.CSS(row+` input[name="email"]`), "人社局邮箱"),
		chromedp.Click(chromedp.CSS(row+` button`)),
	)
	b.waitText(adm, row+" .contact-errors", "电子邮箱格式不对")
	b.do(adm,
		chromedp.SetValue(chromedp.CSS(row+` input[name="email"]`), "renshe@zhanggong.gov.cn"),
		chromedp.SetValue(chromedp.CSS(row+` select[name="webhook_kind"]`), "wecom"),
		chromedp.SetValue(chromedp.CSS(row+` input[name="webhook_url"]`), "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"),
		chromedp.Click(chromedp.CSS(row+` button`)),
	)
	b.waitText(adm, ".flash.ok", "已保存该单位的提醒联系方式")
	contacts, err := f.st.UnitContacts(f.ctx, fixtureCode)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range contacts {
		if c.UnitID == unit && (c.Email != "renshe@zhanggong.gov.cn" || c.WebhookKind != "wecom") {
			t.Errorf("stored contact: %+v", c)
		}
	}
	b.shot(adm, "contacts")

	msg := func(key, ch, addr string) store.OutboxMessage {
		return store.OutboxMessage{Key: key, Channel: ch, Address: addr, JurisdictionCode: fixtureCode, UnitID: unit, Kind: "report_late",
			Subject: "关于催报2024年10月民生实事项目进展情况的通知", Body: "区人社局：……"}
	}
	added, err := f.st.Enqueue(f.ctx, []store.OutboxMessage{
		msg("k|late-1", "email", "renshe@zhanggong.gov.cn"), msg("k|late-1", "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"),
		msg("k|late-2", "email", "renshe@zhanggong.gov.cn")})
	if err != nil || len(added) != 3 {
		t.Fatal(err)
	}
	claimed, _ := f.st.ClaimOutbox(f.ctx, time.Minute, 2)
	f.st.MarkSent(f.ctx, claimed[0].ID)
	f.st.MarkAttemptFailed(f.ctx, claimed[1].ID, f.clock.Now(), "群机器人拒绝：errcode 93000 invalid webhook url", true)

	sup := b.tab()
	b.login(sup, "ducha")
	b.open(sup, "/outbox")
	if s := b.text(sup, "table.outbox"); !strings.Contains(s, "errcode 93000") || !strings.Contains(s, "已发送") || !strings.Contains(s, "待发送") || strings.Contains(s, "key=abc") {
		t.Errorf("outbox page: %q", s)
	}
	b.shot(sup, "outbox")
}
