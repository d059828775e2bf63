package store

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"minsheng/internal/plan"
)

// On SQLite the writes of a batch leave their changes to the roll-up
// totals to the batch (deferredTotals). Many writes at once — reports
// submitted, refused ones among them, and rebuilds of the facts that sum
// the totals anew — must leave the totals equal to the computation from
// the reports themselves, month by month.
func TestTotalsOfConcurrentWrites(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx, sys := f.ctx, plan.SystemUser
		s.Now = func() time.Time { return time.Date(2025, 1, 20, 10, 0, 0, 0, plan.Shanghai) }
		if err := s.EnsureRollupFacts(ctx); err != nil {
			t.Fatal(err)
		}
		content := func(p *plan.ProjectRecord, m int, inv string) ReportInput {
			in := ReportInput{Investment: dec(inv), Progress: fmt.Sprintf("%d月进展", m)}
			for _, tg := range p.Targets {
				in.Targets = append(in.Targets, plan.ReportTarget{TargetID: tg.ID, Actual: dec(fmt.Sprint(m))})
			}
			return in
		}
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for _, p := range []*plan.ProjectRecord{f.p1, f.p2, f.p3} {
			for m := 1; m <= 12; m++ {
				per := plan.Period{Year: 2024, Month: time.Month(m)}
				wg.Add(2)
				go func() {
					defer wg.Done()
					if _, _, err := s.SaveAndSubmitReport(ctx, sys, p.ID, per, content(p, m, fmt.Sprint(10*m))); err != nil {
						errs <- err
						return
					}
					if m%3 == 0 {
						if _, err := s.AcceptReport(ctx, sys, p.ID, per); err != nil {
							errs <- err
						}
					}
				}()
				go func() { // refused: a negative amount (or already submitted)
					defer wg.Done()
					_, _, err := s.SaveAndSubmitReport(ctx, sys, p.ID, per, content(p, m, "-1"))
					if code := plan.ErrorCode(err); code != plan.EInvalid && code != plan.EConflict {
						errs <- fmt.Errorf("negative investment: %v", err)
					}
				}()
			}
		}
		wg.Add(1)
		go func() { // rebuilds, one at a time as EnsureRollupFacts runs them
			defer wg.Done()
			for range 3 {
				if err := s.rebuildFacts(ctx, s.rollupBasis()); err != nil {
					errs <- fmt.Errorf("rebuild: %w", err)
				}
			}
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for m := time.January; m <= time.December; m++ {
			per := plan.Period{Year: 2024, Month: m}
			for _, code := range []string{"360112", ""} {
				got := must(s.Rollup(ctx, code, per))(t)
				want := must(s.RollupReference(ctx, code, per))(t)
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				if string(g) != string(w) {
					t.Errorf("Rollup(%q, %s) differs from the computation:\n got %s\nwant %s", code, per, g, w)
				}
			}
		}
	})
}

// TestFactsOfOneBatch: on SQLite the writes of a batch leave their
// projects' facts to the batch (deferredFacts), which recomputes them once
// before it commits. In one batch: a report submitted and then accepted
// (the acceptance, which by itself would only move the month's state,
// finds the project left to the batch), another project's report
// submitted twice over, and a write that notes a project and then fails.
// The facts stored must be those the reports give — recomputing them all
// changes no row — and the roll-up that of the reports.
func TestFactsOfOneBatch(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "batch.db"))
	f := newFixture(t, s)
	ctx, sys := f.ctx, plan.SystemUser
	s.Now = func() time.Time { return time.Date(2025, 1, 20, 10, 0, 0, 0, plan.Shanghai) }
	if err := s.EnsureRollupFacts(ctx); err != nil {
		t.Fatal(err)
	}
	content := func(p *plan.ProjectRecord, m int) ReportInput {
		in := ReportInput{Investment: dec(fmt.Sprint(10 * m)), Progress: fmt.Sprintf("%d月进展", m)}
		for _, tg := range p.Targets {
			in.Targets = append(in.Targets, plan.ReportTarget{TargetID: tg.ID, Actual: dec(fmt.Sprint(m))})
		}
		return in
	}
	may5, jun := plan.Period{Year: 2024, Month: time.May}, plan.Period{Year: 2024, Month: time.June}
	writes := []func() error{
		func() error {
			_, _, err := s.SaveAndSubmitReport(ctx, sys, f.p1.ID, may5, content(f.p1, 5))
			return err
		},
		func() error { _, err := s.AcceptReport(ctx, sys, f.p1.ID, may5); return err },
		func() error { _, _, err := s.SaveAndSubmitReport(ctx, sys, f.p2.ID, jun, content(f.p2, 6)); return err },
		func() error {
			_, _, err := s.SaveAndSubmitReport(ctx, sys, f.p2.ID, may5, content(f.p2, 5))
			return err
		},
		func() error {
			return s.write(ctx, sys, func(t *tx) error {
				t.facts.add(f.p3.ID, time.March)
				return plan.Errorf(plan.EConflict, "写入失败")
			})
		},
	}
	release, held := holdWriter(t, s)
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = w() }()
		queued(t, s, i+1) // in this order
	}
	release()
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for i, err := range errs[:len(errs)-1] {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	wantCode(t, errs[len(errs)-1], plan.EConflict)
	if r := must(s.GetReport(ctx, sys, f.p1.ID, may5))(t); r.State != plan.ReportAccepted {
		t.Fatalf("p1 May: %s, want accepted", r.State)
	}
	err := s.write(ctx, sys, func(t *tx) error {
		n, err := t.refreshFacts(nil, "p.jurisdiction_code = ?", []any{"360112"}, nil)
		if err == nil && n != 0 {
			err = fmt.Errorf("recomputing the facts rewrote %d rows: the batch left them stale", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for m := time.January; m <= time.December; m++ {
		per := plan.Period{Year: 2024, Month: m}
		got, _ := json.Marshal(must(s.Rollup(ctx, "360112", per))(t))
		want, _ := json.Marshal(must(s.RollupReference(ctx, "360112", per))(t))
		if string(got) != string(want) {
			t.Errorf("Rollup(%s) differs from the computation:\n got %s\nwant %s", per, got, want)
		}
	}
}
