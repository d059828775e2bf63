package store

import (
	"encoding/json"
	"fmt"
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
		if err := s.ensureFacts(ctx); err != nil {
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
		go func() { // rebuilds, one at a time as ensureFacts runs them
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
