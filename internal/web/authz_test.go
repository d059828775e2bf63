package web_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/web"
)

// Project 1 of the seed (支持重点群体就业创业) is led by 区人社局 with 区教体局
// among its responsible units; it is not a 人大票决 project. Project 8
// (推进中小学校网点及学前教育建设) is one.

// completeMay is a report of project 1 for May 2024 that can be submitted.
const completeMay = `{"version": 0, "targets": [
	{"target_id": "{t1}", "actual": 0.6}, {"target_id": "{t2}", "actual": 55},
	{"target_id": "{t3}", "actual": 96}, {"target_id": "{t4}", "actual": 12}],
	"investment_wan": 130, "disbursed_wan": 100, "progress": "5月进展顺利"}`

// bulkCSV is a month's figures of project 1 as a CSV of the 进展填报 sheet.
const bulkCSV = "编码,民生实事名称,子项目/指标,累计完成值,累计完成投资（万元）,累计到位资金（万元）\nP:{p1},,,,130,150\nT:{t1},,,0.6,,\n"

const monthlyBody = `{"version": 0, "targets": [{"target_id": "{t1}", "cumulative": [0.1, 0.2, 0.4, 0.5, 0.6]}], "investment_wan": [10, 10], "deadline": "2024-12-31"}`

// writeCase is one write endpoint of the matrix: setup brings the database
// to a state in which the allowed actors' requests succeed, so that a
// missing check would show as a 2xx, not hide behind a 409.
type writeCase struct {
	route   string // the pattern of routes.go, for the coverage check
	method  string
	url     string
	body    any
	setup   func(f *fixture)
	allowed map[string]int // actor → status of success; the rest get 403 (401 anonymous)
	refused int            // the status of the rest when not 403: 404 for a thing they may not know exists
}

func saveMay(f *fixture) {
	f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/reports/2024-05", completeMay).expect(f.t, 200)
}

func submitMay(f *fixture) {
	saveMay(f)
	f.do(leadReporter, "POST", "/api/v1/projects/{p1}/reports/2024-05/submit", nil).expect(f.t, 200, `"state":"submitted"`)
}

func saveMonthly(f *fixture) {
	f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/monthly-plan", monthlyBody).expect(f.t, 200)
}

func submitMonthly(f *fixture) {
	saveMonthly(f)
	f.do(leadReporter, "POST", "/api/v1/projects/{p1}/monthly-plan/submit", nil).expect(f.t, 200)
}

// importDraft imports the seed again: version 2 of the plan, a draft, in
// {draft}; {draftbody} is a correction of it.
func importDraft(f *fixture) {
	r := f.do(supervisor, "POST", "/api/v1/plans/import", seedUpload(f.t)).expect(f.t, 201, `"version":2`)
	f.vars["draft"] = r.str("id")
	var doc plan.Plan
	r.decode(f.t, &doc)
	doc.Title += "（修订）"
	b, _ := json.Marshal(map[string]any{"rev": r.num("rev"), "document": doc})
	f.vars["draftbody"] = string(b)
}

