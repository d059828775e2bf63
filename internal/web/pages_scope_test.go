package web

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// TestDefaultPeriod: with plans for several years the pages open on the
// newest year begun, else on the first to come.
func TestDefaultPeriod(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "scope.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, c := range []struct {
		now   time.Time
		years []int
		want  string
	}{
		{pageCST(2026, time.December, 7, 9), []int{2024, 2025}, "2025-12"}, // both over, nothing reported: December of the newest
		{pageCST(2025, time.July, 7, 9), []int{2024, 2025, 2026}, "2025-06"},
		{pageCST(2025, time.July, 7, 9), []int{2026, 2027}, "2026-01"},
		{pageCST(2025, time.July, 7, 9), nil, "2025-06"},
	} {
		s.Now = func() time.Time { return c.now }
		got, err := s.defaultPeriod(context.Background(), "360112", c.years)
		if err != nil || got != plan.MustPeriod(c.want) {
			t.Errorf("now %s, years %v: %s %v, want %s", c.now.Format(time.DateOnly), c.years, got, err, c.want)
		}
	}
}
