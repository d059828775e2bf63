package indicator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minsheng/internal/docimport"
	"minsheng/internal/indicator"
	"minsheng/internal/plan"
)

// targetsOf reads a document of testdata with the real importer and lists
// its targets as the store would (document order, the preceding metric).
func targetsOf(t *testing.T, rel string) ([]indicator.Target, indicator.Column) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := docimport.Import(filepath.Base(rel), raw)
	if err != nil {
		t.Fatalf("import %s: %v", rel, err)
	}
	code := *doc.Jurisdiction.Code
	var out []indicator.Target
	for _, p := range doc.Projects {
		prev := ""
		for k, tg := range p.Targets {
			v, unit := tg.Value, tg.Unit
			if tg.BaseValue != nil && tg.BaseUnit != nil {
				v, unit = *tg.BaseValue, *tg.BaseUnit
			}
			out = append(out, indicator.Target{TargetID: rel + "#" + string(rune('a'+p.Seq)) + string(rune('a'+k)), ProjectSeq: p.Seq, ProjectTitle: p.Title,
				JurisdictionCode: code, JurisdictionName: doc.Jurisdiction.Name, Year: doc.Year,
				Metric: tg.Metric, Text: tg.Text, Kind: tg.Kind, Value: v, Unit: unit, PrevMetric: prev})
			prev = tg.Metric
		}
	}
	return out, indicator.Column{JurisdictionCode: code, JurisdictionName: doc.Jurisdiction.Name, Year: doc.Year, PlanID: rel}
}

// TestSeedStandards compares the standards of the two seeds that set them,
// 新建区 and 上饶市, with the figures read off the documents by hand.
func TestSeedStandards(t *testing.T) {
	xj, xjCol := targetsOf(t, "seeds/xinjian-2024.txt")
	sr, srCol := targetsOf(t, "seeds/shangrao-2024.txt")
	zg, zgCol := targetsOf(t, "seeds/zhanggong-2024.txt")
	all := append(append(append([]indicator.Target{}, xj...), sr...), zg...)
	cols := []indicator.Column{xjCol, srCol, zgCol}
	// indicator → 新建区, 上饶市 ("" = not set); 章贡区 sets none of them.
	want := map[string][2]string{
		"dibao_urban":          {"965", "935"}, // 城乡低保对象…达到每月965元 / 城市低保…达到935元
		"dibao_rural":          {"965", "715"},
		"dibao_urban_gap":      {"650", "605"}, // 城镇低保达到650元 / 财政月人均补差水平…达到605元 after 城市低保
		"dibao_rural_gap":      {"635", "480"},
		"tekun_urban":          {"1260", "1220"},
		"tekun_rural":          {"1260", "930"},
		"care_full":            {"1600", "1500"},
		"care_partial":         {"400", "375"},
		"care_self":            {"100", "100"},
		"orphan_institution":   {"2120", "1940"},
		"orphan_scattered":     {"1590", "1450"},
		"orphan_de_facto":      {"1590", "1450"},
		"orphan_disabled_care": {"1500", "1500"},
		"pension_basic":        {"", ""},
	}
	set := indicator.Default()
	got := set.Compare(all, nil, cols)
	if len(got) != len(set.All()) {
		t.Fatalf("%d comparisons for %d indicators", len(got), len(set.All()))
	}
	for _, c := range got {
		w, ok := want[c.Indicator.ID]
		if !ok {
			t.Errorf("indicator %s has no expectation in this test", c.Indicator.ID)
			continue
		}
		for j, v := range []string{w[0], w[1], ""} {
			cell := c.Cells[j]
			switch {
			case v == "" && cell.Value != nil:
				t.Errorf("%s %s: %s (from %q), want not set", c.Indicator.Name, cell.JurisdictionName, cell.Value, cell.Metric)
			case v != "" && (cell.Value == nil || cell.Value.String() != v):
				t.Errorf("%s %s: %v, want %s", c.Indicator.Name, cell.JurisdictionName, cell.Value, v)
			}
			if len(cell.Others) > 0 {
				t.Errorf("%s %s: further values %v", c.Indicator.Name, cell.JurisdictionName, cell.Others)
			}
		}
	}
	if u := set.Unmatched(all); len(u) != 0 {
		for _, x := range u {
			t.Errorf("standard-like target not mapped: %s %s %s", x.JurisdictionName, x.Metric, x.Value)
		}
	}
}

