package store

import (
	"context"
	"time"

	"minsheng/internal/plan"
)

// Dashboard is the roll-up of a jurisdiction's plan for one month: how
// many projects stand where, money planned against money reported, and per
// target the expected and reported value of every month so far.
//
// Reported figures come from reports that were submitted or accepted
// (drafts and returned reports do not count). A project without such a
// report for the month carries its latest earlier one: its figures are
// year-to-date totals, so they still stand.
type Dashboard struct {
	JurisdictionCode string      `json:"jurisdiction_code"`
	Period           plan.Period `json:"period"`
	Projects         int         `json:"projects"`
	// ByState counts projects by the state of their report for the month;
	// the key "none" counts projects with no report at all.
	ByState map[string]int `json:"by_state"`
	Late    int            `json:"late"`
	// PlannedInvestment sums, through the month, the approved monthly plans'
	// investment, or month/12 of a project's annual investment without one.
	PlannedInvestment plan.Decimal       `json:"planned_investment_wan"`
	ActualInvestment  plan.Decimal       `json:"actual_investment_wan"`
	Disbursed         plan.Decimal       `json:"disbursed_wan"`
	Items             []DashboardProject `json:"items"`
}

// DashboardProject is one project's line of the dashboard.
type DashboardProject struct {
	ProjectID         string            `json:"project_id"`
	Seq               int               `json:"seq"`
	Title             string            `json:"title"`
	ReportState       plan.ReportState  `json:"report_state"` // for the month; "" when none
	Late              bool              `json:"late"`
	PlannedInvestment *plan.Decimal     `json:"planned_investment_wan"`
	ActualInvestment  *plan.Decimal     `json:"actual_investment_wan"`
	Disbursed         *plan.Decimal     `json:"disbursed_wan"`
	Targets           []DashboardTarget `json:"targets"`
	// deadline is the project's completion deadline (plan.ProjectDeadline),
	// which Status judges the months of year against; zero when none.
	deadline time.Time
	year     int
	// reported has bit m set when month m has a submitted or accepted
	// report (the months through the line's).
	reported uint16
	// inGrace: the month's report is late but within the grace days.
	inGrace bool
}

// DashboardTarget is one target's months.
type DashboardTarget struct {
	TargetID string        `json:"target_id"`
	Metric   string        `json:"metric"`
	Unit     string        `json:"unit"`
	Kind     string        `json:"kind"`
	Value    plan.Decimal  `json:"value"` // the annual target
	Months   []TargetMonth `json:"months"`
	Latest   *plan.Decimal `json:"latest"` // the latest reported actual through the month
	Expected plan.Decimal  `json:"expected"`
	Source   string        `json:"source"` // of Expected: plan.Baseline…
	Lower    bool          `json:"lower_is_better,omitempty"`
	// comparator is the target's (plan.AtLeast…): whether reaching the
	// value meets it, as the status engine judges.
	comparator string
}

// TargetMonth is one month of a target: expected against reported.
type TargetMonth struct {
	Month    time.Month    `json:"month"`
	Expected plan.Decimal  `json:"expected"`
	Actual   *plan.Decimal `json:"actual"` // nil when not reported that month
}

type monthFigures struct {
	state                 plan.ReportState
	submittedAt           *time.Time
	investment, disbursed *plan.Decimal
	actual                map[string]*plan.Decimal
}

// Dashboard computes the roll-up of a jurisdiction for a period, from the
// projects in force of its plan for that year. Four queries, whatever the
// number of projects; sums are exact (plan.Decimal), done here rather than
// in SQL where TEXT decimals would turn into floating point.
func (s *Store) Dashboard(ctx context.Context, jurisdictionCode string, period plan.Period) (*Dashboard, error) {
	d, _, err := s.DashboardWith(ctx, jurisdictionCode, period)
	return d, err
}

// DashboardInputs is what a Dashboard is computed from: the projects in
// force (in ListProjects' order) and their approved monthly plans by
// project ID.
type DashboardInputs struct {
	Projects []plan.ProjectRecord
	Plans    map[string]*plan.MonthlyPlan
}

