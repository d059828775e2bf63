package store

import (
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
)

func TestReportOptimisticConflict(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx, may := f.ctx, period("2024-05")
		r1 := saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(0, "0.5", "96", "100")))(t)
		if r1.Version != 1 || r1.State != plan.ReportDraft {
			t.Fatalf("first save: version %d state %s", r1.Version, r1.State)
		}
		// A second writer who also started from nothing loses.
		_, _, err := s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(0, "0.7", "96", "100"))
		wantCode(t, err, plan.EConflict)
		if e := err.(*plan.Error); e.Field != "version" {
			t.Fatalf("conflict field %q", e.Field)
		}
		r2 := saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(1, "0.8", "96", "150")))(t)
		if r2.Version != 2 || r2.Actual(f.p1.Targets[0].ID).String() != "0.8" || r2.Investment.String() != "150" {
			t.Fatalf("second save: %+v", r2)
		}
		// A stale version after that.
		_, _, err = s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(1, "0.9", "96", "150"))
		wantCode(t, err, plan.EConflict)
		got := must(s.GetReport(ctx, f.repA, f.p1.ID, may))(t)
		if got.Actual(f.p1.Targets[0].ID).String() != "0.8" {
			t.Fatal("a rejected save changed the report")
		}
	})
}

func TestSubmitIsIdempotent(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx, may := f.ctx, period("2024-05")
		r := saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(0, "0.5", "96", "100")))(t)
		sub := must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version))(t)
		if sub.State != plan.ReportSubmitted || sub.Version != r.Version+1 || sub.SubmittedAt == nil {
			t.Fatalf("submitted: %+v", sub)
		}
		// The client did not see the answer and sends the same request again.
		again := must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version))(t)
		if again.Version != sub.Version || again.State != plan.ReportSubmitted {
			t.Fatalf("retry changed the report: %+v", again)
		}
		// …or submits the version it got back.
		must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, sub.Version))(t)
		revs := must(s.ReportRevisions(ctx, f.sup, f.p1.ID, may))(t)
		if len(revs) != 2 || revs[1].Action != plan.ReportSubmit {
			t.Fatalf("revisions after retried submit: %+v", revs)
		}
		// A version that was never the submitted one is a conflict.
		_, err := s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version+5)
		wantCode(t, err, plan.EConflict)
		// Nothing to submit yet for another month.
		_, err = s.SubmitReport(ctx, f.repA, f.p1.ID, period("2024-04"), 0)
		wantCode(t, err, plan.ENotFound)
	})
}

// SaveAndSubmitReport: content and submission in one transaction, all or
// nothing; a retried request changes nothing; a stale version conflicts.
func TestSaveAndSubmit(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx, may, june := f.ctx, period("2024-05"), period("2024-06")
		head := func() int64 { n, _, err := s.AuditHead(ctx); return must(n, err)(t) }

		// Incomplete for a submission (no progress text): nothing is written,
		// not even a draft.
		in := f.fullReport(0, "0.5", "96", "100")
		in.Progress = ""
		before := head()
		_, _, err := s.SaveAndSubmitReport(ctx, f.repA, f.p1.ID, may, in)
		wantCode(t, err, plan.EInvalid)
		if _, err := s.GetReport(ctx, f.repA, f.p1.ID, may); plan.ErrorCode(err) != plan.ENotFound || head() != before {
			t.Fatalf("a refused submission left something: %v, audit %d → %d", err, before, head())
		}

		in = f.fullReport(0, "0.5", "96", "100")
		sub, _ := must2(s.SaveAndSubmitReport(ctx, f.repA, f.p1.ID, may, in))(t)
		if sub.State != plan.ReportSubmitted || sub.Version != 1 || sub.SubmittedAt == nil || sub.Actual(f.p1.Targets[0].ID).String() != "0.5" {
			t.Fatalf("submitted: %+v", sub)
		}
		// The same request again (the answer was lost): unchanged.
		again, _ := must2(s.SaveAndSubmitReport(ctx, f.repA, f.p1.ID, may, in))(t)
		if again.Version != sub.Version {
			t.Fatalf("a retry changed the report: version %d → %d", sub.Version, again.Version)
		}
		revs := must(s.ReportRevisions(ctx, f.sup, f.p1.ID, may))(t)
		if len(revs) != 1 || revs[0].Action != plan.ReportSubmit || revs[0].Snapshot.Progress != in.Progress {
			t.Fatalf("revisions: %+v", revs)
		}
		// Other content from the same version is not a retry: the report is
		// already submitted.
		_, _, err = s.SaveAndSubmitReport(ctx, f.repA, f.p1.ID, may, f.fullReport(0, "0.6", "96", "100"))
		wantCode(t, err, plan.EConflict)

		// Returned, then corrected and resubmitted from the version seen.
		ret := must(s.ReturnReport(ctx, f.sup, f.p1.ID, may, "贷款数需核实"))(t)
		_, _, err = s.SaveAndSubmitReport(ctx, f.repA, f.p1.ID, may, f.fullReport(ret.Version-1, "0.6", "96", "100"))
		wantCode(t, err, plan.EConflict)
		re, _ := must2(s.SaveAndSubmitReport(ctx, f.repA, f.p1.ID, may, f.fullReport(ret.Version, "0.6", "96", "100")))(t)
		if re.State != plan.ReportSubmitted || re.Actual(f.p1.Targets[0].ID).String() != "0.6" || re.Version != ret.Version+1 {
			t.Fatalf("resubmitted: %+v", re)
		}
		must(s.AcceptReport(ctx, f.sup, f.p1.ID, may))(t)

		// A value below May's accepted one is refused for June, with the
		// field named, and June stays empty.
		_, _, err = s.SaveAndSubmitReport(ctx, f.repA, f.p1.ID, june, f.fullReport(0, "0.4", "96", "100"))
		wantCode(t, err, plan.EInvalid)
		if e, ok := err.(*plan.Error); !ok || !strings.Contains(toJSON(e), f.p1.Targets[0].ID) {
			t.Errorf("the error does not name the target: %v", err)
		}
		// Another unit may not.
		_, _, err = s.SaveAndSubmitReport(ctx, f.repC, f.p1.ID, june, f.fullReport(0, "0.7", "96", "100"))
		wantCode(t, err, plan.EForbidden)
	})
}

