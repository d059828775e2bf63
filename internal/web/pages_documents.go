package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"

	"minsheng/internal/documents"
	"minsheng/internal/plan"
)

// documentPage serves the office's documents of a jurisdiction and month
// (?jurisdiction=360702&period=2024-10): the 工作台账 (.xlsx) and the
// 调度通报 (.docx, or .html to print). They carry the reports' figures and
// texts, so only those who may read the jurisdiction's reports get them.
func (s *Server) documentPage(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	sc, err := s.pageScope(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	if err := plan.Authorize(u, plan.ActionRead, plan.Resource{Kind: plan.ResourceReport, JurisdictionCode: sc.Code}); err != nil {
		s.pageFail(w, r, err)
		return
	}
	pv, err := s.Store.CurrentPlan(ctx, sc.Code, sc.Period.Year)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	var (
		buf  bytes.Buffer
		name string
		kind string
	)
	switch r.PathValue("name") {
	case "ledger.xlsx":
		l, err := s.Engine.Ledger(ctx, u, pv.ID, sc.Period)
		if err == nil {
			err = documents.WriteLedger(&buf, l)
		}
		if err != nil {
			s.pageFail(w, r, err)
			return
		}
		name, kind = fmt.Sprintf("%s工作台账（截至%s）.xlsx", sc.Name, sc.Period.Label()), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "bulletin.docx", "bulletin.html":
		b, err := s.Engine.Bulletin(ctx, pv.ID, sc.Period)
		if err != nil {
			s.pageFail(w, r, err)
			return
		}
		if r.PathValue("name") == "bulletin.html" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			documents.WriteBulletinHTML(w, b)
			return
		}
		if err := documents.WriteBulletinDocx(&buf, b); err != nil {
			s.pageFail(w, r, err)
			return
		}
		name, kind = fmt.Sprintf("%s民生实事调度通报（%s）.docx", sc.Name, sc.Period.Label()), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	default:
		s.pageNotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", kind)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Write(buf.Bytes())
}
