package web_test

// Benchmarks of report submission over HTTP (docs/PERFORMANCE.md). They
// run only with -bench; plain `go test` compiles them and runs nothing:
//
//	go test ./internal/web -run '^$' -bench ReportSubmission -benchtime 6000x
//
// The PostgreSQL variant runs when MINSHENG_TEST_POSTGRES names a database
// (a schema of its own, dropped afterwards).

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/web"
)

// benchClients is the number of concurrent clients, one reporting unit each.
const benchClients = 50

// BenchmarkReportSubmission: 50 clients, each a reporting unit logged in
// with a bearer token, submit monthly reports of their own projects as
// fast as the server answers, in two ways:
//
//   - submit: one request, POST …/submit with the report in its body
//     (validated, stored, submitted, a revision, the project's roll-up
//     facts and status recomputed, an audit row): one write transaction;
//   - save+submit: PUT …/reports/{period} (validated, stored, a revision,
//     an audit row), then POST …/submit (checked complete, stored, a
//     revision, facts and status, an audit row): two write transactions,
//     as the report page does.
//
// Reported: reports/s, the 50th and 95th percentile latency of a whole
// report, and, measured in the same run on the same database, the rate
// of bare one-row transactions with the same durability from 50
// goroutines, for comparison.
func BenchmarkReportSubmission(b *testing.B) {
	for _, way := range []struct {
		name       string
		oneRequest bool
	}{{"submit", true}, {"save+submit", false}} {
		name, oneRequest := way.name, way.oneRequest
		b.Run("sqlite/"+name, func(b *testing.B) {
			benchSubmission(b, oneRequest, func(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.db") })
		})
		b.Run("postgres/"+name, func(b *testing.B) {
			base := os.Getenv("MINSHENG_TEST_POSTGRES")
			if base == "" {
				b.Skip("MINSHENG_TEST_POSTGRES 未设置，跳过 PostgreSQL")
			}
			benchSubmission(b, oneRequest, func(b *testing.B) string { return benchPGSchema(b, base) })
		})
	}
}

func benchSubmission(b *testing.B, oneRequest bool, dsn func(b *testing.B) string) {
	ctx := context.Background()
	// Logins are not what is measured: cheap password hashes.
	store.PasswordParams.Memory, store.PasswordParams.Time = 1024, 1
	dsnText := dsn(b)
	st, err := store.Open(ctx, dsnText)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// Each client has its own projects, twelve months each.
	perUnit := (b.N/benchClients+1)/12 + 1
	projects := benchPlan(b, st, perUnit)
	srv := httptest.NewServer(web.New(st, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients * 2}}
	tokens := make([]string, benchClients)
	for c := range tokens {
		var out struct{ Token string }
		benchCall(b, client, "POST", srv.URL+"/api/v1/session", "", map[string]string{"username": benchUser(c), "password": "bench-password"}, &out)
		tokens[c] = out.Token
	}

	lat := make([][]time.Duration, benchClients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < benchClients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			// The reports are dealt out like cards: client c has every
			// 50th, starting at c.
			quota := b.N / benchClients
			if c < b.N%benchClients {
				quota++
			}
			for done := 0; done < quota; {
				p := projects[c][done/12]
				per := plan.Period{Year: 2024, Month: time.Month(done%12 + 1)}
				done++
				t0 := time.Now()
				url := srv.URL + "/api/v1/projects/" + p.id + "/reports/" + per.String()
				body := map[string]any{
					"version": 0,
					"targets": []map[string]any{
						{"target_id": p.targets[0], "actual": 10 * int(per.Month)},
						{"target_id": p.targets[1], "actual": 96.5},
					},
					"investment_wan": fmt.Sprintf("%d.25", 40*int(per.Month)),
					"disbursed_wan":  fmt.Sprintf("%d.5", 30*int(per.Month)),
					"progress":       fmt.Sprintf("截至%d月底，累计完成农村公路提升改造%d公里，到期贷款回收率96.5%%。", per.Month, 10*int(per.Month)),
					"problems":       "无。",
					"next_steps":     "继续按月度计划推进。",
				}
				if oneRequest {
					if !benchCall(b, client, "POST", url+"/submit", tokens[c], body, nil) {
						return
					}
				} else {
					var saved struct{ Version int }
					if !benchCall(b, client, "PUT", url, tokens[c], body, &saved) {
						return
					}
					if !benchCall(b, client, "POST", url+"/submit", tokens[c], map[string]int{"version": saved.Version}, nil) {
						return
					}
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
	reports := float64(len(all)) / elapsed.Seconds()
	bare := benchBareRate(b, st, dsnText)
	b.ReportMetric(reports, "reports/s")
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(bare, "bare-tx/s")
	b.ReportMetric(reports/bare, "reports/bare-tx")
	b.ReportMetric(0, "ns/op") // the time per report is in reports/s and the percentiles
}

type benchProject struct {
	id      string
	targets [2]string
}

func benchUser(c int) string { return fmt.Sprintf("bench-%02d", c) }

// benchPlan publishes a plan of 新建区 in which each of 50 units leads
// perUnit projects of two targets, and makes a reporter per unit.
func benchPlan(b *testing.B, st *store.Store, perUnit int) [][]benchProject {
	ctx := context.Background()
	code := "360112"
	d := &store.BulkData{Label: "bench",
		Jurisdictions: []plan.JurisdictionRecord{{Code: code, Name: "南昌市新建区", Level: plan.LevelCounty}}}
	doc := plan.Plan{Jurisdiction: plan.Jurisdiction{Name: "南昌市新建区", Code: &code}, Year: 2024, Title: "压力测试方案",
		Categories: []plan.Category{}, Findings: []plan.Finding{}}
	out := make([][]benchProject, benchClients)
	inv := plan.MustDecimal("1000")
	seq := 0
	for c := 0; c < benchClients; c++ {
		uid := fmt.Sprintf("unit_bench%02d", c)
		d.Units = append(d.Units, plan.Unit{ID: uid, JurisdictionCode: code, Name: fmt.Sprintf("第%d单位", c+1)})
		for k := 0; k < perUnit; k++ {
			seq++
			pid := fmt.Sprintf("prj_bench%06d", seq)
			bp := benchProject{id: pid, targets: [2]string{pid + "_1", pid + "_2"}}
			out[c] = append(out[c], bp)
			d.Projects = append(d.Projects, plan.ProjectRecord{ID: pid, PlanID: "plan_bench", JurisdictionCode: code, Year: 2024, Seq: seq,
				Title: fmt.Sprintf("改造提升农村公路（%d）", seq), Investment: &inv,
				Units: []plan.ProjectUnit{{UnitID: uid, Role: plan.UnitLead}},
				Targets: []plan.TargetRecord{
					{ID: bp.targets[0], Metric: "农村公路提升改造", Comparator: plan.Exactly, Value: plan.MustDecimal("120"), Unit: "公里", Kind: plan.KindQuantity},
					{ID: bp.targets[1], Metric: "到期贷款回收率", Comparator: plan.AtLeast, Value: plan.MustDecimal("95"), Unit: "%", Kind: plan.KindRate},
				}})
		}
	}
	d.Plans = []plan.PlanVersion{{ID: "plan_bench", JurisdictionCode: code, Year: 2024, Version: 1, Document: doc}}
	if _, err := st.BulkLoad(ctx, plan.SystemUser, d); err != nil {
		b.Fatal(err)
	}
	hash, err := store.HashPassword("bench-password")
	if err != nil {
		b.Fatal(err)
	}
	var users []*plan.User
	for c := 0; c < benchClients; c++ {
		users = append(users, &plan.User{Username: benchUser(c), Role: plan.RoleReporter, UnitID: fmt.Sprintf("unit_bench%02d", c)})
	}
	if err := st.CreateUsersHashed(ctx, plan.SystemUser, users, hash); err != nil {
		b.Fatal(err)
	}
	return out
}

// benchCall sends a JSON request and decodes a 2xx answer into out; any
// other answer fails the benchmark.
func benchCall(b *testing.B, c *http.Client, method, url, token string, body, out any) bool {
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(method, url, bytes.NewReader(raw))
	if err != nil {
		b.Error(err)
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return false
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		b.Errorf("%s %s: %d %s", method, url, res.StatusCode, data)
		return false
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			b.Error(err)
			return false
		}
	}
	return true
}

// benchBareRate measures, for one second, one-row write transactions from
// 50 goroutines: on SQLite through the store's one writer connection with
// synchronous=FULL (SQLite has one writer), on PostgreSQL through a pool
// of their own, a connection each, with the server's default fsync — not
// the store's smaller pool, which would hold the reference back. It is
// the ceiling the store's writes are compared with.
func benchBareRate(b *testing.B, st *store.Store, dsn string) float64 {
	ctx := context.Background()
	db := st.WriteDB()
	if st.Postgres() {
		var err error
		if db, err = sql.Open("pgx", dsn); err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(benchClients)
		db.SetMaxIdleConns(benchClients)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE bench_bare (id TEXT PRIMARY KEY, at TEXT NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	insert := "INSERT INTO bench_bare (id, at) VALUES (?, ?)"
	if st.Postgres() {
		insert = "INSERT INTO bench_bare (id, at) VALUES ($1, $2)"
	}
	var n atomic.Int64
	deadline := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	start := time.Now()
	for g := 0; g < benchClients; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				tx, err := db.BeginTx(ctx, nil)
				if err == nil {
					_, err = tx.ExecContext(ctx, insert, fmt.Sprintf("%02d-%d", g, i), time.Now().String())
					if err == nil {
						err = tx.Commit()
					} else {
						tx.Rollback()
					}
				}
				if err != nil {
					b.Error(err)
					return
				}
				n.Add(1)
			}
		}(g)
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// benchPGSchema makes a schema for one benchmark run and returns a DSN
// whose search_path selects it; the schema is dropped afterwards.
func benchPGSchema(b *testing.B, base string) string {
	var r [6]byte
	rand.Read(r[:])
	schema := "bench_" + hex.EncodeToString(r[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		b.Fatal(err)
	}
	b.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}
