package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"minsheng/internal/plan"
)

type monthCell struct {
	Month       int
	Name        string // form field
	Value       string
	Placeholder string
}

type monthlyTargetRow struct {
	T     plan.TargetRecord
	Field string // problem field targets.<id>
	Cells []monthCell
}

type monthlyPage struct {
	basePage
	P          *plan.ProjectRecord
	MP         *plan.MonthlyPlan
	State      plan.MonthlyPlanState
	Version    int
	Rows       []monthlyTargetRow
	Investment []monthCell
	Deadline   string
	Errors     fieldErrors
	ErrorList  []plan.Problem
	CanEdit    bool
	CanApprove bool
	CanReopen  bool
	Unreadable bool
}

// monthlyPage: GET /projects/{projectID}/monthly-plan — 月度计划: planned
// cumulative value per target and month, planned investment per month,
// deadline; draft, submit; the supervisor approves or returns it.
func (s *Server) monthlyPage(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadMonthlyPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "monthly", pg)
}

func (s *Server) loadMonthlyPage(r *http.Request) (*monthlyPage, error) {
	ctx, u := r.Context(), userOf(r)
	p, err := s.Store.GetProject(ctx, r.PathValue("projectID"))
	if err != nil {
		return nil, err
	}
	pg := &monthlyPage{basePage: s.base(r, "月度计划 · "+p.Title, "unit"), P: p, Errors: fieldErrors{}}
	if u.Role == plan.RoleSupervisor {
		pg.Nav = s.base(r, "", "review").Nav
	}
	mp, err := s.Store.GetMonthlyPlan(ctx, u, p.ID)
	switch {
	case err == nil:
		pg.MP, pg.State, pg.Version = mp, mp.State, mp.Version
	case plan.ErrorCode(err) == plan.ENotFound:
	case plan.ErrorCode(err) == plan.EForbidden:
		pg.Unreadable = true
	default:
		return nil, err
	}
	res := plan.MonthlyPlanResource(p, pg.State)
	pg.CanEdit = p.RetiredBy == "" && (pg.State == "" || pg.State == plan.MonthlyDraft) && plan.Can(u, plan.ActionEditMonthly, res)
	pg.CanApprove = pg.State == plan.MonthlySubmitted && plan.Can(u, plan.ActionApproveMonthly, res)
	pg.CanReopen = pg.State == plan.MonthlyApproved && plan.Can(u, plan.ActionApproveMonthly, res)
	if pg.CanEdit {
		pg.Unreadable = false
	}
	for _, t := range p.ActiveTargets() {
		row := monthlyTargetRow{T: t, Field: "targets." + t.ID}
		var planned *plan.MonthlyTarget
		if mp != nil {
			planned = mp.Target(t.ID)
		}
		for m := 1; m <= 12; m++ {
			c := monthCell{Month: m, Name: "t." + t.ID + "." + strconv.Itoa(m)}
			c.Placeholder = plan.Expected(&t, nil, time.Month(m)).Value.Round(2).String()
			if planned != nil && planned.Cumulative[m-1] != nil {
				c.Value = planned.Cumulative[m-1].String()
			}
			row.Cells = append(row.Cells, c)
		}
		pg.Rows = append(pg.Rows, row)
	}
	for m := 1; m <= 12; m++ {
		c := monthCell{Month: m, Name: "inv." + strconv.Itoa(m)}
		if mp != nil && mp.Investment[m-1] != nil {
			c.Value = mp.Investment[m-1].String()
		}
		pg.Investment = append(pg.Investment, c)
	}
	if mp != nil {
		pg.Deadline = mp.Deadline
	}
	return pg, nil
}

