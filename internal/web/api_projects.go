package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.ProjectFilter{PlanID: q.Get("plan"), JurisdictionCode: q.Get("jurisdiction"), UnitID: q.Get("unit")}
	if y := q.Get("year"); y != "" {
		year, err := strconv.Atoi(y)
		if err != nil {
			s.fail(w, r, badRequest("bad_request", "year", "年度应为数字，如 2024"))
			return
		}
		f.Year = year
	}
	pg, err := pageOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ps, next, err := s.Store.ProjectsPage(r.Context(), f, pg)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiProject, len(ps))
	for i := range ps {
		out[i] = projectView(&ps[i])
	}
	writeJSON(w, http.StatusOK, page(out, next))
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request) {
	p, err := s.Store.GetProject(r.Context(), r.PathValue("projectID"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, projectView(p))
}

// period reads the {period} path value or the period query parameter.
func period(r *http.Request) (plan.Period, error) {
	v := r.PathValue("period")
	if v == "" {
		v = r.URL.Query().Get("period")
	}
	p, err := plan.ParsePeriod(v)
	if err != nil {
		return plan.Period{}, badRequest("bad_period", "period", "月份格式应为 2024-05，而不是 %q", v)
	}
	return p, nil
}

// projectStatus: the project's line of the dashboard for a month — the
// report's state and every target's expected value against its actual.
func (s *Server) projectStatus(w http.ResponseWriter, r *http.Request) {
	per, err := period(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.Store.GetProject(r.Context(), r.PathValue("projectID"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := plan.Authorize(userOf(r), plan.ActionRead, plan.ProjectResource(p)); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.Store.Dashboard(r.Context(), p.JurisdictionCode, per)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, item := range d.Items {
		if item.ProjectID == p.ID {
			writeJSON(w, http.StatusOK, item)
			return
		}
	}
	s.fail(w, r, plan.Errorf(plan.ENotFound, "该项目不在 %s 的计划中", per.Label()))
}

func (s *Server) getMonthlyPlan(w http.ResponseWriter, r *http.Request) {
	mp, err := s.Store.GetMonthlyPlan(r.Context(), userOf(r), r.PathValue("projectID"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, mp)
}

func (s *Server) saveMonthlyPlan(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBodyBytes))
	if err != nil {
		s.fail(w, r, jsonError(err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	var mp plan.MonthlyPlan
	if err := s.decodeJSON(w, r, &mp); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := twelveMonths(raw); err != nil {
		s.fail(w, r, err)
		return
	}
	saved, err := s.Store.SaveMonthlyPlan(r.Context(), userOf(r), r.PathValue("projectID"), &mp)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, saved)
}

// twelveMonths refuses month lists longer than a year: decoding into the
// [12] arrays of plan.MonthlyPlan would silently drop the extra months.
func twelveMonths(raw []byte) error {
	var months struct {
		Investment []json.RawMessage `json:"investment_wan"`
		Targets    []struct {
			TargetID   string            `json:"target_id"`
			Cumulative []json.RawMessage `json:"cumulative"`
		} `json:"targets"`
	}
	if err := json.Unmarshal(raw, &months); err != nil {
		return nil // decodeJSON has judged the body
	}
	if n := len(months.Investment); n > 12 {
		return plan.FieldError("investment_wan", "各月计划投资最多 12 项（1–12 月），收到 %d 项", n)
	}
	for _, t := range months.Targets {
		if n := len(t.Cumulative); n > 12 {
			return plan.FieldError("targets."+t.TargetID, "各月计划累计值最多 12 项（1–12 月），收到 %d 项", n)
		}
	}
	return nil
}

type actionRequest struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

// readAction reads the optional body of a submit/accept/return action.
func (s *Server) readAction(w http.ResponseWriter, r *http.Request) (actionRequest, error) {
	var req actionRequest
	if r.ContentLength == 0 {
		return req, nil
	}
	err := s.decodeJSON(w, r, &req)
	return req, err
}

// monthlyPlanAction: submit (the unit), approve, return, reopen (the
// supervisor).
func (s *Server) monthlyPlanAction(w http.ResponseWriter, r *http.Request) {
	req, err := s.readAction(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, u, id := r.Context(), userOf(r), r.PathValue("projectID")
	var mp *plan.MonthlyPlan
	switch r.PathValue("action") {
	case "submit":
		mp, err = s.Store.SubmitMonthlyPlan(ctx, u, id, req.Version)
	case "approve":
		mp, err = s.Store.ApproveMonthlyPlan(ctx, u, id)
	case "return":
		mp, err = s.Store.ReturnMonthlyPlan(ctx, u, id, req.Reason)
	case "reopen":
		mp, err = s.Store.ReopenMonthlyPlan(ctx, u, id, req.Reason)
	default:
		err = plan.Errorf(plan.ENotFound, "没有这个操作：%s", r.PathValue("action"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, mp)
}

// placeAndPeriod reads ?jurisdiction= (default: the user's) and ?period=
// of a request for a place's figures.
func placeAndPeriod(r *http.Request) (string, plan.Period, error) {
	per, err := period(r)
	if err != nil {
		return "", per, err
	}
	code := r.URL.Query().Get("jurisdiction")
	if code == "" {
		code = userOf(r).JurisdictionCode
	}
	return code, per, nil
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	// The dashboard shows only submitted and accepted figures of published
	// projects: every logged-in user may see it.
	code, per, err := placeAndPeriod(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.Store.Dashboard(r.Context(), code, per)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// rollup: GET /api/v1/rollup?jurisdiction=360000&period=2024-10 — the
// dashboards of the jurisdictions a city or a province covers (without
// jurisdiction, the user's; an empty one for a user without covers the
// installation), summed, with a line per jurisdiction. Readable by every
// logged-in user, as the dashboard.
func (s *Server) rollup(w http.ResponseWriter, r *http.Request) {
	code, per, err := placeAndPeriod(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if code != "" && !plan.ValidJurisdictionCode(code) {
		s.fail(w, r, badRequest("bad_jurisdiction", "jurisdiction", "行政区划代码应为 6 位数字，而不是 %q", code))
		return
	}
	ru, err := s.Store.Rollup(r.Context(), code, per)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ru)
}
