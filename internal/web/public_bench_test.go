package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"minsheng/internal/demo"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// BenchmarkPublicPages measures the server time of the portal on the demo
// data (three plans, 56 projects, reports January–October 2024): every
// public page, JSON and CSV download and 民生码 of every plan and project,
// through the whole handler (middleware included, without the network).
// "cached" is the usual case — the data did not change since the page was
// last rendered, so the server answers from memory after one read of the
// data version; "after-write" empties the cache before each pass over all
// pages, as a write does (each plan's view is built again once, then
// shared by its pages); "uncached" empties it before every request, the
// worst case. It reports the 95th percentile per request (p95-ms) over
// all pages; the budget is 20 ms.
//
//	go test ./internal/web -run '^$' -bench PublicPages -benchtime 3x
func BenchmarkPublicPages(b *testing.B) {
	ctx := context.Background()
	cheapHashes.Do(func() { store.PasswordParams.Memory, store.PasswordParams.Time = 1024, 1 })
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2024, time.November, 20, 10, 0, 0, 0, plan.Shanghai)
	if _, err := demo.Load(ctx, st, now); err != nil {
		b.Fatalf("demo data: %v", err)
	}
	st.Now = func() time.Time { return now }
	srv := New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.Now = st.Now
	h := srv.Handler()

	paths := []string{"/public/", "/api/v1/public/plans"}
	plans, err := st.PublishedPlans(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range plans {
		paths = append(paths, "/public/plans/"+p.ID, "/api/v1/public/plans/"+p.ID,
			"/public/plans/"+p.ID+"/progress.csv", "/public/plans/"+p.ID+"/progress.json")
		ps, err := st.ListProjects(ctx, store.ProjectFilter{PlanID: p.ID})
		if err != nil {
			b.Fatal(err)
		}
		for _, pr := range ps {
			paths = append(paths, "/public/projects/"+pr.ID, "/api/v1/public/projects/"+pr.ID, "/public/projects/"+pr.ID+"/qr.svg")
		}
	}
	for _, path := range paths { // warm the cache
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	for _, mode := range []string{"cached", "after-write", "uncached"} {
		b.Run(mode, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				if mode == "after-write" {
					srv.Portal.cache.clear()
				}
				for _, path := range paths {
					if mode == "uncached" {
						srv.Portal.cache.clear()
					}
					req := httptest.NewRequest(http.MethodGet, path, nil)
					rec := httptest.NewRecorder()
					start := time.Now()
					h.ServeHTTP(rec, req)
					times = append(times, time.Since(start))
					if rec.Code != http.StatusOK {
						b.Fatalf("%s: %d %s", path, rec.Code, rec.Body.String())
					}
				}
			}
			slices.Sort(times)
			p95 := times[len(times)*95/100]
			b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
			b.ReportMetric(float64(len(paths)), "pages")
		})
	}
}
