package docimport

import (
	"fmt"
	"strings"

	"minsheng/internal/plan"
)

// rawProject is a project's paragraphs before they are interpreted.
type rawProject struct {
	seq      int
	number   int // as printed, to check the numbering
	line     int
	category *int
	paras    []string
	hasUnits bool
}

// body is what the plan's body holds: categories, projects, and the tables
// (the attachment's 计划清单) with the lines they start on.
type body struct {
	categories []plan.Category
	projects   []*rawProject
	tables     []item
}

// readBody walks the items after the title. Numbering decides the shape:
// when the first scheme's headings are bare titles (一、大力推动稳就业增收)
// and a second scheme follows them, the first are categories and the
// second projects; otherwise the first scheme numbers the projects. A
// heading such as 工作要求 closes the list: what follows it is not a project.
func readBody(items []item, f *findings) body {
	var b body
	catScheme, projScheme := chooseSchemes(items)
	var (
		cur      *rawProject
		category *int
		closing  bool
		unplaced []item
		attached bool
	)
	for _, it := range items {
		if it.table != nil {
			b.tables = append(b.tables, it)
			continue
		}
		if strings.HasPrefix(it.text, "附件") {
			attached = true
		}
		if attached {
			continue // the attachment's own headings; its table is read apart
		}
		h, isHeading := it.head, it.numbered
		switch {
		case isClosing(it.text, h, isHeading):
			closing, cur = true, nil
		case closing:
		case isHeading && h.scheme == catScheme:
			seq := len(b.categories) + 1
			b.categories = append(b.categories, plan.Category{Seq: seq, Title: trimPunct(h.rest)})
			category, cur = &seq, nil
		case isHeading && h.scheme == projScheme:
			for _, u := range unplaced {
				f.add(plan.SeverityWarning, "unplaced_text", fmt.Sprintf("无法归入任何项目的文字：「%s」", clip(u.text, 40)), nil, u.line)
			}
			unplaced = nil
			cur = &rawProject{seq: len(b.projects) + 1, number: h.n, line: it.line, category: category, paras: []string{h.rest}}
			cur.hasUnits = hasUnitClause(h.rest)
			b.projects = append(b.projects, cur)
		case cur != nil && (!cur.hasUnits || isUnitLine(it.text)):
			cur.paras = append(cur.paras, it.text)
			cur.hasUnits = cur.hasUnits || hasUnitClause(it.text)
		case len(b.projects) > 0:
			// Text after a project's unit clause belongs to no project; it
			// is reported only if another project follows it.
			unplaced = append(unplaced, it)
			cur = nil
		}
	}
	checkNumbering(b.projects, f)
	return b
}

// chooseSchemes decides which numbering scheme marks categories (may be
// none) and which marks projects.
func chooseSchemes(items []item) (cat, proj string) {
	var order []string
	seen := map[string]bool{}
	titleOnly := map[string]bool{}
	count := map[string]int{}
	for _, it := range items {
		if it.table != nil {
			continue
		}
		if strings.HasPrefix(it.text, "附件") {
			break
		}
		h, ok := it.head, it.numbered
		if isClosing(it.text, h, ok) {
			break
		}
		if !ok {
			continue
		}
		count[h.scheme]++
		if !seen[h.scheme] {
			seen[h.scheme] = true
			order = append(order, h.scheme)
			titleOnly[h.scheme] = true
		}
		if !isClosingWord(h.rest) && (strings.Contains(h.rest, "。") || runeLen(h.rest) > 30 || hasUnitClause(h.rest)) {
			titleOnly[h.scheme] = false
		}
	}
	switch {
	case len(order) == 0:
		return "", ""
	case len(order) >= 2 && titleOnly[order[0]] && count[order[1]] >= count[order[0]]:
		return order[0], order[1]
	default:
		return "", order[0]
	}
}

// isClosing recognises the heading of the closing section (五、工作要求, or
// 工作要求 alone on its line), after which nothing is a project.
func isClosing(text string, h heading, isHeading bool) bool {
	if isHeading {
		text = h.rest
	}
	return isClosingWord(text) && runeLen(text) <= 12 && !strings.Contains(text, "。")
}

func checkNumbering(ps []*rawProject, f *findings) {
	for i, p := range ps {
		if p.number != i+1 {
			seq := p.seq
			f.add(plan.SeverityWarning, "numbering_gap", fmt.Sprintf("第 %d 个项目的编号是 %d，编号不连续", i+1, p.number), &seq, p.line)
		}
	}
}

// hasUnitClause: the text names units, in brackets （牵头单位：…） or on a
// line of their own.
func hasUnitClause(t string) bool {
	keys := findUnitKeys(t)
	if len(keys) == 0 {
		return false
	}
	if isUnitLine(t) {
		return true
	}
	for _, k := range keys {
		open := lastIndexAnyOf(t[:k.start], openBrackets)
		if open >= 0 && runeLen(strings.TrimSpace(t[open:k.start])) <= 1 {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}
