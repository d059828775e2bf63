package supervise

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"minsheng/internal/documents"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// DefaultRequirements are the 下步工作要求 of a bulletin unless the
// configuration gives its own.
var DefaultRequirements = []string{
	"（一）压实工作责任。各牵头单位主要负责同志要亲自抓、负总责，对照年度目标和月度计划，逐项梳理进度，确保民生实事件件落地见效。",
	"（二）加快滞后项目推进。进度滞后的项目要认真分析原因，倒排工期、挂图作战，收到工作提示函、督办函的单位要按期书面报送整改落实情况。",
	"（三）加快资金拨付。各单位要加快项目资金拨付和支出进度，提高民生资金使用绩效。",
	"（四）按时报送进展。各牵头单位要于每月5日前通过系统报送上月进展情况，做到数据真实、佐证齐全。",
}

// LatePenalty is what a late report of the month costs a project's score
// in the ranking of lead units.
const LatePenalty = 10

// Bulletin assembles the monthly 调度通报 of a published plan for a
// month: the status history is brought up to date first (as the system),
// and only letters that went out are cited. Who may see it is the
// caller's decision (supervisors and leaders of the jurisdiction).
func (e *Engine) Bulletin(ctx context.Context, planID string, period plan.Period) (documents.Bulletin, error) {
	pv, err := e.publishedPlan(ctx, planID, period)
	if err != nil {
		return documents.Bulletin{}, err
	}
	code := pv.JurisdictionCode
	tl, err := e.Refresh(ctx, plan.SystemUser, code, period, false)
	if err != nil {
		return documents.Bulletin{}, err
	}
	letters, err := e.Store.ListLetters(ctx, plan.SystemUser, store.LetterFilter{JurisdictionCode: code, Year: period.Year})
	if err != nil {
		return documents.Bulletin{}, err
	}
	byProject := map[string][]plan.Letter{}
	for _, l := range letters {
		byProject[l.ProjectID] = append(byProject[l.ProjectID], l)
	}
	forecasts := Forecasts(tl)
	name := pv.Document.Jurisdiction.Name
	months := "1—" + fmt.Sprint(int(period.Month)) + "月"
	if period.Month == 1 {
		months = "1月"
	}
	b := documents.Bulletin{
		Jurisdiction: name,
		Period:       period,
		Title:        fmt.Sprintf("关于%d年%s民生实事项目推进情况的通报", period.Year, months),
		Issue:        fmt.Sprintf("%d年第%d期", period.Year, period.Month),
		Issuer:       e.Config.BulletinIssuer(code, name),
		Recipients:   e.Config.BulletinRecipients,
		Date:         e.Store.Now(),
		Requirements: DefaultRequirements,
	}
	if len(e.Config.BulletinRequirements) > 0 {
		b.Requirements = e.Config.BulletinRequirements
	}
	sum := &b.Summary
	sum.ActualInvestment, sum.Disbursed = tl.Dashboard.ActualInvestment, tl.Dashboard.Disbursed
	var completions []float64
	started := 0
	type unitAcc struct {
		rank   documents.UnitRank
		scores []float64
	}
	units := map[string]*unitAcc{}
	for i := range tl.Projects {
		p := &tl.Projects[i]
		line := tl.Line(p.ID)
		rec := tl.Status(p.ID, period)
		if line == nil || rec == nil {
			continue
		}
		sum.PlannedInvestment = sum.PlannedInvestment.Add(annualInvestment(p, tl.Plans[p.ID]))
		sum.Projects++
		switch rec.Status {
		case plan.StatusDone:
			sum.Done++
		case plan.StatusOnTrack:
			sum.OnTrack++
		case plan.StatusBehind:
			sum.Behind++
		case plan.StatusFarBehind:
			sum.FarBehind++
		case plan.StatusNotReported:
			sum.NotReported++
		case plan.StatusDue:
			sum.Due++
		}
		leads := p.LeadUnitNames()
		if len(leads) == 0 {
			leads = p.ResponsibleUnitNames()
		}
		unitsText := strings.Join(leads, "、")
		row := documents.BulletinRow{Seq: p.Seq, Title: p.CongressTitle(), LeadUnits: unitsText, Status: rec.Status, DueSoon: rec.DueSoon}
		var targets, progress, projected []string
		byID := map[string]*plan.TargetRecord{}
		for j := range p.Targets {
			byID[p.Targets[j].ID] = &p.Targets[j]
		}
		comp, nComp, any := 0.0, 0, false
		for _, dt := range line.Targets {
			t := byID[dt.TargetID]
			if t == nil {
				continue
			}
			targets = append(targets, targetText(t))
			if dt.Latest != nil {
				progress = append(progress, dt.Metric+formatNum(*dt.Latest)+dt.Unit)
				any = any || dt.Latest.IsPositive()
			} else {
				progress = append(progress, dt.Metric+"未报")
			}
			if c, ok := targetCompletion(t, dt.Latest); ok {
				comp += c
				nComp++
			}
		}
		if nComp > 0 {
			c := comp / float64(nComp)
			row.Completion = &c
			completions = append(completions, c)
		}
		if any || rec.Status == plan.StatusDone || line.ActualInvestment != nil && line.ActualInvestment.IsPositive() {
			started++
		}
		pf := forecasts[p.ID]
		for _, f := range pf.Targets {
			if f.Projected != nil && f.Method == ForecastLinear {
				projected = append(projected, f.Metric+"约"+formatNum(*f.Projected)+f.Unit)
			}
		}
		row.Targets, row.Progress, row.Forecast = listText(targets), listText(progress), listText(projected)
		row.Warning = pf.Warning
		b.Rows = append(b.Rows, row)

		// Ranking.
		score := 100 * min(rec.Ratio, 1)
		switch {
		case rec.Status == plan.StatusNotReported:
			score = 0
		case rec.Status == plan.StatusDone:
			score = 100
		}
		if line.Late && score > 0 && rec.Status != plan.StatusDone {
			score = max(score-LatePenalty, 0)
		}
		for _, u := range leads {
			acc := units[u]
			if acc == nil {
				acc = &unitAcc{rank: documents.UnitRank{Unit: u}}
				units[u] = acc
			}
			acc.rank.Projects++
			acc.scores = append(acc.scores, score)
			switch rec.Status {
			case plan.StatusDone:
				acc.rank.Done++
			case plan.StatusOnTrack:
				acc.rank.OnTrack++
			case plan.StatusBehind, plan.StatusFarBehind:
				acc.rank.Behind++
			case plan.StatusNotReported:
				acc.rank.NotReported++
			}
		}

		item := documents.BulletinItem{Seq: p.Seq, Title: innerQuotes(p.Title), Units: unitsText}
		sent := sentLetters(byProject[p.ID], period)
		switch {
		case rec.Status == plan.StatusDone && period.Month < 12:
			item.Text = "已提前完成年度目标（" + row.Targets + "）"
			if first := firstDone(tl.Months[p.ID]); !first.IsZero() {
				item.Text = fmt.Sprintf("已于%d月提前完成年度目标（%s）", first.Month, row.Targets)
			}
			b.Praise = append(b.Praise, item)
		case rec.Status == plan.StatusOnTrack && !line.Late && ahead(rec, e.Config.PraiseRatio):
			item.Text = fmt.Sprintf("进度快于计划，各项目标均完成本月计划的%.0f%%以上", e.Config.PraiseRatio*100)
			b.Praise = append(b.Praise, item)
		case Listed(tl.Months[p.ID], byProject[p.ID], period):
			item.Text = rec.Reason + sent
			b.Listed = append(b.Listed, item)
		case rec.Status.NeedsAttention():
			item.Text = rec.Status.Label() + "，" + rec.Reason + sent
			b.Lagging = append(b.Lagging, item)
		}
		if pf.Warning {
			var miss []string
			for _, f := range pf.Targets {
				if f.Miss && f.Projected != nil {
					miss = append(miss, fmt.Sprintf("“%s”按目前进度预计年底完成约%s%s，低于年度目标%s%s", f.Metric, formatNum(*f.Projected), f.Unit, formatNum(f.Value), f.Unit))
				}
			}
			b.Warnings = append(b.Warnings, documents.BulletinItem{Seq: p.Seq, Title: innerQuotes(p.Title), Units: unitsText, Text: strings.Join(miss, "；")})
		}
	}
	if b.Visits, err = e.bulletinVisits(ctx, code, period, letters); err != nil {
		return documents.Bulletin{}, err
	}
	if b.Satisfaction, err = e.bulletinSatisfaction(ctx, tl, period); err != nil {
		return documents.Bulletin{}, err
	}
	if sum.Projects > 0 {
		s := float64(started) / float64(sum.Projects)
		sum.Started = &s
	}
	if len(completions) > 0 {
		c := 0.0
		for _, x := range completions {
			c += x
		}
		c /= float64(len(completions))
		sum.Completion = &c
	}
	if err := e.bulletinFunds(ctx, tl, period, &b); err != nil {
		return documents.Bulletin{}, err
	}
	for _, acc := range units {
		total := 0.0
		for _, s := range acc.scores {
			total += s
		}
		acc.rank.Score = total / float64(len(acc.scores))
		b.Ranking = append(b.Ranking, acc.rank)
	}
	sort.SliceStable(b.Ranking, func(i, j int) bool {
		x, y := b.Ranking[i], b.Ranking[j]
		if x.Score != y.Score {
			return x.Score > y.Score
		}
		if x.Done != y.Done {
			return x.Done > y.Done
		}
		return x.Unit < y.Unit
	})
	for i := range b.Ranking {
		b.Ranking[i].Rank = i + 1
		if i > 0 && fmt.Sprintf("%.1f", b.Ranking[i].Score) == fmt.Sprintf("%.1f", b.Ranking[i-1].Score) {
			b.Ranking[i].Rank = b.Ranking[i-1].Rank
		}
	}
	return b, nil
}

