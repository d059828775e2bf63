package plan

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// Status is where a project (or one of its targets) stands for a month, as
// the dashboard colours it. The status engine (internal/supervise) derives
// it with Assess and keeps one row per project and month in the status
// history; nothing else stores it.
type Status string

// Statuses, from best to worst. StatusDue is not a judgement of progress:
// the month's report is not in yet and not yet overdue (临期, blue: a
// deadline is near and the work is not done).
const (
	StatusDone        Status = "done"         // 已完成: every annual target met
	StatusOnTrack     Status = "on_track"     // 正常
	StatusDue         Status = "due"          // 临期: report not in yet, due date not passed
	StatusBehind      Status = "behind"       // 滞后
	StatusFarBehind   Status = "far_behind"   // 严重滞后
	StatusNotReported Status = "not_reported" // 未报送: overdue
)

// Statuses lists every status in the order a legend shows them.
var Statuses = []Status{StatusDone, StatusOnTrack, StatusBehind, StatusFarBehind, StatusNotReported, StatusDue}

// Label is the status's Chinese name.
func (s Status) Label() string {
	switch s {
	case StatusDone:
		return "已完成"
	case StatusOnTrack:
		return "正常"
	case StatusDue:
		return "临期"
	case StatusBehind:
		return "滞后"
	case StatusFarBehind:
		return "严重滞后"
	case StatusNotReported:
		return "未报送"
	}
	return string(s)
}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// NeedsAttention reports whether the status calls for the supervisor's
// attention: behind, far behind or not reported.
func (s Status) NeedsAttention() bool {
	return s == StatusBehind || s == StatusFarBehind || s == StatusNotReported
}

// Green reports whether the status is on plan: 已完成 or 正常.
func (s Status) Green() bool { return s == StatusDone || s == StatusOnTrack }

// Red reports whether the status is one of the two worst: 严重滞后 or
// 未报送 (the escalation ladder's "still red").
func (s Status) Red() bool { return s == StatusFarBehind || s == StatusNotReported }

// Thresholds are the tolerances of the status rule. They are configuration
// (see internal/supervise.Config and docs/督查规则.md), not constants:
// DefaultThresholds gives the values in force, SetDefaultThresholds
// replaces them at start-up.
type Thresholds struct {
	// OnTrackRatio: a target whose actual reaches at least this share of
	// what was expected by the month is on track (正常). Default 0.9.
	OnTrackRatio float64 `json:"on_track_ratio"`
	// FarBehindRatio: below this share it is far behind (严重滞后); in
	// between, behind (滞后). Default 0.6.
	FarBehindRatio float64 `json:"far_behind_ratio"`
	// FarBehindAfterMonths: a project behind plan (or not reported) this
	// many months running is 严重滞后 even if each month alone is only
	// 滞后. Default 2; 0 turns the rule off.
	FarBehindAfterMonths int `json:"far_behind_after_months"`
	// GraceDays: for this many days after the due date a missing report
	// makes the project 滞后; after them it is 未报送. Default 5.
	GraceDays int `json:"grace_days"`
	// DeadlineWarningDays: a project not done whose completion deadline
	// falls within this many days of the end of the month gets the 临期
	// warning. Default 30.
	DeadlineWarningDays int `json:"deadline_warning_days"`
}

// BuiltinThresholds are the defaults documented in docs/督查规则.md.
var BuiltinThresholds = Thresholds{OnTrackRatio: 0.9, FarBehindRatio: 0.6, FarBehindAfterMonths: 2, GraceDays: 5, DeadlineWarningDays: 30}

var defaultThresholds atomic.Pointer[Thresholds]

// DefaultThresholds returns the thresholds in force: BuiltinThresholds
// unless SetDefaultThresholds replaced them.
func DefaultThresholds() Thresholds {
	if t := defaultThresholds.Load(); t != nil {
		return *t
	}
	return BuiltinThresholds
}

// SetDefaultThresholds makes t the thresholds in force for every caller
// that does not pass its own (StatusInput.Thresholds nil). The program
// calls it once at start-up with the configuration file's values.
func SetDefaultThresholds(t Thresholds) error {
	if err := t.Validate(); err != nil {
		return err
	}
	defaultThresholds.Store(&t)
	return nil
}