// TestUnmatchedAndOverride: a standard the file does not know is listed;
// a person's mapping takes it into the comparison, and a mapping to none
// takes a wrongly matched target out.
func TestUnmatchedAndOverride(t *testing.T) {
	yh, yhCol := targetsOf(t, "plans/yuhu-2024-units-line.txt")
	set := indicator.Default()
	un := set.Unmatched(yh)
	if len(un) != 1 || !strings.HasPrefix(un[0].Metric, "特困人员基本生活标准") {
		t.Fatalf("unmatched = %+v, want the 特困 standard stated as 1.3 倍 of 低保", un)
	}
	c := set.Compare(yh, []string{"dibao_urban", "dibao_rural"}, []indicator.Column{yhCol})
	if c[0].Cells[0].Value.String() != "700" || c[1].Cells[0].Value.String() != "530" {
		t.Errorf("雨湖区 低保 = %v / %v, want 700 / 530", c[0].Cells[0].Value, c[1].Cells[0].Value)
	}

	to := "tekun_urban"
	for i := range yh {
		if yh[i].TargetID == un[0].TargetID {
			yh[i].Override = &to
		}
	}
	if len(set.Unmatched(yh)) != 0 {
		t.Error("a mapped target is still listed as unmatched")
	}
	c = set.Compare(yh, []string{"tekun_urban"}, []indicator.Column{yhCol})
	if cell := c[0].Cells[0]; cell.Value == nil || cell.Value.String() != "1.3" || !cell.Manual || cell.Metric != un[0].Metric {
		t.Errorf("mapped cell = %+v", cell)
	}

	none := ""
	for i := range yh {
		if yh[i].Metric == "城市低保标准" {
			yh[i].Override = &none
		}
	}
	c = set.Compare(yh, []string{"dibao_urban"}, []indicator.Column{yhCol})
	if c[0].Cells[0].Value != nil || c[0].Set != 0 {
		t.Errorf("a target mapped to none still gives %v", c[0].Cells[0].Value)
	}
}

// TestMatchRules: the unit must agree; a "前项 > 本项" phrase needs its
// preceding target; a column without a plan stays empty.
func TestMatchRules(t *testing.T) {
	set := indicator.Default()
	base := indicator.Target{JurisdictionCode: "360112", Year: 2024, Kind: plan.KindStandard, Value: plan.MustDecimal("900"), Unit: "元"}
	cases := []struct {
		metric, prev, unit string
		want               string
	}{
		{"城市低保标准", "", "元", "dibao_urban"},
		{"城市 低保标准", "", "元", "dibao_urban"},
		{"城市低保标准", "", "%", ""},
		{"城乡低保标准", "", "元", "dibao_urban,dibao_rural"},
		{"财政月人均补差水平", "", "元", ""},
		{"财政月人均补差水平", "农村低保月人均保障标准", "元", "dibao_rural_gap"},
		{"财政月人均补差水平", "城市低保月人均保障标准", "元", "dibao_urban_gap"},
		{"残疾孤儿(残疾事实无人抚养儿童)照料护理补贴标准", "", "元", "orphan_disabled_care"},
	}
	for _, tc := range cases {
		tg := base
		tg.Metric, tg.PrevMetric, tg.Unit = tc.metric, tc.prev, tc.unit
		ids, manual := set.Match(&tg)
		if strings.Join(ids, ",") != tc.want || manual {
			t.Errorf("Match(%q after %q, %s) = %v %v, want %q", tc.metric, tc.prev, tc.unit, ids, manual, tc.want)
		}
	}
	c := set.Compare([]indicator.Target{func() indicator.Target { x := base; x.Metric = "城市低保标准"; return x }()},
		[]string{"dibao_urban"}, []indicator.Column{{JurisdictionCode: "360112", Year: 2024}})
	if c[0].Cells[0].Value != nil {
		t.Error("a column without a published plan shows a value")
	}
}

// TestParseErrors: a broken indicator file is refused with the line and
// column at fault.
func TestParseErrors(t *testing.T) {
	cases := []struct{ file, want string }{
		{"a\tb\tc\n", "第 1 行（整行）：应有 5 列"},
		{"# c\nBad\t名\t元\t元\t甲\n", "第 2 行（id）"},
		{"x\t\t元\t元\t甲\n", "第 1 行（name）：指标名称不能为空"},
		{"x\t名\t元\t元\t甲｜｜乙\n", "第 1 行（phrases）：有空的短语"},
		{"x\t名\t元\t元\t甲｜甲\n", "短语「甲」重复"},
		{"x\t名\t元\t元\t > 甲\n", "前没有前项文字"},
		{"x\t名\t元\t元\t甲\nx\t名二\t元\t元\t乙\n", "第 2 行（id）：标识「x」重复"},
		{"# only comments\n", "没有任何指标"},
	}
	for _, tc := range cases {
		_, err := indicator.Parse(strings.NewReader(tc.file), "t.tsv")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tc.file, err, tc.want)
		}
	}
}
