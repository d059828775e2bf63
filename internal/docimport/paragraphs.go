package docimport

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// item is a repaired paragraph or a table, with the input line it starts on.
type item struct {
	line     int
	text     string
	table    [][]string
	rowLines []int
	// head is the paragraph's numbering, read once (numbered is false for
	// unnumbered paragraphs and tables).
	head     heading
	numbered bool
}

// repairParagraphs cleans every paragraph and joins the pieces that page
// breaks and line wrapping cut apart ("建设 2 家区域" / "性中心敬老院…").
// Blank paragraphs are dropped; tables pass through.
func repairParagraphs(blocks []block) []item {
	out := make([]item, 0, len(blocks))
	for _, b := range blocks {
		if b.table != nil {
			out = append(out, item{line: b.line, table: b.table, rowLines: b.rowLines})
			continue
		}
		t := cleanText(b.text)
		if t == "" {
			continue
		}
		if n := len(out); n > 0 && out[n-1].table == nil && joins(out[n-1].text, t) {
			out[n-1].text += t
		} else {
			out = append(out, item{line: b.line, text: t})
		}
	}
	for i := range out {
		if out[i].table == nil {
			out[i].head, out[i].numbered = parseHeading(out[i].text)
		}
	}
	return out
}

// joins reports whether next is the rest of prev, cut off by a page break
// or a line wrap.
func joins(prev, next string) bool {
	if startsStructure(next) {
		return false
	}
	if isUnitLine(prev) && !endsWithBracketedUnits(prev) {
		// 牵头单位：区住建 / 局；配合单位：… — a unit name cut in two.
		last, _ := lastRune(prev)
		head, _, _ := strings.Cut(next, "；")
		return !strings.ContainsRune("。；）)", last) && runeLen(head) <= 6
	}
	return continuesBelow(prev)
}

var ()

// isUnitLine: a line that starts with 牵头单位： or （责任单位： and the like.
func isUnitLine(t string) bool {
	t = strings.TrimLeft(t, "（([【")
	for _, role := range unitRoles {
		if rest, ok := strings.CutPrefix(t, role); ok {
			rest, ok = strings.CutPrefix(rest, "单位")
			if !ok {
				rest, ok = strings.CutPrefix(rest, "部门")
			}
			return ok && (strings.HasPrefix(rest, "：") || strings.HasPrefix(rest, ":"))
		}
	}
	return false
}

// isDateLine: a line that starts with a date, 2024年7月25日.
func isDateLine(t string) bool {
	return len(t) > 4 && t[0] >= '0' && t[0] <= '9' && dateLine.MatchString(t)
}

var dateLine = regexp.MustCompile(`^\d{4}年\d{1,2}月\d{1,2}日`)

// isClosingWord: the text starts with the name of the closing section.
func isClosingWord(t string) bool { return hasAnyPrefix(t, closingWords) }

var closingWords = []string{"工作要求", "保障措施", "组织保障", "工作措施", "有关要求", "组织实施", "相关要求"}

// startsStructure: a paragraph that begins something of its own and so is
// never the tail of the one before.
func startsStructure(t string) bool {
	_, isHeading := parseHeading(t)
	return isHeading || isUnitLine(t) || isDateLine(t) ||
		strings.HasPrefix(t, "附件") || strings.HasPrefix(t, "抄送") ||
		(isClosingWord(t) && runeLen(t) <= 12) ||
		(strings.HasPrefix(t, "各") && strings.HasSuffix(t, "：") && runeLen(t) < 120)
}

// continuesBelow: the paragraph stops mid-sentence, so the next one, unless it
// starts something new, is its continuation. A bracket left open always
// continues; otherwise only a long line that ends without closing
// punctuation does — short lines are headings, names and dates.
func continuesBelow(t string) bool {
	if unclosed(t) {
		return true
	}
	if runeLen(t) < 20 || endsWithUnits(t) || hasAnySuffix(t, titleEndings) {
		return false
	}
	last, _ := lastRune(t)
	return !strings.ContainsRune("。！？；：!?;:", last)
}

func lastRune(s string) (rune, bool) {
	if s == "" {
		return 0, false
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return r, true
}

// unclosed reports whether s leaves a bracket or quotation open.
func unclosed(s string) bool {
	const opens, closes = "（(《“[【〔", "）)》”]】〕"
	var depth [7]int
	for _, r := range s {
		if i := strings.IndexRune(opens, r); i >= 0 {
			depth[utf8.RuneCountInString(opens[:i])]++
		} else if i := strings.IndexRune(closes, r); i >= 0 {
			if k := utf8.RuneCountInString(closes[:i]); depth[k] > 0 {
				depth[k]--
			}
		}
	}
	return depth != [7]int{}
}

func endsWithBracketedUnits(t string) bool {
	last, _ := lastRune(t)
	open := lastIndexAnyOf(t, openBrackets)
	return strings.ContainsRune("）)]】", last) && open >= 0 && len(findUnitKeys(t[open:])) > 0
}

// titleEndings end a document's title line (…的通知, …安排方案).
var titleEndings = []string{"通知", "方案", "清单", "计划", "意见", "决定", "办法", "安排", "计划表", "项目表"}

// endsWithUnits: the paragraph closes with a unit clause, （牵头单位：…）.
func endsWithUnits(t string) bool {
	if isUnitLine(t) {
		return true
	}
	last, _ := lastRune(t)
	if !strings.ContainsRune("）)]】", last) {
		return false
	}
	open := lastIndexAnyOf(t, openBrackets)
	return open >= 0 && len(findUnitKeys(t[open:])) > 0
}
