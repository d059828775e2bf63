package web

import (
	"errors"
	"net/http"
	"net/url"

	"minsheng/internal/docimport"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

type importPage struct {
	basePage
	Plans        []plan.PlanVersion
	UploadAction string
	Jurisdiction string
}

// importPage: GET /import — 导入: upload a plan document; the list of the
// jurisdiction's plan versions.
func (s *Server) importPage(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadImportPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "import", pg)
}

func (s *Server) loadImportPage(r *http.Request) (*importPage, error) {
	u := userOf(r)
	if u.Role != plan.RoleSupervisor || u.JurisdictionCode == "" {
		return nil, plan.Errorf(plan.EForbidden, "导入计划仅供民生办/督查室使用")
	}
	pg := &importPage{basePage: s.base(r, "导入计划", "import")}
	pg.UploadAction = "/import?csrf_token=" + url.QueryEscape(pg.CSRF)
	if j, err := s.Store.GetJurisdiction(r.Context(), u.JurisdictionCode); err == nil {
		pg.Jurisdiction = j.Name
	}
	plans, err := s.Store.ListPlans(r.Context(), store.PlanFilter{JurisdictionCode: u.JurisdictionCode})
	if err != nil {
		return nil, err
	}
	pg.Plans = plans
	return pg, nil
}

// importSubmit: POST /import, multipart field "file" (CSRF token in the
// query string). The document is read and kept as a draft; the page of the
// draft shows it beside its source text.
func (s *Server) importSubmit(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	fail := func(err error) {
		pg, lerr := s.loadImportPage(r)
		if lerr != nil {
			s.pageFail(w, r, lerr)
			return
		}
		pg.Error = "未能导入：" + plan.ErrorMessage(err)
		s.render(w, r, statusFor(err), "import", pg)
	}
	name, raw, err := s.uploadedFile(w, r, "file", int64(docimport.MaxInputSize))
	if err != nil {
		fail(err)
		return
	}
	doc, err := docimport.Import(name, raw)
	var ie *docimport.InputError
	if errors.As(err, &ie) {
		fail(&plan.Error{Code: plan.EInvalid, Field: "file", Message: ie.Error()})
		return
	}
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	text, _ := docimport.Text(name, raw)
	pv, err := s.Store.SaveDraftPlan(r.Context(), u, doc, text)
	if err != nil {
		fail(err)
		return
	}
	http.Redirect(w, r, "/plans/"+url.PathEscape(pv.ID), http.StatusSeeOther)
}
