package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// visitTarget is one row of the visit form: a target, the figure last
// reported for it, and what was typed.
type visitTarget struct {
	T        plan.TargetRecord
	Reported *store.ReportedFigure
	Found    string
	Note     string
	Field    string // the validation's field name, for messages
}

type inspectionPage struct {
	basePage
	P        *plan.ProjectRecord
	Date     string
	Today    string
	Inspect  string // inspectors as typed
	Place    string
	Text     string
	Escalate bool
	Targets  []visitTarget
	Errors   fieldErrors
	Problems []plan.Problem
	// Action carries the CSRF token in the URL: the middleware does not
	// read multipart bodies.
	Action string
}

// inspectionForm: GET /projects/{projectID}/inspections/new — 登记实地督查:
// the supervisor's form, each target beside the figure last reported.
func (s *Server) inspectionForm(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadInspectionPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "inspection", pg)
}

func (s *Server) loadInspectionPage(r *http.Request) (*inspectionPage, error) {
	ctx, u := r.Context(), userOf(r)
	p, err := s.Store.GetProject(ctx, r.PathValue("projectID"))
	if err != nil {
		return nil, err
	}
	if err := plan.Authorize(u, plan.ActionInspect, plan.InspectionResource(p)); err != nil {
		return nil, err
	}
	today := s.Now().In(plan.Shanghai)
	pg := &inspectionPage{basePage: s.base(r, "登记实地督查 · "+p.Title, "projects"), P: p, Escalate: true, Errors: fieldErrors{},
		Today: today.Format("2006-01-02")}
	pg.Action = "/projects/" + url.PathEscape(p.ID) + "/inspections?csrf_token=" + url.QueryEscape(pg.CSRF)
	pg.Date = pg.Today
	if today.Year() != p.Year {
		pg.Date = ""
	}
	month := pg.Today[:7]
	if today.Year() > p.Year {
		month = time.Date(p.Year, 12, 1, 0, 0, 0, 0, plan.Shanghai).Format("2006-01")
	}
	reported, err := s.Store.LastReported(ctx, p.ID, month)
	if err != nil {
		return nil, err
	}
	for i, t := range p.ActiveTargets() {
		vt := visitTarget{T: t, Field: "findings[" + strconv.Itoa(i) + "]"}
		if f, ok := reported[t.ID]; ok {
			vt.Reported = &f
		}
		pg.Targets = append(pg.Targets, vt)
	}
	return pg, nil
}

