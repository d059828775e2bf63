package store

import (
	"context"
	"strings"
	"testing"

	"minsheng/internal/plan"
)

func TestMigrationsIdempotent(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		ctx := context.Background()
		v1 := must(s.SchemaVersion(ctx))(t)
		if v1 < 1 {
			t.Fatalf("schema version %d after Open", v1)
		}
		f := newFixture(t, s)
		s.Close()
		// Reopening runs the migrations again: nothing to do, nothing lost.
		s2 := openTest(t, dsn)
		if v2 := must(s2.SchemaVersion(ctx))(t); v2 != v1 {
			t.Fatalf("schema version %d after reopen, want %d", v2, v1)
		}
		if _, err := s2.GetPlan(ctx, f.pv.ID); err != nil {
			t.Fatalf("plan lost on reopen: %v", err)
		}
		if rep := must(s2.VerifyAudit(ctx))(t); rep.Break != nil || rep.Rows == 0 {
			t.Fatalf("audit after reopen: %+v", rep)
		}
	})
}

func TestPublishPlan(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		pv := must(s.GetPlan(ctx, f.pv.ID))(t)
		if pv.State != plan.PlanPublished || pv.Version != 1 || pv.PublishedAt == nil || pv.SourceText != "原文" {
			t.Fatalf("published plan: %+v", pv)
		}
		if pv.Document.Projects[0].Targets[0].Value.String() != "1.42" {
			t.Fatalf("document value not exact: %s", pv.Document.Projects[0].Targets[0].Value)
		}
		p1 := f.p1
		if p1.Seq != 1 || p1.Title != "支持重点群体就业创业" || p1.CategoryTitle != "一、大力推动稳就业增收" || p1.Investment.String() != "500" {
			t.Fatalf("project row: %+v", p1)
		}
		if len(p1.Units) != 2 || p1.Units[0].UnitName != "区人社局" || p1.Units[0].Role != plan.UnitLead ||
			p1.Units[1].UnitName != "团区委" || p1.Units[1].Role != plan.UnitResponsible {
			t.Fatalf("project units: %+v", p1.Units)
		}
		if len(p1.Targets) != 2 || p1.Targets[0].Value.String() != "1.42" || p1.Targets[1].Kind != plan.KindRate || p1.Targets[0].ID == "" {
			t.Fatalf("targets: %+v", p1.Targets)
		}
		if len(p1.Subprojects) != 1 || p1.Subprojects[0].Locations[0] != "全区" {
			t.Fatalf("subprojects: %+v", p1.Subprojects)
		}
		if !p1.CongressVoted() {
			t.Fatal("tag lost")
		}
		// Publishing twice is refused.
		_, err := s.PublishPlan(ctx, f.sup, f.pv.ID)
		wantCode(t, err, plan.EConflict)
		// Only the jurisdiction's supervisor imports and publishes.
		_, err = s.SaveDraftPlan(ctx, f.otherSup, planDoc(), "")
		wantCode(t, err, plan.EForbidden)
		_, err = s.SaveDraftPlan(ctx, f.repA, planDoc(), "")
		wantCode(t, err, plan.EForbidden)
		// A document without a jurisdiction code cannot be stored.
		doc := planDoc()
		doc.Jurisdiction.Code = nil
		_, err = s.SaveDraftPlan(ctx, f.sup, doc, "")
		wantCode(t, err, plan.EInvalid)
		// A document with import errors is stored but cannot be published.
		doc = planDoc()
		doc.Findings = append(doc.Findings, plan.Finding{Severity: plan.SeverityError, Code: "count_mismatch", Message: "正文称15件，实际14件"})
		bad := must(s.SaveDraftPlan(ctx, f.sup, doc, ""))(t)
		if bad.Version != 2 || bad.State != plan.PlanDraft {
			t.Fatalf("second import: version %d state %s", bad.Version, bad.State)
		}
		_, err = s.PublishPlan(ctx, f.sup, bad.ID)
		wantCode(t, err, plan.EInvalid)
		if !strings.Contains(plan.ErrorMessage(err), "正文称15件") {
			t.Fatalf("message does not say why: %s", plan.ErrorMessage(err))
		}
		// The supervisor corrects the draft (optimistic rev), then publishes.
		doc.Findings = doc.Findings[:1]
		_, err = s.UpdateDraftPlan(ctx, f.sup, bad.ID, bad.Rev+1, doc)
		wantCode(t, err, plan.EConflict)
		_, err = s.UpdateDraftPlan(ctx, f.repA, bad.ID, bad.Rev, doc)
		wantCode(t, err, plan.EForbidden)
		fixed := must(s.UpdateDraftPlan(ctx, f.sup, bad.ID, bad.Rev, doc))(t)
		if fixed.Rev != bad.Rev+1 {
			t.Fatalf("rev %d", fixed.Rev)
		}
		must(s.PublishPlan(ctx, f.sup, bad.ID))(t)
		list := must(s.ListPlans(ctx, PlanFilter{JurisdictionCode: "360112", Year: 2024}))(t)
		if len(list) != 2 || list[0].Version != 2 || list[0].State != plan.PlanPublished || list[1].State != plan.PlanSuperseded {
			t.Fatalf("plan list: %+v", list)
		}
		cur := must(s.CurrentPlan(ctx, "360112", 2024))(t)
		if cur.ID != bad.ID || len(cur.Changes) != 0 {
			t.Fatalf("current plan %s, changes %v", cur.ID, cur.Changes)
		}
	})
}

