package store

import (
	"reflect"
	"testing"

	"minsheng/internal/plan"
)

func TestMonthlyPlanAndDashboard(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		loan := f.p1.Targets[0].ID
		mp := &plan.MonthlyPlan{
			Targets:    []plan.MonthlyTarget{{TargetID: loan, Cumulative: [12]*plan.Decimal{3: dec("0.4"), 4: dec("0.6"), 11: dec("1.42")}}},
			Investment: [12]*plan.Decimal{0: dec("50"), 1: dec("50"), 4: dec("100"), 11: dec("300")},
			Deadline:   "2024-12-31",
		}
		// Only the lead unit writes it; it is private while a draft.
		_, err := s.SaveMonthlyPlan(ctx, f.conB, f.p1.ID, mp)
		wantCode(t, err, plan.EForbidden)
		bad := *mp
		bad.Targets = []plan.MonthlyTarget{{TargetID: loan, Cumulative: [12]*plan.Decimal{3: dec("0.5"), 4: dec("0.4")}}}
		_, err = s.SaveMonthlyPlan(ctx, f.repA, f.p1.ID, &bad)
		wantCode(t, err, plan.EInvalid)
		draft := must(s.SaveMonthlyPlan(ctx, f.repA, f.p1.ID, mp))(t)
		if draft.Version != 1 || draft.State != plan.MonthlyDraft || draft.Target(loan).Cumulative[4].String() != "0.6" {
			t.Fatalf("monthly plan: %+v", draft)
		}
		_, err = s.SaveMonthlyPlan(ctx, f.repA, f.p1.ID, mp) // version 0 again
		wantCode(t, err, plan.EConflict)
		_, err = s.GetMonthlyPlan(ctx, f.sup, f.p1.ID)
		wantCode(t, err, plan.EForbidden)
		_, err = s.ApproveMonthlyPlan(ctx, f.sup, f.p1.ID)
		wantCode(t, err, plan.EConflict) // not submitted
		must(s.SubmitMonthlyPlan(ctx, f.repA, f.p1.ID, draft.Version))(t)
		_, err = s.ApproveMonthlyPlan(ctx, f.repA, f.p1.ID)
		wantCode(t, err, plan.EForbidden)
		approved := must(s.ApproveMonthlyPlan(ctx, f.sup, f.p1.ID))(t)
		if approved.State != plan.MonthlyApproved || approved.ApprovedBy != f.sup.ID {
			t.Fatalf("approved: %+v", approved)
		}
		plans := must(s.ApprovedMonthlyPlans(ctx, "360112", 2024))(t)
		if len(plans) != 1 || plans[f.p1.ID] == nil {
			t.Fatalf("approved plans: %v", plans)
		}
		// Read for the whole year at once, as read for the project alone.
		if !reflect.DeepEqual(plans[f.p1.ID], approved) {
			t.Fatalf("approved plans of the year: %+v, the project's: %+v", plans[f.p1.ID], approved)
		}

		// Reports: p1 submitted for April and May, p2 a draft, p3 nothing.
		apr, may := period("2024-04"), period("2024-05")
		r := saved(s.SaveReport(ctx, f.repA, f.p1.ID, apr, f.fullReport(0, "0.3", "96", "80")))(t)
		must(s.SubmitReport(ctx, f.repA, f.p1.ID, apr, r.Version))(t)
		must(s.AcceptReport(ctx, f.sup, f.p1.ID, apr))(t)
		r = saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(0, "0.65", "97", "190.5")))(t)
		must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version))(t)
		saved(s.SaveReport(ctx, f.repC, f.p2.ID, may, ReportInput{Investment: dec("999")}))(t)

		d := must(s.Dashboard(ctx, "360112", may))(t)
		if d.Projects != 3 || d.ByState["submitted"] != 1 || d.ByState["draft"] != 1 || d.ByState["none"] != 1 || d.Late != 0 {
			t.Fatalf("counts: projects %d, by state %v, late %d", d.Projects, d.ByState, d.Late)
		}
		// Planned: p1's approved plan Jan–May = 50+50+100 = 200; p2, p3 have no
		// investment. Actual: p1's May report 190.5; p2's draft does not count.
		if d.PlannedInvestment.String() != "200" || d.ActualInvestment.String() != "190.5" || d.Disbursed.String() != "190.5" {
			t.Fatalf("money: planned %s actual %s disbursed %s", d.PlannedInvestment, d.ActualInvestment, d.Disbursed)
		}
		item := d.Items[0]
		if item.ProjectID != f.p1.ID || item.ReportState != plan.ReportSubmitted || len(item.Targets) != 2 {
			t.Fatalf("p1 line: %+v", item)
		}
		lt := item.Targets[0]
		if len(lt.Months) != 5 || lt.Source != plan.BaselineMonthlyPlan || lt.Expected.String() != "0.6" || lt.Latest.String() != "0.65" {
			t.Fatalf("loan target: %+v", lt)
		}
		if lt.Months[3].Expected.String() != "0.4" || lt.Months[3].Actual.String() != "0.3" || lt.Months[2].Actual != nil {
			t.Fatalf("loan months: %+v", lt.Months)
		}
		rate := item.Targets[1]
		if rate.Source != plan.BaselineConstant || rate.Expected.String() != "95" {
			t.Fatalf("rate target: %+v", rate)
		}
		if p2 := d.Items[1]; p2.Targets[0].Source != plan.BaselineLinear || p2.Targets[0].Expected.String() != "0.8333" {
			t.Fatalf("p2 linear baseline: %+v", p2.Targets[0])
		}
		// June: nothing reported yet, May's figures carry over.
		june := must(s.Dashboard(ctx, "360112", period("2024-06")))(t)
		if june.ByState["none"] != 3 || june.ActualInvestment.String() != "190.5" {
			t.Fatalf("june: %v, %s", june.ByState, june.ActualInvestment)
		}
		// Without an approved plan, planned investment is 序时进度 of the annual one.
		must(s.ReopenMonthlyPlan(ctx, f.sup, f.p1.ID, "计划需调整"))(t)
		d = must(s.Dashboard(ctx, "360112", may))(t)
		if d.PlannedInvestment.String() != "208.3333" || d.Items[0].Targets[0].Source != plan.BaselineLinear {
			t.Fatalf("linear planned investment %s", d.PlannedInvestment)
		}
	})
}
