package plan

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Multi-year sub-projects (跨年度项目). A row of the 计划清单 whose 实施年限
// spans years ("2024-2025") is promised in part this year: its expected
// outcome states the share of the whole works done by the year's end
// ("完成总工程量70%，预计2025年12月完工"), which the importer reads as a
// progress target of the sub-project. The rules:
//
//   - the figure of the document is cumulative, a share of the whole works
//     at the end of the year (总工程量 is the whole);
//   - this year's share — the target supervised this year — is that figure
//     less what was reached by the end of last year (0 in the first year);
//   - in the last year of the span, a document that gives no figure means
//     the works are finished: 100%;
//   - otherwise, when the document gives no figure, there is no split: the
//     importer says so and the supervisor sets it on the draft.

// YearSpan reads an 实施年限 cell: "2024-2025年", "2024—2025", "2024年",
// "2024年-2025年". ok is false for anything else.
func YearSpan(s string) (from, to int, ok bool) {
	var years []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1990 || n > 2100 {
			return 0, 0, false
		}
		years = append(years, n)
	}
	switch {
	case len(years) == 1:
		return years[0], years[0], true
	case len(years) == 2 && years[0] <= years[1]:
		return years[0], years[1], true
	}
	return 0, 0, false
}

// MultiYearItem is a multi-year sub-project of a plan in the plan's year.
type MultiYearItem struct {
	ProjectIndex int    `json:"project_index"` // into Plan.Projects
	ProjectSeq   int    `json:"project_seq"`
	ProjectTitle string `json:"project_title"`
	Subproject   string `json:"subproject"`
	Span         string `json:"span"`
	From         int    `json:"from"`
	To           int    `json:"to"`
	// TargetIndex is the sub-project's progress target in the project, -1
	// when the document gives none.
	TargetIndex int `json:"target_index"`
	// YearEnd is the share of the whole works (%) the document promises by
	// the end of the year: the progress target's value, or 100 in the last
	// year of the span when there is no target; nil when there is no split.
	YearEnd *Decimal `json:"year_end"`
}

// MultiYearItems lists the sub-projects of p whose span runs over more
// than one year and includes p.Year, in document order.
func MultiYearItems(p *Plan) []MultiYearItem {
	var out []MultiYearItem
	for i := range p.Projects {
		pr := &p.Projects[i]
		for _, s := range pr.Subprojects {
			if s.Years == nil {
				continue
			}
			from, to, ok := YearSpan(*s.Years)
			if !ok || from == to || p.Year < from || p.Year > to {
				continue
			}
			it := MultiYearItem{ProjectIndex: i, ProjectSeq: pr.Seq, ProjectTitle: pr.Title, Subproject: s.Name,
				Span: fmt.Sprintf("%d-%d", from, to), From: from, To: to, TargetIndex: progressTarget(pr, s.Name)}
			switch {
			case it.TargetIndex >= 0:
				v := pr.Targets[it.TargetIndex].Value
				it.YearEnd = &v
			case to == p.Year:
				v := DecimalFromInt(100)
				it.YearEnd = &v
			}
			out = append(out, it)
		}
	}
	return out
}

// progressTarget is the index of the project's progress target for the
// sub-project, or -1.
func progressTarget(p *Project, sub string) int {
	for j, t := range p.Targets {
		if t.Kind == KindProgress && t.Unit == "%" && t.Subproject != nil && *t.Subproject == sub {
			return j
		}
	}
	return -1
}

