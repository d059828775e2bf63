package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"minsheng/internal/docimport"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// The pages' tests run on the three seed plans, published, with ten
// months of reporting for 章贡区 (360702) made here — the demo data of
// internal/demo may differ and the pages must work on any data.

const (
	fixtureCode     = "360702" // 赣州市章贡区
	fixturePassword = "mima-12345678"
)

// pageClock is a settable clock shared by the store and the server.
type pageClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *pageClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *pageClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type pageFixture struct {
	st       *store.Store
	srv      *Server
	clock    *pageClock
	projects []plan.ProjectRecord // 章贡区, by seq
	admin    *plan.User
	sup      *plan.User // 章贡区督查室
	rep      *plan.User // 区人社局, reports project 1
	leader   *plan.User
	// reporters are the reporting units' users, by unit ID.
	reporters map[string]*plan.User
	ctx       context.Context
}

var cheapHashes sync.Once

// pageCST returns a time in China Standard Time.
func pageCST(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, plan.Shanghai)
}

// newPageFixture builds the store: seeds imported and published, users,
// and for 章贡区 monthly plans and reports January–October 2024 (October
// partly missing, partly awaiting review). The clock stands at 2024-11-12,
// past the due day and its grace days, so missing reports are 未报送.
func newPageFixture(t testing.TB) *pageFixture {
	t.Helper()
	cheapHashes.Do(func() { store.PasswordParams.Memory, store.PasswordParams.Time = 1024, 1 })
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "pages.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &pageClock{t: pageCST(2024, time.March, 1, 9)}
	st.Now = clock.Now
	f := &pageFixture{st: st, clock: clock, ctx: ctx}
	f.srv = New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.srv.Now = clock.Now

	seeds, _ := filepath.Glob("../../testdata/seeds/*.txt")
	if len(seeds) != 3 {
		t.Fatalf("seeds: %v", seeds)
	}
	for _, path := range seeds {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := docimport.Import(filepath.Base(path), raw)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		text, _ := docimport.Text(filepath.Base(path), raw)
		pv, err := st.SaveDraftPlan(ctx, plan.SystemUser, doc, text)
		if err != nil {
			t.Fatalf("save %s: %v", path, err)
		}
		if _, err := st.PublishPlan(ctx, plan.SystemUser, pv.ID); err != nil {
			t.Fatalf("publish %s: %v", path, err)
		}
	}
	if f.projects, err = st.ListProjects(ctx, store.ProjectFilter{JurisdictionCode: fixtureCode, Year: 2024}); err != nil || len(f.projects) != 15 {
		t.Fatalf("projects of %s: %d %v", fixtureCode, len(f.projects), err)
	}
	f.admin = f.user(t, "admin", "系统管理员", plan.RoleAdmin, "", "")
	f.sup = f.user(t, "ducha", "章贡区督查室", plan.RoleSupervisor, "", fixtureCode)
	f.leader = f.user(t, "lingdao", "区领导", plan.RoleLeader, "", fixtureCode)
	reporters := map[string]*plan.User{}
	for _, p := range f.projects {
		for _, id := range p.ReportingUnitIDs() {
			if reporters[id] == nil {
				unit, _ := st.GetUnit(ctx, id)
				name := fmt.Sprintf("tianbao%02d", len(reporters)+1)
				if unit.Name == "区人社局" {
					name = "renshe"
				}
				reporters[id] = f.user(t, name, unit.Name+"填报员", plan.RoleReporter, id, "")
			}
		}
	}
	f.rep, f.reporters = reporters[f.projects[0].ReportingUnitIDs()[0]], reporters
	f.fillReports(t, reporters)
	clock.Set(pageCST(2024, time.November, 12, 10))
	return f
}

func (f *pageFixture) user(t testing.TB, username, display string, role plan.Role, unitID, code string) *plan.User {
	t.Helper()
	u := &plan.User{Username: username, DisplayName: display, Role: role, UnitID: unitID, JurisdictionCode: code}
	if err := f.st.CreateUser(f.ctx, plan.SystemUser, u, fixturePassword); err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	return u
}

// paceOf is how each 章贡区 project keeps to 序时进度, by seq: most on
// plan, some behind, two far behind.
var paceOf = map[int]float64{1: 1.05, 2: 1.0, 3: 0.95, 4: 0.8, 5: 1.0, 6: 1.1, 7: 0.5, 8: 0.92, 9: 0.7, 10: 1.0, 11: 1.0, 12: 1.0, 13: 0.4, 14: 0.9, 15: 1.0}

