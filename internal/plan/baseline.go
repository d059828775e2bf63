package plan

import "time"

// Baseline sources: where an expected value came from.
const (
	BaselineMonthlyPlan = "monthly_plan" // the approved implementation plan
	BaselineLinear      = "linear"       // 序时进度: month m of 12 of the annual value
	BaselineConstant    = "constant"     // a level to hold all year
	BaselineYearEnd     = "year_end"     // nothing due before December
)

// Expectation is what a target should show at the end of a month.
type Expectation struct {
	Value  Decimal `json:"value"`
	Source string  `json:"source"`
	// LowerIsBetter is set for "at most" targets (<=, <): being under the
	// expected value is on track.
	LowerIsBetter bool `json:"lower_is_better,omitempty"`
}

// Expected returns what target t should show at the end of month (1–12).
//
// With an approved monthly plan that plans the target, it is the plan's
// cumulative value for the month; an unplanned month takes the nearest
// planned month before it (zero before the first), since a cumulative plan
// holds its value until it next changes.
//
// Without one, 序时进度 applies by kind:
//
//   - quantity and progress: month/12 of the annual value (5月 → 5/12),
//     rounded to 4 decimal places;
//   - rate and standard: the value itself from January on — a 回收率 or an
//     allowance level must hold all year, it is not built up;
//   - milestone: 0 until November, the value in December — a yes/no outcome
//     cannot be partly reached, and the deadline is the year end unless the
//     monthly plan says otherwise.
//
// Targets compared with <= or < (控制在…以下) are levels as well, whatever
// their kind: the value holds all year and LowerIsBetter is set.
func Expected(t *TargetRecord, mp *MonthlyPlan, month time.Month) Expectation {
	lower := t.Comparator == AtMost || t.Comparator == LessThan
	if mp != nil && mp.State == MonthlyApproved && month >= 1 && month <= 12 {
		if mt := mp.Target(t.ID); mt != nil {
			planned := false
			var v Decimal
			for i := 0; i < 12; i++ {
				if mt.Cumulative[i] != nil {
					planned = true
					if i < int(month) {
						v = *mt.Cumulative[i]
					}
				}
			}
			if planned {
				return Expectation{Value: v, Source: BaselineMonthlyPlan, LowerIsBetter: lower}
			}
		}
	}
	if lower {
		return Expectation{Value: t.Value, Source: BaselineConstant, LowerIsBetter: true}
	}
	switch t.Kind {
	case KindRate, KindStandard:
		return Expectation{Value: t.Value, Source: BaselineConstant}
	case KindMilestone:
		if month >= 12 {
			return Expectation{Value: t.Value, Source: BaselineYearEnd}
		}
		return Expectation{Value: Decimal{}, Source: BaselineYearEnd}
	}
	if month < 1 {
		month = 1
	}
	if month > 12 {
		month = 12
	}
	v := t.Value.Mul(DecimalFromInt(int64(month)))
	return Expectation{Value: Decimal{v.DivRound(DecimalFromInt(12).Decimal, 4)}, Source: BaselineLinear}
}
