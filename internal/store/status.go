package store

import "minsheng/internal/plan"

// Status is the project's status for the dashboard's month (plan.StatusOf
// on this line's figures): the one mapping from stored figures to the
// traffic light, shared by the pages, the ledger and the bulletin.
func (p *DashboardProject) Status(period plan.Period) plan.Status {
	in := plan.StatusInput{
		Reported: p.ReportState == plan.ReportSubmitted || p.ReportState == plan.ReportAccepted,
		Late:     p.Late,
		December: period.Month == 12,
	}
	for _, t := range p.Targets {
		in.Targets = append(in.Targets, plan.StatusTarget{Kind: t.Kind, Value: t.Value, Expected: t.Expected, Actual: t.Latest, Lower: t.Lower})
	}
	return plan.StatusOf(in)
}
