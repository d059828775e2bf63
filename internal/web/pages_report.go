package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

type reportTargetField struct {
	T        plan.TargetRecord
	Field    string // the problem field: targets.<id>
	Name     string // the form field: t.<id>
	Value    string
	Expected plan.Decimal
	Source   string
	Prev     *plan.Decimal
}

type reportForm struct {
	Version    int
	Targets    []reportTargetField
	Investment string
	Disbursed  string
	Allocated  string
	Funds      []fundsField
	Progress   string
	Problems   string
	NextSteps  string
}

type reportPage struct {
	basePage
	P                 *plan.ProjectRecord
	Period            plan.Period
	Report            *plan.Report
	State             plan.ReportState
	Form              reportForm
	Errors            fieldErrors
	ErrorList         []plan.Problem
	ErrorTitle        string
	Warnings          plan.Problems
	CanEdit           bool
	CanReview         bool
	CanRelease        bool // an accepted report's 公开 settings (pages_feedback.go)
	CanContribute     bool
	Unreadable        bool
	Closed            string // why the unit cannot write now
	Revisions         []revisionView
	PlannedInvestment *plan.Decimal
	PrevInvestment    *plan.Decimal
	PrevDisbursed     *plan.Decimal
	PrevAllocated     *plan.Decimal
	Due               time.Time
	ContribText       string
	ContribInvestment string
	AttachError       string
	UploadAction      string
	// Mismatch are the on-site visits that found this report short (核查不符).
	Mismatch []visitView
}

// reportPage: GET /projects/{projectID}/reports/{period} — 月度报告: the
// reporting unit's form (draft, submit, attachments), a responsible
// unit's contribution, the supervisor's accept / return, and the report's
// revisions.
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadReportPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	if pg.Report != nil {
		pg.fillForm(pg.Report)
	}
	s.render(w, r, http.StatusOK, "report", pg)
}

// loadReportPage reads everything the report page shows.
func (s *Server) loadReportPage(r *http.Request) (*reportPage, error) {
	ctx, u := r.Context(), userOf(r)
	p, err := s.Store.GetProject(ctx, r.PathValue("projectID"))
	if err != nil {
		return nil, err
	}
	per, err := period(r)
	if err != nil {
		return nil, err
	}
	pg := &reportPage{basePage: s.base(r, per.Label()+"进展 · "+p.Title, "unit"), P: p, Period: per,
		Errors: fieldErrors{}, Due: per.DueDate(s.Store.DueDay)}
	if u.Role == plan.RoleSupervisor {
		pg.Nav = s.base(r, "", "review").Nav
	}
	pg.UploadAction = "/projects/" + url.PathEscape(p.ID) + "/reports/" + per.String() + "/attachments?csrf_token=" + url.QueryEscape(pg.CSRF)
	rep, err := s.Store.GetReport(ctx, u, p.ID, per)
	switch {
	case err == nil:
		pg.Report, pg.State = rep, rep.State
	case plan.ErrorCode(err) == plan.ENotFound:
	case plan.ErrorCode(err) == plan.EForbidden:
		pg.Unreadable = true
	default:
		return nil, err
	}
	if pg.Mismatch, err = s.reportMismatch(ctx, u, p, per); err != nil {
		return nil, err
	}
	res := plan.ReportResource(p, pg.State)
	switch {
	case p.RetiredBy != "":
		pg.Closed = "项目已在新版本计划中撤销，不能再填报。"
	case per.Year != p.Year:
		pg.Closed = "该月份不在项目所属年度内。"
	case plan.PeriodOf(s.Now()).Before(per):
		pg.Closed = per.Label() + "尚未到来，不能填报。"
	}
	pg.CanEdit = pg.Closed == "" && pg.State.Editable() && plan.Can(u, plan.ActionEditReport, res)
	pg.CanContribute = pg.Closed == "" && pg.State.Editable() && !plan.Can(u, plan.ActionEditReport, res) && plan.Can(u, plan.ActionContribute, res)
	pg.CanReview = pg.State == plan.ReportSubmitted && plan.Can(u, plan.ActionReviewReport, res)
	pg.CanRelease = pg.State == plan.ReportAccepted && plan.Can(u, plan.ActionReviewReport, res)

	approved, err := s.Store.ApprovedMonthlyPlans(ctx, p.JurisdictionCode, p.Year)
	if err != nil {
		return nil, err
	}
	mp := approved[p.ID]
	var prev *plan.Report
	if per.Month > time.January {
		if pr, err := s.Store.GetReport(ctx, u, p.ID, per.Prev()); err == nil && pr.State == plan.ReportAccepted {
			prev = pr
			pg.PrevInvestment, pg.PrevDisbursed = pr.Investment, pr.Disbursed
		}
	}
	for _, t := range p.ActiveTargets() {
		e := plan.Expected(&t, mp, per.Month)
		f := reportTargetField{T: t, Field: "targets." + t.ID, Name: "t." + t.ID, Expected: e.Value, Source: e.Source}
		if prev != nil {
			f.Prev = prev.Actual(t.ID)
		}
		pg.Form.Targets = append(pg.Form.Targets, f)
	}
	pg.initFundsForm(mp, prev)
	if mp != nil && mp.PlannedInvestmentThrough(12).IsPositive() {
		v := mp.PlannedInvestmentThrough(per.Month)
		pg.PlannedInvestment = &v
	} else if p.Investment != nil {
		v := plan.Decimal{Decimal: p.Investment.Mul(plan.DecimalFromInt(int64(per.Month))).DivRound(plan.DecimalFromInt(12).Decimal, 4)}
		pg.PlannedInvestment = &v
	}
	if pg.Report != nil {
		pg.Warnings = plan.ValidateReport(pg.Report, plan.ReportCheck{Targets: p.ActiveTargets(), Previous: prev, PlannedInvestment: p.Investment, Subprojects: p.Subprojects}).Warnings()
		revs, err := s.Store.ReportRevisions(ctx, u, p.ID, per)
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, rv := range revs {
			ids = append(ids, rv.ActorID)
		}
		names := s.userNames(ctx, ids...)
		for i := len(revs) - 1; i >= 0; i-- {
			pg.Revisions = append(pg.Revisions, revisionView{Revision: revs[i], Actor: names[revs[i].ActorID]})
		}
		if u.UnitID != "" {
			for _, c := range pg.Report.Contributions {
				if c.UnitID == u.UnitID {
					pg.ContribText = c.Text
					if c.Investment != nil {
						pg.ContribInvestment = c.Investment.String()
					}
				}
			}
		}
	}
	return pg, nil
}

