package store

import (
	"testing"

	"minsheng/internal/plan"
)

func TestPageQueries(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		js := must(s.ListJurisdictions(ctx))(t)
		if len(js) != 2 || js[0].Code != "360112" || js[0].Name != "南昌市新建区" || js[1].Code != "361102" {
			t.Fatalf("jurisdictions: %+v", js)
		}
		if _, ok, err := s.LatestReportedPeriod(ctx, "360112", 2024); ok || err != nil {
			t.Fatalf("latest reported before any report: %v %v", ok, err)
		}

		// p1: an approved monthly plan, reports for April (accepted) and
		// June (submitted); p2: a draft for June, which does not count.
		loan := f.p1.Targets[0].ID
		mp := &plan.MonthlyPlan{
			Targets:    []plan.MonthlyTarget{{TargetID: loan, Cumulative: [12]*plan.Decimal{11: dec("1.42")}}},
			Investment: [12]*plan.Decimal{0: dec("50"), 1: dec("50"), 4: dec("100"), 11: dec("300")},
		}
		draft := must(s.SaveMonthlyPlan(ctx, f.repA, f.p1.ID, mp))(t)
		must(s.SubmitMonthlyPlan(ctx, f.repA, f.p1.ID, draft.Version))(t)
		pending := must(s.SubmittedMonthlyPlans(ctx, "360112"))(t)
		if len(pending) != 1 || pending[0].ProjectID != f.p1.ID || pending[0].SubmittedAt == nil || pending[0].Title != f.p1.Title {
			t.Fatalf("pending monthly plans: %+v", pending)
		}
		must(s.ApproveMonthlyPlan(ctx, f.sup, f.p1.ID))(t)
		if pending := must(s.SubmittedMonthlyPlans(ctx, "360112"))(t); len(pending) != 0 {
			t.Fatalf("approved plan still pending: %+v", pending)
		}

		apr, jun := period("2024-04"), period("2024-06")
		r := saved(s.SaveReport(ctx, f.repA, f.p1.ID, apr, f.fullReport(0, "0.3", "96", "80")))(t)
		must(s.SubmitReport(ctx, f.repA, f.p1.ID, apr, r.Version))(t)
		must(s.AcceptReport(ctx, f.sup, f.p1.ID, apr))(t)
		r = saved(s.SaveReport(ctx, f.repA, f.p1.ID, jun, f.fullReport(0, "0.7", "97", "250")))(t)
		must(s.SubmitReport(ctx, f.repA, f.p1.ID, jun, r.Version))(t)
		saved(s.SaveReport(ctx, f.repC, f.p2.ID, jun, ReportInput{Investment: dec("999")}))(t)

		if p, ok, err := s.LatestReportedPeriod(ctx, "360112", 2024); !ok || err != nil || p != jun {
			t.Fatalf("latest reported: %v %v %v", p, ok, err)
		}
		// Under 南昌市 and 江西省 (新建区's), not under 上饶市 (361102's).
		for code, want := range map[string]bool{"360100": true, "360000": true, "361100": false} {
			if p, ok, err := s.LatestReportedPeriod(ctx, code, 2024); ok != want || err != nil || ok && p != jun {
				t.Errorf("latest reported under %s: %v %v %v", code, p, ok, err)
			}
		}
		series := must(s.DashboardSeries(ctx, "360112", jun))(t)
		if len(series) != 6 {
			t.Fatalf("series months: %d", len(series))
		}
		// Every month agrees with the dashboard of that month.
		for _, sm := range series {
			d := must(s.Dashboard(ctx, "360112", plan.Period{Year: 2024, Month: sm.Month}))(t)
			if sm.Planned.String() != d.PlannedInvestment.String() || sm.Actual.String() != d.ActualInvestment.String() || sm.Disbursed.String() != d.Disbursed.String() {
				t.Errorf("month %d: series %s/%s/%s, dashboard %s/%s/%s", sm.Month, sm.Planned, sm.Actual, sm.Disbursed,
					d.PlannedInvestment, d.ActualInvestment, d.Disbursed)
			}
		}
		if series[3].Actual.String() != "80" || series[4].Actual.String() != "80" || series[5].Actual.String() != "250" || series[5].Reported != 1 || series[4].Reported != 0 {
			t.Fatalf("series: %+v", series)
		}
		if series[4].Planned.String() != "200" {
			t.Fatalf("planned through May: %s", series[4].Planned)
		}
	})
}
