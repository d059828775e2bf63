package docimport

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"minsheng/internal/plan"
)

// Column roles of a plan table, recognised from the header's words.
const (
	colSeq         = "seq"
	colTitle       = "title"      // 民生实事名称: the project
	colContent     = "content"    // 主要实施内容: the project's part the row belongs to
	colName        = "name"       // 项目名称: the sub-project
	colWorks       = "works"      // 主要建设内容
	colInvestment  = "investment" // 年度投资（万元）
	colPlaces      = "places"     // 实施范围
	colYears       = "years"      // 实施年限
	colExpected    = "expected"   // 预期成效
	colLeaders     = "leaders"    // 责任领导
	colUnits       = "units"      // 责任单位
	colLeadUnits   = "lead_units" // 牵头单位
	colDeadline    = "deadline"   // 完成时限
	colUnknownRole = ""
)

// roleOf reads a header cell. Order matters: 项目名称 is the sub-project
// where a 民生实事名称 column exists, the project otherwise (fixed later).
func roleOf(h string) string {
	h = compactName(h)
	switch {
	case h == "":
		return colUnknownRole
	case strings.Contains(h, "序号") || h == "编号":
		return colSeq
	case strings.Contains(h, "实事名称") || strings.Contains(h, "实事项目") || h == "事项" || strings.Contains(h, "民生实事"):
		return colTitle
	case strings.Contains(h, "实施内容"):
		return colContent
	case strings.Contains(h, "项目名称") || strings.Contains(h, "建设项目") || h == "项目":
		return colName
	case strings.Contains(h, "建设内容") || strings.Contains(h, "内容") || strings.Contains(h, "目标任务"):
		return colWorks
	case strings.Contains(h, "投资") || strings.Contains(h, "资金") || strings.Contains(h, "金额"):
		return colInvestment
	case strings.Contains(h, "范围") || strings.Contains(h, "地点") || strings.Contains(h, "地址"):
		return colPlaces
	case strings.Contains(h, "年限"):
		return colYears
	case strings.Contains(h, "时限") || strings.Contains(h, "完成时间"):
		return colDeadline
	case strings.Contains(h, "成效") || strings.Contains(h, "预期") || strings.Contains(h, "绩效"):
		return colExpected
	case strings.Contains(h, "领导"):
		return colLeaders
	case strings.Contains(h, "牵头"):
		return colLeadUnits
	case strings.Contains(h, "单位") || strings.Contains(h, "部门"):
		return colUnits
	}
	return colUnknownRole
}

// grid is a plan table with its columns named.
type grid struct {
	roles []string
	rows  [][]string // data rows, each as wide as roles
	lines []int      // the input line each data row starts on
}

var (
	seqCell   = regexp.MustCompile(`^\d{1,3}$`)
	totalCell = regexp.MustCompile(`^(?:合计|总计|合\s*计|总\s*计)$`)
)

// readGrid finds a table's header rows, names its columns and aligns every
// row to the full width. Exports lose horizontal merges, so a row may have
// fewer cells than the table has columns; see align.
func readGrid(t item) (grid, bool) {
	var header [][]string
	first := -1
	width := 0
	for i, r := range t.table {
		width = max(width, len(r))
		c0 := compactName(cell(r, 0))
		if first < 0 && (seqCell.MatchString(c0) || totalCell.MatchString(c0)) {
			first = i
		}
		if first < 0 {
			header = append(header, r)
		}
	}
	if first < 0 || len(header) == 0 {
		return grid{}, false
	}
	g := grid{roles: headerRoles(header, width), lines: t.rowLines[first:]}
	if !hasRole(g.roles, colTitle) && !hasRole(g.roles, colName) {
		return grid{}, false
	}
	if !hasRole(g.roles, colTitle) {
		// Without a 民生实事名称 column, 项目名称 names the project itself.
		for i, r := range g.roles {
			if r == colName {
				g.roles[i] = colTitle
				break
			}
		}
	}
	for _, r := range t.table[first:] {
		g.rows = append(g.rows, align(r, g.roles))
	}
	return g, true
}