// fillReports writes January–September (accepted) and October (some
// submitted, some missing: projects 1, 5 and 12 have no October report)
// at plausible dates, and an approved monthly plan for project 2.
func (f *pageFixture) fillReports(t testing.TB, reporters map[string]*plan.User) {
	t.Helper()
	ctx := f.ctx
	p2 := &f.projects[1]
	mp := &plan.MonthlyPlan{Deadline: "2024-12-31"}
	for _, tg := range p2.ActiveTargets() {
		mt := plan.MonthlyTarget{TargetID: tg.ID}
		for m := 3; m <= 12; m += 3 {
			v := plan.Decimal{Decimal: tg.Value.Mul(plan.DecimalFromInt(int64(m))).DivRound(plan.DecimalFromInt(12).Decimal, 0)}
			mt.Cumulative[m-1] = &v
		}
		mp.Targets = append(mp.Targets, mt)
	}
	for m := 0; m < 12; m++ {
		v := plan.MustDecimal("800")
		mp.Investment[m] = &v
	}
	rep2 := reporters[p2.ReportingUnitIDs()[0]]
	saved, err := f.st.SaveMonthlyPlan(ctx, rep2, p2.ID, mp)
	if err != nil {
		t.Fatalf("monthly plan: %v", err)
	}
	if _, err := f.st.SubmitMonthlyPlan(ctx, rep2, p2.ID, saved.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.ApproveMonthlyPlan(ctx, f.sup, p2.ID); err != nil {
		t.Fatal(err)
	}

	for m := time.January; m <= time.October; m++ {
		per := plan.Period{Year: 2024, Month: m}
		f.clock.Set(pageCST(2024, m+1, 3, 9))
		for i := range f.projects {
			p := &f.projects[i]
			if m == time.October && (p.Seq == 1 || p.Seq == 5 || p.Seq == 12) {
				continue
			}
			frac := paceOf[p.Seq] * float64(m) / 12
			in := store.ReportInput{
				Progress:  per.Label() + "按计划推进" + p.Title + "，完成阶段性任务。",
				Problems:  "无",
				NextSteps: "继续按月度计划推进。",
			}
			for _, tg := range p.ActiveTargets() {
				in.Targets = append(in.Targets, plan.ReportTarget{TargetID: tg.ID, Actual: fixtureActual(&tg, frac, m)})
			}
			if p.Investment != nil {
				inv := scaled(*p.Investment, frac, 1)
				disb := scaled(*p.Investment, frac*0.8, 1)
				in.Investment, in.Disbursed = &inv, &disb
			}
			rep := reporters[p.ReportingUnitIDs()[0]]
			r, _, err := f.st.SaveReport(ctx, rep, p.ID, per, in)
			if err != nil {
				t.Fatalf("report %d %s: %v", p.Seq, per, err)
			}
			if _, err := f.st.SubmitReport(ctx, rep, p.ID, per, r.Version); err != nil {
				t.Fatalf("submit %d %s: %v", p.Seq, per, err)
			}
			if m < time.October || p.Seq%3 == 0 {
				if _, err := f.st.AcceptReport(ctx, f.sup, p.ID, per); err != nil {
					t.Fatalf("accept %d %s: %v", p.Seq, per, err)
				}
			}
		}
	}
}

// fixtureActual is a target's year-to-date value at a fraction of the year.
func fixtureActual(tg *plan.TargetRecord, frac float64, m time.Month) *plan.Decimal {
	switch tg.Kind {
	case plan.KindRate, plan.KindStandard:
		v := tg.Value
		if tg.Percent() && v.LessThan(plan.MustDecimal("99").Decimal) {
			v = v.Add(plan.DecimalFromInt(1))
		}
		return &v
	case plan.KindMilestone:
		v := plan.Decimal{}
		if m >= time.October && frac >= 0.8 {
			v = tg.Value
		}
		return &v
	}
	if frac > 1 {
		frac = 1
	}
	places := int32(0)
	if !tg.Value.Equal(tg.Value.Truncate(0)) || tg.Value.LessThan(plan.MustDecimal("20").Decimal) {
		places = 2
	}
	v := scaled(tg.Value, frac, places)
	return &v
}

func scaled(d plan.Decimal, frac float64, places int32) plan.Decimal {
	f, _ := d.Float64()
	return plan.Decimal{Decimal: decimal.NewFromFloat(f * frac).Round(places)}
}

// client is a browser-like HTTP client logged in as username: it keeps
// the session cookie and knows the CSRF token.
type pageClient struct {
	t    testing.TB
	base string
	c    *http.Client
}

func (f *pageFixture) start(t testing.TB) *httptest.Server {
	ts := httptest.NewServer(f.srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func newPageClient(t testing.TB, ts *httptest.Server, username string) *pageClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	pc := &pageClient{t: t, base: ts.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if username != "" {
		res := pc.post("/login", url.Values{"username": {username}, "password": {fixturePassword}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("login %s: %d %s", username, res.StatusCode, pageBody(res))
		}
	}
	return pc
}

func (pc *pageClient) get(path string) (*http.Response, string) {
	pc.t.Helper()
	res, err := pc.c.Get(pc.base + path)
	if err != nil {
		pc.t.Fatal(err)
	}
	return res, pageBody(res)
}

func (pc *pageClient) post(path string, v url.Values) *http.Response {
	pc.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, pc.base+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", pc.base)
	req.Header.Set("Accept", "text/html")
	res, err := pc.c.Do(req)
	if err != nil {
		pc.t.Fatal(err)
	}
	return res
}

// csrf is the session's CSRF token, read from a page.
func (pc *pageClient) csrf() string {
	pc.t.Helper()
	_, body := pc.get("/dashboard")
	const marker = `name="csrf_token" value="`
	i := strings.Index(body, marker)
	if i < 0 {
		pc.t.Fatalf("no csrf token on the dashboard")
	}
	rest := body[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}

func pageBody(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return string(b)
}
