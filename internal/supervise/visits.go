package supervise

import (
	"context"
	"fmt"
	"strings"
	"time"

	"minsheng/internal/documents"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// RecordInspection records a visit (store.CreateInspection with the
// configured tolerance) and, when it is discrepant and in.Escalate is set,
// drafts in the same transaction the letter InspectionStep calls for,
// citing what was reported and what was found.
func (e *Engine) RecordInspection(ctx context.Context, actor *plan.User, projectID string, in plan.InspectionInput) (*plan.Inspection, error) {
	p, err := e.Store.GetProject(ctx, projectID)
	if err != nil {
		return nil, err
	}
	pv, err := e.Store.GetPlan(ctx, p.PlanID)
	if err != nil {
		return nil, err
	}
	rules := e.Config.Inspection
	return e.Store.CreateInspection(ctx, actor, projectID, in, rules.Tolerance, func(v *plan.Inspection, p *plan.ProjectRecord, letters []plan.Letter) *store.LetterDraft {
		step := InspectionStep(v, letters, rules.SupervisionShortfall)
		if step != StepPrompt && step != StepSupervision {
			return nil
		}
		return e.inspectionLetter(pv, p, v, plan.LetterKind(step))
	})
}

// inspectionLetter writes the letter a discrepant visit calls for.
func (e *Engine) inspectionLetter(pv *plan.PlanVersion, p *plan.ProjectRecord, v *plan.Inspection, kind plan.LetterKind) *store.LetterDraft {
	doc := pv.Document
	office := e.Config.LetterIssuer(pv.JurisdictionCode, doc.Jurisdiction.Name)
	cite := "《" + doc.Title + "》"
	if doc.DocNumber != nil && *doc.DocNumber != "" {
		cite += "（" + *doc.DocNumber + "）"
	}
	day, _ := time.ParseInLocation("2006-01-02", v.Date, plan.Shanghai)
	var facts []string
	var per plan.Period
	for _, f := range v.ShortFindings() {
		if per.Before(f.Period) {
			per = f.Period
		}
		word := "少"
		if f.Found.GreaterThan(f.Reported.Decimal) {
			word = "多"
		}
		facts = append(facts, fmt.Sprintf("“%s”你单位%s报送累计%s%s，现场核实为%s%s，较上报数%s%s%s",
			f.Metric, f.Period.Label(), formatNum(*f.Reported), f.Unit, formatNum(f.Found), f.Unit, word, formatNum(*f.Shortfall), f.Unit))
	}
	title := innerQuotes(p.Title)
	first := fmt.Sprintf("根据%s要求，%s于%s对你单位牵头的第%d件民生实事“%s”开展实地督查（督查人员：%s；督查地点：%s）。经现场核查，%s，上报进展与实际情况不符。",
		cite, office, day.Format("2006年1月2日"), p.Seq, title, strings.Join(v.Inspectors, "、"), v.Place, strings.Join(facts, "；"))
	d := &store.LetterDraft{ProjectID: p.ID, Kind: kind, Period: per, Reason: "实地督查核查不符",
		Issuer: office, ResponseDays: e.Config.responseDays(kind)}
	switch kind {
	case plan.LetterPrompt:
		d.Title = "关于“" + title + "”实地督查核查不符的工作提示函"
		d.Body = first + "\n请你单位认真核实上报数据，说明差异原因，据实更正月度进展，并加快推进项目实施，确保如期完成年度目标任务。"
	default:
		d.Title = "关于“" + title + "”实地督查核查不符的督办函"
		d.Body = first + "\n请你单位主要负责同志亲自过问，逐项核实上报数据，书面说明差异原因和责任，据实更正月度进展，明确整改措施、责任人和完成时限。" +
			"\n对虚报、瞒报进展的，将在全" + jurisdictionWord(doc.Jurisdiction.Name) + "民生实事调度通报中予以通报。"
	}
	return d
}

// bulletinVisits are the visits of the bulletin's month, for its
// 实地督查情况 section: each with what was found and the letter it started.
func (e *Engine) bulletinVisits(ctx context.Context, code string, period plan.Period, letters []plan.Letter) ([]documents.BulletinVisit, error) {
	first := time.Date(period.Year, period.Month, 1, 0, 0, 0, 0, plan.Shanghai)
	vs, err := e.Store.ListInspections(ctx, plan.SystemUser, store.InspectionFilter{JurisdictionCode: code,
		From: first.Format("2006-01-02"), To: first.AddDate(0, 1, -1).Format("2006-01-02")})
	if err != nil {
		return nil, err
	}
	byID := map[string]*plan.Letter{}
	for i := range letters {
		byID[letters[i].ID] = &letters[i]
	}
	var out []documents.BulletinVisit
	for _, v := range vs {
		p, err := e.Store.GetProject(ctx, v.ProjectID)
		if err != nil {
			return nil, err
		}
		leads := p.LeadUnitNames()
		if len(leads) == 0 {
			leads = p.ResponsibleUnitNames()
		}
		day, _ := time.ParseInLocation("2006-01-02", v.Date, plan.Shanghai)
		bv := documents.BulletinVisit{Date: fmt.Sprintf("%d月%d日", day.Month(), day.Day()), Seq: v.ProjectSeq, Title: innerQuotes(v.ProjectTitle),
			Units: strings.Join(leads, "、"), Inspectors: strings.Join(v.Inspectors, "、"), Place: v.Place, Discrepant: v.Discrepant}
		var found []string
		for _, f := range v.Findings {
			switch {
			case f.Short:
				found = append(found, fmt.Sprintf("“%s”上报%s%s，现场核实%s%s，核查不符", f.Metric, formatNum(*f.Reported), f.Unit, formatNum(f.Found), f.Unit))
			case f.Reported != nil:
				found = append(found, fmt.Sprintf("“%s”现场核实%s%s，与上报%s%s相符", f.Metric, formatNum(f.Found), f.Unit, formatNum(*f.Reported), f.Unit))
			default:
				found = append(found, fmt.Sprintf("“%s”现场核实%s%s（此前未报送）", f.Metric, formatNum(f.Found), f.Unit))
			}
		}
		bv.Text = strings.Join(found, "；")
		if bv.Text == "" {
			bv.Text = "未核查具体数据"
		}
		if l := byID[v.LetterID]; l != nil && l.State != plan.LetterWithdrawn {
			bv.Letter = "已起草" + l.Kind.Label()
			if l.State.Sent() {
				bv.Letter = "已下发" + l.Kind.Label() + "（" + l.DocNumber + "）"
			}
		}
		out = append(out, bv)
	}
	return out, nil
}
