package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/sealed"
	"minsheng/internal/store"
)

// publicGet requests a path of the portal without login.
func publicGet(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decodePublic[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%v: %s", err, rec.Body.String())
	}
	return v
}

// The portal shows published plans with progress from accepted reports
// only: October's reports of 章贡区 were submitted for most projects but
// accepted only for every third, so the others show September.
func TestPublicPlanShowsOnlyAcceptedReports(t *testing.T) {
	f := newPageFixture(t)
	h := f.srv.Handler()
	plans := decodePublic[list[publicPlanSummary]](t, publicGet(t, h, "/api/v1/public/plans"))
	if len(plans.Items) != 3 {
		t.Fatalf("plans: %+v", plans.Items)
	}
	planID := f.projects[0].PlanID
	pp := decodePublic[publicPlan](t, publicGet(t, h, "/api/v1/public/plans/"+planID))
	if pp.AsOf == nil || pp.AsOf.String() != "2024-10" || len(pp.Projects) != 15 || pp.Jurisdiction != "赣州市章贡区" {
		t.Fatalf("plan: as of %v, %d projects, %s", pp.AsOf, len(pp.Projects), pp.Jurisdiction)
	}
	withCompletion := 0
	for _, p := range pp.Projects {
		want := "2024-09"
		if p.Seq%3 == 0 && p.Seq != 12 { // 12 did not report October
			want = "2024-10"
		}
		if p.AsOf == nil || p.AsOf.String() != want || p.Latest == nil || p.Latest.Period.String() != want {
			t.Errorf("project %d: as of %v, want %s", p.Seq, p.AsOf, want)
			continue
		}
		if p.Status == "" || p.StatusLabel != p.Status.Label() {
			t.Errorf("project %d: status %q %q", p.Seq, p.Status, p.StatusLabel)
		}
		if p.Completion != nil {
			withCompletion++
		}
		// 存在问题 and 下一步 are not public until released.
		if p.Latest.Problems != "" || p.Latest.NextSteps != "" || !strings.HasPrefix(p.Latest.Progress, plan.MustPeriod(want).Label()) {
			t.Errorf("project %d: latest %+v", p.Seq, p.Latest)
		}
	}
	if withCompletion < 10 {
		t.Errorf("only %d projects with a completion", withCompletion)
	}
	body := publicGet(t, h, "/public/plans/"+planID).Body.String()
	if strings.Contains(body, "2024年10月按计划推进"+f.projects[1].Title) || !strings.Contains(body, "2024年9月按计划推进"+f.projects[1].Title) {
		t.Error("the plan page shows a submitted, unaccepted report (or not the accepted one)")
	}
	if strings.Contains(body, "继续按月度计划推进") {
		t.Error("下一步打算 shown without release")
	}

	// The project page: history newest first; a draft never shows.
	p2 := f.projects[1]
	in := store.ReportInput{Progress: "十一月草稿：尚未报送", Problems: "内部问题"}
	f.clock.Set(pageCST(2024, time.December, 2, 9))
	if _, _, err := f.st.SaveReport(f.ctx, f.rep, f.projects[0].ID, plan.MustPeriod("2024-11"), in); err != nil {
		t.Fatal(err)
	}
	proj := decodePublic[publicProjectDetail](t, publicGet(t, h, "/api/v1/public/projects/"+p2.ID))
	if len(proj.Reports) != 9 || proj.Reports[0].Period.String() != "2024-09" || proj.Reports[8].Period.String() != "2024-01" {
		t.Fatalf("project reports: %d", len(proj.Reports))
	}
	all := publicGet(t, h, "/public/projects/"+f.projects[0].ID).Body.String() + publicGet(t, h, "/api/v1/public/plans/"+planID).Body.String()
	if strings.Contains(all, "十一月草稿") || strings.Contains(all, "内部问题") {
		t.Error("a draft is public")
	}
	if rec := publicGet(t, h, "/api/v1/public/plans/plan_none"); rec.Code != 404 || !strings.Contains(rec.Body.String(), `"code":"not_found"`) {
		t.Errorf("unknown plan: %d %s", rec.Code, rec.Body.String())
	}
	if rec := publicGet(t, h, "/public/projects/prj_none"); rec.Code != 404 || !strings.Contains(rec.Body.String(), "项目不存在") {
		t.Errorf("unknown project page: %d", rec.Code)
	}
}