func writeCases() []writeCase {
	all := map[string]int{}
	for _, a := range actors {
		if a != anon {
			all[a] = http.StatusNoContent
		}
	}
	pngBody := upload{"file", "photo.png", nil} // filled in by the test
	cases := []writeCase{
		{route: "DELETE /api/v1/session", method: "DELETE", url: "/api/v1/session", allowed: all},
		{route: "PUT /api/v1/me/password", method: "PUT", url: "/api/v1/me/password", allowed: all,
			body: map[string]string{"old_password": testPassword, "new_password": "新的密码-secret-2"}},
		{route: "POST /api/v1/plans/import", method: "POST", url: "/api/v1/plans/import", body: upload{},
			allowed: map[string]int{supervisor: 201}},
		{route: "PUT /api/v1/plans/{planID}", method: "PUT", url: "/api/v1/plans/{draft}", body: "{draftbody}", setup: importDraft,
			allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/plans/{planID}/publish", method: "POST", url: "/api/v1/plans/{draft}/publish", setup: importDraft,
			allowed: map[string]int{supervisor: 200}},
		{route: "PUT /api/v1/projects/{projectID}/monthly-plan", method: "PUT", url: "/api/v1/projects/{p1}/monthly-plan", body: monthlyBody,
			allowed: map[string]int{leadReporter: 200}},
		{route: "POST /api/v1/projects/{projectID}/monthly-plan/{action}", method: "POST", url: "/api/v1/projects/{p1}/monthly-plan/submit",
			setup: saveMonthly, allowed: map[string]int{leadReporter: 200}},
		{route: "POST /api/v1/projects/{projectID}/monthly-plan/{action}", method: "POST", url: "/api/v1/projects/{p1}/monthly-plan/approve",
			setup: submitMonthly, allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/projects/{projectID}/monthly-plan/{action}", method: "POST", url: "/api/v1/projects/{p1}/monthly-plan/return",
			body: `{"reason": "请细化"}`, setup: submitMonthly, allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/projects/{projectID}/monthly-plan/{action}", method: "POST", url: "/api/v1/projects/{p1}/monthly-plan/reopen",
			body: `{"reason": "目标调整"}`, setup: func(f *fixture) {
				submitMonthly(f)
				f.do(supervisor, "POST", "/api/v1/projects/{p1}/monthly-plan/approve", nil).expect(f.t, 200)
			}, allowed: map[string]int{supervisor: 200}},
		{route: "PUT /api/v1/projects/{projectID}/reports/{period}", method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05", body: completeMay,
			allowed: map[string]int{leadReporter: 200}},
		{route: "POST /api/v1/projects/{projectID}/reports/{period}/contributions", method: "POST", url: "/api/v1/projects/{p1}/reports/2024-05/contributions",
			body: `{"text": "本单位配合完成宣传"}`, setup: saveMay, allowed: map[string]int{respContributor: 200}},
		{route: "POST /api/v1/projects/{projectID}/reports/{period}/attachments", method: "POST", url: "/api/v1/projects/{p1}/reports/2024-05/attachments",
			body: pngBody, setup: saveMay, allowed: map[string]int{leadReporter: 201, respContributor: 201}},
		{route: "POST /api/v1/projects/{projectID}/reports/{period}/{action}", method: "POST", url: "/api/v1/projects/{p1}/reports/2024-05/submit",
			setup: saveMay, allowed: map[string]int{leadReporter: 200}},
		{route: "POST /api/v1/projects/{projectID}/reports/{period}/{action}", method: "POST", url: "/api/v1/projects/{p1}/reports/2024-05/accept",
			setup: submitMay, allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/projects/{projectID}/reports/{period}/{action}", method: "POST", url: "/api/v1/projects/{p1}/reports/2024-05/return",
			body: `{"reason": "请核实"}`, setup: submitMay, allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/projects/{projectID}/reports/{period}/{action}", method: "POST", url: "/api/v1/projects/{p1}/reports/2024-05/reopen",
			body: `{"reason": "数据有误"}`, setup: func(f *fixture) {
				submitMay(f)
				f.do(supervisor, "POST", "/api/v1/projects/{p1}/reports/2024-05/accept", nil).expect(f.t, 200)
			}, allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/projects/{projectID}/inspections", method: "POST", url: "/api/v1/projects/{p1}/inspections", body: visitBody,
			setup: submitMay, allowed: map[string]int{supervisor: 201}},
		{route: "POST /api/v1/inspections/{inspectionID}/photos", method: "POST", url: "/api/v1/inspections/{visit}/photos", body: pngBody,
			setup: inspectP1, allowed: map[string]int{supervisor: 201}},
		{route: "POST /api/v1/votes/rounds", method: "POST", url: "/api/v1/votes/rounds", body: `{"jurisdiction_code": "360112", "year": 2025}`,
			allowed: map[string]int{supervisor: 201}},
		{route: "PUT /api/v1/votes/rounds/{roundID}", method: "PUT", url: "/api/v1/votes/rounds/{round}", setup: newRound,
			body: `{"version": {roundVersion}, "max_choices": 2, "seats": 1}`, allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/votes/rounds/{roundID}/candidates", method: "POST", url: "/api/v1/votes/rounds/{round}/candidates", setup: newRound,
			body: proposalBody, allowed: map[string]int{supervisor: 201, leadReporter: 201, otherReporter: 201, respContributor: 201, otherContributor: 201}},
		{route: "POST /api/v1/public/votes/rounds/{roundID}/proposals", method: "POST", url: "/api/v1/public/votes/rounds/{round}/proposals", setup: newRound,
			body: proposalBody, allowed: everyone(201)},
		{route: "POST /api/v1/votes/candidates/{candidateID}/{action}", method: "POST", url: "/api/v1/votes/candidates/{cand1}/shortlist", setup: proposedRound,
			allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/votes/rounds/{roundID}/{action}", method: "POST", url: "/api/v1/votes/rounds/{round}/open", setup: shortlistedRound,
			body: `{"version": {roundVersion}}`, allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/votes/rounds/{roundID}/ballot", method: "POST", url: "/api/v1/votes/rounds/{round}/ballot", setup: votingRound,
			body: `{"choices": ["{cand1}"]}`, allowed: map[string]int{deputy: 201}},
		{route: "POST /api/v1/votes/rounds/{roundID}/{action}", method: "POST", url: "/api/v1/votes/rounds/{round}/close", setup: votingRound,
			body: `{"version": {roundVersion}}`, allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/votes/rounds/{roundID}/{action}", method: "POST", url: "/api/v1/votes/rounds/{round}/adopt", setup: closedRound,
			body: `{"version": {roundVersion}}`, allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/projects/{projectID}/evaluation", method: "POST", url: "/api/v1/projects/{p8}/evaluation",
			body: `{"rating": "satisfied"}`, allowed: map[string]int{deputy: 201}},
		// The portal: residents need no login (public_api_test.go).
		{route: "POST /api/v1/public/projects/{projectID}/votes", method: "POST", url: "/api/v1/public/projects/{p1}/votes",
			body: `{"choice": "satisfied"}`, setup: roomyLimits, allowed: everyone(http.StatusOK)},
		{route: "POST /api/v1/public/projects/{projectID}/comments", method: "POST", url: "/api/v1/public/projects/{p1}/comments",
			body: `{"body": "建议增加办理点"}`, setup: roomyLimits, allowed: everyone(http.StatusCreated)},
		{route: "POST /api/v1/public/phone-codes", method: "POST", url: "/api/v1/public/phone-codes",
			body: `{"phone": "13800001234"}`, setup: phoneVerification, allowed: everyone(http.StatusAccepted)},
		{route: "POST /api/v1/comments/{commentID}/{decision}", method: "POST", url: "/api/v1/comments/{comment}/approve",
			setup: residentComment, allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/comments/{commentID}/{decision}", method: "POST", url: "/api/v1/comments/{comment}/reject",
			body: `{"reason": "广告"}`, setup: residentComment, allowed: map[string]int{supervisor: 200}},
		{route: "PUT /api/v1/projects/{projectID}/reports/{period}/release", method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05/release",
			body: `{"progress": true, "problems": true}`, setup: acceptMay, allowed: map[string]int{supervisor: 200}},
		{route: "PUT /api/v1/plans/{planID}/carryover", method: "PUT", url: "/api/v1/plans/{draft}/carryover", body: `{"rev": 1, "links": []}`,
			setup: importDraft, allowed: map[string]int{supervisor: 200}},
		{route: "POST /api/v1/reports/bulk", method: "POST", url: "/api/v1/reports/bulk?period=2024-05", body: upload{"file", "进展.csv", nil},
			allowed: map[string]int{leadReporter: 200}},
		{route: "POST /api/v1/users", method: "POST", url: "/api/v1/users",
			body:    `{"username": "new-leader", "role": "leader", "password": "long-enough-1", "jurisdiction_code": "360112"}`,
			allowed: map[string]int{admin: 201}},
	}
	cases = append(cases, levelWriteCases()...)
	cases = append(cases, letterWriteCases()...)
	return append(cases, reminderWriteCases()...)
}

