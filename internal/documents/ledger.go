// Package documents writes what a 民生办 hands on: the 工作台账 workbook,
// letters and bulletins. It takes domain values and knows nothing of the
// database or HTTP.
package documents

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"minsheng/internal/plan"
	"minsheng/internal/progress"
)

// Ledger is the 工作台账 of a plan at the end of a month.
type Ledger struct {
	Title        string // e.g. 赣州市章贡区2024年民生实事工作台账
	Jurisdiction string
	Period       plan.Period
	Projects     []LedgerProject
	// Entry are the rows of the 进展填报 sheet (internal/progress), in
	// which a unit fills a month's figures to upload them; none: no sheet.
	Entry []progress.Row
}

// LedgerProject is one project's lines: the plan's columns and its
// progress through the month.
type LedgerProject struct {
	Project plan.ProjectRecord
	// Report is the latest submitted or accepted report through the
	// month; nil when the project has not reported.
	Report *plan.Report
	// Status is the project's status label for the month (正常, 滞后 …).
	Status string
	// Planned is the planned investment through the month (万元), the base
	// of the 拨付率 when the report gives no allocation.
	Planned *plan.Decimal
}

// The ledger's columns: the 计划清单 of the plan documents, then progress.
var ledgerColumns = []struct {
	title string
	width float64
}{
	{"序号", 6}, {"民生实事名称", 16}, {"主要实施内容", 30}, {"项目名称", 24}, {"主要建设内容", 30},
	{"年度投资（万元）", 11}, {"实施范围", 12}, {"实施年限", 10}, {"预期成效", 30}, {"责任领导", 9}, {"责任单位", 16},
	{"累计完成投资（万元）", 12}, {"完成率", 9}, {"资金到位（万元）", 11}, {"资金拨付（万元）", 11}, {"拨付率", 9},
	{"状态", 8}, {"本月进展", 30}, {"存在问题", 24},
}

// Column letters of the cells written per project (merged over its rows)
// rather than per sub-project.
const (
	colSeq, colTitle, colContent                    = "A", "B", "C"
	colInvest, colDone, colRate, colAlloc, colPaid  = "F", "L", "M", "N", "O"
	colPaidRate, colState, colProgress, colProblems = "P", "Q", "R", "S"
	colLast                                         = "S"
)

const (
	sheetName = "工作台账"
	firstRow  = 5 // rows 1–2 title, 3–4 the two-row header
)

// WriteLedger writes the workbook: a title, the two-row header of the
// 计划清单 (具体建设项目 over 项目名称 and 主要建设内容), a block of rows per
// project with its cells merged, a 合计 row; frozen header, filters, A4
// landscape print setup repeating the header on every page.
func WriteLedger(w io.Writer, l Ledger) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := writeLedgerHeader(f, st, l); err != nil {
		return err
	}
	row := firstRow
	for i, lp := range l.Projects {
		if row, err = writeLedgerProject(f, st, row, i+1, lp); err != nil {
			return err
		}
	}
	if err := writeLedgerTotal(f, st, row, l.Projects); err != nil {
		return err
	}
	if err := finishLedgerSheet(f, row); err != nil {
		return err
	}
	if l.Entry != nil {
		if err := progress.AddSheet(f, l.Entry, progress.Note(l.Period)); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}

type styles struct{ title, sub, header, text, number, percent, total, totalPercent int }

func newStyles(f *excelize.File) (styles, error) {
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	font := func(size float64, bold bool) *excelize.Font {
		return &excelize.Font{Family: "宋体", Size: size, Bold: bold}
	}
	wrap := func(h string) *excelize.Alignment {
		return &excelize.Alignment{Horizontal: h, Vertical: "center", WrapText: true}
	}
	defs := []*excelize.Style{
		{Font: &excelize.Font{Family: "方正小标宋简体", Size: 18}, Alignment: wrap("center")},
		{Font: font(11, false), Alignment: wrap("left")},
		{Font: font(10, true), Alignment: wrap("center"), Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}}},
		{Font: font(10, false), Alignment: wrap("left"), Border: border},
		{Font: font(10, false), Alignment: wrap("right"), Border: border, CustomNumFmt: strPtr("#,##0.####")},
		{Font: font(10, false), Alignment: wrap("right"), Border: border, NumFmt: 10},
		{Font: font(10, true), Alignment: wrap("center"), Border: border, CustomNumFmt: strPtr("#,##0.####")},
		{Font: font(10, true), Alignment: wrap("center"), Border: border, NumFmt: 10},
	}
	ids := make([]int, len(defs))
	for i, d := range defs {
		id, err := f.NewStyle(d)
		if err != nil {
			return styles{}, err
		}
		ids[i] = id
	}
	return styles{ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7]}, nil
}

