package web

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

// scope is the jurisdiction and month a page shows, chosen by the query
// (?jurisdiction=360112&period=2024-10) or by default from the user and
// the clock.
type scope struct {
	Code   string
	Name   string
	Period plan.Period
	// Options are the jurisdictions with a published plan, for the selector.
	Options []scopeOption
	// Periods are the months of the year offered by the selector.
	Periods []plan.Period
	// HasPlan: the jurisdiction has a published plan for the period's year.
	HasPlan bool
	// Covered is how many jurisdictions under it (a city's counties, a
	// province's cities and counties) have a published plan for the
	// period's year: a jurisdiction without a plan of its own whose
	// pages sum theirs (the roll-up).
	Covered int
}

type scopeOption struct {
	Code, Name string
	Years      []int
}

// pageScope reads the scope of a request. A missing period defaults to the
// month whose report is due now (last month), clamped to the plan's year;
// for a past year, the latest month anybody reported.
func (s *Server) pageScope(r *http.Request) (*scope, error) {
	ctx, u, q := r.Context(), userOf(r), r.URL.Query()
	plans, err := s.Store.PublishedPlans(ctx)
	if err != nil {
		return nil, err
	}
	sc := &scope{}
	index := map[string]int{}
	for _, pp := range plans {
		i, ok := index[pp.JurisdictionCode]
		if !ok {
			i = len(sc.Options)
			index[pp.JurisdictionCode] = i
			sc.Options = append(sc.Options, scopeOption{Code: pp.JurisdictionCode, Name: pp.JurisdictionName})
		}
		sc.Options[i].Years = append(sc.Options[i].Years, pp.Year)
	}
	sort.Slice(sc.Options, func(i, j int) bool { return sc.Options[i].Code < sc.Options[j].Code })
	index = map[string]int{}
	for i, o := range sc.Options {
		index[o.Code] = i
	}

	sc.Code = q.Get("jurisdiction")
	if sc.Code == "" && u != nil {
		sc.Code = u.JurisdictionCode
	}
	if _, ok := index[sc.Code]; !ok && q.Get("jurisdiction") == "" && len(sc.Options) > 0 && (u == nil || u.JurisdictionCode == "") {
		sc.Code = sc.Options[0].Code
	}
	var years []int
	if i, ok := index[sc.Code]; ok {
		sc.Name, years = sc.Options[i].Name, sc.Options[i].Years
	} else {
		sc.Name, years = s.jurisdictionName(ctx, sc.Code), coveredYears(plans, sc.Code)
	}
	// The roll-ups of the page's place and of the user's own, when they
	// have no plan of their own, are offered first.
	var rollups []scopeOption
	for _, code := range []string{sc.Code, userCode(u)} {
		if _, own := index[code]; !own && code != "" && !slices.ContainsFunc(rollups, func(o scopeOption) bool { return o.Code == code }) {
			if ys := coveredYears(plans, code); len(ys) > 0 {
				name := sc.Name
				if code != sc.Code {
					name = s.jurisdictionName(ctx, code)
				}
				rollups = append(rollups, scopeOption{Code: code, Name: name + "（汇总）", Years: ys})
			}
		}
	}
	sort.Slice(rollups, func(i, j int) bool { return rollups[i].Code < rollups[j].Code })
	sc.Options = append(rollups, sc.Options...)
	if uc := userCode(u); plan.CoveredPrefix(uc) != uc {
		// A city's or a province's user: its own places, not the country's.
		sc.Options = slices.DeleteFunc(sc.Options, func(o scopeOption) bool {
			return o.Code != sc.Code && !plan.JurisdictionCovers(uc, o.Code)
		})
	}

	if v := q.Get("period"); v != "" {
		if sc.Period, err = plan.ParsePeriod(v); err != nil {
			return nil, badRequest("bad_period", "period", "月份格式应为 2024-05，而不是 %q", v)
		}
	} else {
		sc.Period, err = s.defaultPeriod(ctx, sc.Code, years)
		if err != nil {
			return nil, err
		}
	}
	if _, own := index[sc.Code]; own {
		sc.HasPlan = slices.Contains(years, sc.Period.Year)
	} else {
		for _, pp := range plans {
			if pp.Year == sc.Period.Year && plan.JurisdictionCovers(sc.Code, pp.JurisdictionCode) {
				sc.Covered++
			}
		}
	}
	last := time.December
	if now := plan.PeriodOf(s.Now()); now.Year == sc.Period.Year {
		last = now.Month
	}
	if last < sc.Period.Month {
		last = sc.Period.Month
	}
	for m := time.January; m <= last; m++ {
		sc.Periods = append(sc.Periods, plan.Period{Year: sc.Period.Year, Month: m})
	}
	return sc, nil
}

func userCode(u *plan.User) string {
	if u == nil {
		return ""
	}
	return u.JurisdictionCode
}

// jurisdictionName is the name of a jurisdiction, or its code when the
// store does not know it.
func (s *Server) jurisdictionName(ctx context.Context, code string) string {
	if j, err := s.Store.GetJurisdiction(ctx, code); err == nil {
		return j.Name
	}
	return code
}

// coveredYears are the years of the published plans of the jurisdictions
// code covers, ascending, each once.
func coveredYears(plans []store.PublishedPlan, code string) []int {
	var years []int
	for _, pp := range plans {
		if plan.JurisdictionCovers(code, pp.JurisdictionCode) && !slices.Contains(years, pp.Year) {
			years = append(years, pp.Year)
		}
	}
	slices.Sort(years)
	return years
}

