package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// The supervisor's side of the portal: the moderation queue of residents'
// comments, the 公开 step of an accepted report (which of its parts go
// public), and the satisfaction results.

// feedbackAdminRoutes lists the supervisor's pages and API of the portal.
func (s *Server) feedbackAdminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /moderation", s.requirePage(s.moderationPage))
	mux.HandleFunc("POST /moderation/comments/{commentID}", s.requirePage(s.moderationSubmit))
	mux.HandleFunc("GET /projects/{projectID}/reports/{period}/release", s.requirePage(s.releasePage))
	mux.HandleFunc("POST /projects/{projectID}/reports/{period}/release", s.requirePage(s.releaseSubmit))

	mux.HandleFunc("GET /api/v1/comments", s.requireUser(s.listCommentsAPI))
	mux.HandleFunc("POST /api/v1/comments/{commentID}/{decision}", s.requireUser(s.moderateAPI))
	mux.HandleFunc("GET /api/v1/projects/{projectID}/reports/{period}/release", s.requireUser(s.getReleaseAPI))
	mux.HandleFunc("PUT /api/v1/projects/{projectID}/reports/{period}/release", s.requireUser(s.putReleaseAPI))
	mux.HandleFunc("GET /api/v1/satisfaction", s.requireUser(s.satisfactionAPI))
}

// commentState reads ?state= (pending by default).
func commentState(r *http.Request) (store.CommentState, error) {
	switch st := store.CommentState(r.URL.Query().Get("state")); st {
	case "":
		return store.CommentPending, nil
	case store.CommentPending, store.CommentApproved, store.CommentRejected:
		return st, nil
	default:
		return "", badRequest("bad_request", "state", "state 应为 pending、approved 或 rejected，而不是 %q", st)
	}
}

// scopeCode is ?jurisdiction=, by default the user's own.
func scopeCode(r *http.Request) string {
	if c := r.URL.Query().Get("jurisdiction"); c != "" {
		return c
	}
	if u := userOf(r); u != nil {
		return u.JurisdictionCode
	}
	return ""
}