// Validate checks that the thresholds make sense: 0 < far ≤ on-track ≤ 1,
// and no negative counts.
func (t Thresholds) Validate() error {
	var ps Problems
	if !(t.OnTrackRatio > 0 && t.OnTrackRatio <= 1) {
		ps.errorf("on_track_ratio", "正常阈值 on_track_ratio 应在 0 到 1 之间，而不是 %v", t.OnTrackRatio)
	}
	if !(t.FarBehindRatio > 0 && t.FarBehindRatio <= t.OnTrackRatio) {
		ps.errorf("far_behind_ratio", "严重滞后阈值 far_behind_ratio 应大于 0 且不大于正常阈值 %v，而不是 %v", t.OnTrackRatio, t.FarBehindRatio)
	}
	if t.FarBehindAfterMonths < 0 || t.FarBehindAfterMonths > 12 {
		ps.errorf("far_behind_after_months", "连续滞后月数 far_behind_after_months 应在 0 到 12 之间，而不是 %d", t.FarBehindAfterMonths)
	}
	if t.GraceDays < 0 || t.GraceDays > 60 {
		ps.errorf("grace_days", "报送宽限天数 grace_days 应在 0 到 60 之间，而不是 %d", t.GraceDays)
	}
	if t.DeadlineWarningDays < 0 || t.DeadlineWarningDays > 366 {
		ps.errorf("deadline_warning_days", "临期预警天数 deadline_warning_days 应在 0 到 366 之间，而不是 %d", t.DeadlineWarningDays)
	}
	return ps.Err()
}

// StatusTarget is one target's figures for StatusOf.
type StatusTarget struct {
	Kind       string
	Comparator string
	Value      Decimal  // the annual target
	Expected   Decimal  // what the month should show (see Expected)
	Actual     *Decimal // the latest reported actual through the month; nil when none
	Lower      bool     // lower is better (Expectation.LowerIsBetter)
	// PriorBehind is, for the target's own status, how many months right
	// before this one the target was behind plan (see Assessment.Behind).
	PriorBehind int
	// ID names the target across months for AssessRun; "" matches by
	// position.
	ID string
}

// StatusInput is what StatusOf needs of a project for a month. The zero
// values of the fields after Targets leave their rule out, so a caller that
// knows only one month still gets a sound status.
type StatusInput struct {
	// Reported: a submitted or accepted report for the month exists.
	Reported bool
	// Late: the report came after the due date, or is missing after it.
	Late bool
	// December: the month is the last of the year (levels count as met
	// only then).
	December bool
	Targets  []StatusTarget

	// Thresholds to apply; nil: DefaultThresholds().
	Thresholds *Thresholds
	// InGrace: the report is missing and past its due date, but still
	// within Thresholds.GraceDays: 滞后 rather than 未报送 (see
	// ReportTiming). Left false, a missing overdue report is 未报送.
	InGrace bool
	// PriorBehind is how many months right before this one the project was
	// behind plan or not reported (Assessment.Behind), counting back until
	// a month that was not. It drives the "behind two months running"
	// rule.
	PriorBehind int
	// Deadline is the project's completion deadline (the approved monthly
	// plan's 完成时限); zero when there is none.
	Deadline time.Time
	// AsOf is the instant the deadline is measured from: the end of the
	// month (Period.End) for a month's status. Zero: no deadline rules.
	AsOf time.Time
}

// Assessment is the status of a project for a month with what explains it.
type Assessment struct {
	Status Status `json:"status"`
	// Behind: the month counts towards "behind N months running" — the
	// project is behind plan or its report is missing past the grace
	// period. A report that is only late (on plan) does not count.
	Behind bool `json:"behind"`
	// Run is how many months running, this one included, the project has
	// been Behind: PriorBehind+1, or 0. The next month's PriorBehind.
	Run int `json:"run"`
	// DueSoon is the 临期 warning: the completion deadline is within
	// DeadlineWarningDays and the project is not done.
	DueSoon bool `json:"due_soon"`
	// Ratio is the worst target's share of what was expected (1 or more is
	// on plan); 1 without targets.
	Ratio float64 `json:"ratio"`
	// Worst is the index in StatusInput.Targets of the target furthest
	// behind, -1 when none is behind.
	Worst int `json:"worst"`
	// Reason explains the status in a Chinese phrase.
	Reason string `json:"reason"`
	// Targets are the targets' own statuses, in the order of the input.
	Targets []TargetAssessment `json:"targets"`
}

// TargetAssessment is one target's status for a month.
type TargetAssessment struct {
	ID     string  `json:"id,omitempty"`
	Status Status  `json:"status"`
	Behind bool    `json:"behind"`
	Run    int     `json:"run"`
	Ratio  float64 `json:"ratio"`
}

// StatusOf derives a project's status for a month: Assess(in).Status.
func StatusOf(in StatusInput) Status { return Assess(in).Status }

