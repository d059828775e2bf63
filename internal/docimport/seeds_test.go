package docimport

import (
	"os"
	"slices"
	"strings"
	"testing"

	"minsheng/internal/plan"
)

// These tests state, one by one, what the issue says a correct import of
// the seeds must give. The golden files hold the rest.

func targetOf(t *testing.T, pr plan.Project, metric string) plan.Target {
	t.Helper()
	for _, tg := range pr.Targets {
		if tg.Metric == metric {
			return tg
		}
	}
	t.Fatalf("project %d has no target %q; has %v", pr.Seq, metric, metricsOf(pr))
	return plan.Target{}
}

func metricsOf(pr plan.Project) []string {
	var ms []string
	for _, tg := range pr.Targets {
		ms = append(ms, tg.Metric)
	}
	return ms
}

func wantTarget(t *testing.T, pr plan.Project, metric, cmp, value, unit, base, kind string) {
	t.Helper()
	tg := targetOf(t, pr, metric)
	if tg.Comparator != cmp || tg.Value.String() != value || tg.Unit != unit || tg.Kind != kind {
		t.Errorf("project %d %s: got %s %s %s (%s), want %s %s %s (%s)", pr.Seq, metric, tg.Comparator, tg.Value, tg.Unit, tg.Kind, cmp, value, unit, kind)
	}
	if base != "" && (tg.BaseValue == nil || tg.BaseValue.String() != base) {
		t.Errorf("project %d %s: base value %v, want %s", pr.Seq, metric, tg.BaseValue, base)
	}
}

func hasFinding(p *plan.Plan, code string, seq int) *plan.Finding {
	for i, f := range p.Findings {
		if f.Code == code && (seq == 0 || f.ProjectSeq != nil && *f.ProjectSeq == seq) {
			return &p.Findings[i]
		}
	}
	return nil
}

func TestXinjian(t *testing.T) {
	p, _ := importTestdata(t, "seeds/xinjian-2024.txt")
	if len(p.Projects) != 15 || len(p.Categories) != 4 {
		t.Fatalf("got %d projects in %d categories, want 15 in 4", len(p.Projects), len(p.Categories))
	}
	if p.Categories[3].Title != "不断提升城市功能品质" {
		t.Errorf("category 4 = %q (工作要求 must not be a category)", p.Categories[3].Title)
	}
	if *p.DocNumber != "新府发〔2024〕5号" || *p.Dates.Printed != "2024-07-25" || *p.DeclaredCount != 15 {
		t.Errorf("header: %s, printed %s, declared %d", *p.DocNumber, *p.Dates.Printed, *p.DeclaredCount)
	}
	if p.Title != "新建区2024年民生实事安排方案" || p.Year != 2024 {
		t.Errorf("title %q year %d", p.Title, p.Year)
	}
	if *p.Jurisdiction.Code != "360112" || p.Jurisdiction.Name != "南昌市新建区" || *p.Jurisdiction.Level != plan.LevelCounty {
		t.Errorf("jurisdiction %+v", p.Jurisdiction)
	}
	p1 := p.Projects[0]
	if !slices.Equal(p1.LeadUnits, []string{"区人社局", "团区委"}) || !slices.Equal(p1.ResponsibleUnits, []string{"区教体局", "区农业农村局", "区乡村振兴中心"}) {
		t.Errorf("project 1 units: %v / %v", p1.LeadUnits, p1.ResponsibleUnits)
	}
	wantTarget(t, p1, "新增发放创业担保贷款", "=", "1.42", "亿元", "142000000", plan.KindQuantity)
	wantTarget(t, p1, "扶持个人创业担保贷款占贷款总数", ">=", "50", "%", "", plan.KindRate)
	wantTarget(t, p1, "到期贷款回收率", ">=", "95", "%", "", plan.KindRate)
	wantTarget(t, p1, "大学生志愿者", "~", "24", "名", "", plan.KindQuantity)
	both := []string{"市人大票决项目", "区人大票决项目"}
	for _, seq := range []int{2, 8, 12, 13, 14} {
		if got := p.Projects[seq-1].Tags; !slices.Equal(got, both) {
			t.Errorf("project %d tags %v, want %v", seq, got, both)
		}
	}
	if got := p.Projects[14].Tags; !slices.Equal(got, []string{"市人大票决项目"}) {
		t.Errorf("project 15 tags %v", got)
	}
	if strings.Contains(p.Projects[1].Title, "[") || strings.Contains(p.Projects[1].Title, "。") {
		t.Errorf("project 2 title keeps its tag: %q", p.Projects[1].Title)
	}
	if !strings.Contains(p.Projects[2].Text, "建设2家区域性中心敬老院") {
		t.Errorf("page break not repaired in project 3: %q", p.Projects[2].Text)
	}
	wantTarget(t, p.Projects[2], "区域性中心敬老院", "=", "2", "家", "", plan.KindQuantity)
	if got := p.Projects[9].LeadUnits; !slices.Equal(got, []string{"区民政局"}) {
		t.Errorf("project 10 lead units %v, want [区民政局]", got)
	}
	wantTarget(t, p.Projects[8], "城乡低保对象月人均保障标准", "=", "965", "元", "", plan.KindStandard)
	wantTarget(t, p.Projects[9], "城乡散居孤儿基本生活保障标准", "=", "1590", "元", "", plan.KindStandard)
	for _, f := range p.Findings {
		if f.Severity == plan.SeverityError {
			t.Errorf("unexpected error finding: %+v", f)
		}
	}
}

