package web

import (
	"net/http"

	"minsheng/internal/plan"
)

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, userOf(r))
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	if err := plan.Authorize(userOf(r), plan.ActionManageUsers, plan.Resource{Kind: plan.ResourceUser}); err != nil {
		s.fail(w, r, err)
		return
	}
	pg, err := pageOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	us, next, err := s.Store.UsersPage(r.Context(), pg)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page(us, next))
}

type createUserRequest struct {
	Username         string    `json:"username"`
	DisplayName      string    `json:"display_name"`
	Role             plan.Role `json:"role"`
	UnitID           string    `json:"unit_id"`
	JurisdictionCode string    `json:"jurisdiction_code"`
	Password         string    `json:"password"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var req createUserRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	u := &plan.User{Username: req.Username, DisplayName: req.DisplayName, Role: req.Role, UnitID: req.UnitID, JurisdictionCode: req.JurisdictionCode}
	if err := s.Store.CreateUser(r.Context(), userOf(r), u, req.Password); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) listUnits(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("jurisdiction")
	if code == "" {
		code = userOf(r).JurisdictionCode
	}
	us, err := s.Store.ListUnits(r.Context(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items(us))
}