// listCommentsAPI: GET /api/v1/comments?jurisdiction=&state=pending.
func (s *Server) listCommentsAPI(w http.ResponseWriter, r *http.Request) {
	st, err := commentState(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := s.Store.CommentQueue(r.Context(), userOf(r), scopeCode(r), st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items(cs))
}

// moderateAPI: POST /api/v1/comments/{commentID}/approve|reject {"reason"}.
func (s *Server) moderateAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength != 0 {
		if err := s.decodeJSON(w, r, &in); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	approve, err := moderationDecision(r.PathValue("decision"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Store.ModerateComment(r.Context(), userOf(r), r.PathValue("commentID"), approve, in.Reason)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func moderationDecision(d string) (bool, error) {
	switch d {
	case "approve":
		return true, nil
	case "reject":
		return false, nil
	}
	return false, &plan.Error{Code: plan.ENotFound, Message: "没有这个审核操作：" + d + "（应为 approve 或 reject）"}
}

// getReleaseAPI: GET /api/v1/projects/{projectID}/reports/{period}/release.
func (s *Server) getReleaseAPI(w http.ResponseWriter, r *http.Request) {
	per, err := period(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rel, _, err := s.Store.GetRelease(r.Context(), userOf(r), r.PathValue("projectID"), per)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rel)
}

// putReleaseAPI: PUT /api/v1/projects/{projectID}/reports/{period}/release
// {"progress","problems","next_steps","photos"}.
func (s *Server) putReleaseAPI(w http.ResponseWriter, r *http.Request) {
	per, err := period(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in store.ReleaseInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	rel, err := s.Store.ReleaseReport(r.Context(), userOf(r), r.PathValue("projectID"), per, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rel)
}

// satisfactionRow is one project's results.
type satisfactionRow struct {
	plan.Evaluation
	Seq   int           `json:"seq"`
	Title string        `json:"title"`
	Total int           `json:"total"`
	Rate  *plan.Decimal `json:"rate_percent"` // (满意+基本满意)/total
}

// satisfactionRows lists the results of a jurisdiction's year by project
// seq, every project in force (those without votes with zeros). Readable
// by whoever may read the jurisdiction's reports.
func (s *Server) satisfactionRows(r *http.Request, code string, year int) ([]satisfactionRow, error) {
	if err := plan.Authorize(userOf(r), plan.ActionRead, plan.Resource{Kind: plan.ResourceReport, JurisdictionCode: code}); err != nil {
		return nil, err
	}
	res, err := s.Store.SatisfactionResults(r.Context(), code, year, time.Time{})
	if err != nil {
		return nil, err
	}
	ps, err := s.Store.ListProjects(r.Context(), store.ProjectFilter{JurisdictionCode: code, Year: year})
	if err != nil {
		return nil, err
	}
	out := []satisfactionRow{}
	for _, p := range ps {
		st := res[p.ID]
		st.ProjectID = p.ID
		out = append(out, satisfactionRow{Evaluation: st, Seq: p.Seq, Title: p.Title, Total: st.Total(), Rate: st.Rate()})
	}
	return out, nil
}

// satisfactionAPI: GET /api/v1/satisfaction?jurisdiction=360112&year=2024.
func (s *Server) satisfactionAPI(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || year < 2000 || year > 2100 {
		s.fail(w, r, badRequest("bad_request", "year", "year 应为年份，如 2024"))
		return
	}
	rows, err := s.satisfactionRows(r, scopeCode(r), year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items(rows))
}

// moderationPage is the data of the moderation page.
type moderationPage struct {
	basePage
	Jurisdiction string
	Pending      []store.Comment
	Rejected     []store.Comment
}

// moderationPage: GET /moderation — 意见审核: residents' comments waiting
// for the supervisor (approve, or reject with a reason), phone numbers
// masked.
func (s *Server) moderationPage(w http.ResponseWriter, r *http.Request) {
	s.renderModeration(w, r, http.StatusOK, "")
}

func (s *Server) renderModeration(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	ctx, u := r.Context(), userOf(r)
	pg := moderationPage{basePage: s.base(r, "意见审核", "moderation")}
	pg.Error = errMsg
	if j, err := s.Store.GetJurisdiction(ctx, u.JurisdictionCode); err == nil {
		pg.Jurisdiction = j.Name
	}
	var err error
	if pg.Pending, err = s.Store.CommentQueue(ctx, u, u.JurisdictionCode, store.CommentPending); err != nil {
		s.pageFail(w, r, err)
		return
	}
	if pg.Rejected, err = s.Store.CommentQueue(ctx, u, u.JurisdictionCode, store.CommentRejected); err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, status, "moderation", pg)
}

// moderationSubmit: POST /moderation/comments/{commentID} — decision
// approve or reject (with reason).
func (s *Server) moderationSubmit(w http.ResponseWriter, r *http.Request) {
	approve, err := moderationDecision(r.PostFormValue("decision"))
	if err == nil {
		_, err = s.Store.ModerateComment(r.Context(), userOf(r), r.PathValue("commentID"), approve, r.PostFormValue("reason"))
	}
	if err != nil {
		if code := plan.ErrorCode(err); code == plan.EInvalid || code == plan.EConflict {
			s.renderModeration(w, r, statusOf[code], plan.ErrorMessage(err))
			return
		}
		s.pageFail(w, r, err)
		return
	}
	flash := "approved-comment"
	if !approve {
		flash = "rejected-comment"
	}
	redirect(w, r, "/moderation", flash)
}

// releasePage is the data of the 公开 page of a report.
type releasePage struct {
	basePage
	P       *plan.ProjectRecord
	Report  *plan.Report
	Release *store.Release
	Public  string // the project's public page
}

// Released reports whether a photo is released.
func (pg releasePage) Released(sha string) bool {
	for _, p := range pg.Release.Photos {
		if p == sha {
			return true
		}
	}
	return false
}

// releasePage: GET /projects/{projectID}/reports/{period}/release — 公开:
// which parts of an accepted report residents see.
func (s *Server) releasePage(w http.ResponseWriter, r *http.Request) {
	s.renderRelease(w, r, http.StatusOK, "")
}

func (s *Server) renderRelease(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	ctx := r.Context()
	per, err := period(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	p, err := s.Store.GetProject(ctx, r.PathValue("projectID"))
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	rel, rep, err := s.Store.GetRelease(ctx, userOf(r), p.ID, per)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	pg := releasePage{basePage: s.base(r, "公开发布 · "+p.Title, "review"), P: p, Report: rep, Release: rel, Public: "/public/projects/" + p.ID}
	pg.Error = errMsg
	s.render(w, r, status, "release", pg)
}

// releaseSubmit: POST /projects/{projectID}/reports/{period}/release.
func (s *Server) releaseSubmit(w http.ResponseWriter, r *http.Request) {
	per, err := period(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.pageFail(w, r, badRequest("bad_request", "", "无法读取表单"))
		return
	}
	in := store.ReleaseInput{Progress: r.PostForm.Has("progress"), Problems: r.PostForm.Has("problems"),
		NextSteps: r.PostForm.Has("next_steps"), Photos: r.PostForm["photos"]}
	projectID := r.PathValue("projectID")
	if _, err := s.Store.ReleaseReport(r.Context(), userOf(r), projectID, per, in); err != nil {
		if code := plan.ErrorCode(err); code == plan.EInvalid || code == plan.EConflict {
			s.renderRelease(w, r, statusOf[code], plan.ErrorMessage(err))
			return
		}
		s.pageFail(w, r, err)
		return
	}
	redirect(w, r, "/projects/"+projectID+"/reports/"+per.String()+"/release", "released")
}

// satisfactionSummary is the 群众满意度 panel of the dashboard: the year's
// votes on all projects together, and the projects with votes, the
// lowest rate first.
type satisfactionSummary struct {
	Total plan.Evaluation
	Rate  *plan.Decimal
	Rows  []satisfactionRow
}

// dashboardSatisfaction is the panel for a jurisdiction's year, nil for a
// user who may not read its reports.
func (s *Server) dashboardSatisfaction(r *http.Request, code string, year int) (*satisfactionSummary, error) {
	rows, err := s.satisfactionRows(r, code, year)
	if plan.ErrorCode(err) == plan.EForbidden {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sum := &satisfactionSummary{}
	for _, row := range rows {
		if row.Total == 0 {
			continue
		}
		sum.Total.Satisfied += row.Satisfied
		sum.Total.Basic += row.Basic
		sum.Total.Unsatisfied += row.Unsatisfied
		sum.Rows = append(sum.Rows, row)
	}
	sum.Rate = sum.Total.Rate()
	slices.SortStableFunc(sum.Rows, func(a, b satisfactionRow) int { return a.Rate.Cmp(b.Rate.Decimal) })
	return sum, nil
}