func strPtr(s string) *string { return &s }

func writeLedgerHeader(f *excelize.File, st styles, l Ledger) error {
	last := colName(len(ledgerColumns))
	cells := []struct {
		cell  string
		value any
	}{
		{"A1", l.Title},
		{"A2", fmt.Sprintf("行政区划：%s　　统计截至：%s末　　金额单位：万元", l.Jurisdiction, l.Period.Label())},
	}
	for _, c := range cells {
		if err := f.SetCellValue(sheetName, c.cell, c.value); err != nil {
			return err
		}
	}
	for _, m := range [][2]string{{"A1", last + "1"}, {"A2", last + "2"}} {
		if err := f.MergeCell(sheetName, m[0], m[1]); err != nil {
			return err
		}
	}
	f.SetCellStyle(sheetName, "A1", last+"1", st.title)
	f.SetCellStyle(sheetName, "A2", last+"2", st.sub)
	f.SetRowHeight(sheetName, 1, 36)
	for i, c := range ledgerColumns {
		col := colName(i + 1)
		f.SetColWidth(sheetName, col, col, c.width)
		switch col {
		case "D":
			f.SetCellValue(sheetName, "D3", "具体建设项目")
			f.MergeCell(sheetName, "D3", "E3")
			f.SetCellValue(sheetName, "D4", c.title)
		case "E":
			f.SetCellValue(sheetName, "E4", c.title)
		default:
			f.SetCellValue(sheetName, col+"3", c.title)
			if err := f.MergeCell(sheetName, col+"3", col+"4"); err != nil {
				return err
			}
		}
	}
	return f.SetCellStyle(sheetName, "A3", last+"4", st.header)
}

// writeLedgerProject writes a project's block and returns the next row.
func writeLedgerProject(f *excelize.File, st styles, row, seq int, lp LedgerProject) (int, error) {
	p := lp.Project
	subs := p.Subprojects
	if len(subs) == 0 {
		subs = []plan.SubprojectRecord{{Name: p.Title, Investment: p.Investment, Leaders: p.Leaders, Units: unitNames(p)}}
	}
	first, last := row, row+len(subs)-1
	for i, sp := range subs {
		r := row + i
		values := map[string]any{
			"D": sp.Name, "E": deref(sp.Content), "G": strings.Join(sp.Locations, "、"), "H": deref(sp.Years),
			"I": deref(sp.Expected), "J": strings.Join(sp.Leaders, "、"), "K": strings.Join(sp.Units, "\n"),
		}
		if sp.Investment != nil {
			values[colInvest] = number(*sp.Investment)
		}
		for col, v := range values {
			if err := f.SetCellValue(sheetName, fmt.Sprintf("%s%d", col, r), v); err != nil {
				return 0, err
			}
		}
	}
	perProject := map[string]any{colSeq: seq, colTitle: p.CongressTitle(), colContent: implementation(p), colState: lp.Status}
	if rep := lp.Report; rep != nil {
		if rep.Investment != nil {
			perProject[colDone] = number(*rep.Investment)
		}
		if rep.Allocated != nil {
			perProject[colAlloc] = number(*rep.Allocated)
		}
		if rep.Disbursed != nil {
			perProject[colPaid] = number(*rep.Disbursed)
		}
		if rate, _, ok := plan.DisbursementRate(rep.Disbursed, rep.Allocated, lp.Planned); ok {
			perProject[colPaidRate] = rate
		}
		perProject[colProgress] = rep.Progress
		perProject[colProblems] = rep.Problems
	}
	if rate, ok := completionRate(p, lp.Report); ok {
		perProject[colRate] = rate
	}
	for col, v := range perProject {
		cell := fmt.Sprintf("%s%d", col, first)
		if err := f.SetCellValue(sheetName, cell, v); err != nil {
			return 0, err
		}
		if last > first {
			if err := f.MergeCell(sheetName, cell, fmt.Sprintf("%s%d", col, last)); err != nil {
				return 0, err
			}
		}
	}
	fitRowHeights(f, first, last)
	f.SetCellStyle(sheetName, fmt.Sprintf("A%d", first), fmt.Sprintf("%s%d", colLast, last), st.text)
	for _, col := range []string{colInvest, colDone, colAlloc, colPaid} {
		f.SetCellStyle(sheetName, fmt.Sprintf("%s%d", col, first), fmt.Sprintf("%s%d", col, last), st.number)
	}
	for _, col := range []string{colRate, colPaidRate} {
		f.SetCellStyle(sheetName, fmt.Sprintf("%s%d", col, first), fmt.Sprintf("%s%d", col, last), st.percent)
	}
	return last + 1, nil
}

