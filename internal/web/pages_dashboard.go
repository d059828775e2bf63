package web

import (
	"net/http"
	"sort"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

type statusCount struct {
	Status plan.Status
	Count  int
}

type unitRank struct {
	Rank                         int
	Name                         string
	UnitID                       string
	Projects                     int
	Pace                         float64
	Done, Behind, Far, NotReport int
}

type dashboardPage struct {
	basePage
	Scope             *scope
	D                 *store.Dashboard
	Counts            []statusCount
	Completion        float64
	HasCompletion     bool
	TimePace          float64 // month/12: 序时进度
	AnnualInvestment  plan.Decimal
	InvestRatio       float64 // actual / planned through the month
	Funds             store.FundsSummary
	StatusChart       *chart
	MoneyChart        *chart
	Units             []unitRank
	Attention         []projectRow
	AttentionOverflow int
	// CanDownload: the user may take the ledger and the bulletin.
	CanDownload bool
	Congress    []congressRate // deputies' year-end evaluation (pages_votes.go)
	// Satisfaction is the residents' votes of the year (pages_feedback.go).
	Satisfaction *satisfactionSummary
}

// dashboard: GET /dashboard — 总览 (驾驶舱) of a jurisdiction for a month.
func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) {
	sc, err := s.pageScope(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	if !sc.HasPlan && sc.Covered > 0 {
		s.rollupPage(w, r, sc)
		return
	}
	d, rows, err := s.projectRows(r.Context(), sc.Code, sc.Period)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	series, err := s.Store.DashboardSeries(r.Context(), sc.Code, sc.Period)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	pg := dashboardPage{basePage: s.base(r, sc.Name+" 总览", "dashboard"), Scope: sc, D: d,
		TimePace: float64(sc.Period.Month) / 12}
	pg.Title = sc.Name + " " + sc.Period.Label() + " 总览"
	if pg.Funds, err = s.dashboardFunds(r.Context(), rows, sc.Code, sc.Period); err != nil {
		s.pageFail(w, r, err)
		return
	}
	pg.CanDownload = plan.Can(userOf(r), plan.ActionRead, plan.Resource{Kind: plan.ResourceReport, JurisdictionCode: sc.Code})

	counts := map[plan.Status]int{}
	var complSum float64
	complN := 0
	units := map[string]*unitRank{}
	var unitOrder []string
	for i := range rows {
		row := &rows[i]
		counts[row.Status]++
		if row.HasCompl {
			complSum += row.Completion
			complN++
		}
		if row.P.Investment != nil {
			pg.AnnualInvestment = pg.AnnualInvestment.Add(*row.P.Investment)
		}
		if row.Status.NeedsAttention() {
			pg.Attention = append(pg.Attention, *row)
		}
		leads := row.P.LeadUnitIDs()
		names := row.P.LeadUnitNames()
		if len(leads) == 0 {
			leads, names = row.P.ResponsibleUnitIDs(), row.P.ResponsibleUnitNames()
		}
		for j, id := range leads {
			u := units[id]
			if u == nil {
				u = &unitRank{Name: names[j], UnitID: id}
				units[id] = u
				unitOrder = append(unitOrder, id)
			}
			u.Projects++
			if row.HasPace {
				u.Pace += row.Pace
			} else {
				u.Pace += 1
			}
			switch row.Status {
			case plan.StatusDone:
				u.Done++
			case plan.StatusBehind:
				u.Behind++
			case plan.StatusFarBehind:
				u.Far++
			case plan.StatusNotReported:
				u.NotReport++
			}
		}
	}
	for _, st := range plan.Statuses {
		pg.Counts = append(pg.Counts, statusCount{Status: st, Count: counts[st]})
	}
	if complN > 0 {
		pg.Completion, pg.HasCompletion = complSum/float64(complN), true
	}
	pg.InvestRatio = ratio(d.ActualInvestment.Decimal, d.PlannedInvestment.Decimal)

	// Attention: worst first, then by seq.
	severity := map[plan.Status]int{plan.StatusFarBehind: 0, plan.StatusNotReported: 1, plan.StatusBehind: 2}
	sort.SliceStable(pg.Attention, func(i, j int) bool {
		return severity[pg.Attention[i].Status] < severity[pg.Attention[j].Status]
	})
	if n := len(pg.Attention); n > 12 {
		pg.AttentionOverflow, pg.Attention = n-12, pg.Attention[:12]
	}

	// Units: by pace (mean actual/expected of their projects, capped at
	// 100%), then fewer projects behind, then name.
	for _, id := range unitOrder {
		u := units[id]
		u.Pace /= float64(u.Projects)
		pg.Units = append(pg.Units, *u)
	}
	sort.SliceStable(pg.Units, func(i, j int) bool {
		a, b := pg.Units[i], pg.Units[j]
		if a.Pace != b.Pace {
			return a.Pace > b.Pace
		}
		if a.Behind+a.Far+a.NotReport != b.Behind+b.Far+b.NotReport {
			return a.Behind+a.Far+a.NotReport < b.Behind+b.Far+b.NotReport
		}
		return a.Name < b.Name
	})
	for i := range pg.Units {
		pg.Units[i].Rank = i + 1
	}

	pg.StatusChart = &chart{ID: "chart-status", Type: "donut", Title: "项目状态分布"}
	for _, c := range pg.Counts {
		if c.Count > 0 {
			pg.StatusChart.Items = append(pg.StatusChart.Items, chartItem{Name: c.Status.Label(), Value: float64(c.Count), Color: statusColors[c.Status]})
		}
	}
	money := &chart{ID: "chart-money", Type: "line", Title: "投资计划与完成（累计，万元）", Unit: "万元", Categories: monthNames(len(series)),
		Caption: "计划投资：已审核月度计划的投资安排，未审核的按年度投资的序时进度；完成投资与拨付资金取各项目截至当月最近一次报送的累计数。"}
	planned := chartSeries{Name: "计划投资", Color: colorPlanned, Dashed: true}
	actual := chartSeries{Name: "完成投资", Color: colorActual, Kind: "bar"}
	disb := chartSeries{Name: "拨付资金", Color: colorDisb}
	for _, sm := range series {
		planned.Data = append(planned.Data, floatOf(&sm.Planned))
		actual.Data = append(actual.Data, floatOf(&sm.Actual))
		disb.Data = append(disb.Data, floatOf(&sm.Disbursed))
	}
	money.Series = []chartSeries{planned, actual, disb}
	pg.MoneyChart = money
	if pg.Congress, err = s.congressRates(r.Context(), sc, rows); err != nil {
		s.pageFail(w, r, err)
		return
	}
	if pg.Satisfaction, err = s.dashboardSatisfaction(r, sc.Code, sc.Period.Year); err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", pg)
}