func TestShangrao(t *testing.T) {
	p, _ := importTestdata(t, "seeds/shangrao-2024.txt")
	if len(p.Projects) != 10 || len(p.Categories) != 0 || p.DeclaredCount != nil {
		t.Fatalf("got %d projects, %d categories, declared %v; want 10, 0, null (若干)", len(p.Projects), len(p.Categories), p.DeclaredCount)
	}
	if *p.Jurisdiction.Code != "361100" || *p.Jurisdiction.Level != plan.LevelCity {
		t.Errorf("jurisdiction %+v", p.Jurisdiction)
	}
	if *p.Dates.Signed != "2024-05-29" {
		t.Errorf("signed %v", *p.Dates.Signed)
	}
	for _, pr := range p.Projects {
		if len(pr.LeadUnits) != 0 || len(pr.ResponsibleUnits) == 0 {
			t.Errorf("project %d: lead %v responsible %v (the document names only 责任单位)", pr.Seq, pr.LeadUnits, pr.ResponsibleUnits)
		}
		if strings.Contains(pr.Text, "**") || strings.Contains(pr.Title, "**") {
			t.Errorf("project %d keeps ** markup", pr.Seq)
		}
	}
	p2 := p.Projects[1]
	for metric, value := range map[string]string{"城市低保月人均保障标准": "935", "农村低保月人均保障标准": "715", "城市特困月人均保障标准": "1220", "农村特困月人均保障标准": "930", "特困半失能人员照料护理补贴标准": "375"} {
		wantTarget(t, p2, metric, "=", value, "元", "", plan.KindStandard)
	}
	wantTarget(t, p.Projects[0], "大学生志愿者", ">=", "30", "名", "", plan.KindQuantity)
	wantTarget(t, p.Projects[3], "困难重度残疾人家庭", ">=", "2166", "户", "", plan.KindQuantity)
	if !strings.HasSuffix(p.Projects[9].Text, "（责任单位：市卫健委、市发改委、市医保局、市市场监管局）") {
		t.Errorf("project 10 swallowed the closing paragraph: %q", p.Projects[9].Text)
	}
}

