package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"minsheng/internal/plan"
)

// Rollup is the dashboards of every jurisdiction under a city or a
// province (or the whole installation) for one month, summed: how many
// projects stand where, their statuses, money planned against reported,
// and one line per jurisdiction.
type Rollup struct {
	JurisdictionCode string      `json:"jurisdiction_code"` // "" for all
	Period           plan.Period `json:"period"`
	Plans            int         `json:"plans"` // jurisdictions with a published plan for the year
	Projects         int         `json:"projects"`
	// ByState counts projects by the state of their report for the month
	// ("none": no report), ByStatus by plan.Status (Dashboard's rule).
	ByState           map[string]int      `json:"by_state"`
	ByStatus          map[plan.Status]int `json:"by_status"`
	Late              int                 `json:"late"`
	PlannedInvestment plan.Decimal        `json:"planned_investment_wan"`
	ActualInvestment  plan.Decimal        `json:"actual_investment_wan"`
	Disbursed         plan.Decimal        `json:"disbursed_wan"`
	Items             []RollupLine        `json:"items"`
}

// RollupLine is one jurisdiction's totals.
type RollupLine struct {
	JurisdictionCode  string              `json:"jurisdiction_code"`
	Projects          int                 `json:"projects"`
	ByState           map[string]int      `json:"by_state"`
	ByStatus          map[plan.Status]int `json:"by_status"`
	Late              int                 `json:"late"`
	PlannedInvestment plan.Decimal        `json:"planned_investment_wan"`
	ActualInvestment  plan.Decimal        `json:"actual_investment_wan"`
	Disbursed         plan.Decimal        `json:"disbursed_wan"`
}

// codeRange is the range of GB/T 2260 codes a jurisdiction covers (see
// plan.JurisdictionCovers), both ends included. The ends are six digits
// like the codes, so that text order is the same in every collation.
func codeRange(code string) (lo, hi string) {
	switch {
	case code == "":
		return "000000", "999999"
	case len(code) == 6 && code[2:] == "0000":
		return code[:2] + "0000", code[:2] + "9999"
	case len(code) == 6 && code[4:] == "00":
		return code[:4] + "00", code[:4] + "99"
	}
	return code, code
}

