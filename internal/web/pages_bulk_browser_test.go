package web

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"minsheng/internal/plan"
	"minsheng/internal/progress"
)

// TestBrowserBulkUpload: 区人社局 downloads its template for October, fills
// project 1's figures in Excel's way, uploads it, sees the preview and
// confirms; a file with a word where a number belongs is refused with its
// row and column, and changes nothing.
func TestBrowserBulkUpload(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	b := newBrowserRun(t, ts)
	oct := plan.MustPeriod("2024-10")
	p1 := f.projects[0]
	target := p1.ActiveTargets()[0]

	unit, err := f.st.GetUnit(f.ctx, f.rep.UnitID)
	if err != nil {
		t.Fatal(err)
	}
	buf, _, err := f.srv.unitTemplate(f.ctx, f.rep, unit, oct)
	if err != nil {
		t.Fatal(err)
	}
	// fill writes the template with cells typed in, as a person would in
	// Excel, to a file to upload.
	fill := func(name string, cells map[progress.Key]map[string]any) string {
		wb, err := excelize.OpenReader(strings.NewReader(buf.String()))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := wb.GetRows(progress.SheetName)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for i, r := range rows {
			if len(r) == 0 {
				continue
			}
			k, ok := progress.ParseKey(r[0])
			if !ok || cells[k] == nil {
				continue
			}
			found++
			for col, v := range cells[k] {
				if err := wb.SetCellValue(progress.SheetName, col+strconv.Itoa(i+1), v); err != nil {
					t.Fatal(err)
				}
			}
		}
		if found != len(cells) {
			t.Fatalf("template rows found: %d of %d", found, len(cells))
		}
		path := filepath.Join(t.TempDir(), name)
		if err := wb.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	projectKey, targetKey := progress.Key{Kind: progress.KindProject, ID: p1.ID}, progress.Key{Kind: progress.KindTarget, ID: target.ID}
	good := fill("人社局10月进展.xlsx", map[progress.Key]map[string]any{
		projectKey: {"I": 645.6, "J": 800, "K": 500, "L": "10月新增发放创业担保贷款，累计完成全年任务的八成。"},
		targetKey:  {"H": target.Value.String()},
	})
	bad := fill("有错的.xlsx", map[progress.Key]map[string]any{projectKey: {"I": "三百"}})

	rep := b.tab()
	b.login(rep, "renshe")
	b.open(rep, "/bulk?period=2024-10")
	if s := b.text(rep, "#bulk-template"); s != "下载本单位填报模板" {
		t.Fatalf("template link: %q", s)
	}
	b.shot(rep, "bulk")

	upload := func(path string) {
		b.do(rep,
			chromedp.SetUploadFiles(chromedp.CSS("#in-bulk-file"), []string{path}),
			chromedp.Click(chromedp.CSS(`form.upload button[type="submit"]`)),
		)
	}
	upload(bad)
	b.waitText(rep, ".errors-panel", "第")
	if s := b.text(rep, ".errors-panel"); !strings.Contains(s, "I列（累计完成投资（万元））：不是数字：“三百”") || !strings.Contains(s, "没有写入任何数据") {
		t.Fatalf("errors panel: %s", s)
	}
	b.shot(rep, "bulk-errors")

	upload(good)
	b.waitText(rep, "#h-preview", "将更新 1 个项目")
	// October starts from September's figures, which the template carried:
	// those count as changes of the new draft too.
	if s := b.text(rep, "section.panel table.list"); !strings.Contains(s, "645.6") || !strings.Contains(s, "累计到位资金（万元）") {
		t.Errorf("preview table: %s", s)
	}
	if _, err := f.st.GetReport(f.ctx, f.rep, p1.ID, oct); plan.ErrorCode(err) != plan.ENotFound {
		t.Fatalf("the preview wrote: %v", err)
	}
	b.shot(rep, "bulk-preview")
	b.do(rep, chromedp.Click(chromedp.CSS("#bulk-confirm")))
	b.waitText(rep, "#h-done", "已写入")
	b.shot(rep, "bulk-done")
	r, err := f.st.GetReport(f.ctx, f.rep, p1.ID, oct)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != plan.ReportDraft || r.Investment.String() != "645.6" || r.Allocated.String() != "800" || r.Disbursed.String() != "500" ||
		!r.Actual(target.ID).Equal(target.Value.Decimal) {
		t.Fatalf("report after the upload: %+v", r)
	}
}
