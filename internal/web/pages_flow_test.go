package web

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
)

func TestLoginPageMessages(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	c := newPageClient(t, ts, "")
	res := c.post("/login", url.Values{"username": {"renshe"}, "password": {"wrong-password"}})
	body := pageBody(res)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "用户名或密码错误") {
		t.Fatalf("wrong password: %d %s", res.StatusCode, body)
	}
	if !strings.Contains(body, `value="renshe"`) {
		t.Errorf("the username is not kept in the form")
	}
	for i := 0; i < 4; i++ {
		pageBody(c.post("/login", url.Values{"username": {"renshe"}, "password": {"wrong-password"}}))
	}
	res = c.post("/login", url.Values{"username": {"renshe"}, "password": {fixturePassword}})
	body = pageBody(res)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "账号已锁定至") {
		t.Fatalf("locked account: %d %s", res.StatusCode, body)
	}
	res = c.post("/login", url.Values{"username": {""}, "password": {""}})
	if body := pageBody(res); !strings.Contains(body, "请输入用户名和密码") {
		t.Errorf("empty login: %s", body)
	}
	// A ?next= to another host is ignored.
	c2 := newPageClient(t, ts, "")
	res = c2.post("/login", url.Values{"username": {"ducha"}, "password": {fixturePassword}, "next": {"//evil.example/"}})
	if loc := res.Header.Get("Location"); loc != "/" {
		t.Errorf("next to another host: redirected to %q", loc)
	}
}

func TestPagesNeedCSRFAndScriptsFromFiles(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	c := newPageClient(t, ts, "renshe")
	p1 := f.projects[0]
	res := c.post("/projects/"+p1.ID+"/reports/2024-10", url.Values{"action": {"save"}, "progress": {"x"}})
	if body := pageBody(res); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "页面已过期") {
		t.Fatalf("post without CSRF token: %d %.500s", res.StatusCode, body)
	}
	inline := regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]|\son[a-z]+="`)
	for _, path := range []string{"/units/" + p1.ReportingUnitIDs()[0], "/dashboard", "/projects", "/projects/" + p1.ID, "/projects/" + p1.ID + "/reports/2024-10", "/projects/" + p1.ID + "/monthly-plan"} {
		_, body := c.get(path)
		if m := inline.FindString(body); m != "" {
			t.Errorf("%s has inline script: %q", path, m)
		}
		if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
			t.Errorf("%s names another host", path)
		}
	}
}

func TestReportFormValidationAndAccess(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	c := newPageClient(t, ts, "renshe")
	token := c.csrf()
	p1 := f.projects[0]
	path := "/projects/" + p1.ID + "/reports/2024-10"
	tg := p1.ActiveTargets()
	form := url.Values{"csrf_token": {token}, "version": {"0"}, "action": {"save"}, "t." + tg[0].ID: {"abc"}, "investment_wan": {"-5"}}
	res := c.post(path, form)
	body := pageBody(res)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "「"+tg[0].Metric+"」应填写数字") {
		t.Fatalf("bad number: %d %.2000s", res.StatusCode, body)
	}
	if !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, `value="abc"`) {
		t.Errorf("the form does not keep the value and mark the field")
	}
	// The store's own validation: a negative amount, named by its field.
	form.Set("t."+tg[0].ID, "55")
	res = c.post(path, form)
	body = pageBody(res)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "累计完成投资不能为负数") || !strings.Contains(body, `href="#f-investment_wan"`) {
		t.Fatalf("negative investment: %d %.2000s", res.StatusCode, body)
	}
	// Submitting an incomplete report saves the draft and says what is missing.
	form.Set("investment_wan", "560")
	form.Set("action", "submit")
	res = c.post(path, form)
	body = pageBody(res)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "草稿已保存，但报送前") || !strings.Contains(body, "尚未填写完成值") {
		t.Fatalf("incomplete submit: %d %.3000s", res.StatusCode, body)
	}
	oct := plan.Period{Year: 2024, Month: time.October}
	draft, err := f.st.GetReport(f.ctx, f.rep, p1.ID, oct)
	if err != nil || draft.State != plan.ReportDraft || draft.Investment == nil || draft.Investment.String() != "560" {
		t.Fatalf("the refused submission kept no draft: %+v %v", draft, err)
	}
	// Complete, it is saved and submitted in one step; the same form sent
	// again (a second click) changes nothing.
	for _, tgt := range tg {
		form.Set("t."+tgt.ID, "99999")
		if tgt.Unit == "%" {
			form.Set("t."+tgt.ID, "96")
		}
	}
	form.Set("version", strconv.Itoa(draft.Version))
	form.Set("progress", "已完成十月工作。")
	for range 2 {
		if res := c.post(path, form); res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "submitted") {
			t.Fatalf("complete submit: %d %s %.3000s", res.StatusCode, res.Header.Get("Location"), pageBody(res))
		}
	}
	revs, err := f.st.ReportRevisions(f.ctx, f.rep, p1.ID, oct)
	if err != nil {
		t.Fatal(err)
	}
	if last := revs[len(revs)-1]; last.State != plan.ReportSubmitted || last.Snapshot.Investment.String() != "560" ||
		len(revs) != 2 {
		t.Errorf("revisions after two submissions of the same form: %d, the last %s", len(revs), last.State)
	}

	// Another unit's reporter reads no draft and gets no form.
	other := newPageClient(t, ts, "tianbao02")
	_, body = other.get(path)
	if strings.Contains(body, "报送审核") || !strings.Contains(body, "暂无内容可看") {
		t.Errorf("another unit sees the draft or the form:\n%.2000s", body)
	}
	if res, _ := other.get("/units/" + p1.ReportingUnitIDs()[0]); res.StatusCode != http.StatusForbidden {
		t.Errorf("another unit's task page: %d", res.StatusCode)
	}
	// The review queue is the supervisor's.
	if res, _ := c.get("/review"); res.StatusCode != http.StatusForbidden {
		t.Errorf("reporter opens the review queue: %d", res.StatusCode)
	}
}

