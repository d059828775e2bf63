package web_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"minsheng/internal/web"
)

// TestPagesDuringOutage: while the database cannot be read (here its file
// cannot be opened: SQLITE_CANTOPEN, as for a lost disk; PostgreSQL down
// is the same to the pages), a logged-in browser gets a Chinese 503 page
// and keeps its session cookie (it used to be logged out and sent to the
// login page), the public portal a 503 page, the API a 503 JSON error; once
// the database is back the same cookie works.
func TestPagesDuringOutage(t *testing.T) {
	s := newSecureSite(t)
	tok := s.login("admin", "Admin-pass-1", 201)
	wantStatus(t, s.do("192.0.2.1:1", tok, "PUT", "/api/v1/me/password", `{"old_password": "Admin-pass-1", "new_password": "Admin-pass-2"}`), 204)
	page := func(path string, cookie bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = "192.0.2.1:1"
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		if cookie {
			req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: tok})
		}
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		return rec
	}
	wantStatus(t, page("/totp", true), 200, "动态验证码")

	// New read connections find a directory where the file was.
	s.st.DB().SetMaxIdleConns(0)
	if err := os.Rename(s.db, s.db+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(s.db, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path   string
		cookie bool
	}{{"/totp", true}, {"/", true}, {"/public/", false}} {
		rec := page(c.path, c.cookie)
		wantStatus(t, rec, 503, "服务暂时不可用", "数据库暂时无法写入或连接", "请稍后重试")
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: Content-Type %q, Retry-After %q", c.path, ct, rec.Header().Get("Retry-After"))
		}
		if sc := rec.Header().Get("Set-Cookie"); strings.Contains(sc, web.SessionCookie) {
			t.Errorf("%s: the session cookie is touched during the outage: %s", c.path, sc)
		}
	}
	wantStatus(t, s.do("192.0.2.1:1", tok, "GET", "/api/v1/me", ""), 503, `"code":"unavailable"`)

	if err := os.Remove(s.db); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(s.db+".away", s.db); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, page("/totp", true), 200, "动态验证码")
}