// headerRoles names the columns from one or two header rows. In a two-row
// header the lower row subdivides some upper cells (具体建设项目 over 项目名称
// and 主要建设内容): an upper cell standing over named lower cells spans them.
func headerRoles(header [][]string, width int) []string {
	names := make([]string, width)
	full := header[len(header)-1]
	for c := 0; c < width; c++ {
		names[c] = compactName(cell(full, c))
	}
	if len(header) >= 2 {
		upper := header[len(header)-2]
		col := 0
		for _, h := range upper {
			if col >= width {
				break
			}
			span := 1
			if len(upper) < width {
				for col+span < width && cell(full, col) != "" && cell(full, col+span) != "" {
					span++
				}
			}
			if names[col] == "" {
				names[col] = compactName(h)
			}
			col += span
		}
	}
	roles := make([]string, width)
	for c, n := range names {
		roles[c] = roleOf(n)
	}
	return roles
}

// align places a short row's cells on the table's columns. Columns up to
// the project title are anchored left, those from the investment column
// on anchored right; what is left in the middle fills the middle columns
// from the left, a merged cell leaving the columns it covered empty.
func align(row []string, roles []string) []string {
	width := len(roles)
	out := make([]string, width)
	if len(row) >= width {
		copy(out, row)
		return out
	}
	left := indexOf(roles, colTitle) + 1
	right := indexOf(roles, colInvestment)
	if right < 0 || left <= 0 || left > right {
		copy(out, row)
		return out
	}
	nRight := width - right
	if len(row) < left+nRight {
		copy(out, row)
		return out
	}
	if inv := strings.TrimSpace(row[len(row)-nRight]); inv != "" && !amountRe.MatchString(compactName(inv)) {
		// Not an amount where the investment should be: the row lost its
		// trailing empty cells instead of a merge.
		copy(out, row)
		return out
	}
	copy(out, row[:left])
	copy(out[right:], row[len(row)-nRight:])
	copy(out[left:right], row[left:len(row)-nRight])
	return out
}

// readAttachment reads the plan's 计划清单 into sub-projects, investment and
// the stated total, checking each row against the body's projects.
func readAttachment(p *plan.Plan, tables []item, f *findings) {
	for _, t := range tables {
		g, ok := readGrid(t)
		if !ok {
			continue
		}
		readPlanTable(p, g, f)
	}
}

// rowState carries what vertically merged cells leave implicit: the
// current project and the part (主要实施内容) of it a row belongs to.
type rowState struct {
	project   *plan.Project
	group     string
	groupInv  *plan.Decimal
	inherited map[string]string
	parts     map[*plan.Project][]part
}

func readPlanTable(p *plan.Plan, g grid, f *findings) {
	parts := map[*plan.Project][]part{}
	st := rowState{parts: parts}
	firstLine := map[*plan.Project]int{}
	for i, row := range g.rows {
		line := g.lines[i]
		get := func(role string) string { return cellByRole(row, g.roles, role) }
		if totalCell.MatchString(compactName(get(colSeq))) || totalCell.MatchString(compactName(get(colTitle))) {
			if v, ok := readAmount(get(colInvestment)); ok {
				p.TotalInvestment = &v
			}
			continue
		}
		seq, title := compactName(get(colSeq)), get(colTitle)
		repeat := false
		if seq != "" || title != "" {
			pr := matchProject(p, seq, title)
			if pr == nil {
				f.add(plan.SeverityWarning, "table_unmatched", fmt.Sprintf("清单第 %s 行「%s」对应不到正文中的项目", seq, clip(title, 30)), nil, line)
				st = rowState{parts: parts}
				continue
			}
			repeat = pr == st.project
			if _, seen := firstLine[pr]; !seen {
				firstLine[pr] = line
			}
			if !repeat {
				st = rowState{project: pr, inherited: map[string]string{}, parts: parts}
			}
		}
		if st.project == nil {
			continue
		}
		readSubprojectRow(&st, row, g.roles, repeat)
	}
	for i := range p.Projects {
		if ps := parts[&p.Projects[i]]; ps != nil {
			checkAgainstTable(&p.Projects[i], ps, firstLine[&p.Projects[i]], f)
		}
	}
}

