package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/internal/plan"
)

// TestSQLitePragmasOnEveryConnection: the pragmas are in the DSN, so every
// pooled connection has them, not just the one a db.Exec reached.
func TestSQLitePragmasOnEveryConnection(t *testing.T) {
	s := openTest(t, t.TempDir()+"/pragmas.db")
	ctx := context.Background()
	pools := []struct {
		name string
		n    int
		db   *sql.DB
	}{{"writer", 1, s.WriteDB()}, {"reader", 4, s.DB()}}
	for _, p := range pools {
		// Hold n connections at once so that each is a different one (the
		// read pool has at least 4).
		var conns []*sql.Conn
		for i := 0; i < p.n; i++ {
			c, err := p.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for i, c := range conns {
			for pragma, want := range map[string]string{"busy_timeout": "5000", "foreign_keys": "1", "journal_mode": "wal", "synchronous": "2"} {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("%s connection %d: %s = %s, want %s", p.name, i, pragma, got, want)
				}
			}
			c.Close()
		}
	}
	// The read pool cannot write.
	if _, err := s.DB().ExecContext(ctx, "INSERT INTO jurisdictions (code, name, created_at) VALUES ('999999', 'x', 'x')"); err == nil {
		t.Error("the read pool accepted a write")
	}
	// Foreign keys are enforced on the writer.
	if _, err := s.WriteDB().ExecContext(ctx, "INSERT INTO units (id, jurisdiction_code, name, created_at) VALUES ('u', '000000', 'x', 'x')"); err == nil {
		t.Error("foreign key not enforced")
	}
}

// TestConcurrentWriters: 50 goroutines × 20 saves, all at once, never fail
// with "database is locked" (nor any other error), and the audit chain
// stays whole.
func TestConcurrentWriters(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		// 50 distinct reports: p1–p3 × January–June is 18; add units' own
		// projects through a second jurisdiction's plan of 6 projects × 6
		// months = 36.
		doc := planDoc()
		doc.Jurisdiction.Code, doc.Jurisdiction.Name = sp("361102"), "上饶市信州区"
		base := doc.Projects[2]
		doc.Projects = nil
		for i := 1; i <= 6; i++ {
			p := base
			p.Seq, p.Title = i, fmt.Sprintf("第%d条道路改造", i)
			p.LeadUnits = []string{"区交通局"}
			doc.Projects = append(doc.Projects, p)
		}
		pv := must(s.SaveDraftPlan(ctx, plan.SystemUser, doc, ""))(t)
		must(s.PublishPlan(ctx, plan.SystemUser, pv.ID))(t)
		other := must(s.ListProjects(ctx, ProjectFilter{PlanID: pv.ID}))(t)
		type job struct {
			p *plan.ProjectRecord
			m plan.Period
		}
		var jobs []job
		for _, p := range append([]plan.ProjectRecord{*f.p1, *f.p2, *f.p3}, other...) {
			for m := 1; m <= 6; m++ {
				jobs = append(jobs, job{&p, plan.Period{Year: 2024, Month: time.Month(m)}})
			}
		}
		jobs = jobs[:50]
		const saves = 20
		start := make(chan struct{})
		errs := make(chan error, len(jobs)*saves)
		var wg sync.WaitGroup
		for g, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				version := 0
				for i := 0; i < saves; i++ {
					in := ReportInput{Version: version, Progress: fmt.Sprintf("goroutine %d save %d", g, i),
						Targets: []plan.ReportTarget{{TargetID: j.p.Targets[0].ID, Actual: plan.DecimalFromInt(int64(i)).Ptr()}}}
					r, _, err := s.SaveReport(ctx, plan.SystemUser, j.p.ID, j.m, in)
					if err != nil {
						errs <- fmt.Errorf("goroutine %d save %d: %w", g, i, err)
						return
					}
					version = r.Version
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
				t.Errorf("lock error: %v", err)
			} else {
				t.Errorf("error: %v", err)
			}
		}
		rs := must(s.ListReports(ctx, plan.SystemUser, ReportFilter{}))(t)
		if len(rs) != len(jobs) {
			t.Fatalf("%d reports, want %d", len(rs), len(jobs))
		}
		for _, r := range rs {
			if r.Version != saves {
				t.Fatalf("report %s/%s at version %d, want %d", r.ProjectID, r.Period, r.Version, saves)
			}
		}
		rep := must(s.VerifyAudit(ctx))(t)
		if rep.Break != nil {
			t.Fatalf("audit chain after concurrent writes: %v", rep.Break)
		}
	})
}