func TestReturnResubmitAccept(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx, may := f.ctx, period("2024-05")
		r := saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, ReportInput{
			Targets: []plan.ReportTarget{{TargetID: f.p1.Targets[0].ID, Actual: dec("0.5")}},
		}))(t)
		// Incomplete: the rate is missing and there is no progress text.
		_, err := s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version)
		wantCode(t, err, plan.EInvalid)
		if d := err.(*plan.Error).Details; len(d) != 2 {
			t.Fatalf("details: %+v", d)
		}
		r = saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(r.Version, "0.5", "96", "100")))(t)
		r = must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version))(t)
		// A submitted report cannot be edited.
		_, _, err = s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(r.Version, "0.6", "96", "100"))
		wantCode(t, err, plan.EConflict)
		// Returning needs a reason and a supervisor of the jurisdiction.
		_, err = s.ReturnReport(ctx, f.sup, f.p1.ID, may, "  ")
		wantCode(t, err, plan.EInvalid)
		_, err = s.ReturnReport(ctx, f.repA, f.p1.ID, may, "自己退回")
		wantCode(t, err, plan.EForbidden)
		_, err = s.ReturnReport(ctx, f.otherSup, f.p1.ID, may, "越权")
		wantCode(t, err, plan.EForbidden)
		r = must(s.ReturnReport(ctx, f.sup, f.p1.ID, may, "投资数据与财政拨付不符"))(t)
		if r.State != plan.ReportReturned || r.ReturnReason != "投资数据与财政拨付不符" {
			t.Fatalf("returned: %+v", r)
		}
		// The unit corrects it (still returned, reason still shown) and resubmits.
		r = saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(r.Version, "0.5", "96", "120")))(t)
		if r.State != plan.ReportReturned || r.ReturnReason == "" {
			t.Fatalf("saved returned report: %+v", r)
		}
		r = must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version))(t)
		_, err = s.AcceptReport(ctx, f.leader, f.p1.ID, may)
		wantCode(t, err, plan.EForbidden)
		r = must(s.AcceptReport(ctx, f.sup, f.p1.ID, may))(t)
		if r.State != plan.ReportAccepted || r.AcceptedAt == nil || r.ReturnReason != "" {
			t.Fatalf("accepted: %+v", r)
		}
		// Accepting again is a harmless retry; accepted is final for the unit.
		again := must(s.AcceptReport(ctx, f.sup, f.p1.ID, may))(t)
		if again.Version != r.Version {
			t.Fatal("second accept changed the report")
		}
		_, _, err = s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(r.Version, "0.6", "96", "100"))
		wantCode(t, err, plan.EConflict)
		_, err = s.ReturnReport(ctx, f.sup, f.p1.ID, may, "再退回")
		wantCode(t, err, plan.EConflict)

		revs := must(s.ReportRevisions(ctx, f.sup, f.p1.ID, may))(t)
		var actions []string
		for _, rv := range revs {
			actions = append(actions, string(rv.Action)+":"+string(rv.State))
		}
		want := "save:draft save:draft submit:submitted return:returned save:returned submit:submitted accept:accepted"
		if got := strings.Join(actions, " "); got != want {
			t.Fatalf("revisions:\n got %s\nwant %s", got, want)
		}
		if revs[3].Reason != "投资数据与财政拨付不符" || revs[3].ActorID != f.sup.ID || revs[2].ActorID != f.repA.ID {
			t.Fatalf("return revision: %+v", revs[3])
		}
		// Every kept state is the report as it was then.
		if revs[2].Snapshot.Investment.String() != "100" || revs[4].Snapshot.Investment.String() != "120" {
			t.Fatalf("snapshots: %s, %s", revs[2].Snapshot.Investment, revs[4].Snapshot.Investment)
		}
		// The supervisor may reopen an accepted report, with a reason.
		r = must(s.ReopenReport(ctx, f.sup, f.p1.ID, may, "审计发现数据有误"))(t)
		if r.State != plan.ReportReturned {
			t.Fatalf("reopened: %s", r.State)
		}
		// June's cumulative actual may not fall below May's accepted one (checked
		// only against accepted months: May is no longer accepted).
		june := period("2024-06")
		saved(s.SaveReport(ctx, f.repA, f.p1.ID, june, f.fullReport(0, "0.4", "90", "50")))(t)
	})
}

