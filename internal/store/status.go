package store

import "minsheng/internal/plan"

// Status is the project's status for the dashboard's month (plan.Assess
// on this line's figures, with the thresholds in force): the one mapping
// from a dashboard line to the traffic light, shared by the pages, the
// ledger and the bulletin.
//
// The "behind N months running" rule needs the months before: they are
// judged here on their figures alone (each month's expected value against
// the running total reported through it), since the line does not carry
// when those months' reports came in. The status engine
// (internal/supervise) judges every month with its timing and keeps the
// history; prefer its rows where they exist.
func (p *DashboardProject) Status(period plan.Period) plan.Status {
	ins := make([]plan.StatusInput, 0, int(period.Month))
	for m := 0; m < int(period.Month); m++ {
		in := plan.StatusInput{Reported: true, December: m == 11}
		for _, t := range p.Targets {
			st := plan.StatusTarget{ID: t.TargetID, Kind: t.Kind, Value: t.Value, Lower: t.Lower}
			if m < len(t.Months) {
				st.Expected = t.Months[m].Expected
				for k := m; k >= 0; k-- {
					if t.Months[k].Actual != nil {
						st.Actual = t.Months[k].Actual
						break
					}
				}
			}
			in.Targets = append(in.Targets, st)
		}
		ins = append(ins, in)
	}
	if len(ins) == 0 {
		return plan.StatusDue
	}
	last := &ins[len(ins)-1]
	last.Reported = p.ReportState == plan.ReportSubmitted || p.ReportState == plan.ReportAccepted
	last.Late = p.Late
	for i, t := range p.Targets {
		last.Targets[i].Expected, last.Targets[i].Actual = t.Expected, t.Latest
	}
	a := plan.AssessRun(ins)
	return a[len(a)-1].Status
}