// fillForm puts a stored report into the form.
func (pg *reportPage) fillForm(rep *plan.Report) {
	pg.Form.Version = rep.Version
	for i := range pg.Form.Targets {
		if a := rep.Actual(pg.Form.Targets[i].T.ID); a != nil {
			pg.Form.Targets[i].Value = a.String()
		}
	}
	pg.Form.Investment, pg.Form.Disbursed = decString(rep.Investment), decString(rep.Disbursed)
	pg.Form.Progress, pg.Form.Problems, pg.Form.NextSteps = rep.Progress, rep.Problems, rep.NextSteps
	pg.fillFundsForm(rep)
}

func decString(d *plan.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// parseDecimalField reads a number typed into a form: blank is nil;
// thousands separators and spaces are ignored.
func parseDecimalField(v string) (*plan.Decimal, bool) {
	v = strings.NewReplacer(",", "", "，", "", " ", "", "\u3000", "").Replace(strings.TrimSpace(v))
	if v == "" {
		return nil, true
	}
	d, err := plan.ParseDecimal(v)
	if err != nil {
		return nil, false
	}
	return &d, true
}

// reportSubmit: POST /projects/{projectID}/reports/{period} with
// action=save (draft) or action=submit (save, then report to the
// supervisor). Problems come back beside their fields.
func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	pg, err := s.loadReportPage(r)
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
	pg.Form.Version, _ = strconv.Atoi(f.Get("version"))
	in := store.ReportInput{Version: pg.Form.Version}
	for i := range pg.Form.Targets {
		tf := &pg.Form.Targets[i]
		tf.Value = strings.TrimSpace(f.Get(tf.Name))
		d, ok := parseDecimalField(tf.Value)
		if !ok {
			pg.Errors.add(tf.Field, "「"+tf.T.Metric+"」应填写数字，如 12 或 0.5")
			continue
		}
		in.Targets = append(in.Targets, plan.ReportTarget{TargetID: tf.T.ID, Actual: d})
	}
	pg.Form.Investment, pg.Form.Disbursed = strings.TrimSpace(f.Get("investment_wan")), strings.TrimSpace(f.Get("disbursed_wan"))
	var ok bool
	if in.Investment, ok = parseDecimalField(pg.Form.Investment); !ok {
		pg.Errors.add("investment_wan", "累计完成投资应填写数字（万元）")
	}
	if in.Disbursed, ok = parseDecimalField(pg.Form.Disbursed); !ok {
		pg.Errors.add("disbursed_wan", "累计拨付资金应填写数字（万元）")
	}
	pg.parseFundsForm(f, &in)
	pg.Form.Progress, pg.Form.Problems, pg.Form.NextSteps = f.Get("progress"), f.Get("problems"), f.Get("next_steps")
	in.Progress, in.Problems, in.NextSteps = pg.Form.Progress, pg.Form.Problems, pg.Form.NextSteps
	if len(pg.Errors) > 0 {
		for field, msgs := range pg.Errors {
			for _, m := range msgs {
				pg.ErrorList = append(pg.ErrorList, plan.Problem{Field: field, Message: m, Severity: plan.ProblemError})
			}
		}
		pg.ErrorTitle = "尚未保存，请修改以下 " + strconv.Itoa(len(pg.ErrorList)) + " 处"
		s.render(w, r, http.StatusUnprocessableEntity, "report", pg)
		return
	}
	if f.Get("action") == "submit" {
		s.saveAndSubmit(w, r, pg, in)
		return
	}
	if _, _, err := s.Store.SaveReport(ctx, u, pg.P.ID, pg.Period, in); err != nil {
		s.reportProblems(w, r, pg, err, "尚未保存，")
		return
	}
	redirect(w, r, reportPath(pg.P.ID, pg.Period), "saved")
}

