package plan

import (
	"strings"
	"testing"
)

func TestYearSpan(t *testing.T) {
	for _, c := range []struct {
		in       string
		from, to int
		ok       bool
	}{
		{"2024-2025年", 2024, 2025, true},
		{"2024—2025", 2024, 2025, true},
		{"2024年-2025年", 2024, 2025, true},
		{"2024年", 2024, 2024, true},
		{"2025-2024", 0, 0, false},
		{"24-25", 0, 0, false},
		{"长期", 0, 0, false},
		{"2024-2025-2026", 0, 0, false},
	} {
		from, to, ok := YearSpan(c.in)
		if from != c.from || to != c.to || ok != c.ok {
			t.Errorf("YearSpan(%q) = %d, %d, %v", c.in, from, to, ok)
		}
	}
}

func subPlan(year int, subs ...Subproject) *Plan {
	return &Plan{Year: year, Projects: []Project{{Seq: 1, Title: "安居品质提升工程", Subprojects: subs}}}
}

func years(s string) *string { return &s }

func TestMultiYearItemsAndShares(t *testing.T) {
	sub := "章贡区水西棚改返迁安置房建设项目一期"
	p := subPlan(2024,
		Subproject{Name: sub, Years: years("2024-2025年")},
		Subproject{Name: "老旧小区改造", Years: years("2024-2025")},
		Subproject{Name: "一年项目", Years: years("2024")},
		Subproject{Name: "明年开工", Years: years("2025-2026")},
	)
	pct := "%"
	p.Projects[0].Targets = []Target{{Metric: "总工程量", Comparator: AtLeast, Value: MustDecimal("70"), Unit: "%", BaseUnit: &pct, Kind: KindProgress, Subproject: &sub}}
	p.Findings = MultiYearFindings(p)
	items := MultiYearItems(p)
	if len(items) != 2 || items[0].YearEnd.String() != "70" || items[1].YearEnd != nil || items[1].TargetIndex != -1 {
		t.Fatalf("items %+v", items)
	}
	if len(p.Findings) != 2 || p.Findings[1].Code != "multi_year_no_split" || p.Findings[1].Severity != SeverityWarning {
		t.Fatalf("findings %+v", p.Findings)
	}
	// The supervisor sets the open split: a target appears, the warning is answered.
	if err := SetYearShare(p, 0, "老旧小区改造", MustDecimal("60"), Decimal{}); err != nil {
		t.Fatal(err)
	}
	tg := p.Projects[0].Targets[1]
	if tg.Value.String() != "60" || tg.Kind != KindProgress || *tg.Subproject != "老旧小区改造" || tg.Metric != "总工程量" {
		t.Errorf("set share: %+v", tg)
	}
	if p.Findings[1].Severity != SeverityInfo || !strings.Contains(p.Findings[1].Message, "已设定") {
		t.Errorf("finding not answered: %+v", p.Findings[1])
	}
	// Next year: 100% at year end, 65% reached → this year's 35%.
	if err := SetYearShare(p, 0, sub, MustDecimal("100"), MustDecimal("65")); err != nil {
		t.Fatal(err)
	}
	tg = p.Projects[0].Targets[0]
	if tg.Value.String() != "35" || tg.Metric != "本年度完成工程量" || !strings.Contains(tg.Text, "上年末累计完成总工程量65%") {
		t.Errorf("carried share: %+v", tg)
	}
	if YearShare(MustDecimal("50"), MustDecimal("65")).String() != "0" {
		t.Error("a negative share")
	}
	for _, bad := range []struct {
		idx  int
		sub  string
		end  string
		want string
	}{{5, sub, "50", "project_index"}, {0, "没有", "50", "subproject"}, {0, sub, "120", "year_end"}} {
		err := SetYearShare(p, bad.idx, bad.sub, MustDecimal(bad.end), Decimal{})
		if e, ok := err.(*Error); !ok || e.Field != bad.want {
			t.Errorf("SetYearShare(%d, %s, %s): %v", bad.idx, bad.sub, bad.end, err)
		}
	}
}

func TestMatchCarryOver(t *testing.T) {
	prev := []ProjectRecord{{ID: "p1", Title: "安居品质提升工程", Units: []ProjectUnit{{UnitName: "区住建局", Role: UnitResponsible}},
		Subprojects: []SubprojectRecord{
			{ID: "s1", Name: "2024年老旧小区改造工程", Years: years("2024-2025"), Units: []string{"区住建局"}, Locations: []string{"解放街道"}},
			{ID: "s2", Name: "城区道路白改黑工程", Years: years("2024"), Units: []string{"区住建局"}, Locations: []string{"全区"}},
		}}}
	next := &Plan{Year: 2025, Projects: []Project{{Seq: 1, Title: "安居品质提升工程", ResponsibleUnits: []string{"区住建局"},
		Subprojects: []Subproject{
			{Name: "2025年老旧小区改造工程", Years: years("2025"), Units: []string{"区住建局"}, Locations: []string{"东外街道"}},
			{Name: "2024年老旧小区改造工程（续建）", Years: years("2024-2025"), Units: []string{"区住建局"}, Locations: []string{"解放街道"}},
			{Name: "城区道路白改黑工程", Years: years("2025"), Units: []string{"区住建局"}, Locations: []string{"全区"}},
		}}}}
	links := MatchCarryOver(prev, next)
	var got []string
	for _, l := range links {
		got = append(got, l.Subproject+"←"+l.PrevSubprojectID)
	}
	// The continuing row wins over this year's new works of a similar
	// name; a one-year project of last year is not continued by a new one.
	if strings.Join(got, ",") != "←,2024年老旧小区改造工程（续建）←s1" {
		t.Errorf("links %v", got)
	}
}