// inspectionSubmit: POST /projects/{projectID}/inspections — records the
// visit with its photos; a discrepant visit drafts the ladder's letter
// when 启动督办 is ticked. Bad input shows the form again with every
// problem beside its field and stores nothing.
func (s *Server) inspectionSubmit(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadInspectionPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8*s.Store.MaxAttachmentBytes+1<<20)
	err = parseMultipart(r)
	defer removeMultipart(r)
	if serverSide(err) {
		s.pageFail(w, r, err)
		return
	}
	if err != nil {
		s.pageFail(w, r, plan.Errorf(plan.ETooLarge, "上传的照片过大：每次最多 8 张，每张不超过 %d MiB", s.Store.MaxAttachmentBytes>>20))
		return
	}
	f := r.PostForm
	pg.Date, pg.Inspect, pg.Place, pg.Text = f.Get("date"), f.Get("inspectors"), f.Get("place"), f.Get("narrative")
	pg.Escalate = f.Get("escalate") != ""
	in := plan.InspectionInput{Date: pg.Date, Inspectors: splitNames(pg.Inspect), Place: pg.Place, Narrative: pg.Text, Escalate: pg.Escalate}
	for i := range pg.Targets {
		vt := &pg.Targets[i]
		vt.Found, vt.Note = strings.TrimSpace(f.Get("found."+vt.T.ID)), strings.TrimSpace(f.Get("note."+vt.T.ID))
		if vt.Found == "" && vt.Note == "" {
			continue
		}
		d, ok := parseDecimalField(vt.Found)
		if !ok {
			// Not among the findings validated below: a field of its own.
			vt.Field = "t-" + vt.T.ID
			pg.Errors.add(vt.Field+".found", "「"+vt.T.Metric+"」的核查数应为数字")
			continue
		}
		// The domain names findings by their index in the input.
		vt.Field = "findings[" + strconv.Itoa(len(in.Findings)) + "]"
		in.Findings = append(in.Findings, plan.InspectionFound{TargetID: vt.T.ID, Found: d, Note: vt.Note})
	}
	if len(pg.Errors) > 0 {
		// Say everything at once: the domain's problems of the rest too.
		probe := in
		if err := probe.Validate(pg.P.ActiveTargets(), pg.P.Year, s.Now()); err != nil {
			fe, _, _ := problemsOf(err)
			for field, msgs := range fe {
				if field != "narrative" || len(in.Findings) > 0 {
					pg.Errors[field] = append(pg.Errors[field], msgs...)
				}
			}
		}
	}
	type photo struct {
		name string
		data []byte
	}
	var photos []photo
	if r.MultipartForm != nil {
		files := r.MultipartForm.File["photos"]
		if len(files) > 8 {
			pg.Errors.add("photos", "每次最多上传 8 张照片")
		}
		for _, fh := range files {
			if fh.Size == 0 {
				continue
			}
			if fh.Size > s.Store.MaxAttachmentBytes {
				pg.Errors.add("photos", "照片「"+fh.Filename+"」过大")
				continue
			}
			file, err := fh.Open()
			if err != nil {
				s.pageFail(w, r, err)
				return
			}
			data := make([]byte, fh.Size)
			_, err = io.ReadFull(file, data)
			file.Close()
			if err != nil {
				s.pageFail(w, r, err)
				return
			}
			// Judged before the visit is stored, so a wrong file stores nothing.
			if _, err := store.SniffAttachment(data); err != nil {
				pg.Errors.add("photos", "「"+fh.Filename+"」："+plan.ErrorMessage(err))
				continue
			}
			photos = append(photos, photo{fh.Filename, data})
		}
	}
	var v *plan.Inspection
	if len(pg.Errors) == 0 {
		v, err = s.Engine.RecordInspection(r.Context(), userOf(r), pg.P.ID, in)
		if err != nil {
			pg.Errors, pg.Problems, pg.Error = problemsOf(err)
			if plan.ErrorCode(err) == plan.EInternal {
				s.pageFail(w, r, err)
				return
			}
		}
	}
	if len(pg.Errors) > 0 {
		if pg.Problems == nil {
			for field, msgs := range pg.Errors {
				for _, m := range msgs {
					pg.Problems = append(pg.Problems, plan.Problem{Field: field, Message: m, Severity: plan.ProblemError})
				}
			}
		}
		pg.Error = "" // the summary panel says it, with links to the fields
		s.render(w, r, http.StatusUnprocessableEntity, "inspection", pg)
		return
	}
	for _, ph := range photos {
		if _, err := s.Store.AddInspectionPhoto(r.Context(), userOf(r), v.ID, ph.name, ph.data); err != nil {
			s.pageFail(w, r, err)
			return
		}
	}
	flash := "inspected"
	if v.LetterID != "" {
		flash = "inspected_letter"
	}
	http.Redirect(w, r, "/projects/"+url.PathEscape(pg.P.ID)+"?ok="+flash+"#visit-"+v.ID, http.StatusSeeOther)
}

// visitView is a visit on the project page.
type visitView struct {
	plan.Inspection
	Inspectors string
	Letter     *plan.Letter
}

// projectVisits are the visits of a project the user may read, newest
// first, each with the letter it started when the user may read that; and
// the periods of the reports they found short (核查不符).
func (s *Server) projectVisits(ctx context.Context, u *plan.User, p *plan.ProjectRecord) ([]visitView, map[plan.Period]string, error) {
	if !plan.Can(u, plan.ActionRead, plan.InspectionResource(p)) {
		return nil, nil, nil
	}
	vs, err := s.Store.ListInspections(ctx, u, store.InspectionFilter{ProjectID: p.ID})
	if err != nil {
		return nil, nil, err
	}
	var out []visitView
	short := map[plan.Period]string{}
	for i := len(vs) - 1; i >= 0; i-- {
		vv := visitView{Inspection: vs[i], Inspectors: strings.Join(vs[i].Inspectors, "、")}
		if vv.LetterID != "" {
			if l, err := s.Store.GetLetter(ctx, u, vv.LetterID); err == nil {
				vv.Letter = l
			}
		}
		for _, f := range vv.Findings {
			if f.Short {
				short[f.Period] = vv.ID
			}
		}
		out = append(out, vv)
	}
	return out, short, nil
}

// inspectionPhotoReadable reports whether the user may read a visit the
// file is a photo of.
func (s *Server) inspectionPhotoReadable(r *http.Request, sha string) (bool, error) {
	ids, err := s.Store.AttachmentInspections(r.Context(), sha)
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		if _, err := s.Store.GetInspection(r.Context(), userOf(r), id); err == nil {
			return true, nil
		}
	}
	return false, nil
}

// reportMismatch are the visits that found a report short.
func (s *Server) reportMismatch(ctx context.Context, u *plan.User, p *plan.ProjectRecord, per plan.Period) ([]visitView, error) {
	vs, _, err := s.projectVisits(ctx, u, p)
	var out []visitView
	for _, v := range vs {
		if v.Checks(per) {
			out = append(out, v)
		}
	}
	return out, err
}