// saveAndSubmit saves and submits the form's report in one transaction
// (a second click resubmitting the same content changes nothing). When
// the submission is refused, what was typed is still kept as the draft,
// and the refusal shown beside the fields.
func (s *Server) saveAndSubmit(w http.ResponseWriter, r *http.Request, pg *reportPage, in store.ReportInput) {
	ctx, u := r.Context(), userOf(r)
	_, _, err := s.Store.SaveAndSubmitReport(ctx, u, pg.P.ID, pg.Period, in)
	if err == nil {
		redirect(w, r, reportPath(pg.P.ID, pg.Period), "submitted")
		return
	}
	if plan.ErrorCode(err) != plan.EInvalid {
		s.reportProblems(w, r, pg, err, "尚未保存，")
		return
	}
	rep, _, saveErr := s.Store.SaveReport(ctx, u, pg.P.ID, pg.Period, in)
	if saveErr != nil {
		s.reportProblems(w, r, pg, saveErr, "尚未保存，")
		return
	}
	pg.Form.Version, pg.Report, pg.State = rep.Version, rep, rep.State
	s.reportProblems(w, r, pg, err, "草稿已保存，但报送前")
}

// reportProblems shows a store error on the form, each problem beside its
// field.
func (s *Server) reportProblems(w http.ResponseWriter, r *http.Request, pg *reportPage, err error, prefix string) {
	fe, list, msg := problemsOf(err)
	pg.Errors, pg.ErrorList = fe, list
	status := http.StatusUnprocessableEntity
	switch plan.ErrorCode(err) {
	case plan.EConflict:
		status = http.StatusConflict
	case plan.EForbidden:
		status = http.StatusForbidden
	case plan.EInvalid:
	default:
		s.pageFail(w, r, err)
		return
	}
	if plan.ErrorCode(err) == plan.EInvalid && len(list) > 0 {
		pg.ErrorTitle = prefix + "请修改以下 " + strconv.Itoa(len(list)) + " 处"
	} else {
		pg.ErrorList = nil
		pg.Error = prefix + msg
	}
	s.render(w, r, status, "report", pg)
}

func reportPath(projectID string, per plan.Period) string {
	return "/projects/" + url.PathEscape(projectID) + "/reports/" + per.String()
}

