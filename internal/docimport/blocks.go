package docimport

import (
	"strings"
	"unicode/utf8"

	"minsheng/internal/docx"
)

// textBlocks turns a plain-text plan into paragraphs and tables, the same
// shape docx.Read gives, so that one parser serves both.
//
// Two table layouts occur in text exports: one cell per line, each line
// starting with a tab, rows separated by one blank line (what Word's
// "save as text" writes); and one row per line with tab-separated cells
// (copied from Excel).
func textBlocks(text string) []block {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.TrimPrefix(text, "\uFEFF")
	lines := strings.Split(text, "\n")

	out := make([]block, 0, len(lines)/2)
	for i := 0; i < len(lines); {
		switch {
		case strings.HasPrefix(lines[i], "\t"):
			table, rowLines, next := cellPerLineTable(lines, i)
			out = append(out, block{line: i + 1, table: table, rowLines: rowLines})
			i = next
		case isRowPerLine(lines[i]):
			b := block{line: i + 1}
			for ; i < len(lines) && isRowPerLine(lines[i]); i++ {
				b.table = append(b.table, splitRow(lines[i]))
				b.rowLines = append(b.rowLines, i+1)
			}
			out = append(out, b)
		default:
			// Blank lines carry nothing: paragraph repair works on text.
			if t := strings.TrimRight(lines[i], " \t\u3000"); t != "" {
				out = append(out, block{line: i + 1, text: t})
			}
			i++
		}
	}
	return out
}

// block is a paragraph or a table with the input line each of its rows
// starts on.
type block struct {
	line     int
	text     string
	table    [][]string
	rowLines []int
}

// docxBlocks gives a .docx's blocks the same shape; docx.Read counts each
// paragraph and each table row as one line.
func docxBlocks(bs []docx.Block) []block {
	out := make([]block, len(bs))
	for i, b := range bs {
		out[i] = block{line: b.Line, text: b.Text, table: b.Table}
		for r := range b.Table {
			out[i].rowLines = append(out[i].rowLines, b.Line+r)
		}
	}
	return out
}

// isRowPerLine: a line with at least two tab-separated non-empty cells.
func isRowPerLine(line string) bool {
	if strings.HasPrefix(line, "\t") || !strings.Contains(line, "\t") {
		return false
	}
	n := 0
	for rest := line; rest != ""; {
		cell, after, _ := strings.Cut(rest, "\t")
		if strings.TrimSpace(cell) != "" {
			n++
		}
		rest = after
	}
	return n >= 2
}

func splitRow(line string) []string {
	cells := strings.Split(line, "\t")
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells
}

// cellPerLineTable reads a table written one cell per line from lines[start]
// and returns it with the index of the first line after it.
//
// A cell's text may run over several lines: a single line break separates
// paragraphs inside the cell (区卫健委\n南外街道), a blank line between two
// text lines is a wrapped word (区文广\n\n新旅局). Rows are separated by
// exactly one blank line before a tab line; two or more blank lines are
// empty paragraphs at the end of a cell.
func cellPerLineTable(lines []string, start int) ([][]string, []int, int) {
	var (
		rowLines []int
		rows     [][]string
		row      []string
		cell     []string // the current cell's lines, "" for blank lines
		blanks   int      // blank lines seen since the last text line
	)
	flushCell := func() {
		if cell != nil {
			row = append(row, joinCellLines(cell))
			cell = nil
		}
	}
	flushRow := func() {
		flushCell()
		if row != nil {
			rows = append(rows, row)
			row = nil
		}
	}
	i := start
	for ; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \u3000")
		switch {
		case strings.TrimSpace(line) == "" && !strings.HasPrefix(line, "\t"):
			blanks++
			continue
		case strings.HasPrefix(line, "\t"):
			if blanks == 1 || row == nil && cell == nil {
				flushRow()
				rowLines = append(rowLines, i+1)
			} else {
				flushCell()
			}
			for _, c := range strings.Split(line[1:], "\t") {
				flushCell()
				cell = []string{c}
			}
		case blanks <= 1 && cell != nil && (blanks == 0 || isWrappedTail(line)):
			for ; blanks > 0; blanks-- {
				cell = append(cell, "")
			}
			cell = append(cell, line)
		default:
			// A paragraph after the table.
			flushRow()
			return rows, rowLines, i - blanks
		}
		blanks = 0
	}
	flushRow()
	return rows, rowLines, i
}

// isWrappedTail: a short line after a blank inside a table is the rest of a
// wrapped cell (集团, 新旅局, （万元）), not a new paragraph.
func isWrappedTail(line string) bool {
	line = strings.TrimSpace(line)
	return utf8.RuneCountInString(line) <= 12 && !strings.HasSuffix(line, "。")
}

// joinCellLines applies the cell rules of cellPerLineTable.
func joinCellLines(cell []string) string {
	for len(cell) > 0 && strings.TrimSpace(cell[len(cell)-1]) == "" {
		cell = cell[:len(cell)-1]
	}
	var b strings.Builder
	wrapped := false
	for i, l := range cell {
		l = strings.TrimSpace(l)
		if l == "" {
			wrapped = true
			continue
		}
		if i > 0 && !wrapped {
			b.WriteByte('\n')
		}
		b.WriteString(l)
		wrapped = false
	}
	return b.String()
}