// defaultPeriod: the month whose report is due now, in the latest plan
// year; a year already over shows its latest reported month.
func (s *Server) defaultPeriod(ctx context.Context, code string, years []int) (plan.Period, error) {
	now := plan.PeriodOf(s.Now())
	due := now.Prev()
	year := now.Year
	if len(years) > 0 { // ascending: the newest year begun, else the first to come
		year = years[0]
		for _, y := range years {
			if y <= now.Year {
				year = y
			}
		}
	}
	switch {
	case year < now.Year:
		p, ok, err := s.Store.LatestReportedPeriod(ctx, code, year)
		if err != nil {
			return plan.Period{}, err
		}
		if ok {
			return p, nil
		}
		return plan.Period{Year: year, Month: time.December}, nil
	case year > now.Year || due.Year < year:
		return plan.Period{Year: year, Month: time.January}, nil
	}
	return due, nil
}

// projectStatus is a project's status for the timeline's month and the
// phrase that explains it: the engine's own (the status, the bulletin and
// the letters give one reason), with the month named when what is missing
// is the report. item is the project's line for that month.
func projectStatus(tl *supervise.Timeline, item *store.DashboardProject, period plan.Period) (plan.Status, string) {
	r := tl.Status(item.ProjectID, period)
	if r == nil {
		return plan.StatusDue, period.Label() + "报告尚未报送"
	}
	switch r.Status {
	case plan.StatusNotReported:
		if item.ReportState == plan.ReportReturned {
			return r.Status, period.Label() + "报告被退回，逾期未重新报送"
		}
		return r.Status, period.Label() + "报告逾期未报送"
	case plan.StatusDue:
		return r.Status, period.Label() + "报告尚未报送"
	}
	return r.Status, r.Reason
}

// completion is how far a project is through its annual targets: the mean
// over its running-total targets (quantity, progress, milestone) of
// latest/annual, each capped at 1. ok is false when it has none.
func completion(item *store.DashboardProject) (float64, bool) {
	var sum float64
	n := 0
	for _, t := range item.Targets {
		if t.Kind == plan.KindRate || t.Kind == plan.KindStandard || t.Lower || !t.Value.IsPositive() {
			continue
		}
		r := 0.0
		if t.Latest != nil {
			r = ratio(t.Latest.Decimal, t.Value.Decimal)
		}
		if r > 1 {
			r = 1
		}
		sum += r
		n++
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// pace is how a project keeps to what was expected by the month: the mean
// over its targets of actual/expected, each capped at 1 (a target with
// nothing expected yet counts as 1). ok is false without targets.
func pace(item *store.DashboardProject) (float64, bool) {
	var sum float64
	for _, t := range item.Targets {
		r := 1.0
		var a float64
		if t.Latest != nil {
			a, _ = t.Latest.Float64()
		}
		e, _ := t.Expected.Float64()
		switch {
		case t.Lower:
			if a > e && a > 0 {
				r = e / a
			}
		case e > 0:
			r = a / e
		}
		if r > 1 {
			r = 1
		}
		sum += r
	}
	if len(item.Targets) == 0 {
		return 0, false
	}
	return sum / float64(len(item.Targets)), true
}

// userNames looks up display names of user IDs for timelines.
func (s *Server) userNames(ctx context.Context, ids ...string) map[string]string {
	out := map[string]string{}
	for _, id := range ids {
		if _, done := out[id]; done || id == "" {
			continue
		}
		if id == plan.SystemUser.ID {
			out[id] = "系统"
			continue
		}
		u, err := s.Store.GetUser(ctx, id)
		if err != nil {
			out[id] = id
			continue
		}
		out[id] = u.Username
		if u.DisplayName != "" {
			out[id] = u.DisplayName
		}
	}
	return out
}

// projectRow is a project with its standing for the scope's month: the
// common row of the dashboard, the project list and a unit's page.
type projectRow struct {
	P          *plan.ProjectRecord
	Item       *store.DashboardProject
	Status     plan.Status
	Completion float64
	HasCompl   bool
	Pace       float64
	HasPace    bool
	// Reason says in a phrase why the status is what it is.
	Reason string
}

// LeadNames are the project's lead units (or responsible units when it has
// none), joined.
func (pr *projectRow) LeadNames() []string {
	if names := pr.P.LeadUnitNames(); len(names) > 0 {
		return names
	}
	return pr.P.ResponsibleUnitNames()
}

// projectRows computes the rows of every project in force of the scope's
// plan: one Dashboard and one ListProjects, whatever the number.
func (s *Server) projectRows(ctx context.Context, code string, period plan.Period) (*store.Dashboard, []projectRow, error) {
	tl, err := s.Engine.Statuses(ctx, code, period)
	if err != nil {
		return nil, nil, err
	}
	d, ps := tl.Dashboard, tl.Projects
	byID := make(map[string]*plan.ProjectRecord, len(ps))
	for i := range ps {
		byID[ps[i].ID] = &ps[i]
	}
	rows := make([]projectRow, 0, len(d.Items))
	for i := range d.Items {
		item := &d.Items[i]
		p := byID[item.ProjectID]
		if p == nil {
			continue
		}
		row := projectRow{P: p, Item: item}
		row.Status, row.Reason = projectStatus(tl, item, period)
		row.Completion, row.HasCompl = completion(item)
		row.Pace, row.HasPace = pace(item)
		rows = append(rows, row)
	}
	return d, rows, nil
}