// monthlySubmit: POST /projects/{projectID}/monthly-plan, action=save or
// action=submit.
func (s *Server) monthlySubmit(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	pg, err := s.loadMonthlyPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		s.pageFail(w, r, badRequest("bad_request", "", "表单无法读取"))
		return
	}
	f := r.PostForm
	pg.Version, _ = strconv.Atoi(f.Get("version"))
	mp := &plan.MonthlyPlan{Version: pg.Version, Deadline: strings.TrimSpace(f.Get("deadline"))}
	pg.Deadline = mp.Deadline
	for i := range pg.Rows {
		row := &pg.Rows[i]
		mt := plan.MonthlyTarget{TargetID: row.T.ID}
		any := false
		for j := range row.Cells {
			c := &row.Cells[j]
			c.Value = strings.TrimSpace(f.Get(c.Name))
			d, ok := parseDecimalField(c.Value)
			if !ok {
				pg.Errors.add(row.Field, "「"+row.T.Metric+"」"+strconv.Itoa(c.Month)+"月应填写数字")
				continue
			}
			if d != nil {
				mt.Cumulative[j], any = d, true
			}
		}
		if any {
			mp.Targets = append(mp.Targets, mt)
		}
	}
	for j := range pg.Investment {
		c := &pg.Investment[j]
		c.Value = strings.TrimSpace(f.Get(c.Name))
		d, ok := parseDecimalField(c.Value)
		if !ok {
			pg.Errors.add("investment_wan", strconv.Itoa(c.Month)+"月计划投资应填写数字（万元）")
			continue
		}
		mp.Investment[j] = d
	}
	fail := func(status int, prefix string, err error) {
		if err != nil {
			fe, list, msg := problemsOf(err)
			for k, v := range fe {
				for _, m := range v {
					pg.Errors.add(k, m)
				}
			}
			pg.ErrorList = list
			pg.Error = prefix + msg
		} else {
			for field, msgs := range pg.Errors {
				for _, m := range msgs {
					pg.ErrorList = append(pg.ErrorList, plan.Problem{Field: field, Message: m, Severity: plan.ProblemError})
				}
			}
			pg.Error = prefix + "有 " + strconv.Itoa(len(pg.ErrorList)) + " 处需要修改。"
		}
		s.render(w, r, status, "monthly", pg)
	}
	if len(pg.Errors) > 0 {
		fail(http.StatusUnprocessableEntity, "尚未保存：", nil)
		return
	}
	saved, err := s.Store.SaveMonthlyPlan(ctx, u, pg.P.ID, mp)
	if err != nil {
		fail(statusFor(err), "尚未保存：", err)
		return
	}
	to := "/projects/" + url.PathEscape(pg.P.ID) + "/monthly-plan"
	if f.Get("action") != "submit" {
		redirect(w, r, to, "saved")
		return
	}
	pg.Version = saved.Version
	if _, err := s.Store.SubmitMonthlyPlan(ctx, u, pg.P.ID, saved.Version); err != nil {
		fail(statusFor(err), "已保存草稿，但还不能提交：", err)
		return
	}
	redirect(w, r, to, "submitted")
}

// monthlyReview: POST /projects/{projectID}/monthly-plan/review with
// decision=approve, return or reopen (the last two with a reason).
func (s *Server) monthlyReview(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	id := r.PathValue("projectID")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	var err error
	flash := "approved"
	switch r.PostFormValue("decision") {
	case "approve":
		_, err = s.Store.ApproveMonthlyPlan(ctx, u, id)
	case "return":
		flash = "returned"
		_, err = s.Store.ReturnMonthlyPlan(ctx, u, id, reason)
	case "reopen":
		flash = "reopened"
		_, err = s.Store.ReopenMonthlyPlan(ctx, u, id, reason)
	default:
		err = plan.FieldError("decision", "请选择审核通过或退回")
	}
	if err != nil {
		pg, lerr := s.loadMonthlyPage(r)
		if lerr != nil {
			s.pageFail(w, r, lerr)
			return
		}
		pg.Errors.add("reason", plan.ErrorMessage(err))
		pg.Error = plan.ErrorMessage(err)
		s.render(w, r, statusFor(err), "monthly", pg)
		return
	}
	redirect(w, r, "/projects/"+url.PathEscape(id)+"/monthly-plan", flash)
}

// statusFor is the HTTP status of a domain error on a form page.
func statusFor(err error) int {
	if st, ok := statusOf[plan.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}
