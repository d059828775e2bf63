package documents

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"minsheng/internal/docimport"
	"minsheng/internal/plan"
)

// records turns an imported plan into published-looking records, as the
// store would give them.
func records(t *testing.T, p *plan.Plan) []plan.ProjectRecord {
	t.Helper()
	var out []plan.ProjectRecord
	for _, pr := range p.Projects {
		rec := plan.ProjectRecord{ID: fmt.Sprintf("p%d", pr.Seq), Seq: pr.Seq, Title: pr.Title, Text: pr.Text,
			Tags: pr.Tags, Leaders: pr.Leaders, Investment: pr.Investment}
		for _, u := range pr.ResponsibleUnits {
			rec.Units = append(rec.Units, plan.ProjectUnit{UnitName: u, Role: plan.UnitResponsible})
		}
		for i, tg := range pr.Targets {
			rec.Targets = append(rec.Targets, plan.TargetRecord{ID: fmt.Sprintf("p%dt%d", pr.Seq, i), Metric: tg.Metric,
				Comparator: tg.Comparator, Value: tg.Value, Unit: tg.Unit, Kind: tg.Kind})
		}
		for i, sp := range pr.Subprojects {
			rec.Subprojects = append(rec.Subprojects, plan.SubprojectRecord{Seq: i + 1, Name: sp.Name, Content: sp.Content,
				Investment: sp.Investment, Locations: sp.Locations, Years: sp.Years, Expected: sp.Expected, Leaders: sp.Leaders, Units: sp.Units})
		}
		out = append(out, rec)
	}
	return out
}

