package web_test

// The fixture of the API tests: a real server (web.New(…).Handler()) over
// a real SQLite file in t.TempDir(), driven through httptest as a client
// would drive it, with the seed plan of 新建区 imported and published and
// one logged-in user of every role.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/web"
)

// The actors of the tests. Units are those the seed names on project 1
// (支持重点群体就业创业): lead 区人社局, responsible 区教体局.
const (
	anon             = ""
	admin            = "admin"
	supervisor       = "supervisor"        // 新建区 (360112)
	otherSupervisor  = "supervisor-other"  // 青山湖区 (360111)
	leadReporter     = "reporter-lead"     // 区人社局, lead unit of project 1
	otherReporter    = "reporter-other"    // 区民政局, not named on project 1
	respContributor  = "contributor-resp"  // 区教体局, responsible unit of project 1
	otherContributor = "contributor-other" // 区妇联, not named on project 1
	leader           = "leader"
	deputy           = "deputy"
	citySupervisor   = "supervisor-city" // 上饶市 (361100), no plan until a test imports it (api_levels_test.go)
	countyReporter   = "reporter-county" // 区教育局 of 上饶市信州区 (361102)
)

// actors lists every actor, anonymous last.
var actors = []string{admin, supervisor, otherSupervisor, leadReporter, otherReporter, respContributor, otherContributor, leader, deputy,
	citySupervisor, countyReporter, anon}

const testPassword = "测试密码-secret-1"

var cheapHashes sync.Once

// fixture is one server over one database.
type fixture struct {
	t     testing.TB
	st    *store.Store
	srv   *web.Server
	h     http.Handler
	dsn   string
	logs  *errorLog
	tok   map[string]string // actor → session token
	vars  map[string]string // placeholders: {plan}, {p1}, {t1}…, {p8}
	users map[string]string // actor → user ID
	// cookie makes every logged-in request use the session cookie and the
	// CSRF header, as a browser does, instead of the bearer token.
	cookie bool
	// observe, when set, sees every request and its recorded response (the
	// OpenAPI test validates them).
	observe func(req *http.Request, reqBody []byte, res *http.Response, resBody []byte)
}

// errorLog counts error-level log records: a handler that logs an
// internal error has a bug even when a test did not look at its status.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelError }
func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	l.mu.Lock()
	l.msgs = append(l.msgs, b.String())
	l.mu.Unlock()
	return nil
}
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *errorLog) WithGroup(string) slog.Handler      { return l }

// attachLimit is the attachment size limit of the test servers.
const attachLimit = 64 << 10

// openFixture opens a server over the SQLite file dsn (created if new).
func openFixture(t testing.TB, dsn string) *fixture {
	t.Helper()
	cheapHashes.Do(func() {
		// The tests check the logic, not argon2's cost.
		store.PasswordParams.Memory, store.PasswordParams.Time = 1024, 1
	})
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	st.MaxAttachmentBytes = attachLimit
	logs := &errorLog{}
	srv := web.New(st, slog.New(logs))
	f := &fixture{t: t, st: st, srv: srv, h: srv.Handler(), dsn: dsn, logs: logs,
		tok: map[string]string{}, vars: map[string]string{}, users: map[string]string{}}
	t.Cleanup(func() {
		logs.mu.Lock()
		defer logs.mu.Unlock()
		for _, m := range logs.msgs {
			t.Errorf("server logged an error: %s", m)
		}
	})
	return f
}

// newFixture returns a server over a new database with the seed plan of
// 新建区 imported and published and a user of every role logged in, all
// done through the API (see buildBase).
func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newObservedFixture(t, nil)
}

// newObservedFixture is newFixture with an observer of every request,
// those that build the fixture included.
func newObservedFixture(t testing.TB, observe func(req *http.Request, reqBody []byte, res *http.Response, resBody []byte)) *fixture {
	t.Helper()
	f := openFixture(t, filepath.Join(t.TempDir(), "minsheng.db"))
	f.observe = observe
	buildBase(f)
	return f
}

// clone returns a server over a consistent copy (store.Backup) of f's
// database, with the same sessions: tests that change state start from
// the same point without building it again.
func (f *fixture) clone(t testing.TB) *fixture {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "clone.db")
	if err := f.st.Backup(context.Background(), dsn); err != nil {
		t.Fatalf("backup: %v", err)
	}
	c := openFixture(t, dsn)
	for k, v := range f.tok {
		c.tok[k] = v
	}
	for k, v := range f.vars {
		c.vars[k] = v
	}
	for k, v := range f.users {
		c.users[k] = v
	}
	c.cookie, c.observe = f.cookie, f.observe
	return c
}

