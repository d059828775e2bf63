package plan

import (
	"strings"
	"time"
)

// ReportState is the life of a monthly progress report.
type ReportState string

// Report states:
//
//	(none) --save/contribute--> draft --submit--> submitted --accept--> accepted
//	                                                  |                    |
//	                                               return               reopen
//	                                                  v                    |
//	                            returned <-----------------------------------
//	                            returned --save--> returned (edits kept, reason still shown)
//	                            returned --submit--> submitted
//
// Accepted is final for the reporting unit. Only the supervisor can reopen
// an accepted report, which returns it to the unit with a reason: a figure
// found wrong later is corrected through the same trail, never overwritten.
const (
	ReportDraft     ReportState = "draft"
	ReportSubmitted ReportState = "submitted"
	ReportReturned  ReportState = "returned"
	ReportAccepted  ReportState = "accepted"
)

// Label is the state's Chinese name.
func (s ReportState) Label() string {
	switch s {
	case ReportDraft:
		return "草稿"
	case ReportSubmitted:
		return "已报送待审核"
	case ReportReturned:
		return "已退回"
	case ReportAccepted:
		return "已确认"
	case "":
		return "未填报"
	}
	return string(s)
}

// Editable reports whether the reporting unit may still change the report.
func (s ReportState) Editable() bool { return s == "" || s == ReportDraft || s == ReportReturned }

// ReportAction is something done to a report; each is kept as a Revision.
type ReportAction string

// Report actions.
const (
	ReportSave       ReportAction = "save"       // the lead unit saves its draft
	ReportContribute ReportAction = "contribute" // a responsible unit adds its part
	ReportSubmit     ReportAction = "submit"     // the lead unit reports to the supervisor
	ReportAccept     ReportAction = "accept"     // the supervisor confirms
	ReportReturn     ReportAction = "return"     // the supervisor sends it back, with a reason
	ReportReopen     ReportAction = "reopen"     // the supervisor reopens an accepted report, with a reason
	ReportAttach     ReportAction = "attach"     // evidence added to the draft
)

// Label is the action's Chinese name.
func (a ReportAction) Label() string {
	switch a {
	case ReportSave:
		return "保存"
	case ReportContribute:
		return "责任单位补充"
	case ReportSubmit:
		return "报送"
	case ReportAccept:
		return "确认"
	case ReportReturn:
		return "退回"
	case ReportReopen:
		return "重新打开"
	case ReportAttach:
		return "上传附件"
	}
	return string(a)
}

// NeedsReason reports whether the action must carry a reason.
func (a ReportAction) NeedsReason() bool { return a == ReportReturn || a == ReportReopen }

// ReportTransition returns the state a report in state from enters by
// action; from is "" when the report does not exist yet.
func ReportTransition(from ReportState, action ReportAction) (ReportState, error) {
	switch action {
	case ReportSave, ReportContribute, ReportAttach:
		switch from {
		case "":
			return ReportDraft, nil
		case ReportDraft, ReportReturned:
			return from, nil
		}
	case ReportSubmit:
		if from == ReportDraft || from == ReportReturned {
			return ReportSubmitted, nil
		}
	case ReportAccept:
		if from == ReportSubmitted {
			return ReportAccepted, nil
		}
	case ReportReturn:
		if from == ReportSubmitted {
			return ReportReturned, nil
		}
	case ReportReopen:
		if from == ReportAccepted {
			return ReportReturned, nil
		}
	}
	if from == "" {
		return "", Errorf(ENotFound, "该月报告尚未填报，不能%s", action.Label())
	}
	return "", Errorf(EConflict, "报告当前状态为「%s」，不能%s", from.Label(), action.Label())
}

