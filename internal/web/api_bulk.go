package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"minsheng/internal/documents"
	"minsheng/internal/plan"
	"minsheng/internal/progress"
	"minsheng/internal/store"
)

// Bulk updates: a unit uploads a month's figures as the 进展填报 sheet of
// the ledger workbook or its own template (.xlsx) or as CSV
// (internal/progress); store.ApplyProgress checks all and writes all or
// nothing. The API here, the page in pages_bulk.go.

// MaxBulkBytes bounds an uploaded progress file: a unit's sheet is a few
// hundred kilobytes.
const MaxBulkBytes = 8 << 20

func (s *Server) bulkRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/reports/bulk", s.requireUser(s.bulkUpload))
	mux.HandleFunc("GET /api/v1/reports/bulk/template", s.requireUser(s.bulkTemplate))
	mux.HandleFunc("GET /bulk", s.requirePage(s.bulkPage))
	mux.HandleFunc("POST /bulk", s.requirePage(s.bulkSubmit))
}

// bulkUpload: POST /api/v1/reports/bulk, multipart: file, period
// (2024-05), dry_run (true: say what would change, write nothing).
func (s *Server) bulkUpload(w http.ResponseWriter, r *http.Request) {
	name, raw, err := s.uploadedFile(w, r, "file", MaxBulkBytes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	per, err := plan.ParsePeriod(r.FormValue("period"))
	if err != nil {
		s.fail(w, r, badRequest("bad_period", "period", "请给出月份 period，格式如 2024-05"))
		return
	}
	dry, _ := strconv.ParseBool(r.FormValue("dry_run"))
	res, err := s.applyProgress(r.Context(), userOf(r), per, name, raw, dry)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// applyProgress parses an upload and hands it to the store.
func (s *Server) applyProgress(ctx context.Context, u *plan.User, per plan.Period, name string, raw []byte, dry bool) (*store.ProgressResult, error) {
	f, err := progress.Parse(name, raw)
	if es, ok := err.(progress.Errors); ok {
		return nil, es.PlanError()
	}
	if err != nil {
		return nil, err
	}
	return s.Store.ApplyProgress(ctx, u, per, f, dry)
}

// bulkTemplate: GET /api/v1/reports/bulk/template?period=2024-05 — the
// 工作台账 of the user's unit's projects for the month, its 进展填报 sheet
// filled from the month's reports (drafts included) or else the latest
// reported figures: 下载本单位填报模板.
func (s *Server) bulkTemplate(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	if u.UnitID == "" || u.Role != plan.RoleReporter {
		s.fail(w, r, plan.Errorf(plan.EForbidden, "只有牵头单位的填报用户可以下载本单位填报模板"))
		return
	}
	unit, err := s.Store.GetUnit(ctx, u.UnitID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	per, err := s.bulkPeriod(ctx, r, unit.JurisdictionCode)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	buf, name, err := s.unitTemplate(ctx, u, unit, per)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Write(buf.Bytes())
}

// bulkPeriod is ?period= or the month whose report is due.
func (s *Server) bulkPeriod(ctx context.Context, r *http.Request, code string) (plan.Period, error) {
	if v := r.URL.Query().Get("period"); v != "" {
		return period(r)
	}
	return s.defaultPeriod(ctx, code, nil)
}

// unitTemplate writes the unit's template workbook for a month.
func (s *Server) unitTemplate(ctx context.Context, u *plan.User, unit *plan.Unit, per plan.Period) (*bytes.Buffer, string, error) {
	pv, err := s.Store.CurrentPlan(ctx, unit.JurisdictionCode, per.Year)
	if err != nil {
		return nil, "", err
	}
	l, err := s.Engine.Ledger(ctx, u, pv.ID, per)
	if err != nil {
		return nil, "", err
	}
	var mine []documents.LedgerProject
	var projects []plan.ProjectRecord
	reports := map[string]*plan.Report{}
	for _, lp := range l.Projects {
		p := lp.Project
		if p.RetiredBy != "" || !plan.Can(u, plan.ActionEditReport, plan.ReportResource(&p, plan.ReportDraft)) {
			continue
		}
		mine, projects = append(mine, lp), append(projects, p)
		reports[p.ID] = lp.Report
		if rep, err := s.Store.GetReport(ctx, u, p.ID, per); err == nil {
			reports[p.ID] = rep // the month's own report, a draft too
		}
	}
	if len(mine) == 0 {
		return nil, "", plan.Errorf(plan.ENotFound, "本单位在%d年计划中没有牵头填报的项目", per.Year)
	}
	l.Projects, l.Entry = mine, progress.RowsFor(projects, reports, per)
	l.Title = fmt.Sprintf("%s %s民生实事进展填报模板", unit.Name, per.Label())
	var buf bytes.Buffer
	if err := documents.WriteLedger(&buf, l); err != nil {
		return nil, "", err
	}
	return &buf, fmt.Sprintf("%s填报模板（%s）.xlsx", unit.Name, per.Label()), nil
}