func TestMonthlyPlanForm(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	c := newPageClient(t, ts, "renshe")
	token := c.csrf()
	p1 := f.projects[0]
	path := "/projects/" + p1.ID + "/monthly-plan"
	tg := p1.ActiveTargets()[0]
	form := url.Values{"csrf_token": {token}, "version": {"0"}, "action": {"save"},
		"t." + tg.ID + ".3": {"30"}, "t." + tg.ID + ".4": {"20"}, "inv.1": {"50"}, "deadline": {"2024-12-31"}}
	res := c.post(path, form)
	body := pageBody(res)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "4月计划值 20 不能小于3月的 30") {
		t.Fatalf("falling plan: %d %.2000s", res.StatusCode, body)
	}
	form.Set("t."+tg.ID+".4", "40")
	form.Set("action", "submit")
	if res := c.post(path, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %.2000s", res.StatusCode, pageBody(res))
	}
	sup := newPageClient(t, ts, "ducha")
	_, body = sup.get("/review")
	if !strings.Contains(body, p1.Title) || !strings.Contains(body, path) {
		t.Errorf("the review queue does not list the monthly plan")
	}
	res = sup.post(path+"/review", url.Values{"csrf_token": {sup.csrf()}, "decision": {"approve"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", res.StatusCode, pageBody(res))
	}
	_, body = sup.get("/projects/" + p1.ID)
	if !strings.Contains(body, "按已审核的月度计划") {
		t.Errorf("the project page does not use the approved plan")
	}
}

func TestProjectListFilters(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	c := newPageClient(t, ts, "lingdao")
	count := func(query string) int {
		_, body := c.get("/projects?" + query)
		return strings.Count(body, `data-label="项目"><a href="/projects/`)
	}
	if n := count(""); n != 15 {
		t.Fatalf("all projects: %d", n)
	}
	if n := count("status=not_reported"); n != 3 {
		t.Errorf("未报送: %d, want 3", n)
	}
	if n := count("q=" + url.QueryEscape("燃气")); n != 1 {
		t.Errorf("search 燃气: %d", n)
	}
	if n := count("leader=" + url.QueryEscape("江文元")); n == 0 {
		t.Errorf("leader filter found nothing")
	}
	_, body := c.get("/projects?sort=investment&dir=desc")
	i, j := strings.Index(body, "安居品质提升工程"), strings.Index(body, "精准助残服务工程")
	if i < 0 || j < 0 || i > j {
		t.Errorf("sort by investment, descending: 安居品质提升工程 at %d, 精准助残服务工程 at %d", i, j)
	}
}

func TestAdminForms(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	c := newPageClient(t, ts, "admin")
	token := c.csrf()
	res := c.post("/admin/users", url.Values{"csrf_token": {token}, "username": {"new"}, "role": {"reporter"}, "password": {"12345678"}})
	if body := pageBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "必须属于一个单位") {
		t.Fatalf("reporter without unit: %d %.1500s", res.StatusCode, body)
	}
	res = c.post("/admin/users", url.Values{"csrf_token": {token}, "username": {"new"}, "display_name": {"新督查"}, "role": {"supervisor"},
		"jurisdiction_code": {"360702"}, "password": {"12345678"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create user: %d %s", res.StatusCode, pageBody(res))
	}
	res = c.post("/admin/units", url.Values{"csrf_token": {token}, "jurisdiction_code": {"360702"}, "name": {"区数据局"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create unit: %d %s", res.StatusCode, pageBody(res))
	}
	_, body := c.get("/admin")
	if !strings.Contains(body, "新督查") || !strings.Contains(body, "区数据局") {
		t.Errorf("the new user or unit is not listed")
	}
	if res, _ := newPageClient(t, ts, "ducha").get("/admin"); res.StatusCode != http.StatusForbidden {
		t.Errorf("supervisor opens the admin page: %d", res.StatusCode)
	}
}

// TestDocumentDownloads: the supervisor downloads the ledger and the
// bulletin from the dashboard; a unit's reporter may not.
func TestDocumentDownloads(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	sup := newPageClient(t, ts, "ducha")
	_, body := sup.get("/dashboard?jurisdiction=360702&period=2024-10")
	if !strings.Contains(body, "/documents/ledger.xlsx?jurisdiction=360702&amp;period=2024-10") {
		t.Fatal("the dashboard has no ledger download link")
	}
	for _, tc := range []struct{ path, ctype, magic string }{
		{"/documents/ledger.xlsx?jurisdiction=360702&period=2024-10", "spreadsheetml", "PK"},
		{"/documents/bulletin.docx?jurisdiction=360702&period=2024-10", "wordprocessingml", "PK"},
		{"/documents/bulletin.html?jurisdiction=360702&period=2024-10", "text/html", "<!DOCTYPE html>"},
	} {
		resp, err := sup.c.Get(ts.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), tc.ctype) || !strings.HasPrefix(string(b), tc.magic) {
			t.Errorf("%s: %d %s %q", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), string(b[:min(len(b), 40)]))
		}
	}
	rep := newPageClient(t, ts, f.rep.Username)
	resp, err := rep.c.Get(ts.URL + "/documents/ledger.xlsx?jurisdiction=360702&period=2024-10")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a unit reporter got the ledger: %d", resp.StatusCode)
	}
}
