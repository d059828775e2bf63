package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minsheng/internal/audit"
	"minsheng/internal/docimport"
	"minsheng/internal/indicator"
	"minsheng/internal/plan"
)

// levels is 上饶市's real plan with the test plan of its 广丰区 (a repeat
// of three city projects, testdata/hierarchy) and 新建区's real plan, all
// published, with the users the tests act as.
type levels struct {
	s                       *Store
	ctx                     context.Context
	city, gf, xj            []plan.ProjectRecord // by seq
	citySup, gfSup, xjSup   *plan.User
	xzRep, gfRep, otherRep  *plan.User
	schools, households     *plan.TargetRecord // 上饶 project 9 (100 所), project 4 (2166 户)
	admin                   *plan.User
	cityLeader, countyLeadr *plan.User
}

func publishFile(t *testing.T, s *Store, rel string) []plan.ProjectRecord {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := docimport.Import(filepath.Base(rel), raw)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pv, err := s.SaveDraftPlan(ctx, plan.SystemUser, doc, string(raw))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishPlan(ctx, plan.SystemUser, pv.ID); err != nil {
		t.Fatalf("publish %s: %v", rel, err)
	}
	ps, err := s.ListProjects(ctx, ProjectFilter{PlanID: pv.ID})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func newLevels(t *testing.T, s *Store) *levels {
	t.Helper()
	l := &levels{s: s, ctx: context.Background()}
	l.city = publishFile(t, s, "seeds/shangrao-2024.txt")
	l.gf = publishFile(t, s, "hierarchy/guangfeng-2024.txt")
	l.xj = publishFile(t, s, "seeds/xinjian-2024.txt")
	f := &fixture{s: s, ctx: l.ctx}
	l.citySup = f.user(t, "上饶市民生办", plan.RoleSupervisor, "", "361100")
	l.gfSup = f.user(t, "广丰区民生办", plan.RoleSupervisor, "", "361103")
	l.xjSup = f.user(t, "新建区督查室", plan.RoleSupervisor, "", "360112")
	l.admin = f.user(t, "管理员", plan.RoleAdmin, "", "")
	l.cityLeader = f.user(t, "市领导", plan.RoleLeader, "", "361100")
	l.countyLeadr = f.user(t, "广丰区领导", plan.RoleLeader, "", "361103")
	xzEdu, err := s.EnsureUnit(l.ctx, plan.SystemUser, "361102", "信州区教育局")
	if err != nil {
		t.Fatal(err)
	}
	l.xzRep = f.user(t, "信州教育局填报", plan.RoleReporter, xzEdu.ID, "")
	gfEdu, err := s.FindUnit(l.ctx, "361103", "区教体局")
	if err != nil {
		t.Fatal(err)
	}
	l.gfRep = f.user(t, "广丰教体局填报", plan.RoleReporter, gfEdu.ID, "")
	other, err := s.EnsureUnit(l.ctx, plan.SystemUser, "361102", "信州区民政局")
	if err != nil {
		t.Fatal(err)
	}
	l.otherRep = f.user(t, "信州民政局填报", plan.RoleReporter, other.ID, "")
	l.schools = &l.city[8].Targets[0]
	l.households = &l.city[3].Targets[0]
	if l.schools.Metric != "试点学校" || l.households.Metric != "困难重度残疾人家庭" {
		t.Fatalf("上饶 targets: %q, %q", l.schools.Metric, l.households.Metric)
	}
	return l
}

// schoolSplit gives the 100 pilot schools to the twelve counties of 上饶市.
func schoolSplit() []plan.ShareInput {
	n := map[string]string{"361102": "10", "361103": "12", "361104": "10", "361123": "8", "361124": "8", "361125": "5",
		"361126": "6", "361127": "10", "361128": "13", "361129": "6", "361130": "7", "361181": "5"}
	var out []plan.ShareInput
	for _, code := range []string{"361102", "361103", "361104", "361123", "361124", "361125", "361126", "361127", "361128", "361129", "361130", "361181"} {
		unit := "县教育局"
		if code == "361102" {
			unit = "信州区教育局"
		}
		if code == "361103" {
			unit = "区教体局"
		}
		out = append(out, plan.ShareInput{JurisdictionCode: code, Value: plan.MustDecimal(n[code]), Unit: unit})
	}
	return out
}

// TestSplitTarget: 上饶市's 100 pilot schools split among its counties;
// bad splits are refused naming the county and the field, and change
// nothing; a county reports its share and the city sees the roll-up.
func TestSplitTarget(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, _ string) {
		l := newLevels(t, s)
		ctx := l.ctx
		head := func() int64 { n, _, err := s.AuditHead(ctx); must(n, err)(t); return n }

		bad := []struct {
			name   string
			edit   func([]plan.ShareInput) []plan.ShareInput
			field  string
			substr string
		}{
			{"sum short", func(x []plan.ShareInput) []plan.ShareInput { x[0].Value = plan.MustDecimal("5"); return x },
				"shares", "各地分解数合计 95所，少于目标 100所（差 5所）"},
			{"sum over an exact target", func(x []plan.ShareInput) []plan.ShareInput { x[0].Value = plan.MustDecimal("11"); return x },
				"shares", "超过目标 100所"},
			{"zero", func(x []plan.ShareInput) []plan.ShareInput { x[1].Value = plan.MustDecimal("0"); return x },
				"shares[1].value", "广丰区的分解数应大于 0"},
			{"not below 上饶", func(x []plan.ShareInput) []plan.ShareInput { x[2].JurisdictionCode = "360112"; return x },
				"shares[2].jurisdiction_code", "360112 不是本级直接下辖的行政区划"},
			{"twice", func(x []plan.ShareInput) []plan.ShareInput { x[3].JurisdictionCode = "361102"; return x },
				"shares[3].jurisdiction_code", "信州区 重复出现"},
			{"no unit", func(x []plan.ShareInput) []plan.ShareInput { x[4].Unit = " "; return x },
				"shares[4].unit", "请填写铅山县负责报送的单位"},
		}
		before := head()
		for _, b := range bad {
			_, err := s.SplitTarget(ctx, l.citySup, l.schools.ID, b.edit(schoolSplit()))
			var pe *plan.Error
			if plan.ErrorCode(err) != plan.EInvalid || !asPlanError(err, &pe) || pe.Field != b.field || !strings.Contains(pe.Message, b.substr) {
				t.Errorf("%s: %v, want invalid %s containing %q", b.name, err, b.field, b.substr)
			}
		}
		_, err := s.SplitTarget(ctx, l.citySup, l.city[1].Targets[0].ID, schoolSplit())
		wantCode(t, err, plan.EInvalid) // a 低保 standard is the same everywhere
		_, err = s.SplitTarget(ctx, l.gfSup, l.schools.ID, schoolSplit())
		wantCode(t, err, plan.EForbidden)
		_, err = s.SplitTarget(ctx, l.cityLeader, l.schools.ID, schoolSplit())
		wantCode(t, err, plan.EForbidden)
		if after := head(); after != before {
			t.Fatalf("refused splits changed the audit log: %d → %d", before, after)
		}

		shares := must(s.SplitTarget(ctx, l.citySup, l.schools.ID, schoolSplit()))(t)
		if len(shares) != 12 || shares[0].JurisdictionName != "信州区" || shares[0].UnitName != "信州区教育局" || shares[1].Value.String() != "12" {
			t.Fatalf("shares = %+v", shares)
		}
		xz := shares[0]

		// The county's unit reports its share; others may not.
		wantCode(t, s.SaveShareReport(ctx, l.otherRep, xz.ID, period("2024-05"), plan.MustDecimal("4"), ""), plan.EForbidden)
		wantCode(t, s.SaveShareReport(ctx, l.citySup, xz.ID, period("2024-05"), plan.MustDecimal("4"), ""), plan.EForbidden)
		if err := s.SaveShareReport(ctx, l.xzRep, xz.ID, period("2024-04"), plan.MustDecimal("2"), "首批 2 所"); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveShareReport(ctx, l.xzRep, xz.ID, period("2024-05"), plan.MustDecimal("5"), "已完成 5 所"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.SaveShareReport(ctx, l.xzRep, xz.ID, period("2024-05"), plan.MustDecimal("1"), ""), plan.EInvalid) // below April's 2
		wantCode(t, s.SaveShareReport(ctx, l.xzRep, xz.ID, period("2024-07"), plan.MustDecimal("6"), ""), plan.EInvalid) // not yet July
		wantCode(t, s.SaveShareReport(ctx, l.xzRep, xz.ID, period("2023-12"), plan.MustDecimal("6"), ""), plan.EInvalid)
		wantCode(t, s.SaveShareReport(ctx, l.xzRep, xz.ID, period("2024-05"), plan.MustDecimal("-1"), ""), plan.EInvalid)

		tasks := must(s.ShareTasks(ctx, "", l.xzRep.UnitID, 2024))(t)
		if len(tasks) != 1 || tasks[0].UpperJurisdictionName != "上饶市" || tasks[0].Target.Metric != "试点学校" || len(tasks[0].Reports) != 2 {
			t.Fatalf("信州区's tasks = %+v", tasks)
		}

		r := must(s.SplitRollup(ctx, l.schools.ID, period("2024-05")))(t)
		if r.Assigned.String() != "100" || r.Actual.String() != "5" || len(r.Lines) != 12 {
			t.Fatalf("roll-up: assigned %s actual %s lines %d", r.Assigned, r.Actual, len(r.Lines))
		}
		// 信州区: 5 of 10 by May, 序时 10×5/12 = 4.1667 → 正常; the others have not reported.
		if l0 := r.Lines[0]; l0.Actual.String() != "5" || l0.Status != plan.StatusOnTrack || l0.Expected.String() != "4.1667" || l0.ReportedPeriod != "2024-05" {
			t.Errorf("信州区 line = %+v", l0)
		}
		// On 3 June May's figure is not due yet (the 5th): 临期, not 未报送.
		if r.Lines[1].Actual != nil || r.Lines[1].Status != plan.StatusDue {
			t.Errorf("广丰区 line = %+v", r.Lines[1])
		}
		// April: 2 of 序时 3.3333 → 60% → 滞后; 广丰区 reported nothing by its due day → 未报送.
		april := must(s.SplitRollup(ctx, l.schools.ID, period("2024-04")))(t)
		if a := april.Lines[0]; a.Status != plan.StatusBehind || a.Actual.String() != "2" {
			t.Errorf("信州区 in April = %+v", a)
		}
		if g := april.Lines[1]; g.Status != plan.StatusNotReported {
			t.Errorf("广丰区 in April = %+v", g)
		}

		// Re-splitting may not drop a county that reported.
		moved := schoolSplit()[1:]
		moved[0].Value = plan.MustDecimal("22") // 广丰区 takes 信州区's 10
		_, err = s.SplitTarget(ctx, l.citySup, l.schools.ID, moved)
		wantCode(t, err, plan.EConflict)
		list := must(s.SplitRollups(ctx, "361100", period("2024-05")))(t)
		if len(list) != 1 || list[0].Target.ID != l.schools.ID {
			t.Errorf("SplitRollups = %d", len(list))
		}
		if rows := must(s.AuditRows(ctx, 0, 0))(t); !hasAction(rows, "target.split") || !hasAction(rows, "share.report") {
			t.Error("split or share report not in the audit log")
		}
	})
}

