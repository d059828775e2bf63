package store

import (
	"testing"

	"minsheng/internal/plan"
)

// TestPages: walking a list page by page, with any page size, gives the
// whole list once and in order; rows added between two pages do not shift
// the pages after; a cursor that is not one is invalid.
func TestPages(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, _ string) {
		f := newFixture(t, s)
		ctx := f.ctx
		// Reports of p1 for four months, of p2 for two.
		for _, per := range []string{"2024-01", "2024-02", "2024-03", "2024-04"} {
			saved(s.SaveReport(ctx, f.repA, f.p1.ID, period(per), f.fullReport(0, "0.1", "96", "10")))(t)
		}
		for _, per := range []string{"2024-01", "2024-02"} {
			saved(s.SaveReport(ctx, f.repC, f.p2.ID, period(per), ReportInput{Investment: dec("1")}))(t)
		}
		// A second draft plan, so that the plan list has a private row.
		must(s.SaveDraftPlan(ctx, f.sup, planDoc(), "原文"))(t)

		for _, limit := range []int{1, 2, 5, 100} {
			walk(t, "reports", limit, func(pg Page) ([]string, string, error) {
				rs, next, err := s.ReportsPage(ctx, plan.SystemUser, ReportFilter{}, pg)
				var keys []string
				for _, r := range rs {
					keys = append(keys, r.ProjectID+"/"+r.Period.String())
				}
				return keys, next, err
			})
			walk(t, "projects", limit, func(pg Page) ([]string, string, error) {
				ps, next, err := s.ProjectsPage(ctx, ProjectFilter{IncludeRetired: true}, pg)
				var keys []string
				for _, p := range ps {
					keys = append(keys, p.ID)
				}
				return keys, next, err
			})
			walk(t, "users", limit, func(pg Page) ([]string, string, error) {
				us, next, err := s.UsersPage(ctx, pg)
				var keys []string
				for _, u := range us {
					keys = append(keys, u.Username)
				}
				return keys, next, err
			})
			walk(t, "plans", limit, func(pg Page) ([]string, string, error) {
				ps, next, err := s.PlanSummaries(ctx, f.sup, PlanFilter{}, pg)
				var keys []string
				for _, p := range ps {
					if p.Projects != 3 || p.Jurisdiction.Name == "" {
						t.Errorf("plan summary %+v", p)
					}
					keys = append(keys, p.ID)
				}
				return keys, next, err
			})
		}
		// The other jurisdiction's supervisor does not see the draft.
		if ps, _, err := s.PlanSummaries(ctx, f.otherSup, PlanFilter{}, Page{Limit: 10}); err != nil || len(ps) != 1 {
			t.Errorf("plans seen by another jurisdiction: %d, %v", len(ps), err)
		}

		// A row added after the first page appears once, in its place.
		first, next, err := s.ReportsPage(ctx, plan.SystemUser, ReportFilter{}, Page{Limit: 3})
		if err != nil || len(first) != 3 || next == "" {
			t.Fatalf("first page: %d, %q, %v", len(first), next, err)
		}
		saved(s.SaveReport(ctx, f.repA, f.p1.ID, period("2024-05"), f.fullReport(0, "0.1", "96", "10")))(t)
		rest, next2, err := s.ReportsPage(ctx, plan.SystemUser, ReportFilter{}, Page{Limit: 100, After: next})
		if err != nil || len(rest) != 4 || next2 != "" {
			t.Fatalf("rest: %d, %q, %v", len(rest), next2, err)
		}

		for _, bad := range []string{"x", "bm90IGpzb24", encodeCursor([]any{"a"}), encodeCursor([]any{"a", "b", 1.5, "c"})} {
			_, _, err := s.ReportsPage(ctx, plan.SystemUser, ReportFilter{}, Page{Limit: 2, After: bad})
			if pe, ok := err.(*plan.Error); !ok || pe.Code != plan.EInvalid || pe.Field != "cursor" {
				t.Errorf("cursor %q: %v", bad, err)
			}
		}
	})
}

// walk pages through a list with limit and compares the pages, joined,
// with the whole list.
func walk(t *testing.T, name string, limit int, page func(Page) ([]string, string, error)) {
	t.Helper()
	all, next, err := page(Page{})
	if err != nil || next != "" || len(all) == 0 {
		t.Fatalf("%s: all: %d, %q, %v", name, len(all), next, err)
	}
	var got []string
	pg := Page{Limit: limit}
	for n := 0; ; n++ {
		keys, next, err := page(pg)
		if err != nil {
			t.Fatalf("%s: page %d: %v", name, n, err)
		}
		if len(keys) > limit || n > len(all) {
			t.Fatalf("%s: page %d of %d rows (limit %d)", name, n, len(keys), limit)
		}
		got = append(got, keys...)
		if next == "" {
			break
		}
		pg.After = next
	}
	if len(got) != len(all) {
		t.Fatalf("%s by %d: %v, want %v", name, limit, got, all)
	}
	for i := range got {
		if got[i] != all[i] {
			t.Fatalf("%s by %d: %v, want %v", name, limit, got, all)
		}
	}
}