// buildBase does, through the API, what an installation does first: the
// administrator (made on the command line) creates the supervisor, who
// imports and publishes the plan; the administrator then creates the
// units' users, the leader and the deputy, and everyone logs in.
func buildBase(f *fixture) {
	f.t.Helper()
	ctx := context.Background()
	a := &plan.User{Username: admin, Role: plan.RoleAdmin}
	if err := f.st.CreateUser(ctx, plan.SystemUser, a, testPassword); err != nil {
		f.t.Fatalf("create admin: %v", err)
	}
	f.users[admin] = a.ID
	f.vars[admin+"ID"] = a.ID
	f.login(admin)
	f.createUser(supervisor, plan.RoleSupervisor, "", "360112")
	f.createUser(otherSupervisor, plan.RoleSupervisor, "", "360111")
	f.login(supervisor)

	r := f.do(supervisor, "POST", "/api/v1/plans/import", seedUpload(f.t))
	r.expect(f.t, 201, `"state":"draft"`)
	f.vars["plan"] = r.str("id")
	f.do(supervisor, "POST", "/api/v1/plans/{plan}/publish", nil).expect(f.t, 200, `"state":"published"`)

	units := map[string]string{}
	r = f.do(admin, "GET", "/api/v1/units?jurisdiction=360112", nil).expect(f.t, 200)
	var ul struct{ Items []plan.Unit }
	r.decode(f.t, &ul)
	for _, u := range ul.Items {
		units[u.Name] = u.ID
	}
	f.createUser(leadReporter, plan.RoleReporter, units["区人社局"], "")
	f.createUser(otherReporter, plan.RoleReporter, units["区民政局"], "")
	f.createUser(respContributor, plan.RoleContributor, units["区教体局"], "")
	f.createUser(otherContributor, plan.RoleContributor, units["区妇联"], "")
	f.createUser(leader, plan.RoleLeader, "", "360112")
	f.createUser(deputy, plan.RoleDeputy, "", "360112")
	f.createUser(citySupervisor, plan.RoleSupervisor, "", "361100")
	county, err := f.st.EnsureUnit(ctx, plan.SystemUser, "361102", "区教育局")
	if err != nil {
		f.t.Fatal(err)
	}
	f.createUser(countyReporter, plan.RoleReporter, county.ID, "")
	for _, a := range actors {
		if a != anon && f.tok[a] == "" {
			f.login(a)
		}
	}

	var pv struct {
		Projects []struct {
			ID      string
			Seq     int
			Targets []struct{ ID string }
		}
	}
	f.do(anon, "GET", "/api/v1/plans/{plan}", nil).expect(f.t, 200).decode(f.t, &pv)
	for _, p := range pv.Projects {
		f.vars[fmt.Sprintf("p%d", p.Seq)] = p.ID
		if p.Seq == 1 {
			for i, tg := range p.Targets {
				f.vars[fmt.Sprintf("t%d", i+1)] = tg.ID
			}
		}
		if p.Seq == 3 && len(p.Targets) > 0 {
			f.vars["p3t1"] = p.Targets[0].ID
		}
	}
	if f.vars["p1"] == "" || f.vars["t4"] == "" || f.vars["p8"] == "" {
		f.t.Fatalf("published plan lacks project 1's four targets or project 8: %v", f.vars)
	}
}

func (f *fixture) createUser(name string, role plan.Role, unitID, code string) {
	f.t.Helper()
	body := map[string]string{"username": name, "role": string(role), "password": testPassword, "unit_id": unitID, "jurisdiction_code": code}
	r := f.do(admin, "POST", "/api/v1/users", body).expect(f.t, 201)
	f.users[name] = r.str("id")
	f.vars[name+"ID"] = f.users[name]
}

func (f *fixture) login(name string) {
	f.t.Helper()
	r := f.do(anon, "POST", "/api/v1/session", map[string]string{"username": name, "password": testPassword}).expect(f.t, 201)
	f.tok[name] = r.str("token")
}

