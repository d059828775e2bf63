package store

import (
	"context"
	"database/sql"
	"time"

	"minsheng/internal/plan"
)

// The funds of reports live in report_funds (migration 00005): the
// project's allocation in the row with subproject_id '', the sub-projects'
// allocated, disbursed and spent money in one row each. reports.go calls
// loadReportFunds and insertReportFunds; everything else about funds is here.

// loadReportFunds adds the funds rows to reports loaded by
// loadReportParts; ids is the condition on their IDs ("= ?", "IN (…)")
// with args.
func loadReportFunds(c conn, ids string, args []any, out []storedReport, index map[string]int) error {
	rows, err := c.query(`SELECT f.report_id, f.subproject_id, f.allocated_wan, f.disbursed_wan, f.spent_wan
		FROM report_funds f LEFT JOIN subprojects s ON s.id = f.subproject_id
		WHERE f.report_id `+ids+` ORDER BY f.report_id, COALESCE(s.seq, 0)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rid string
		var f plan.SubprojectFunds
		var a, d, sp sql.NullString
		if err := rows.Scan(&rid, &f.SubprojectID, &a, &d, &sp); err != nil {
			return err
		}
		if err := scanFunds(&f, a, d, sp); err != nil {
			return err
		}
		rp := &out[index[rid]].Report
		if f.SubprojectID == "" {
			rp.Allocated = f.Allocated
			continue
		}
		rp.Funds = append(rp.Funds, f)
	}
	return rows.Err()
}

func scanFunds(f *plan.SubprojectFunds, a, d, sp sql.NullString) error {
	var err error
	if f.Allocated, err = scanDec(a); err != nil {
		return err
	}
	if f.Disbursed, err = scanDec(d); err != nil {
		return err
	}
	f.Spent, err = scanDec(sp)
	return err
}

// insertReportFunds writes a report's allocation and sub-projects' funds
// (writeContent has deleted the old ones).
func insertReportFunds(t *tx, reportID string, allocated *plan.Decimal, funds []plan.SubprojectFunds) error {
	if allocated != nil {
		if _, err := t.exec("INSERT INTO report_funds (report_id, subproject_id, allocated_wan) VALUES (?, '', ?)",
			reportID, decPtr(allocated)); err != nil {
			return err
		}
	}
	for _, f := range funds {
		if f.Empty() {
			continue
		}
		if _, err := t.exec(`INSERT INTO report_funds (report_id, subproject_id, allocated_wan, disbursed_wan, spent_wan)
			VALUES (?, ?, ?, ?, ?)`, reportID, f.SubprojectID, decPtr(f.Allocated), decPtr(f.Disbursed), decPtr(f.Spent)); err != nil {
			return err
		}
	}
	return nil
}

// FundsFigures are one line of money through a month, in 万元: planned
// (the plan's investment spread over the months, see ProjectFunds),
// allocated, disbursed and spent (year-to-date, from reports). Nil: not
// known.
type FundsFigures struct {
	Planned   *plan.Decimal `json:"planned_wan"`
	Allocated *plan.Decimal `json:"allocated_wan"`
	Disbursed *plan.Decimal `json:"disbursed_wan"`
	Spent     *plan.Decimal `json:"spent_wan"`
}

// Rate is the 资金拨付率 of the figures and its base (plan.DisbursementRate).
func (f FundsFigures) Rate() (float64, string, bool) {
	return plan.DisbursementRate(f.Disbursed, f.Allocated, f.Planned)
}

func (f *FundsFigures) add(g FundsFigures) {
	sum := func(a **plan.Decimal, b *plan.Decimal) {
		if b == nil {
			return
		}
		if *a == nil {
			*a = &plan.Decimal{}
		}
		v := (*a).Add(*b)
		*a = &v
	}
	sum(&f.Planned, g.Planned)
	sum(&f.Allocated, g.Allocated)
	sum(&f.Disbursed, g.Disbursed)
	sum(&f.Spent, g.Spent)
}

// FundsMonth is a project's money at the end of one month: the project's
// line and each sub-project's, and the state of the report the reported
// figures come from ("" when the month has no counted report and the
// figures were carried from an earlier one, or there is none).
type FundsMonth struct {
	Month       time.Month       `json:"month"`
	ReportState plan.ReportState `json:"report_state"`
	Project     FundsFigures     `json:"project"`
	Subprojects []FundsFigures   `json:"subprojects"` // in the order of ProjectFunds.Subprojects
}

// ProjectFunds is the money of a project month by month through a period.
type ProjectFunds struct {
	ProjectID   string                  `json:"project_id"`
	Period      plan.Period             `json:"period"`
	Subprojects []plan.SubprojectRecord `json:"subprojects"`
	Months      []FundsMonth            `json:"months"`
}

// Latest is the last month's line, or nil.
func (f *ProjectFunds) Latest() *FundsMonth {
	if len(f.Months) == 0 {
		return nil
	}
	return &f.Months[len(f.Months)-1]
}

// FundsOf computes the funds of the given projects of one jurisdiction and
// year from January through the period, in two queries. Reported figures
// come from submitted or accepted reports (as on the dashboard); a month
// without one carries the latest earlier figures, which are year-to-date.
// Planned: the project's approved monthly plan's investment through the
// month, else month/12 of its annual investment; a sub-project's planned
// figure is its share (plan.SubprojectPlannedThrough).
func (s *Store) FundsOf(ctx context.Context, projects []plan.ProjectRecord, plans map[string]*plan.MonthlyPlan, period plan.Period) (map[string]*ProjectFunds, error) {
	out := map[string]*ProjectFunds{}
	if len(projects) == 0 {
		return out, nil
	}
	type reported struct {
		state                       plan.ReportState
		allocated, disbursed, spent *plan.Decimal
		subs                        map[string]plan.SubprojectFunds
	}
	figs := map[string]map[time.Month]*reported{}
	code, year := projects[0].JurisdictionCode, projects[0].Year
	from, to := plan.Period{Year: period.Year, Month: 1}.String(), period.String()
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query(`SELECT r.id, r.project_id, r.period, r.state, r.investment_wan, r.disbursed_wan
			FROM reports r JOIN projects p ON p.id = r.project_id
			WHERE p.jurisdiction_code = ? AND p.year = ? AND r.period >= ? AND r.period <= ? AND r.state IN ('submitted', 'accepted')`,
			code, year, from, to)
		if err != nil {
			return err
		}
		byReport := map[string]*reported{}
		for rows.Next() {
			var id, pid string
			var per plan.Period
			var f reported
			var inv, disb sql.NullString
			if err := rows.Scan(&id, &pid, &per, &f.state, &inv, &disb); err != nil {
				rows.Close()
				return err
			}
			if f.spent, err = scanDec(inv); err == nil {
				f.disbursed, err = scanDec(disb)
			}
			if err != nil {
				rows.Close()
				return err
			}
			f.subs = map[string]plan.SubprojectFunds{}
			if figs[pid] == nil {
				figs[pid] = map[time.Month]*reported{}
			}
			figs[pid][per.Month], byReport[id] = &f, &f
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = c.query(`SELECT f.report_id, f.subproject_id, f.allocated_wan, f.disbursed_wan, f.spent_wan
			FROM report_funds f JOIN reports r ON r.id = f.report_id JOIN projects p ON p.id = r.project_id
			WHERE p.jurisdiction_code = ? AND p.year = ? AND r.period >= ? AND r.period <= ? AND r.state IN ('submitted', 'accepted')`,
			code, year, from, to)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var rid string
			var f plan.SubprojectFunds
			var a, d, sp sql.NullString
			if err := rows.Scan(&rid, &f.SubprojectID, &a, &d, &sp); err != nil {
				return err
			}
			if err := scanFunds(&f, a, d, sp); err != nil {
				return err
			}
			r := byReport[rid]
			if r == nil {
				continue
			}
			if f.SubprojectID == "" {
				r.allocated = f.Allocated
			} else {
				r.subs[f.SubprojectID] = f
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for i := range projects {
		p := &projects[i]
		pf := &ProjectFunds{ProjectID: p.ID, Period: period, Subprojects: []plan.SubprojectRecord{}}
		for _, sp := range p.Subprojects {
			if sp.RetiredBy == "" {
				pf.Subprojects = append(pf.Subprojects, sp)
			}
		}
		mp := plans[p.ID]
		var last *reported
		for m := time.January; m <= period.Month; m++ {
			fm := FundsMonth{Month: m, Project: FundsFigures{Planned: plannedThrough(p, mp, m)}}
			if r := figs[p.ID][m]; r != nil {
				last, fm.ReportState = r, r.state
			}
			if last != nil {
				fm.Project.Allocated, fm.Project.Disbursed, fm.Project.Spent = last.allocated, last.disbursed, last.spent
			}
			for j := range pf.Subprojects {
				sp := &pf.Subprojects[j]
				ff := FundsFigures{Planned: plan.SubprojectPlannedThrough(sp, mp, m)}
				if last != nil {
					if f, ok := last.subs[sp.ID]; ok {
						ff.Allocated, ff.Disbursed, ff.Spent = f.Allocated, f.Disbursed, f.Spent
					}
				}
				fm.Subprojects = append(fm.Subprojects, ff)
			}
			pf.Months = append(pf.Months, fm)
		}
		out[p.ID] = pf
	}
	return out, nil
}

// plannedThrough is a project's planned investment through a month, as the
// dashboard counts it.
func plannedThrough(p *plan.ProjectRecord, mp *plan.MonthlyPlan, m time.Month) *plan.Decimal {
	if mp != nil && mp.PlannedInvestmentThrough(12).IsPositive() {
		v := mp.PlannedInvestmentThrough(m)
		return &v
	}
	if p.Investment != nil {
		return &plan.Decimal{Decimal: p.Investment.Mul(plan.DecimalFromInt(int64(m))).DivRound(plan.DecimalFromInt(12).Decimal, 4)}
	}
	return nil
}

// FundsSummary is the money of many projects through a month.
type FundsSummary struct {
	FundsFigures
	// Rate is the 资金拨付率 of the whole: the disbursed money over the
	// sum of each project's base — its allocation where reported, else its
	// planned investment through the month (plan.DisbursementRate) — over
	// the projects that have a base, so that a project that reports no
	// allocation neither inflates nor dilutes the rate.
	Rate    float64 `json:"disbursement_rate"`
	HasRate bool    `json:"-"`
	// Projects counts the projects, WithAllocation those that reported
	// their allocation.
	Projects       int `json:"projects"`
	WithAllocation int `json:"with_allocation"`
}

// SummarizeFunds sums the latest month of every project's funds.
func SummarizeFunds(funds map[string]*ProjectFunds) FundsSummary {
	var s FundsSummary
	var disb, base plan.Decimal
	for _, pf := range funds {
		l := pf.Latest()
		if l == nil {
			continue
		}
		f := l.Project
		s.Projects++
		s.add(f)
		b := f.Planned
		if f.Allocated != nil && f.Allocated.IsPositive() {
			b = f.Allocated
			s.WithAllocation++
		}
		if b != nil && b.IsPositive() && f.Disbursed != nil {
			disb, base = disb.Add(*f.Disbursed), base.Add(*b)
		}
	}
	if base.IsPositive() {
		d, _ := disb.Float64()
		b, _ := base.Float64()
		s.Rate, s.HasRate = d/b, true
	}
	return s
}