func asPlanError(err error, pe **plan.Error) bool {
	e, ok := err.(*plan.Error)
	*pe = e
	return ok
}

func hasAction(rows []audit.Row, action string) bool {
	for _, r := range rows {
		if r.Action == action {
			return true
		}
	}
	return false
}

// TestLinksAndRollup: 广丰区's repeats of city projects are suggested,
// confirmed by the city, and then counted once in the city's roll-up; the
// city's share in 广丰区 takes its figure from 广丰区's own report.
func TestLinksAndRollup(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, _ string) {
		l := newLevels(t, s)
		ctx := l.ctx
		sug := must(s.LinkSuggestions(ctx, "361100", 2024))(t)
		got := map[string]string{}
		for _, x := range sug {
			got[x.LowerTitle] = x.UpperTitle
		}
		want := map[string]string{
			"开展“可躺式”课桌椅进校园试点":     "开展“可躺式”课桌椅进校园试点",
			"改善残疾人生活和照顾服务":        "改善残疾人生活和照顾服务",
			"提高低保对象等困难群众基本生活保障标准": "提高低保对象等困难群众基本生活保障标准",
		}
		if len(got) != len(want) {
			t.Errorf("suggestions = %v", got)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("suggestion for %s = %q, want %q", k, got[k], v)
			}
		}

		per := period("2024-05")
		before := must(s.Rollup(ctx, "361100", per))(t)
		if before.Projects != 10+4 {
			t.Fatalf("city roll-up before links: %d projects", before.Projects)
		}
		if _, err := s.SplitTarget(ctx, l.citySup, l.schools.ID, schoolSplit()); err != nil {
			t.Fatal(err)
		}

		_, err := s.LinkProjects(ctx, l.gfSup, l.city[8].ID, l.gf[0].ID)
		wantCode(t, err, plan.EForbidden)
		_, err = s.LinkProjects(ctx, l.citySup, l.city[8].ID, l.xj[0].ID) // 新建区 is not under 上饶市
		wantCode(t, err, plan.EInvalid)
		link := must(s.LinkProjects(ctx, l.citySup, l.city[8].ID, l.gf[0].ID))(t)
		_, err = s.LinkProjects(ctx, l.citySup, l.city[3].ID, l.gf[0].ID)
		wantCode(t, err, plan.EConflict)

		after := must(s.Rollup(ctx, "361100", per))(t)
		if after.Projects != 13 {
			t.Errorf("city roll-up after linking one repeat: %d projects, want 13", after.Projects)
		}
		if county := must(s.Rollup(ctx, "361103", per))(t); county.Projects != 4 {
			t.Errorf("county roll-up: %d projects, want its own 4", county.Projects)
		}
		if prov := must(s.Rollup(ctx, "360000", per))(t); prov.Projects != 10+4+15-1 {
			t.Errorf("province roll-up: %d projects, want 28", prov.Projects)
		}

		// 广丰区's share now comes from its own project's report.
		shares := must(s.ShareTasks(ctx, "361103", "", 2024))(t)
		if len(shares) != 1 || shares[0].CountyTargetID != l.gf[0].Targets[0].ID {
			t.Fatalf("广丰区 share = %+v, want linked to its target %s", shares, l.gf[0].Targets[0].ID)
		}
		wantCode(t, s.SaveShareReport(ctx, l.gfRep, shares[0].ID, per, plan.MustDecimal("3"), ""), plan.EConflict)
		in := ReportInput{Targets: []plan.ReportTarget{{TargetID: l.gf[0].Targets[0].ID, Actual: dec("7")}},
			Investment: dec("20"), Disbursed: dec("10"), Progress: "已配备 7 所"}
		rep := saved(s.SaveReport(ctx, l.gfRep, l.gf[0].ID, per, in))(t)
		r := must(s.SplitRollup(ctx, l.schools.ID, per))(t)
		if r.Lines[1].Actual != nil {
			t.Errorf("a draft county report counts: %+v", r.Lines[1])
		}
		must(s.SubmitReport(ctx, l.gfRep, l.gf[0].ID, per, rep.Version))(t)
		r = must(s.SplitRollup(ctx, l.schools.ID, per))(t)
		if g := r.Lines[1]; g.JurisdictionCode != "361103" || g.Actual == nil || g.Actual.String() != "7" || g.Source != "county_plan" || g.Status != plan.StatusOnTrack {
			t.Errorf("广丰区 line = %+v", g)
		}

		if err := s.UnlinkProjects(ctx, l.citySup, link.ID); err != nil {
			t.Fatal(err)
		}
		if n := must(s.Rollup(ctx, "361100", per))(t).Projects; n != 14 {
			t.Errorf("after unlinking: %d projects", n)
		}
		if sh := must(s.ShareTasks(ctx, "361103", "", 2024))(t); sh[0].CountyTargetID != "" {
			t.Errorf("unlinked share still reads the county target")
		}
		if links := must(s.Links(ctx, "361100", 2024))(t); len(links) != 0 {
			t.Errorf("links after unlinking: %v", links)
		}
	})
}