func zhanggongLedger(t *testing.T) (*plan.Plan, Ledger) {
	raw, err := os.ReadFile("../../testdata/seeds/zhanggong-2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	p, err := docimport.Import("zhanggong-2024.txt", raw)
	if err != nil {
		t.Fatal(err)
	}
	l := Ledger{Title: "赣州市章贡区2024年民生实事工作台账", Jurisdiction: "赣州市章贡区", Period: plan.MustPeriod("2024-10")}
	for i, rec := range records(t, p) {
		lp := LedgerProject{Project: rec, Status: "正常"}
		if i%3 != 2 { // two projects in three have reported
			inv := plan.MustDecimal(fmt.Sprintf("%d.5", 100*(i+1)))
			paid := plan.MustDecimal(fmt.Sprintf("%d", 80*(i+1)))
			lp.Report = &plan.Report{Investment: &inv, Disbursed: &paid, Progress: fmt.Sprintf("项目%d 按计划推进", i+1), Problems: "无"}
			if i%2 == 0 { // half of them report their allocation; the others' 拨付率 is over the plan
				alloc := plan.MustDecimal(fmt.Sprintf("%d", 100*(i+1)))
				lp.Report.Allocated = &alloc
			}
			lp.Planned = plan.MustDecimal(fmt.Sprintf("%d", 160*(i+1))).Ptr()
		} else {
			lp.Status = "未报送"
		}
		l.Projects = append(l.Projects, lp)
	}
	return p, l
}

func TestLedgerNumbers(t *testing.T) {
	_, l := zhanggongLedger(t)
	var buf bytes.Buffer
	if err := WriteLedger(&buf, l); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(sheetName, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if rows[2][0] != "序号" || rows[2][3] != "具体建设项目" || rows[3][3] != "项目名称" || rows[3][4] != "主要建设内容" {
		t.Fatalf("header rows: %q / %q", rows[2], rows[3])
	}
	// Every sub-project's investment, in order, then the 合计 row.
	var want []string
	var done, paid, alloc, rateBase plan.Decimal
	for _, lp := range l.Projects {
		for _, sp := range lp.Project.Subprojects {
			if sp.Investment != nil {
				want = append(want, sp.Investment.String())
			}
		}
		if lp.Report != nil {
			done, paid = done.Add(*lp.Report.Investment), paid.Add(*lp.Report.Disbursed)
			if a := lp.Report.Allocated; a != nil {
				alloc, rateBase = alloc.Add(*a), rateBase.Add(*a)
			} else {
				rateBase = rateBase.Add(*lp.Planned)
			}
		}
	}
	var got []string
	for _, r := range rows[firstRow-1 : len(rows)-1] {
		if len(r) > 5 && r[5] != "" {
			got = append(got, r[5])
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("investments %v, want %v", got, want)
	}
	total := rows[len(rows)-1]
	if total[0] != "合计" || total[5] != "228527" || total[11] != done.String() || total[13] != alloc.String() || total[14] != paid.String() {
		t.Errorf("合计 row %q; want 228527, %s, %s, %s", total, done, alloc, paid)
	}
	wantRate, _ := paid.Div(rateBase.Decimal).Float64()
	if got, err := strconv.ParseFloat(total[15], 64); err != nil || math.Abs(got-wantRate) > 1e-9 {
		t.Errorf("合计 拨付率 %q, want %v", total[15], wantRate)
	}
	// Project 1 reported 100 allocated and 80 paid; project 2 no allocation,
	// 160 paid against 320 planned through the month.
	for _, c := range []struct{ cell, want string }{{"N5", "100"}, {"O5", "80"}, {"P5", "0.8"}} {
		if v, _ := f.GetCellValue(sheetName, c.cell, excelize.Options{RawCellValue: true}); v != c.want {
			t.Errorf("%s = %q, want %s", c.cell, v, c.want)
		}
	}
	p2 := firstRow + len(l.Projects[0].Project.Subprojects)
	if v, _ := f.GetCellValue(sheetName, fmt.Sprintf("P%d", p2), excelize.Options{RawCellValue: true}); v != "0.5" {
		t.Errorf("拨付率 of project 2 = %q, want 0.5 (over the plan)", v)
	}
	// Project 14's seven sub-projects share one merged 序号 cell.
	merged, err := f.GetMergeCells(sheetName)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range merged {
		if m.GetCellValue() == "14" {
			_, r1, _ := excelize.CellNameToCoordinates(m.GetStartAxis())
			_, r2, _ := excelize.CellNameToCoordinates(m.GetEndAxis())
			found = r2-r1+1 == 7
		}
	}
	if !found {
		t.Error("project 14's 序号 is not merged over its 7 rows")
	}
	panes, err := f.GetPanes(sheetName)
	if err != nil || !panes.Freeze || panes.YSplit != 4 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	rate, _ := f.GetCellValue(sheetName, "M"+strconv.Itoa(firstRow))
	if rate == "" {
		t.Error("no completion rate for a project that reported")
	}
}

// TestLedgerRoundTrip: a ledger imported again gives the plan's structure
// back — projects, sub-projects with their investment, places, years,
// leaders and units, and the total.
func TestLedgerRoundTrip(t *testing.T) {
	orig, l := zhanggongLedger(t)
	var buf bytes.Buffer
	if err := WriteLedger(&buf, l); err != nil {
		t.Fatal(err)
	}
	back, err := docimport.Import("ledger.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if back.Title != l.Title || back.Year != 2024 || back.Jurisdiction.Code == nil || *back.Jurisdiction.Code != "360702" {
		t.Errorf("header: %q %d %+v", back.Title, back.Year, back.Jurisdiction)
	}
	if len(back.Projects) != len(orig.Projects) {
		t.Fatalf("%d projects back, want %d", len(back.Projects), len(orig.Projects))
	}
	if back.TotalInvestment == nil || back.TotalInvestment.String() != "228527" {
		t.Errorf("total %v", back.TotalInvestment)
	}
	for i, want := range orig.Projects {
		got := back.Projects[i]
		if got.Title != want.Title || !equalDec(got.Investment, want.Investment) || len(got.Subprojects) != len(want.Subprojects) {
			t.Errorf("project %d: %q %v (%d subs), want %q %v (%d subs)", want.Seq, got.Title, got.Investment, len(got.Subprojects), want.Title, want.Investment, len(want.Subprojects))
			continue
		}
		for j, ws := range want.Subprojects {
			gs := got.Subprojects[j]
			if gs.Name != ws.Name || !equalDec(gs.Investment, ws.Investment) || !slices.Equal(gs.Locations, ws.Locations) ||
				deref(gs.Years) != deref(ws.Years) || !slices.Equal(gs.Leaders, ws.Leaders) || !slices.Equal(gs.Units, ws.Units) {
				t.Errorf("project %d sub-project %d:\n got %+v\nwant %+v", want.Seq, j+1, gs, ws)
			}
		}
	}
	for _, f := range back.Findings {
		if f.Severity == plan.SeverityError {
			t.Errorf("error finding on the ledger: %+v", f)
		}
	}
}

func equalDec(a, b *plan.Decimal) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(b.Decimal)
}
