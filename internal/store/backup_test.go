package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/internal/plan"
)

func TestBackupSQLite(t *testing.T) {
	s := openTest(t, t.TempDir()+"/live.db")
	f := newFixture(t, s)
	path := t.TempDir() + "/copy.db"
	if err := s.Backup(f.ctx, path); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.Backup(f.ctx, path), plan.EConflict)
	c := openTest(t, path)
	if _, err := c.GetPlan(f.ctx, f.pv.ID); err != nil {
		t.Fatalf("copy lacks the plan: %v", err)
	}
	if rep := must(c.VerifyAudit(f.ctx))(t); rep.Break != nil || rep.Rows == 0 {
		t.Fatalf("copy's audit: %+v", rep)
	}
}

// TestBackupUnderLoadRestoresEveryRow: twelve writers save reports
// without pause while a backup is taken. Restored into a fresh file, the
// backup holds every save acknowledged before the backup began, its audit
// chain is intact and a prefix of the live one (one consistent moment, no
// half of a write). When the writers are done a second backup, restored,
// equals the live database row for row in every table.
func TestBackupUnderLoadRestoresEveryRow(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, filepath.Join(dir, "live.db"))
	f := newFixture(t, s)
	ctx := f.ctx
	type job struct {
		p *plan.ProjectRecord
		m plan.Period
	}
	var jobs []job
	for _, p := range []*plan.ProjectRecord{f.p1, f.p2, f.p3} {
		for m := 1; m <= 4; m++ {
			jobs = append(jobs, job{p, plan.Period{Year: 2024, Month: time.Month(m)}})
		}
	}
	var mu sync.Mutex
	acked := make([]int, len(jobs)) // version each writer was last answered
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, len(jobs))
	for g, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			version := 0
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				in := ReportInput{Version: version, Progress: fmt.Sprintf("写入 %d 第 %d 次", g, i),
					Targets: []plan.ReportTarget{{TargetID: j.p.Targets[0].ID, Actual: plan.DecimalFromInt(int64(i)).Ptr()}}}
				r, _, err := s.SaveReport(ctx, plan.SystemUser, j.p.ID, j.m, in)
				if err != nil {
					errs <- err
					return
				}
				version = r.Version
				mu.Lock()
				acked[g] = version
				mu.Unlock()
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // the writers are well under way
	mu.Lock()
	before := append([]int(nil), acked...)
	mu.Unlock()
	backup := filepath.Join(dir, "under-load.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	during := append([]int(nil), acked...)
	mu.Unlock()
	time.Sleep(100 * time.Millisecond)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("writer: %v", err)
	}
	if fmt.Sprint(before) == fmt.Sprint(during) {
		t.Fatalf("no write was answered while the backup ran (%v): the test proves nothing", before)
	}

	restored := filepath.Join(dir, "restored.db")
	rep, err := Restore(ctx, backup, restored)
	if err != nil {
		t.Fatal(err)
	}
	r := openTest(t, restored)
	for g, j := range jobs {
		got, err := r.GetReport(ctx, plan.SystemUser, j.p.ID, j.m)
		if before[g] == 0 && plan.ErrorCode(err) == plan.ENotFound {
			continue
		}
		if err != nil {
			t.Fatalf("writer %d: %v", g, err)
		}
		if got.Version < before[g] {
			t.Errorf("writer %d: backup has version %d, %d was acknowledged before the backup began", g, got.Version, before[g])
		}
	}
	// One consistent moment: the backup's chain ends on a row of the live
	// chain, and every row up to it is the same.
	seq, hash := must2(r.AuditHead(ctx))(t)
	if rep.Rows != seq {
		t.Errorf("restore verified %d audit rows, head is %d", rep.Rows, seq)
	}
	live := must(s.AuditRows(ctx, seq, seq))(t)
	if len(live) != 1 || live[0].Hash != hash {
		t.Fatalf("backup's audit head %d %s is not on the live chain: %+v", seq, hash, live)
	}
	if liveSeq, _ := must2(s.AuditHead(ctx))(t); liveSeq <= seq {
		t.Errorf("live chain ends at %d, backup at %d: no write after the backup", liveSeq, seq)
	}

	// Quiet now: a second backup restores to exactly the live database.
	quiet := filepath.Join(dir, "quiet.db")
	must(0, s.Backup(ctx, quiet))(t)
	again := filepath.Join(dir, "restored-quiet.db")
	must(Restore(ctx, quiet, again))(t)
	a := openTest(t, again)
	want, got := dumpTables(t, s.DB()), dumpTables(t, a.DB())
	if len(want) < 10 {
		t.Fatalf("only %d tables dumped", len(want))
	}
	for table, rows := range want {
		if !equalRows(rows, got[table]) {
			t.Errorf("table %s: live has %d rows, restored %d, or they differ", table, len(rows), len(got[table]))
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			t.Errorf("restored has table %s the live database has not", table)
		}
	}
}

func TestRestoreRefuses(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, filepath.Join(dir, "live.db"))
	newFixture(t, s)
	ctx := context.Background()
	backup := filepath.Join(dir, "b.db")
	must(0, s.Backup(ctx, backup))(t)

	exists := filepath.Join(dir, "exists.db")
	os.WriteFile(exists, []byte("x"), 0o600)
	_, err := Restore(ctx, backup, exists)
	wantCode(t, err, plan.EConflict)

	notSQLite := filepath.Join(dir, "dump.pgdump")
	os.WriteFile(notSQLite, []byte("PGDMP\x01\x0f"), 0o600)
	_, err = Restore(ctx, notSQLite, filepath.Join(dir, "new.db"))
	wantCode(t, err, plan.EInvalid)

	// A backup whose audit log was edited is refused, and nothing is left.
	tampered := filepath.Join(dir, "tampered.db")
	must(0, s.Backup(ctx, tampered))(t)
	raw, err := sql.Open("sqlite", tampered)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := raw.Exec("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1"); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("tampered with %d rows", n)
	}
	raw.Close()
	target := filepath.Join(dir, "from-tampered.db")
	_, err = Restore(ctx, tampered, target)
	wantCode(t, err, plan.EInvalid)
	if !strings.Contains(plan.ErrorMessage(err), "审计") {
		t.Errorf("message %q does not name the audit log", plan.ErrorMessage(err))
	}
	if left, _ := filepath.Glob(target + "*"); len(left) != 0 {
		t.Errorf("a refused restore left %v", left)
	}
}

// TestBackupPostgres: on PostgreSQL Backup runs pg_dump (custom format).
func TestBackupPostgres(t *testing.T) {
	base := os.Getenv("MINSHENG_TEST_POSTGRES")
	if base == "" {
		t.Skip(pgSkip)
	}
	s := openTest(t, pgSchema(t, base))
	newFixture(t, s)
	path := filepath.Join(t.TempDir(), "pg.dump")
	if err := s.Backup(context.Background(), path); err != nil {
		if strings.Contains(plan.ErrorMessage(err), "未找到 pg_dump") {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(b, []byte("PGDMP")) || !bytes.Contains(b, []byte("audit_log")) {
		t.Fatalf("pg_dump archive: %d bytes, %v", len(b), err)
	}
}

// dumpTables reads every row of every table of a SQLite database, each
// row as one line, sorted.
func dumpTables(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string][]string{}
	for _, table := range tables {
		rs, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		lines := []string{}
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("%q", vals))
		}
		rs.Close()
		sort.Strings(lines)
		out[table] = lines
	}
	return out
}

func equalRows(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
