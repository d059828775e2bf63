package plan

import "time"

// SubprojectFunds is the money of one sub-project (a row of the plan's
// 计划清单) through the end of a month, in 万元, year-to-date like every
// figure of a report:
//
//   - Allocated (下达/到位资金): money made available to the project —
//     budgets issued by the finance bureau, transfers from higher levels,
//     bonds — that has arrived;
//   - Disbursed (拨付): money paid out of it to contractors and recipients;
//   - Spent (支出/完成投资): the value of the work done, which is what the
//     report's investment_wan means at project level.
//
// A nil figure was not reported.
type SubprojectFunds struct {
	SubprojectID string   `json:"subproject_id"`
	Allocated    *Decimal `json:"allocated_wan"`
	Disbursed    *Decimal `json:"disbursed_wan"`
	Spent        *Decimal `json:"spent_wan"`
}

// Empty reports whether no figure is given.
func (f *SubprojectFunds) Empty() bool {
	return f.Allocated == nil && f.Disbursed == nil && f.Spent == nil
}

// FundsOf returns the report's row of a sub-project, or nil.
func (r *Report) FundsOf(subprojectID string) *SubprojectFunds {
	for i := range r.Funds {
		if r.Funds[i].SubprojectID == subprojectID {
			return &r.Funds[i]
		}
	}
	return nil
}

// DisbursementRate is the 资金拨付率: funds disbursed over funds
// allocated (到位资金) — the share of the money that has arrived which has
// been paid out, the figure finance bureaus press on when the seeds say
// 加快资金拨付. Where no allocation is reported the planned investment of
// the period stands in as the base, and the second result names the base
// used ("到位资金" or "计划投资"); ok is false when neither base is
// positive or nothing was disbursed is known.
func DisbursementRate(disbursed, allocated, planned *Decimal) (rate float64, base string, ok bool) {
	if disbursed == nil {
		return 0, "", false
	}
	d, _ := disbursed.Float64()
	switch {
	case allocated != nil && allocated.IsPositive():
		a, _ := allocated.Float64()
		return d / a, FundsBaseAllocated, true
	case planned != nil && planned.IsPositive():
		p, _ := planned.Float64()
		return d / p, FundsBasePlanned, true
	}
	return 0, "", false
}

// The bases of a DisbursementRate.
const (
	FundsBaseAllocated = "到位资金"
	FundsBasePlanned   = "计划投资"
)

// SubprojectPlannedThrough is a sub-project's planned investment through a
// month: its annual investment spread like the project's approved monthly
// plan when there is one (the sub-project's share of the project's plan),
// else evenly (month/12). Nil when the sub-project has no investment.
func SubprojectPlannedThrough(s *SubprojectRecord, mp *MonthlyPlan, m time.Month) *Decimal {
	if s.Investment == nil {
		return nil
	}
	twelve := DecimalFromInt(12)
	if mp != nil {
		if year := mp.PlannedInvestmentThrough(12); year.IsPositive() {
			through := mp.PlannedInvestmentThrough(m)
			return &Decimal{s.Investment.Mul(through).DivRound(year.Decimal, 4)}
		}
	}
	return &Decimal{s.Investment.Mul(DecimalFromInt(int64(m))).DivRound(twelve.Decimal, 4)}
}

