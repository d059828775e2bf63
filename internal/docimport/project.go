package docimport

import (
	"strings"
	"unicode/utf8"

	"minsheng/internal/plan"
)

// interpret turns a project's paragraphs into a plan.Project: title, tags,
// units, and the targets read from its text.
func interpret(rp *rawProject, f *findings) plan.Project {
	p := plan.Project{Seq: rp.seq, CategorySeq: rp.category}
	first := rp.paras[0]
	p.Text = strings.Join(rp.paras, "\n")
	if i := strings.Index(first, "。"); i >= 0 {
		p.Title = cleanTitle(first[:i])
	} else {
		p.Title = cleanTitle(first)
	}
	p.Tags = readTags(p.Text)
	p.LeadUnits, p.ResponsibleUnits = readUnits(p.Text)
	if len(p.LeadUnits) == 0 && len(p.ResponsibleUnits) == 0 {
		seq := rp.seq
		f.add(plan.SeverityWarning, "no_units", "项目「"+p.Title+"」没有写明牵头单位或责任单位", &seq, rp.line)
	}
	p.Targets = readTargets(withoutUnits(p.Text))
	if len(p.Targets) == 0 {
		seq := rp.seq
		f.add(plan.SeverityInfo, "no_targets", "项目「"+p.Title+"」的文字中没有可量化的目标，需在月度计划中补充", &seq, rp.line)
	}
	return p
}

// cleanTitle removes tags, unit clauses and closing punctuation from a
// project's title sentence.
func cleanTitle(s string) string { return trimPunct(withoutUnits(s)) }

// withoutUnits is a project's text without unit clauses — bracketed
// （牵头单位：…） or a line of their own — and tags: the part that promises
// something.
func withoutUnits(t string) string {
	if !strings.Contains(t, "[") && !strings.Contains(t, "【") && !strings.Contains(t, "［") && len(findUnitKeys(t)) == 0 {
		return t
	}
	var b strings.Builder
	b.Grow(len(t))
	for _, line := range strings.SplitAfter(t, "\n") {
		if isUnitLine(line) {
			continue
		}
		for line != "" {
			open, close := nextBracket(line)
			if open < 0 {
				b.WriteString(line)
				break
			}
			inner := line[open:close]
			b.WriteString(line[:open])
			if len(findUnitKeys(inner)) == 0 && !isTag(inner) {
				b.WriteString(inner)
			}
			line = line[close:]
		}
	}
	return b.String()
}

// nextBracket finds the first bracketed stretch of s, brackets included:
// s[open:close]. A bracket left open gives -1.
func nextBracket(s string) (open, close int) {
	open = indexAnyOf(s, openBrackets)
	if open < 0 {
		return -1, -1
	}
	r, size := utf8.DecodeRuneInString(s[open:])
	closer := closers(r)
	depth := 0
	for i, c := range s[open+size:] {
		switch {
		case c == r:
			depth++
		case strings.ContainsRune(closer, c):
			if depth == 0 {
				return open, open + size + i + utf8.RuneLen(c)
			}
			depth--
		}
	}
	return -1, -1
}

func closers(open rune) string {
	switch open {
	case '（', '(':
		return "）)"
	case '[', '［':
		return "]］"
	}
	return "】"
}

// isTag: [市、区人大票决项目] and the like.
func isTag(bracketed string) bool {
	r, size := utf8.DecodeRuneInString(bracketed)
	inner := strings.TrimRight(bracketed[size:], "]】］")
	return strings.ContainsRune("[【［", r) && strings.HasSuffix(inner, "项目")
}
