package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"minsheng/internal/demo"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// BenchmarkDashboardPage measures the server time of the 总览 page of a
// county (章贡区, 15 projects, reports January–October 2024) on the demo
// data: the handler from request to rendered bytes, without the network.
// The budget is 50 ms; on a developer machine it is a few ms.
//
//	go test ./internal/web -run '^$' -bench DashboardPage
func BenchmarkDashboardPage(b *testing.B) {
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
	u := &plan.User{ID: "bench", Username: "bench", Role: plan.RoleSupervisor, JurisdictionCode: fixtureCode}
	req := httptest.NewRequest(http.MethodGet, "/dashboard?jurisdiction="+fixtureCode+"&period=2024-10", nil)
	req = req.WithContext(context.WithValue(req.Context(), userKey, u))

	rec := httptest.NewRecorder()
	srv.dashboardPage(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("dashboard: %d %s", rec.Code, rec.Body.String())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.dashboardPage(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("dashboard: %d", rec.Code)
		}
	}
}