// TestIndicatorTargets: the real seeds through the database give 新建区
// 965 元 against 上饶市 935 元 城市低保; a mapping by hand is the target's
// supervisor's or an admin's, audited, and wins.
func TestIndicatorTargets(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, _ string) {
		l := newLevels(t, s)
		ctx := l.ctx
		ts := must(s.IndicatorTargets(ctx, []string{"360112", "361100"}, []int{2024}))(t)
		cols := []indicator.Column{{JurisdictionCode: "360112", Year: 2024, PlanID: l.xj[0].PlanID}, {JurisdictionCode: "361100", Year: 2024, PlanID: l.city[0].PlanID}}
		set := indicator.Default()
		c := set.Compare(ts, []string{"dibao_urban", "dibao_urban_gap"}, cols)
		if c[0].Cells[0].Value.String() != "965" || c[0].Cells[1].Value.String() != "935" {
			t.Errorf("城市低保: 新建区 %v, 上饶市 %v; want 965, 935", c[0].Cells[0].Value, c[0].Cells[1].Value)
		}
		if c[1].Cells[0].Value.String() != "650" || c[1].Cells[1].Value.String() != "605" {
			t.Errorf("城市低保补差: 新建区 %v, 上饶市 %v; want 650, 605", c[1].Cells[0].Value, c[1].Cells[1].Value)
		}

		// 广丰区's 城市低保: mapped to none, then by the admin to the indicator.
		gfLow := l.gf[2].Targets[0]
		wantCode(t, s.SetIndicatorOverride(ctx, l.citySup, gfLow.ID, ""), plan.EForbidden)
		wantCode(t, s.SetIndicatorOverride(ctx, l.countyLeadr, gfLow.ID, ""), plan.EForbidden)
		wantCode(t, s.SetIndicatorOverride(ctx, l.gfSup, "tgt_none", ""), plan.ENotFound)
		if err := s.SetIndicatorOverride(ctx, l.gfSup, gfLow.ID, ""); err != nil {
			t.Fatal(err)
		}
		gfCol := []indicator.Column{{JurisdictionCode: "361103", Year: 2024, PlanID: l.gf[0].PlanID}}
		gts := must(s.IndicatorTargets(ctx, []string{"361103"}, nil))(t)
		if v := set.Compare(gts, []string{"dibao_urban"}, gfCol)[0].Cells[0].Value; v != nil {
			t.Errorf("mapped to none, still %v", v)
		}
		if err := s.SetIndicatorOverride(ctx, l.admin, gfLow.ID, "dibao_urban"); err != nil {
			t.Fatal(err)
		}
		gts = must(s.IndicatorTargets(ctx, []string{"361103"}, nil))(t)
		if cell := set.Compare(gts, []string{"dibao_urban"}, gfCol)[0].Cells[0]; cell.Value == nil || cell.Value.String() != "935" || !cell.Manual {
			t.Errorf("after the admin's mapping: %+v", cell)
		}
		if err := s.ClearIndicatorOverride(ctx, l.gfSup, gfLow.ID); err != nil {
			t.Fatal(err)
		}
		n, _, _ := s.AuditHead(ctx)
		if err := s.ClearIndicatorOverride(ctx, l.gfSup, gfLow.ID); err != nil {
			t.Errorf("clearing again: %v", err)
		}
		if m, _, _ := s.AuditHead(ctx); m != n {
			t.Error("clearing a mapping that is not there was logged")
		}
		rows := must(s.AuditRows(ctx, 0, 0))(t)
		if !hasAction(rows, "indicator.map") || !hasAction(rows, "indicator.unmap") {
			t.Error("mappings not in the audit log")
		}
	})
}