// Report is a project's progress report for one month. Values are running
// totals for the year up to the end of the month: targets' actuals (for
// cumulative kinds), investment completed and funds disbursed, both in 万元.
type Report struct {
	ID        string      `json:"id"`
	ProjectID string      `json:"project_id"`
	Period    Period      `json:"period"`
	State     ReportState `json:"state"`
	// Version is the optimistic lock: a save must carry the version it was
	// based on; every change bumps it.
	Version    int            `json:"version"`
	Targets    []ReportTarget `json:"targets"`
	Investment *Decimal       `json:"investment_wan"`
	Disbursed  *Decimal       `json:"disbursed_wan"`
	// Allocated is the funds allocated (到位资金) to the project so far;
	// Funds the sub-projects' money (funds.go).
	Allocated     *Decimal          `json:"allocated_wan"`
	Funds         []SubprojectFunds `json:"funds"`
	Progress      string            `json:"progress"`
	Problems      string            `json:"problems"`
	NextSteps     string            `json:"next_steps"`
	ReturnReason  string            `json:"return_reason,omitempty"`
	Attachments   []Attachment      `json:"attachments"`
	Contributions []Contribution    `json:"contributions"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	UpdatedBy     string            `json:"updated_by,omitempty"`
	SubmittedAt   *time.Time        `json:"submitted_at,omitempty"`
	SubmittedBy   string            `json:"submitted_by,omitempty"`
	AcceptedAt    *time.Time        `json:"accepted_at,omitempty"`
	AcceptedBy    string            `json:"accepted_by,omitempty"`
}

// ReportTarget is the actual value of one target at the end of the month.
type ReportTarget struct {
	TargetID string   `json:"target_id"`
	Actual   *Decimal `json:"actual"`
	Note     string   `json:"note,omitempty"`
}

// Actual returns the reported actual of a target, or nil.
func (r *Report) Actual(targetID string) *Decimal {
	for _, t := range r.Targets {
		if t.TargetID == targetID {
			return t.Actual
		}
	}
	return nil
}

// Contribution is what a responsible unit adds to the lead unit's report.
type Contribution struct {
	UnitID     string    `json:"unit_id"`
	UnitName   string    `json:"unit_name"`
	Text       string    `json:"text"`
	Investment *Decimal  `json:"investment_wan"` // the unit's own share, 万元, optional
	UpdatedAt  time.Time `json:"updated_at"`
	UpdatedBy  string    `json:"updated_by"`
}

// Attachment is evidence linked to a report; the bytes are stored once per
// SHA-256.
type Attachment struct {
	SHA256      string    `json:"sha256"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	AddedAt     time.Time `json:"added_at"`
	AddedBy     string    `json:"added_by"`
}

// Revision is one kept state of a report: every save, contribution,
// submission, return, acceptance or reopening, with who did it and when.
type Revision struct {
	Seq      int          `json:"seq"` // 1, 2, … per report
	Action   ReportAction `json:"action"`
	State    ReportState  `json:"state"`   // the state after the action
	Version  int          `json:"version"` // the version after the action
	ActorID  string       `json:"actor_id"`
	At       time.Time    `json:"at"`
	Reason   string       `json:"reason,omitempty"`
	Snapshot Report       `json:"snapshot"`
}

// ReportCheck is what ValidateReport needs besides the report itself.
type ReportCheck struct {
	// Targets are the project's targets in force.
	Targets []TargetRecord
	// Previous is the accepted report of the previous month of the same
	// year, nil when there is none (January, or not yet accepted).
	Previous *Report
	// Submitting asks for completeness as well: every target has an actual
	// and the progress text is written.
	Submitting bool
	// PlannedInvestment is the project's planned investment for the year in
	// 万元, if known: going past it draws a warning.
	PlannedInvestment *Decimal
	// Subprojects are the project's sub-projects, for the funds rows.
	Subprojects []SubprojectRecord
}