// TestWriteMatrix sends every write endpoint as every actor, with bearer
// tokens and again as a browser (session cookie + CSRF header): allowed
// where DESIGN.md §2 and plan.Can allow, 403 elsewhere, 401 anonymous —
// and a refused request changes nothing.
func TestWriteMatrix(t *testing.T) {
	t.Parallel()
	base := newFixture(t)
	for _, mode := range []string{"bearer", "cookie"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			for _, wc := range writeCases() {
				t.Run(wc.method+" "+strings.TrimPrefix(wc.url, "/api/v1/"), func(t *testing.T) {
					t.Parallel()
					f := base.clone(t)
					f.cookie = mode == "cookie"
					runWriteCase(t, f, wc)
				})
			}
		})
	}
}

func runWriteCase(t *testing.T, f *fixture, wc writeCase) {
	t.Helper()
	if wc.setup != nil {
		wc.setup(f)
	}
	body := wc.body
	if u, ok := body.(upload); ok {
		switch {
		case wc.url == "/api/v1/plans/import":
			body = seedUpload(t)
		case strings.HasPrefix(wc.url, "/api/v1/reports/bulk"):
			u.data = []byte(f.expand(bulkCSV))
			body = u
		default:
			u.data = pngImage(t)
			body = u
		}
	}
	auditBefore := auditHead(t, f.st)
	order := slices.Clone(actors) // the refused first, then the allowed
	slices.SortStableFunc(order, func(a, b string) int {
		_, okA := wc.allowed[a]
		_, okB := wc.allowed[b]
		switch {
		case !okA && okB:
			return -1
		case okA && !okB:
			return 1
		}
		return 0
	})
	for _, a := range order {
		r := f.do(a, wc.method, wc.url, body)
		want, ok := wc.allowed[a]
		if !ok {
			want = cmp.Or(wc.refused, http.StatusForbidden)
			if a == anon {
				want = http.StatusUnauthorized
			}
		}
		if r.status != want {
			t.Errorf("%s: %d, want %d: %s", r.req, r.status, want, clip(r.body))
			continue
		}
		if !ok {
			e := r.checkError(t, "")
			if wantCode := map[int]string{401: plan.EUnauthorized, 403: plan.EForbidden, 404: plan.ENotFound}[want]; e.Code != wantCode {
				t.Errorf("%s: code %q, want %q", r.req, e.Code, wantCode)
			}
			if seq := auditHead(t, f.st); seq != auditBefore {
				t.Errorf("%s was refused but the audit log grew from %d to %d rows", r.req, auditBefore, seq)
				auditBefore = seq
			}
		}
	}
}

