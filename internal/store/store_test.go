package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
)

func TestMain(m *testing.M) {
	// Cheap hashes: the tests check the logic, not argon2's cost.
	PasswordParams.Memory, PasswordParams.Time = 1024, 1
	dummyHash, _ = HashPassword("minsheng-dummy-password")
	os.Exit(m.Run())
}

// backend opens a fresh, empty store of one kind for a test; reopen opens
// the same database again.
type backend struct {
	name   string
	dsn    func(t *testing.T) string
	reopen func(t *testing.T, dsn string) *Store
}

const pgSkip = "MINSHENG_TEST_POSTGRES 未设置，跳过 PostgreSQL 存储测试"

// eachBackend runs fn against SQLite (a file in t.TempDir()) and, when
// MINSHENG_TEST_POSTGRES names a database, against PostgreSQL in a schema
// of its own that is dropped afterwards.
func eachBackend(t *testing.T, fn func(t *testing.T, s *Store, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		dsn := filepath.Join(t.TempDir(), "minsheng.db")
		fn(t, openTest(t, dsn), dsn)
	})
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("MINSHENG_TEST_POSTGRES")
		if base == "" {
			t.Skip(pgSkip)
		}
		t.Parallel()
		dsn := pgSchema(t, base)
		fn(t, openTest(t, dsn), dsn)
	})
}

// pgSchema creates a schema for one test and returns a DSN whose
// search_path selects it; the schema is dropped at cleanup.
func pgSchema(t *testing.T, base string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// june3 is "now" in the tests: reports for January to June 2024 may be
// written; May's is due on June 5th.
var june3 = time.Date(2024, 6, 3, 9, 0, 0, 0, plan.Shanghai)

func openTest(t *testing.T, dsn string) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatalf("Open(%s): %v", dsn, err)
	}
	t.Cleanup(func() { s.Close() })
	s.Now = func() time.Time { return june3 }
	return s
}

func sp(s string) *string { return &s }

func dec(s string) *plan.Decimal { return plan.MustDecimal(s).Ptr() }

// planDoc is a small plan of 新建区 (360112) for 2024, as the importer
// would produce it: three projects, the first with a lead and a
// responsible unit.
func planDoc() *plan.Plan {
	cat := 1
	return &plan.Plan{
		Source:       plan.Source{File: "xinjian-2024.txt", SHA256: strings.Repeat("a", 64), Encoding: "utf-8"},
		Jurisdiction: plan.Jurisdiction{Name: "南昌市新建区", Code: sp("360112"), Level: sp(plan.LevelCounty)},
		Year:         2024,
		Title:        "新建区2024年民生实事安排方案",
		DocNumber:    sp("新府发〔2024〕5号"),
		Categories:   []plan.Category{{Seq: 1, Title: "一、大力推动稳就业增收"}},
		Projects: []plan.Project{
			{Seq: 1, CategorySeq: &cat, Title: "支持重点群体就业创业", Text: "新增发放创业担保贷款1.42亿元，到期贷款回收率在95%以上。",
				Tags: []string{"区人大票决项目"}, LeadUnits: []string{"区人社局"}, ResponsibleUnits: []string{"团区委"},
				Leaders: []string{"张毅"}, Investment: dec("500"),
				Targets: []plan.Target{
					{Text: "新增发放创业担保贷款1.42亿元", Metric: "新增发放创业担保贷款", Comparator: plan.Exactly, Value: plan.MustDecimal("1.42"), Unit: "亿元", Kind: plan.KindQuantity},
					{Text: "到期贷款回收率在95%以上", Metric: "到期贷款回收率", Comparator: plan.AtLeast, Value: plan.MustDecimal("95"), Unit: "%", Kind: plan.KindRate},
				},
				Subprojects: []plan.Subproject{{Name: "创业担保贷款", Investment: dec("500"), Locations: []string{"全区"}}},
			},
			{Seq: 2, Title: "建设区域性中心敬老院", Text: "建设区域性中心敬老院2个。", LeadUnits: []string{"区民政局"}, ResponsibleUnits: []string{},
				Targets: []plan.Target{{Metric: "区域性中心敬老院", Comparator: plan.Exactly, Value: plan.MustDecimal("2"), Unit: "个", Kind: plan.KindQuantity}}},
			{Seq: 3, Title: "改造提升农村公路", Text: "改造提升农村公路50公里。", LeadUnits: []string{"区交通局"}, ResponsibleUnits: []string{},
				Targets: []plan.Target{{Metric: "农村公路提升改造", Comparator: plan.Exactly, Value: plan.MustDecimal("50"), Unit: "公里", Kind: plan.KindQuantity}}},
		},
		Findings: []plan.Finding{{Severity: plan.SeverityInfo, Code: "ok", Message: "导入正常"}},
	}
}

