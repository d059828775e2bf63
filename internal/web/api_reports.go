package web

import (
	"net/http"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// reportView is a report with its state label and the problems the last
// save found (warnings that did not block it).
type reportView struct {
	*plan.Report
	Problems plan.Problems `json:"problems_found,omitempty"`
}

func (s *Server) getReport(w http.ResponseWriter, r *http.Request) {
	per, err := period(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.Store.GetReport(r.Context(), userOf(r), r.PathValue("projectID"), per)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reportView{Report: rep})
}

func (s *Server) saveReport(w http.ResponseWriter, r *http.Request) {
	per, err := period(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in store.ReportInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	rep, problems, err := s.Store.SaveReport(r.Context(), userOf(r), r.PathValue("projectID"), per, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reportView{Report: rep, Problems: problems})
}

// reportActionRequest is the body of a report action: the version the
// actor saw, a reason (return, reopen) and, for submit only, optionally
// the report's content, saved and submitted in one transaction.
type reportActionRequest struct {
	store.ReportInput
	Reason string `json:"reason"`
}

// reportAction: submit (the reporting unit), accept, return with a reason,
// reopen (the supervisor).
func (s *Server) reportAction(w http.ResponseWriter, r *http.Request) {
	per, err := period(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req reportActionRequest
	if r.ContentLength != 0 {
		if err := s.decodeJSON(w, r, &req); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	ctx, u, id, action := r.Context(), userOf(r), r.PathValue("projectID"), r.PathValue("action")
	if action != "submit" && req.HasContent() {
		s.fail(w, r, plan.Errorf(plan.EInvalid, "只有报送时可以附带报告内容"))
		return
	}
	var rep *plan.Report
	var problems plan.Problems
	switch action {
	case "submit":
		if req.HasContent() {
			rep, problems, err = s.Store.SaveAndSubmitReport(ctx, u, id, per, req.ReportInput)
		} else {
			rep, err = s.Store.SubmitReport(ctx, u, id, per, req.Version)
		}
	case "accept":
		rep, err = s.Store.AcceptReport(ctx, u, id, per)
	case "return":
		rep, err = s.Store.ReturnReport(ctx, u, id, per, req.Reason)
	case "reopen":
		rep, err = s.Store.ReopenReport(ctx, u, id, per, req.Reason)
	default:
		err = plan.Errorf(plan.ENotFound, "没有这个操作：%s", action)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reportView{Report: rep, Problems: problems})
}

func (s *Server) reportRevisions(w http.ResponseWriter, r *http.Request) {
	per, err := period(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	revs, err := s.Store.ReportRevisions(r.Context(), userOf(r), r.PathValue("projectID"), per)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items(revs))
}

func (s *Server) contribute(w http.ResponseWriter, r *http.Request) {
	per, err := period(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in store.ContributionInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.Store.AddContribution(r.Context(), userOf(r), r.PathValue("projectID"), per, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reportView{Report: rep})
}

// attach: multipart field "file"; the store sniffs the type from the bytes
// and keeps them by SHA-256.
func (s *Server) attach(w http.ResponseWriter, r *http.Request) {
	per, err := period(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name, data, err := s.uploadedFile(w, r, "file", s.Store.MaxAttachmentBytes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.Store.AddReportAttachment(r.Context(), userOf(r), r.PathValue("projectID"), per, name, data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

// getAttachment serves a file to those who may read a report, an on-site
// visit or a letter it belongs to.
func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha256")
	links, err := s.Store.AttachmentReports(r.Context(), sha)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	allowed := false
	for _, l := range links {
		if _, err := s.Store.GetReport(r.Context(), userOf(r), l.ProjectID, l.Period); err == nil {
			allowed = true
			break
		}
	}
	if !allowed {
		allowed, err = s.inspectionPhotoReadable(r, sha)
		if err == nil && !allowed {
			allowed, err = s.letterAttachmentReadable(r, sha)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if !allowed {
		s.fail(w, r, plan.Errorf(plan.ENotFound, "没有这个附件"))
		return
	}
	data, ctype, err := s.Store.GetAttachment(r.Context(), sha)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Write(data)
}

func (s *Server) listReports(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.ReportFilter{JurisdictionCode: q.Get("jurisdiction"), State: plan.ReportState(q.Get("state")), ProjectID: q.Get("project")}
	if q.Get("period") != "" {
		per, err := period(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f.Period = per
	}
	pg, err := pageOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reps, next, err := s.Store.ReportsPage(r.Context(), userOf(r), f, pg)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page(reps, next))
}
