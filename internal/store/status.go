package store

import (
	"time"

	"minsheng/internal/plan"
)

// Status is the project's status for the dashboard's month (plan.Assess
// on this line's figures, with the thresholds in force), as the status
// engine (internal/supervise) judges it: what the roll-up facts hold.
//
// The "behind N months running" rule needs the months before. They are
// judged as at the end of the line's month: on their figures (each
// month's expected value against the running total reported through it),
// and a month without a submitted or accepted report as 未报送 — by then
// its due day and grace days have passed. The engine judges them with the
// clock, which for a month already over is later still.
func (p *DashboardProject) Status(period plan.Period) plan.Status {
	var prior *plan.Assessment
	for m := time.January; m < period.Month; m++ {
		a := plan.AssessAfter(prior, p.monthInput(m))
		prior = &a
	}
	return plan.AssessAfter(prior, p.lastInput(period.Month)).Status
}

// monthInput is a month before the line's own as Status judges it: its
// report counted (on time) or overdue, its targets' expected values
// against the running totals reported through it, and the deadline as at
// the month's end.
func (p *DashboardProject) monthInput(m time.Month) plan.StatusInput {
	reported := p.reported&(1<<m) != 0
	in := plan.StatusInput{Reported: reported, Late: !reported, December: m == time.December, Deadline: p.deadline}
	if !p.deadline.IsZero() {
		in.AsOf = plan.Period{Year: p.year, Month: m}.End()
	}
	for _, t := range p.Targets {
		st := plan.StatusTarget{ID: t.TargetID, Kind: t.Kind, Comparator: t.comparator, Value: t.Value, Lower: t.Lower}
		if k := int(m) - 1; k < len(t.Months) {
			st.Expected = t.Months[k].Expected
			for ; k >= 0; k-- {
				if t.Months[k].Actual != nil {
					st.Actual = t.Months[k].Actual
					break
				}
			}
		}
		in.Targets = append(in.Targets, st)
	}
	return in
}

// lastInput is the line's own month m as it stands: its report counted
// or not, late or not.
func (p *DashboardProject) lastInput(m time.Month) plan.StatusInput {
	in := p.inputAs(m, p.ReportState, p.Late)
	in.InGrace = p.inGrace
	return in
}

// inputAs is month m of a line computed through m or later, judged as the
// last month with the month's report state and lateness: the targets'
// figures through m are the same whichever later month the line is for.
func (p *DashboardProject) inputAs(m time.Month, state plan.ReportState, late bool) plan.StatusInput {
	in := p.monthInput(m)
	in.Reported = countedState(state)
	in.Late = late
	return in
}
