package docimport

import (
	"regexp"
	"strings"

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
func cleanTitle(s string) string {
	s = tagBracket.ReplaceAllString(s, "")
	s = unitClause.ReplaceAllString(s, "")
	return trimPunct(s)
}

var unitLineAll = regexp.MustCompile(`(?m)^[（(\[【]?(?:牵头|责任|配合|协办|参与|主办|实施)(?:单位|部门)[:：].*$`)

// withoutUnits is a project's text without unit clauses and tags: the part
// that promises something.
func withoutUnits(t string) string {
	if len(findUnitKeys(t)) == 0 {
		return tagBracket.ReplaceAllString(t, "")
	}
	t = unitClause.ReplaceAllString(t, "")
	t = unitLineAll.ReplaceAllString(t, "")
	return tagBracket.ReplaceAllString(t, "")
}
