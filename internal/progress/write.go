package progress

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"minsheng/internal/plan"
)

// RowsFor lists the sheet's rows of projects for a month: per project a
// row of its own, then its sub-projects in force, then its targets in
// force, with the figures of its report in reports (the month's report,
// or the latest before it; none: blank) filled in so that a unit changes
// only what moved. Texts are filled only from the month's own report: last
// month's 本月进展 is not this month's.
func RowsFor(projects []plan.ProjectRecord, reports map[string]*plan.Report, period plan.Period) []Row {
	var out []Row
	for i := range projects {
		p := &projects[i]
		rep := reports[p.ID]
		seq := strconv.Itoa(p.Seq)
		pr := Row{Key: Key{KindProject, p.ID}, Seq: seq, Project: p.Title, Name: "（项目合计）", Unit: "万元"}
		if p.Investment != nil {
			pr.Annual = p.Investment.String()
		}
		if rep != nil {
			pr.Spent, pr.Allocated, pr.Disbursed = rep.Investment, rep.Allocated, rep.Disbursed
			if rep.Period == period {
				pr.Progress, pr.Problems, pr.NextSteps = rep.Progress, rep.Problems, rep.NextSteps
			}
		}
		out = append(out, pr)
		n := 0
		for _, s := range p.Subprojects {
			if s.RetiredBy != "" {
				continue
			}
			n++
			sr := Row{Key: Key{KindSubproject, s.ID}, Seq: fmt.Sprintf("%s.%d", seq, n), Project: p.Title, Name: s.Name, Unit: "万元"}
			if s.Investment != nil {
				sr.Annual = s.Investment.String()
			}
			if rep != nil {
				if f := rep.FundsOf(s.ID); f != nil {
					sr.Spent, sr.Allocated, sr.Disbursed = f.Spent, f.Allocated, f.Disbursed
				}
			}
			out = append(out, sr)
		}
		for _, t := range p.ActiveTargets() {
			tr := Row{Key: Key{KindTarget, t.ID}, Seq: seq, Project: p.Title, Name: t.Metric,
				Annual: comparatorWord(t.Comparator) + t.Value.String(), Unit: t.Unit}
			if rep != nil {
				tr.Actual = rep.Actual(t.ID)
			}
			out = append(out, tr)
		}
	}
	return out
}

func comparatorWord(c string) string {
	switch c {
	case plan.AtLeast:
		return "≥"
	case plan.AtMost:
		return "≤"
	case plan.MoreThan:
		return ">"
	case plan.LessThan:
		return "<"
	case plan.About:
		return "约"
	}
	return ""
}

// AddSheet adds the 进展填报 sheet to a workbook: a note on how to fill
// it, the header, the rows; 编码 hidden, columns to fill shaded, the
// header frozen, texts wrapped.
func AddSheet(f *excelize.File, rows []Row, note string) error {
	if _, err := f.NewSheet(SheetName); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(SheetName)
	if err != nil {
		return err
	}
	widths := [numColumns]float64{14, 6, 24, 7, 26, 14, 8, 12, 14, 14, 14, 36, 28, 28}
	for c, w := range widths {
		if err := sw.SetColWidth(c+1, c+1, w); err != nil {
			return err
		}
	}
	border := []excelize.Border{{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1}}
	style := func(s *excelize.Style) int {
		s.Border = border
		if s.Font == nil {
			s.Font = &excelize.Font{Family: "宋体", Size: 10}
		}
		id, _ := f.NewStyle(s)
		return id
	}
	head := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 10, Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}}})
	text := style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	entryText := style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF8E1"}}})
	entryNum := style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}, CustomNumFmt: strPtr("#,##0.####"), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF8E1"}}})
	grey := style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEEEEE"}}})
	noteStyle, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 10, Color: "555555"}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})

	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: noteStyle, Value: note}}, excelize.RowOpts{Height: 48}); err != nil {
		return err
	}
	if err := sw.MergeCell("A1", colLetter(int(numColumns)-1)+"1"); err != nil {
		return err
	}
	hdr := make([]any, numColumns)
	for c := range hdr {
		hdr[c] = excelize.Cell{StyleID: head, Value: Headers[c]}
	}
	if err := sw.SetRow("A2", hdr, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	for i, r := range rows {
		cells := make([]any, numColumns)
		fixed := []any{r.Key.String(), r.Seq, r.Project, r.Key.Kind.Label(), r.Name, r.Annual, r.Unit}
		for c, v := range fixed {
			cells[c] = excelize.Cell{StyleID: text, Value: v}
		}
		for c := ColActual; c < numColumns; c++ {
			st := grey
			if allowed[r.Key.Kind][c] {
				st = entryNum
				if !c.figure() {
					st = entryText
				}
			}
			var v any
			if d := r.Figure(c); d != nil && allowed[r.Key.Kind][c] {
				// A number cell, so that sums and formats work; the value
				// read back is the same decimal (at most a few places).
				fl, _ := d.Float64()
				v = fl
			} else if t := r.Text(c); t != "" {
				v = t
			}
			cells[c] = excelize.Cell{StyleID: st, Value: v}
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+3), cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := f.SetColVisible(SheetName, "A", false); err != nil {
		return err
	}
	if err := f.SetPanes(SheetName, &excelize.Panes{Freeze: true, XSplit: 0, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	last := colLetter(int(numColumns) - 1)
	return f.AutoFilter(SheetName, fmt.Sprintf("A2:%s%d", last, len(rows)+2), nil)
}

func strPtr(s string) *string { return &s }

// Note is the sheet's first line: how to fill it in.
func Note(period plan.Period) string {
	return strings.Join([]string{
		"填报说明：填写" + period.Label() + "末的年度累计数（万元、完成值），黄色单元格可填，灰色不填；留空的单元格保持系统中原有数值不变。",
		"可排序、筛选或删除不需要更新的行，但请勿修改隐藏的A列（编码）和“民生实事名称”“子项目/指标”列。填好后在系统“批量填报”页面上传本工作簿（或另存为CSV后上传）。",
	}, "\n")
}
