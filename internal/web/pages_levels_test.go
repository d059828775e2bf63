package web

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minsheng/internal/docimport"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// levelFixture is the pages' fixture plus the test plan of 上饶市广丰区
// (testdata/hierarchy, a repeat of three city projects) and 湘潭市雨湖区's
// plan (a 特困 standard no indicator phrase matches), with 上饶市's
// supervisor and the 信州区 education bureau's reporter.
type levelFixture struct {
	*pageFixture
	city    []plan.ProjectRecord // 上饶市, by seq
	citySup *plan.User
	xzRep   *plan.User
}

func newLevelFixture(t *testing.T) *levelFixture {
	t.Helper()
	f := &levelFixture{pageFixture: newPageFixture(t)}
	for _, rel := range []string{"hierarchy/guangfeng-2024.txt", "plans/yuhu-2024-units-line.txt"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", rel))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := docimport.Import(filepath.Base(rel), raw)
		if err != nil {
			t.Fatal(err)
		}
		pv, err := f.st.SaveDraftPlan(f.ctx, plan.SystemUser, doc, string(raw))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.PublishPlan(f.ctx, plan.SystemUser, pv.ID); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if f.city, err = f.st.ListProjects(f.ctx, store.ProjectFilter{JurisdictionCode: "361100", Year: 2024}); err != nil || len(f.city) != 10 {
		t.Fatalf("上饶市 projects: %d %v", len(f.city), err)
	}
	f.citySup = f.user(t, "shangrao", "上饶市民生办", plan.RoleSupervisor, "", "361100")
	unit, err := f.st.EnsureUnit(f.ctx, plan.SystemUser, "361102", "区教育局")
	if err != nil {
		t.Fatal(err)
	}
	f.xzRep = f.user(t, "xinzhou-edu", "信州区教育局", plan.RoleReporter, unit.ID, "")
	return f
}

// schoolsTarget is 上饶市 project 9's target: 100 pilot schools.
func (f *levelFixture) schoolsTarget(t *testing.T) plan.TargetRecord {
	t.Helper()
	tg := f.city[8].ActiveTargets()[0]
	if tg.Metric != "试点学校" {
		t.Fatalf("上饶市 project 9 target: %s", tg.Metric)
	}
	return tg
}

// TestLevelPagesRefuse: the pages check who may split, link and map, and
// a bad split is shown beside its county with nothing saved.
func TestLevelPagesRefuse(t *testing.T) {
	f := newLevelFixture(t)
	ts := f.start(t)
	tg := f.schoolsTarget(t)
	zg := newPageClient(t, ts, "ducha") // 章贡区: not 上饶市's supervisor
	if res, _ := zg.get("/hierarchy/targets/" + tg.ID + "/split"); res.StatusCode != http.StatusForbidden {
		t.Errorf("章贡区 supervisor opens 上饶市's split form: %d", res.StatusCode)
	}
	sr := newPageClient(t, ts, "shangrao")
	form := url.Values{"csrf_token": {sr.csrf()}, "value_361102": {"60"}, "unit_361102": {"区教育局"}, "value_361103": {"三十"}, "unit_361103": {"区教体局"}}
	res := sr.post("/hierarchy/targets/"+tg.ID+"/split", form)
	body := pageBody(res)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "广丰区的分解数「三十」不是数字") {
		t.Errorf("bad number: %d %s", res.StatusCode, clipBody(body))
	}
	form.Set("value_361103", "30")
	res = sr.post("/hierarchy/targets/"+tg.ID+"/split", form)
	body = pageBody(res)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "各地分解数合计 90所，少于目标 100所（差 10所）") {
		t.Errorf("short sum: %d %s", res.StatusCode, clipBody(body))
	}
	if rs, err := f.st.SplitRollups(f.ctx, "361100", plan.MustPeriod("2024-10")); err != nil || len(rs) != 0 {
		t.Errorf("a refused split was saved: %d %v", len(rs), err)
	}
	lead := newPageClient(t, ts, "lingdao")
	if res := lead.post("/compare/targets/"+tg.ID, url.Values{"csrf_token": {lead.csrf()}, "indicator_id": {"dibao_urban"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a leader maps a target: %d", res.StatusCode)
	}
	if res, _ := newPageClient(t, ts, "shangrao").get("/shares"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a supervisor opens the units' share form: %d", res.StatusCode)
	}
}

func clipBody(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 600 {
		s = s[:600]
	}
	return s
}

// TestBrowserLevels: 上饶市's supervisor splits the 100 pilot schools
// among the counties (a wrong sum first), confirms 广丰区's repeat of the
// project; 信州区's education bureau reports its share; the city sees the
// roll-up and the chart of its counties. Then the 对比 page shows 新建区
// 965 元 against 上饶市 935 元 城市低保, and the admin maps 雨湖区's 特困
// standard that no phrase matches.
func TestBrowserLevels(t *testing.T) {
	f := newLevelFixture(t)
	ts := f.start(t)
	b := newBrowserRun(t, ts)
	tg := f.schoolsTarget(t)

	sup := b.tab()
	b.login(sup, "shangrao")
	b.open(sup, "/hierarchy?jurisdiction=361100&period=2024-10")
	b.waitText(sup, `section[aria-labelledby="h-cands"]`, "试点学校")
	b.waitText(sup, `section[aria-labelledby="h-links"]`, "确认关联")
	b.open(sup, "/hierarchy/targets/"+tg.ID+"/split")
	shares := map[string]string{"361102": "10", "361103": "12", "361104": "10", "361123": "8", "361124": "8", "361125": "5",
		"361126": "6", "361127": "10", "361128": "13", "361129": "6", "361130": "7", "361181": "4"} // one short
	for code, v := range shares {
		b.do(sup, chromedp.SetValue(chromedp.CSS("#v-"+code), v))
	}
	b.do(sup, chromedp.Click(chromedp.CSS(`.split-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".flash.err")))
	b.waitText(sup, "main", "各地分解数合计 99所，少于目标 100所（差 1所）")
	b.shot(sup, "split-errors")
	b.do(sup, chromedp.SetValue(chromedp.CSS("#v-361181"), "5"), chromedp.Click(chromedp.CSS(`.split-form button[type="submit"]`)))
	b.waitText(sup, ".flash.ok", "已保存任务分解")

	// 广丰区's repeat of the project: suggested, confirmed.
	b.open(sup, "/hierarchy?jurisdiction=361100&period=2024-10")
	b.do(sup, chromedp.WaitVisible(chromedp.CSS(`form[action="/hierarchy/links"] button`)), chromedp.Click(chromedp.CSS(`form[action="/hierarchy/links"] button`)))
	b.waitText(sup, ".flash.ok", "已确认关联")

	rep := b.tab()
	b.login(rep, "xinzhou-edu")
	b.open(rep, "/shares")
	b.waitText(rep, "main", "信州区任务 10所")
	b.do(rep, chromedp.SetValue(chromedp.CSS(`select[name="period"]`), "2024-10"), chromedp.SetValue(chromedp.CSS(`input[name="actual"]`), "一些"),
		chromedp.Click(chromedp.CSS(`.share button[type="submit"]`)))
	b.waitText(rep, ".field-error", "累计完成数「一些」不是数字")
	b.do(rep, chromedp.SetValue(chromedp.CSS(`input[name="actual"]`), "9"), chromedp.SetValue(chromedp.CSS(`input[name="note"]`), "已配备到位 9 所"),
		chromedp.Click(chromedp.CSS(`.share button[type="submit"]`)))
	b.waitText(rep, ".flash.ok", "已报送分解任务")
	b.shot(rep, "shares")
	b.open(rep, "/hierarchy?jurisdiction=361102")
	b.waitText(rep, `section[aria-labelledby="h-shares"]`, "10所")
	b.waitText(rep, `section[aria-labelledby="h-shares"]`, "9（2024-10）")
	b.shot(rep, "hierarchy-county")

	b.open(sup, "/hierarchy?jurisdiction=361100&period=2024-10")
	b.waitText(sup, ".split tbody tr:first-child", "信州区")
	if got := b.text(sup, ".split tbody tr:first-child td:nth-child(4)"); !strings.Contains(got, "9") {
		t.Errorf("信州区 actual on the city page: %q", got)
	}
	if got := b.text(sup, ".split .sum"); !strings.Contains(got, "100") || !strings.Contains(got, "9") {
		t.Errorf("sum row: %q", got)
	}
	b.waitText(sup, ".split .kpi:nth-child(2)", "最慢：") // the counties that have not reported lag
	b.waitText(sup, `section[aria-labelledby="h-links"]`, "已关联")
	b.shot(sup, "hierarchy")

	admin := b.tab()
	b.login(admin, "admin")
	b.open(admin, "/compare?jurisdiction=360112&jurisdiction=361100&jurisdiction=430302&year=2024&indicator=dibao_urban")
	if got := b.text(admin, ".compare tbody tr:first-child"); !strings.Contains(got, "城市低保") || !strings.Contains(got, "965") || !strings.Contains(got, "935") || !strings.Contains(got, "700") {
		t.Errorf("城市低保 row: %q", got)
	}
	if got := b.text(admin, ".compare tbody tr:nth-child(6)"); !strings.Contains(got, "农村特困") || !strings.Contains(got, "1,260") || !strings.Contains(got, "930") {
		t.Errorf("农村特困 row: %q", got)
	}
	b.waitText(admin, "#h-unmatched", "未对应指标")
	b.waitText(admin, "main", "特困人员基本生活标准为当地低保标准")
	b.shot(admin, "compare")
	b.do(admin, chromedp.SetValue(chromedp.CSS(`#h-unmatched ~ .table-wrap select`), "tekun_urban"),
		chromedp.Click(chromedp.CSS(`#h-unmatched ~ .table-wrap button`)))
	b.waitText(admin, ".flash.ok", "已保存该目标对应的指标")
	b.waitText(admin, "#h-manual ~ .table-wrap", "城市特困人员基本生活标准")
}

// TestDefaultPlaces: the 对比 page opens on the plans of the user's
// province, at most twelve.
func TestDefaultPlaces(t *testing.T) {
	var plans []store.PublishedPlan
	for _, c := range []string{"110101", "360112", "360702", "361100", "430302"} {
		plans = append(plans, store.PublishedPlan{JurisdictionCode: c, Year: 2024}, store.PublishedPlan{JurisdictionCode: c, Year: 2025})
	}
	for i := 0; i < 20; i++ {
		plans = append(plans, store.PublishedPlan{JurisdictionCode: fmt.Sprintf("4401%02d", i+1), Year: 2024})
	}
	cases := []struct {
		u    *plan.User
		want string
	}{
		{&plan.User{JurisdictionCode: "360112"}, "360112,360702,361100"},
		{&plan.User{JurisdictionCode: "430302"}, "430302"},
		{&plan.User{}, "110101,360112,360702,361100,430302,440101,440102,440103,440104,440105,440106,440107"},
		{&plan.User{JurisdictionCode: "440000"}, "440101,440102,440103,440104,440105,440106,440107,440108,440109,440110,440111,440112"},
	}
	for _, tc := range cases {
		if got := strings.Join(defaultPlaces(tc.u, plans), ","); got != tc.want {
			t.Errorf("defaultPlaces(%q) = %s, want %s", tc.u.JurisdictionCode, got, tc.want)
		}
	}
}