// Rollup sums, for a period, the dashboards of the jurisdictions code
// covers that have a published plan for the period's year ("" covers
// all): the same figures and rules as Dashboard, read from the roll-up
// totals (rolluptotals.go), one row per jurisdiction, rather than
// recomputed from every project.
// A project linked as the repeat of a higher one in the range is left
// out (linkedDuplicates).
// When the due day or the thresholds in force changed since the facts
// were computed, it rebuilds them first (seconds at national scale).
func (s *Store) Rollup(ctx context.Context, code string, period plan.Period) (*Rollup, error) {
	if err := s.EnsureRollupFacts(ctx); err != nil {
		return nil, err
	}
	lo, hi := codeRange(code)
	late, inGrace := plan.ReportTiming(period, nil, s.now(), s.DueDay, plan.DefaultThresholds())
	dups, err := s.linkedDuplicates(ctx, code, period.Year) // links.go
	if err != nil {
		return nil, err
	}
	var codes []string
	lines := map[string]*total{}
	err = s.read(ctx, func(c conn) error {
		var err error
		if codes, err = publishedCodes(c, period.Year, lo, hi); err != nil {
			return err
		}
		rows, err := c.query("SELECT "+totalColumns+" FROM rollup_totals WHERE period = ? AND jurisdiction_code >= ? AND jurisdiction_code <= ?",
			period.String(), lo, hi)
		if err != nil {
			return err
		}
		for rows.Next() {
			t, err := scanTotal(rows)
			if err != nil {
				rows.Close()
				return err
			}
			lines[t.JurisdictionCode] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(dups) == 0 {
			return err
		}
		// Repeats of a higher project in the range are counted out.
		ids := make([]any, 0, len(dups)+1)
		ids = append(ids, period.String())
		for id := range dups {
			ids = append(ids, id)
		}
		rows, err = c.query("SELECT "+factColumns+" FROM rollup_facts WHERE period = ? AND project_id IN ("+
			strings.TrimSuffix(strings.Repeat("?, ", len(dups)), ", ")+")", ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			f, err := scanFact(rows)
			if err != nil {
				return err
			}
			if t := lines[f.jurisdiction]; t != nil {
				t.add(&f, -1)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	r := newRollup(code, period)
	for _, jc := range codes {
		if t := lines[jc]; t != nil && t.Projects > 0 {
			r.add(t.line(late, inGrace))
		}
	}
	return r, nil
}

func newRollup(code string, period plan.Period) *Rollup {
	return &Rollup{JurisdictionCode: code, Period: period, ByState: map[string]int{}, ByStatus: map[plan.Status]int{}, Items: []RollupLine{}}
}

// add counts a jurisdiction's line into the totals.
func (r *Rollup) add(line RollupLine) {
	r.Plans++
	r.Projects += line.Projects
	r.Late += line.Late
	for k, v := range line.ByState {
		r.ByState[k] += v
	}
	for k, v := range line.ByStatus {
		r.ByStatus[k] += v
	}
	r.PlannedInvestment = r.PlannedInvestment.Add(line.PlannedInvestment)
	r.ActualInvestment = r.ActualInvestment.Add(line.ActualInvestment)
	r.Disbursed = r.Disbursed.Add(line.Disbursed)
	r.Items = append(r.Items, line)
}

// Group sums the lines by the place areaOf puts each jurisdiction in (a
// province's lines by city, say): a Rollup per place, with the lines of
// its jurisdictions, in code order.
func (r *Rollup) Group(areaOf func(code string) string) []*Rollup {
	byCode := map[string]*Rollup{}
	var out []*Rollup
	for _, line := range r.Items {
		code := areaOf(line.JurisdictionCode)
		g := byCode[code]
		if g == nil {
			g = newRollup(code, r.Period)
			byCode[code] = g
			out = append(out, g)
		}
		g.add(line)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].JurisdictionCode < out[j].JurisdictionCode })
	return out
}

// publishedCodes lists, in order, the jurisdictions in [lo, hi] with a
// published plan for year.
func publishedCodes(c conn, year int, lo, hi string) ([]string, error) {
	rows, err := c.query(`SELECT DISTINCT jurisdiction_code FROM plans WHERE state = 'published' AND year = ?
		AND jurisdiction_code >= ? AND jurisdiction_code <= ? ORDER BY jurisdiction_code`, year, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var codes []string
	for rows.Next() {
		var jc string
		if err := rows.Scan(&jc); err != nil {
			return nil, err
		}
		codes = append(codes, jc)
	}
	return codes, rows.Err()
}

// loadFigures reads the reports from one month through another of the
// projects scope selects (alias p) with their targets' actual values, by
// project and month.
func loadFigures(c conn, scope string, args []any, from, through plan.Period) (map[string]map[time.Month]*monthFigures, error) {
	figures := map[string]map[time.Month]*monthFigures{}
	args = append(args[:len(args):len(args)], from.String(), through.String())
	rows, err := c.query(`SELECT r.project_id, r.period, r.state, r.submitted_at, r.investment_wan, r.disbursed_wan
		FROM reports r JOIN projects p ON p.id = r.project_id WHERE `+scope+` AND r.period >= ? AND r.period <= ?`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var pid, per string
		var f monthFigures
		var submitted, inv, disb sql.NullString
		if err := rows.Scan(&pid, &per, &f.state, &submitted, &inv, &disb); err != nil {
			rows.Close()
			return nil, err
		}
		month, err := monthOf(per)
		if err != nil {
			rows.Close()
			return nil, err
		}
		f.submittedAt = parseTSPtr(submitted)
		if f.investment, err = scanDec(inv); err == nil {
			f.disbursed, err = scanDec(disb)
		}
		if err != nil {
			rows.Close()
			return nil, err
		}
		f.actual = map[string]*plan.Decimal{}
		if figures[pid] == nil {
			figures[pid] = map[time.Month]*monthFigures{}
		}
		figures[pid][month] = &f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = c.query(`SELECT r.project_id, r.period, rt.target_id, rt.actual FROM report_targets rt
		JOIN reports r ON r.id = rt.report_id JOIN projects p ON p.id = r.project_id
		WHERE `+scope+` AND r.period >= ? AND r.period <= ? AND rt.actual IS NOT NULL`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pid, per, tid string
		var actual sql.NullString
		if err := rows.Scan(&pid, &per, &tid, &actual); err != nil {
			return nil, err
		}
		month, err := monthOf(per)
		if err != nil {
			return nil, err
		}
		v, err := scanDec(actual)
		if err != nil {
			return nil, err
		}
		if f := figures[pid][month]; f != nil {
			f.actual[tid] = v
		}
	}
	return figures, rows.Err()
}

// approvedPlansIn loads the approved monthly plans of the projects scope
// selects (alias p), in three queries.
func approvedPlansIn(c conn, scope string, args []any) (map[string]*plan.MonthlyPlan, error) {
	return loadMonthlyPlans(c, scope+" AND mp.state = 'approved'", args)
}

// monthOf reads the month of a stored period ("2024-05") without fmt,
// which costs more than the rest of a row.
func monthOf(per string) (time.Month, error) {
	if len(per) != 7 || per[4] != '-' || per[5] < '0' || per[5] > '1' || per[6] < '0' || per[6] > '9' {
		return 0, fmt.Errorf("月份格式无效：%q", per)
	}
	m := time.Month((per[5]-'0')*10 + per[6] - '0')
	if m < 1 || m > 12 {
		return 0, fmt.Errorf("月份格式无效：%q", per)
	}
	return m, nil
}