// planDocV2 revises planDoc: project 1 renamed with a new value and a new
// target (the rate target dropped), 敬老院 dropped, a new project added.
func planDocV2() *plan.Plan {
	d := planDoc()
	p1 := &d.Projects[0]
	p1.Title = "支持重点群体就业和创业"
	p1.ResponsibleUnits = []string{"团区委", "区财政局"}
	p1.Targets = []plan.Target{
		{Metric: "新增发放创业担保贷款", Comparator: plan.Exactly, Value: plan.MustDecimal("1.5"), Unit: "亿元", Kind: plan.KindQuantity},
		{Metric: "招募高校毕业生见习", Comparator: plan.AtLeast, Value: plan.MustDecimal("30"), Unit: "名", Kind: plan.KindQuantity},
	}
	road := d.Projects[2]
	road.Seq = 2
	d.Projects = []plan.Project{*p1, road, {Seq: 3, Title: "建设城市口袋公园", Text: "新建口袋公园10个。", LeadUnits: []string{"区城管局"},
		Targets: []plan.Target{{Metric: "新建口袋公园", Comparator: plan.AtLeast, Value: plan.MustDecimal("10"), Unit: "个", Kind: plan.KindQuantity}}}}
	return d
}

func TestNewVersionKeepsReportsAttached(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		may := period("2024-05")
		r := saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(0, "0.6", "96", "200")))(t)
		must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version))(t)
		must(s.AcceptReport(ctx, f.sup, f.p1.ID, may))(t)
		old := f.p1

		v2 := must(s.SaveDraftPlan(ctx, f.sup, planDocV2(), "第二版"))(t)
		if v2.Version != 2 {
			t.Fatalf("version %d", v2.Version)
		}
		// Until it is published, the old version is in force.
		if cur := must(s.CurrentPlan(ctx, "360112", 2024))(t); cur.ID != f.pv.ID {
			t.Fatal("draft took effect before publication")
		}
		pub := must(s.PublishPlan(ctx, f.sup, v2.ID))(t)
		if len(pub.Changes) == 0 {
			t.Fatal("no changes recorded")
		}
		var msgs []string
		for _, c := range pub.Changes {
			msgs = append(msgs, c.Message)
		}
		all := strings.Join(msgs, "\n")
		for _, want := range []string{"由 1.42亿元 改为 1.5亿元", "新增项目（三）「建设城市口袋公园」", "删除项目（原二）「建设区域性中心敬老院」", "删除目标「到期贷款回收率」"} {
			if !strings.Contains(all, want) {
				t.Errorf("changes lack %q:\n%s", want, all)
			}
		}
		stored := must(s.GetPlan(ctx, v2.ID))(t)
		if len(stored.Changes) != len(pub.Changes) {
			t.Fatal("changes not stored")
		}
		if old := must(s.GetPlan(ctx, f.pv.ID))(t); old.State != plan.PlanSuperseded {
			t.Fatalf("old version state %s", old.State)
		}

		p1 := must(s.GetProject(ctx, old.ID))(t) // same ID
		if p1.Title != "支持重点群体就业和创业" || p1.PlanID != v2.ID || p1.RetiredBy != "" {
			t.Fatalf("matched project not re-pointed: %+v", p1)
		}
		active := p1.ActiveTargets()
		if len(active) != 2 || active[0].ID != old.Targets[0].ID || active[0].Value.String() != "1.5" {
			t.Fatalf("matched target lost its ID or value: %+v", active)
		}
		if active[1].ID == old.Targets[1].ID || active[1].Metric != "招募高校毕业生见习" {
			t.Fatalf("new target: %+v", active[1])
		}
		var rateRetired bool
		for _, tg := range p1.Targets {
			if tg.ID == old.Targets[1].ID && tg.RetiredBy == v2.ID {
				rateRetired = true
			}
		}
		if !rateRetired {
			t.Fatalf("removed target not retired: %+v", p1.Targets)
		}
		if len(p1.Units) != 3 {
			t.Fatalf("units not updated: %+v", p1.Units)
		}
		// The accepted report is still attached, with its actual on the kept target.
		rep := must(s.GetReport(ctx, f.sup, old.ID, may))(t)
		if rep.State != plan.ReportAccepted || rep.Actual(old.Targets[0].ID).String() != "0.6" {
			t.Fatalf("report after new version: %+v", rep)
		}
		if p2 := must(s.GetProject(ctx, f.p2.ID))(t); p2.RetiredBy != v2.ID {
			t.Fatalf("removed project not retired: %+v", p2)
		}
		if p3 := must(s.GetProject(ctx, f.p3.ID))(t); p3.Seq != 2 || p3.RetiredBy != "" {
			t.Fatalf("renumbered project: %+v", p3)
		}
		inForce := must(s.ListProjects(ctx, ProjectFilter{JurisdictionCode: "360112", Year: 2024}))(t)
		if len(inForce) != 3 || inForce[2].Title != "建设城市口袋公园" {
			t.Fatalf("projects in force: %d", len(inForce))
		}
		// A report on the retired project cannot be written any more.
		_, _, err := s.SaveReport(ctx, f.repC, f.p2.ID, may, ReportInput{})
		wantCode(t, err, plan.EConflict)
		// June's report of the kept project is validated against the new target set.
		june := period("2024-06")
		_, _, err = s.SaveReport(ctx, f.repA, old.ID, june, ReportInput{Targets: []plan.ReportTarget{{TargetID: old.Targets[1].ID, Actual: dec("96")}}})
		wantCode(t, err, plan.EInvalid)
		_, _, err = s.SaveReport(ctx, f.repA, old.ID, june, ReportInput{Targets: []plan.ReportTarget{{TargetID: old.Targets[0].ID, Actual: dec("0.5")}}})
		wantCode(t, err, plan.EInvalid) // below May's accepted 0.6
		if !strings.Contains(plan.ErrorMessage(err), "「新增发放创业担保贷款」累计完成值不能小于上月已确认的 0.6") {
			t.Fatalf("message: %s", plan.ErrorMessage(err))
		}
		if rep := must(s.VerifyAudit(ctx))(t); rep.Break != nil {
			t.Fatalf("audit: %v", rep.Break)
		}
	})
}
