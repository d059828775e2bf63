package web_test

import (
	"strings"
	"testing"
	"time"
)

// TestLogin: wrong passwords and unknown users get the same 401 with a
// Chinese message; five failures lock the account (said only to whoever
// then gives the right password); unknown, ended and expired tokens are
// 401.
func TestLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	login := func(user, password string) *response {
		return f.do(anon, "POST", "/api/v1/session", map[string]string{"username": user, "password": password})
	}
	f.run(t, []step{
		{name: "wrong password", as: anon, method: "POST", url: "/api/v1/session", body: `{"username": "leader", "password": "wrong-password"}`,
			status: 401, want: []string{`"code":"unauthorized"`, "用户名或密码错误"}},
		{name: "unknown user", as: anon, method: "POST", url: "/api/v1/session", body: `{"username": "nobody", "password": "wrong-password"}`,
			status: 401, want: []string{"用户名或密码错误"}},
		{name: "no password", as: anon, method: "POST", url: "/api/v1/session", body: `{"username": "leader"}`, status: 422, field: "username"},
		{name: "unknown field", as: anon, method: "POST", url: "/api/v1/session", body: `{"user": "leader", "password": "x"}`, status: 400, field: "user"},
		{name: "right password", as: anon, method: "POST", url: "/api/v1/session", body: `{"username": " leader ", "password": "` + testPassword + `"}`,
			status: 201, want: []string{`"token":"`, `"role":"leader"`}, notWant: []string{"password_hash", "argon2"}},
		{name: "SQL in the username", as: anon, method: "POST", url: "/api/v1/session", body: `{"username": "' OR '1'='1' --", "password": "x' OR '1'='1"}`,
			status: 401, want: []string{"用户名或密码错误"}},
		{name: "not JSON", as: anon, method: "POST", url: "/api/v1/session", body: `username=leader&password=x`, status: 400},
		{name: "unknown token", as: anon, method: "GET", url: "/api/v1/me", status: 401},
	})

	t.Run("bearer tokens", func(t *testing.T) {
		f.tok["bogus"] = "not-a-token"
		f.do("bogus", "GET", "/api/v1/me", nil).expect(t, 401, "登录已失效").checkError(t, "")
		f.do("bogus", "GET", "/api/v1/plans", nil).expect(t, 401) // a bad token is refused even where none is needed
		f.do(anon, "GET", "/api/v1/plans", nil).expect(t, 200)

		r := login(deputy, testPassword).expect(t, 201)
		f.tok["throwaway"] = r.str("token")
		f.do("throwaway", "GET", "/api/v1/me", nil).expect(t, 200, `"role":"deputy"`)
		f.do("throwaway", "DELETE", "/api/v1/session", nil).expect(t, 204)
		f.do("throwaway", "GET", "/api/v1/me", nil).expect(t, 401, "登录已失效")
	})

	t.Run("lockout", func(t *testing.T) {
		for i := range 5 {
			login(otherReporter, "wrong-password").expect(t, 401, "用户名或密码错误")
			_ = i
		}
		r := login(otherReporter, testPassword).expect(t, 401, "锁定")
		r.checkError(t, "")
		login(otherReporter, "wrong-password").expect(t, 401, "用户名或密码错误") // the lock is told only to the right password
		// The sessions the user already had are not ended by others' guessing.
		f.do(otherReporter, "GET", "/api/v1/me", nil).expect(t, 200)
	})

	t.Run("expired", func(t *testing.T) {
		later := time.Now().Add(13 * time.Hour)
		f.st.Now = func() time.Time { return later }
		defer func() { f.st.Now = time.Now }()
		r := f.do(leadReporter, "GET", "/api/v1/me", nil).expect(t, 401)
		if !strings.Contains(string(r.body), "登录已失效") {
			t.Errorf("expired token: %s", r.body)
		}
		// An expired cookie is anonymous: public reads work, the rest asks to log in.
		f.cookie = true
		defer func() { f.cookie = false }()
		f.do(leadReporter, "GET", "/api/v1/plans", nil).expect(t, 200)
		f.do(leadReporter, "GET", "/api/v1/me", nil).expect(t, 401, "请先登录")
		// After the lockout's 15 minutes the right password works again.
		login(otherReporter, testPassword).expect(t, 201)
	})
}
