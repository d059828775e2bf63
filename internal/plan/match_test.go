package plan

import (
	"strings"
	"testing"
)

func sp(s string) *string { return &s }

func planV1() *Plan {
	return &Plan{
		Title: "新建区2024年民生实事安排方案", Year: 2024,
		Projects: []Project{
			{Seq: 1, Title: "支持重点群体就业创业", LeadUnits: []string{"区人社局"}, ResponsibleUnits: []string{"团区委"},
				Targets: []Target{
					{Metric: "新增发放创业担保贷款", Comparator: AtLeast, Value: MustDecimal("1.42"), Unit: "亿元", Kind: KindQuantity},
					{Metric: "到期贷款回收率", Comparator: AtLeast, Value: MustDecimal("95"), Unit: "%", Kind: KindRate},
				}},
			{Seq: 2, Title: "建设区域性中心敬老院", LeadUnits: []string{"区民政局"},
				Targets: []Target{{Metric: "区域性中心敬老院", Comparator: Exactly, Value: MustDecimal("2"), Unit: "个", Kind: KindQuantity}}},
			{Seq: 3, Title: "改造提升农村公路", LeadUnits: []string{"区交通局"},
				Targets: []Target{{Metric: "农村公路提升改造", Comparator: Exactly, Value: MustDecimal("50"), Unit: "公里", Kind: KindQuantity}}},
		},
	}
}

// planV2 renumbers and rewords projects, changes a value, drops one target
// and one project and adds new ones.
func planV2() *Plan {
	return &Plan{
		Title: "新建区2024年民生实事安排方案（修订）", Year: 2024,
		Projects: []Project{
			{Seq: 1, Title: "建设城市公园", LeadUnits: []string{"区城管局"},
				Targets: []Target{{Metric: "新建口袋公园", Comparator: AtLeast, Value: MustDecimal("10"), Unit: "个", Kind: KindQuantity}}},
			{Seq: 2, Title: "支持重点群体就业和创业", LeadUnits: []string{"区人社局"}, ResponsibleUnits: []string{"团区委", "区财政局"},
				Targets: []Target{
					{Metric: "新增发放创业担保贷款", Comparator: AtLeast, Value: MustDecimal("1.5"), Unit: "亿元", Kind: KindQuantity},
					{Metric: "招募高校毕业生见习", Comparator: AtLeast, Value: MustDecimal("30"), Unit: "名", Kind: KindQuantity},
				}},
			{Seq: 3, Title: "建设区域性中心敬老院", LeadUnits: []string{"区民政局"},
				Targets: []Target{{Metric: "区域性中心敬老院", Comparator: Exactly, Value: MustDecimal("2"), Unit: "个", Kind: KindQuantity}}},
		},
	}
}

func TestMatchTargets(t *testing.T) {
	m := MatchTargets(planV1(), planV2())
	wantProjects := map[int]int{0: 1, 1: 2} // old → new
	if len(m.Projects) != len(wantProjects) {
		t.Fatalf("projects matched: %+v", m.Projects)
	}
	for _, p := range m.Projects {
		if wantProjects[p.Old] != p.New {
			t.Errorf("old project %d matched with new %d", p.Old, p.New)
		}
	}
	if len(m.AddedProjects) != 1 || m.AddedProjects[0] != 0 {
		t.Errorf("added projects %v, want [0]", m.AddedProjects)
	}
	if len(m.RemovedProjects) != 1 || m.RemovedProjects[0] != 2 {
		t.Errorf("removed projects %v, want [2]", m.RemovedProjects)
	}
	if nt, ok := m.NewTarget(TargetRef{0, 0}); !ok || nt != (TargetRef{1, 0}) {
		t.Errorf("创业担保贷款 matched with %v %v", nt, ok)
	}
	if _, ok := m.NewTarget(TargetRef{0, 1}); ok {
		t.Error("回收率 should be removed")
	}
	wantAdded := []TargetRef{{0, 0}, {1, 1}}
	if len(m.AddedTargets) != 2 || m.AddedTargets[0] != wantAdded[0] || m.AddedTargets[1] != wantAdded[1] {
		t.Errorf("added targets %v, want %v", m.AddedTargets, wantAdded)
	}
	wantRemoved := []TargetRef{{0, 1}, {2, 0}}
	if len(m.RemovedTargets) != 2 || m.RemovedTargets[0] != wantRemoved[0] || m.RemovedTargets[1] != wantRemoved[1] {
		t.Errorf("removed targets %v, want %v", m.RemovedTargets, wantRemoved)
	}
}

