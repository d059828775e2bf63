package plan

// Status is where a project stands for a month, as the dashboard colours
// it. It is derived, never stored.
type Status string

// Statuses, from best to worst. StatusDue is not a judgement of progress:
// the month's report is not in yet and not yet overdue.
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

// Tolerances of ProjectStatus: a target whose actual reaches at least
// OnTrackRatio of what was expected is on track; below FarBehindRatio it is
// far behind; in between, behind. For "at most" targets the ratio is
// expected/actual. These are interim constants: the status engine makes
// them configuration.
const (
	OnTrackRatio   = 0.9
	FarBehindRatio = 0.6
)

// StatusTarget is one target's figures for StatusOf.
type StatusTarget struct {
	Kind       string
	Comparator string
	Value      Decimal  // the annual target
	Expected   Decimal  // what the month should show (see Expected)
	Actual     *Decimal // the latest reported actual through the month; nil when none
	Lower      bool     // lower is better (Expectation.LowerIsBetter)
}

// StatusInput is what StatusOf needs of a project for a month.
type StatusInput struct {
	// Reported: a submitted or accepted report for the month exists.
	Reported bool
	// Late: the report came after the due date, or is missing after it.
	Late bool
	// December: the month is the last of the year (levels count as met
	// only then).
	December bool
	Targets  []StatusTarget
}

// StatusOf derives a project's status for a month. It is the one place the
// rule lives until the configurable status engine replaces it:
//
//  1. No submitted or accepted report for the month: 未报送 when it is
//     overdue, otherwise 临期.
//  2. Every target meets its annual value (see met) and at least one of
//     them is a running total (quantity, progress, milestone) — or, for
//     projects whose targets are all levels to hold, the month is
//     December: 已完成.
//  3. Otherwise each target's actual is compared with its expected value:
//     the worst ratio decides — at least OnTrackRatio 正常, at least
//     FarBehindRatio 滞后, below it 严重滞后. A target with nothing
//     expected yet is on track; one without an actual counts as zero.
//     A project with no targets at all is 正常 once reported.
//  4. A report that came late is at least 滞后.
func StatusOf(in StatusInput) Status {
	if !in.Reported {
		if in.Late {
			return StatusNotReported
		}
		return StatusDue
	}
	if len(in.Targets) > 0 {
		allMet, cumulative := true, false
		for _, t := range in.Targets {
			if !met(t) {
				allMet = false
			}
			if t.Kind != KindRate && t.Kind != KindStandard && !t.Lower {
				cumulative = true
			}
		}
		if allMet && (cumulative || in.December) {
			if in.Late {
				return StatusBehind
			}
			return StatusDone
		}
	}
	worst := 1.0
	for _, t := range in.Targets {
		if r := ratio(t); r < worst {
			worst = r
		}
	}
	st := StatusOnTrack
	switch {
	case worst < FarBehindRatio:
		st = StatusFarBehind
	case worst < OnTrackRatio:
		st = StatusBehind
	}
	if in.Late && st == StatusOnTrack {
		st = StatusBehind
	}
	return st
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
	}
	return a.GreaterThanOrEqual(v) // >=, =, ~: reaching the value is meeting it
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
	return a / e
}
