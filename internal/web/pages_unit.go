package web

import (
	"net/http"
	"slices"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

type unitTask struct {
	Row       projectRow
	Reporting bool // the unit writes the project's reports (else it contributes)
	State     plan.ReportState
	Missing   bool
	Late      bool
	Monthly   string // the monthly plan's state, when the user may see it
}

type unitPage struct {
	basePage
	Unit         *plan.Unit
	Jurisdiction string
	Period       plan.Period
	Due          time.Time
	Tasks        []unitTask
	Returned     []returnedReport
	Owed         int
	Mine         bool
	Periods      []plan.Period
}

type returnedReport struct {
	Report plan.Report
	Title  string
	Seq    int
}

// unitPage: GET /units/{unitID} — 单位: its projects and what it owes for
// the month whose report is due (reports to write, returned reports to
// fix). Its own users, and supervisors, leaders and deputies over its
// jurisdiction, may see it.
func (s *Server) unitPage(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	unit, err := s.Store.GetUnit(ctx, r.PathValue("unitID"))
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	mine := u.UnitID == unit.ID
	over := u.JurisdictionCode != "" && plan.JurisdictionCovers(u.JurisdictionCode, unit.JurisdictionCode) &&
		(u.Role == plan.RoleSupervisor || u.Role == plan.RoleLeader || u.Role == plan.RoleDeputy)
	if !mine && !over {
		s.pageFail(w, r, plan.Errorf(plan.EForbidden, "只有本单位用户和上级督查、领导可以查看该单位的任务"))
		return
	}
	q := r.URL.Query()
	r2 := r.Clone(ctx)
	v := r2.URL.Query()
	v.Set("jurisdiction", unit.JurisdictionCode)
	if q.Get("period") == "" {
		v.Del("period")
	}
	r2.URL.RawQuery = v.Encode()
	sc, err := s.pageScope(r2)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	per := sc.Period
	title := unit.Name
	if mine {
		title = "我的任务"
	}
	pg := unitPage{basePage: s.base(r, title, map[bool]string{true: "unit", false: ""}[mine]), Unit: unit, Jurisdiction: sc.Name,
		Period: per, Due: per.DueDate(s.Store.DueDay), Mine: mine, Periods: sc.Periods}

	_, rows, err := s.projectRows(ctx, unit.JurisdictionCode, per)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	statuses, err := s.Store.ReportStatuses(ctx, unit.JurisdictionCode, per)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	byProject := map[string]*store.ReportStatus{}
	for i := range statuses {
		byProject[statuses[i].ProjectID] = &statuses[i]
	}
	ours := map[string]bool{}
	for _, row := range rows {
		p := row.P
		reporting := slices.Contains(p.ReportingUnitIDs(), unit.ID)
		if !reporting && !slices.Contains(p.ResponsibleUnitIDs(), unit.ID) {
			continue
		}
		ours[p.ID] = reporting
		t := unitTask{Row: row, Reporting: reporting}
		if st := byProject[p.ID]; st != nil {
			t.State, t.Missing, t.Late = st.State, st.Missing, st.Late
		}
		if reporting && (t.Missing || t.State == plan.ReportReturned) {
			pg.Owed++
		}
		if reporting {
			switch mp, err := s.Store.GetMonthlyPlan(ctx, u, p.ID); {
			case err == nil:
				t.Monthly = mp.State.Label()
			case plan.ErrorCode(err) == plan.ENotFound:
				t.Monthly = "未编制"
			}
		}
		pg.Tasks = append(pg.Tasks, t)
	}
	returned, err := s.Store.ListReports(ctx, u, store.ReportFilter{JurisdictionCode: unit.JurisdictionCode, State: plan.ReportReturned})
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	titles := map[string]*plan.ProjectRecord{}
	for _, row := range rows {
		titles[row.P.ID] = row.P
	}
	for _, rep := range returned {
		if ours[rep.ProjectID] && titles[rep.ProjectID] != nil {
			pg.Returned = append(pg.Returned, returnedReport{Report: rep, Title: titles[rep.ProjectID].Title, Seq: titles[rep.ProjectID].Seq})
		}
	}
	s.render(w, r, http.StatusOK, "unit", pg)
}