func TestZhanggong(t *testing.T) {
	p, _ := importTestdata(t, "seeds/zhanggong-2024.txt")
	if len(p.Projects) != 15 {
		t.Fatalf("got %d projects", len(p.Projects))
	}
	if p.TotalInvestment == nil || p.TotalInvestment.String() != "228527" {
		t.Fatalf("total %v, want 228527", p.TotalInvestment)
	}
	sum := plan.DecimalFromInt(0)
	for _, pr := range p.Projects {
		if pr.Investment == nil {
			t.Fatalf("project %d has no investment", pr.Seq)
		}
		sum = sum.Add(*pr.Investment)
	}
	if sum.String() != "228527" {
		t.Errorf("project investments add up to %s, want 228527 (rows repeated by page breaks counted twice?)", sum)
	}
	if f := hasFinding(p, "total_agrees", 0); f == nil {
		t.Error("the importer did not check the 合计 itself")
	}
	p14 := p.Projects[13]
	if got := p14.Investment.String(); got != "101900" {
		t.Errorf("project 14 investment %s, want 101900 = 40000+38000+23900", got)
	}
	if len(p14.Subprojects) != 7 {
		t.Errorf("project 14 has %d sub-projects, want 7", len(p14.Subprojects))
	}
	f := hasFinding(p, "body_table_mismatch", 9)
	if f == nil || !strings.Contains(f.Message, "G323") {
		t.Errorf("project 9 (4 roads in the text, 5 in the table) not reported: %+v", f)
	}
	for seq, sum := range map[int]string{2: "1350+1620+1620", 7: "130+100+120", 14: "261+360+57"} {
		f := hasFinding(p, "sum_agrees", seq)
		if f == nil || !strings.Contains(f.Message, sum) {
			t.Errorf("project %d: sum %s not checked: %+v", seq, sum, f)
		}
	}
	sp := p.Projects[1].Subprojects[0]
	if sp.Name != "区三保扩建工程" || sp.Investment.String() != "9699" || !slices.Equal(sp.Locations, []string{"赣江街道"}) || *sp.Years != "2024" || !slices.Equal(sp.Leaders, []string{"张毅"}) {
		t.Errorf("project 2 sub-project 1: %+v", sp)
	}
	if got := p.Projects[3].Subprojects[2].Units; !slices.Equal(got, []string{"区文广新旅局"}) {
		t.Errorf("区文广\\n\\n新旅局 read as %v", got)
	}
	if got := p.Projects[4].Subprojects[0].Units; !slices.Equal(got, []string{"区卫健委", "区建投集团"}) {
		t.Errorf("区卫健委区建投集团 read as %v", got)
	}
	sp = p14.Subprojects[1]
	if *sp.Years != "2024-2025" || sp.Expected == nil || !strings.HasPrefix(*sp.Expected, "完成总工程量70%") {
		t.Errorf("multi-year sub-project: %+v", sp)
	}
	for _, pr := range p.Projects {
		if len(pr.LeadUnits) != 0 {
			t.Errorf("project %d has lead units %v; the document names only 责任单位", pr.Seq, pr.LeadUnits)
		}
	}
	if hasFinding(p, "unknown_place", 0) != nil {
		t.Errorf("a real town was reported unknown: %+v", hasFinding(p, "unknown_place", 0))
	}
}

// TestAlteredCopies changes one figure at a time in a copy of a seed and
// expects the disagreement to be reported.
func TestAlteredCopies(t *testing.T) {
	raw, err := os.ReadFile(testdata("seeds/zhanggong-2024.txt"))
	if err != nil {
		t.Fatal(err)
	}
	xinjian, err := os.ReadFile(testdata("seeds/xinjian-2024.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to string
		doc            []byte
		code           string
		seq            int
		severity       string
	}{
		{"学位 no longer adds up", "提供学位1350个", "提供学位1300个", raw, "sum_mismatch", 2, plan.SeverityWarning},
		{"托位 no longer adds up", "新增托位100个", "新增托位90个", raw, "sum_mismatch", 7, plan.SeverityWarning},
		{"保障性租赁住房 no longer adds up", "开工建设57套", "开工建设75套", raw, "sum_mismatch", 14, plan.SeverityWarning},
		{"合计 changed", "\t228527 ", "\t228000 ", raw, "total_mismatch", 0, plan.SeverityError},
		{"a project's investment changed", "\t16198\n", "\t16190\n", raw, "total_mismatch", 0, plan.SeverityError},
		{"declared count changed", "持续办好 15 件民生实事", "持续办好 16 件民生实事", xinjian, "count_mismatch", 0, plan.SeverityError},
		{"unknown town", "\t水西镇\n\t2024-", "\t水北镇\n\t2024-", raw, "unknown_place", 14, plan.SeverityWarning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := string(tt.doc)
			if !strings.Contains(doc, tt.from) {
				t.Fatalf("the seed no longer contains %q", tt.from)
			}
			p, err := Import("altered.txt", []byte(strings.Replace(doc, tt.from, tt.to, 1)))
			if err != nil {
				t.Fatal(err)
			}
			f := hasFinding(p, tt.code, tt.seq)
			if f == nil {
				t.Fatalf("no %s finding; findings: %+v", tt.code, p.Findings)
			}
			if f.Severity != tt.severity {
				t.Errorf("severity %s, want %s", f.Severity, tt.severity)
			}
		})
	}
}
