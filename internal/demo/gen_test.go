package demo

import (
	"context"
	"testing"

	"minsheng/internal/plan"
)

func TestGenerateDistrict(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	stats, err := Generate(ctx, st, GenOptions{Scale: ScaleDistrict})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Counties != 1 || stats.Projects != 15 || stats.Targets != 60 || stats.Reports != 150 || stats.ReportValues != 600 || stats.MonthlyValues != 720 {
		t.Fatalf("stats: %+v", stats)
	}
	d, err := st.Dashboard(ctx, genDistrict, plan.MustPeriod("2024-10"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Projects != 15 || d.ByState["accepted"] != 15 || !d.ActualInvestment.IsPositive() {
		t.Fatalf("dashboard: %d projects, %v, actual %s", d.Projects, d.ByState, d.ActualInvestment)
	}
	for _, it := range d.Items {
		for _, tg := range it.Targets {
			if len(tg.Months) != 10 || tg.Latest == nil || tg.Source != plan.BaselineMonthlyPlan {
				t.Fatalf("%s %s: %+v", it.Title, tg.Metric, tg)
			}
		}
	}
	// The synthetic data reads like any other: a report, a monthly plan.
	leader, err := st.GetUserByUsername(ctx, "gen-36")
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.GetReport(ctx, leader, d.Items[0].ProjectID, plan.MustPeriod("2024-05"))
	if err != nil || r.State != plan.ReportAccepted || len(r.Targets) != 4 {
		t.Fatalf("report: %+v, %v", r, err)
	}
	// One audit row per batch, and the chain is whole.
	rep, err := st.VerifyAudit(ctx)
	if err != nil || rep.Break != nil {
		t.Fatalf("audit: %v %v", err, rep.Break)
	}
	rows, err := st.AuditRows(ctx, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Action != "bulk.load" || len(rows) != 1+stats.Users {
		t.Errorf("audit rows: first %s, %d rows", rows[0].Action, len(rows))
	}
	// A second run refuses: the database has plans.
	if _, err := Generate(ctx, st, GenOptions{Scale: ScaleDistrict}); plan.ErrorCode(err) != plan.EConflict {
		t.Errorf("second run: %v", err)
	}
	if _, err := GenCounties("city"); plan.ErrorCode(err) != plan.EInvalid {
		t.Errorf("bad scale: %v", err)
	}
	if c, _ := GenCounties(ScaleNational); len(c) < 2800 {
		t.Errorf("national: %d counties", len(c))
	}
}
