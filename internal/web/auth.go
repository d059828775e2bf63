package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"minsheng/internal/plan"
)

// SessionCookie holds a browser's session token.
const SessionCookie = "minsheng_session"

type ctxKey int

const (
	userKey ctxKey = iota
	tokenKey
	viaCookieKey
)

// userOf returns the logged-in user of a request, or nil.
func userOf(r *http.Request) *plan.User {
	u, _ := r.Context().Value(userKey).(*plan.User)
	return u
}

// authenticate finds the user of a request from a bearer token (API
// clients) or the session cookie (browsers). A request without either goes
// on anonymous; handlers that need a user say so with requireUser. A
// cookie session must also carry the CSRF token on every unsafe request.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, viaCookie := bearerToken(r), false
		if token == "" {
			if c, err := r.Cookie(SessionCookie); err == nil {
				token, viaCookie = c.Value, true
			}
		}
		if token == "" {
			next.ServeHTTP(w, r)
			return
		}
		sess, u, err := s.Store.LookupSession(r.Context(), token)
		if err != nil {
			// An expired cookie is anonymous: the page asks to log in
			// again. A database that cannot be read says nothing of the
			// session: the cookie stays, and the page says to retry.
			if viaCookie && plan.ErrorCode(asOutage(err)) != plan.EUnavailable {
				clearSessionCookie(w, s.SecureCookies)
				next.ServeHTTP(w, r)
				return
			}
			s.failFor(w, r, err)
			return
		}
		if viaCookie && !safeMethod(r.Method) && !validCSRF(r, token) {
			if wantsPage(r) {
				s.pageFail(w, r, plan.Errorf(plan.EForbidden, "页面已过期或请求来源无效，请返回上一页刷新后重试"))
				return
			}
			writeJSONError(w, http.StatusForbidden, "csrf", "页面已过期或请求来源无效，请刷新页面后重试", "")
			return
		}
		if s.passwordGate(w, r, u) {
			return
		}
		if s.Now().Sub(sess.LastSeenAt) > time.Minute {
			// Extending the session is a write; when writes fail (a full
			// disk, a database refusing writes) the session, just found
			// valid, still serves reads: only a session that ended stops
			// the request.
			if err := s.Store.TouchSession(r.Context(), token); plan.ErrorCode(err) == plan.EUnauthorized {
				s.failFor(w, r, err)
				return
			} else if err != nil {
				s.Log.Warn("会话续期失败", "err", err)
			}
		}
		ctx := context.WithValue(r.Context(), userKey, u)
		ctx = context.WithValue(ctx, tokenKey, token)
		ctx = context.WithValue(ctx, viaCookieKey, viaCookie)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrfToken is derived from the session token, so it needs no storage and
// dies with the session; a page from another site cannot read the
// HttpOnly cookie it comes from.
func csrfToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("minsheng-csrf:" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CSRFOf returns the CSRF token pages must send with the request's session.
func CSRFOf(r *http.Request) string {
	if via, _ := r.Context().Value(viaCookieKey).(bool); !via {
		return ""
	}
	token, _ := r.Context().Value(tokenKey).(string)
	return csrfToken(token)
}

// validCSRF accepts the token from the X-CSRF-Token header (htmx, fetch)
// or the csrf_token form field. Multipart bodies are read up to the upload
// limit by the handler, so only the header or a URL-encoded form counts.
func validCSRF(r *http.Request, sessionToken string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		got = r.PostFormValue("csrf_token")
	}
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		got = r.URL.Query().Get("csrf_token")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(csrfToken(sessionToken))) == 1
}

// requireUser wraps a handler that needs a logged-in user.
func (s *Server) requireUser(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if userOf(r) == nil {
			writeJSONError(w, http.StatusUnauthorized, plan.EUnauthorized, "请先登录", "")
			return
		}
		h(w, r)
	}
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/",
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func clearSessionCookie(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTP     string `json:"totp,omitempty"` // the code, for a user with the second factor on
}

type loginResponse struct {
	Token string     `json:"token"`
	User  *plan.User `json:"user"`
}

// login: POST /api/v1/session. Wrong passwords and lockout are answered by
// the store with the same 401 and a Chinese message.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if strings.TrimSpace(req.Username) == "" || req.Password == "" {
		s.fail(w, r, plan.FieldError("username", "请输入用户名和密码"))
		return
	}
	if s.loginLimited(r, req.Username) != "" {
		tooMany(w)
		return
	}
	u, err := s.Store.AuthenticateWithCode(r.Context(), req.Username, req.Password, strings.TrimSpace(req.TOTP))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	token, _, err := s.Store.CreateSession(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, loginResponse{Token: token, User: u})
}

// logout: DELETE /api/v1/session ends the caller's session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	token, _ := r.Context().Value(tokenKey).(string)
	if err := s.Store.DeleteSession(r.Context(), token); err != nil {
		s.fail(w, r, err)
		return
	}
	clearSessionCookie(w, s.SecureCookies)
	w.WriteHeader(http.StatusNoContent)
}
