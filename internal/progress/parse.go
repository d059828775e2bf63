package progress

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"minsheng/internal/docimport"
	"minsheng/internal/plan"
)

// Limits of one upload.
const (
	MaxRows     = 20000 // rows of the sheet
	maxErrors   = 200   // listed; the count goes on
	maxText     = 5000  // runes of a text cell, as the report form allows
	maxNumber   = 32    // characters of a number cell
	headerRows  = 20    // the header is looked for in the first rows
	maxUnzipped = 256 << 20
)

// Parse reads an uploaded .xlsx workbook (its 进展填报 sheet) or a .csv
// file. A problem of the file as a whole is a *plan.Error; problems of
// cells are Errors, every one with its place.
func Parse(name string, data []byte) (*File, error) {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")) || ext == ".xlsx" || ext == ".xlsm":
		return parseXLSX(name, data)
	case ext == ".xls" || bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, fileError("“%s”是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再上传", name)
	}
	return parseCSV(name, data)
}

func fileError(format string, args ...any) *plan.Error {
	return &plan.Error{Code: plan.EInvalid, Field: "file", Message: fmt.Sprintf(format, args...)}
}

func parseXLSX(name string, data []byte) (*File, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped / 4})
	if err != nil {
		return nil, fileError("“%s”不是可读取的 .xlsx 工作簿（%v）", name, err)
	}
	defer f.Close()
	idx, err := f.GetSheetIndex(SheetName)
	if err != nil || idx < 0 {
		return nil, fileError("工作簿“%s”中没有“%s”工作表：请使用系统导出的工作台账或本单位填报模板，在该表中填写", name, SheetName)
	}
	rows, err := f.Rows(SheetName)
	if err != nil {
		return nil, fileError("无法读取工作表“%s”：%v", SheetName, err)
	}
	defer rows.Close()
	var grid [][]string
	var lines []int
	for n := 1; rows.Next(); n++ {
		if n > MaxRows+headerRows {
			return nil, fileError("工作表“%s”超过 %d 行，请分批上传", SheetName, MaxRows)
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fileError("无法读取工作表“%s”第%d行：%v", SheetName, n, err)
		}
		grid, lines = append(grid, cells), append(lines, n)
	}
	if err := rows.Error(); err != nil {
		return nil, fileError("无法读取工作表“%s”：%v", SheetName, err)
	}
	return parseGrid(&File{Name: name, Sheet: SheetName}, grid, lines)
}

func parseCSV(name string, data []byte) (*File, error) {
	text, enc, err := docimport.DecodeText(data)
	if err != nil {
		var ie *docimport.InputError
		if errors.As(err, &ie) {
			return nil, fileError("“%s”不是可读取的 CSV 文本：%s", name, ie.Msg)
		}
		return nil, fileError("“%s”不是可读取的 CSV 文本", name)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord, r.LazyQuotes, r.ReuseRecord = -1, true, false
	// Excel's "Unicode text" is tab-separated; its CSV uses commas.
	if first, _, _ := strings.Cut(text, "\n"); strings.Count(first, "\t") > strings.Count(first, ",") {
		r.Comma = '\t'
	}
	var grid [][]string
	var lines []int
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fileError("文件“%s”第%d行无法按 CSV 读取：%v", name, pe.StartLine, pe.Err)
			}
			return nil, fileError("文件“%s”无法按 CSV 读取：%v", name, err)
		}
		if len(grid) >= MaxRows+headerRows {
			return nil, fileError("文件“%s”超过 %d 行，请分批上传", name, MaxRows)
		}
		line, _ := r.FieldPos(0)
		grid, lines = append(grid, rec), append(lines, line)
	}
	return parseGrid(&File{Name: name, Encoding: enc}, grid, lines)
}

// colLetter is the spreadsheet letter of a 0-based column.
func colLetter(i int) string {
	s, _ := excelize.ColumnNumberToName(i + 1)
	return s
}

