package web

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
)

func TestPagesParse(t *testing.T) {
	ps, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"login", "dashboard", "projects", "project", "unit", "report", "monthly", "review", "import", "plan", "admin", "error"} {
		if ps.pages[name] == nil {
			t.Errorf("no page %s", name)
		}
	}
}

// TestPagesRender opens every page as each kind of user and checks it
// answers 200 with its heading.
func TestPagesRender(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	p1 := f.projects[0]
	sup := newPageClient(t, ts, "ducha")
	for _, c := range []struct{ path, want string }{
		{"/dashboard", "章贡区 2024年民生实事总览"},
		{"/dashboard?jurisdiction=360112&period=2024-05", "新建区"},
		{"/projects", "创业带动就业工程"},
		{"/projects?status=attention&sort=status&dir=desc", "需要关注"},
		{"/projects?q=" + url.QueryEscape("燃气"), "城市燃气管道"},
		{"/projects/" + p1.ID, "目标与进度"},
		{"/projects/" + f.projects[1].ID + "/monthly-plan", "月度计划"},
		{"/projects/" + f.projects[2].ID + "/reports/2024-10", "审核"},
		{"/review", "待审核的月度报告"},
		{"/import", "上传方案文件"},
		{"/units/" + p1.ReportingUnitIDs()[0], "区人社局"},
	} {
		res, body := sup.get(c.path)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want %q in\n%.3000s", c.path, res.StatusCode, c.want, body)
		}
	}
	rep := newPageClient(t, ts, "renshe")
	for _, c := range []struct{ path, want string }{
		{"/units/" + p1.ReportingUnitIDs()[0], "我的任务"},
		{"/projects/" + p1.ID + "/reports/2024-10", "报送审核"},
		{"/projects/" + p1.ID + "/monthly-plan", "提交审核"},
	} {
		res, body := rep.get(c.path)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, c.want) {
			t.Errorf("reporter %s: %d, want %q in\n%.3000s", c.path, res.StatusCode, c.want, body)
		}
	}
	admin := newPageClient(t, ts, "admin")
	if res, body := admin.get("/admin"); res.StatusCode != http.StatusOK || !strings.Contains(body, "新建用户") {
		t.Errorf("admin: %d %.2000s", res.StatusCode, body)
	}
	anon := newPageClient(t, ts, "")
	if res, _ := anon.get("/dashboard"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
		t.Errorf("anonymous dashboard: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if os.Getenv("MINSHENG_PAGES_DUMP") != "" {
		_, body := sup.get("/dashboard")
		os.WriteFile("/tmp/dashboard.html", []byte(body), 0o644)
	}
}

// TestStatusReasonOnPages: the dashboard and the project page explain a
// status with the engine's reason. Project 2 keeps to its monthly plan,
// but the plan's deadline (September) passed with the annual targets not
// yet reached: 滞后, and the reason must say the deadline, not 按计划推进.
func TestStatusReasonOnPages(t *testing.T) {
	f := newPageFixture(t)
	p2 := f.projects[1]
	rep := f.reporters[p2.ReportingUnitIDs()[0]]
	mp, err := f.st.ReopenMonthlyPlan(f.ctx, f.sup, p2.ID, "完成时限提前")
	if err != nil {
		t.Fatal(err)
	}
	mp.Deadline = "2024-09-30"
	if mp, err = f.st.SaveMonthlyPlan(f.ctx, rep, p2.ID, mp); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SubmitMonthlyPlan(f.ctx, rep, p2.ID, mp.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.ApproveMonthlyPlan(f.ctx, f.sup, p2.ID); err != nil {
		t.Fatal(err)
	}
	ts := f.start(t)
	sup := newPageClient(t, ts, "ducha")
	const want = "已超过完成时限（2024-09-30）仍未完成"
	_, body := sup.get("/dashboard?period=2024-10")
	row := pageRowOf(body, p2.Title)
	if !strings.Contains(row, "滞后") || !strings.Contains(row, want) || strings.Contains(row, "按计划推进") {
		t.Errorf("dashboard row of project 2, want 滞后 and %q:\n%s", want, row)
	}
	_, body = sup.get("/projects/" + p2.ID + "?period=2024-10")
	if !strings.Contains(body, "<dt>状态说明</dt><dd>"+want) {
		t.Errorf("project page, want 状态说明 %q in\n%.4000s", want, body)
	}
	// The roll-up a city or a province sees counts the county's statuses
	// as its own 总览 does, the deadline included.
	f.expectRollupAsEngine(t, plan.MustPeriod("2024-10"))
}

// expectRollupAsEngine: the roll-up of the fixture's county for per counts
// each status as many times as the status engine's rows (its 总览) do.
func (f *pageFixture) expectRollupAsEngine(t *testing.T, per plan.Period) {
	t.Helper()
	tl, err := f.srv.Engine.Statuses(f.ctx, fixtureCode, per)
	if err != nil {
		t.Fatal(err)
	}
	engine := map[plan.Status]int{}
	for _, p := range tl.Projects {
		engine[tl.Status(p.ID, per).Status]++
	}
	ru, err := f.st.Rollup(f.ctx, fixtureCode, per)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ru.ByStatus) != fmt.Sprint(engine) {
		t.Errorf("%s at %s: roll-up of %s counts %v, its 总览 %v", per, f.clock.Now().Format(time.DateOnly), fixtureCode, ru.ByStatus, engine)
	}
}