// readSubprojectRow adds one table row to the current project. A row that
// repeats the project's number is a page break's copy of the merged cells:
// its investment, if the same as its part's, is not counted again.
func readSubprojectRow(st *rowState, row, roles []string, repeat bool) {
	pr := st.project
	get := func(role string) string { return cellByRole(row, roles, role) }
	content := compactName(get(colContent))
	newGroup := content != "" && content != st.group
	if newGroup || st.parts[pr] == nil {
		st.group, st.groupInv = content, nil
		st.parts[pr] = append(st.parts[pr], part{content: content})
	}
	inv, hasInv := readAmount(get(colInvestment))
	if hasInv && repeat && !newGroup && st.groupInv != nil && st.groupInv.Equal(inv.Decimal) {
		hasInv = false
	}
	sp := plan.Subproject{Name: compactName(get(colName))}
	if sp.Name == "" {
		sp.Name = content
	}
	if sp.Name == "" {
		sp.Name = pr.Title
	}
	if works := get(colWorks); works != "" {
		w := cleanText(works)
		sp.Content = &w
	}
	if hasInv {
		sp.Investment = &inv
		st.groupInv = &inv
		if pr.Investment == nil {
			zero := plan.DecimalFromInt(0)
			pr.Investment = &zero
		}
		sum := pr.Investment.Add(inv)
		pr.Investment = &sum
	}
	inherit := func(role string) string {
		v := get(role)
		if strings.TrimSpace(v) == "" {
			return st.inherited[role]
		}
		st.inherited[role] = v
		return v
	}
	sp.Locations = splitList(inherit(colPlaces))
	if y := normalizeYears(inherit(colYears)); y != "" {
		sp.Years = &y
	}
	if e := cleanText(strings.ReplaceAll(inherit(colExpected), "\n", "")); e != "" {
		sp.Expected = &e
	}
	for _, l := range splitList(inherit(colLeaders)) {
		sp.Leaders = appendNew(sp.Leaders, l)
		pr.Leaders = appendNew(pr.Leaders, l)
	}
	known := append(append([]string{}, pr.LeadUnits...), pr.ResponsibleUnits...)
	sp.Units = splitUnitCell(inherit(colUnits), known)
	pr.Subprojects = append(pr.Subprojects, sp)
	ps := st.parts[pr]
	ps[len(ps)-1].names = append(ps[len(ps)-1].names, sp.Name)
	pr.Targets = append(pr.Targets, progressTargets(sp)...)
}

var progressRe = regexp.MustCompile(`完成(总)?工程量\s*(\d+(?:\.\d+)?)%`)

// progressTargets reads 完成总工程量70% from a sub-project's expected
// outcome: the share of a multi-year work due this year.
func progressTargets(sp plan.Subproject) []plan.Target {
	if sp.Expected == nil || sp.Years == nil || !strings.Contains(*sp.Years, "-") && !progressRe.MatchString(*sp.Expected) {
		return nil
	}
	var out []plan.Target
	for _, m := range progressRe.FindAllStringSubmatch(*sp.Expected, -1) {
		name := sp.Name
		t := makeTarget(m[0], m[1]+"工程量", plan.AtLeast, plan.MustDecimal(m[2]), "%", "")
		t.Metric = strings.TrimPrefix(m[1]+"工程量", "")
		if m[1] == "" {
			t.Metric = "工程量"
		} else {
			t.Metric = "总工程量"
		}
		t.Subproject = &name
		out = append(out, t)
	}
	return out
}

// matchProject finds the body's project for a table row, by its title
// first (a table may number its rows its own way) and by number after.
func matchProject(p *plan.Plan, seq, title string) *plan.Project {
	title = compactName(title)
	for i := range p.Projects {
		if p.Projects[i].Title == title {
			return &p.Projects[i]
		}
	}
	var best *plan.Project
	bestScore := 0.0
	for i := range p.Projects {
		pr := &p.Projects[i]
		if s := similarity(title, pr.Title); s > bestScore {
			best, bestScore = pr, s
		}
	}
	if bestScore >= 0.5 {
		return best
	}
	if title == "" && seqCell.MatchString(seq) {
		n := atoi(seq)
		if n >= 1 && n <= len(p.Projects) {
			return &p.Projects[n-1]
		}
	}
	return nil
}

var amountRe = regexp.MustCompile(`^-?\d+(?:\.\d+)?$`)

// readAmount reads a money cell in 万元; "/", "-" and empty mean none.
func readAmount(s string) (plan.Decimal, bool) {
	s = strings.ReplaceAll(compactName(cleanText(s)), ",", "")
	if !amountRe.MatchString(s) {
		return plan.Decimal{}, false
	}
	return plan.MustDecimal(s), true
}

