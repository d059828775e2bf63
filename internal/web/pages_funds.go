package web

import (
	"context"
	"net/url"
	"strings"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// Funds on the pages: the report form's allocation and sub-project rows,
// the project page's table and chart, the dashboard's 资金拨付率. The
// templates are in templates/_funds.html.

// colorAlloc draws allocated money in the funds charts.
const colorAlloc = "#f9a825"

// fundsField is one sub-project's row of the report form.
type fundsField struct {
	S                           plan.SubprojectRecord
	Field                       string // problem field prefix: funds.<id>
	Allocated, Disbursed, Spent string
	Planned                     *plan.Decimal // planned investment through the month
	Prev                        *plan.SubprojectFunds
}

// initFundsForm lists the project's sub-projects in the report form.
func (pg *reportPage) initFundsForm(mp *plan.MonthlyPlan, prev *plan.Report) {
	for _, sp := range pg.P.Subprojects {
		if sp.RetiredBy != "" {
			continue
		}
		f := fundsField{S: sp, Field: "funds." + sp.ID, Planned: plan.SubprojectPlannedThrough(&sp, mp, pg.Period.Month)}
		if prev != nil {
			f.Prev = prev.FundsOf(sp.ID)
		}
		pg.Form.Funds = append(pg.Form.Funds, f)
	}
	if prev != nil {
		pg.PrevAllocated = prev.Allocated
	}
}

// fillFundsForm puts a stored report's funds into the form.
func (pg *reportPage) fillFundsForm(rep *plan.Report) {
	pg.Form.Allocated = decString(rep.Allocated)
	for i := range pg.Form.Funds {
		f := &pg.Form.Funds[i]
		if rf := rep.FundsOf(f.S.ID); rf != nil {
			f.Allocated, f.Disbursed, f.Spent = decString(rf.Allocated), decString(rf.Disbursed), decString(rf.Spent)
		}
	}
}

// parseFundsForm reads the funds fields of a posted report form into in,
// noting what is not a number beside its field.
func (pg *reportPage) parseFundsForm(f url.Values, in *store.ReportInput) {
	var ok bool
	pg.Form.Allocated = strings.TrimSpace(f.Get("allocated_wan"))
	if in.Allocated, ok = parseDecimalField(pg.Form.Allocated); !ok {
		pg.Errors.add("allocated_wan", "累计到位资金应填写数字（万元）")
	}
	for i := range pg.Form.Funds {
		ff := &pg.Form.Funds[i]
		row := plan.SubprojectFunds{SubprojectID: ff.S.ID}
		for _, c := range []struct {
			key, name string
			text      *string
			dst       **plan.Decimal
		}{
			{"allocated_wan", "累计到位资金", &ff.Allocated, &row.Allocated},
			{"disbursed_wan", "累计拨付资金", &ff.Disbursed, &row.Disbursed},
			{"spent_wan", "累计完成投资", &ff.Spent, &row.Spent},
		} {
			*c.text = strings.TrimSpace(f.Get("f." + ff.S.ID + "." + c.key))
			if *c.dst, ok = parseDecimalField(*c.text); !ok {
				pg.Errors.add(ff.Field+"."+c.key, "子项目“"+ff.S.Name+"”"+c.name+"应填写数字（万元）")
			}
		}
		if !row.Empty() {
			in.Funds = append(in.Funds, row)
		}
	}
}

// fundsView is the project page's funds: per month the project's line and
// each sub-project's, the latest month first in the table, and a chart.
type fundsView struct {
	Funds *store.ProjectFunds
	Rows  []fundsRow
	Chart *chart
}

type fundsRow struct {
	Month   time.Month
	Name    string // 项目合计 or the sub-project's name
	Sub     bool
	State   plan.ReportState
	Figures store.FundsFigures
}

// Rate is the row's 资金拨付率 as shown: "85.0%（按到位资金）".
func (r fundsRow) Rate() string { return rateText(r.Figures) }

func rateText(f store.FundsFigures) string {
	rate, base, ok := f.Rate()
	if !ok {
		return "—"
	}
	return formatPct(rate) + "（按" + base + "）"
}

// projectFunds builds the project page's funds view through the period.
func (s *Server) projectFunds(ctx context.Context, p *plan.ProjectRecord, mp *plan.MonthlyPlan, per plan.Period) (*fundsView, error) {
	all, err := s.Store.FundsOf(ctx, []plan.ProjectRecord{*p}, map[string]*plan.MonthlyPlan{p.ID: mp}, per)
	if err != nil {
		return nil, err
	}
	pf := all[p.ID]
	v := &fundsView{Funds: pf}
	for i := len(pf.Months) - 1; i >= 0; i-- {
		m := pf.Months[i]
		v.Rows = append(v.Rows, fundsRow{Month: m.Month, Name: "项目合计", State: m.ReportState, Figures: m.Project})
		for j, sp := range pf.Subprojects {
			v.Rows = append(v.Rows, fundsRow{Month: m.Month, Name: sp.Name, Sub: true, Figures: m.Subprojects[j]})
		}
	}
	c := &chart{ID: "chart-funds", Type: "line", Title: "资金计划、到位、拨付与完成（累计，万元）", Unit: "万元", Categories: monthNames(len(pf.Months)),
		Caption: "计划投资按已审核月度计划（未审核的按年度投资序时进度）；到位、拨付、完成投资取截至当月最近一次报送的累计数。"}
	series := []chartSeries{
		{Name: "计划投资", Color: colorPlanned, Dashed: true},
		{Name: "到位资金", Color: colorAlloc},
		{Name: "拨付资金", Color: colorDisb},
		{Name: "完成投资", Color: colorActual, Kind: "bar"},
	}
	for _, m := range pf.Months {
		f := m.Project
		for i, d := range []*plan.Decimal{f.Planned, f.Allocated, f.Disbursed, f.Spent} {
			series[i].Data = append(series[i].Data, floatOf(d))
		}
	}
	c.Series = series
	v.Chart = c
	return v, nil
}

// dashboardFunds is the jurisdiction's money through the month, for the
// dashboard's 资金拨付率.
func (s *Server) dashboardFunds(ctx context.Context, rows []projectRow, code string, per plan.Period) (store.FundsSummary, error) {
	projects := make([]plan.ProjectRecord, 0, len(rows))
	for _, r := range rows {
		projects = append(projects, *r.P)
	}
	plans, err := s.Store.ApprovedMonthlyPlans(ctx, code, per.Year)
	if err != nil {
		return store.FundsSummary{}, err
	}
	all, err := s.Store.FundsOf(ctx, projects, plans, per)
	if err != nil {
		return store.FundsSummary{}, err
	}
	return store.SummarizeFunds(all), nil
}

// subprojectName names a sub-project of p by ID (templates).
func subprojectName(p *plan.ProjectRecord, id string) string {
	for _, s := range p.Subprojects {
		if s.ID == id {
			return s.Name
		}
	}
	return id
}
