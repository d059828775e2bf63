package web

import (
	"net/http"
	"strings"

	"minsheng/internal/plan"
)

type loginPage struct {
	basePage
	Next, Username, Message string
}

// loginForm: GET /login. A logged-in user goes straight on.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"), "/")
	if userOf(r) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", loginPage{basePage: s.base(r, "登录", ""), Next: next})
}

// loginSubmit: POST /login. The store's Authenticate says what went wrong
// — a wrong password or a locked account — in Chinese; the page shows it.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	username, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"), "/")
	fail := func(status int, msg string) {
		s.render(w, r, status, "login", loginPage{basePage: s.base(r, "登录", ""), Next: next, Username: username, Message: msg})
	}
	if username == "" || password == "" {
		fail(http.StatusUnprocessableEntity, "请输入用户名和密码")
		return
	}
	if s.loginLimited(r, username) != "" {
		w.Header().Set("Retry-After", "60")
		fail(http.StatusTooManyRequests, tooManyMessage)
		return
	}
	u, err := s.Store.AuthenticateWithCode(r.Context(), username, password, strings.TrimSpace(r.PostFormValue("totp")))
	if err != nil {
		if plan.ErrorCode(err) == plan.EUnauthorized {
			fail(http.StatusUnauthorized, plan.ErrorMessage(err))
			return
		}
		s.pageFail(w, r, err)
		return
	}
	token, _, err := s.Store.CreateSession(r.Context(), u.ID)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.setSessionCookie(w, token)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logoutSubmit: POST /logout ends the session (the CSRF check of the
// middleware applies: a form of this site sends the token).
func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request) {
	if token, _ := r.Context().Value(tokenKey).(string); token != "" {
		if err := s.Store.DeleteSession(r.Context(), token); err != nil {
			s.pageFail(w, r, err)
			return
		}
	}
	clearSessionCookie(w, s.SecureCookies)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
