package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

type bulkPage struct {
	basePage
	Period      plan.Period
	Periods     []plan.Period
	Action      string // the forms' action, with the CSRF token (multipart)
	CanTemplate bool
	// After an upload: the preview (DryRun) or what was written.
	Result   *store.ProgressResult
	Problems []plan.Problem // the file's errors, each with its place
	FileName string
	Content  string // the previewed file, base64, posted again to confirm
	SHA256   string
}

// bulkPage: GET /bulk — 批量填报: download the unit's template, upload it
// filled in (or as CSV), see what would change, confirm.
func (s *Server) bulkPage(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadBulkPage(r, "")
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "bulk", pg)
}

func (s *Server) loadBulkPage(r *http.Request, periodText string) (*bulkPage, error) {
	ctx, u := r.Context(), userOf(r)
	if u.UnitID == "" {
		return nil, plan.Errorf(plan.EForbidden, "批量填报仅供牵头单位的填报用户使用")
	}
	unit, err := s.Store.GetUnit(ctx, u.UnitID)
	if err != nil {
		return nil, err
	}
	pg := &bulkPage{basePage: s.base(r, "批量填报", "bulk"), CanTemplate: u.Role == plan.RoleReporter}
	pg.Action = "/bulk?csrf_token=" + url.QueryEscape(pg.CSRF)
	if periodText != "" {
		if pg.Period, err = plan.ParsePeriod(periodText); err != nil {
			return nil, badRequest("bad_period", "period", "月份格式应为 2024-05，而不是 %q", periodText)
		}
	} else if pg.Period, err = s.bulkPeriod(ctx, r, unit.JurisdictionCode); err != nil {
		return nil, err
	}
	for m := time.January; m <= time.December; m++ {
		p := plan.Period{Year: pg.Period.Year, Month: m}
		if !plan.PeriodOf(s.Now()).Before(p) {
			pg.Periods = append(pg.Periods, p)
		}
	}
	return pg, nil
}

// bulkSubmit: POST /bulk (multipart, CSRF token in the query):
// action=preview with the file — a dry run whose changes the page lists;
// action=apply with the previewed content — written, all or nothing.
func (s *Server) bulkSubmit(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, MaxBulkBytes*2)
	err := parseMultipart(r)
	defer removeMultipart(r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if serverSide(err) {
			s.pageFail(w, r, err)
			return
		}
		if errors.As(err, &tooBig) {
			s.pageFail(w, r, plan.Errorf(plan.ETooLarge, "上传的文件超过 %d MiB 上限", MaxBulkBytes>>20))
			return
		}
		s.pageFail(w, r, badRequest("bad_request", "file", "请选择要上传的文件"))
		return
	}
	pg, err := s.loadBulkPage(r, r.FormValue("period"))
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	apply := r.FormValue("action") == "apply"
	var name string
	var raw []byte
	if apply {
		name = r.FormValue("name")
		raw, err = base64.StdEncoding.DecodeString(r.FormValue("content"))
		if sum := sha256.Sum256(raw); err != nil || hex.EncodeToString(sum[:]) != r.FormValue("sha256") {
			s.pageFail(w, r, badRequest("bad_request", "content", "确认的内容与预览时不一致，请重新上传文件"))
			return
		}
	} else {
		file, hdr, err := r.FormFile("file")
		if err != nil {
			pg.Error = "请选择要上传的文件（.xlsx 或 .csv）"
			s.render(w, r, http.StatusUnprocessableEntity, "bulk", pg)
			return
		}
		defer file.Close()
		if raw, err = io.ReadAll(io.LimitReader(file, MaxBulkBytes+1)); err != nil || len(raw) > MaxBulkBytes {
			s.pageFail(w, r, plan.Errorf(plan.ETooLarge, "上传的文件超过 %d MiB 上限", MaxBulkBytes>>20))
			return
		}
		name = hdr.Filename
	}
	pg.FileName = name
	res, err := s.applyProgress(ctx, u, pg.Period, name, raw, !apply)
	if err != nil {
		var e *plan.Error
		if !errors.As(err, &e) || e.Code != plan.EInvalid {
			s.pageFail(w, r, err)
			return
		}
		// The panel lists every place; the banner would repeat the first.
		pg.Problems = e.Details
		if len(pg.Problems) == 0 {
			pg.Problems = []plan.Problem{{Field: e.Field, Message: e.Message, Severity: plan.ProblemError}}
		}
		s.render(w, r, http.StatusUnprocessableEntity, "bulk", pg)
		return
	}
	pg.Result = res
	if !apply {
		sum := sha256.Sum256(raw)
		pg.Content, pg.SHA256 = base64.StdEncoding.EncodeToString(raw), hex.EncodeToString(sum[:])
	}
	s.render(w, r, http.StatusOK, "bulk", pg)
}