// annualInvestment is a project's planned investment for the year in
// 万元: the plan's figure, else the sum of its sub-projects', else its
// approved monthly plan's.
func annualInvestment(p *plan.ProjectRecord, mp *plan.MonthlyPlan) plan.Decimal {
	if p.Investment != nil {
		return *p.Investment
	}
	var sum plan.Decimal
	for _, s := range p.Subprojects {
		if s.Investment != nil && s.RetiredBy == "" {
			sum = sum.Add(*s.Investment)
		}
	}
	if sum.IsZero() && mp != nil {
		sum = mp.PlannedInvestmentThrough(12)
	}
	return sum
}

// targetText is a target in a few words: metric, value, unit.
func targetText(t *plan.TargetRecord) string {
	return t.Metric + formatNum(t.Value) + t.Unit
}

// listText joins a table cell's items, at most four and a count of the rest.
func listText(items []string) string {
	if len(items) > 4 {
		return strings.Join(items[:4], "；") + fmt.Sprintf("等%d项", len(items))
	}
	return strings.Join(items, "；")
}

// targetCompletion is how far a target is towards its annual value, 0–1.
func targetCompletion(t *plan.TargetRecord, latest *plan.Decimal) (float64, bool) {
	if t.Kind == plan.KindMilestone && latest == nil {
		return 0, true
	}
	if plan.Met(t, latest) {
		return 1, true
	}
	if latest == nil {
		return 0, true
	}
	a, _ := latest.Float64()
	v, _ := t.Value.Float64()
	switch {
	case t.Comparator == plan.AtMost || t.Comparator == plan.LessThan:
		if a <= 0 {
			return 1, true
		}
		return min(v/a, 1), true
	case v <= 0:
		return 0, false
	}
	return min(max(a/v, 0), 1), true
}

