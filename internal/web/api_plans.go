package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"minsheng/internal/docimport"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// apiPlan is a stored plan as the API shows it: the fields of
// plan.schema.json plus id, state and version. A published plan lists its
// projects with their IDs; a draft lists the document's projects.
type apiPlan struct {
	ID          string        `json:"id"`
	State       string        `json:"state"`
	Version     int           `json:"version"`
	Rev         int           `json:"rev"`
	CreatedAt   time.Time     `json:"created_at"`
	PublishedAt *time.Time    `json:"published_at,omitempty"`
	Changes     []plan.Change `json:"changes,omitempty"`
	plan.Plan
	Projects any `json:"projects"`
}

// apiProject is a published project with the schema's unit lists.
type apiProject struct {
	plan.ProjectRecord
	LeadUnits        []string `json:"lead_units"`
	ResponsibleUnits []string `json:"responsible_units"`
}

func projectView(p *plan.ProjectRecord) apiProject {
	v := apiProject{ProjectRecord: *p, LeadUnits: []string{}, ResponsibleUnits: []string{}}
	for _, u := range p.Units {
		if u.Role == plan.UnitLead {
			v.LeadUnits = append(v.LeadUnits, u.UnitName)
		} else {
			v.ResponsibleUnits = append(v.ResponsibleUnits, u.UnitName)
		}
	}
	return v
}

func planView(pv *plan.PlanVersion, projects []plan.ProjectRecord) apiPlan {
	v := apiPlan{ID: pv.ID, State: string(pv.State), Version: pv.Version, Rev: pv.Rev, CreatedAt: pv.CreatedAt,
		PublishedAt: pv.PublishedAt, Changes: pv.Changes, Plan: pv.Document, Projects: pv.Document.Projects}
	if pv.State != plan.PlanDraft {
		list := make([]apiProject, len(projects))
		for i := range projects {
			list[i] = projectView(&projects[i])
		}
		v.Projects = list
	}
	return v
}

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.PlanFilter{JurisdictionCode: q.Get("jurisdiction"), State: plan.PlanState(q.Get("state"))}
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
	// Other units never see a draft.
	out, next, err := s.Store.PlanSummaries(r.Context(), userOf(r), f, pg)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page(out, next))
}

// readablePlan loads a plan the caller may read.
func (s *Server) readablePlan(r *http.Request) (*plan.PlanVersion, error) {
	pv, err := s.Store.GetPlan(r.Context(), r.PathValue("planID"))
	if err != nil {
		return nil, err
	}
	if err := plan.Authorize(userOf(r), plan.ActionRead, plan.PlanResource(pv)); err != nil {
		if pv.State == plan.PlanDraft {
			return nil, plan.Errorf(plan.ENotFound, "没有这个计划")
		}
		return nil, err
	}
	return pv, nil
}

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) {
	pv, err := s.readablePlan(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var projects []plan.ProjectRecord
	if pv.State != plan.PlanDraft {
		if projects, err = s.Store.ListProjects(r.Context(), store.ProjectFilter{PlanID: pv.ID}); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, planView(pv, projects))
}

// importPlan: POST /api/v1/plans/import, multipart field "file". The
// document is read and stored as a draft with its findings; an unusable
// document is a 422 that says which file and line.
func (s *Server) importPlan(w http.ResponseWriter, r *http.Request) {
	name, raw, err := s.uploadedFile(w, r, "file", int64(docimport.MaxInputSize))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	doc, err := docimport.Import(name, raw)
	var ie *docimport.InputError
	if errors.As(err, &ie) {
		s.fail(w, r, &plan.Error{Code: "unusable_document", Field: "file", Message: ie.Error()})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	text, _ := docimport.Text(name, raw)
	pv, err := s.Store.SaveDraftPlan(r.Context(), userOf(r), doc, text)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, planView(pv, nil))
}

// correctPlanRequest is a supervisor's corrected document for a draft.
type correctPlanRequest struct {
	Rev      int       `json:"rev"`
	Document plan.Plan `json:"document"`
}

func (s *Server) correctPlan(w http.ResponseWriter, r *http.Request) {
	var req correctPlanRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	pv, err := s.Store.UpdateDraftPlan(r.Context(), userOf(r), r.PathValue("planID"), req.Rev, &req.Document)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, planView(pv, nil))
}

func (s *Server) publishPlan(w http.ResponseWriter, r *http.Request) {
	pv, err := s.Store.PublishPlan(r.Context(), userOf(r), r.PathValue("planID"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	projects, err := s.Store.ListProjects(r.Context(), store.ProjectFilter{PlanID: pv.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, planView(pv, projects))
}

// uploadedFile reads one file of a multipart form, within limit.
func (s *Server) uploadedFile(w http.ResponseWriter, r *http.Request, field string, limit int64) (string, []byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	err := parseMultipart(r)
	defer removeMultipart(r) // the file is read into memory below
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return "", nil, plan.Errorf(plan.ETooLarge, "上传的文件超过 %d MiB 上限", limit>>20)
		case serverSide(err):
			return "", nil, err
		}
		return "", nil, badRequest("bad_request", field, "请以 multipart/form-data 上传文件（字段名 %s）", field)
	}
	f, hdr, err := r.FormFile(field)
	if err != nil {
		return "", nil, badRequest("bad_request", field, "缺少上传文件（字段名 %s）", field)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return "", nil, err
	}
	if int64(len(raw)) > limit {
		return "", nil, plan.Errorf(plan.ETooLarge, "上传的文件超过 %d MiB 上限", limit>>20)
	}
	return hdr.Filename, raw, nil
}
