package documents

import (
	"fmt"

	"minsheng/internal/plan"
)

// BulletinFunds is one project's money in the bulletin's funds table, in
// 万元 through the month: planned (the plan's investment spread over the
// months), allocated (到位), disbursed (拨付) and spent (完成投资), and the
// 资金拨付率 with its base (plan.DisbursementRate).
type BulletinFunds struct {
	Seq                                  int
	Title                                string
	Planned, Allocated, Disbursed, Spent *plan.Decimal
	Rate                                 *float64
	Base                                 string
}

// FundsIntro introduces the funds table of the 总体情况.
func (b *Bulletin) FundsIntro() string {
	return "各项目截至本月底的资金到位、拨付和完成投资情况如下表（资金拨付率为累计拨付资金占累计到位资金的比例；未报到位资金的项目按截至本月计划投资计算，并在比率后注“计”）。"
}

// RateText is the row's 资金拨付率: "85.0%", or "20.0%（计）" when its base
// is the planned investment.
func (f BulletinFunds) RateText() string {
	if f.Rate == nil {
		return "—"
	}
	if f.Base == plan.FundsBasePlanned {
		return pct(f.Rate) + "（计）"
	}
	return pct(f.Rate)
}

func wanText(d *plan.Decimal) string {
	if d == nil {
		return "—"
	}
	return money(*d)
}

// fundsBlocks is the funds table of the .docx, after the summary.
func fundsBlocks(b *Bulletin) []block {
	if len(b.Funds) == 0 {
		return nil
	}
	rows := [][]cell{}
	for _, f := range b.Funds {
		rows = append(rows, []cell{{text: itoa(f.Seq), align: "center"}, {text: f.Title},
			{text: wanText(f.Planned), align: "right"}, {text: wanText(f.Allocated), align: "right"},
			{text: wanText(f.Disbursed), align: "right"}, {text: wanText(f.Spent), align: "right"},
			{text: f.RateText(), align: "center"}})
	}
	header := []cell{{text: "序号", align: "center"}, {text: "项目名称", align: "center"}, {text: "截至本月计划投资（万元）", align: "center"},
		{text: "到位资金（万元）", align: "center"}, {text: "拨付资金（万元）", align: "center"}, {text: "完成投资（万元）", align: "center"},
		{text: "资金拨付率", align: "center"}}
	return []block{bodyPara(b.FundsIntro()), {t: &table{widths: []int{560, 2684, 1300, 1100, 1100, 1100, 1000}, header: header, rows: rows}}, p()}
}

// fundsSummaryText is the money sentence of the 总体情况.
func fundsSummaryText(s BulletinSummary) string {
	switch {
	case s.PlannedInvestment.IsPositive():
		return fmt.Sprintf("；年度计划投资%s万元，累计到位资金%s万元，累计完成投资%s万元（完成率%s），累计拨付资金%s万元，资金拨付率%s",
			money(s.PlannedInvestment), money(s.Allocated), money(s.ActualInvestment), pct(s.Investment), money(s.Disbursed), pct(s.Disbursement))
	case s.Disbursement != nil:
		return fmt.Sprintf("；累计到位资金%s万元，累计完成投资%s万元，累计拨付资金%s万元，资金拨付率%s",
			money(s.Allocated), money(s.ActualInvestment), money(s.Disbursed), pct(s.Disbursement))
	}
	return ""
}