func auditHead(t testing.TB, st *store.Store) int64 {
	seq, _, err := st.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// TestWriteMatrixCoversEveryWrite checks that the matrix has a row for
// every write route of routes.go (but logging in, which anyone may try).
func TestWriteMatrixCoversEveryWrite(t *testing.T) {
	covered := map[string]bool{"POST /api/v1/session": true}
	for _, wc := range writeCases() {
		covered[wc.route] = true
	}
	for _, r := range apiRoutes(t) {
		if !strings.HasPrefix(r, "GET ") && !covered[r] {
			t.Errorf("write route %s is not in the authorisation matrix", r)
		}
	}
}

// readCase is a read the matrix checks: who may see it (status 200), and
// what everyone else gets.
type readCase struct {
	name    string
	url     string
	setup   func(f *fixture)
	allowed []string
	found   int // status for the allowed (200 unless the thing does not exist)
	denied  int // status for the logged-in who may not read: 403 or 404
}

// TestReadMatrix: a unit's user never reads a draft of another unit's
// project. Reports, their revisions and monthly plans of a project that is
// not the user's answer 403 (the project is public, so its existence is no
// secret; the store checks access before it looks whether the report
// exists, so 403 tells nothing either). Draft plans and attachments answer
// 404, as their existence itself is not to be told.
func TestReadMatrix(t *testing.T) {
	t.Parallel()
	base := newFixture(t)
	unitDraft := []string{leadReporter, respContributor}
	submitted := []string{leadReporter, respContributor, supervisor, leader}
	cases := []readCase{
		{name: "draft report", url: "/api/v1/projects/{p1}/reports/2024-05", setup: saveMay, allowed: unitDraft, denied: 403},
		{name: "report not started", url: "/api/v1/projects/{p1}/reports/2024-07", allowed: unitDraft, found: 404, denied: 403},
		{name: "draft report revisions", url: "/api/v1/projects/{p1}/reports/2024-05/revisions", setup: saveMay, allowed: unitDraft, denied: 403},
		{name: "draft monthly plan", url: "/api/v1/projects/{p1}/monthly-plan", setup: saveMonthly, allowed: unitDraft, denied: 403},
		{name: "submitted report", url: "/api/v1/projects/{p1}/reports/2024-05", setup: submitMay, allowed: submitted, denied: 403},
		{name: "submitted report revisions", url: "/api/v1/projects/{p1}/reports/2024-05/revisions", setup: submitMay, allowed: submitted, denied: 403},
		{name: "submitted monthly plan", url: "/api/v1/projects/{p1}/monthly-plan", setup: submitMonthly, allowed: submitted, denied: 403},
		{name: "submitted report of a 人大票决 project", url: "/api/v1/projects/{p8}/reports/2024-05", setup: submitP8,
			allowed: []string{supervisor, leader, deputy, respContributor}, denied: 403}, // 区教体局 leads project 8
		{name: "attachment of a draft", url: "/api/v1/attachments/{png}", setup: attachPNG, allowed: unitDraft, denied: 404},
		{name: "draft plan", url: "/api/v1/plans/{draft}", setup: importDraft, allowed: []string{supervisor}, denied: 404},
		{name: "visits of a project", url: "/api/v1/projects/{p1}/inspections", setup: inspectP1, allowed: submitted, denied: 403},
		{name: "a visit", url: "/api/v1/inspections/{visit}", setup: inspectP1, allowed: submitted, denied: 404},
		{name: "photo of a visit", url: "/api/v1/attachments/{visitpng}", setup: photographVisit, allowed: submitted, denied: 404},
		{name: "carry-over of a draft plan", url: "/api/v1/plans/{draft}/carryover", setup: importDraft, allowed: []string{supervisor}, denied: 404},
		{name: "users", url: "/api/v1/users", allowed: []string{admin}, denied: 403},
	}
	for _, rc := range cases {
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel()
			f := base.clone(t)
			if rc.setup != nil {
				rc.setup(f)
			}
			for _, a := range actors {
				want := rc.denied
				if slices.Contains(rc.allowed, a) {
					want = cmp.Or(rc.found, 200)
				} else if a == anon && !strings.HasPrefix(rc.url, "/api/v1/plans/") {
					want = 401
				}
				r := f.do(a, "GET", rc.url, nil)
				if r.status != want {
					t.Errorf("%s: %d, want %d: %s", r.req, r.status, want, clip(r.body))
				} else if want >= 400 {
					r.checkError(t, "")
				}
			}
		})
	}

	t.Run("lists hide what one may not read", func(t *testing.T) {
		t.Parallel()
		f := base.clone(t)
		saveMay(f)
		importDraft(f)
		for _, a := range actors {
			if a == anon {
				continue
			}
			r := f.do(a, "GET", "/api/v1/reports?period=2024-05", nil).expect(t, 200)
			sees := strings.Contains(string(r.body), f.vars["p1"])
			if want := slices.Contains(unitDraft, a); sees != want {
				t.Errorf("%s: sees the draft report in the list: %v, want %v", a, sees, want)
			}
		}
		for _, a := range actors {
			r := f.do(a, "GET", "/api/v1/plans", nil).expect(t, 200)
			sees := strings.Contains(string(r.body), f.vars["draft"])
			if want := a == supervisor; sees != want {
				t.Errorf("%s: sees the draft plan in the list: %v, want %v", a, sees, want)
			}
		}
	})
}

