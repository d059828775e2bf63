// Package supervise is the supervision office's work over the store:
// where each project stands, and the documents that record it.
package supervise

import (
	"context"
	"fmt"

	"minsheng/internal/documents"
	"minsheng/internal/plan"
	"minsheng/internal/progress"
	"minsheng/internal/store"
)

// Ledger assembles the 工作台账 of a published plan at the end of a month:
// every project in force, its latest submitted or accepted report through
// the month, and its status.
func (e *Engine) Ledger(ctx context.Context, actor *plan.User, planID string, period plan.Period) (documents.Ledger, error) {
	st := e.Store
	pv, err := st.GetPlan(ctx, planID)
	if err != nil {
		return documents.Ledger{}, err
	}
	if pv.State == plan.PlanDraft {
		return documents.Ledger{}, plan.Errorf(plan.EInvalid, "计划尚未发布，不能导出工作台账")
	}
	if period.Year != pv.Year {
		return documents.Ledger{}, plan.FieldError("period", "月份 %s 不在计划年度 %d 内", period, pv.Year)
	}
	projects, err := st.ListProjects(ctx, store.ProjectFilter{PlanID: pv.ID})
	if err != nil {
		return documents.Ledger{}, err
	}
	reports, err := st.ListReports(ctx, actor, store.ReportFilter{JurisdictionCode: pv.JurisdictionCode, Year: pv.Year})
	if err != nil {
		return documents.Ledger{}, err
	}
	// The status engine's judgement (computed, not stored: exporting
	// writes nothing), so the ledger says what the bulletin says.
	tl, err := e.Compute(ctx, pv.JurisdictionCode, period, false)
	if err != nil {
		return documents.Ledger{}, err
	}
	latest := latestReports(reports, period)
	status := map[string]plan.Status{}
	for _, p := range tl.Projects {
		if rec := tl.Status(p.ID, period); rec != nil {
			status[p.ID] = rec.Status
		}
	}
	l := documents.Ledger{
		Title:        fmt.Sprintf("%s%d年民生实事工作台账", pv.Document.Jurisdiction.Name, pv.Year),
		Jurisdiction: pv.Document.Jurisdiction.Name,
		Period:       period,
	}
	for _, p := range projects {
		lp := documents.LedgerProject{Project: p, Report: latest[p.ID], Status: status[p.ID].Label()}
		if line := tl.Line(p.ID); line != nil {
			lp.Planned = line.PlannedInvestment
		}
		l.Projects = append(l.Projects, lp)
	}
	l.Entry = progress.RowsFor(projects, latest, period)
	return l, nil
}

// latestReports picks, per project, the latest report through the month
// that was submitted or accepted: drafts and returned reports do not count.
func latestReports(reports []plan.Report, through plan.Period) map[string]*plan.Report {
	out := map[string]*plan.Report{}
	for i := range reports {
		r := &reports[i]
		if r.State != plan.ReportSubmitted && r.State != plan.ReportAccepted || through.Before(r.Period) {
			continue
		}
		if cur := out[r.ProjectID]; cur == nil || cur.Period.Before(r.Period) {
			out[r.ProjectID] = r
		}
	}
	return out
}