// Releasing: the supervisor chooses what of an accepted report goes
// public, photos included; the page changes with it.
func TestPublicRelease(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	h := f.srv.Handler()
	p := f.projects[2] // seq 3: October accepted
	per := plan.MustPeriod("2024-10")
	sup := newPageClient(t, ts, "ducha")

	// The unit attaches a photo to a report that is then reopened and
	// accepted again, so that the photo belongs to the accepted version.
	f.clock.Set(pageCST(2024, time.November, 12, 10))
	if _, err := f.st.ReopenReport(f.ctx, f.sup, p.ID, per, "补充照片"); err != nil {
		t.Fatal(err)
	}
	rep := reporterOf(t, f, &p)
	att, err := f.st.AddReportAttachment(f.ctx, rep, p.ID, per, "施工现场.png", pngBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.st.GetReport(f.ctx, rep, p.ID, per)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SubmitReport(f.ctx, rep, p.ID, per, r.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.AcceptReport(f.ctx, f.sup, p.ID, per); err != nil {
		t.Fatal(err)
	}
	if rec := publicGet(t, h, "/public/photos/"+att.SHA256); rec.Code != 404 {
		t.Fatalf("unreleased photo: %d", rec.Code)
	}
	res, body := sup.get("/projects/" + p.ID + "/reports/2024-10")
	if !strings.Contains(body, "公开发布设置") {
		t.Fatalf("no release link on the accepted report (%d)", res.StatusCode)
	}
	res, body = sup.get("/projects/" + p.ID + "/reports/2024-10/release")
	if res.StatusCode != 200 || !strings.Contains(body, "施工现场.png") || !strings.Contains(body, "当前只公开") {
		t.Fatalf("release page: %d", res.StatusCode)
	}
	// A reporter may not release.
	if res := newPageClient(t, ts, rep.Username).post("/projects/"+p.ID+"/reports/2024-10/release", url.Values{"problems": {"on"}}); res.StatusCode != 403 {
		t.Fatalf("reporter released: %d", res.StatusCode)
	}
	res = sup.post("/projects/"+p.ID+"/reports/2024-10/release", url.Values{"csrf_token": {sup.csrf()}, "progress": {"on"},
		"next_steps": {"on"}, "photos": {att.SHA256}})
	if res.StatusCode != 303 {
		t.Fatalf("release: %d %s", res.StatusCode, pageBody(res))
	}
	page := publicGet(t, h, "/public/projects/"+p.ID).Body.String()
	if !strings.Contains(page, "下一步打算：</b>继续按月度计划推进") || strings.Contains(page, "存在问题：") || !strings.Contains(page, "/public/photos/"+att.SHA256) {
		t.Errorf("released page lacks the released parts or shows others")
	}
	rec := publicGet(t, h, "/public/photos/"+att.SHA256)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" || len(rec.Header().Values("Set-Cookie")) != 0 {
		t.Errorf("photo: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if rec := publicGet(t, h, "/public/photos/"+att.SHA256, "If-None-Match", `"`+att.SHA256+`"`); rec.Code != 304 {
		t.Errorf("photo revalidation: %d", rec.Code)
	}
}

func reporterOf(t *testing.T, f *pageFixture, p *plan.ProjectRecord) *plan.User {
	t.Helper()
	us, err := f.st.ListUsers(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range us {
		if us[i].UnitID == p.ReportingUnitIDs()[0] && us[i].Role == plan.RoleReporter {
			return &us[i]
		}
	}
	t.Fatalf("no reporter for %s", p.Title)
	return nil
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(pagePNG(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Public responses are cacheable: ETag and Last-Modified from the last
// write; 304 for a client that has them; a write changes them; no
// cookie, even for a logged-in visitor.
func TestPublicCaching(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	h := f.srv.Handler()
	planID := f.projects[0].PlanID
	for _, path := range []string{"/public/", "/public/plans/" + planID, "/public/projects/" + f.projects[0].ID,
		"/api/v1/public/plans/" + planID, "/public/plans/" + planID + "/progress.csv", "/public/projects/" + f.projects[0].ID + "/qr.svg"} {
		rec := publicGet(t, h, path)
		etag, lm := rec.Header().Get("ETag"), rec.Header().Get("Last-Modified")
		if rec.Code != 200 || etag == "" || lm == "" || !strings.Contains(rec.Header().Get("Cache-Control"), "public") {
			t.Fatalf("%s: %d etag %q last-modified %q cache %q", path, rec.Code, etag, lm, rec.Header().Get("Cache-Control"))
		}
		if c := rec.Header().Values("Set-Cookie"); len(c) != 0 {
			t.Errorf("%s sets a cookie: %v", path, c)
		}
		if again := publicGet(t, h, path, "If-None-Match", etag); again.Code != 304 || again.Body.Len() != 0 {
			t.Errorf("%s with If-None-Match: %d", path, again.Code)
		}
		if again := publicGet(t, h, path, "If-Modified-Since", lm); again.Code != 304 {
			t.Errorf("%s with If-Modified-Since: %d", path, again.Code)
		}
		if again := publicGet(t, h, path, "If-None-Match", `"0-0"`); again.Code != 200 || !bytes.Equal(again.Body.Bytes(), rec.Body.Bytes()) {
			t.Errorf("%s with a stale ETag: %d", path, again.Code)
		}
	}
	path := "/api/v1/public/plans/" + planID
	before := publicGet(t, h, path)
	// A logged-in supervisor reading the portal gets the same bytes, no cookie.
	_, anonBody := newPageClient(t, ts, "").get(path)
	sup := newPageClient(t, ts, "ducha")
	res, body := sup.get(path)
	if body != anonBody || len(res.Header.Values("Set-Cookie")) != 0 {
		t.Error("a logged-in visitor gets another page or a cookie")
	}
	// Releasing the problems of an accepted report: new validators, new data.
	f.clock.Set(pageCST(2024, time.November, 13, 10))
	if _, err := f.st.ReleaseReport(f.ctx, f.sup, f.projects[2].ID, plan.MustPeriod("2024-10"), store.ReleaseInput{Problems: true}); err != nil {
		t.Fatal(err)
	}
	after := publicGet(t, h, path, "If-None-Match", before.Header().Get("ETag"))
	if after.Code != 200 || after.Header().Get("ETag") == before.Header().Get("ETag") || !strings.Contains(after.Body.String(), `"problems":"无"`) {
		t.Errorf("after a release: %d %s", after.Code, after.Header().Get("ETag"))
	}
	if lm, _ := http.ParseTime(after.Header().Get("Last-Modified")); !lm.Equal(pageCST(2024, time.November, 13, 10)) {
		t.Errorf("Last-Modified %s, want the release's time", after.Header().Get("Last-Modified"))
	}
	if rec := publicGet(t, h, path, "If-Modified-Since", before.Header().Get("Last-Modified")); rec.Code != 200 {
		t.Errorf("If-Modified-Since before the release: %d", rec.Code)
	}
}

// The validators and the server's cache are per jurisdiction's year: a
// write to one plan's reports, releases or comments changes that plan's
// pages (at once: the next request shows it) and leaves another plan's
// pages and the index as they were (304 to the old ETag); a write no
// public page shows (a comment awaiting moderation, a login) changes
// none; a write that is not confined to one jurisdiction's year changes
// them all.
func TestPublicCachingPerPlan(t *testing.T) {
	f := newPageFixture(t)
	h := f.srv.Handler()
	a, oct := f.projects, plan.MustPeriod("2024-10")
	plans, err := f.st.PublishedPlans(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var bPlan string
	for _, p := range plans {
		if p.JurisdictionCode != fixtureCode {
			bPlan = p.ID
		}
	}
	bProjects, err := f.st.ListProjects(f.ctx, store.ProjectFilter{PlanID: bPlan})
	if err != nil || len(bProjects) == 0 {
		t.Fatalf("plan B: %v", err)
	}
	aPaths := []string{"/public/plans/" + a[0].PlanID, "/api/v1/public/plans/" + a[0].PlanID, "/public/plans/" + a[0].PlanID + "/progress.csv",
		"/public/projects/" + a[1].ID, "/api/v1/public/projects/" + a[1].ID, "/public/projects/" + a[4].ID}
	otherPaths := []string{"/public/", "/api/v1/public/plans", "/public/plans/" + bPlan, "/public/projects/" + bProjects[0].ID,
		"/api/v1/public/projects/" + bProjects[0].ID, "/public/projects/" + bProjects[0].ID + "/qr.svg"}
	etags := map[string]string{}
	look := func() {
		for _, path := range append(append([]string{}, aPaths...), otherPaths...) {
			rec := publicGet(t, h, path)
			if rec.Code != 200 {
				t.Fatalf("%s: %d", path, rec.Code)
			}
			etags[path] = rec.Header().Get("ETag")
		}
	}
	// changed reports whether path is no longer what its last ETag says,
	// and returns what it is now.
	changed := func(path string) (bool, string) {
		rec := publicGet(t, h, path, "If-None-Match", etags[path])
		if rec.Code != 200 && rec.Code != 304 {
			t.Fatalf("%s: %d", path, rec.Code)
		}
		return rec.Code == 200 && rec.Header().Get("ETag") != etags[path], rec.Body.String()
	}
	var comment string
	steps := []struct {
		name  string
		write func() error
		scope string // "plan": changes plan A's pages; "all": every page; "": none
		shows string // what the page of plan A's second project shows at once
	}{
		{"accept a report", func() error {
			_, err := f.st.AcceptReport(f.ctx, f.sup, a[1].ID, oct)
			return err
		}, "plan", "2024年10月按计划推进" + a[1].Title},
		{"release its problems", func() error {
			_, err := f.st.ReleaseReport(f.ctx, f.sup, a[1].ID, oct, store.ReleaseInput{Progress: true, Problems: true})
			return err
		}, "plan", "存在问题"},
		{"a resident's comment, pending", func() error {
			c, err := f.st.AddComment(f.ctx, a[1].ID, store.CommentInput{Body: "希望周末也能办理"})
			if c != nil {
				comment = c.ID
			}
			return err
		}, "", ""},
		{"approve the comment", func() error {
			_, err := f.st.ModerateComment(f.ctx, f.sup, comment, true, "")
			return err
		}, "plan", "希望周末也能办理"},
		{"a login", func() error {
			_, _, err := f.st.CreateSession(f.ctx, f.sup.ID)
			return err
		}, "", ""},
		{"a new jurisdiction", func() error {
			_, err := f.st.EnsureJurisdiction(f.ctx, plan.SystemUser, plan.JurisdictionRecord{Code: "360703", Name: "赣州市南康区", Level: plan.LevelCounty})
			return err
		}, "all", ""},
	}
	look()
	for i, st := range steps {
		f.clock.Set(pageCST(2024, time.November, 13, 10+i))
		if err := st.write(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		for _, path := range aPaths {
			if moved, body := changed(path); moved != (st.scope != "") {
				t.Errorf("%s: %s changed %v", st.name, path, moved)
			} else if path == aPaths[3] && !strings.Contains(body, st.shows) {
				t.Errorf("%s: %s does not show %q", st.name, path, st.shows)
			}
		}
		for _, path := range otherPaths {
			if moved, _ := changed(path); moved != (st.scope == "all") {
				t.Errorf("%s: %s changed %v", st.name, path, moved)
			}
		}
		rec := publicGet(t, h, aPaths[0])
		if lm, _ := http.ParseTime(rec.Header().Get("Last-Modified")); st.scope != "" && !lm.Equal(pageCST(2024, time.November, 13, 10+i)) {
			t.Errorf("%s: Last-Modified %s, want the write's time", st.name, rec.Header().Get("Last-Modified"))
		}
		look()
	}
}

// The open-data files: JSON, and CSV in UTF-8 with a BOM, one row per
// target, with the accepted actuals.
func TestPublicDownloads(t *testing.T) {
	f := newPageFixture(t)
	h := f.srv.Handler()
	planID := f.projects[0].PlanID
	rec := publicGet(t, h, "/public/plans/"+planID+"/progress.csv")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "filename*=UTF-8''%E8%B5%A3%E5%B7%9E") {
		t.Fatalf("csv: %d %v", rec.Code, rec.Header())
	}
	raw := rec.Body.Bytes()
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Fatal("no BOM")
	}
	rows, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][4] != "项目名称" || rows[0][16] != "实际完成" {
		t.Fatalf("header: %v", rows[0])
	}
	pp := decodePublic[publicPlan](t, publicGet(t, h, "/public/plans/"+planID+"/progress.json"))
	want := 1
	for _, p := range pp.Projects {
		want += max(1, len(p.Targets))
	}
	if len(rows) != want {
		t.Fatalf("csv rows %d, want %d", len(rows), want)
	}
	p1 := pp.Projects[0]
	for _, row := range rows[1:] {
		if row[18] == p1.ID && row[19] == p1.Targets[0].ID {
			if row[16] != p1.Targets[0].Actual.String() || row[8] != "2024-09" || row[9] != p1.StatusLabel {
				t.Errorf("row of %s: %v", p1.Title, row)
			}
		}
	}
}

// 民生码: a QR code of the project page's absolute address under the
// configured base URL, as SVG and PNG; the page links it.
func TestPublicQR(t *testing.T) {
	f := newPageFixture(t)
	f.srv.Portal.Config.BaseURL = "https://mszs.example.gov.cn/"
	h := f.srv.Handler()
	p := f.projects[0]
	svg := publicGet(t, h, "/public/projects/"+p.ID+"/qr.svg")
	if svg.Code != 200 || svg.Header().Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(svg.Body.String(), "<svg") || strings.Count(svg.Body.String(), "h1v1h-1z") < 200 {
		t.Fatalf("svg: %d %s", svg.Code, svg.Body.String()[:min(200, svg.Body.Len())])
	}
	pngRec := publicGet(t, h, "/public/projects/"+p.ID+"/qr.png")
	img, err := png.Decode(pngRec.Body)
	if err != nil || img.Bounds().Dx() < 200 || img.Bounds().Dx() != img.Bounds().Dy() {
		t.Fatalf("png: %v %v", err, img)
	}
	// The corner is the quiet zone (white); a finder pattern starts 4 modules in (black).
	if r, _, _, _ := img.At(2, 2).RGBA(); r < 0x8000 {
		t.Error("no quiet zone")
	}
	if r, _, _, _ := img.At(4*8+2, 4*8+2).RGBA(); r > 0x8000 {
		t.Error("no finder pattern where the code starts")
	}
	// Another base URL is another code.
	f.srv.Portal.Config.BaseURL = "https://other.example.gov.cn"
	if other := publicGet(t, h, "/public/projects/"+p.ID+"/qr.svg"); other.Body.String() == svg.Body.String() {
		t.Error("the QR code does not depend on the base URL")
	}
	proj := decodePublic[publicProjectDetail](t, publicGet(t, h, "/api/v1/public/projects/"+p.ID))
	if proj.URL != "https://other.example.gov.cn/public/projects/"+p.ID {
		t.Errorf("url %s", proj.URL)
	}
	page := publicGet(t, h, "/public/projects/"+p.ID).Body.String()
	if !strings.Contains(page, `src="/public/projects/`+p.ID+`/qr.svg"`) || !strings.Contains(page, proj.URL) {
		t.Error("the page does not show its 民生码")
	}
}

// recordingSMS is the test SMS sender: it keeps the messages.
type recordingSMS struct {
	mu   sync.Mutex
	sent map[string]string // phone → last text
}

func (s *recordingSMS) SendSMS(_ context.Context, phone, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sent == nil {
		s.sent = map[string]string{}
	}
	s.sent[phone] = text
	return nil
}

func (s *recordingSMS) code(t *testing.T, phone string) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	text := s.sent[phone]
	i := strings.Index(text, "验证码为")
	if i < 0 {
		t.Fatalf("no code sent to %s: %q", phone, text)
	}
	return text[i+len("验证码为") : i+len("验证码为")+6]
}

func postJSON(t *testing.T, h http.Handler, path, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func testBox(t *testing.T) *sealed.Box {
	t.Helper()
	b, err := sealed.New([]byte("0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Votes: one per project and device token (a revote replaces), a limit
// per address and hour, tokens that are not ours refused; with phone
// verification, a code sent by SMS is needed and the phone is the voter.
func TestResidentVotes(t *testing.T) {
	f := newPageFixture(t)
	f.st.Sealer = testBox(t)
	cfg := f.srv.Portal.Config
	cfg.VotesPerHour = 4
	f.srv.Portal = NewPortal(cfg, nil, nil)
	h := f.srv.Handler()
	p := f.projects[0]
	votes := "/api/v1/public/projects/" + p.ID + "/votes"

	first := postJSON(t, h, votes, `{"choice": "unsatisfied"}`)
	tok := decodePublic[voteResponse](t, first).DeviceToken
	if tok == "" {
		t.Fatal("no device token issued")
	}
	if rec := postJSON(t, h, votes, `{"choice": "satisfied"}`, DeviceHeader, tok); rec.Code != 200 || strings.Contains(rec.Body.String(), "device_token") {
		t.Fatalf("revote: %d %s", rec.Code, rec.Body.String())
	}
	forged := tok[:len(tok)-2] + "xx"
	postJSON(t, h, votes, `{"choice": "basic"}`, DeviceHeader, forged).Result() // a new device, not the forged one
	rec := postJSON(t, h, votes, `{"choice": "很好"}`)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "满意、基本满意、不满意") || !strings.Contains(rec.Body.String(), `"field":"choice"`) {
		t.Errorf("bad choice: %d %s", rec.Code, rec.Body.String())
	}
	// The fifth vote from this address within the hour is refused.
	rec = postJSON(t, h, votes, `{"choice": "basic"}`, DeviceHeader, tok)
	if rec.Code != 429 || !strings.Contains(rec.Body.String(), "操作过于频繁") {
		t.Errorf("over the limit: %d %s", rec.Code, rec.Body.String())
	}
	// Another address is not limited by this one's votes.
	req := httptest.NewRequest("POST", votes, strings.NewReader(`{"choice": "basic"}`))
	req.RemoteAddr = "198.51.100.7:4000"
	other := httptest.NewRecorder()
	h.ServeHTTP(other, req)
	if other.Code != 200 {
		t.Errorf("another address: %d", other.Code)
	}
	res, err := f.st.SatisfactionResults(f.ctx, fixtureCode, 2024, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res[p.ID]; got.Satisfied != 1 || got.Basic != 2 || got.Unsatisfied != 0 || got.Rate().String() != "100" {
		t.Fatalf("results: %+v", got)
	}

	// Phone verification on: a vote needs the code texted to the phone.
	sms := &recordingSMS{}
	cfg.PhoneVerification, cfg.VotesPerHour = true, 100
	f.srv.Portal = NewPortal(cfg, sms, nil)
	if rec := postJSON(t, h, votes, `{"choice": "basic"}`); rec.Code != 422 || !strings.Contains(rec.Body.String(), "验证手机号") {
		t.Fatalf("vote without phone: %d %s", rec.Code, rec.Body.String())
	}
	if rec := postJSON(t, h, "/api/v1/public/phone-codes", `{"phone": "138-0000-1234"}`); rec.Code != 202 || !strings.Contains(rec.Body.String(), `"sent":true`) {
		t.Fatalf("code: %d %s", rec.Code, rec.Body.String())
	}
	code := sms.code(t, "13800001234")
	if rec := postJSON(t, h, "/api/v1/public/phone-codes", `{"phone": "13800001234"}`); rec.Code != 202 || !strings.Contains(rec.Body.String(), `"sent":false`) {
		t.Errorf("second code within the minute: %d %s", rec.Code, rec.Body.String())
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if rec := postJSON(t, h, votes, `{"choice": "basic", "phone": "13800001234", "code": "`+wrong+`"}`); rec.Code != 422 || !strings.Contains(rec.Body.String(), "验证码不正确") {
		t.Errorf("wrong code: %d %s", rec.Code, rec.Body.String())
	}
	for _, c := range []string{"basic", "unsatisfied"} { // the same phone twice: one vote, replaced
		if rec := postJSON(t, h, votes, `{"choice": "`+c+`", "phone": "13800001234", "code": "`+code+`"}`); rec.Code != 200 {
			t.Fatalf("verified vote: %d %s", rec.Code, rec.Body.String())
		}
	}
	res, _ = f.st.SatisfactionResults(f.ctx, fixtureCode, 2024, time.Time{})
	if got := res[p.ID]; got.Total() != 4 || got.Unsatisfied != 1 || got.Rate().String() != "75" {
		t.Fatalf("results after the phone vote: %+v %v", got, got.Rate())
	}
	// The supervisor's API shows the counts and rate.
	sup := newPageClient(t, f.start(t), "ducha")
	resp, body := sup.get("/api/v1/satisfaction?year=2024")
	if resp.StatusCode != 200 || !strings.Contains(body, `"project_id":"`+p.ID+`","satisfied":1,"basic":2,"unsatisfied":1,"seq":1`) || !strings.Contains(body, `"rate_percent":75`) {
		t.Errorf("satisfaction API: %d %s", resp.StatusCode, body[:min(len(body), 400)])
	}
}

// Comments go through moderation: pending ones are not public; the
// supervisor sees the phone masked; approved ones appear, rejected need a
// reason.
func TestCommentsModeratedThroughPages(t *testing.T) {
	f := newPageFixture(t)
	f.st.Sealer = testBox(t)
	ts := f.start(t)
	h := f.srv.Handler()
	p := f.projects[0]
	resident := newPageClient(t, ts, "")
	res, body := resident.get("/public/projects/" + p.ID + "/feedback")
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" || !strings.Contains(body, "满意度评价") {
		t.Fatalf("feedback page: %d", res.StatusCode)
	}
	if c := res.Header.Get("Set-Cookie"); !strings.HasPrefix(c, DeviceCookie+"=") || !strings.Contains(c, "HttpOnly") {
		t.Fatalf("device cookie: %q", c)
	}
	post := func(v url.Values) *http.Response {
		return resident.post("/public/projects/"+p.ID+"/feedback", v)
	}
	if res := post(url.Values{"action": {"comment"}, "body": {" "}}); res.StatusCode != 422 || !strings.Contains(pageBody(res), "请填写意见内容") {
		t.Fatalf("empty comment: %d", res.StatusCode)
	}
	res = post(url.Values{"action": {"comment"}, "body": {"希望加快进度，周末也能办理。"}, "name": {"李四"}, "comment_phone": {"139 1234 5678"}})
	if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "ok=commented") {
		t.Fatalf("comment: %d %s", res.StatusCode, pageBody(res))
	}
	post(url.Values{"action": {"comment"}, "body": {"无关广告"}})
	if res := post(url.Values{"action": {"vote"}, "choice": {"basic"}}); res.StatusCode != 303 {
		t.Fatalf("vote: %d %s", res.StatusCode, pageBody(res))
	}
	if page := publicGet(t, h, "/public/projects/"+p.ID).Body.String(); strings.Contains(page, "希望加快进度") {
		t.Fatal("a pending comment is public")
	}

	sup := newPageClient(t, ts, "ducha")
	res, body = sup.get("/moderation")
	if res.StatusCode != 200 || !strings.Contains(body, "139****5678") || strings.Contains(body, "13912345678") || !strings.Contains(body, "李*") {
		t.Fatalf("moderation page: %d", res.StatusCode)
	}
	queue, err := f.st.CommentQueue(f.ctx, f.sup, fixtureCode, store.CommentPending)
	if err != nil || len(queue) != 2 {
		t.Fatalf("queue: %v %v", queue, err)
	}
	var good, spam string
	for _, c := range queue {
		if strings.Contains(c.Body, "希望") {
			good = c.ID
		} else {
			spam = c.ID
		}
	}
	csrf := sup.csrf()
	if res := sup.post("/moderation/comments/"+spam, url.Values{"csrf_token": {csrf}, "decision": {"reject"}}); res.StatusCode != 422 || !strings.Contains(pageBody(res), "请填写理由") {
		t.Fatalf("reject without reason: %d", res.StatusCode)
	}
	sup.post("/moderation/comments/"+spam, url.Values{"csrf_token": {csrf}, "decision": {"reject"}, "reason": {"广告"}})
	if res := sup.post("/moderation/comments/"+good, url.Values{"csrf_token": {csrf}, "decision": {"approve"}}); res.StatusCode != 303 {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	// A leader may not moderate.
	leader := newPageClient(t, ts, "lingdao")
	if res := leader.post("/moderation/comments/"+spam, url.Values{"csrf_token": {leader.csrf()}, "decision": {"approve"}}); res.StatusCode != 403 {
		t.Errorf("leader moderates: %d", res.StatusCode)
	}
	page := publicGet(t, h, "/public/projects/"+p.ID).Body.String()
	if !strings.Contains(page, "希望加快进度，周末也能办理。") || !strings.Contains(page, "李*") || strings.Contains(page, "5678") || strings.Contains(page, "无关广告") {
		t.Error("the public page does not show exactly the approved comment, masked")
	}
}

// The feedback form with phone verification on: get a code by SMS, then
// vote with it; the errors say which field.
func TestFeedbackFormPhoneVerification(t *testing.T) {
	f := newPageFixture(t)
	f.st.Sealer = testBox(t)
	sms := &recordingSMS{}
	cfg := f.srv.Portal.Config
	cfg.PhoneVerification = true
	f.srv.Portal = NewPortal(cfg, sms, nil)
	ts := f.start(t)
	p := f.projects[0]
	resident := newPageClient(t, ts, "")
	if _, body := resident.get("/public/projects/" + p.ID + "/feedback"); !strings.Contains(body, "获取验证码") {
		t.Fatal("no phone field")
	}
	post := func(v url.Values) (*http.Response, string) {
		res := resident.post("/public/projects/"+p.ID+"/feedback", v)
		return res, pageBody(res)
	}
	if res, body := post(url.Values{"action": {"vote"}, "choice": {"satisfied"}, "phone": {"13600002222"}}); res.StatusCode != 422 || !strings.Contains(body, "请填写短信验证码") {
		t.Fatalf("vote without code: %d", res.StatusCode)
	}
	if res, body := post(url.Values{"action": {"code"}, "phone": {"136 0000 2222"}}); res.StatusCode != 200 || !strings.Contains(body, "验证码已发送") || !strings.Contains(body, `value="136 0000 2222"`) {
		t.Fatalf("code: %d", res.StatusCode)
	}
	if res, body := post(url.Values{"action": {"code"}, "phone": {"1360000"}}); res.StatusCode != 422 || !strings.Contains(body, "手机号码「1360000」格式不对") {
		t.Fatalf("bad phone: %d", res.StatusCode)
	}
	code := sms.code(t, "13600002222")
	if res, _ := post(url.Values{"action": {"vote"}, "choice": {"satisfied"}, "phone": {"13600002222"}, "code": {code}}); res.StatusCode != 303 {
		t.Fatalf("vote: %d", res.StatusCode)
	}
	res, err := f.st.SatisfactionResults(f.ctx, fixtureCode, 2024, time.Time{})
	if err != nil || res[p.ID].Satisfied != 1 {
		t.Fatalf("results: %+v %v", res[p.ID], err)
	}
}
