package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/internal/docimport"
	"minsheng/internal/plan"
)

// importFile reads a bundled document and stores it as a draft.
func importFile(t *testing.T, s *Store, actor *plan.User, rel string) *plan.PlanVersion {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := docimport.Import(filepath.Base(rel), raw)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := docimport.Text(filepath.Base(rel), raw)
	return must(s.SaveDraftPlan(t.Context(), actor, doc, text))(t)
}

// TestCarryOver: 章贡区's 2024 seed is published and its 水西棚改 reaches
// 65% of the whole works by December (its target was 70%); the crafted
// 2025 plan (testdata/plans/zhanggong-2025.txt) is imported. The proposed
// links are those testdata/plans/EXPECTED.md lists; the supervisor
// corrects one (unlinks 马祖岩) and sets a share the document left open;
// saving writes this year's shares into the draft (100 − 65 = 35% for
// 水西棚改); publishing keeps the links, and the 2025 project's history
// shows 2024's project and the progress across years.
func TestCarryOver(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		ctx := t.Context()
		clock := time.Date(2024, 3, 1, 9, 0, 0, 0, plan.Shanghai)
		s.Now = func() time.Time { return clock }
		if _, err := s.EnsureJurisdiction(ctx, plan.SystemUser, plan.JurisdictionRecord{Code: "360702", Name: "赣州市章贡区", Level: plan.LevelCounty}); err != nil {
			t.Fatal(err)
		}
		sup := &plan.User{Username: "章贡督查室", Role: plan.RoleSupervisor, JurisdictionCode: "360702"}
		if err := s.CreateUser(ctx, plan.SystemUser, sup, "密码-12345678"); err != nil {
			t.Fatal(err)
		}
		pv24 := importFile(t, s, sup, "seeds/zhanggong-2024.txt")
		// The 2024 draft has no previous year: only shares to set.
		co := must(s.GetCarryOver(ctx, sup, pv24.ID))(t)
		if len(co.Prev) != 0 || len(co.Links) != 0 || len(co.Items) != 12 {
			t.Fatalf("2024 carry-over: %d prev, %d links, %d items", len(co.Prev), len(co.Links), len(co.Items))
		}
		must(s.PublishPlan(ctx, sup, pv24.ID))(t)
		ps24 := must(s.ListProjects(ctx, ProjectFilter{JurisdictionCode: "360702", Year: 2024}))(t)
		p14 := &ps24[13]
		var shuixi *plan.TargetRecord
		for i, tg := range p14.Targets {
			if tg.Subproject != nil && *tg.Subproject == "章贡区水西棚改返迁安置房建设项目一期" {
				shuixi = &p14.Targets[i]
			}
		}
		if shuixi == nil || shuixi.Value.String() != "70" {
			t.Fatalf("2024 水西棚改 target: %+v", shuixi)
		}
		// December's report: 65% of the whole done.
		clock = time.Date(2025, 1, 3, 9, 0, 0, 0, plan.Shanghai)
		in := ReportInput{Progress: "主体施工"}
		for _, tg := range p14.ActiveTargets() {
			v := tg.Value
			if tg.ID == shuixi.ID {
				v = plan.MustDecimal("65")
			}
			in.Targets = append(in.Targets, plan.ReportTarget{TargetID: tg.ID, Actual: &v})
		}
		r := saved(s.SaveReport(ctx, plan.SystemUser, p14.ID, period("2024-12"), in))(t)
		must(s.SubmitReport(ctx, plan.SystemUser, p14.ID, period("2024-12"), r.Version))(t)

		clock = time.Date(2025, 2, 12, 9, 0, 0, 0, plan.Shanghai)
		pv25 := importFile(t, s, sup, "plans/zhanggong-2025.txt")
		if pv25.Version != 1 || pv25.Year != 2025 {
			t.Fatalf("2025 plan: version %d year %d", pv25.Version, pv25.Year)
		}
		co = must(s.GetCarryOver(ctx, sup, pv25.ID))(t)
		if co.Saved || co.PrevYear != 2024 || len(co.Prev) != 15 {
			t.Fatalf("2025 carry-over: saved %v, prev year %d, %d prev", co.Saved, co.PrevYear, len(co.Prev))
		}
		if r := co.Reached[subID(t, p14, "章贡区水西棚改返迁安置房建设项目一期")]; r.String() != "65" {
			t.Errorf("水西棚改 reached %s, want 65", r)
		}
		prevTitle := func(l plan.CarryLink) string {
			pp := co.PrevProject(l.PrevProjectID)
			if l.Subproject == "" {
				return pp.Title
			}
			for _, sp := range pp.Subprojects {
				if sp.ID == l.PrevSubprojectID {
					return sp.Name
				}
			}
			return "?"
		}
		var got []string
		for _, l := range co.Links {
			name := pv25.Document.Projects[l.ProjectIndex].Title
			if l.Subproject != "" {
				name = l.Subproject
			}
			got = append(got, name+"←"+prevTitle(l))
		}
		want := []string{
			"创业带动就业工程←创业带动就业工程",
			"国家儿童友好城市建设←国家儿童友好城市建设",
			"章贡区妇女儿童活动中心建设项目←章贡区妇女儿童活动中心建设项目",
			"赣州市章贡区马祖岩片区公共空间适儿化改造项目←赣州市章贡区马祖岩片区公共空间适儿化改造项目",
			"安居品质提升工程←安居品质提升工程",
			"2024年老旧小区改造工程（续建）←2024年老旧小区改造工程",
			"章贡区水西棚改返迁安置房建设项目一期←章贡区水西棚改返迁安置房建设项目一期",
			"罗边组团返迁安置房建设项目←罗边组团返迁安置房建设项目",
			"青峰药谷返迁安置房建设项目←青峰药谷返迁安置房建设项目",
			"城乡污水处理工程←城乡污水处理工程",
			"水西污水处理厂（一厂）扩容项目←水西污水处理厂（一厂）扩容项目",
			"章贡区农村生活污水治理项目←章贡区农村生活污水治理项目",
			"医疗救助←医疗救助",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("proposed links:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		// The supervisor's corrections: 马祖岩 is taken as new works (a
		// correction), 水西污水处理厂 gets a year-end share of 100.
		var links []plan.CarryLink
		for _, l := range co.Links {
			switch l.Subproject {
			case "赣州市章贡区马祖岩片区公共空间适儿化改造项目":
				l.PrevProjectID, l.PrevSubprojectID = "", ""
			case "水西污水处理厂（一厂）扩容项目", "章贡区水西棚改返迁安置房建设项目一期":
				l.YearEnd = dec("100")
			}
			links = append(links, l)
		}
		// Bad input first: a link to a project of the same year, a share
		// below what was reached; nothing is changed.
		bad := append([]plan.CarryLink(nil), links...)
		bad[0].PrevProjectID = "prj_nope"
		bad = append(bad, plan.CarryLink{ProjectIndex: 2, Subproject: "不存在的子项目"})
		for i := range bad {
			if bad[i].Subproject == "青峰药谷返迁安置房建设项目" {
				bad[i].YearEnd = dec("10")
			}
		}
		_, err := s.SaveCarryOver(ctx, sup, pv25.ID, pv25.Rev, bad)
		wantCode(t, err, plan.EInvalid)
		fields := map[string]bool{}
		for _, p := range err.(*plan.Error).Details {
			fields[p.Field] = true
		}
		if !fields["links[0].prev_project_id"] || !fields["links[13].subproject"] {
			t.Errorf("problems %v", err.(*plan.Error).Details)
		}
		_, err = s.SaveCarryOver(ctx, &plan.User{Username: "x", Role: plan.RoleLeader, JurisdictionCode: "360702"}, pv25.ID, pv25.Rev, links)
		wantCode(t, err, plan.EForbidden)
		if again := must(s.GetCarryOver(ctx, sup, pv25.ID))(t); again.Saved {
			t.Fatal("refused saves stored links")
		}

		co = must(s.SaveCarryOver(ctx, sup, pv25.ID, pv25.Rev, links))(t)
		if !co.Saved || len(co.Links) != 12 {
			t.Fatalf("saved %v, %d links", co.Saved, len(co.Links))
		}
		_, err = s.SaveCarryOver(ctx, sup, pv25.ID, pv25.Rev, links) // stale rev
		wantCode(t, err, plan.EConflict)
		draft := must(s.GetPlan(ctx, pv25.ID))(t)
		share := func(sub string) string {
			for _, p := range draft.Document.Projects {
				for _, tg := range p.Targets {
					if tg.Kind == plan.KindProgress && tg.Subproject != nil && *tg.Subproject == sub {
						return tg.Metric + " " + tg.Value.String()
					}
				}
			}
			return "none"
		}
		for sub, want := range map[string]string{
			"章贡区水西棚改返迁安置房建设项目一期":     "本年度完成工程量 35",
			"水西污水处理厂（一厂）扩容项目":        "总工程量 100", // nothing reported last year: reached 0
			"青峰药谷返迁安置房建设项目":          "总工程量 70",  // no year-end set: the document's figure stays
			"赣州市章贡区马祖岩片区公共空间适儿化改造项目": "none",
		} {
			if got := share(sub); got != want {
				t.Errorf("%s: %s, want %s", sub, got, want)
			}
		}

		must(s.PublishPlan(ctx, sup, pv25.ID))(t)
		ps25 := must(s.ListProjects(ctx, ProjectFilter{JurisdictionCode: "360702", Year: 2025}))(t)
		h := must(s.ProjectHistory(ctx, ps25[2].ID))(t)
		if len(h.Prev) != 1 || h.Prev[0].ID != p14.ID {
			t.Fatalf("history of 安居品质提升工程: %+v", h.Prev)
		}
		var shuixiH *SubprojectHistory
		for i := range h.Subprojects {
			if h.Subprojects[i].Name == "章贡区水西棚改返迁安置房建设项目一期" {
				shuixiH = &h.Subprojects[i]
			}
		}
		if shuixiH == nil || shuixiH.ReachedBefore.String() != "65" || shuixiH.YearTarget.String() != "35" || shuixiH.Cumulative.String() != "65" {
			t.Fatalf("水西棚改 history: %+v", shuixiH)
		}
		// A 2025 report of 20% this year makes 85% of the whole.
		var t25 *plan.TargetRecord
		for i, tg := range ps25[2].Targets {
			if tg.Subproject != nil && *tg.Subproject == "章贡区水西棚改返迁安置房建设项目一期" {
				t25 = &ps25[2].Targets[i]
			}
		}
		clock = time.Date(2025, 4, 3, 9, 0, 0, 0, plan.Shanghai)
		in = ReportInput{Progress: "续建"}
		for _, tg := range ps25[2].ActiveTargets() {
			v := plan.MustDecimal("1")
			if tg.ID == t25.ID {
				v = plan.MustDecimal("20")
			}
			in.Targets = append(in.Targets, plan.ReportTarget{TargetID: tg.ID, Actual: &v})
		}
		r = saved(s.SaveReport(ctx, plan.SystemUser, ps25[2].ID, period("2025-03"), in))(t)
		must(s.SubmitReport(ctx, plan.SystemUser, ps25[2].ID, period("2025-03"), r.Version))(t)
		h = must(s.ProjectHistory(ctx, ps25[2].ID))(t)
		for _, sh := range h.Subprojects {
			if sh.Name == "章贡区水西棚改返迁安置房建设项目一期" && sh.Cumulative.String() != "85" {
				t.Errorf("cumulative %s, want 85", sh.Cumulative)
			}
			if sh.Name == "赣州市章贡区马祖岩片区公共空间适儿化改造项目" {
				t.Errorf("马祖岩 was unlinked but has history")
			}
		}
		if h := must(s.ProjectHistory(ctx, ps25[1].ID))(t); len(h.Prev) != 1 || len(h.Subprojects) != 1 {
			t.Errorf("儿童友好 history: %d prev, %d subprojects", len(h.Prev), len(h.Subprojects))
		}
		if rep := must(s.VerifyAudit(ctx))(t); rep.Break != nil {
			t.Fatalf("audit: %+v", rep.Break)
		}
	})
}

func subID(t *testing.T, p *plan.ProjectRecord, name string) string {
	t.Helper()
	for _, s := range p.Subprojects {
		if s.Name == name {
			return s.ID
		}
	}
	t.Fatalf("no sub-project %s in %s", name, p.Title)
	return ""
}
