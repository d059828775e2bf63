package web

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
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
