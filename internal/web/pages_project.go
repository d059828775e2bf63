package web

import (
	"context"
	"net/http"
	"sort"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

type targetView struct {
	T           plan.TargetRecord
	Latest      *plan.Decimal
	Expected    plan.Decimal
	Source      string
	Progress    float64 // latest / annual value
	HasProgress bool
	Chart       *chart
}

type revisionView struct {
	plan.Revision
	Actor string
}

type timelineReport struct {
	Report    plan.Report
	Revisions []revisionView
}

type projectPage struct {
	basePage
	P            *plan.ProjectRecord
	Period       plan.Period
	Periods      []plan.Period
	Status       plan.Status
	Reason       string
	Item         *store.DashboardProject
	Targets      []targetView
	Baseline     string // how expected values are set, for the whole project
	Monthly      *plan.MonthlyPlan
	MonthlyNote  string
	Reports      []timelineReport
	CanReport    bool
	CanMonthly   bool
	Leads        []string
	Responsible  []string
	Jurisdiction string
	// On-site visits (pages_inspections.go): newest first, the reports
	// they found short by period, and whether the user may record one.
	Visits       []visitView
	ShortReports map[plan.Period]string
	CanInspect   bool
	Letters      projectLetters
	Evaluation   *evaluationPanel // 人大票决 projects only
	// History is the 跨年度进展 of a project that continues an earlier
	// year's (pages_carryover.go).
	History *historyView
	Funds   *fundsView
}

// projectPage: GET /projects/{projectID} — 项目详情: the document's text,
// every target with its progress and month-by-month chart, sub-projects,
// the report timeline with its revisions and attachments.
func (s *Server) projectPage(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	p, err := s.Store.GetProject(ctx, r.PathValue("projectID"))
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	per, err := s.projectPeriod(ctx, r, p)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	pg := projectPage{basePage: s.base(r, p.Title, "projects"), P: p, Period: per,
		Leads: p.LeadUnitNames(), Responsible: p.ResponsibleUnitNames()}
	if j, err := s.Store.GetJurisdiction(ctx, p.JurisdictionCode); err == nil {
		pg.Jurisdiction = j.Name
	}
	for m := time.January; m <= time.December; m++ {
		pg.Periods = append(pg.Periods, plan.Period{Year: p.Year, Month: m})
	}
	pg.CanReport = plan.Can(u, plan.ActionEditReport, plan.ReportResource(p, plan.ReportDraft))
	pg.CanMonthly = plan.Can(u, plan.ActionEditMonthly, plan.MonthlyPlanResource(p, plan.MonthlyDraft)) ||
		plan.Can(u, plan.ActionApproveMonthly, plan.MonthlyPlanResource(p, plan.MonthlySubmitted))

	// The project's line of the dashboard: status and figures for the month.
	if p.RetiredBy == "" {
		tl, err := s.Engine.Statuses(ctx, p.JurisdictionCode, per)
		if err != nil {
			s.pageFail(w, r, err)
			return
		}
		if pg.Item = tl.Line(p.ID); pg.Item != nil {
			pg.Status, pg.Reason = projectStatus(tl, pg.Item, per)
		} else {
			pg.Status = plan.StatusDue
		}
	}

	approved, err := s.Store.ApprovedMonthlyPlans(ctx, p.JurisdictionCode, p.Year)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	mp := approved[p.ID]
	switch mp, err := s.Store.GetMonthlyPlan(ctx, u, p.ID); {
	case err == nil:
		pg.Monthly = mp
	case plan.ErrorCode(err) == plan.ENotFound:
		pg.MonthlyNote = "尚未编制月度计划"
	case plan.ErrorCode(err) == plan.EForbidden:
		pg.MonthlyNote = "月度计划尚在编制中"
	default:
		s.pageFail(w, r, err)
		return
	}
	pg.Baseline = "按序时进度"
	if mp != nil {
		pg.Baseline = "按已审核的月度计划"
	}

	dt := map[string]*store.DashboardTarget{}
	if pg.Item != nil {
		for i := range pg.Item.Targets {
			dt[pg.Item.Targets[i].TargetID] = &pg.Item.Targets[i]
		}
	}
	for _, t := range p.ActiveTargets() {
		tv := targetView{T: t}
		e := plan.Expected(&t, mp, per.Month)
		tv.Expected, tv.Source = e.Value, e.Source
		c := &chart{ID: "chart-" + t.ID, Type: "line", Unit: t.Unit, Categories: monthNames(12), Label: t.Metric + "：各月应完成与实际完成"}
		planned := chartSeries{Name: "应完成（" + sourceLabel(e.Source) + "）", Color: colorPlanned, Dashed: true}
		actual := chartSeries{Name: "实际完成", Color: colorActual}
		for m := time.January; m <= time.December; m++ {
			ex := plan.Expected(&t, mp, m)
			planned.Data = append(planned.Data, floatOf(&ex.Value))
			var a *float64
			if d := dt[t.ID]; d != nil && int(m) <= len(d.Months) {
				a = floatOf(d.Months[m-1].Actual)
			}
			actual.Data = append(actual.Data, a)
		}
		c.Series = []chartSeries{planned, actual}
		if d := dt[t.ID]; d != nil {
			tv.Latest = d.Latest
		}
		if tv.Latest != nil && t.Value.IsPositive() {
			tv.Progress, tv.HasProgress = ratio(tv.Latest.Decimal, t.Value.Decimal), true
		}
		tv.Chart = c
		pg.Targets = append(pg.Targets, tv)
	}

	if pg.Funds, err = s.projectFunds(ctx, p, mp, per); err != nil {
		s.pageFail(w, r, err)
		return
	}
	if pg.Letters, err = s.lettersOfProject(ctx, u, p); err != nil {
		s.pageFail(w, r, err)
		return
	}
	if pg.Reports, err = s.reportTimeline(ctx, u, p); err != nil {
		s.pageFail(w, r, err)
		return
	}
	pg.CanInspect = p.RetiredBy == "" && plan.Can(u, plan.ActionInspect, plan.InspectionResource(p))
	if pg.Visits, pg.ShortReports, err = s.projectVisits(ctx, u, p); err != nil {
		s.pageFail(w, r, err)
		return
	}
	if pg.Evaluation, err = s.loadEvaluationPanel(r, p); err != nil {
		s.pageFail(w, r, err)
		return
	}
	if pg.History, err = s.projectHistory(ctx, u, p); err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "project", pg)
}

