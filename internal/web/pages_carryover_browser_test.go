package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// TestBrowserCarryOver: the supervisor imports 章贡区's 2025 plan (the
// crafted testdata/plans/zhanggong-2025.txt) while 2024's is running; the
// plan's page proposes which projects and sub-projects continue 2024's;
// the supervisor corrects one link and saves, and this year's share of
// 水西棚改 becomes what 2024 left undone; after publication the 2025
// project's page shows 2024's project, its reports and the progress
// across years.
func TestBrowserCarryOver(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	b := newBrowserRun(t, ts)
	sup := b.tab()
	b.login(sup, "ducha")
	b.open(sup, "/import")
	doc, _ := filepath.Abs("../../testdata/plans/zhanggong-2025.txt")
	b.do(sup,
		chromedp.SetUploadFiles(chromedp.CSS("#in-plan-file"), []string{doc}),
		chromedp.Click(chromedp.CSS(`form.upload button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#carryover")),
	)
	b.waitText(sup, "#carryover", "以下为系统建议，尚未保存")
	planURL := b.location(sup)
	planID := planURL[strings.LastIndex(planURL, "/")+1:]
	const mazu, shuixi = "赣州市章贡区马祖岩片区公共空间适儿化改造项目", "章贡区水西棚改返迁安置房建设项目一期"
	selected := func(label string) string {
		v, err := chromedp.Run(sup, chromedp.Evaluate[string](`(() => {
			const s = document.querySelector('select[aria-label="`+label+`延续的上年子项目"]');
			return s.options[s.selectedIndex].text })()`))
		if err != nil {
			t.Fatalf("select of %s: %v", label, err)
		}
		return v
	}
	if got := selected(mazu); !strings.Contains(got, mazu) {
		t.Errorf("马祖岩 proposed link: %q", got)
	}
	if got := selected("章贡区儿童友好公园建设项目"); got != "新建（不结转）" {
		t.Errorf("a new park linked to %q", got)
	}
	if got := selected("2024年老旧小区改造工程（续建）"); !strings.Contains(got, "2024年老旧小区改造工程（2024-2025）") {
		t.Errorf("老旧小区（续建） linked to %q", got)
	}
	dropped := b.text(sup, "#carryover")
	for _, want := range []string{"5G产业园保障性租赁住房项目", "社区卫生服务中心公共空间适儿化改造项目"} {
		if !strings.Contains(dropped, want) {
			t.Errorf("not continued, not listed: %s", want)
		}
	}
	b.shot(sup, "plan-carryover")

	// Correct: 马祖岩 is counted as new works this year.
	b.do(sup,
		chromedp.SetValue(chromedp.CSS(`select[aria-label="`+mazu+`延续的上年子项目"]`), ""),
		chromedp.Click(chromedp.CSS(`.carry-form button[type="submit"]`)),
	)
	b.waitText(sup, ".flash.ok", "已保存跨年度结转设置")
	co, err := f.st.GetCarryOver(f.ctx, f.sup, planID)
	if err != nil {
		t.Fatal(err)
	}
	var reached plan.Decimal
	for _, l := range co.Links {
		if l.Subproject == shuixi && l.ReachedBefore != nil {
			reached = *l.ReachedBefore
		}
		if l.Subproject == mazu && l.PrevSubprojectID != "" {
			t.Errorf("马祖岩 still linked")
		}
	}
	if !reached.IsPositive() {
		t.Fatalf("水西棚改 reached nothing in 2024: %+v", co.Links)
	}
	share := plan.YearShare(plan.MustDecimal("100"), reached)
	if row := b.text(sup, `#carryover tr:has(select[aria-label="`+shuixi+`延续的上年子项目"])`); !strings.Contains(row, formatNum(share)+"%") {
		t.Errorf("水西棚改 row %q lacks this year's share %s%%", row, share)
	}
	b.do(sup, chromedp.ScrollIntoView(chromedp.CSS("#carryover")))
	b.shot(sup, "plan-carryover-saved")
	b.elementShot(sup, "#carryover", "plan-carryover-section")

	b.do(sup, chromedp.Click(chromedp.CSS(`form.publish button`)))
	b.waitText(sup, ".flash.ok", "已发布")
	ps, err := f.st.ListProjects(f.ctx, store.ProjectFilter{JurisdictionCode: fixtureCode, Year: 2025})
	if err != nil || len(ps) != 5 {
		t.Fatalf("2025 projects: %d %v", len(ps), err)
	}
	b.open(sup, "/projects/"+ps[2].ID)
	hist := b.text(sup, "#history")
	for _, want := range []string{"2024 年第 14 件“安居品质提升工程”", shuixi, formatNum(reached) + "%", "2024 年月度报告", "2024年10月"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
	b.do(sup, chromedp.ScrollIntoView(chromedp.CSS("#history")))
	b.shot(sup, "project-history")
	b.elementShot(sup, "#history", "project-history-section")
}

// elementShot saves one element of the page at desktop width, for looking
// at a section of a long page.
func (b *browserRun) elementShot(ctx context.Context, sel, name string) {
	b.t.Helper()
	b.do(ctx, chromedp.EmulateViewport(1366, 900))
	buf, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("screenshot of %s: %v", sel, err)
	}
	if err := os.WriteFile(filepath.Join(b.shotsDir, name+".png"), buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
}
