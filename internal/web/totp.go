package web

import (
	"net/http"
	"strings"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// The TOTP second factor's page: /totp shows a new secret (and its
// otpauth:// link) to add to an authenticator app, and turns the factor
// on once the app's first code is entered; with the factor on, it turns
// it off against a current code. Recommended for 督查室 and 管理员
// accounts; any user may use it.

func (s *Server) totpRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /totp", s.requirePage(s.totpPage))
	mux.HandleFunc("POST /totp", s.requirePage(s.totpSubmit))
}

type totpPageData struct {
	basePage
	Enabled     bool
	Secret, URI string
	Message     string
	// NoKey: no key to seal a secret with, so none is offered.
	NoKey string
}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request) {
	s.renderTOTP(w, r, http.StatusOK, "")
}

// renderTOTP shows the page; a user without the factor gets a new secret
// each time (nothing is stored until a code proves it), unless the server
// has no key to seal it with.
func (s *Server) renderTOTP(w http.ResponseWriter, r *http.Request, status int, msg string) {
	u := userOf(r)
	d := totpPageData{basePage: s.base(r, "动态验证码", ""), Enabled: u.TOTPEnabled, Message: msg}
	switch {
	case !u.TOTPEnabled && !s.Store.CanEnableTOTP():
		d.NoKey = store.NoTOTPKeyMessage
		if msg == d.NoKey {
			d.Message = "" // said once
		}
	case !u.TOTPEnabled:
		var err error
		if d.Secret, d.URI, err = store.NewTOTPSecret(u.Username); err != nil {
			s.pageFail(w, r, err)
			return
		}
	}
	s.render(w, r, status, "totp", d)
}

func (s *Server) totpSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	u, code := userOf(r), strings.TrimSpace(r.PostFormValue("code"))
	var err error
	flash := "totp_on"
	if u.TOTPEnabled {
		err, flash = s.Store.DisableTOTP(r.Context(), u, code), "totp_off"
	} else {
		err = s.Store.EnableTOTP(r.Context(), u, r.PostFormValue("secret"), code)
	}
	if plan.ErrorCode(err) == plan.EInvalid {
		s.renderTOTP(w, r, http.StatusUnprocessableEntity, plan.ErrorMessage(err))
		return
	}
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	http.Redirect(w, r, "/?ok="+flash, http.StatusSeeOther)
}