// pageRowOf is the table row of a page that names title.
func pageRowOf(body, title string) string {
	i := strings.Index(body, title)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], "<tr")
	end := strings.Index(body[i:], "</tr>")
	if start < 0 || end < 0 {
		return ""
	}
	return body[start : i+end]
}

// TestRollupPage: a province's or a city's user, whose own level has no
// plan, opens the 总览 on the sum of the plans under it: one line per
// city (or county), the numbers those places' own roll-ups give, and a
// selector of its own places only.
func TestRollupPage(t *testing.T) {
	f := newPageFixture(t)
	f.user(t, "sheng", "省领导", plan.RoleLeader, "", "360000")
	f.user(t, "ganzhou", "赣州市领导", plan.RoleLeader, "", "360700")
	ts := f.start(t)
	per := plan.MustPeriod("2024-10")

	sheng := newPageClient(t, ts, "sheng")
	res, body := sheng.get("/dashboard")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "江西省 2024年民生实事汇总") || !strings.Contains(body, "统计月份：2024年10月") {
		t.Fatalf("province: %d\n%.3000s", res.StatusCode, body)
	}
	ru, err := f.st.Rollup(f.ctx, "360000", per)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, fmt.Sprintf("共 %d 个项目", ru.Projects)) || ru.Projects == 0 {
		t.Errorf("province total, want %d projects:\n%.3000s", ru.Projects, body)
	}
	// 新建区 under 南昌市, 章贡区 under 赣州市, 上饶市 its own plan.
	for _, c := range []struct{ name, code string }{{"南昌市", "360100"}, {"赣州市", "360700"}, {"上饶市", "361100"}} {
		area, err := f.st.Rollup(f.ctx, c.code, per)
		if err != nil {
			t.Fatal(err)
		}
		row := pageRowOf(body, ">"+c.name+"</a>")
		want := fmt.Sprintf(`data-label="项目数">%d<`, area.Projects)
		notReported := fmt.Sprintf(`data-label="未报送">%d<`, area.ByStatus[plan.StatusNotReported])
		if area.Projects == 0 || !strings.Contains(row, want) || !strings.Contains(row, notReported) {
			t.Errorf("%s, want %s and %s in\n%s", c.name, want, notReported, row)
		}
	}
	if !strings.Contains(body, "江西省（汇总）") {
		t.Errorf("the selector does not offer 江西省")
	}
	// From the province to a city's roll-up: both offered, the city chosen.
	_, body = sheng.get("/dashboard?jurisdiction=360700&period=2024-10")
	if !strings.Contains(body, "赣州市 2024年民生实事汇总") || !strings.Contains(body, `<option value="360000">江西省（汇总）</option>`) ||
		!strings.Contains(body, `<option value="360700" selected>江西省赣州市（汇总）</option>`) {
		t.Errorf("赣州市 from the province:\n%.3000s", body)
	}

	// The province's project list has none of its own: it points to the roll-up.
	if _, body = sheng.get("/projects"); !strings.Contains(body, "本级没有民生实事计划") || !strings.Contains(body, `href="/dashboard?jurisdiction=360000&amp;period=2024-10"`) {
		t.Errorf("the province's project list does not point to its roll-up:\n%.3000s", body)
	}

	ganzhou := newPageClient(t, ts, "ganzhou")
	_, body = ganzhou.get("/dashboard")
	if !strings.Contains(body, "赣州市 2024年民生实事汇总") || !strings.Contains(body, ">章贡区</a>") {
		t.Fatalf("city:\n%.3000s", body)
	}
	sel := body[strings.Index(body, `<select name="jurisdiction">`):]
	sel = sel[:strings.Index(sel, "</select>")]
	if !strings.Contains(sel, "赣州市（汇总）") || !strings.Contains(sel, "章贡区") || strings.Contains(sel, "新建区") || strings.Contains(sel, "上饶市") {
		t.Errorf("a city's selector offers places outside it: %s", sel)
	}
	// From the line, the county's own 总览.
	if _, body = ganzhou.get("/dashboard?jurisdiction=360702&period=2024-10"); !strings.Contains(body, "章贡区 2024年民生实事总览") {
		t.Errorf("章贡区 from the city:\n%.2000s", body)
	}
}

// TestRollupCountsAsTheEngine: with some months before the roll-up's
// month left without a counted report (reopened, so not counted), a
// county's roll-up still counts each status as the county's 总览 does.
func TestRollupCountsAsTheEngine(t *testing.T) {
	f := newPageFixture(t)
	for _, seq := range []int{2, 3, 8, 9} {
		for _, m := range []string{"2024-08", "2024-09"} {
			if _, err := f.st.ReopenReport(f.ctx, f.sup, f.projects[seq-1].ID, plan.MustPeriod(m), "数据有误，请核实后重报"); err != nil {
				t.Fatal(err)
			}
		}
	}
	// October's report (missing for three projects) is due November 5th,
	// with five days of grace: before, within and after them.
	for _, at := range []time.Time{pageCST(2024, time.November, 3, 9), pageCST(2024, time.November, 7, 9), pageCST(2024, time.November, 12, 10)} {
		f.clock.Set(at)
		for _, m := range []string{"2024-09", "2024-10"} {
			f.expectRollupAsEngine(t, plan.MustPeriod(m))
		}
	}
}
