package supervise

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minsheng/internal/docimport"
	"minsheng/internal/documents"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// TestLedgerFromStore publishes the 章贡区 plan in a real SQLite file, has
// project 1 report for May, and exports the ledger for May: project 1
// carries its figures and status, the rest are 未报送.
func TestLedgerFromStore(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := time.Date(2024, 6, 3, 10, 0, 0, 0, plan.Shanghai)
	st.Now = func() time.Time { return clock }

	raw, err := os.ReadFile("../../testdata/seeds/zhanggong-2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := docimport.Import("zhanggong-2024.txt", raw)
	if err != nil {
		t.Fatal(err)
	}
	sys := plan.SystemUser
	pv, err := st.SaveDraftPlan(ctx, sys, doc, "")
	if err != nil {
		t.Fatal(err)
	}
	if pv, err = st.PublishPlan(ctx, sys, pv.ID); err != nil {
		t.Fatal(err)
	}
	projects, err := st.ListProjects(ctx, store.ProjectFilter{PlanID: pv.ID})
	if err != nil {
		t.Fatal(err)
	}
	p1 := projects[0]
	in := store.ReportInput{Investment: plan.MustDecimal("250").Ptr(), Disbursed: plan.MustDecimal("200").Ptr(), Allocated: plan.MustDecimal("400").Ptr(),
		Progress: "已发放创业担保贷款4800万元", Problems: "无"}
	for _, tg := range p1.ActiveTargets() {
		in.Targets = append(in.Targets, plan.ReportTarget{TargetID: tg.ID, Actual: tg.Value.Ptr()})
	}
	rep, _, err := st.SaveReport(ctx, sys, p1.ID, plan.MustPeriod("2024-05"), in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitReport(ctx, sys, p1.ID, plan.MustPeriod("2024-05"), rep.Version); err != nil {
		t.Fatal(err)
	}
	clock = time.Date(2024, 6, 20, 10, 0, 0, 0, plan.Shanghai) // past the due day

	l, err := New(st, DefaultConfig()).Ledger(ctx, sys, pv.ID, plan.MustPeriod("2024-05"))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Projects) != 15 || l.Title != "赣州市章贡区2024年民生实事工作台账" {
		t.Fatalf("%d projects, title %q", len(l.Projects), l.Title)
	}
	first := l.Projects[0]
	if first.Report == nil || first.Report.Investment.String() != "250" || first.Status != plan.StatusDone.Label() {
		t.Errorf("project 1: report %+v status %s (every target met → 已完成)", first.Report, first.Status)
	}
	for _, lp := range l.Projects[1:] {
		if lp.Report != nil || lp.Status != plan.StatusNotReported.Label() {
			t.Errorf("project %d: report %v status %s, want none and 未报送", lp.Project.Seq, lp.Report != nil, lp.Status)
		}
	}
	if _, err := New(st, DefaultConfig()).Ledger(ctx, sys, pv.ID, plan.MustPeriod("2023-12")); plan.ErrorCode(err) != plan.EInvalid {
		t.Errorf("a month outside the plan's year: %v", err)
	}
	var buf bytes.Buffer
	if err := documents.WriteLedger(&buf, l); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("工作台账", "L5"); v != "250" {
		t.Errorf("累计完成投资 of project 1 = %q", v)
	}
	for _, c := range []struct{ cell, want string }{{"N5", "400"}, {"O5", "200"}, {"P5", "50.00%"}, {"Q5", "已完成"}} {
		if v, _ := f.GetCellValue("工作台账", c.cell); v != c.want {
			t.Errorf("%s of project 1 = %q, want %s", c.cell, v, c.want)
		}
	}
}