// ahead reports whether every target that had something expected shows
// at least ratio of it.
func ahead(rec *store.StatusRecord, ratio float64) bool {
	n := 0
	for _, t := range rec.Targets {
		if t.Status == plan.StatusDone {
			continue
		}
		if t.Ratio < ratio {
			return false
		}
		n++
	}
	return n > 0
}

// firstDone is the first month of the year the project was 已完成.
func firstDone(months []store.StatusRecord) plan.Period {
	for _, m := range months {
		if m.Status == plan.StatusDone {
			return m.Period
		}
	}
	return plan.Period{}
}

// sentLetters cites the letters that went out about the project through
// the month: "；已下发工作提示函（新建督提〔2024〕1号）、督办函（…）".
func sentLetters(letters []plan.Letter, through plan.Period) string {
	var cites []string
	for _, l := range letters {
		if l.State.Sent() && !through.Before(l.Period) {
			cites = append(cites, l.Kind.Label()+"（"+l.DocNumber+"）")
		}
	}
	if len(cites) == 0 {
		return ""
	}
	return "；已下发" + strings.Join(cites, "、")
}

// LowSatisfaction is the 满意率 under which a bulletin names a project,
// when at least MinVotesNamed residents voted on it.
const (
	LowSatisfaction = 80
	MinVotesNamed   = 5
)

// bulletinSatisfaction is the bulletin's 群众满意度 sentence: residents'
// votes as they stood at the month's end, and the projects whose rate is
// low; "" without votes.
func (e *Engine) bulletinSatisfaction(ctx context.Context, tl *Timeline, period plan.Period) (string, error) {
	res, err := e.Store.SatisfactionResults(ctx, tl.JurisdictionCode, period.Year, period.End())
	if err != nil || len(res) == 0 {
		return "", err
	}
	var all plan.Evaluation
	var low []string
	for _, p := range tl.Projects {
		r, ok := res[p.ID]
		if !ok {
			continue
		}
		all.Satisfied, all.Basic, all.Unsatisfied = all.Satisfied+r.Satisfied, all.Basic+r.Basic, all.Unsatisfied+r.Unsatisfied
		if rate := r.Rate(); r.Total() >= MinVotesNamed && rate.LessThan(plan.DecimalFromInt(LowSatisfaction).Decimal) {
			low = append(low, fmt.Sprintf("第%d件“%s”（%s%%，%d人次）", p.Seq, innerQuotes(p.Title), rate, r.Total()))
		}
	}
	s := fmt.Sprintf("群众满意度测评：截至%d月底，群众对%d件民生实事评价%d人次，其中满意%d、基本满意%d、不满意%d，满意率%s%%",
		period.Month, len(res), all.Total(), all.Satisfied, all.Basic, all.Unsatisfied, all.Rate())
	if len(low) > 0 {
		s += fmt.Sprintf("；满意率低于%d%%的项目：%s，请牵头单位认真研究群众意见、改进工作", LowSatisfaction, strings.Join(low, "、"))
	}
	return s + "。", nil
}
