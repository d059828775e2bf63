package web

import (
	"net/http"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

type reviewItem struct {
	Report    plan.Report
	P         *plan.ProjectRecord
	Units     []string
	Late      bool
	Submitter string
	CSRF      string
}

type reviewPage struct {
	basePage
	Jurisdiction string
	Items        []reviewItem // this page's
	Pager        pager
	Monthly      []store.PendingMonthlyPlan
	Returned     []reviewItem
}

// reviewPage: GET /review — 审核: the supervisor's queue of submitted
// reports (accept, or return with a reason, inline) and of monthly plans
// awaiting approval.
func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	if u.Role != plan.RoleSupervisor || u.JurisdictionCode == "" {
		s.pageFail(w, r, plan.Errorf(plan.EForbidden, "审核页面仅供民生办/督查室使用"))
		return
	}
	code := u.JurisdictionCode
	pg := reviewPage{basePage: s.base(r, "审核", "review")}
	if j, err := s.Store.GetJurisdiction(ctx, code); err == nil {
		pg.Jurisdiction = j.Name
	}
	ps, err := s.Store.ListProjects(ctx, store.ProjectFilter{JurisdictionCode: code})
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	byID := map[string]*plan.ProjectRecord{}
	for i := range ps {
		byID[ps[i].ID] = &ps[i]
	}
	items := func(state plan.ReportState) ([]reviewItem, error) {
		reps, err := s.Store.ListReports(ctx, u, store.ReportFilter{JurisdictionCode: code, State: state})
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, rep := range reps {
			ids = append(ids, rep.SubmittedBy)
		}
		names := s.userNames(ctx, ids...)
		var out []reviewItem
		for _, rep := range reps {
			if p := byID[rep.ProjectID]; p != nil {
				row := projectRow{P: p}
				late := rep.SubmittedAt != nil && rep.Period.IsLate(*rep.SubmittedAt, s.Store.DueDay)
				out = append(out, reviewItem{Report: rep, P: p, Units: row.LeadNames(), Late: late, Submitter: names[rep.SubmittedBy], CSRF: pg.CSRF})
			}
		}
		return out, nil
	}
	if pg.Items, err = items(plan.ReportSubmitted); err != nil {
		s.pageFail(w, r, err)
		return
	}
	pg.Items, pg.Pager = paginate(r, pg.Items)
	if pg.Returned, err = items(plan.ReportReturned); err != nil {
		s.pageFail(w, r, err)
		return
	}
	if pg.Monthly, err = s.Store.SubmittedMonthlyPlans(ctx, code); err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "review", pg)
}
