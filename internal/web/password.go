package web

import (
	"net/http"
	"strings"

	"minsheng/internal/plan"
)

// Password changes: a user changes its own password on /password (page)
// or PUT /api/v1/me/password. With RequirePasswordChange set, a user whose
// password an administrator chose (a new account, a reset) or whose
// password is past its age may do nothing else until it has changed it.

func (s *Server) passwordRoutes(mux *http.ServeMux) {
	mux.HandleFunc("PUT /api/v1/me/password", s.requireUser(s.changePassword))
	mux.HandleFunc("GET /password", s.requirePage(s.passwordPage))
	mux.HandleFunc("POST /password", s.requirePage(s.passwordSubmit))
}

// allowedBeforeChange are what a user who must change its password may
// still reach: the change itself, who it is, logging out, assets.
func allowedBeforeChange(r *http.Request) bool {
	switch r.Method + " " + r.URL.Path {
	case "PUT /api/v1/me/password", "GET /api/v1/me", "DELETE /api/v1/session", "GET /password", "POST /password", "POST /logout":
		return true
	}
	return strings.HasPrefix(r.URL.Path, "/static/")
}

// passwordGate answers a user who must change its password, for anything
// else: 403 password_change_required (API) or a redirect to /password.
func (s *Server) passwordGate(w http.ResponseWriter, r *http.Request, u *plan.User) bool {
	if !s.RequirePasswordChange || !u.MustChangePassword || allowedBeforeChange(r) {
		return false
	}
	if wantsPage(r) {
		http.Redirect(w, r, "/password", http.StatusSeeOther)
		return true
	}
	writeJSONError(w, http.StatusForbidden, "password_change_required", "首次登录或密码已到期，请先修改密码（PUT /api/v1/me/password）", "password")
	return true
}

type passwordRequest struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

// changePassword: PUT /api/v1/me/password.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	var req passwordRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Store.ChangePassword(r.Context(), userOf(r), req.OldPassword, req.NewPassword); err != nil {
		s.fail(w, r, passwordField(err, "new_password"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// passwordField renames the store's "password" field to the request's.
func passwordField(err error, field string) error {
	if e, ok := err.(*plan.Error); ok && e.Field == "password" {
		c := *e
		c.Field = field
		return &c
	}
	return err
}

type passwordPageData struct {
	basePage
	Must    bool
	Message string
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "password", passwordPageData{basePage: s.base(r, "修改密码", ""), Must: s.RequirePasswordChange && userOf(r).MustChangePassword})
}

func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	old, nw := r.PostFormValue("old_password"), r.PostFormValue("new_password")
	msg := ""
	switch {
	case nw != r.PostFormValue("confirm_password"):
		msg = "两次输入的新密码不一致"
	default:
		if err := s.Store.ChangePassword(r.Context(), userOf(r), old, nw); err != nil {
			if plan.ErrorCode(err) != plan.EInvalid {
				s.pageFail(w, r, err)
				return
			}
			msg = plan.ErrorMessage(err)
		}
	}
	if msg != "" {
		s.render(w, r, http.StatusUnprocessableEntity, "password", passwordPageData{basePage: s.base(r, "修改密码", ""),
			Must: s.RequirePasswordChange && userOf(r).MustChangePassword, Message: msg})
		return
	}
	http.Redirect(w, r, "/?ok=own_password", http.StatusSeeOther)
}
