package store

import (
	"context"
	"runtime"
	"sync"
	"time"

	"minsheng/internal/plan"
)

// rollupReference is Rollup computed from the reports and monthly plans
// themselves, as Rollup did before the roll-up facts: every project's
// dashboard line for the month, a hundred jurisdictions per snapshot.
func (s *Store) rollupReference(ctx context.Context, code string, period plan.Period) (*Rollup, error) {
	lo, hi := codeRange(code)
	var codes []string
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query(`SELECT DISTINCT jurisdiction_code FROM plans WHERE state = 'published' AND year = ?
			AND jurisdiction_code >= ? AND jurisdiction_code <= ? ORDER BY jurisdiction_code`, period.Year, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var jc string
			if err := rows.Scan(&jc); err != nil {
				return err
			}
			codes = append(codes, jc)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	dups, err := s.linkedDuplicates(ctx, code, period.Year)
	if err != nil {
		return nil, err
	}
	const chunk = 100
	n := (len(codes) + chunk - 1) / chunk
	found := make([]map[string]*Dashboard, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.NumCPU(), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				part := codes[i*chunk : min(len(codes), (i+1)*chunk)]
				found[i], errs[i] = s.dashboardsIn(ctx, part[0], part[len(part)-1], period, dups)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := newRollup(code, period)
	for i, jc := range codes {
		if errs[i/chunk] != nil {
			return nil, errs[i/chunk]
		}
		d := found[i/chunk][jc]
		if d == nil {
			continue // a plan without projects in force
		}
		line := RollupLine{JurisdictionCode: jc, Projects: d.Projects, ByState: d.ByState, ByStatus: map[plan.Status]int{}, Late: d.Late,
			PlannedInvestment: d.PlannedInvestment, ActualInvestment: d.ActualInvestment, Disbursed: d.Disbursed}
		for k := range d.Items {
			line.ByStatus[d.Items[k].Status(period)]++
		}
		r.add(line)
	}
	return r, nil
}

// dashboardsIn is Dashboard for every jurisdiction with a code in [lo, hi],
// by code, from one snapshot, leaving out the projects in skip.
func (s *Store) dashboardsIn(ctx context.Context, lo, hi string, period plan.Period, skip map[string]bool) (map[string]*Dashboard, error) {
	out := map[string]*Dashboard{}
	now := s.now()
	err := s.read(ctx, func(c conn) error {
		scope := "p.jurisdiction_code >= ? AND p.jurisdiction_code <= ? AND p.year = ? AND p.retired_by = ''"
		args := []any{lo, hi, period.Year}
		projects, err := loadProjects(c, scope, args, false)
		if err != nil {
			return err
		}
		plans, err := approvedPlansIn(c, scope, args)
		if err != nil {
			return err
		}
		figures, err := loadFigures(c, scope, args, plan.Period{Year: period.Year, Month: time.January}, period)
		if err != nil {
			return err
		}
		for i := range projects {
			p := &projects[i]
			if skip[p.ID] {
				continue
			}
			d := out[p.JurisdictionCode]
			if d == nil {
				d = &Dashboard{JurisdictionCode: p.JurisdictionCode, Period: period, ByState: map[string]int{}, Items: []DashboardProject{}}
				out[p.JurisdictionCode] = d
			}
			d.Items = append(d.Items, s.dashboardProject(d, p, plans[p.ID], figures[p.ID], period, now))
		}
		return nil
	})
	return out, err
}