func TestReportValidationAgainstAcceptedMonth(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		apr, may := period("2024-04"), period("2024-05")
		r := saved(s.SaveReport(ctx, f.repA, f.p1.ID, apr, f.fullReport(0, "0.5", "96", "100")))(t)
		must(s.SubmitReport(ctx, f.repA, f.p1.ID, apr, r.Version))(t)
		must(s.AcceptReport(ctx, f.sup, f.p1.ID, apr))(t)
		_, _, err := s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(0, "0.4", "101", "90"))
		wantCode(t, err, plan.EInvalid)
		fields := map[string]string{}
		for _, p := range err.(*plan.Error).Details {
			fields[p.Field] = p.Message
		}
		if !strings.Contains(fields["targets."+f.p1.Targets[0].ID], "「新增发放创业担保贷款」累计完成值不能小于上月已确认的 0.5") ||
			!strings.Contains(fields["targets."+f.p1.Targets[1].ID], "不能超过 100%") ||
			!strings.Contains(fields["investment_wan"], "不能小于上月已确认的 100 万元") {
			t.Fatalf("messages: %v", fields)
		}
		// Disbursed above investment is saved, with a warning.
		in := f.fullReport(0, "0.6", "96", "120")
		in.Disbursed = dec("200")
		_, warns, err := s.SaveReport(ctx, f.repA, f.p1.ID, may, in)
		if err != nil || len(warns) != 1 || warns[0].Field != "disbursed_wan" {
			t.Fatalf("warnings %v, err %v", warns, err)
		}
		// Months outside the project's year or still to come are refused.
		_, _, err = s.SaveReport(ctx, f.repA, f.p1.ID, period("2024-07"), ReportInput{})
		wantCode(t, err, plan.EInvalid)
		_, _, err = s.SaveReport(ctx, f.repA, f.p1.ID, period("2023-12"), ReportInput{})
		wantCode(t, err, plan.EInvalid)
		_, _, err = s.SaveReport(ctx, f.repA, "prj_nope", may, ReportInput{})
		wantCode(t, err, plan.ENotFound)
	})
}