func TestMatchTargetsSameSeqDifferentProject(t *testing.T) {
	a := &Plan{Projects: []Project{{Seq: 1, Title: "改造老旧小区", Targets: []Target{{Metric: "老旧小区改造", Unit: "个"}}}}}
	b := &Plan{Projects: []Project{{Seq: 1, Title: "新增托育服务机构", Targets: []Target{{Metric: "普惠性托位", Unit: "个"}}}}}
	if m := MatchTargets(a, b); len(m.Projects) != 0 {
		t.Fatalf("a different project at the same number was matched: %+v", m.Projects)
	}
	// Same targets under a reworded title keep the identity.
	c := &Plan{Projects: []Project{{Seq: 4, Title: "老旧小区改造提升", Targets: []Target{{Metric: "老旧小区改造", Unit: "个"}}}}}
	if m := MatchTargets(a, c); len(m.Projects) != 1 || len(m.Targets) != 1 {
		t.Fatalf("reworded project not matched: %+v", m)
	}
	// A value written in another unit is the same target.
	d := &Plan{Projects: []Project{{Seq: 1, Title: "改造老旧小区", Targets: []Target{{Metric: "老旧小区改造", Unit: "处"}}}}}
	if m := MatchTargets(a, d); len(m.Targets) != 1 {
		t.Fatalf("target with a new unit not matched: %+v", m)
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"支持重点群体就业创业", "支持重点群体就业创业。", 1, 1},
		{"", "", 1, 1},
		{"支持重点群体就业创业", "支持重点群体就业和创业", 0.7, 0.9},
		{"改造老旧小区", "新增托育服务机构", 0, 0},
		{"园", "园", 1, 1},
	}
	for _, tt := range tests {
		if s := Similarity(tt.a, tt.b); s < tt.min || s > tt.max {
			t.Errorf("Similarity(%q, %q) = %.2f, want in [%.2f, %.2f]", tt.a, tt.b, s, tt.min, tt.max)
		}
	}
}

func TestDiff(t *testing.T) {
	cs := Diff(planV1(), planV2())
	want := []struct {
		kind ChangeKind
		msg  string
	}{
		{ChangePlan, "计划标题由「新建区2024年民生实事安排方案」改为「新建区2024年民生实事安排方案（修订）」"},
		{ChangeProjectAdded, "新增项目（一）「建设城市公园」"},
		{ChangeProject, "项目（二）「支持重点群体就业和创业」：名称由「支持重点群体就业创业」改为「支持重点群体就业和创业」"},
		{ChangeProject, "序号由「一」改为「二」"},
		{ChangeProject, "责任单位由「团区委」改为「团区委、区财政局」"},
		{ChangeTarget, "目标「新增发放创业担保贷款」由 不少于1.42亿元 改为 不少于1.5亿元"},
		{ChangeTargetAdded, "新增目标「招募高校毕业生见习」不少于30名"},
		{ChangeTargetRemoved, "删除目标「到期贷款回收率」不少于95%"},
		{ChangeProject, "项目（三）「建设区域性中心敬老院」：序号由「二」改为「三」"},
		{ChangeProjectRemoved, "删除项目（原三）「改造提升农村公路」"},
	}
	if len(cs) != len(want) {
		for _, c := range cs {
			t.Logf("%s: %s", c.Kind, c.Message)
		}
		t.Fatalf("got %d changes, want %d", len(cs), len(want))
	}
	for i, w := range want {
		if cs[i].Kind != w.kind || !strings.Contains(cs[i].Message, w.msg) {
			t.Errorf("change %d = %s %q, want %s containing %q", i, cs[i].Kind, cs[i].Message, w.kind, w.msg)
		}
	}
	if len(Diff(planV1(), planV1())) != 0 {
		t.Error("a plan differs from itself")
	}
}

func TestSeqLabel(t *testing.T) {
	for n, want := range map[int]string{1: "一", 10: "十", 15: "十五", 20: "二十", 23: "二十三", 0: "0"} {
		if got := SeqLabel(n); got != want {
			t.Errorf("SeqLabel(%d) = %s, want %s", n, got, want)
		}
	}
}
