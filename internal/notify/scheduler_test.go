package notify

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

// submitUnit has a unit report a month for every project it reports for.
func submitUnit(t *testing.T, w *world, unitID string, per plan.Period) {
	t.Helper()
	ctx := context.Background()
	u := &plan.User{Username: "reporter-" + unitID, Role: plan.RoleReporter, UnitID: unitID}
	if err := w.st.CreateUser(ctx, plan.SystemUser, u, "reporter-password-1"); err != nil {
		t.Fatal(err)
	}
	ps, err := w.st.ListProjects(ctx, store.ProjectFilter{JurisdictionCode: "360112", Year: per.Year})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if !slices.Contains(p.ReportingUnitIDs(), unitID) {
			continue
		}
		in := store.ReportInput{Progress: "按计划推进", Investment: p.Investment, Disbursed: p.Investment}
		for _, tg := range p.ActiveTargets() {
			v := tg.Value
			in.Targets = append(in.Targets, plan.ReportTarget{TargetID: tg.ID, Actual: &v})
		}
		rep, _, err := w.st.SaveReport(ctx, u, p.ID, per, in)
		if err != nil {
			t.Fatalf("save %s: %v", p.Title, err)
		}
		if _, err := w.st.SubmitReport(ctx, u, p.ID, per, rep.Version); err != nil {
			t.Fatalf("submit %s: %v", p.Title, err)
		}
	}
}

