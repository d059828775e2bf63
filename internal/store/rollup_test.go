package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"minsheng/internal/demo"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// TestRollupMatchesComputation: on a generated province, Rollup (read
// from the roll-up facts) equals the roll-up computed from the reports and
// monthly plans themselves, before and after writes of every kind that
// changes an input, at clocks on either side of a due date, and after a
// change of the due day (which rebuilds the facts).
func TestRollupMatchesComputation(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	store.EachBackend(t, func(t *testing.T, s *store.Store, _ string) {
		ctx := context.Background()
		clock := time.Date(2024, 11, 3, 10, 0, 0, 0, plan.Shanghai)
		s.Now = func() time.Time { return clock }
		if _, err := demo.Generate(ctx, s, demo.GenOptions{Scale: demo.ScaleProvince}); err != nil {
			t.Fatal(err)
		}
		// compare checks the county the writes go to in three months and
		// the whole province (about 100 counties, 1,500 projects) in those
		// of wide (the reference computation of a province is slow).
		compare := func(step string, wide ...string) {
			t.Helper()
			for _, code := range []string{"360112", ""} {
				months := []string{"2024-02", "2024-10", "2024-11"}
				if code == "" {
					months = wide
				}
				for _, per := range months {
					p := plan.MustPeriod(per)
					got, err := s.Rollup(ctx, code, p)
					if err != nil {
						t.Fatalf("%s: Rollup(%q, %s): %v", step, code, per, err)
					}
					want, err := s.RollupReference(ctx, code, p)
					if err != nil {
						t.Fatal(err)
					}
					g, w := toJSON(t, got), toJSON(t, want)
					if g != w {
						t.Fatalf("%s: Rollup(%q, %s) differs from the computation:\n got %.600s\nwant %.600s", step, code, per, g, w)
					}
				}
			}
		}
		compare("generated", "2024-02", "2024-10", "2024-11")

		projects, err := s.ListProjects(ctx, store.ProjectFilter{JurisdictionCode: "360112", Year: 2024})
		if err != nil || len(projects) < 8 {
			t.Fatalf("projects of 360112: %d, %v", len(projects), err)
		}
		sys := plan.SystemUser
		id := func(i int) string { return projects[i].ID }
		// A report repeating October's figures, which pass validation.
		report := func(i int) store.ReportInput {
			t.Helper()
			prev, err := s.GetReport(ctx, sys, id(i), plan.MustPeriod("2024-10"))
			if err != nil {
				t.Fatal(err)
			}
			return store.ReportInput{Targets: prev.Targets, Investment: prev.Investment, Disbursed: prev.Disbursed,
				Progress: "按计划推进。", Problems: "无。", NextSteps: "继续推进。"}
		}
		must := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		may, oct, nov := plan.MustPeriod("2024-05"), plan.MustPeriod("2024-10"), plan.MustPeriod("2024-11")

		// An accepted May report reopened: months after it lose its figures.
		_, err = s.ReopenReport(ctx, sys, id(0), may, "数据有误")
		must("reopen", err)
		// November: a draft (state only), and one submitted early.
		_, _, err = s.SaveReport(ctx, sys, id(1), nov, report(1))
		must("save", err)
		r, _, err := s.SaveReport(ctx, sys, id(2), nov, report(2))
		must("save", err)
		_, err = s.SubmitReport(ctx, sys, id(2), nov, r.Version)
		must("submit", err)
		compare("reopen, draft, submit", "2024-11")
		// October reopened, corrected, resubmitted and accepted; another
		// submitted and returned.
		_, err = s.ReopenReport(ctx, sys, id(3), oct, "请补充")
		must("reopen", err)
		in := report(3)
		cur, err := s.GetReport(ctx, sys, id(3), oct)
		must("get", err)
		in.Version = cur.Version
		r2, _, err := s.SaveReport(ctx, sys, id(3), oct, in)
		must("save", err)
		_, err = s.SubmitReport(ctx, sys, id(3), oct, r2.Version)
		must("submit", err)
		_, err = s.AcceptReport(ctx, sys, id(3), oct)
		must("accept", err)
		r, _, err = s.SaveReport(ctx, sys, id(4), nov, report(4))
		must("save", err)
		_, err = s.SubmitReport(ctx, sys, id(4), nov, r.Version)
		must("submit", err)
		_, err = s.ReturnReport(ctx, sys, id(4), nov, "数值不对")
		must("return", err)
		compare("resubmit, accept, return", "2024-11")
		// A report saved and submitted in one request.
		_, _, err = s.SaveAndSubmitReport(ctx, sys, id(6), nov, report(6))
		must("save and submit", err)
		compare("saved and submitted at once", "2024-11")
		compare("the months before those changed", "2024-05")

		// A monthly plan reopened (the baseline applies), then approved again.
		_, err = s.ReopenMonthlyPlan(ctx, sys, id(5), "调整计划")
		must("reopen monthly", err)
		compare("monthly plan reopened", "2024-11")
		_, err = s.SubmitMonthlyPlan(ctx, sys, id(5), 0)
		must("submit monthly", err)
		_, err = s.ApproveMonthlyPlan(ctx, sys, id(5))
		must("approve monthly", err)

		// A new version of the plan without its last project.
		pv, err := s.CurrentPlan(ctx, "360112", 2024)
		must("current plan", err)
		doc := pv.Document
		doc.Projects = doc.Projects[:len(doc.Projects)-1]
		draft, err := s.SaveDraftPlan(ctx, sys, &doc, "")
		must("draft plan", err)
		_, err = s.PublishPlan(ctx, sys, draft.ID)
		must("publish", err)
		compare("plan republished", "2024-11")

		// November overdue: open months count as late and not reported.
		clock = time.Date(2024, 12, 9, 10, 0, 0, 0, plan.Shanghai)
		compare("November overdue", "2024-11")
		// Another due day: the facts are rebuilt under it.
		s.DueDay = 10
		compare("due day 10", "2024-10", "2024-11")
		if rep, err := s.VerifyAudit(ctx); err != nil || rep.Break != nil {
			t.Fatalf("audit: %+v, %v", rep, err)
		}
	})
}

func toJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