// writeLedgerTotal adds the 合计 row: the exact sums of investment, work
// done, funds allocated and disbursed, written as values (not formulas) so
// that the figures read the same in every program, and the 拨付率 of the
// whole: disbursed over each project's base (its allocation, else its
// planned investment through the month) where it has one.
func writeLedgerTotal(f *excelize.File, st styles, row int, ps []LedgerProject) error {
	var invest, done, alloc, paid, rateDisb, rateBase plan.Decimal
	for _, lp := range ps {
		if rep := lp.Report; rep != nil {
			if rep.Allocated != nil {
				alloc = alloc.Add(*rep.Allocated)
			}
			if _, base, ok := plan.DisbursementRate(rep.Disbursed, rep.Allocated, lp.Planned); ok {
				rateDisb = rateDisb.Add(*rep.Disbursed)
				if base == plan.FundsBaseAllocated {
					rateBase = rateBase.Add(*rep.Allocated)
				} else {
					rateBase = rateBase.Add(*lp.Planned)
				}
			}
		}
		if lp.Project.Investment != nil {
			invest = invest.Add(*lp.Project.Investment)
		}
		if lp.Report != nil && lp.Report.Investment != nil {
			done = done.Add(*lp.Report.Investment)
		}
		if lp.Report != nil && lp.Report.Disbursed != nil {
			paid = paid.Add(*lp.Report.Disbursed)
		}
	}
	r := fmt.Sprint(row)
	f.SetCellValue(sheetName, "A"+r, "合计")
	f.MergeCell(sheetName, "A"+r, "E"+r)
	f.SetCellValue(sheetName, colInvest+r, number(invest))
	f.SetCellValue(sheetName, colDone+r, number(done))
	f.SetCellValue(sheetName, colAlloc+r, number(alloc))
	f.SetCellValue(sheetName, colPaid+r, number(paid))
	if err := f.SetCellStyle(sheetName, "A"+r, colLast+r, st.total); err != nil {
		return err
	}
	if rateBase.IsPositive() {
		rate, _ := rateDisb.Div(rateBase.Decimal).Float64()
		f.SetCellValue(sheetName, colPaidRate+r, rate)
		return f.SetCellStyle(sheetName, colPaidRate+r, colPaidRate+r, st.totalPercent)
	}
	return nil
}

