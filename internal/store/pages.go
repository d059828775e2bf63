package store

import (
	"context"
	"database/sql"
	"time"

	"minsheng/internal/plan"
)

// Queries the web pages need beyond the API's: lists for selectors, the
// month-by-month money series of the dashboard, the queue of monthly plans
// awaiting approval.

// ListJurisdictions returns every stored jurisdiction by code.
func (s *Store) ListJurisdictions(ctx context.Context) ([]plan.JurisdictionRecord, error) {
	var out []plan.JurisdictionRecord
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query("SELECT code, name, level, parent_code, created_at FROM jurisdictions ORDER BY code")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var j plan.JurisdictionRecord
			var created string
			if err := rows.Scan(&j.Code, &j.Name, &j.Level, &j.ParentCode, &created); err != nil {
				return err
			}
			j.CreatedAt = parseTS(created)
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, err
}

// SeriesMonth is one month of a jurisdiction's money: planned investment
// through the month against the investment completed and the funds
// disbursed that the reports state (year-to-date totals, all in 万元).
type SeriesMonth struct {
	Month     time.Month   `json:"month"`
	Planned   plan.Decimal `json:"planned_wan"`
	Actual    plan.Decimal `json:"actual_wan"`
	Disbursed plan.Decimal `json:"disbursed_wan"`
	// Reported counts projects with a submitted or accepted report for the
	// month.
	Reported int `json:"reported"`
}

// DashboardSeries returns, for January through period's month, what
// Dashboard returns as PlannedInvestment, ActualInvestment and Disbursed
// for each month — by the same rules (an approved monthly plan's
// investment, else month/12 of the annual investment; a project's latest
// submitted or accepted report through the month) — in three queries.
func (s *Store) DashboardSeries(ctx context.Context, jurisdictionCode string, period plan.Period) ([]SeriesMonth, error) {
	type proj struct {
		annual  *plan.Decimal
		monthly *[12]*plan.Decimal // approved monthly plan's investment
		figures [13]*[2]*plan.Decimal
	}
	projects := map[string]*proj{}
	var order []string
	out := make([]SeriesMonth, period.Month)
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query("SELECT id, investment_wan FROM projects WHERE jurisdiction_code = ? AND year = ? AND retired_by = '' ORDER BY seq",
			jurisdictionCode, period.Year)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var inv sql.NullString
			if err := rows.Scan(&id, &inv); err != nil {
				rows.Close()
				return err
			}
			p := &proj{}
			if p.annual, err = scanDec(inv); err != nil {
				rows.Close()
				return err
			}
			projects[id] = p
			order = append(order, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = c.query(`SELECT i.project_id, i.month, i.value FROM monthly_plan_investment i
			JOIN monthly_plans m ON m.project_id = i.project_id JOIN projects p ON p.id = i.project_id
			WHERE p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = '' AND m.state = 'approved'`, jurisdictionCode, period.Year)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, v string
			var month int
			if err := rows.Scan(&id, &month, &v); err != nil {
				rows.Close()
				return err
			}
			d, err := plan.ParseDecimal(v)
			if err != nil {
				rows.Close()
				return err
			}
			if p := projects[id]; p != nil && month >= 1 && month <= 12 {
				if p.monthly == nil {
					p.monthly = &[12]*plan.Decimal{}
				}
				p.monthly[month-1] = &d
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = c.query(`SELECT r.project_id, r.period, r.investment_wan, r.disbursed_wan FROM reports r JOIN projects p ON p.id = r.project_id
			WHERE p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = '' AND r.period >= ? AND r.period <= ?
			AND r.state IN ('submitted', 'accepted')`,
			jurisdictionCode, period.Year, plan.Period{Year: period.Year, Month: 1}.String(), period.String())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var per plan.Period
			var inv, disb sql.NullString
			if err := rows.Scan(&id, &per, &inv, &disb); err != nil {
				return err
			}
			var f [2]*plan.Decimal
			if f[0], err = scanDec(inv); err != nil {
				return err
			}
			if f[1], err = scanDec(disb); err != nil {
				return err
			}
			if p := projects[id]; p != nil {
				p.figures[per.Month] = &f
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	twelve := plan.DecimalFromInt(12).Decimal
	for i := range out {
		m := time.Month(i + 1)
		sm := &out[i]
		sm.Month = m
		for _, id := range order {
			p := projects[id]
			mp := plan.MonthlyPlan{}
			if p.monthly != nil {
				mp.Investment = *p.monthly
			}
			switch {
			case p.monthly != nil && mp.PlannedInvestmentThrough(12).IsPositive():
				sm.Planned = sm.Planned.Add(mp.PlannedInvestmentThrough(m))
			case p.annual != nil:
				sm.Planned = sm.Planned.Add(plan.Decimal{Decimal: p.annual.Mul(plan.DecimalFromInt(int64(m))).DivRound(twelve, 4)})
			}
			if p.figures[m] != nil {
				sm.Reported++
			}
			for month := m; month >= 1; month-- {
				if f := p.figures[month]; f != nil {
					if f[0] != nil {
						sm.Actual = sm.Actual.Add(*f[0])
					}
					if f[1] != nil {
						sm.Disbursed = sm.Disbursed.Add(*f[1])
					}
					break
				}
			}
		}
	}
	return out, nil
}

// LatestReportedPeriod returns the latest month of year for which any
// project of the jurisdiction, or of those it covers (a city's counties, a
// province's cities and counties), has a submitted or accepted report; ok
// is false when there is none.
func (s *Store) LatestReportedPeriod(ctx context.Context, jurisdictionCode string, year int) (p plan.Period, ok bool, err error) {
	lo, hi := codeRange(jurisdictionCode)
	err = s.read(ctx, func(c conn) error {
		var v sql.NullString
		if err := c.row(`SELECT MAX(r.period) FROM reports r JOIN projects p ON p.id = r.project_id
			WHERE p.jurisdiction_code >= ? AND p.jurisdiction_code <= ? AND p.year = ? AND r.state IN ('submitted', 'accepted')`,
			lo, hi, year).Scan(&v); err != nil {
			return err
		}
		if !v.Valid || v.String == "" {
			return nil
		}
		ok = true
		return p.Scan(v.String)
	})
	return p, ok, err
}

// PendingMonthlyPlan is a monthly plan submitted for approval.
type PendingMonthlyPlan struct {
	ProjectID   string     `json:"project_id"`
	Seq         int        `json:"seq"`
	Title       string     `json:"title"`
	Version     int        `json:"version"`
	SubmittedAt *time.Time `json:"submitted_at"`
}

// SubmittedMonthlyPlans lists the monthly plans of a jurisdiction's
// projects in force that wait for the supervisor's approval, by project.
func (s *Store) SubmittedMonthlyPlans(ctx context.Context, jurisdictionCode string) ([]PendingMonthlyPlan, error) {
	var out []PendingMonthlyPlan
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query(`SELECT p.id, p.seq, p.title, m.version, m.submitted_at FROM monthly_plans m JOIN projects p ON p.id = m.project_id
			WHERE p.jurisdiction_code = ? AND p.retired_by = '' AND m.state = 'submitted' ORDER BY p.year, p.seq`, jurisdictionCode)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var pm PendingMonthlyPlan
			var submitted sql.NullString
			if err := rows.Scan(&pm.ProjectID, &pm.Seq, &pm.Title, &pm.Version, &submitted); err != nil {
				return err
			}
			pm.SubmittedAt = parseTSPtr(submitted)
			out = append(out, pm)
		}
		return rows.Err()
	})
	return out, err
}
