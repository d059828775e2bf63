package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// TestBrowserVoteRound: a whole 人大票决 round in the browser. The
// supervisor opens it; a unit proposes on its page and a resident on the
// public page without logging in; the supervisor moderates, merges a
// duplicate, shortlists, sets K and opens the vote; two deputies vote on
// a phone (one twice: refused); the supervisor closes (result with its
// hash) and adopts the winners into a draft of next year's plan, which it
// publishes; at year end a deputy evaluates a 票决 project and the rate
// shows on the project page and the dashboard.
func TestBrowserVoteRound(t *testing.T) {
	f := newPageFixture(t)
	dep1 := f.user(t, "daibiao1", "人大代表甲", plan.RoleDeputy, "", fixtureCode)
	f.user(t, "daibiao2", "人大代表乙", plan.RoleDeputy, "", fixtureCode)
	ts := f.start(t)
	b := newBrowserRun(t, ts)

	sup := b.tab()
	b.login(sup, "ducha")
	b.open(sup, "/votes")
	b.do(sup, chromedp.Click(chromedp.CSS(`form[action="/votes"] button`)))
	b.waitText(sup, ".flash.ok", "已新建票决轮次")
	roundPath := strings.TrimPrefix(b.location(sup), ts.URL)
	roundPath = roundPath[:strings.IndexAny(roundPath+"?", "?")]
	roundID := strings.TrimPrefix(roundPath, "/votes/")

	// A unit proposes: a bad investment is refused on its field, then
	// accepted.
	rep := b.tab()
	b.login(rep, "renshe")
	b.open(rep, roundPath)
	fill := func(name, content, unit, inv, reason string) []chromedp.Action[chromedp.Void] {
		steps := []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.CSS("#p-name"), name),
			chromedp.SetValue(chromedp.CSS("#p-content"), content),
			chromedp.SetValue(chromedp.CSS("#p-unit"), unit),
			chromedp.SetValue(chromedp.CSS("#p-reason"), reason),
		}
		if inv != "" {
			steps = append(steps, chromedp.SetValue(chromedp.CSS("#p-inv"), inv))
		}
		return steps
	}
	b.do(rep, append(fill("建设社区嵌入式养老服务中心", "新建社区嵌入式养老服务中心4个，提供日间照料、助餐服务。", "区民政局", "一千二百万", "老年人口占比高"),
		chromedp.Click(chromedp.CSS(`#propose button[type="submit"]`)))...)
	b.waitText(rep, ".field.invalid .field-error", "估算投资应为数字")
	b.shot(rep, "vote-propose-error")
	b.do(rep, chromedp.SetValue(chromedp.CSS("#p-inv"), "1200"), chromedp.Click(chromedp.CSS(`#propose button[type="submit"]`)))
	b.waitText(rep, ".flash.ok", "已提交候选项目")
	for _, c := range [][5]string{
		{"实施城区排水管网改造", "改造城区老旧排水管网12公里，消除易涝点6处。", "区住建局", "3500", "汛期路段积水"},
		{"新建城市口袋公园", "利用边角地新建口袋公园8个。", "区城管执法局", "800", "就近休闲场所不足"},
	} {
		b.open(rep, roundPath)
		b.do(rep, append(fill(c[0], c[1], c[2], c[3], c[4]), chromedp.Click(chromedp.CSS(`#propose button[type="submit"]`)))...)
		b.waitText(rep, ".flash.ok", "已提交候选项目")
	}

	// A resident, no login, on a phone.
	pub := b.tab()
	b.do(pub, chromedp.EmulateViewport(375, 800))
	b.open(pub, "/public/votes/"+roundID)
	b.do(pub, append(fill("增加学校周边上下学交通疏导", "上下学时段增派交警和志愿者。", "区公安分局", "", "校门口拥堵"),
		chromedp.Click(chromedp.CSS(`#propose button[type="submit"]`)))...)
	b.waitText(pub, "#propose .flash.ok", "已收到您的建议")
	b.do(pub, fill("新建口袋公园", "多建几个小公园", "区城管执法局", "", "小区附近没地方散步")...)
	submitNewPage(b, pub, "#propose form")
	b.waitText(pub, "#propose .flash.ok", "已收到您的建议")
	if s := b.text(pub, "main"); strings.Contains(s, "上下学交通疏导") {
		t.Error("an unmoderated proposal shows on the public page")
	}
	b.shot(pub, "vote-public")

	// The supervisor: approve one, merge the duplicate, shortlist, K = 2,
	// two winners, open.
	b.open(sup, roundPath)
	b.shot(sup, "vote-moderation")
	cands, err := f.st.ListCandidates(f.ctx, f.sup, roundID)
	if err != nil || len(cands) != 5 {
		t.Fatalf("candidates: %d %v", len(cands), err)
	}
	byName := map[string]plan.Candidate{}
	for _, c := range cands {
		byName[c.Name] = c
	}
	act := func(name, action string) {
		c := byName[name]
		submitNewPage(b, sup, `form[action$="/candidates/`+c.ID+`"]:has(input[name=action][value=`+action+`])`)
		b.waitText(sup, ".flash.ok", "已更新候选项目")
	}
	act("增加学校周边上下学交通疏导", store.CandidateApprove)
	b.do(sup, chromedp.SetValue(chromedp.CSS("#into-"+byName["新建口袋公园"].ID), byName["新建城市口袋公园"].ID))
	act("新建口袋公园", store.CandidateMerge)
	for _, name := range []string{"建设社区嵌入式养老服务中心", "实施城区排水管网改造", "新建城市口袋公园", "增加学校周边上下学交通疏导"} {
		act(name, store.CandidateShortlist)
	}
	b.do(sup, chromedp.SetValue(chromedp.CSS("#r-k"), "2"), chromedp.SetValue(chromedp.CSS("#r-seats"), "2"),
		chromedp.Click(chromedp.CSS(`form[action$="/settings"] button`)))
	b.waitText(sup, ".flash.ok", "已保存票决设置")
	b.shot(sup, "vote-shortlist")
	b.do(sup, chromedp.Click(chromedp.CSS(`form[action$="/state"] button`)))
	b.waitText(sup, ".flash.ok", "已开始投票")

	// Deputies vote on a phone. Three choices are refused (K = 2) and the
	// ticks kept; two are taken; a second ballot is refused.
	ids := map[string]string{}
	for _, c := range cands {
		ids[c.Name] = c.ID
	}
	vote := func(user, want string, names ...string) {
		d := b.tab()
		b.do(d, chromedp.EmulateViewport(375, 800))
		b.login(d, user)
		b.open(d, roundPath)
		for _, n := range names {
			b.do(d, chromedp.Click(chromedp.CSS(`input[name=choice][value="`+ids[n]+`"]`)))
		}
		if user == "daibiao1" && len(names) == 2 {
			b.shot(d, "vote-ballot")
		}
		b.do(d, chromedp.Click(chromedp.CSS(`#ballot button[type="submit"]`)))
		b.waitText(d, ".flash", want)
	}
	vote("daibiao1", "最多只能选择 2 个", "建设社区嵌入式养老服务中心", "实施城区排水管网改造", "新建城市口袋公园")
	if voted, err := f.st.HasVoted(f.ctx, dep1.ID, roundID); err != nil || voted {
		t.Fatalf("a ballot over K was stored: %v %v", voted, err)
	}
	vote("daibiao1", "已投票", "建设社区嵌入式养老服务中心", "增加学校周边上下学交通疏导")
	vote("daibiao2", "已投票", "建设社区嵌入式养老服务中心", "实施城区排水管网改造")
	if voted, _, _ := f.st.Turnout(f.ctx, roundID); voted != 2 {
		t.Fatalf("turnout %d, want 2", voted)
	}
	again := b.tab()
	b.do(again, chromedp.EmulateViewport(375, 800))
	b.login(again, "daibiao1")
	b.open(again, roundPath)
	b.waitText(again, ".flash.ok", "您已投票")
	b.shot(again, "vote-voted")
	if err := f.st.CastBallot(f.ctx, dep1, roundID, nil); plan.ErrorCode(err) != plan.EConflict {
		t.Fatalf("second ballot: %v", err)
	}

	// Close: 养老 2, 排水 1, 交通 1 (tie for the second seat, by lot).
	b.open(sup, roundPath)
	b.do(sup, chromedp.Click(chromedp.CSS(`form[action$="/state"] button`)))
	b.waitText(sup, ".flash.ok", "计票结果已公布")
	res := b.text(sup, "#result")
	if !strings.Contains(res, "共收到选票 2 张") || !strings.Contains(res, "平票抽签") {
		t.Errorf("result: %s", res)
	}
	b.shot(sup, "vote-result")
	rd, err := f.st.GetRound(f.ctx, roundID)
	if err != nil || !strings.Contains(res, rd.BallotsHash) || rd.Result.Winners()[0].Name != "建设社区嵌入式养老服务中心" {
		t.Fatalf("round %+v %v", rd, err)
	}
	b.open(pub, "/public/votes/"+roundID)
	b.waitText(pub, "#result", rd.BallotsHash)

	// Adopt: a draft of 2025 with the two winners, tagged; publish it.
	b.do(sup, chromedp.Click(chromedp.CSS(`form[action$="/state"] button`)))
	b.waitText(sup, ".flash.ok", "当选项目已加入年度计划草稿")
	b.do(sup, chromedp.Click(chromedp.CSS(`form[action$="/publish"] button`)))
	b.waitText(sup, ".flash.ok", "计划已发布")
	ps, err := f.st.ListProjects(f.ctx, store.ProjectFilter{JurisdictionCode: fixtureCode, Year: 2025})
	if err != nil || len(ps) != 2 || !ps[0].CongressVoted() {
		t.Fatalf("2025 projects: %+v %v", ps, err)
	}

	// Year end: the deputy evaluates; the project page and the dashboard
	// show the rate.
	f.clock.Set(pageCST(2025, time.December, 5, 10))
	d := b.tab()
	b.do(d, chromedp.EmulateViewport(375, 800))
	b.login(d, "daibiao1")
	b.open(d, "/projects/"+ps[0].ID)
	b.do(d, chromedp.Click(chromedp.CSS(`input[name=rating][value=basic]`)), chromedp.Click(chromedp.CSS(`.eval-form button`)))
	b.waitText(d, ".flash.ok", "已提交年终满意度测评")
	b.waitText(d, "#evaluation", "满意度 100%")
	b.shot(d, "vote-evaluation")
	sup = b.tab() // the sessions of a year ago have expired
	b.login(sup, "ducha")
	b.open(sup, "/dashboard?jurisdiction="+fixtureCode+"&period=2025-11")
	b.waitText(sup, "#h-congress + .table-wrap", "100%")
	b.shot(sup, "vote-dashboard")
	b.open(sup, "/projects/"+ps[0].ID)
	if s := b.text(sup, ".page-head"); !strings.Contains(s, plan.CongressTag) {
		t.Errorf("project page lacks the tag: %s", s)
	}
}

// submitNewPage submits a form and waits until the page it leads to has
// replaced this one (the same flash message may be on both).
func submitNewPage(b *browserRun, ctx context.Context, form string) {
	b.t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.dataset.leaving = "1"; true`)); err != nil {
		b.t.Fatal(err)
	}
	b.do(ctx, chromedp.Submit(chromedp.CSS(form)))
	for range 100 {
		left, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.body.dataset.leaving && document.readyState === "complete"`))
		if err == nil && left {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("%s did not lead to a new page", form)
}
