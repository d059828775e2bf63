package docimport

import (
	"fmt"
	"regexp"
	"strings"

	"minsheng/internal/division"
	"minsheng/internal/plan"
)

// checkPlan cross-checks what was read: the declared count, the stated
// total, and every place name against the jurisdiction's towns.
func checkPlan(p *plan.Plan, f *findings) {
	if p.DeclaredCount != nil && *p.DeclaredCount != len(p.Projects) {
		f.add(plan.SeverityError, "count_mismatch", fmt.Sprintf("文件称共 %d 件民生实事，实际读到 %d 个项目", *p.DeclaredCount, len(p.Projects)), nil, 0)
	}
	checkTotal(p, f)
	checkPlaces(p, f)
	// Multi-year sub-projects: this year's share, or that the document
	// gives none (the supervisor sets it on the draft).
	f.list = append(f.list, plan.MultiYearFindings(p)...)
}

func checkTotal(p *plan.Plan, f *findings) {
	if p.TotalInvestment == nil {
		return
	}
	sum := plan.DecimalFromInt(0)
	for _, pr := range p.Projects {
		if pr.Investment != nil {
			sum = sum.Add(*pr.Investment)
		}
	}
	if !sum.Equal(p.TotalInvestment.Decimal) {
		f.add(plan.SeverityError, "total_mismatch", fmt.Sprintf("各项目年度投资之和为 %s 万元，与清单“合计” %s 万元不符（相差 %s 万元）", sum, p.TotalInvestment, p.TotalInvestment.Sub(sum)), nil, 0)
		return
	}
	f.add(plan.SeverityInfo, "total_agrees", fmt.Sprintf("各项目年度投资之和 %s 万元与清单“合计”一致", sum), nil, 0)
}

// Places that name no single town: nothing to look up.
var genericPlace = regexp.MustCompile(`^(?:全[区县市省]|各[镇乡街]|相关|辖区|城区|中心城区|全域|各地|各县)`)

func checkPlaces(p *plan.Plan, f *findings) {
	if p.Jurisdiction.Code == nil || p.Jurisdiction.Level == nil || *p.Jurisdiction.Level != plan.LevelCounty {
		return
	}
	for _, pr := range p.Projects {
		seq := pr.Seq
		for _, sp := range pr.Subprojects {
			for _, loc := range sp.Locations {
				if genericPlace.MatchString(loc) {
					continue
				}
				if _, ok := division.FindPlace(*p.Jurisdiction.Code, loc); !ok {
					f.add(plan.SeverityWarning, "unknown_place", fmt.Sprintf("子项目「%s」的实施范围「%s」不是%s的乡镇（街道）", clip(sp.Name, 24), loc, p.Jurisdiction.Name), &seq, 0)
				}
			}
		}
	}
}

// part is one 主要实施内容 of a project in its table, with the sub-projects
// listed under it.
type part struct {
	content string
	names   []string
}

var (
	countedItems = regexp.MustCompile(`(\d+)\s*(` + unitAlternatives + `)`)
	namedList    = regexp.MustCompile(`分别(?:为|是)([^，。；]+)`)
)

// checkAgainstTable compares a project's text with its rows of the table:
// numbers of works (新（改）建4条道路工程 against five rows) and quantities the
// rows add up to (新增托位350个 = 130 + 100 + 120).
func checkAgainstTable(pr *plan.Project, parts []part, line int, f *findings) {
	seq := pr.Seq
	total := 0
	for _, pt := range parts {
		total += len(pt.names)
		if n, unit, ok := worksCount(pt.content); ok && n != len(pt.names) {
			f.add(plan.SeverityWarning, "body_table_mismatch", fmt.Sprintf("清单中「%s」写 %d%s，下列子项目却有 %d 个", pt.content, n, unit, len(pt.names)), &seq, line)
		}
	}
	for _, t := range pr.Targets {
		if t.Subproject != nil || t.Kind != plan.KindQuantity || !strings.ContainsRune(classifiers, firstRune(t.Unit)) {
			continue
		}
		if isWorksCount(t.Metric) {
			checkWorksCount(pr, t, parts, total, line, f)
		} else if len(pr.Subprojects) >= 2 {
			checkSum(pr, t, line, f)
		}
	}
}

// worksCount reads a count of works (实施校建项目4个, 新（改）建5条道路工程)
// from a clause of a table's 主要实施内容 that states nothing else.
func worksCount(content string) (int, string, bool) {
	for _, clause := range splitKeep(content, "，；。\n") {
		ms := countedItems.FindAllStringSubmatch(clause, -1)
		if len(ms) == 1 && isWorksCount(clause) && strings.ContainsRune(classifiers, firstRune(ms[0][2])) {
			return atoi(ms[0][1]), ms[0][2], true
		}
	}
	return 0, "", false
}

func isWorksCount(s string) bool {
	return strings.Contains(s, "项目") || strings.Contains(s, "工程")
}

