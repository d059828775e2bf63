package web

import (
	"net/http"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// inspectionRoutes are the on-site visits (实地督查): the supervisor
// records them and their photos; the project's units and leaders read them.
func (s *Server) inspectionRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/projects/{projectID}/inspections", s.requireUser(s.listInspections))
	mux.HandleFunc("POST /api/v1/projects/{projectID}/inspections", s.requireUser(s.createInspection))
	mux.HandleFunc("GET /api/v1/inspections/{inspectionID}", s.requireUser(s.getInspection))
	mux.HandleFunc("POST /api/v1/inspections/{inspectionID}/photos", s.requireUser(s.addInspectionPhoto))

	mux.HandleFunc("GET /projects/{projectID}/inspections/new", s.requirePage(s.inspectionForm))
	mux.HandleFunc("POST /projects/{projectID}/inspections", s.requirePage(s.inspectionSubmit))
}

func (s *Server) listInspections(w http.ResponseWriter, r *http.Request) {
	vs, err := s.Store.ListInspections(r.Context(), userOf(r), store.InspectionFilter{ProjectID: r.PathValue("projectID")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items(vs))
}

// createInspection records a visit; a discrepant one with "escalate"
// drafts the ladder's letter (letter_id in the answer).
func (s *Server) createInspection(w http.ResponseWriter, r *http.Request) {
	var in plan.InspectionInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.Engine.RecordInspection(r.Context(), userOf(r), r.PathValue("projectID"), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) getInspection(w http.ResponseWriter, r *http.Request) {
	v, err := s.Store.GetInspection(r.Context(), userOf(r), r.PathValue("inspectionID"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) addInspectionPhoto(w http.ResponseWriter, r *http.Request) {
	name, data, err := s.uploadedFile(w, r, "file", s.Store.MaxAttachmentBytes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.Store.AddInspectionPhoto(r.Context(), userOf(r), r.PathValue("inspectionID"), name, data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}