// fixture is a store with planDoc published and a user of each kind.
type fixture struct {
	s                *Store
	ctx              context.Context
	pv               *plan.PlanVersion
	p1, p2, p3       *plan.ProjectRecord
	sup, otherSup    *plan.User
	repA, repC, conB *plan.User // A leads p1, B is responsible on p1, C leads p2
	leader, deputy   *plan.User
}

func newFixture(t *testing.T, s *Store) *fixture {
	t.Helper()
	f := &fixture{s: s, ctx: context.Background()}
	sys := plan.SystemUser
	if _, err := s.EnsureJurisdiction(f.ctx, sys, plan.JurisdictionRecord{Code: "360112", Name: "南昌市新建区", Level: plan.LevelCounty}); err != nil {
		t.Fatal(err)
	}
	f.sup = f.user(t, "督查室", plan.RoleSupervisor, "", "360112")
	var err error
	f.pv, err = s.SaveDraftPlan(f.ctx, f.sup, planDoc(), "原文")
	if err != nil {
		t.Fatalf("SaveDraftPlan: %v", err)
	}
	if _, err := s.PublishPlan(f.ctx, f.sup, f.pv.ID); err != nil {
		t.Fatalf("PublishPlan: %v", err)
	}
	ps, err := s.ListProjects(f.ctx, ProjectFilter{PlanID: f.pv.ID})
	if err != nil || len(ps) != 3 {
		t.Fatalf("ListProjects: %d %v", len(ps), err)
	}
	f.p1, f.p2, f.p3 = &ps[0], &ps[1], &ps[2]
	unit := func(name string) string {
		u, err := s.FindUnit(f.ctx, "360112", name)
		if err != nil {
			t.Fatalf("unit %s: %v", name, err)
		}
		return u.ID
	}
	f.repA = f.user(t, "人社局填报", plan.RoleReporter, unit("区人社局"), "")
	f.conB = f.user(t, "团区委填报", plan.RoleContributor, unit("团区委"), "")
	f.repC = f.user(t, "民政局填报", plan.RoleReporter, unit("区民政局"), "")
	f.leader = f.user(t, "区领导", plan.RoleLeader, "", "360112")
	f.deputy = f.user(t, "人大代表", plan.RoleDeputy, "", "360112")
	if _, err := s.EnsureJurisdiction(f.ctx, sys, plan.JurisdictionRecord{Code: "361102", Name: "上饶市信州区"}); err != nil {
		t.Fatal(err)
	}
	f.otherSup = f.user(t, "信州督查室", plan.RoleSupervisor, "", "361102")
	return f
}

func (f *fixture) user(t *testing.T, name string, role plan.Role, unitID, code string) *plan.User {
	t.Helper()
	if code != "" {
		if _, err := f.s.EnsureJurisdiction(f.ctx, plan.SystemUser, plan.JurisdictionRecord{Code: code, Name: code}); err != nil {
			t.Fatal(err)
		}
	}
	u := &plan.User{Username: name, Role: role, UnitID: unitID, JurisdictionCode: code}
	if err := f.s.CreateUser(f.ctx, plan.SystemUser, u, "密码-12345678"); err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	return u
}

// fullReport is a complete report of p1 for a month.
func (f *fixture) fullReport(version int, loan, rate, inv string) ReportInput {
	return ReportInput{
		Version: version,
		Targets: []plan.ReportTarget{
			{TargetID: f.p1.Targets[0].ID, Actual: dec(loan)},
			{TargetID: f.p1.Targets[1].ID, Actual: dec(rate)},
		},
		Investment: dec(inv), Disbursed: dec(inv),
		Progress: "已发放贷款", Problems: "无", NextSteps: "继续推进",
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := plan.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}

// must(f())(t) is f's value, failing the test on f's error.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func period(s string) plan.Period { return plan.MustPeriod(s) }

// saved(s.SaveReport(…))(t) is the saved report.
func saved(r *plan.Report, _ plan.Problems, err error) func(t *testing.T) *plan.Report {
	return must(r, err)
}