// MultiYearFindings say, for each multi-year sub-project of p, what this
// year's share is — or that the document gives none, as a warning the
// supervisor resolves by setting the share on the draft.
func MultiYearFindings(p *Plan) []Finding {
	var out []Finding
	for _, it := range MultiYearItems(p) {
		seq := it.ProjectSeq
		f := Finding{Severity: SeverityInfo, Code: "multi_year_share", ProjectSeq: &seq}
		switch {
		case it.YearEnd != nil && it.From < p.Year:
			f.Message = fmt.Sprintf("子项目「%s」实施年限%s年，为续建项目：%d年末累计应完成总工程量的%s%%，本年度目标为其中尚未完成的部分（在“跨年度结转”中按上年完成情况确定）", it.Subproject, it.Span, p.Year, it.YearEnd)
		case it.TargetIndex >= 0:
			f.Message = fmt.Sprintf("子项目「%s」实施年限%s年，%d年末应完成总工程量的%s%%，作为本年度目标", it.Subproject, it.Span, p.Year, it.YearEnd)
		default:
			f.Severity, f.Code = SeverityWarning, "multi_year_no_split"
			f.Message = fmt.Sprintf("子项目「%s」实施年限%s年，文件未写明%d年度应完成的工程量比例，请在校对时设定本年度目标", it.Subproject, it.Span, p.Year)
		}
		out = append(out, f)
	}
	return out
}

// YearShare is this year's share of a multi-year sub-project: the share of
// the whole to be reached by the year's end less what was reached before
// the year. It is never negative.
func YearShare(yearEnd, reachedBefore Decimal) Decimal {
	d := yearEnd.Sub(reachedBefore)
	if d.IsNegative() {
		return Decimal{}
	}
	return d
}

// SetYearShare makes the sub-project's progress target this year's share
// (value % of the whole works), adding the target when the document had
// none. reachedBefore > 0 marks a continuing sub-project: the target then
// counts this year's works only, and its text says how it was set.
func SetYearShare(p *Plan, projectIndex int, sub string, yearEnd, reachedBefore Decimal) error {
	if projectIndex < 0 || projectIndex >= len(p.Projects) {
		return FieldError("project_index", "计划中没有第 %d 个项目", projectIndex+1)
	}
	pr := &p.Projects[projectIndex]
	found := false
	for _, s := range pr.Subprojects {
		found = found || s.Name == sub
	}
	if !found {
		return FieldError("subproject", "项目「%s」没有子项目「%s」", pr.Title, sub)
	}
	if yearEnd.IsNegative() || yearEnd.GreaterThan(DecimalFromInt(100).Decimal) {
		return FieldError("year_end", "子项目「%s」的年末累计完成比例应在 0 到 100 之间", sub)
	}
	share := YearShare(yearEnd, reachedBefore)
	pct := "%"
	t := Target{Metric: "总工程量", Comparator: AtLeast, Value: share, Unit: "%", BaseValue: share.Ptr(), BaseUnit: &pct,
		Kind: KindProgress, Subproject: &sub}
	t.Text = fmt.Sprintf("%d年末完成总工程量%s%%", p.Year, yearEnd)
	if reachedBefore.IsPositive() {
		t.Metric = "本年度完成工程量"
		t.Text = fmt.Sprintf("上年末累计完成总工程量%s%%，%d年完成%s%%，年末累计达到%s%%", reachedBefore, p.Year, share, yearEnd)
	}
	j := progressTarget(pr, sub)
	if j >= 0 && !reachedBefore.IsPositive() && pr.Targets[j].Value.Equal(share.Decimal) && pr.Targets[j].Metric != "本年度完成工程量" {
		return nil // the document's own figure: kept as written
	}
	if j >= 0 {
		pr.Targets = append([]Target(nil), pr.Targets...)
		pr.Targets[j] = t
	} else {
		pr.Targets = append(append([]Target(nil), pr.Targets...), t)
	}
	// The finding that asked for the split is answered.
	for i := range p.Findings {
		f := &p.Findings[i]
		if f.Code == "multi_year_no_split" && strings.Contains(f.Message, "「"+sub+"」") {
			f.Severity, f.Code = SeverityInfo, "multi_year_share"
			f.Message = fmt.Sprintf("子项目「%s」本年度目标已设定：%s", sub, t.Text)
		}
	}
	return nil
}