// parseGrid reads the rows of a sheet: the header, then a row per key.
func parseGrid(f *File, grid [][]string, lines []int) (*File, error) {
	var errs Errors
	add := func(place, format string, args ...any) {
		if len(errs) < maxErrors {
			errs = append(errs, CellError{Place: place, Message: fmt.Sprintf(format, args...)})
		}
	}
	header := -1
	for i := 0; i < len(grid) && i < headerRows; i++ {
		for _, c := range grid[i] {
			if normHeader(c) == Headers[ColKey] {
				header = i
				break
			}
		}
		if header >= 0 {
			break
		}
	}
	if header < 0 {
		return nil, fileError("%s找不到表头：前 %d 行中没有“%s”列。请使用系统导出的工作台账或本单位填报模板，不要删除表头和%s列", where(f), headerRows, Headers[ColKey], Headers[ColKey])
	}
	index := map[Column]int{}
	letters := map[Column]string{}
	for i, c := range grid[header] {
		h := normHeader(c)
		for col := Column(0); col < numColumns; col++ {
			if h == Headers[col] {
				if _, dup := index[col]; dup {
					return nil, fileError("%s第%d行表头中“%s”出现了两次（%s列和%s列）", where(f), lines[header], h, letters[col], colLetter(i))
				}
				index[col], letters[col] = i, colLetter(i)
			}
		}
	}
	for _, col := range required {
		if _, ok := index[col]; !ok {
			return nil, fileError("%s第%d行表头中没有“%s”列，请使用系统导出的模板", where(f), lines[header], Headers[col])
		}
	}
	cell := func(rec []string, col Column) string {
		if i, ok := index[col]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	seen := map[Key]int{}
	for gi := header + 1; gi < len(grid); gi++ {
		rec := grid[gi]
		r := Row{Line: lines[gi], cols: letters}
		blank := true
		for _, c := range rec {
			if strings.TrimSpace(c) != "" {
				blank = false
				break
			}
		}
		if blank {
			continue
		}
		r.Seq, r.Project, r.Name = cell(rec, ColSeq), cell(rec, ColProject), cell(rec, ColName)
		r.Annual, r.Unit = cell(rec, ColAnnual), cell(rec, ColUnit)
		keyText := cell(rec, ColKey)
		key, ok := ParseKey(keyText)
		if !ok {
			entered := false
			for col := ColActual; col < numColumns; col++ {
				entered = entered || cell(rec, col) != ""
			}
			switch {
			case keyText == "" && !entered:
				continue // a note or a blank line someone added
			case keyText == "":
				add(f.Place(&r, ColKey), "缺少编码，无法确定这一行是哪个项目。请勿删除或修改%s列；新增的行无法导入", Headers[ColKey])
			default:
				add(f.Place(&r, ColKey), "编码“%s”不是系统导出的编码（应为 P:、S: 或 T: 开头）", clip(keyText))
			}
			continue
		}
		r.Key = key
		if first, dup := seen[key]; dup {
			add(f.Place(&r, ColKey), "与第%d行的编码重复（同一项目、子项目或目标只能出现一次）", first)
			continue
		}
		seen[key] = r.Line
		for col := ColActual; col < numColumns; col++ {
			v := cell(rec, col)
			if v == "" {
				continue
			}
			if !allowed[key.Kind][col] {
				add(f.Place(&r, col), "%s行不填此列（%s）", key.Kind.Label(), wrongColumnHint(key.Kind, col))
				continue
			}
			if !col.figure() {
				if n := utf8.RuneCountInString(v); n > maxText {
					add(f.Place(&r, col), "不能超过 %d 字（现有 %d 字）", maxText, n)
					continue
				}
				switch col {
				case ColProgress:
					r.Progress = v
				case ColProblems:
					r.Problems = v
				case ColNextSteps:
					r.NextSteps = v
				}
				continue
			}
			d, msg := parseNumber(v, key.Kind == KindTarget)
			if msg != "" {
				add(f.Place(&r, col), "%s", msg)
				continue
			}
			switch col {
			case ColActual:
				r.Actual = d
			case ColSpent:
				r.Spent = d
			case ColAllocated:
				r.Allocated = d
			case ColDisbursed:
				r.Disbursed = d
			}
		}
		f.Rows = append(f.Rows, r)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(f.Rows) == 0 {
		return nil, fileError("%s表头之下没有可导入的行", where(f))
	}
	return f, nil
}

func where(f *File) string {
	if f.Sheet != "" {
		return "工作表“" + f.Sheet + "”"
	}
	return "文件“" + f.Name + "”"
}

func wrongColumnHint(k Kind, c Column) string {
	switch {
	case k == KindTarget:
		return "目标行只填“累计完成值”"
	case k == KindSubproject && c == ColActual:
		return "目标的完成值请填在对应的目标行"
	case k == KindSubproject:
		return "进展文字请填在项目行"
	}
	return "完成值请填在对应的目标行"
}

// normHeader compares header texts without spaces and line breaks, which
// people add to make a column narrower.
func normHeader(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', '\u3000':
			return -1
		}
		return r
	}, s)
}

// parseNumber reads a figure typed into a cell: thousands separators and
// full-width digits are accepted, and a percent sign for a target (a rate
// written as 95%). It returns the problem as a message.
func parseNumber(v string, percentOK bool) (*plan.Decimal, string) {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '．':
			return '.'
		case r == '－':
			return '-'
		case r == ',' || r == '，' || r == ' ' || r == '\u3000':
			return -1
		}
		return r
	}, v)
	if percentOK {
		s = strings.TrimSuffix(strings.TrimSuffix(s, "%"), "％")
	}
	if len(s) > maxNumber {
		return nil, "不是数字（过长）"
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r == '.' || r == '-' || r == '+' || r == 'e' || r == 'E') {
			return nil, fmt.Sprintf("不是数字：“%s”", clip(v))
		}
	}
	d, err := plan.ParseDecimal(s)
	if err != nil {
		return nil, fmt.Sprintf("不是数字：“%s”", clip(v))
	}
	if d.Exponent() > 12 || d.NumDigits()+int(d.Exponent()) > 16 {
		return nil, fmt.Sprintf("数值“%s”超出可填写的范围", clip(v))
	}
	// A workbook keeps computed cells as binary floating point
	// (0.30000000000000004): eight places are more than any figure needs.
	if d.Exponent() < -8 {
		d = plan.Decimal{Decimal: d.Round(8)}
	}
	if d.IsNegative() {
		return nil, fmt.Sprintf("不能为负数：“%s”", clip(v))
	}
	return &d, ""
}

// clip shortens what a person typed for quoting in a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 20 {
		return s
	}
	return string([]rune(s)[:20]) + "…"
}