func finishLedgerSheet(f *excelize.File, lastRow int) error {
	last := colName(len(ledgerColumns))
	if err := f.SetPanes(sheetName, &excelize.Panes{Freeze: true, Split: false, XSplit: 2, YSplit: 4, TopLeftCell: "C5", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if err := f.AutoFilter(sheetName, fmt.Sprintf("A4:%s%d", last, lastRow-1), nil); err != nil {
		return err
	}
	orientation, size, fit := "landscape", 9, true // 9 = A4
	if err := f.SetPageLayout(sheetName, &excelize.PageLayoutOptions{Orientation: &orientation, Size: &size, FitToWidth: intPtr(1), FitToHeight: intPtr(0)}); err != nil {
		return err
	}
	if err := f.SetSheetProps(sheetName, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: sheetName + "!$3:$4", Scope: sheetName}); err != nil {
		return err
	}
	margin := 0.4
	return f.SetPageMargins(sheetName, &excelize.PageLayoutMarginsOptions{Left: &margin, Right: &margin, Top: &margin, Bottom: &margin})
}

func intPtr(n int) *int { return &n }

// lineHeight is the height of one line of 10 pt text, in points.
const lineHeight = 13.5

// fitRowHeights sets the rows of a project's block high enough for their
// wrapped text: spreadsheets do not grow rows for merged or pre-filled
// cells by themselves, and a printed ledger with cut-off text is useless.
// A merged cell's lines are shared among the rows it covers.
func fitRowHeights(f *excelize.File, first, last int) {
	lines := make([]int, last-first+1)
	for r := first; r <= last; r++ {
		for i := range ledgerColumns {
			if n := cellLines(f, colName(i+1), r); n > lines[r-first] {
				lines[r-first] = n
			}
		}
	}
	// Cells merged over the block: make the rows together tall enough.
	total := 0
	for _, n := range lines {
		total += n
	}
	need := 0
	for i := range ledgerColumns {
		need = max(need, cellLines(f, colName(i+1), first))
	}
	if extra := need - total; extra > 0 && last > first {
		for i := range lines {
			lines[i] += (extra + len(lines) - 1) / len(lines)
		}
	}
	for r := first; r <= last; r++ {
		f.SetRowHeight(sheetName, r, float64(max(1, lines[r-first]))*lineHeight+4)
	}
}

// cellLines estimates how many lines a cell's text wraps to: a Chinese
// character takes about 1.7 units of column width.
func cellLines(f *excelize.File, col string, row int) int {
	v, _ := f.GetCellValue(sheetName, fmt.Sprintf("%s%d", col, row), excelize.Options{RawCellValue: true})
	if v == "" {
		return 1
	}
	w, _ := f.GetColWidth(sheetName, col)
	perLine := max(1, int(w/1.7))
	n := 0
	for _, line := range strings.Split(v, "\n") {
		n += max(1, (utf8.RuneCountInString(line)+perLine-1)/perLine)
	}
	return n
}

// completionRate is the share of the year's work done: investment done
// over the annual investment where the plan gives one, otherwise the mean
// completion of the cumulative targets (each capped at 100%).
func completionRate(p plan.ProjectRecord, rep *plan.Report) (float64, bool) {
	if rep == nil {
		return 0, false
	}
	if p.Investment != nil && !p.Investment.IsZero() && rep.Investment != nil {
		return ratio(*rep.Investment, *p.Investment), true
	}
	var sum float64
	n := 0
	for _, t := range p.ActiveTargets() {
		a := rep.Actual(t.ID)
		if !t.Cumulative() || a == nil || t.Value.IsZero() {
			continue
		}
		sum += ratio(*a, t.Value)
		n++
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// ratio is a/b capped at 1, as a float for the spreadsheet's % format (a
// display value; the exact figures are in their own cells).
func ratio(a, b plan.Decimal) float64 {
	r, _ := a.Div(b.Decimal).Float64()
	return min(r, 1)
}

// number gives a spreadsheet number for an exact decimal. Sums are done
// in plan.Decimal before; a cell holds at most a few decimal places.
func number(d plan.Decimal) float64 {
	v, _ := d.Float64()
	return v
}

// implementation is the 主要实施内容 of a project: its text after the title
// sentence, without units and tags.
func implementation(p plan.ProjectRecord) string {
	text := p.Text
	if i := strings.Index(text, "。"); i >= 0 && strings.HasPrefix(text, p.Title) {
		text = text[i+len("。"):]
	}
	return strings.TrimSpace(beforeUnits(text))
}

// beforeUnits cuts a project's text before its unit clause
// （牵头单位：…） or ［责任单位：…］, which the ledger has columns for.
func beforeUnits(text string) string {
	i := strings.Index(text, "单位：")
	if i < 0 {
		return text
	}
	if open := strings.LastIndexAny(text[:i], "（([【［"); open >= 0 {
		return text[:open]
	}
	return text
}

func unitNames(p plan.ProjectRecord) []string {
	var names []string
	for _, u := range p.Units {
		names = append(names, u.UnitName)
	}
	return names
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func colName(n int) string {
	name, _ := excelize.ColumnNumberToName(n)
	return name
}