// submitP8 has project 8's report for May saved and submitted by its lead
// unit (区教体局), made here as a reporter of that unit.
func submitP8(f *fixture) {
	ctx := context.Background()
	u, err := f.st.FindUnit(ctx, "360112", "区教体局")
	if err != nil {
		f.t.Fatal(err)
	}
	rep := &plan.User{Username: "reporter-jiaoti", Role: plan.RoleReporter, UnitID: u.ID}
	if err := f.st.CreateUser(ctx, plan.SystemUser, rep, testPassword); err != nil {
		f.t.Fatal(err)
	}
	f.login("reporter-jiaoti")
	p, err := f.st.GetProject(ctx, f.vars["p8"])
	if err != nil {
		f.t.Fatal(err)
	}
	var ts []string
	for _, tg := range p.Targets {
		ts = append(ts, fmt.Sprintf(`{"target_id": %q, "actual": 1}`, tg.ID))
	}
	body := `{"version": 0, "progress": "建设中", "targets": [` + strings.Join(ts, ",") + `]}`
	f.do("reporter-jiaoti", "PUT", "/api/v1/projects/{p8}/reports/2024-05", body).expect(f.t, 200)
	f.do("reporter-jiaoti", "POST", "/api/v1/projects/{p8}/reports/2024-05/submit", nil).expect(f.t, 200)
}