// Assess applies the status rule to a project's month (DESIGN.md §4,
// thresholds from in.Thresholds or DefaultThresholds):
//
//  1. 已完成: every target meets its annual value (see met) and at least
//     one of them is a running total (quantity, progress, milestone) — or,
//     for projects whose targets are all levels to hold, the month is
//     December. Figures carry from the latest report, so a project that
//     met its targets early stays 已完成 without reporting again. A month
//     whose own report came late is 滞后 even so.
//  2. No submitted or accepted report for the month: 临期 before the due
//     date, 滞后 within the grace period after it, then 未报送.
//  3. Otherwise each target's actual is compared with its expected value:
//     the worst ratio decides — at least OnTrackRatio 正常, at least
//     FarBehindRatio 滞后, below it 严重滞后. A target with nothing
//     expected yet is on track; one without an actual counts as zero. A
//     project without targets is 正常 once reported.
//  4. History: 滞后 for the FarBehindAfterMonths-th month running (this
//     one and the PriorBehind before it, behind plan or not reported)
//     becomes 严重滞后.
//  5. A report that came late makes an on-track month 滞后.
//  6. Deadline: some target not yet met and the deadline passed before
//     AsOf → at least 滞后; some target not met and the deadline within
//     DeadlineWarningDays of AsOf → the 临期 warning (DueSoon), whatever
//     the colour. A project without targets is judged by its reports
//     alone: it has no target to meet by the deadline.
func Assess(in StatusInput) Assessment {
	th := DefaultThresholds()
	if in.Thresholds != nil {
		th = *in.Thresholds
	}
	a := Assessment{Ratio: 1, Worst: -1, Targets: make([]TargetAssessment, len(in.Targets))}
	allMet, unmet, cumulative := len(in.Targets) > 0, false, false
	for i, t := range in.Targets {
		r := ratio(t)
		ta := TargetAssessment{ID: t.ID, Ratio: r}
		switch {
		case met(t) && (t.Kind != KindRate && t.Kind != KindStandard && !t.Lower || in.December):
			ta.Status = StatusDone
		case t.Actual == nil && !in.Reported:
			ta.Status, ta.Behind = missingStatus(in), in.Late && !in.InGrace
		default:
			ta.Status = ratioStatus(r, th)
			ta.Behind = ta.Status == StatusBehind || ta.Status == StatusFarBehind
			if ta.Behind && th.FarBehindAfterMonths > 0 && t.PriorBehind+1 >= th.FarBehindAfterMonths {
				ta.Status = StatusFarBehind
			}
		}
		if ta.Behind {
			ta.Run = t.PriorBehind + 1
		}
		a.Targets[i] = ta
		if !met(t) {
			allMet, unmet = false, true
		}
		if t.Kind != KindRate && t.Kind != KindStandard && !t.Lower {
			cumulative = true
		}
		if r < a.Ratio {
			a.Ratio, a.Worst = r, i
		}
	}
	done := allMet && (cumulative || in.December)
	switch {
	case done && in.Reported && in.Late:
		a.Status, a.Reason = StatusBehind, "年度目标已完成，但本月报告逾期报送"
	case done:
		a.Status, a.Reason = StatusDone, "年度目标均已完成"
	case !in.Reported:
		a.Status = missingStatus(in)
		a.Behind = a.Status == StatusNotReported
		switch a.Status {
		case StatusDue:
			a.Reason = "本月报告尚未报送"
		case StatusBehind:
			a.Reason = "报告已过报送期限，尚在宽限期内"
		default:
			a.Reason = "报告逾期未报送"
		}
	default:
		a.Status = ratioStatus(a.Ratio, th)
		a.Behind = a.Status != StatusOnTrack
		a.Reason = "按计划推进"
		if a.Behind {
			a.Reason = fmt.Sprintf("进度滞后，最慢的目标完成计划的%.0f%%", a.Ratio*100)
		}
		if a.Status == StatusBehind && th.FarBehindAfterMonths > 0 && in.PriorBehind+1 >= th.FarBehindAfterMonths {
			a.Status = StatusFarBehind
			a.Reason = fmt.Sprintf("连续%d个月滞后，最慢的目标完成计划的%.0f%%", in.PriorBehind+1, a.Ratio*100)
		}
		if in.Late && a.Status == StatusOnTrack {
			a.Status, a.Reason = StatusBehind, "进度正常，但本月报告逾期报送"
		}
	}
	if !a.Behind {
		a.Worst = -1
	} else {
		a.Run = in.PriorBehind + 1
	}
	// The deadline asks for the targets to be reached; levels reached and
	// held but not yet "done" (they are only in December) are not late,
	// and a project without targets has none the deadline could find
	// unmet: nothing its unit could report would ever clear the flag.
	if !done && unmet && !in.Deadline.IsZero() && !in.AsOf.IsZero() {
		switch {
		case !in.Deadline.AddDate(0, 0, 1).After(in.AsOf): // the deadline day is over
			if a.Status == StatusOnTrack || a.Status == StatusDue {
				a.Status = StatusBehind
			}
			passed := fmt.Sprintf("已超过完成时限（%s）仍未完成", in.Deadline.In(Shanghai).Format("2006-01-02"))
			if a.Reason == "按计划推进" {
				a.Reason = passed
			} else {
				a.Reason = passed + "；" + a.Reason
			}
		case in.Deadline.Sub(in.AsOf) <= time.Duration(th.DeadlineWarningDays)*24*time.Hour:
			a.DueSoon = true
		}
	}
	return a
}