// validateFunds checks the allocation and the sub-projects' funds of a
// report (called by ValidateReport). Like every figure of a report these
// are year-to-date totals, so none may fall below the previous month's
// accepted value: a figure found too high later is corrected in the month
// it was reported, after the supervisor reopens that report with a reason
// (kept in its revisions), never silently by a lower later figure.
func validateFunds(r *Report, c ReportCheck, ps *Problems) {
	money := func(field, name string, v, prev *Decimal) bool {
		if v == nil {
			return true
		}
		if v.IsNegative() {
			ps.errorf(field, "%s不能为负数", name)
			return false
		}
		if prev != nil && v.LessThan(prev.Decimal) {
			ps.errorf(field, "%s为年度累计值，不能小于上月已确认的 %s 万元；如上月数据有误，请联系督查室重新打开上月报告更正", name, prev)
			return false
		}
		return true
	}
	var prevAllocated *Decimal
	if c.Previous != nil {
		prevAllocated = c.Previous.Allocated
	}
	okAlloc := money("allocated_wan", "累计到位资金", r.Allocated, prevAllocated)
	if okAlloc && r.Allocated != nil && r.Disbursed != nil && r.Disbursed.GreaterThan(r.Allocated.Decimal) {
		ps.warnf("disbursed_wan", "累计拨付资金 %s 万元超过累计到位资金 %s 万元，请核实", r.Disbursed, r.Allocated)
	}

	subs := make(map[string]*SubprojectRecord, len(c.Subprojects))
	for i := range c.Subprojects {
		subs[c.Subprojects[i].ID] = &c.Subprojects[i]
	}
	seen := map[string]bool{}
	var sumAlloc, sumDisb, sumSpent Decimal
	for _, f := range r.Funds {
		field := "funds." + f.SubprojectID
		s := subs[f.SubprojectID]
		if s == nil || s.RetiredBy != "" {
			ps.errorf(field, "子项目 %s 不属于该项目或已被新版本计划撤销", f.SubprojectID)
			continue
		}
		if seen[f.SubprojectID] {
			ps.errorf(field, "子项目“%s”重复填写", s.Name)
			continue
		}
		seen[f.SubprojectID] = true
		var prev *SubprojectFunds
		if c.Previous != nil {
			prev = c.Previous.FundsOf(f.SubprojectID)
		}
		if prev == nil {
			prev = &SubprojectFunds{}
		}
		name := "子项目“" + s.Name + "”"
		okA := money(field+".allocated_wan", name+"累计到位资金", f.Allocated, prev.Allocated)
		okD := money(field+".disbursed_wan", name+"累计拨付资金", f.Disbursed, prev.Disbursed)
		okS := money(field+".spent_wan", name+"累计完成投资", f.Spent, prev.Spent)
		if okA && okD && f.Allocated != nil && f.Disbursed != nil && f.Disbursed.GreaterThan(f.Allocated.Decimal) {
			ps.warnf(field+".disbursed_wan", "%s累计拨付资金 %s 万元超过累计到位资金 %s 万元，请核实", name, f.Disbursed, f.Allocated)
		}
		if okS && f.Spent != nil && s.Investment != nil && s.Investment.IsPositive() && f.Spent.GreaterThan(s.Investment.Decimal) {
			ps.warnf(field+".spent_wan", "%s累计完成投资 %s 万元超过年度投资 %s 万元", name, f.Spent, s.Investment)
		}
		if okA && f.Allocated != nil {
			sumAlloc = sumAlloc.Add(*f.Allocated)
		}
		if okD && f.Disbursed != nil {
			sumDisb = sumDisb.Add(*f.Disbursed)
		}
		if okS && f.Spent != nil {
			sumSpent = sumSpent.Add(*f.Spent)
		}
	}
	// The project's figures include money not tied to one sub-project, so
	// the sub-projects may add up to less, never to more.
	for _, x := range []struct {
		field, name string
		sum         Decimal
		total       *Decimal
	}{
		{"allocated_wan", "累计到位资金", sumAlloc, r.Allocated},
		{"disbursed_wan", "累计拨付资金", sumDisb, r.Disbursed},
		{"investment_wan", "累计完成投资", sumSpent, r.Investment},
	} {
		if x.total != nil && !x.total.IsNegative() && x.sum.GreaterThan(x.total.Decimal) {
			ps.warnf(x.field, "各子项目%s合计 %s 万元超过项目%s %s 万元，请核实", x.name, x.sum, x.name, x.total)
		}
	}
}
