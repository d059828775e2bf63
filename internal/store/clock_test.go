package store

import (
	"slices"
	"testing"
	"time"

	"minsheng/internal/plan"
)

// TestClockSetBack: the server's clock jumps back an hour before each
// step of a report's life (an NTP correction, a wrong manual setting).
// Order comes from sequence numbers, not from times: the revisions keep
// the order the steps happened in, the report ends in its last state,
// the review queue has it, and the audit chain verifies with its rows in
// the order written.
func TestClockSetBack(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		clock := june3
		s.Now = func() time.Time { return clock }
		back := func() { clock = clock.Add(-time.Hour) }
		startSeq, _ := must2(s.AuditHead(ctx))(t)
		may := plan.Period{Year: 2024, Month: time.May}
		in := ReportInput{Progress: "五月进展"}
		for _, tg := range f.p1.Targets {
			in.Targets = append(in.Targets, plan.ReportTarget{TargetID: tg.ID, Actual: dec("1")})
		}

		rep, _ := must2(s.SaveReport(ctx, f.repA, f.p1.ID, may, in))(t)
		back()
		rep = must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, rep.Version))(t)
		back()
		rep = must(s.ReturnReport(ctx, f.sup, f.p1.ID, may, "数字需核实"))(t)
		back()
		in.Version, in.Progress = rep.Version, "五月进展（已核实）"
		rep, _ = must2(s.SaveReport(ctx, f.repA, f.p1.ID, may, in))(t)
		back()
		rep = must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, rep.Version))(t)

		got := must(s.GetReport(ctx, f.sup, f.p1.ID, may))(t)
		if got.State != plan.ReportSubmitted || got.Progress != "五月进展（已核实）" || got.Version != rep.Version {
			t.Errorf("after the clock went back the report is %s v%d %q", got.State, got.Version, got.Progress)
		}
		var actions []plan.ReportAction
		lastVersion := 0
		for _, rv := range must(s.ReportRevisions(ctx, f.sup, f.p1.ID, may))(t) {
			actions = append(actions, rv.Action)
			if rv.Version < lastVersion {
				t.Errorf("revision %d has version %d after %d", rv.Seq, rv.Version, lastVersion)
			}
			lastVersion = rv.Version
		}
		want := []plan.ReportAction{plan.ReportSave, plan.ReportSubmit, plan.ReportReturn, plan.ReportSave, plan.ReportSubmit}
		if !slices.Equal(actions, want) {
			t.Errorf("revisions %v, want %v", actions, want)
		}
		queue := must(s.ListReports(ctx, f.sup, ReportFilter{State: plan.ReportSubmitted}))(t)
		if len(queue) != 1 || queue[0].ProjectID != f.p1.ID {
			t.Errorf("review queue after the clock went back: %d reports", len(queue))
		}
		var auditActions []string
		for _, row := range must(s.AuditRows(ctx, startSeq+1, 0))(t) {
			auditActions = append(auditActions, row.Action)
		}
		if len(auditActions) != 5 {
			t.Errorf("audit rows of the five steps: %v", auditActions)
		}
		if rep := must(s.VerifyAudit(ctx))(t); rep.Break != nil {
			t.Fatalf("audit chain with times going back: %v", rep.Break)
		}
	})
}