// checkWorksCount: a count of works in the text must match the rows of the
// part that states the same count, or else all of the project's rows.
func checkWorksCount(pr *plan.Project, t plan.Target, parts []part, total, line int, f *findings) {
	want := int(t.Value.IntPart())
	have := total
	for _, pt := range parts {
		if n, unit, ok := worksCount(pt.content); ok && n == want && unit == t.Unit {
			have = len(pt.names)
		}
	}
	if have == want {
		return
	}
	seq := pr.Seq
	msg := fmt.Sprintf("正文写「%s」%s%s，计划清单列出 %d 个子项目", t.Metric, t.Value, t.Unit, have)
	if missing := namesNotInText(pr); len(missing) > 0 {
		msg += "；清单中的「" + strings.Join(missing, "」「") + "」未见于正文"
	}
	f.add(plan.SeverityWarning, "body_table_mismatch", msg, &seq, line)
}

// namesNotInText lists the sub-projects the text does not name.
func namesNotInText(pr *plan.Project) []string {
	var listed []string
	for _, m := range namedList.FindAllStringSubmatch(pr.Text, -1) {
		listed = append(listed, strings.Split(m[1], "、")...)
	}
	if len(listed) == 0 {
		return nil
	}
	var missing []string
	for _, sp := range pr.Subprojects {
		found := false
		for _, l := range listed {
			if similarity(compactName(l), sp.Name) >= 0.6 {
				found = true
			}
		}
		if !found {
			missing = append(missing, sp.Name)
		}
	}
	return missing
}

// checkSum looks in the rows' 建设内容 for numbers of the same unit and
// keyword (学位, 托位, 住房) and checks that one number from each of some
// rows adds up to the text's figure.
func checkSum(pr *plan.Project, t plan.Target, line int, f *findings) {
	rs := []rune(t.Metric)
	keyword := string(rs[max(0, len(rs)-2):])
	var cands [][]plan.Decimal
	for _, sp := range pr.Subprojects {
		if sp.Content == nil || !strings.Contains(*sp.Content, keyword) {
			continue
		}
		var vs []plan.Decimal
		for n := range numbersIn(*sp.Content) {
			if n.unit == t.Unit {
				vs = append(vs, plan.MustDecimal(n.num))
			}
		}
		if len(vs) > 0 {
			cands = append(cands, vs)
		}
	}
	if len(cands) < 2 {
		return
	}
	seq := pr.Seq
	if parts, ok := subsetSum(cands, t.Value); ok {
		strs := make([]string, len(parts))
		for i, p := range parts {
			strs[i] = p.String()
		}
		f.add(plan.SeverityInfo, "sum_agrees", fmt.Sprintf("正文「%s」%s%s 与清单一致（%s）", t.Metric, t.Value, t.Unit, strings.Join(strs, "+")), &seq, line)
		return
	}
	f.add(plan.SeverityWarning, "sum_mismatch", fmt.Sprintf("正文「%s」为 %s%s，清单各子项目的%s数加起来对不上", t.Metric, t.Value, t.Unit, keyword), &seq, line)
}

// subsetSum picks at most one value from each list so that they add up to
// want. The lists are a handful of table rows, so trying all is cheap.
func subsetSum(lists [][]plan.Decimal, want plan.Decimal) ([]plan.Decimal, bool) {
	if want.IsZero() {
		return nil, true
	}
	if len(lists) == 0 || want.IsNegative() {
		return nil, false
	}
	for _, v := range lists[0] {
		if rest, ok := subsetSum(lists[1:], want.Sub(v)); ok {
			return append([]plan.Decimal{v}, rest...), true
		}
	}
	return subsetSum(lists[1:], want)
}

// resolveJurisdiction finds the plan's government in the GB/T 2260 table,
// from the issuer or the title.
func resolveJurisdiction(p *plan.Plan, f *findings) {
	var names []string
	if p.Issuer != nil {
		names = append(names, issuerPlace.ReplaceAllString(*p.Issuer, ""))
	}
	if m := titlePlace.FindStringSubmatch(p.Title); m != nil {
		names = append(names, m[1])
	}
	for _, n := range names {
		ds := division.Resolve(n)
		if len(ds) == 0 {
			continue
		}
		d := ds[0]
		if len(ds) > 1 {
			f.add(plan.SeverityWarning, "jurisdiction_ambiguous", fmt.Sprintf("“%s”对应多个行政区划，暂按 %s（%s）处理，请核对", n, division.FullName(d), d.Code), nil, 0)
		}
		code, level := d.Code, d.Level
		p.Jurisdiction = plan.Jurisdiction{Name: displayName(d), Code: &code, Level: &level}
		return
	}
	if len(names) > 0 {
		p.Jurisdiction.Name = names[0]
	}
	f.add(plan.SeverityWarning, "jurisdiction_unresolved", fmt.Sprintf("无法确定发文的行政区划（%s），请手工指定", strings.Join(names, "、")), nil, 0)
}

var (
	issuerPlace = regexp.MustCompile(`(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|办公室|办公厅|委员会|文件)+$`)
	titlePlace  = regexp.MustCompile(`^(.+?)20\d\d\s*年`)
)

// displayName is how plans name a government: 南昌市新建区, 上饶市, 浏阳市.
func displayName(d division.Division) string {
	if d.Level != plan.LevelCounty || strings.HasSuffix(d.Name, "市") {
		return d.Name
	}
	if parent, ok := division.Parent(d); ok {
		return parent.Name + d.Name
	}
	return d.Name
}
