package demo

import (
	"math"
	"math/rand/v2"

	"github.com/shopspring/decimal"

	"minsheng/internal/plan"
)

// The figures of a project's year, shared by the demo and the synthetic
// data: a course (when the work happens), a pace (how the unit keeps to
// it), and from those the monthly plan and the actuals reported. Every
// figure is an exact decimal; cumulative series never fall, percentages
// never pass 100.

// course is when a project's work happens: the share of the year's value
// planned by the end of each month rises from 0 before month start to 1 at
// month end along a smooth S curve.
type course struct{ start, end int }

func randomCourse(rng *rand.Rand) course {
	c := course{start: 1 + rng.IntN(3), end: 9 + rng.IntN(4)}
	return c
}

// share is the planned share of the year's value at the end of month m
// (1–12), to 4 decimal places.
func (c course) share(m int) decimal.Decimal {
	switch {
	case m < c.start:
		return decimal.Zero
	case m >= c.end:
		return decimal.NewFromInt(1)
	}
	x := float64(m-c.start+1) / float64(c.end-c.start+1)
	s := x * x * (3 - 2*x)
	return decimal.NewFromFloat(s).Round(4)
}

// pace is how a project keeps to its course.
type pace int

const (
	onPlan pace = iota // at or a little ahead of plan
	behind             // falls behind from month `from`
	early              // done by month `from`, ahead of its course
)

// fate is a project's pace through the year, with the monthly factor of
// actual over planned.
type fate struct {
	pace   pace
	from   int
	factor [13]float64 // index 1–12
}

func newFate(rng *rand.Rand, p pace, c course) fate {
	f := fate{pace: p}
	switch p {
	case behind:
		f.from = 4 + rng.IntN(5)
	case early:
		f.from = max(c.start+3, c.end-2-rng.IntN(3))
	}
	for m := 1; m <= 12; m++ {
		f.factor[m] = 1 + rng.Float64()*0.06
		if p == behind && m >= f.from {
			f.factor[m] = 0.55 + rng.Float64()*0.3
		}
	}
	return f
}

// places is how many decimal places a value is written with (1.42 → 2).
func places(d plan.Decimal) int32 {
	if e := d.Exponent(); e < 0 {
		return -e
	}
	return 0
}

func dec(d decimal.Decimal) *plan.Decimal { return &plan.Decimal{Decimal: d} }

var hundred = decimal.NewFromInt(100)

func lowerIsBetter(t *plan.TargetRecord) bool {
	return t.Comparator == plan.AtMost || t.Comparator == plan.LessThan
}

// plannedTarget is a target's monthly plan: cumulative values rising to
// the annual value at the course's end; levels (rates, standards, "at
// most" targets) held all year; a milestone reached at the end.
func plannedTarget(t *plan.TargetRecord, c course) [12]*plan.Decimal {
	var out [12]*plan.Decimal
	v := t.Value.Decimal
	for m := 1; m <= 12; m++ {
		switch {
		case lowerIsBetter(t) || t.Kind == plan.KindRate || t.Kind == plan.KindStandard:
			out[m-1] = dec(v)
		case t.Kind == plan.KindMilestone:
			if m >= c.end {
				out[m-1] = dec(v)
			} else {
				out[m-1] = dec(decimal.Zero)
			}
		default:
			out[m-1] = dec(v.Mul(c.share(m)).Round(places(t.Value)))
		}
	}
	return out
}

// actualTarget is what the unit reports for a target month by month.
func actualTarget(rng *rand.Rand, t *plan.TargetRecord, planned [12]*plan.Decimal, c course, f fate) [12]*plan.Decimal {
	var out [12]*plan.Decimal
	v := t.Value.Decimal
	pl := places(t.Value)
	var last decimal.Decimal
	// An "at most" target is held under its level, the same all year: a
	// quantity kind is still a running total that may not fall.
	low := v.Mul(decimal.NewFromFloat(0.85 + rng.Float64()*0.13)).Round(pl)
	for m := 1; m <= 12; m++ {
		var a decimal.Decimal
		switch {
		case lowerIsBetter(t):
			a = low
		case t.Kind == plan.KindStandard:
			a = v
		case t.Kind == plan.KindRate:
			pl := max(pl, 1)
			if f.pace == behind && m >= f.from {
				a = v.Sub(decimal.NewFromFloat(1 + rng.Float64()*4)).Round(pl)
			} else {
				room := math.Min(3, hundred.Sub(v).InexactFloat64())
				a = v.Add(decimal.NewFromFloat(rng.Float64() * room)).Round(pl)
			}
			if a.IsNegative() {
				a = decimal.Zero
			}
		case t.Kind == plan.KindMilestone:
			done := c.end
			switch f.pace {
			case early:
				done = min(c.end, f.from)
			case behind:
				done = 13
			}
			a = decimal.Zero
			if m >= done {
				a = v
			}
		default:
			if f.pace == early {
				a = v.Mul(decimal.Min(decimal.NewFromInt(1), c.share(m).Div(c.share(f.from)))).Round(pl)
			} else {
				a = planned[m-1].Decimal.Mul(decimal.NewFromFloat(f.factor[m])).Round(pl)
			}
			a = decimal.Min(a, v)
			a = decimal.Max(a, last) // a running total never falls
			last = a
		}
		if t.Percent() && a.GreaterThan(hundred) {
			a = hundred
		}
		out[m-1] = dec(a)
	}
	return out
}