// DashboardWith is Dashboard with its inputs, read in the same snapshot:
// the status engine judges the same projects against the same plans, and
// need not read them again.
func (s *Store) DashboardWith(ctx context.Context, jurisdictionCode string, period plan.Period) (*Dashboard, *DashboardInputs, error) {
	d := &Dashboard{JurisdictionCode: jurisdictionCode, Period: period, ByState: map[string]int{}, Items: []DashboardProject{}}
	in := &DashboardInputs{}
	now := s.now()
	err := s.read(ctx, func(c conn) error {
		var err error
		in.Projects, err = loadProjects(c, "p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = ''", []any{jurisdictionCode, period.Year}, false)
		if err != nil {
			return err
		}
		in.Plans, err = loadMonthlyPlans(c, "p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = '' AND mp.state = 'approved'",
			[]any{jurisdictionCode, period.Year})
		if err != nil {
			return err
		}
		figures, err := loadFigures(c, "p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = ''", []any{jurisdictionCode, period.Year},
			plan.Period{Year: period.Year, Month: time.January}, period)
		if err != nil {
			return err
		}
		for i := range in.Projects {
			p := &in.Projects[i]
			d.Items = append(d.Items, s.dashboardProject(d, p, in.Plans[p.ID], figures[p.ID], period, now))
		}
		return nil
	})
	return d, in, err
}

func counted(f *monthFigures) bool {
	return f != nil && (f.state == plan.ReportSubmitted || f.state == plan.ReportAccepted)
}

func (s *Store) dashboardProject(d *Dashboard, p *plan.ProjectRecord, mp *plan.MonthlyPlan, figs map[time.Month]*monthFigures, period plan.Period, now time.Time) DashboardProject {
	m := period.Month
	item := s.projectMonth(p, mp, figs, period, now)
	item.deadline, item.year = plan.ProjectDeadline(p, mp), p.Year
	for month := time.January; month <= m; month++ {
		if counted(figs[month]) {
			item.reported |= 1 << month
		}
	}
	d.Projects++
	if item.ReportState == "" {
		d.ByState["none"]++
	} else {
		d.ByState[string(item.ReportState)]++
	}
	if item.Late {
		d.Late++
	}
	for _, x := range []struct{ sum, v *plan.Decimal }{{&d.PlannedInvestment, item.PlannedInvestment},
		{&d.ActualInvestment, item.ActualInvestment}, {&d.Disbursed, item.Disbursed}} {
		if x.v != nil {
			*x.sum = x.sum.Add(*x.v)
		}
	}
	for _, t := range p.ActiveTargets() {
		dt := DashboardTarget{TargetID: t.ID, Metric: t.Metric, Unit: t.Unit, Kind: t.Kind, Value: t.Value, comparator: t.Comparator}
		for month := time.January; month <= m; month++ {
			e := plan.Expected(&t, mp, month)
			tm := TargetMonth{Month: month, Expected: e.Value}
			if f := figs[month]; counted(f) {
				tm.Actual = f.actual[t.ID]
			}
			if tm.Actual != nil {
				dt.Latest = tm.Actual
			}
			dt.Months = append(dt.Months, tm)
			dt.Expected, dt.Source, dt.Lower = e.Value, e.Source, e.LowerIsBetter
		}
		item.Targets = append(item.Targets, dt)
	}
	return item
}

// projectMonth is a project's line for a month without its targets: the
// month's report state, whether it is late at now, and the money planned
// and reported through the month.
func (s *Store) projectMonth(p *plan.ProjectRecord, mp *plan.MonthlyPlan, figs map[time.Month]*monthFigures, period plan.Period, now time.Time) DashboardProject {
	m := period.Month
	item := DashboardProject{ProjectID: p.ID, Seq: p.Seq, Title: p.Title, Targets: []DashboardTarget{}}
	cur := figs[m]
	if cur != nil {
		item.ReportState = cur.state
	}
	switch {
	case counted(cur) && cur.submittedAt != nil:
		item.Late = period.IsLate(*cur.submittedAt, s.DueDay)
	case !counted(cur): // none, a draft, or returned and not resubmitted
		item.Late, item.inGrace = plan.ReportTiming(period, nil, now, s.DueDay, plan.DefaultThresholds())
	}
	item.PlannedInvestment = plannedThrough(p, mp, m)
	// The latest counted report through the month.
	for month := m; month >= 1; month-- {
		if f := figs[month]; counted(f) {
			item.ActualInvestment, item.Disbursed = f.investment, f.disbursed
			break
		}
	}
	return item
}