// projectPeriod is the month a project page shows: ?period= or the
// jurisdiction's default, within the project's year.
func (s *Server) projectPeriod(ctx context.Context, r *http.Request, p *plan.ProjectRecord) (plan.Period, error) {
	if v := r.URL.Query().Get("period"); v != "" {
		per, err := plan.ParsePeriod(v)
		if err != nil {
			return per, badRequest("bad_period", "period", "月份格式应为 2024-05，而不是 %q", v)
		}
		if per.Year == p.Year {
			return per, nil
		}
	}
	return s.defaultPeriod(ctx, p.JurisdictionCode, []int{p.Year})
}

// reportTimeline lists the reports of a project the user may read, newest
// month first, each with its revisions.
func (s *Server) reportTimeline(ctx context.Context, u *plan.User, p *plan.ProjectRecord) ([]timelineReport, error) {
	reps, err := s.Store.ListReports(ctx, u, store.ReportFilter{ProjectID: p.ID})
	if err != nil {
		return nil, err
	}
	sort.Slice(reps, func(i, j int) bool { return reps[j].Period.Before(reps[i].Period) })
	var out []timelineReport
	var ids []string
	for _, rep := range reps {
		revs, err := s.Store.ReportRevisions(ctx, u, p.ID, rep.Period)
		if err != nil {
			return nil, err
		}
		rv := timelineReport{Report: rep}
		for _, rev := range revs {
			rv.Revisions = append(rv.Revisions, revisionView{Revision: rev})
			ids = append(ids, rev.ActorID)
		}
		out = append(out, rv)
	}
	names := s.userNames(ctx, ids...)
	for i := range out {
		for j := range out[i].Revisions {
			out[i].Revisions[j].Actor = names[out[i].Revisions[j].ActorID]
		}
	}
	return out, nil
}
