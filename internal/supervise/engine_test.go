package supervise

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// eachBackend runs fn on a fresh SQLite file and, when
// MINSHENG_TEST_POSTGRES names a database, on PostgreSQL in a schema of its
// own (as internal/store's tests do).
func eachBackend(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, openStore(t, filepath.Join(t.TempDir(), "m.db")))
	})
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("MINSHENG_TEST_POSTGRES")
		if base == "" {
			t.Skip("MINSHENG_TEST_POSTGRES 未设置，跳过 PostgreSQL 测试")
		}
		t.Parallel()
		var b [6]byte
		rand.Read(b[:])
		schema := "t_" + hex.EncodeToString(b[:])
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			admin.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() {
			admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			admin.Close()
		})
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		fn(t, openStore(t, base+sep+"search_path="+schema))
	})
}

func openStore(t *testing.T, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func sp(s string) *string { return &s }

// world is a published plan of 新建区 with three projects of one target
// each (12 a year, so 序时进度 is the month's number), a supervisor, the
// lead unit's reporter, and a clock the test moves.
type world struct {
	st                 *store.Store
	ctx                context.Context
	clock              time.Time
	pv                 *plan.PlanVersion
	p1, p2, p3         *plan.ProjectRecord
	sup, rep, repOther *plan.User
	eng                *Engine
}

func newWorld(t *testing.T, st *store.Store) *world {
	t.Helper()
	w := &world{st: st, ctx: context.Background(), clock: time.Date(2024, 1, 20, 9, 0, 0, 0, plan.Shanghai)}
	st.Now = func() time.Time { return w.clock }
	target := func(metric, unit string) []plan.Target {
		return []plan.Target{{Text: metric + "12" + unit, Metric: metric, Comparator: plan.AtLeast, Value: plan.MustDecimal("12"), Unit: unit, Kind: plan.KindQuantity}}
	}
	doc := &plan.Plan{
		Source:       plan.Source{File: "xinjian.txt", SHA256: strings.Repeat("b", 64), Encoding: "utf-8"},
		Jurisdiction: plan.Jurisdiction{Name: "南昌市新建区", Code: sp("360112"), Level: sp(plan.LevelCounty)},
		Year:         2024, Title: "新建区2024年民生实事安排方案", DocNumber: sp("新府办发〔2024〕12号"),
		Projects: []plan.Project{
			{Seq: 1, Title: "建设城市口袋公园", Text: "建设口袋公园12个。", LeadUnits: []string{"区城管局"}, ResponsibleUnits: []string{"区住建局"}, Investment: plan.MustDecimal("1200").Ptr(), Targets: target("口袋公园", "个")},
			{Seq: 2, Title: "改造老旧小区", Text: "改造老旧小区12个。", LeadUnits: []string{"区住建局"}, ResponsibleUnits: []string{}, Investment: plan.MustDecimal("2400").Ptr(), Targets: target("老旧小区改造", "个")},
			{Seq: 3, Title: "新增公办学位", Text: "新增学位12个班。", LeadUnits: []string{"区教体局"}, ResponsibleUnits: []string{}, Targets: target("新增学位", "个班")},
		},
	}
	sys := plan.SystemUser
	if _, err := st.EnsureJurisdiction(w.ctx, sys, plan.JurisdictionRecord{Code: "360112", Name: "南昌市新建区", Level: plan.LevelCounty}); err != nil {
		t.Fatal(err)
	}
	var err error
	if w.pv, err = st.SaveDraftPlan(w.ctx, sys, doc, ""); err != nil {
		t.Fatal(err)
	}
	if w.pv, err = st.PublishPlan(w.ctx, sys, w.pv.ID); err != nil {
		t.Fatal(err)
	}
	ps, err := st.ListProjects(w.ctx, store.ProjectFilter{PlanID: w.pv.ID})
	if err != nil || len(ps) != 3 {
		t.Fatalf("projects %d %v", len(ps), err)
	}
	w.p1, w.p2, w.p3 = &ps[0], &ps[1], &ps[2]
	user := func(name string, role plan.Role, unit string) *plan.User {
		u := &plan.User{Username: name, Role: role, JurisdictionCode: "360112"}
		if unit != "" {
			un, err := st.FindUnit(w.ctx, "360112", unit)
			if err != nil {
				t.Fatal(err)
			}
			u.UnitID = un.ID
		}
		if err := st.CreateUser(w.ctx, sys, u, "密码-12345678"); err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.sup = user("督查室", plan.RoleSupervisor, "")
	w.rep = user("城管局", plan.RoleReporter, "区城管局")
	w.repOther = user("住建局", plan.RoleReporter, "区住建局")
	w.eng = New(st, DefaultConfig())
	return w
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, plan.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// report has the project's lead unit report a running total for a month,
// submitted at the given time (the system stands in for the unit).
func (w *world) report(t *testing.T, p *plan.ProjectRecord, per string, value string, when string) {
	t.Helper()
	w.clock = at(when)
	in := store.ReportInput{Progress: "按计划推进", Investment: plan.MustDecimal("10").Ptr(), Disbursed: plan.MustDecimal("5").Ptr()}
	for _, tg := range p.ActiveTargets() {
		in.Targets = append(in.Targets, plan.ReportTarget{TargetID: tg.ID, Actual: plan.MustDecimal(value).Ptr()})
	}
	r, _, err := w.st.SaveReport(w.ctx, plan.SystemUser, p.ID, plan.MustPeriod(per), in)
	if err != nil {
		t.Fatalf("save %s %s: %v", p.Title, per, err)
	}
	if _, err := w.st.SubmitReport(w.ctx, plan.SystemUser, p.ID, plan.MustPeriod(per), r.Version); err != nil {
		t.Fatalf("submit %s %s: %v", p.Title, per, err)
	}
}

func (w *world) run(t *testing.T, per, when string) *RunResult {
	t.Helper()
	w.clock = at(when)
	res, err := w.eng.Run(w.ctx, w.sup, w.pv.ID, plan.MustPeriod(per))
	if err != nil {
		t.Fatalf("run %s: %v", per, err)
	}
	return res
}

func drafted(res *RunResult, p *plan.ProjectRecord) *plan.Letter {
	for i := range res.Drafted {
		if res.Drafted[i].ProjectID == p.ID {
			return &res.Drafted[i]
		}
	}
	return nil
}

// TestLadder drives a project through the whole escalation ladder: the
// first 滞后 drafts a 提示函, which the supervisor edits and issues; still
// behind the next month (and so 严重滞后, two months running) drafts a
// 督办函; still red after it puts the project on the 挂牌督办 list; back on
// plan ends the spell, the answers are in and the items are closed; a new
// spell starts over. Another project stays on plan and gets nothing; one
// that never reports gets a 督办函 at once.
func TestLadder(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := w.ctx
		for m, v := range []string{"1", "2", "3", "4", "5", "6"} {
			per := plan.Period{Year: 2024, Month: time.Month(m + 1)}
			w.report(t, w.p2, per.String(), v, per.Next().Start().AddDate(0, 0, 1).Add(9*time.Hour).Format("2006-01-02 15:04"))
		}

		// January: on plan.
		w.report(t, w.p1, "2024-01", "1", "2024-02-02 10:00")
		res := w.run(t, "2024-01", "2024-02-20 09:00")
		if len(res.Drafted) != 1 || drafted(res, w.p3) == nil || drafted(res, w.p3).Kind != plan.LetterSupervision {
			t.Fatalf("January: drafted %+v (only the silent project, a 督办函)", res.Drafted)
		}
		if st := res.Timeline.Status(w.p1.ID, plan.MustPeriod("2024-01")); st.Status != plan.StatusOnTrack {
			t.Fatalf("January: %s", st.Status.Label())
		}

		// February: behind (1.5 of 2) → a 提示函 is drafted.
		w.report(t, w.p1, "2024-02", "1.5", "2024-03-04 10:00")
		res = w.run(t, "2024-02", "2024-03-11 09:00")
		prompt := drafted(res, w.p1)
		if prompt == nil || prompt.Kind != plan.LetterPrompt || prompt.Status != plan.StatusBehind || res.Steps[w.p1.ID] != StepPrompt {
			t.Fatalf("February: %+v", res.Drafted)
		}
		if !strings.Contains(prompt.Body, "“口袋公园”按计划应完成2个，实际完成1.5个，为计划的75%") ||
			!strings.Contains(prompt.Body, "《新建区2024年民生实事安排方案》（新府办发〔2024〕12号）") ||
			prompt.Issuer != "南昌市新建区人民政府督查室" || prompt.ResponseDays != 5 || prompt.Recipients[0] != "区城管局" {
			t.Errorf("提示函 draft:\n%s\n%+v", prompt.Body, prompt)
		}
		// Running again drafts nothing twice.
		if again := w.run(t, "2024-02", "2024-03-11 10:00"); len(again.Drafted) != 0 {
			t.Errorf("second run drafted %d", len(again.Drafted))
		}
		// The unit does not see the draft; the supervisor edits and issues it.
		if _, err := st.GetLetter(ctx, w.rep, prompt.ID); plan.ErrorCode(err) != plan.ENotFound {
			t.Errorf("unit reads the draft: %v", err)
		}
		edited, err := st.EditLetter(ctx, w.sup, prompt.ID, store.LetterEdit{Version: prompt.Version, Title: prompt.Title,
			Body: prompt.Body + "\n联系人：王明，电话：83761234。", Issuer: prompt.Issuer, ResponseDays: 5})
		if err != nil {
			t.Fatal(err)
		}
		issued, err := w.eng.Issue(ctx, w.sup, edited.ID, edited.Version)
		if err != nil {
			t.Fatal(err)
		}
		// Monday 11 March + 5 working days = Monday 18 March.
		if issued.DocNumber != "新建督提〔2024〕1号" || issued.DueDate != "2024-03-18" {
			t.Errorf("issued %s due %s", issued.DocNumber, issued.DueDate)
		}
		if _, err := st.AnswerLetter(ctx, w.repOther, issued.ID, "不是我们的项目"); plan.ErrorCode(err) != plan.EForbidden {
			t.Errorf("another unit answers: %v", err)
		}
		answered, err := st.AnswerLetter(ctx, w.rep, issued.ID, "已倒排工期，3月底前开工3个。")
		if err != nil {
			t.Fatal(err)
		}

		// March: still behind (2.5 of 3), the second month running → 严重滞后 → 督办函.
		w.report(t, w.p1, "2024-03", "2.5", "2024-04-03 10:00")
		res = w.run(t, "2024-03", "2024-04-11 09:00")
		sup := drafted(res, w.p1)
		if st := res.Timeline.Status(w.p1.ID, plan.MustPeriod("2024-03")); st.Status != plan.StatusFarBehind || st.Run != 2 {
			t.Fatalf("March: %s run %d (%s)", st.Status.Label(), st.Run, st.Reason)
		}
		if sup == nil || sup.Kind != plan.LetterSupervision || !strings.Contains(sup.Body, "新建督提〔2024〕1号") {
			t.Fatalf("March: %+v", res.Drafted)
		}
		sup2, err := w.eng.Issue(ctx, w.sup, sup.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if sup2.DueDate != "2024-04-16" { // Thursday 11 April + 3 working days
			t.Errorf("督办函 due %s", sup2.DueDate)
		}

		// April: still red after the 督办函 → 挂牌督办, nothing new drafted (the
		// silent project's 督办函 was never issued, so it is not listed).
		w.report(t, w.p1, "2024-04", "3", "2024-05-06 10:00")
		res = w.run(t, "2024-04", "2024-05-13 09:00")
		if drafted(res, w.p1) != nil || res.Steps[w.p1.ID] != StepList || len(res.Listed) != 1 {
			t.Fatalf("April: drafted %v step %q listed %v", drafted(res, w.p1), res.Steps[w.p1.ID], res.Listed)
		}
		// The 督办函 was not answered within its deadline.
		sup2, _ = st.GetLetter(ctx, w.sup, sup2.ID)
		if !sup2.OverdueAt(w.clock) || !sup2.Overdue || answered.OverdueAt(w.clock) {
			t.Errorf("overdue: 督办函 %v 提示函 %v", sup2.OverdueAt(w.clock), answered.OverdueAt(w.clock))
		}

		// May: back on plan → off the list; the answers are in, the items closed.
		w.report(t, w.p1, "2024-05", "5", "2024-06-03 10:00")
		res = w.run(t, "2024-05", "2024-06-12 09:00")
		if res.Steps[w.p1.ID] != StepNone || drafted(res, w.p1) != nil {
			t.Fatalf("May: step %q", res.Steps[w.p1.ID])
		}
		if _, err := st.AnswerLetter(ctx, w.rep, sup2.ID, "增派施工队伍，5月已完成5个。"); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{issued.ID, sup2.ID} {
			if _, err := st.CloseLetter(ctx, w.sup, id, "整改到位"); err != nil {
				t.Fatal(err)
			}
		}

		// June: the report is missing past the grace period → 未报送, a new spell → 督办函 at once.
		res = w.run(t, "2024-06", "2024-07-15 09:00")
		if l := drafted(res, w.p1); l == nil || l.Kind != plan.LetterSupervision || l.Status != plan.StatusNotReported ||
			!strings.Contains(l.Body, "6月进展情况逾期未报送") {
			t.Fatalf("June: %+v", res.Drafted)
		}

		// The project on plan got nothing all along.
		all, err := st.ListLetters(ctx, w.sup, store.LetterFilter{ProjectID: w.p2.ID})
		if err != nil || len(all) != 0 {
			t.Errorf("on-plan project: %d letters %v", len(all), err)
		}
		// The history is kept per month, and the audit chain holds.
		hist, err := st.StatusHistory(ctx, "360112", 2024)
		if err != nil {
			t.Fatal(err)
		}
		var line []string
		for _, h := range hist {
			if h.ProjectID == w.p1.ID {
				line = append(line, h.Status.Label())
			}
		}
		if got := strings.Join(line, " "); got != "正常 滞后 严重滞后 严重滞后 正常 未报送" {
			t.Errorf("history of project 1: %s", got)
		}
		if rep, err := st.VerifyAudit(ctx); err != nil || rep.Break != nil {
			t.Errorf("audit: %+v %v", rep, err)
		}
		// Only the supervisor of the jurisdiction runs the engine.
		if _, err := w.eng.Run(ctx, w.rep, w.pv.ID, plan.MustPeriod("2024-06")); plan.ErrorCode(err) != plan.EForbidden {
			t.Errorf("unit runs the engine: %v", err)
		}
	})
}

// TestHistoryRecompute: a correction of a cumulative value downwards
// rewrites that month and the months after it (keeping the old rows); a
// monthly plan approved later does not re-judge months already judged,
// unless forced.
func TestHistoryRecompute(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := w.ctx
		w.report(t, w.p1, "2024-01", "1", "2024-02-02 10:00")
		w.report(t, w.p1, "2024-02", "2", "2024-03-02 10:00")
		w.report(t, w.p1, "2024-03", "3", "2024-04-02 10:00")
		w.clock = at("2024-04-20 09:00")
		tl, err := w.eng.Refresh(ctx, w.sup, "360112", plan.MustPeriod("2024-03"), false)
		if err != nil {
			t.Fatal(err)
		}
		if len(tl.Changes) != 9 {
			t.Errorf("first computation: %d changes", len(tl.Changes))
		}
		statuses := func() string {
			hist, err := st.StatusHistory(ctx, "360112", 2024)
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, h := range hist {
				if h.ProjectID == w.p1.ID {
					s = append(s, h.Status.Label())
				}
			}
			return strings.Join(s, " ")
		}
		if got := statuses(); got != "正常 正常 正常" {
			t.Fatalf("before: %s", got)
		}
		// Nothing changed: nothing rewritten.
		if tl, _ = w.eng.Refresh(ctx, w.sup, "360112", plan.MustPeriod("2024-03"), false); len(tl.Changes) != 0 {
			t.Errorf("unchanged: %+v", tl.Changes)
		}

		// February's figure was wrong: reopened and corrected down to 1.2.
		if _, err := st.AcceptReport(ctx, plan.SystemUser, w.p1.ID, plan.MustPeriod("2024-02")); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ReopenReport(ctx, plan.SystemUser, w.p1.ID, plan.MustPeriod("2024-02"), "数据有误"); err != nil {
			t.Fatal(err)
		}
		r, err := st.GetReport(ctx, plan.SystemUser, w.p1.ID, plan.MustPeriod("2024-02"))
		if err != nil {
			t.Fatal(err)
		}
		in := store.ReportInput{Version: r.Version, Progress: "更正", Targets: []plan.ReportTarget{{TargetID: w.p1.Targets[0].ID, Actual: plan.MustDecimal("1.2").Ptr()}}}
		if r, _, err = st.SaveReport(ctx, plan.SystemUser, w.p1.ID, plan.MustPeriod("2024-02"), in); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SubmitReport(ctx, plan.SystemUser, w.p1.ID, plan.MustPeriod("2024-02"), r.Version); err != nil {
			t.Fatal(err)
		}
		w.clock = at("2024-04-21 09:00")
		if _, err := w.eng.Statuses(ctx, "360112", plan.MustPeriod("2024-03")); err != nil {
			t.Fatal(err)
		}
		// February is now behind (1.2 of 2, and resubmitted late in April);
		// March (3 of 3) is on plan again.
		if got := statuses(); got != "正常 滞后 正常" {
			t.Errorf("after the correction: %s", got)
		}
		revs, err := st.StatusRevisions(ctx, w.p1.ID, plan.MustPeriod("2024-02"))
		if err != nil || len(revs) != 2 || revs[0].Status != plan.StatusOnTrack {
			t.Errorf("February's rows: %+v %v", revs, err)
		}

		// A monthly plan approved now asks for 6 by March: past months stand…
		mp := &plan.MonthlyPlan{Targets: []plan.MonthlyTarget{{TargetID: w.p1.Targets[0].ID}}}
		for i := range 12 {
			v := plan.DecimalFromInt(int64(min(12, 2*(i+1))))
			mp.Targets[0].Cumulative[i] = &v
		}
		mp, err = st.SaveMonthlyPlan(ctx, plan.SystemUser, w.p1.ID, mp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SubmitMonthlyPlan(ctx, plan.SystemUser, w.p1.ID, mp.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ApproveMonthlyPlan(ctx, plan.SystemUser, w.p1.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.eng.Statuses(ctx, "360112", plan.MustPeriod("2024-03")); err != nil {
			t.Fatal(err)
		}
		if got := statuses(); got != "正常 滞后 正常" {
			t.Errorf("after a new plan: %s (months judged stay judged)", got)
		}
		// …unless the supervisor asks for a recomputation.
		if _, err := w.eng.Refresh(ctx, w.sup, "360112", plan.MustPeriod("2024-03"), true); err != nil {
			t.Fatal(err)
		}
		if got := statuses(); got != "严重滞后 严重滞后 严重滞后" {
			t.Errorf("forced: %s", got)
		}
	})
}
