package demo

import (
	"context"
	"maps"
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

// TestGenerateRollup: the province's roll-up is the sum of its counties'
// dashboards.
func TestGenerateRollup(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ctx := context.Background()
	st := openStore(t)
	if _, err := Generate(ctx, st, GenOptions{Scale: ScaleProvince, Months: 3}); err != nil {
		t.Fatal(err)
	}
	per := plan.MustPeriod("2024-03")
	r, err := st.Rollup(ctx, "360000", per)
	if err != nil {
		t.Fatal(err)
	}
	counties, _ := GenCounties(ScaleProvince)
	if r.Plans != len(counties) || r.Projects != 15*len(counties) || r.ByState["accepted"] != r.Projects || len(r.Items) != r.Plans {
		t.Fatalf("province roll-up: %d plans, %d projects, %v", r.Plans, r.Projects, r.ByState)
	}
	statuses := 0
	for _, n := range r.ByStatus {
		statuses += n
	}
	if statuses != r.Projects || len(r.ByStatus) < 2 {
		t.Errorf("statuses %v", r.ByStatus)
	}
	city, err := st.Rollup(ctx, "360100", per) // 南昌市
	if err != nil {
		t.Fatal(err)
	}
	// Each line is its jurisdiction's dashboard.
	var sum plan.Decimal
	for _, line := range city.Items {
		if line.JurisdictionCode[:4] != "3601" {
			t.Errorf("%s in 南昌市's roll-up", line.JurisdictionCode)
		}
		d, err := st.Dashboard(ctx, line.JurisdictionCode, per)
		if err != nil {
			t.Fatal(err)
		}
		sum = sum.Add(d.ActualInvestment)
		byStatus := map[plan.Status]int{}
		for i := range d.Items {
			byStatus[d.Items[i].Status(per)]++
		}
		if line.Projects != d.Projects || line.Late != d.Late || !maps.Equal(line.ByState, d.ByState) || !maps.Equal(line.ByStatus, byStatus) ||
			!line.PlannedInvestment.Equal(d.PlannedInvestment.Decimal) || !line.Disbursed.Equal(d.Disbursed.Decimal) {
			t.Errorf("%s: roll-up line %+v, dashboard %d projects %v %v late %d planned %s disbursed %s", line.JurisdictionCode, line,
				d.Projects, d.ByState, byStatus, d.Late, d.PlannedInvestment, d.Disbursed)
		}
	}
	if city.Plans == 0 || !sum.Equal(city.ActualInvestment.Decimal) {
		t.Errorf("南昌市: %d plans, actual %s, dashboards sum to %s", city.Plans, city.ActualInvestment, sum)
	}
	if none, err := st.Rollup(ctx, "110000", per); err != nil || none.Plans != 0 {
		t.Errorf("北京: %+v, %v", none, err)
	}
	all, err := st.Rollup(ctx, "", per)
	if err != nil || all.Plans != r.Plans {
		t.Errorf("all: %v, %v", all.Plans, err)
	}
}