// TestUnitsCannotTouchOtherUnitsProjects is DESIGN.md §2's rule: a unit's
// user never reads a draft of another unit's project, nor writes to it.
func TestUnitsCannotTouchOtherUnitsProjects(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx, may := f.ctx, period("2024-05")
		r := saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(0, "0.5", "96", "100")))(t)

		// Unit C (lead of p2) against p1, which A leads.
		_, err := s.GetReport(ctx, f.repC, f.p1.ID, may)
		wantCode(t, err, plan.EForbidden)
		_, err = s.ReportRevisions(ctx, f.repC, f.p1.ID, may)
		wantCode(t, err, plan.EForbidden)
		_, _, err = s.SaveReport(ctx, f.repC, f.p1.ID, may, f.fullReport(r.Version, "9", "96", "100"))
		wantCode(t, err, plan.EForbidden)
		_, err = s.SubmitReport(ctx, f.repC, f.p1.ID, may, r.Version)
		wantCode(t, err, plan.EForbidden)
		_, err = s.AddContribution(ctx, f.repC, f.p1.ID, may, ContributionInput{Text: "冒名补充"})
		wantCode(t, err, plan.EForbidden)
		_, err = s.AddReportAttachment(ctx, f.repC, f.p1.ID, may, "x.png", pngBytes(1))
		wantCode(t, err, plan.EForbidden)
		_, err = s.SaveMonthlyPlan(ctx, f.repC, f.p1.ID, &plan.MonthlyPlan{})
		wantCode(t, err, plan.EForbidden)
		// Not even whether a report exists: an absent one is forbidden too.
		_, err = s.GetReport(ctx, f.repC, f.p1.ID, period("2024-03"))
		wantCode(t, err, plan.EForbidden)
		if list := must(s.ListReports(ctx, f.repC, ReportFilter{JurisdictionCode: "360112"}))(t); len(list) != 0 {
			t.Fatalf("unit C lists %d reports of others", len(list))
		}
		// Nor do the supervisor, leaders and deputies see a unit's draft.
		for _, u := range []*plan.User{f.sup, f.leader, f.deputy} {
			_, err = s.GetReport(ctx, u, f.p1.ID, may)
			wantCode(t, err, plan.EForbidden)
		}
		_, err = s.GetReport(ctx, nil, f.p1.ID, may)
		wantCode(t, err, plan.EUnauthorized)

		// The responsible unit B adds its part to A's draft; it cannot write A's figures.
		_, _, err = s.SaveReport(ctx, f.conB, f.p1.ID, may, f.fullReport(r.Version, "9", "96", "100"))
		wantCode(t, err, plan.EForbidden)
		withB := must(s.AddContribution(ctx, f.conB, f.p1.ID, may, ContributionInput{Text: "团区委组织创业培训3场", Investment: dec("12.5")}))(t)
		if len(withB.Contributions) != 1 || withB.Contributions[0].UnitName != "团区委" || withB.Contributions[0].Investment.String() != "12.5" {
			t.Fatalf("contribution: %+v", withB.Contributions)
		}
		if withB.Version != r.Version {
			t.Fatal("a contribution bumped the lead unit's version")
		}
		// A's next save keeps B's contribution.
		r = saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(r.Version, "0.6", "96", "100")))(t)
		if len(r.Contributions) != 1 {
			t.Fatal("lead unit's save dropped the contribution")
		}
		must(s.GetReport(ctx, f.conB, f.p1.ID, may))(t)

		// Once submitted, the supervisor, leader and (人大票决 project) deputy read it; C still not.
		must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version))(t)
		for _, u := range []*plan.User{f.sup, f.leader, f.deputy} {
			must(s.GetReport(ctx, u, f.p1.ID, may))(t)
		}
		_, err = s.GetReport(ctx, f.repC, f.p1.ID, may)
		wantCode(t, err, plan.EForbidden)
		_, err = s.AddContribution(ctx, f.conB, f.p1.ID, may, ContributionInput{Text: "太晚了"})
		wantCode(t, err, plan.EConflict)
		queue := must(s.ListReports(ctx, f.sup, ReportFilter{JurisdictionCode: "360112", Period: may, State: plan.ReportSubmitted}))(t)
		if len(queue) != 1 || queue[0].ProjectID != f.p1.ID {
			t.Fatalf("review queue: %+v", queue)
		}
		// Another jurisdiction's supervisor sees nothing and can do nothing.
		_, err = s.GetReport(ctx, f.otherSup, f.p1.ID, may)
		wantCode(t, err, plan.EForbidden)
		_, err = s.AcceptReport(ctx, f.otherSup, f.p1.ID, may)
		wantCode(t, err, plan.EForbidden)
	})
}

func TestReportStatuses(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx, may := f.ctx, period("2024-05")
		r := saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(0, "0.5", "96", "100")))(t)
		must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version))(t) // June 3rd: on time
		saved(s.SaveReport(ctx, f.repC, f.p2.ID, may, ReportInput{Progress: "主体完工",
			Targets: []plan.ReportTarget{{TargetID: f.p2.Targets[0].ID, Actual: dec("1")}}}))(t)

		st := must(s.ReportStatuses(ctx, "360112", may))(t)
		if len(st) != 3 {
			t.Fatalf("%d statuses", len(st))
		}
		if st[0].State != plan.ReportSubmitted || st[0].Missing || st[0].Late || st[0].LeadUnits[0] != "区人社局" {
			t.Fatalf("p1: %+v", st[0])
		}
		if st[1].State != plan.ReportDraft || !st[1].Missing || st[1].Late {
			t.Fatalf("p2 before due: %+v", st[1])
		}
		// After June 5th the missing ones are late.
		s.Now = func() time.Time { return time.Date(2024, 6, 6, 0, 0, 1, 0, plan.Shanghai) }
		st = must(s.ReportStatuses(ctx, "360112", may))(t)
		if st[0].Late || !st[1].Late || !st[2].Late || st[2].State != "" {
			t.Fatalf("after due: %+v", st)
		}
		// Submitted late stays late.
		must(s.SubmitReport(ctx, f.repC, f.p2.ID, may, 0))(t)
		st = must(s.ReportStatuses(ctx, "360112", may))(t)
		if !st[1].Late || st[1].Missing {
			t.Fatalf("late submission: %+v", st[1])
		}
	})
}