// AssessRun assesses consecutive months of one project in order, each
// month's PriorBehind (the project's and its targets', matched by ID or
// else by position) taken from the month before: the status history of a
// year from its inputs. The inputs' own PriorBehind are ignored except the
// first month's.
func AssessRun(ins []StatusInput) []Assessment {
	out := make([]Assessment, len(ins))
	var prev *Assessment
	for i, in := range ins {
		out[i] = AssessAfter(prev, in)
		prev = &out[i]
	}
	return out
}

// AssessAfter assesses the month after the one prev assessed, its
// PriorBehind taken from prev as AssessRun does; with prev nil, the first
// month of a run (its own PriorBehind kept).
func AssessAfter(prev *Assessment, in StatusInput) Assessment {
	if prev == nil {
		return Assess(in)
	}
	in.PriorBehind = prev.Run
	targets := make([]StatusTarget, len(in.Targets))
	copy(targets, in.Targets)
	for j := range targets {
		targets[j].PriorBehind = 0
		for k, pt := range prev.Targets {
			if targets[j].ID != "" && pt.ID == targets[j].ID || targets[j].ID == "" && k == j {
				targets[j].PriorBehind = pt.Run
			}
		}
	}
	in.Targets = targets
	return Assess(in)
}

// missingStatus is the status of a month without a counted report.
func missingStatus(in StatusInput) Status {
	switch {
	case !in.Late:
		return StatusDue
	case in.InGrace:
		return StatusBehind
	}
	return StatusNotReported
}

func ratioStatus(r float64, th Thresholds) Status {
	switch {
	case r < th.FarBehindRatio:
		return StatusFarBehind
	case r < th.OnTrackRatio:
		return StatusBehind
	}
	return StatusOnTrack
}

// ReportTiming tells, for a month's report submitted at submitted (nil:
// not submitted) and judged at now, whether it is late and whether a
// missing report is still within the grace period — the Late and InGrace
// of StatusInput.
func ReportTiming(p Period, submitted *time.Time, now time.Time, dueDay int, th Thresholds) (late, inGrace bool) {
	if submitted != nil {
		return p.IsLate(*submitted, dueDay), false
	}
	if !p.IsLate(now, dueDay) {
		return false, false
	}
	return true, now.Before(p.LateAfter(dueDay).AddDate(0, 0, th.GraceDays))
}

// met reports whether a target's actual satisfies its annual value under
// its comparator.
func met(t StatusTarget) bool {
	if t.Actual == nil {
		return false
	}
	a, v := t.Actual.Decimal, t.Value.Decimal
	switch t.Comparator {
	case AtMost:
		return a.LessThanOrEqual(v)
	case LessThan:
		return a.LessThan(v)
	case MoreThan:
		return a.GreaterThan(v)
	case "":
		if t.Lower {
			return a.LessThanOrEqual(v)
		}
	}
	return a.GreaterThanOrEqual(v) // >=, =, ~: reaching the value is meeting it
}

// Met reports whether actual satisfies the target's annual value under its
// comparator (nil never does).
func Met(t *TargetRecord, actual *Decimal) bool {
	lower := t.Comparator == AtMost || t.Comparator == LessThan
	return met(StatusTarget{Kind: t.Kind, Comparator: t.Comparator, Value: t.Value, Actual: actual, Lower: lower})
}

// ratio is how much of what was expected a target shows: 1 or more is on
// plan.
func ratio(t StatusTarget) float64 {
	e, _ := t.Expected.Float64()
	var a float64
	if t.Actual != nil {
		a, _ = t.Actual.Float64()
	}
	if t.Lower {
		if a <= e || a <= 0 {
			return 1
		}
		return e / a
	}
	if e <= 0 {
		return 1
	}
	r := a / e
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return 1
	}
	return r
}

// ProjectDeadline is the completion deadline of a project: its approved
// monthly plan's 完成时限, else the year's end for a project with a running
// total to reach (levels to hold have no deadline of their own).
func ProjectDeadline(p *ProjectRecord, mp *MonthlyPlan) time.Time {
	if mp != nil && mp.Deadline != "" {
		if d, err := time.ParseInLocation(time.DateOnly, mp.Deadline, Shanghai); err == nil {
			return d
		}
	}
	for _, t := range p.ActiveTargets() {
		if t.Cumulative() && t.Comparator != AtMost && t.Comparator != LessThan {
			return time.Date(p.Year, time.December, 31, 0, 0, 0, 0, Shanghai)
		}
	}
	return time.Time{}
}