// ValidateReport checks a report. Errors block saving (or submitting);
// warnings are shown but do not block. The rules:
//
//   - a target ID that is not one of the project's targets in force is an error;
//   - no value is negative;
//   - a percentage (rate, share of works done) is at most 100;
//   - a cumulative actual (see TargetRecord.Cumulative), the investment
//     completed and the funds disbursed are year-to-date totals, so none may
//     be lower than the previous month's accepted value;
//   - funds disbursed above the investment completed is only a warning:
//     advance payments (预付款) and land compensation are disbursed before
//     the works they pay for are done, so it happens in honest reports, yet
//     it is worth a second look;
//   - investment completed above the year's planned investment is a warning;
//   - the funds allocated and the sub-projects' funds follow the same
//     rules (validateFunds in funds.go);
//   - when submitting, every target needs an actual and the progress text
//     must be written.
func ValidateReport(r *Report, c ReportCheck) Problems {
	var ps Problems
	byID := make(map[string]*TargetRecord, len(c.Targets))
	for i := range c.Targets {
		byID[c.Targets[i].ID] = &c.Targets[i]
	}
	seen := map[string]bool{}
	for _, rt := range r.Targets {
		field := "targets." + rt.TargetID
		t := byID[rt.TargetID]
		if t == nil {
			ps.errorf(field, "目标 %s 不属于该项目或已被新版本计划撤销", rt.TargetID)
			continue
		}
		if seen[rt.TargetID] {
			ps.errorf(field, "「%s」重复填写", t.Metric)
			continue
		}
		seen[rt.TargetID] = true
		if rt.Actual == nil {
			continue
		}
		a := *rt.Actual
		if a.IsNegative() {
			ps.errorf(field, "「%s」完成值不能为负数", t.Metric)
			continue
		}
		if t.Percent() && a.GreaterThan(hundred.Decimal) {
			ps.errorf(field, "「%s」为百分比，完成值 %s%% 不能超过 100%%", t.Metric, a)
		}
		if t.Cumulative() && c.Previous != nil {
			if prev := c.Previous.Actual(t.ID); prev != nil && a.LessThan(prev.Decimal) {
				ps.errorf(field, "「%s」累计完成值不能小于上月已确认的 %s", t.Metric, prev)
			}
		}
	}
	checkMoney := func(field, name string, v *Decimal, prev func(*Report) *Decimal) {
		if v == nil {
			return
		}
		if v.IsNegative() {
			ps.errorf(field, "%s不能为负数", name)
			return
		}
		if c.Previous != nil {
			if p := prev(c.Previous); p != nil && v.LessThan(p.Decimal) {
				ps.errorf(field, "%s为年度累计值，不能小于上月已确认的 %s 万元", name, p)
			}
		}
	}
	checkMoney("investment_wan", "累计完成投资", r.Investment, func(p *Report) *Decimal { return p.Investment })
	checkMoney("disbursed_wan", "累计拨付资金", r.Disbursed, func(p *Report) *Decimal { return p.Disbursed })
	if r.Investment != nil && r.Disbursed != nil && !r.Investment.IsNegative() && r.Disbursed.GreaterThan(r.Investment.Decimal) {
		ps.warnf("disbursed_wan", "累计拨付资金 %s 万元超过累计完成投资 %s 万元，请核实是否为预付款", r.Disbursed, r.Investment)
	}
	validateFunds(r, c, &ps)
	if r.Investment != nil && c.PlannedInvestment != nil && c.PlannedInvestment.IsPositive() && r.Investment.GreaterThan(c.PlannedInvestment.Decimal) {
		ps.warnf("investment_wan", "累计完成投资 %s 万元超过年度计划投资 %s 万元", r.Investment, c.PlannedInvestment)
	}
	for _, f := range []struct{ field, name, text string }{
		{"progress", "工作进展", r.Progress}, {"problems", "存在问题", r.Problems}, {"next_steps", "下步打算", r.NextSteps},
	} {
		if len([]rune(f.text)) > 5000 {
			ps.errorf(f.field, "%s不能超过 5000 字", f.name)
		}
	}
	if c.Submitting {
		for i := range c.Targets {
			t := &c.Targets[i]
			if t.RetiredBy != "" {
				continue
			}
			if r.Actual(t.ID) == nil {
				ps.errorf("targets."+t.ID, "「%s」尚未填写完成值", t.Metric)
			}
		}
		if strings.TrimSpace(r.Progress) == "" {
			ps.errorf("progress", "报送前请填写工作进展")
		}
	}
	return ps
}