// TestSchedulerReportDays drives November 2024 day by day (October's
// reports due on the 5th; reminders 3 days before, from the day after
// the due day every 3 days, at most 3 times). 区人社局 has an e-mail
// address; every unit reaches 新建区's default WeCom robot. 区人社局
// reports on the 10th, after its second 催报: it gets no third; 区民政局,
// which never reports, does.
func TestSchedulerReportDays(t *testing.T) {
	w := openWorld(t)
	ctx := context.Background()
	renshe, minzheng := w.unit(t, "区人社局"), w.unit(t, "区民政局")
	if _, err := w.st.SetUnitContact(ctx, w.admin, renshe, store.ContactInput{Email: "renshe@xinjian.gov.cn"}); err != nil {
		t.Fatal(err)
	}
	cfg := supervise.DefaultConfig()
	cfg.Reminders.Email = supervise.SMTP{Host: "127.0.0.1", Port: 25, From: "ducha@xinjian.gov.cn"}
	cfg.Reminders.Webhooks = map[string]supervise.Webhook{"360112": {Kind: "wecom", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}}
	sc := &Scheduler{Store: w.st, Config: cfg, Now: w.clock.Now}

	got := map[string][]string{} // unit → "day:kind:channel"
	for d := 1; d <= 20; d++ {
		w.clock.Set(cst(2024, time.November, d, 10))
		if d == 10 {
			submitUnit(t, w, renshe, plan.Period{Year: 2024, Month: time.October})
		}
		pass, added, err := sc.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(pass.Unaddressed) > 0 {
			t.Errorf("day %d: unaddressed %v", d, pass.Unaddressed[0].UnitName)
		}
		for _, m := range added {
			if m.UnitID == renshe || m.UnitID == minzheng {
				got[m.UnitID] = append(got[m.UnitID], strings.Join([]string{itoa(d), m.Kind, m.Channel}, ":"))
			}
		}
	}
	want := map[string][]string{
		renshe:   {"2:report_due:email", "2:report_due:wecom", "6:report_late:email", "6:report_late:wecom", "9:report_late:email", "9:report_late:wecom"},
		minzheng: {"2:report_due:wecom", "6:report_late:wecom", "9:report_late:wecom", "12:report_late:wecom"},
	}
	for unit, w := range want {
		if !slices.Equal(got[unit], w) {
			t.Errorf("unit %s:\n got %v\nwant %v", unit, got[unit], w)
		}
	}

	// The texts: who, which month, the deadline, the projects, the days late.
	all, err := w.st.ListOutbox(ctx, w.admin, store.OutboxFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var late *store.OutboxMessage
	for i := range all {
		if all[i].UnitID == minzheng && strings.HasSuffix(all[i].Key, "late-3") {
			late = &all[i]
		}
	}
	if late == nil {
		t.Fatal("no third 催报 for 区民政局")
	}
	for _, s := range []string{"区民政局：", "2024年10月项目进展情况应于2024年11月5日前报送", "现已逾期7天", "第", "南昌市新建区人民政府督查室\n2024年11月12日"} {
		if !strings.Contains(late.Body, s) {
			t.Errorf("催报 lacks %q:\n%s", s, late.Body)
		}
	}
	if late.Subject != "关于催报2024年10月民生实事项目进展情况的通知" {
		t.Errorf("subject %q", late.Subject)
	}
}

// TestSchedulerLetterDays: a 提示函 issued on Tuesday 12 November with 3
// working days is due on Friday the 15th. The lead units are reminded on
// the 14th (one working day left), then on the 16th, 19th and 22nd;
// nothing after the answer.
func TestSchedulerLetterDays(t *testing.T) {
	w := openWorld(t)
	ctx := context.Background()
	ps, err := w.st.ListProjects(ctx, store.ProjectFilter{JurisdictionCode: "360112", Year: 2024})
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0]
	w.clock.Set(cst(2024, time.November, 12, 9))
	l, err := w.st.DraftLetter(ctx, plan.SystemUser, store.LetterDraft{ProjectID: p.ID, Kind: plan.LetterPrompt, Period: plan.Period{Year: 2024, Month: time.October},
		Title: "关于加快项目进度的工作提示函", Body: "请加快推进。", Issuer: "南昌市新建区人民政府督查室", ResponseDays: 3})
	if err != nil {
		t.Fatal(err)
	}
	if l, err = w.st.IssueLetter(ctx, plan.SystemUser, l.ID, store.LetterIssue{}); err != nil || l.DueDate != "2024-11-15" {
		t.Fatalf("issue: %v %+v", err, l)
	}
	cfg := supervise.DefaultConfig()
	cfg.Reminders.Webhooks = map[string]supervise.Webhook{"360112": {Kind: "dingtalk", URL: "https://oapi.dingtalk.com/robot/send?access_token=t", Secret: "SECabc"}}
	cfg.Reminders.ReportDaysBefore, cfg.Reminders.MaxLateReminders = 0, 3
	sc := &Scheduler{Store: w.st, Config: cfg, Now: w.clock.Now}
	lead := p.ReportingUnitIDs()
	var got []string
	for d := 12; d <= 28; d++ {
		w.clock.Set(cst(2024, time.November, d, 10))
		_, added, err := sc.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range added {
			if strings.HasPrefix(m.Kind, "letter") {
				if !slices.Contains(lead, m.UnitID) || m.Channel != "dingtalk" || m.Secret != "SECabc" {
					t.Errorf("letter reminder to %s on %s", m.UnitID, m.Channel)
				}
				if m.UnitID == lead[0] {
					got = append(got, itoa(d)+":"+m.Kind)
				}
			}
		}
	}
	want := []string{"14:letter_due", "16:letter_overdue", "19:letter_overdue", "22:letter_overdue"}
	if !slices.Equal(got, want) {
		t.Errorf("letter reminders:\n got %v\nwant %v", got, want)
	}

	all, _ := w.st.ListOutbox(ctx, w.admin, store.OutboxFilter{Limit: 1000})
	var due string
	for _, m := range all {
		if m.Kind == KindLetterOverdue && strings.HasSuffix(m.Key, "overdue-2") && m.UnitID == lead[0] {
			due = m.Body
		}
	}
	for _, s := range []string{"南昌市新建区人民政府督查室于2024年11月12日印发的《关于加快项目进度的工作提示函》（新建督提〔2024〕1号）答复期限已于2024年11月15日届满，现已逾期4天"} {
		if !strings.Contains(due, s) {
			t.Errorf("催办 lacks %q:\n%s", s, due)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