var yearsRe = regexp.MustCompile(`(20\d\d)(?:\s*年)?(?:\s*[-—~～至到]\s*(20\d\d))?`)

// normalizeYears reads 实施年限: 2024年 → 2024, 2024-\n2025年 → 2024-2025.
func normalizeYears(s string) string {
	m := yearsRe.FindStringSubmatch(compactName(s))
	switch {
	case m == nil:
		return ""
	case m[2] != "" && m[2] != m[1]:
		return m[1] + "-" + m[2]
	}
	return m[1]
}

func splitList(s string) []string {
	var out []string
	for _, part := range splitNames(s) {
		if part = compactName(trimPunct(part)); part != "" {
			out = appendNew(out, part)
		}
	}
	return out
}

func cell(r []string, i int) string {
	if i < len(r) {
		return r[i]
	}
	return ""
}

func cellByRole(row, roles []string, role string) string {
	if i := indexOf(roles, role); i >= 0 {
		return strings.TrimSpace(cell(row, i))
	}
	return ""
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func hasRole(roles []string, role string) bool { return indexOf(roles, role) >= 0 }

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// similarity is the Dice coefficient of two strings' character bigrams:
// good enough to tell 章贡高新区龙盛路E5地块段道路新建工程 and
// 章贡高新区龙盛路E5地块段道路工程 for the same road.
func similarity(a, b string) float64 {
	ba, bb := bigrams(a), bigrams(b)
	if len(ba) == 0 || len(bb) == 0 {
		if a == b && a != "" {
			return 1
		}
		return 0
	}
	common := 0
	for i, j := 0, 0; i < len(ba) && j < len(bb); {
		switch {
		case ba[i] == bb[j]:
			common++
			i++
			j++
		case ba[i] < bb[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(common) / float64(len(ba)+len(bb))
}

// bigrams returns a string's character pairs, packed and sorted.
func bigrams(s string) []uint64 {
	var out []uint64
	prev := rune(-1)
	for _, r := range s {
		if prev >= 0 {
			out = append(out, uint64(prev)<<32|uint64(r))
		}
		prev = r
	}
	slices.Sort(out)
	return out
}

// projectsFromTable reads a plan that is only a table (重点民生实事项目计划表):
// each numbered row is a project, its 建设内容 the text targets come from.
func projectsFromTable(p *plan.Plan, tables []item, f *findings) {
	for _, t := range tables {
		g, ok := readGrid(t)
		if !ok {
			continue
		}
		for i, row := range g.rows {
			get := func(role string) string { return cellByRole(row, g.roles, role) }
			if totalCell.MatchString(compactName(get(colSeq))) || totalCell.MatchString(compactName(get(colTitle))) {
				if v, ok := readAmount(get(colInvestment)); ok {
					p.TotalInvestment = &v
				}
				continue
			}
			title := cleanTitle(cleanText(get(colTitle)))
			if title == "" {
				continue
			}
			pr := plan.Project{Seq: len(p.Projects) + 1, Title: title}
			var text []string
			for c, v := range row {
				if v = cleanText(v); v != "" && g.roles[c] != colSeq {
					text = append(text, v)
				}
			}
			pr.Text = strings.Join(text, "；")
			if n := compactName(get(colSeq)); seqCell.MatchString(n) && atoi(n) != pr.Seq {
				seq := pr.Seq
				f.add(plan.SeverityWarning, "numbering_gap", fmt.Sprintf("表格第 %d 个项目的序号是 %s，编号不连续", pr.Seq, n), &seq, g.lines[i])
			}
			if v, ok := readAmount(get(colInvestment)); ok && !hasRole(g.roles, colName) {
				pr.Investment = &v // with sub-project rows, readPlanTable sums them
			}
			pr.LeadUnits = splitUnitCell(get(colLeadUnits), nil)
			pr.ResponsibleUnits = splitUnitCell(get(colUnits), nil)
			pr.Targets = readTargets(cleanText(get(colWorks)))
			p.Projects = append(p.Projects, pr)
		}
		if len(p.Projects) > 0 {
			if hasRole(g.roles, colName) {
				readPlanTable(p, g, f) // a ledger: its rows are sub-projects
			}
			return
		}
	}
}
