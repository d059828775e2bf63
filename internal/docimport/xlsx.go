package docimport

import (
	"bytes"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxBlocks reads a workbook — typically a 工作台账 this system exported,
// or a 计划清单 kept in Excel — as blocks: on each sheet, rows with a single
// filled cell before the table are paragraphs (the title), the rest one
// table. Merged cells keep their value in the top-left cell only, as in
// the text exports the table reader already understands.
func xlsxBlocks(raw []byte) ([]block, error) {
	f, err := excelize.OpenReader(bytes.NewReader(raw), excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, errorAt(0, "不是有效的 .xlsx 文件：%v", err)
	}
	defer f.Close()
	var out []block
	line := 0
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, errorAt(0, "无法读取工作表「%s」：%v", sheet, err)
		}
		var table block
		for _, row := range rows {
			line++
			if table.table == nil && filled(row) == 1 {
				out = append(out, block{line: line, text: strings.TrimSpace(firstFilled(row))})
				continue
			}
			if filled(row) == 0 {
				continue
			}
			if table.table == nil {
				table.line = line
			}
			table.table = append(table.table, row)
			table.rowLines = append(table.rowLines, line)
		}
		if table.table != nil {
			padRows(table.table) // a sheet keeps merged cells in place: only trailing blanks are missing
			out = append(out, table)
		}
	}
	return out, nil
}

func filled(row []string) int {
	n := 0
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

func firstFilled(row []string) string {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return c
		}
	}
	return ""
}

func padRows(rows [][]string) {
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	for i, r := range rows {
		for len(r) < width {
			r = append(r, "")
		}
		rows[i] = r
	}
}
