package plan

import (
	"strings"
	"testing"
	"time"
)

func TestReportTransition(t *testing.T) {
	tests := []struct {
		from   ReportState
		action ReportAction
		want   ReportState
		code   string // error code when the transition is refused
	}{
		{"", ReportSave, ReportDraft, ""},
		{"", ReportContribute, ReportDraft, ""},
		{"", ReportSubmit, "", ENotFound},
		{ReportDraft, ReportSave, ReportDraft, ""},
		{ReportDraft, ReportSubmit, ReportSubmitted, ""},
		{ReportDraft, ReportAccept, "", EConflict},
		{ReportSubmitted, ReportSave, "", EConflict},
		{ReportSubmitted, ReportAccept, ReportAccepted, ""},
		{ReportSubmitted, ReportReturn, ReportReturned, ""},
		{ReportSubmitted, ReportSubmit, "", EConflict},
		{ReportReturned, ReportSave, ReportReturned, ""},
		{ReportReturned, ReportSubmit, ReportSubmitted, ""},
		{ReportReturned, ReportAccept, "", EConflict},
		{ReportAccepted, ReportSave, "", EConflict},
		{ReportAccepted, ReportReturn, "", EConflict},
		{ReportAccepted, ReportReopen, ReportReturned, ""},
		{ReportDraft, ReportReopen, "", EConflict},
	}
	for _, tt := range tests {
		got, err := ReportTransition(tt.from, tt.action)
		if got != tt.want || ErrorCode(err) != tt.code {
			t.Errorf("ReportTransition(%q, %q) = %q, %v; want %q, code %q", tt.from, tt.action, got, err, tt.want, tt.code)
		}
	}
}

func TestMonthlyTransition(t *testing.T) {
	tests := []struct {
		from   MonthlyPlanState
		action MonthlyAction
		want   MonthlyPlanState
		ok     bool
	}{
		{"", MonthlySave, MonthlyDraft, true},
		{MonthlyDraft, MonthlySubmit, MonthlySubmitted, true},
		{MonthlySubmitted, MonthlySave, "", false},
		{MonthlySubmitted, MonthlyApprove, MonthlyApproved, true},
		{MonthlySubmitted, MonthlyReturn, MonthlyDraft, true},
		{MonthlyApproved, MonthlySave, "", false},
		{MonthlyApproved, MonthlyReopen, MonthlyDraft, true},
		{MonthlyDraft, MonthlyApprove, "", false},
	}
	for _, tt := range tests {
		got, err := MonthlyTransition(tt.from, tt.action)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("MonthlyTransition(%q, %q) = %q, %v", tt.from, tt.action, got, err)
		}
	}
}

func dec(s string) *Decimal { return MustDecimal(s).Ptr() }

var testTargets = []TargetRecord{
	{ID: "t1", Metric: "新增发放创业担保贷款", Comparator: AtLeast, Value: MustDecimal("1.42"), Unit: "亿元", Kind: KindQuantity},
	{ID: "t2", Metric: "到期贷款回收率", Comparator: AtLeast, Value: MustDecimal("95"), Unit: "%", Kind: KindRate},
	{ID: "t3", Metric: "改造老旧小区", Comparator: Exactly, Value: MustDecimal("70"), Unit: "%", Kind: KindProgress},
}

