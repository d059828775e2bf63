package store_test

// Benchmarks of the dashboard and its roll-ups on synthetic data
// (docs/PERFORMANCE.md). They run only with -bench:
//
//	go test ./internal/store -run '^$' -bench Dashboards
//
// Without MINSHENG_BENCH_DB they generate the province scale (江西, about
// 100 counties) into a temporary file first. With MINSHENG_BENCH_DB naming
// a database filled by `minsheng gen` (a SQLite file or a postgres:// DSN,
// with search_path for a schema) they read that one, e.g. the national
// scale:
//
//	minsheng gen --scale national --db /tmp/national.db
//	MINSHENG_BENCH_DB=/tmp/national.db go test ./internal/store -run '^$' -bench Dashboards

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"minsheng/internal/demo"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

func BenchmarkDashboards(b *testing.B) {
	ctx := context.Background()
	dsn := os.Getenv("MINSHENG_BENCH_DB")
	if dsn == "" {
		dsn = filepath.Join(b.TempDir(), "province.db")
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if os.Getenv("MINSHENG_BENCH_DB") == "" {
		store.PasswordParams.Memory, store.PasswordParams.Time = 1024, 1
		if _, err := demo.Generate(ctx, st, demo.GenOptions{Scale: demo.ScaleProvince}); err != nil {
			b.Fatal(err)
		}
	}
	per := plan.MustPeriod("2024-10")
	// The first roll-up builds the roll-up facts if the database has none
	// yet (one made before them); that is not what is measured.
	if _, err := st.Rollup(ctx, "", per); err != nil {
		b.Fatal(err)
	}
	b.Run("county", func(b *testing.B) {
		var lat latencies
		for b.Loop() {
			t0 := time.Now()
			d, err := st.Dashboard(ctx, "360112", per)
			if err != nil || d.Projects == 0 {
				b.Fatalf("%v, %d projects", err, d.Projects)
			}
			lat = append(lat, time.Since(t0))
		}
		lat.report(b)
	})
	for _, r := range []struct{ name, code string }{{"city", "360100"}, {"province", "360000"}, {"national", ""}} {
		b.Run(r.name, func(b *testing.B) {
			var plans int
			var lat latencies
			for b.Loop() {
				t0 := time.Now()
				ru, err := st.Rollup(ctx, r.code, per)
				if err != nil || ru.Plans == 0 {
					b.Fatalf("%v, %d plans", err, ru.Plans)
				}
				lat = append(lat, time.Since(t0))
				plans = ru.Plans
			}
			b.ReportMetric(float64(plans), "counties")
			lat.report(b)
		})
	}
}

// latencies are the times of a benchmark's operations; the goals are
// 95th percentiles.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[int(0.95*float64(len(l)-1))].Microseconds())/1000, "p95-ms")
}
