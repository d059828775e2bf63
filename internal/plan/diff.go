package plan

import (
	"fmt"
	"strings"
)

// ChangeKind says what a Change is about.
type ChangeKind string

// Kinds of change between two versions of a plan.
const (
	ChangePlan           ChangeKind = "plan_changed"
	ChangeProjectAdded   ChangeKind = "project_added"
	ChangeProjectRemoved ChangeKind = "project_removed"
	ChangeProject        ChangeKind = "project_changed"
	ChangeTargetAdded    ChangeKind = "target_added"
	ChangeTargetRemoved  ChangeKind = "target_removed"
	ChangeTarget         ChangeKind = "target_changed"
)

// Change is one difference between two versions of a plan, with a Chinese
// sentence a supervisor can read in the list of changes.
type Change struct {
	Kind       ChangeKind `json:"kind"`
	ProjectSeq int        `json:"project_seq,omitempty"` // seq in the new version (old for removals)
	Project    string     `json:"project,omitempty"`     // the project's title
	Metric     string     `json:"metric,omitempty"`      // for target changes
	Field      string     `json:"field,omitempty"`       // schema field name that changed
	Old        string     `json:"old,omitempty"`
	New        string     `json:"new,omitempty"`
	Message    string     `json:"message"`
}

// Diff lists the changes from old to new, projects in the new document's
// order (removals after them), using MatchTargets to pair projects and
// targets.
func Diff(old, new *Plan) []Change {
	var cs []Change
	add := func(c Change) { cs = append(cs, c) }
	planField := func(field, label, a, b string) {
		if a != b {
			add(Change{Kind: ChangePlan, Field: field, Old: a, New: b,
				Message: fmt.Sprintf("%s由「%s」改为「%s」", label, orNone(a), orNone(b))})
		}
	}
	planField("title", "计划标题", old.Title, new.Title)
	planField("doc_number", "文号", strOrEmpty(old.DocNumber), strOrEmpty(new.DocNumber))
	planField("issuer", "发文机关", strOrEmpty(old.Issuer), strOrEmpty(new.Issuer))
	planField("total_investment_wan", "总投资（万元）", decStr(old.TotalInvestment), decStr(new.TotalInvestment))

	m := MatchTargets(old, new)
	matchedNew := map[int]int{}
	for _, p := range m.Projects {
		matchedNew[p.New] = p.Old
	}
	for j := range new.Projects {
		np := &new.Projects[j]
		i, ok := matchedNew[j]
		if !ok {
			add(Change{Kind: ChangeProjectAdded, ProjectSeq: np.Seq, Project: np.Title,
				Message: fmt.Sprintf("新增项目（%s）「%s」", SeqLabel(np.Seq), np.Title)})
			continue
		}
		op := &old.Projects[i]
		where := fmt.Sprintf("项目（%s）「%s」", SeqLabel(np.Seq), np.Title)
		field := func(f, label, a, b string) {
			if a != b {
				add(Change{Kind: ChangeProject, ProjectSeq: np.Seq, Project: np.Title, Field: f, Old: a, New: b,
					Message: fmt.Sprintf("%s：%s由「%s」改为「%s」", where, label, orNone(a), orNone(b))})
			}
		}
		field("title", "名称", op.Title, np.Title)
		field("seq", "序号", SeqLabel(op.Seq), SeqLabel(np.Seq))
		field("lead_units", "牵头单位", strings.Join(op.LeadUnits, "、"), strings.Join(np.LeadUnits, "、"))
		field("responsible_units", "责任单位", strings.Join(op.ResponsibleUnits, "、"), strings.Join(np.ResponsibleUnits, "、"))
		field("leaders", "责任领导", strings.Join(op.Leaders, "、"), strings.Join(np.Leaders, "、"))
		field("tags", "标注", strings.Join(op.Tags, "、"), strings.Join(np.Tags, "、"))
		field("investment_wan", "年度投资（万元）", decStr(op.Investment), decStr(np.Investment))
		if op.Text != np.Text && op.Title == np.Title {
			add(Change{Kind: ChangeProject, ProjectSeq: np.Seq, Project: np.Title, Field: "text",
				Message: fmt.Sprintf("%s：项目内容文字有修改", where)})
		}
		for _, tp := range m.Targets {
			if tp.New.Project != j {
				continue
			}
			ot, nt := &op.Targets[tp.Old.Target], &np.Targets[tp.New.Target]
			if ot.Metric != nt.Metric {
				add(Change{Kind: ChangeTarget, ProjectSeq: np.Seq, Project: np.Title, Metric: nt.Metric, Field: "metric", Old: ot.Metric, New: nt.Metric,
					Message: fmt.Sprintf("%s：目标「%s」更名为「%s」", where, ot.Metric, nt.Metric)})
			}
			if a, b := TargetPhrase(ot), TargetPhrase(nt); a != b {
				add(Change{Kind: ChangeTarget, ProjectSeq: np.Seq, Project: np.Title, Metric: nt.Metric, Field: "value", Old: a, New: b,
					Message: fmt.Sprintf("%s：目标「%s」由 %s 改为 %s", where, nt.Metric, a, b)})
			}
			if ot.Kind != nt.Kind {
				add(Change{Kind: ChangeTarget, ProjectSeq: np.Seq, Project: np.Title, Metric: nt.Metric, Field: "kind", Old: ot.Kind, New: nt.Kind,
					Message: fmt.Sprintf("%s：目标「%s」的类型由 %s 改为 %s", where, nt.Metric, KindLabel(ot.Kind), KindLabel(nt.Kind))})
			}
		}
		for _, r := range m.AddedTargets {
			if r.Project == j {
				t := &np.Targets[r.Target]
				add(Change{Kind: ChangeTargetAdded, ProjectSeq: np.Seq, Project: np.Title, Metric: t.Metric, New: TargetPhrase(t),
					Message: fmt.Sprintf("%s：新增目标「%s」%s", where, t.Metric, TargetPhrase(t))})
			}
		}
		for _, r := range m.RemovedTargets {
			if r.Project == i {
				t := &op.Targets[r.Target]
				add(Change{Kind: ChangeTargetRemoved, ProjectSeq: np.Seq, Project: np.Title, Metric: t.Metric, Old: TargetPhrase(t),
					Message: fmt.Sprintf("%s：删除目标「%s」%s", where, t.Metric, TargetPhrase(t))})
			}
		}
	}
	for _, i := range m.RemovedProjects {
		op := &old.Projects[i]
		add(Change{Kind: ChangeProjectRemoved, ProjectSeq: op.Seq, Project: op.Title,
			Message: fmt.Sprintf("删除项目（原%s）「%s」", SeqLabel(op.Seq), op.Title)})
	}
	return cs
}