func TestValidateReport(t *testing.T) {
	prev := &Report{
		Targets:    []ReportTarget{{TargetID: "t1", Actual: dec("0.5")}, {TargetID: "t2", Actual: dec("97")}},
		Investment: dec("100"), Disbursed: dec("80"),
	}
	tests := []struct {
		name   string
		r      Report
		check  ReportCheck
		errors map[string]string // field → part of the message
		warns  map[string]string
	}{
		{
			name:  "a good report",
			r:     Report{Targets: []ReportTarget{{TargetID: "t1", Actual: dec("0.6")}, {TargetID: "t2", Actual: dec("96")}}, Investment: dec("120"), Disbursed: dec("90")},
			check: ReportCheck{Targets: testTargets, Previous: prev},
		},
		{
			name:   "cumulative actual below last accepted month",
			r:      Report{Targets: []ReportTarget{{TargetID: "t1", Actual: dec("0.4")}}},
			check:  ReportCheck{Targets: testTargets, Previous: prev},
			errors: map[string]string{"targets.t1": "「新增发放创业担保贷款」累计完成值不能小于上月已确认的 0.5"},
		},
		{
			name:  "a rate may fall below last month",
			r:     Report{Targets: []ReportTarget{{TargetID: "t2", Actual: dec("93")}}},
			check: ReportCheck{Targets: testTargets, Previous: prev},
		},
		{
			name:   "a rate over 100",
			r:      Report{Targets: []ReportTarget{{TargetID: "t2", Actual: dec("100.5")}}},
			check:  ReportCheck{Targets: testTargets},
			errors: map[string]string{"targets.t2": "不能超过 100%"},
		},
		{
			name:   "progress over 100",
			r:      Report{Targets: []ReportTarget{{TargetID: "t3", Actual: dec("101")}}},
			check:  ReportCheck{Targets: testTargets},
			errors: map[string]string{"targets.t3": "不能超过 100%"},
		},
		{
			name:   "negative values",
			r:      Report{Targets: []ReportTarget{{TargetID: "t1", Actual: dec("-1")}}, Investment: dec("-0.01"), Disbursed: dec("-3")},
			check:  ReportCheck{Targets: testTargets},
			errors: map[string]string{"targets.t1": "不能为负数", "investment_wan": "累计完成投资不能为负数", "disbursed_wan": "累计拨付资金不能为负数"},
		},
		{
			name:   "investment below last accepted month",
			r:      Report{Investment: dec("99.9"), Disbursed: dec("80")},
			check:  ReportCheck{Targets: testTargets, Previous: prev},
			errors: map[string]string{"investment_wan": "不能小于上月已确认的 100 万元"},
		},
		{
			name:  "disbursed above investment is a warning",
			r:     Report{Investment: dec("100"), Disbursed: dec("150")},
			check: ReportCheck{Targets: testTargets},
			warns: map[string]string{"disbursed_wan": "超过累计完成投资"},
		},
		{
			name:  "investment above the year's plan is a warning",
			r:     Report{Investment: dec("600")},
			check: ReportCheck{Targets: testTargets, PlannedInvestment: dec("500")},
			warns: map[string]string{"investment_wan": "超过年度计划投资 500"},
		},
		{
			name:   "unknown target",
			r:      Report{Targets: []ReportTarget{{TargetID: "zz", Actual: dec("1")}}},
			check:  ReportCheck{Targets: testTargets},
			errors: map[string]string{"targets.zz": "不属于该项目"},
		},
		{
			name:   "submitting needs every target and the progress text",
			r:      Report{Targets: []ReportTarget{{TargetID: "t1", Actual: dec("1")}, {TargetID: "t2", Actual: dec("96")}}},
			check:  ReportCheck{Targets: testTargets, Submitting: true},
			errors: map[string]string{"targets.t3": "「改造老旧小区」尚未填写完成值", "progress": "请填写工作进展"},
		},
		{
			name:  "a draft may be incomplete",
			r:     Report{Targets: []ReportTarget{{TargetID: "t1", Actual: dec("1")}}},
			check: ReportCheck{Targets: testTargets},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := ValidateReport(&tt.r, tt.check)
			compareProblems(t, "error", ps.Errors(), tt.errors)
			compareProblems(t, "warning", ps.Warnings(), tt.warns)
			if err := ps.Err(); (err != nil) != (len(tt.errors) > 0) {
				t.Errorf("Err() = %v", err)
			} else if err != nil && ErrorCode(err) != EInvalid {
				t.Errorf("Err() code = %s", ErrorCode(err))
			}
		})
	}
}

func compareProblems(t *testing.T, kind string, got Problems, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%ss: got %v, want %v", kind, got, want)
		return
	}
	for _, p := range got {
		w, ok := want[p.Field]
		if !ok || !strings.Contains(p.Message, w) {
			t.Errorf("%s on %s: %q, want it to contain %q", kind, p.Field, p.Message, w)
		}
	}
}

