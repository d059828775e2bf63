package web

import (
	"net/http"

	"minsheng/internal/plan"
)

// getCarryOver: the carry-over of a plan — saved links, or the proposals
// while none is saved — to those who may read the plan (a draft's to its
// supervisor alone: 404 for anyone else).
func (s *Server) getCarryOver(w http.ResponseWriter, r *http.Request) {
	co, err := s.Store.GetCarryOver(r.Context(), userOf(r), r.PathValue("planID"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, co)
}

// carryOverInput is the body of PUT /api/v1/plans/{planID}/carryover.
type carryOverInput struct {
	Rev   int              `json:"rev"`
	Links []plan.CarryLink `json:"links"`
}

// saveCarryOver records the supervisor's links and year-end shares on a
// draft; this year's shares go into its targets (rev is bumped).
func (s *Server) saveCarryOver(w http.ResponseWriter, r *http.Request) {
	var in carryOverInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	co, err := s.Store.SaveCarryOver(r.Context(), userOf(r), r.PathValue("planID"), in.Rev, in.Links)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, co)
}

// projectHistoryAPI: the projects of earlier years a project continues and
// its continuing sub-projects' progress across years.
func (s *Server) projectHistoryAPI(w http.ResponseWriter, r *http.Request) {
	h, err := s.Store.ProjectHistory(r.Context(), r.PathValue("projectID"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Prev        []apiProject `json:"prev"`
		Subprojects any          `json:"subprojects"`
	}{Prev: []apiProject{}, Subprojects: h.Subprojects}
	for i := range h.Prev {
		out.Prev = append(out.Prev, projectView(&h.Prev[i]))
	}
	writeJSON(w, http.StatusOK, out)
}