// reportAttach: POST …/attachments, multipart field "file" (the CSRF token
// in the query string). htmx gets the attachment list back, with the
// report's new version for the form; a plain form is redirected.
func (s *Server) reportAttach(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	projectID := r.PathValue("projectID")
	per, err := period(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	name, data, err := s.uploadedFile(w, r, "file", s.Store.MaxAttachmentBytes)
	if err == nil {
		_, err = s.Store.AddReportAttachment(ctx, u, projectID, per, name, data)
	}
	if !isHTMX(r) {
		if err != nil {
			pg, lerr := s.loadReportPage(r)
			if lerr != nil {
				s.pageFail(w, r, lerr)
				return
			}
			if pg.Report != nil {
				pg.fillForm(pg.Report)
			}
			pg.AttachError = plan.ErrorMessage(err)
			pg.Error = "附件未上传：" + pg.AttachError
			s.render(w, r, http.StatusUnprocessableEntity, "report", pg)
			return
		}
		redirect(w, r, reportPath(projectID, per), "attached")
		return
	}
	pg, lerr := s.loadReportPage(r)
	if lerr != nil {
		s.pageFail(w, r, lerr)
		return
	}
	if err != nil {
		pg.AttachError = plan.ErrorMessage(err)
	}
	s.renderFragment(w, r, "report", "attachments-swap", pg)
}

// reportContribute: POST …/contribution — a responsible unit's part.
func (s *Server) reportContribute(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	pg, err := s.loadReportPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	pg.ContribText, pg.ContribInvestment = r.PostFormValue("text"), strings.TrimSpace(r.PostFormValue("investment_wan"))
	inv, ok := parseDecimalField(pg.ContribInvestment)
	if !ok {
		pg.Errors.add("contribution.investment_wan", "完成投资应填写数字（万元）")
		pg.Error = "补充情况尚未保存：完成投资应填写数字"
		s.render(w, r, http.StatusUnprocessableEntity, "report", pg)
		return
	}
	if _, err := s.Store.AddContribution(ctx, u, pg.P.ID, pg.Period, store.ContributionInput{Text: pg.ContribText, Investment: inv}); err != nil {
		fe, _, msg := problemsOf(err)
		for k, v := range fe {
			for _, m := range v {
				pg.Errors.add("contribution."+k, m)
			}
		}
		pg.Error = "补充情况尚未保存：" + msg
		if pg.Report != nil {
			pg.fillForm(pg.Report)
		}
		s.render(w, r, http.StatusUnprocessableEntity, "report", pg)
		return
	}
	redirect(w, r, reportPath(pg.P.ID, pg.Period), "contributed")
}

// reportReview: POST …/review with decision=accept or decision=return and
// a reason — from the report page or, inline with htmx, the review queue.
func (s *Server) reportReview(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	projectID := r.PathValue("projectID")
	per, err := period(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	decision, reason := r.PostFormValue("decision"), strings.TrimSpace(r.PostFormValue("reason"))
	var rep *plan.Report
	flash := "accepted"
	switch decision {
	case "accept":
		rep, err = s.Store.AcceptReport(ctx, u, projectID, per)
	case "return":
		flash = "returned"
		if reason == "" {
			err = plan.FieldError("reason", "退回时请填写退回理由，说明需要修改的内容")
		} else {
			rep, err = s.Store.ReturnReport(ctx, u, projectID, per, reason)
		}
	default:
		err = plan.FieldError("decision", "请选择确认或退回")
	}
	if isHTMX(r) {
		s.renderFragment(w, r, "review", "review-result", reviewResult{ProjectID: projectID, Period: per, Report: rep,
			Error: plan.ErrorMessage(err), Reason: reason, CSRF: CSRFOf(r), Title: r.PostFormValue("title")})
		return
	}
	if err != nil {
		pg, lerr := s.loadReportPage(r)
		if lerr != nil {
			s.pageFail(w, r, lerr)
			return
		}
		if pg.Report != nil {
			pg.fillForm(pg.Report)
		}
		pg.Errors.add("reason", plan.ErrorMessage(err))
		pg.Error = plan.ErrorMessage(err)
		s.render(w, r, http.StatusUnprocessableEntity, "report", pg)
		return
	}
	redirect(w, r, localPath(r.PostFormValue("next"), reportPath(projectID, per)), flash)
}

// reviewResult is what the review queue shows in place of a report it
// accepted or returned inline (or the error, with the form again).
type reviewResult struct {
	ProjectID string
	Title     string
	Period    plan.Period
	Report    *plan.Report
	Error     string
	Reason    string
	CSRF      string
}
