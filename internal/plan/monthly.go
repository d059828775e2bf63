package plan

import "time"

// MonthlyPlanState is the life of a project's implementation plan.
type MonthlyPlanState string

// Monthly plan states. draft → submitted (the reporting unit) → approved
// (the supervisor), or submitted → draft again when the supervisor returns
// it. An approved plan is the baseline of supervision; only the supervisor
// can reopen it (approved → draft), so that a unit cannot quietly lower the
// bar it is measured against.
const (
	MonthlyDraft     MonthlyPlanState = "draft"
	MonthlySubmitted MonthlyPlanState = "submitted"
	MonthlyApproved  MonthlyPlanState = "approved"
)

// MonthlyAction is something done to a monthly plan.
type MonthlyAction string

// Monthly plan actions.
const (
	MonthlySave    MonthlyAction = "save"
	MonthlySubmit  MonthlyAction = "submit"
	MonthlyApprove MonthlyAction = "approve"
	MonthlyReturn  MonthlyAction = "return"
	MonthlyReopen  MonthlyAction = "reopen"
)

// MonthlyTransition returns the state a monthly plan in state from enters
// by action; "" for from means the plan does not exist yet.
func MonthlyTransition(from MonthlyPlanState, action MonthlyAction) (MonthlyPlanState, error) {
	switch {
	case action == MonthlySave && (from == "" || from == MonthlyDraft):
		return MonthlyDraft, nil
	case action == MonthlySubmit && from == MonthlyDraft:
		return MonthlySubmitted, nil
	case action == MonthlyApprove && from == MonthlySubmitted:
		return MonthlyApproved, nil
	case action == MonthlyReturn && from == MonthlySubmitted:
		return MonthlyDraft, nil
	case action == MonthlyReopen && from == MonthlyApproved:
		return MonthlyDraft, nil
	}
	if from == "" {
		return "", Errorf(ENotFound, "该项目尚未编制月度计划")
	}
	return "", Errorf(EConflict, "月度计划当前状态为「%s」，不能执行该操作", from.Label())
}

// Label is the state's Chinese name.
func (s MonthlyPlanState) Label() string {
	switch s {
	case MonthlyDraft:
		return "草稿"
	case MonthlySubmitted:
		return "已提交待审核"
	case MonthlyApproved:
		return "已审核"
	}
	return string(s)
}

// MonthlyPlan is a project's implementation plan (实施方案) for its year:
// per target the planned cumulative value at the end of each month, the
// planned investment of each month, and the completion deadline.
type MonthlyPlan struct {
	ProjectID string           `json:"project_id"`
	State     MonthlyPlanState `json:"state"`
	Version   int              `json:"version"` // optimistic lock, bumped by every change
	Targets   []MonthlyTarget  `json:"targets"`
	// Investment is the planned investment of each month (index 0 = January)
	// in 万元 — the amount spent in that month, not a running total.
	Investment [12]*Decimal `json:"investment_wan"`
	// Deadline is the planned completion date, an ISO date (2024-12-31).
	Deadline     string     `json:"deadline,omitempty"`
	ReturnReason string     `json:"return_reason,omitempty"`
	UpdatedAt    time.Time  `json:"updated_at"`
	UpdatedBy    string     `json:"updated_by,omitempty"`
	SubmittedAt  *time.Time `json:"submitted_at,omitempty"`
	ApprovedAt   *time.Time `json:"approved_at,omitempty"`
	ApprovedBy   string     `json:"approved_by,omitempty"`
}

// MonthlyTarget is the plan of one target: the cumulative value expected
// at the end of each month (index 0 = January); nil where not planned.
type MonthlyTarget struct {
	TargetID   string       `json:"target_id"`
	Cumulative [12]*Decimal `json:"cumulative"`
}

// Target returns the plan of the given target, or nil.
func (m *MonthlyPlan) Target(id string) *MonthlyTarget {
	for i := range m.Targets {
		if m.Targets[i].TargetID == id {
			return &m.Targets[i]
		}
	}
	return nil
}

// PlannedInvestmentThrough sums the planned investment of months 1..month.
func (m *MonthlyPlan) PlannedInvestmentThrough(month time.Month) Decimal {
	var sum Decimal
	for i := 0; i < int(month) && i < 12; i++ {
		if m.Investment[i] != nil {
			sum = sum.Add(*m.Investment[i])
		}
	}
	return sum
}

// Validate checks a monthly plan against the project's targets: every
// target ID known, no negative value, percentages at most 100, cumulative
// plans never falling from one month to the next, the deadline a date of
// the plan's year or later.
func (m *MonthlyPlan) Validate(targets []TargetRecord, year int) Problems {
	var ps Problems
	byID := make(map[string]*TargetRecord, len(targets))
	for i := range targets {
		byID[targets[i].ID] = &targets[i]
	}
	seen := map[string]bool{}
	for _, mt := range m.Targets {
		t := byID[mt.TargetID]
		field := "targets." + mt.TargetID
		if t == nil {
			ps.errorf(field, "目标 %s 不属于该项目或已被新版本计划撤销", mt.TargetID)
			continue
		}
		if seen[mt.TargetID] {
			ps.errorf(field, "「%s」的月度计划重复填写", t.Metric)
			continue
		}
		seen[mt.TargetID] = true
		var last *Decimal
		lastMonth := 0
		for i, v := range mt.Cumulative {
			if v == nil {
				continue
			}
			if v.IsNegative() {
				ps.errorf(field, "「%s」%d月计划值不能为负数", t.Metric, i+1)
				continue
			}
			if t.Percent() && v.GreaterThan(hundred.Decimal) {
				ps.errorf(field, "「%s」%d月计划值为 %s%%，不能超过 100", t.Metric, i+1, v)
			}
			if t.Cumulative() && last != nil && v.LessThan(last.Decimal) {
				ps.errorf(field, "「%s」为累计值，%d月计划值 %s 不能小于%d月的 %s", t.Metric, i+1, v, lastMonth, last)
			}
			last, lastMonth = v, i+1
		}
	}
	for i, v := range m.Investment {
		if v != nil && v.IsNegative() {
			ps.errorf("investment_wan", "%d月计划投资不能为负数", i+1)
		}
	}
	if m.Deadline != "" {
		d, err := time.ParseInLocation("2006-01-02", m.Deadline, Shanghai)
		if err != nil {
			ps.errorf("deadline", "完成时限应为日期（如 2024-12-31），而不是「%s」", m.Deadline)
		} else if year != 0 && d.Year() < year {
			ps.errorf("deadline", "完成时限 %s 早于计划年度 %d 年", m.Deadline, year)
		}
	}
	return ps
}

var hundred = DecimalFromInt(100)
