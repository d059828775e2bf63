// Package progress reads and writes the 进展填报 sheet: the flat sheet of
// the 工作台账 workbook (and of a unit's 填报模板) in which a unit with many
// sub-projects types a month's figures instead of clicking through a form
// per project, then uploads the workbook — or the sheet saved as CSV, in
// UTF-8 or GB18030 as Excel on Chinese Windows saves it.
//
// Why a sheet of its own rather than the 台账 sheet: the 台账 keeps the
// layout of the plan's 计划清单, one block of merged cells per project and
// no column per target; merged blocks cannot be sorted or saved as CSV
// faithfully. The 进展填报 sheet has one row per project, sub-project and
// target, no merged cells, and a first column 编码 (hidden in the
// workbook) holding the row's stable key — P:, S: or T: and the project,
// sub-project or target ID the system gave it. Rows are matched by that
// key, never by position, so a sheet sorted, filtered or with rows
// deleted still maps correctly (a deleted row changes nothing); a row
// without a key, with a key the system does not know, or whose name no
// longer matches its key fails with its row number.
//
// Columns are found by their header text, so moving a column is harmless.
// Every cell is checked here (numbers, where a figure does not belong);
// what needs the database — whose row it is, whether the unit may write
// it, the report's rules — is checked by store.ApplyProgress, which
// writes nothing unless the whole file is valid.
package progress

import (
	"fmt"
	"strings"

	"minsheng/internal/plan"
)

// SheetName is the name of the sheet in a workbook.
const SheetName = "进展填报"

// Kind is what a row is about.
type Kind string

// Row kinds, as the key's prefix and the 类型 column say.
const (
	KindProject    Kind = "P"
	KindSubproject Kind = "S"
	KindTarget     Kind = "T"
)

// Label is the kind's name in the 类型 column.
func (k Kind) Label() string {
	switch k {
	case KindProject:
		return "项目"
	case KindSubproject:
		return "子项目"
	case KindTarget:
		return "目标"
	}
	return string(k)
}

// Key is a row's stable key: "P:prj_…", "S:sub_…", "T:tgt_…".
type Key struct {
	Kind Kind
	ID   string
}

func (k Key) String() string { return string(k.Kind) + ":" + k.ID }

// ParseKey reads a key cell.
func ParseKey(s string) (Key, bool) {
	kind, id, ok := strings.Cut(strings.TrimSpace(s), ":")
	id = strings.TrimSpace(id)
	switch Kind(kind) {
	case KindProject, KindSubproject, KindTarget:
		if ok && id != "" && !strings.ContainsAny(id, " \t\r\n") {
			return Key{Kind(kind), id}, true
		}
	}
	return Key{}, false
}

// Column is one column of the sheet.
type Column int

// The columns, in the order the template writes them.
const (
	ColKey Column = iota
	ColSeq
	ColProject
	ColKind
	ColName
	ColAnnual
	ColUnit
	ColActual
	ColSpent
	ColAllocated
	ColDisbursed
	ColProgress
	ColProblems
	ColNextSteps
	numColumns
)

// Headers are the columns' header texts; the parser finds columns by them.
var Headers = [numColumns]string{
	"编码", "序号", "民生实事名称", "类型", "子项目/指标", "年度目标/年度投资", "单位",
	"累计完成值", "累计完成投资（万元）", "累计到位资金（万元）", "累计拨付资金（万元）",
	"本月进展", "存在问题", "下步打算",
}

// required columns: without them a file cannot be read.
var required = []Column{ColKey, ColProject, ColName}

// Which figure and text columns each kind of row may fill.
var allowed = map[Kind]map[Column]bool{
	KindProject:    {ColSpent: true, ColAllocated: true, ColDisbursed: true, ColProgress: true, ColProblems: true, ColNextSteps: true},
	KindSubproject: {ColSpent: true, ColAllocated: true, ColDisbursed: true},
	KindTarget:     {ColActual: true},
}

// Figure columns hold numbers.
func (c Column) figure() bool { return c >= ColActual && c <= ColDisbursed }

// Row is one row of the sheet: the key, the names written beside it, and
// the values typed (nil or "" where the cell is blank: blank leaves the
// value as it is).
type Row struct {
	Line    int // row number in the sheet (1-based), 0 for rows built to write
	Key     Key
	Seq     string
	Project string // 民生实事名称
	Name    string // the sub-project's name or the target's metric
	Annual  string // 年度目标/年度投资, for the reader
	Unit    string

	Actual, Spent, Allocated, Disbursed *plan.Decimal
	Progress, Problems, NextSteps       string

	cols map[Column]string // column letters of the parsed file
}

// Figure returns the row's value of a figure column.
func (r *Row) Figure(c Column) *plan.Decimal {
	switch c {
	case ColActual:
		return r.Actual
	case ColSpent:
		return r.Spent
	case ColAllocated:
		return r.Allocated
	case ColDisbursed:
		return r.Disbursed
	}
	return nil
}

// Text returns the row's value of a text column.
func (r *Row) Text(c Column) string {
	switch c {
	case ColProgress:
		return r.Progress
	case ColProblems:
		return r.Problems
	case ColNextSteps:
		return r.NextSteps
	}
	return ""
}

// File is a parsed upload.
type File struct {
	Name     string // the uploaded file's name
	Sheet    string // the sheet read; "" for a CSV
	Encoding string // of a CSV
	Rows     []Row
}

// Place names a cell of the file for a person: 工作表“进展填报”第12行 I列
// （累计完成投资（万元））, or 第12行 for the row as a whole.
func (f *File) Place(r *Row, c Column) string {
	where := "第" + fmt.Sprint(r.Line) + "行"
	if f.Sheet != "" {
		where = "工作表“" + f.Sheet + "”" + where
	} else if f.Name != "" {
		where = "文件“" + f.Name + "”" + where
	}
	if c < 0 {
		return where
	}
	if col := r.cols[c]; col != "" {
		return where + " " + col + "列（" + Headers[c] + "）"
	}
	return where + "（" + Headers[c] + "）"
}

// CellError is a problem at a place in the file.
type CellError struct {
	Place   string
	Message string
}

func (e CellError) Error() string { return e.Place + "：" + e.Message }

// Errors are all the problems of a file; the first is the error's text.
type Errors []CellError

func (es Errors) Error() string {
	if len(es) == 1 {
		return es[0].Error()
	}
	return fmt.Sprintf("%s（共 %d 处错误）", es[0].Error(), len(es))
}

// PlanError turns the errors into the one error type of the domain: an
// invalid-input error whose Details list every place.
func (es Errors) PlanError() *plan.Error {
	e := &plan.Error{Code: plan.EInvalid, Field: "file",
		Message: fmt.Sprintf("文件中有 %d 处错误，没有写入任何数据。第一处：%s", len(es), es[0].Error())}
	for _, ce := range es {
		e.Details = append(e.Details, plan.Problem{Field: ce.Place, Message: ce.Error(), Severity: plan.ProblemError})
	}
	return e
}