// plannedInvestment spreads the year's investment (万元) over the months
// along the course: the months sum to it exactly.
func plannedInvestment(total *plan.Decimal, c course) [12]*plan.Decimal {
	var out [12]*plan.Decimal
	if total == nil {
		return out
	}
	prev := decimal.Zero
	for m := 1; m <= 12; m++ {
		cum := total.Decimal.Mul(c.share(m)).Round(2)
		out[m-1] = dec(cum.Sub(prev))
		prev = cum
	}
	return out
}

// actualInvestment is the investment completed, the funds disbursed and
// the funds allocated, year-to-date, month by month: running totals,
// disbursed never above completed, completed never above the year's
// investment. Money arrives in tranches of a tenth or more of the year's
// investment ahead of the payments — a budget issued, then a transfer —
// so allocated stays above disbursed, in steps.
func actualInvestment(rng *rand.Rand, total *plan.Decimal, planned [12]*plan.Decimal, c course, f fate) (inv, disb, alloc [12]*plan.Decimal) {
	if total == nil {
		return
	}
	var cumPlan, lastInv, lastDisb, lastAlloc decimal.Decimal
	for m := 1; m <= 12; m++ {
		cumPlan = cumPlan.Add(planned[m-1].Decimal)
		var a decimal.Decimal
		if f.pace == early {
			a = total.Decimal.Mul(decimal.Min(decimal.NewFromInt(1), c.share(m).Div(c.share(f.from)))).Round(2)
		} else {
			a = cumPlan.Mul(decimal.NewFromFloat(f.factor[m])).Round(2)
		}
		a = decimal.Max(decimal.Min(a, total.Decimal), lastInv)
		d := a.Mul(decimal.NewFromFloat(0.72 + rng.Float64()*0.23)).Round(2)
		d = decimal.Min(decimal.Max(d, lastDisb), a)
		inv[m-1], disb[m-1] = dec(a), dec(d)
		lastInv, lastDisb = a, d
		if total.IsPositive() && (lastAlloc.LessThan(d) || rng.IntN(3) == 0) {
			// The next tranche: up to the payments plus 10–30% of the year.
			ahead := d.Div(total.Decimal).Add(decimal.NewFromFloat(0.1 + rng.Float64()*0.2))
			tenths := ahead.Mul(decimal.NewFromInt(10)).Ceil().Div(decimal.NewFromInt(10))
			lastAlloc = decimal.Max(lastAlloc, decimal.Min(total.Decimal, total.Decimal.Mul(tenths)).Round(2))
		}
		alloc[m-1] = dec(decimal.Max(lastAlloc, d))
	}
	return
}

// subprojectFunds splits a project's money through a month among its
// sub-projects by their share of the investment, rounded down to the
// 元 hundred so that the rows never add up to more than the project's
// figures; a sub-project never shows more work done than its investment.
func subprojectFunds(subs []plan.SubprojectRecord, alloc, disb, inv *plan.Decimal) []plan.SubprojectFunds {
	var sum decimal.Decimal
	for _, s := range subs {
		if s.Investment != nil && s.RetiredBy == "" {
			sum = sum.Add(s.Investment.Decimal)
		}
	}
	if !sum.IsPositive() || alloc == nil || disb == nil || inv == nil {
		return nil
	}
	var out []plan.SubprojectFunds
	for _, s := range subs {
		if s.Investment == nil || s.RetiredBy != "" || !s.Investment.IsPositive() {
			continue
		}
		share := func(d *plan.Decimal) decimal.Decimal {
			return d.Decimal.Mul(s.Investment.Decimal).Div(sum).Truncate(2)
		}
		spent := decimal.Min(share(inv), s.Investment.Decimal)
		out = append(out, plan.SubprojectFunds{SubprojectID: s.ID, Allocated: dec(share(alloc)), Disbursed: dec(share(disb)), Spent: dec(spent)})
	}
	return out
}