// TargetPhrase writes a target's promise as a document would: 不少于30名.
func TargetPhrase(t *Target) string {
	v := t.Value.String() + t.Unit
	switch t.Comparator {
	case AtLeast:
		return "不少于" + v
	case MoreThan:
		return "超过" + v
	case AtMost:
		return "不超过" + v
	case LessThan:
		return "低于" + v
	case About:
		return "约" + v
	}
	return v
}

// KindLabel is the Chinese name of a target kind.
func KindLabel(kind string) string {
	switch kind {
	case KindQuantity:
		return "数量"
	case KindRate:
		return "比率"
	case KindStandard:
		return "标准"
	case KindProgress:
		return "进度"
	case KindMilestone:
		return "节点"
	}
	return kind
}

// SeqLabel writes a project number the way the documents do: 15 → 十五.
func SeqLabel(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n <= 0 || n >= 100:
		return fmt.Sprint(n)
	case n < 10:
		return digits[n]
	case n == 10:
		return "十"
	case n < 20:
		return "十" + digits[n%10]
	case n%10 == 0:
		return digits[n/10] + "十"
	}
	return digits[n/10] + "十" + digits[n%10]
}

func decStr(d *Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func orNone(s string) string {
	if s == "" {
		return "（无）"
	}
	return s
}
