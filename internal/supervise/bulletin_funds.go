package supervise

import (
	"context"

	"minsheng/internal/documents"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// bulletinFunds fills the bulletin's money: the summary's allocation,
// 完成率 of investment and 资金拨付率 (store.SummarizeFunds, the definition
// the dashboard shows), and the funds table of the projects that reported
// any money, by seq.
func (e *Engine) bulletinFunds(ctx context.Context, tl *Timeline, period plan.Period, b *documents.Bulletin) error {
	funds, err := e.Store.FundsOf(ctx, tl.Projects, tl.Plans, period)
	if err != nil {
		return err
	}
	fs := store.SummarizeFunds(funds)
	sum := &b.Summary
	if fs.Allocated != nil {
		sum.Allocated = *fs.Allocated
	}
	if fs.HasRate {
		r := fs.Rate
		sum.Disbursement = &r
	}
	if a, planned := sum.ActualInvestment, sum.PlannedInvestment; planned.IsPositive() {
		inv, _ := a.Div(planned.Decimal).Float64()
		sum.Investment = &inv
	}
	for _, p := range tl.Projects {
		pf := funds[p.ID]
		l := pf.Latest()
		if l == nil {
			continue
		}
		f := l.Project
		if f.Allocated == nil && f.Disbursed == nil && f.Spent == nil {
			continue
		}
		row := documents.BulletinFunds{Seq: p.Seq, Title: p.Title, Planned: f.Planned, Allocated: f.Allocated, Disbursed: f.Disbursed, Spent: f.Spent}
		if rate, base, ok := f.Rate(); ok {
			row.Rate, row.Base = &rate, base
		}
		b.Funds = append(b.Funds, row)
	}
	return nil
}