func TestMonthlyPlanValidate(t *testing.T) {
	mp := MonthlyPlan{
		Targets: []MonthlyTarget{
			{TargetID: "t1", Cumulative: [12]*Decimal{0: dec("0.1"), 1: dec("0.3"), 2: dec("0.2")}},
			{TargetID: "t2", Cumulative: [12]*Decimal{0: dec("101")}},
			{TargetID: "nope"},
		},
		Investment: [12]*Decimal{3: dec("-5")},
		Deadline:   "2023-12-31",
	}
	ps := mp.Validate(testTargets, 2024)
	compareProblems(t, "error", ps.Errors(), map[string]string{
		"targets.t1":     "3月计划值 0.2 不能小于2月的 0.3",
		"targets.t2":     "不能超过 100",
		"targets.nope":   "不属于该项目",
		"investment_wan": "4月计划投资不能为负数",
		"deadline":       "早于计划年度",
	})
	if got := (&MonthlyPlan{Investment: [12]*Decimal{dec("1.5"), nil, dec("2")}}).PlannedInvestmentThrough(time.March); got.String() != "3.5" {
		t.Errorf("PlannedInvestmentThrough = %s", got)
	}
}

func TestExpected(t *testing.T) {
	approved := &MonthlyPlan{State: MonthlyApproved, Targets: []MonthlyTarget{
		{TargetID: "t1", Cumulative: [12]*Decimal{2: dec("0.3"), 5: dec("0.9"), 11: dec("1.42")}},
	}}
	draft := &MonthlyPlan{State: MonthlyDraft, Targets: approved.Targets}
	milestone := TargetRecord{ID: "m", Metric: "敬老院投入使用", Value: MustDecimal("1"), Unit: "个", Kind: KindMilestone}
	standard := TargetRecord{ID: "s", Metric: "低保标准", Value: MustDecimal("965"), Unit: "元", Kind: KindStandard}
	atMost := TargetRecord{ID: "c", Metric: "噪声投诉", Comparator: AtMost, Value: MustDecimal("20"), Unit: "件", Kind: KindQuantity}
	tests := []struct {
		name   string
		t      TargetRecord
		mp     *MonthlyPlan
		month  time.Month
		want   string
		source string
	}{
		{"linear 序时进度 for a quantity", testTargets[0], nil, 5, "0.5917", BaselineLinear},
		{"linear at year end is the whole target", testTargets[0], nil, 12, "1.42", BaselineLinear},
		{"a draft plan is not a baseline", testTargets[0], draft, 6, "0.71", BaselineLinear},
		{"approved plan, planned month", testTargets[0], approved, 6, "0.9", BaselineMonthlyPlan},
		{"approved plan, unplanned month takes the month before", testTargets[0], approved, 8, "0.9", BaselineMonthlyPlan},
		{"approved plan, before the first planned month", testTargets[0], approved, 2, "0", BaselineMonthlyPlan},
		{"approved plan that does not plan the target", testTargets[2], approved, 6, "35", BaselineLinear},
		{"a rate holds all year", testTargets[1], nil, 1, "95", BaselineConstant},
		{"a standard holds all year", standard, nil, 3, "965", BaselineConstant},
		{"a milestone is due in December", milestone, nil, 11, "0", BaselineYearEnd},
		{"a milestone in December", milestone, nil, 12, "1", BaselineYearEnd},
		{"an at-most target is a ceiling", atMost, nil, 4, "20", BaselineConstant},
	}
	for _, tt := range tests {
		got := Expected(&tt.t, tt.mp, tt.month)
		if got.Value.String() != tt.want || got.Source != tt.source {
			t.Errorf("%s: Expected = %s (%s), want %s (%s)", tt.name, got.Value, got.Source, tt.want, tt.source)
		}
	}
	if !Expected(&atMost, nil, 4).LowerIsBetter {
		t.Error("at-most target: LowerIsBetter not set")
	}
}