func attachPNG(f *fixture) {
	r := f.do(leadReporter, "POST", "/api/v1/projects/{p1}/reports/2024-05/attachments", upload{"file", "p.png", pngImage(f.t)}).expect(f.t, 201)
	f.vars["png"] = r.str("sha256")
}

// TestCookieSessionNeedsCSRF: a browser's session cookie opens nothing
// unsafe without the CSRF token of that session.
func TestCookieSessionNeedsCSRF(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok := f.tok[leadReporter]
	send := func(method, url, body string, csrf string, extra map[string]string) *response {
		req := httptest.NewRequest(method, f.expand(url), strings.NewReader(f.expand(body)))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: tok})
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		for k, v := range extra {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return &response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes(), req: method + " " + url + " (cookie)"}
	}
	good := web.CSRFTokenOf(tok)
	other := web.CSRFTokenOf(f.tok[respContributor])

	r := send("PUT", "/api/v1/projects/{p1}/reports/2024-05", completeMay, "", nil).expect(t, 403, `"code":"csrf"`)
	r.checkError(t, "")
	send("PUT", "/api/v1/projects/{p1}/reports/2024-05", completeMay, "wrong", nil).expect(t, 403, `"code":"csrf"`)
	send("PUT", "/api/v1/projects/{p1}/reports/2024-05", completeMay, other, nil).expect(t, 403, `"code":"csrf"`)
	send("DELETE", "/api/v1/session", "", "", nil).expect(t, 403, `"code":"csrf"`)
	send("GET", "/api/v1/projects/{p1}/reports/2024-05", "", "", nil).expect(t, 404) // nothing written by the refused requests
	send("PUT", "/api/v1/projects/{p1}/reports/2024-05", completeMay, good, map[string]string{"Sec-Fetch-Site": "cross-site"}).expect(t, 403)
	send("PUT", "/api/v1/projects/{p1}/reports/2024-05", completeMay, good, nil).expect(t, 200, `"state":"draft"`)
	send("GET", "/api/v1/me", "", "", nil).expect(t, 200, `"username":"reporter-lead"`)

	// A bearer token needs no CSRF token: no browser sends it on its own.
	f.do(leadReporter, "POST", "/api/v1/projects/{p1}/reports/2024-05/submit", nil).expect(t, 200)
}

// TestRefusedBeforeValidated: who may act is checked before what they
// send, so a user who may not gets 403 even with a bad body — not a 422
// that would tell them how to get it right.
func TestRefusedBeforeValidated(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	submitMay(f)
	submitMonthly(f)
	for _, c := range []struct{ as, method, url, body string }{
		{leadReporter, "POST", "/api/v1/projects/{p1}/reports/2024-05/return", `{"reason": ""}`},
		{leader, "POST", "/api/v1/projects/{p1}/reports/2024-05/reopen", `{}`},
		{supervisor, "POST", "/api/v1/projects/{p1}/reports/2024-06/contributions", `{"text": ""}`},
		{otherContributor, "POST", "/api/v1/projects/{p1}/reports/2024-06/contributions", `{"text": "", "investment_wan": -1}`},
		{otherReporter, "PUT", "/api/v1/projects/{p1}/reports/2024-06", `{"version": 0, "investment_wan": -1}`},
		{otherReporter, "PUT", "/api/v1/projects/{p1}/monthly-plan", `{"version": 0, "deadline": "明年"}`},
		{leadReporter, "POST", "/api/v1/projects/{p1}/monthly-plan/return", `{"reason": ""}`},
		{otherSupervisor, "POST", "/api/v1/projects/{p1}/monthly-plan/return", `{}`},
	} {
		r := f.do(c.as, c.method, c.url, c.body)
		if r.status != 403 {
			t.Errorf("%s: %d, want 403: %s", r.req, r.status, clip(r.body))
		}
	}
	for _, as := range []string{otherReporter, supervisor} {
		r := f.do(as, "POST", "/api/v1/projects/{p1}/reports/2024-06/attachments", upload{"file", "a.txt", []byte("文字")})
		if r.status != 403 {
			t.Errorf("%s: %d, want 403: %s", r.req, r.status, clip(r.body))
		}
	}
}