// expand replaces {name} placeholders by the fixture's IDs.
func (f *fixture) expand(s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := f.vars[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

var placeholder = regexp.MustCompile(`\{[a-zA-Z0-9-]+\}`)

// upload is a multipart body with one file.
type upload struct {
	field, name string
	data        []byte
}

func seedUpload(t testing.TB) upload {
	data, err := os.ReadFile("../../testdata/seeds/xinjian-2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	return upload{"file", "xinjian-2024.txt", data}
}

// pngImage is a small real PNG.
func pngImage(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	for x := range 4 {
		img.Set(x, 1, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdfDoc is enough of a PDF for content sniffing: the header.
func pdfDoc() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// response is a recorded answer.
type response struct {
	status int
	header http.Header
	body   []byte
	req    string // "METHOD URL as ACTOR", for messages
}

// do sends one request as actor (anon: no credentials). body is nil, a
// string (sent as is, JSON), an upload (multipart) or anything else
// (encoded as JSON). URL and string bodies may hold placeholders. A 5xx is
// always a test failure: bad input must never reach one.
func (f *fixture) do(actor, method, url string, body any) *response {
	f.t.Helper()
	url = f.expand(url)
	var raw []byte
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		raw, ctype = []byte(f.expand(b)), "application/json"
	case []byte:
		raw, ctype = b, "application/json"
	case upload:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile(b.field, b.name)
		if err != nil {
			f.t.Fatal(err)
		}
		fw.Write(b.data)
		mw.Close()
		raw, ctype = buf.Bytes(), mw.FormDataContentType()
	default:
		j, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		raw, ctype = []byte(f.expand(string(j))), "application/json"
	}
	req := httptest.NewRequest(method, url, bytes.NewReader(raw))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if body == nil {
		req.ContentLength = 0
	}
	if actor != anon {
		tok := f.tok[actor]
		if tok == "" {
			f.t.Fatalf("no session for %s", actor)
		}
		f.authorize(req, tok)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	res := rec.Result()
	r := &response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes(), req: fmt.Sprintf("%s %s as %q", method, url, actor)}
	if r.status >= 500 {
		f.t.Errorf("%s: %d %s", r.req, r.status, r.body)
	}
	if f.observe != nil {
		req.Body = io.NopCloser(bytes.NewReader(raw))
		f.observe(req, raw, res, r.body)
	}
	return r
}

// authorize puts a session on a request: a bearer token, or — in cookie
// mode — the session cookie and, on unsafe methods, the CSRF header.
func (f *fixture) authorize(req *http.Request, tok string) {
	if !f.cookie {
		req.Header.Set("Authorization", "Bearer "+tok)
		return
	}
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: tok})
	if req.Method != "GET" && req.Method != "HEAD" {
		req.Header.Set("X-CSRF-Token", web.CSRFTokenOf(tok))
	}
}

// expect checks the status and that the body contains every string.
func (r *response) expect(t testing.TB, status int, contains ...string) *response {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body: %s", r.req, r.status, status, clip(r.body))
	}
	for _, c := range contains {
		if !bytes.Contains(r.body, []byte(c)) {
			t.Fatalf("%s: body lacks %q: %s", r.req, c, clip(r.body))
		}
	}
	return r
}

func (r *response) decode(t testing.TB, v any) *response {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%s: %v: %s", r.req, err, clip(r.body))
	}
	return r
}

// str returns a top-level string field of a JSON object answer.
func (r *response) str(key string) string {
	var m map[string]any
	json.Unmarshal(r.body, &m)
	s, _ := m[key].(string)
	return s
}

// num returns a top-level number field of a JSON object answer.
func (r *response) num(key string) int {
	var m map[string]any
	json.Unmarshal(r.body, &m)
	n, _ := m[key].(float64)
	return int(n)
}

// apiErr is the error shape every 4xx answer has.
type apiErr struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

var han = regexp.MustCompile(`\p{Han}`)

// checkError checks a 4xx answer: the error shape, a Chinese message, and
// the field when one is expected.
func (r *response) checkError(t testing.TB, field string) apiErr {
	t.Helper()
	var e apiErr
	if err := json.Unmarshal(r.body, &e); err != nil || e.Code == "" {
		t.Fatalf("%s: %d answer is not the error shape {code, message, field}: %s", r.req, r.status, clip(r.body))
	}
	if !han.MatchString(e.Message) {
		t.Errorf("%s: error message is not Chinese: %q", r.req, e.Message)
	}
	if field != "" && e.Field != field {
		t.Errorf("%s: error field %q, want %q (message %s)", r.req, e.Field, field, e.Message)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: error Content-Type %q", r.req, ct)
	}
	return e
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}
