package supervise

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// Step is what the escalation ladder calls for in a month.
type Step string

// Steps of the ladder (DESIGN.md §4).
const (
	StepNone        Step = ""            // nothing to do
	StepPrompt      Step = "prompt"      // draft a 工作提示函
	StepSupervision Step = "supervision" // draft a 督办函
	StepList        Step = "list"        // 挂牌督办: on the bulletin's list
)

// Label is the step's Chinese name.
func (s Step) Label() string {
	switch s {
	case StepPrompt:
		return "起草工作提示函"
	case StepSupervision:
		return "起草督办函"
	case StepList:
		return "挂牌督办"
	}
	return "无"
}

// episodeStart is the first month of the project's current spell off plan
// at month p: the month after the last green month before p (January when
// there was none). 临期 months (report not yet due) are neutral.
func episodeStart(months []store.StatusRecord, p plan.Period) plan.Period {
	start := plan.Period{Year: p.Year, Month: time.January}
	for _, m := range months {
		if m.Period.Before(p) && m.Status.Green() {
			start = m.Period.Next()
		}
	}
	return start
}

// episodeLetters are the project's letters of the spell: drafted for a
// month from start through p, not withdrawn.
func episodeLetters(letters []plan.Letter, start, p plan.Period) []plan.Letter {
	var out []plan.Letter
	for _, l := range letters {
		if l.State != plan.LetterWithdrawn && !l.Period.Before(start) && !p.Before(l.Period) {
			out = append(out, l)
		}
	}
	return out
}

// NextStep applies the ladder to one project at month p, from its status
// history (January through p at least) and its letters:
//
//   - a month on plan (正常, 已完成) or not yet due (临期) calls for
//     nothing; a spell off plan starts after the last green month;
//   - in the spell, a project that was sent a 督办函 for an earlier month
//     and is still red (严重滞后 or 未报送) goes on the 挂牌督办 list;
//   - a project with a 督办函 in the spell (drafted or sent) needs no
//     other letter;
//   - 严重滞后 or 未报送 → 督办函;
//   - 滞后 with a 提示函 sent for an earlier month of the spell → 督办函
//     (still behind after the 提示函);
//   - 滞后 with a 提示函 of the spell already drafted or sent this month →
//     nothing more; the first 滞后 → 提示函.
func NextStep(months []store.StatusRecord, letters []plan.Letter, p plan.Period) Step {
	var cur *store.StatusRecord
	for i := range months {
		if months[i].Period == p {
			cur = &months[i]
		}
	}
	if cur == nil || !cur.Status.NeedsAttention() {
		return StepNone
	}
	spell := episodeLetters(letters, episodeStart(months, p), p)
	var supervision, promptSentBefore, prompt bool
	var supervisionSentBefore bool
	for _, l := range spell {
		switch l.Kind {
		case plan.LetterSupervision:
			supervision = true
			if l.State.Sent() && l.Period.Before(p) {
				supervisionSentBefore = true
			}
		case plan.LetterPrompt:
			prompt = true
			if l.State.Sent() && l.Period.Before(p) {
				promptSentBefore = true
			}
		}
	}
	switch {
	case supervisionSentBefore && cur.Status.Red():
		return StepList
	case supervision:
		return StepNone
	case cur.Status.Red():
		return StepSupervision
	case promptSentBefore:
		return StepSupervision
	case prompt:
		return StepNone
	}
	return StepPrompt
}

// Listed reports whether the project is on the 挂牌督办 list at month p:
// sent a 督办函 for an earlier month of its current spell off plan and
// still red.
func Listed(months []store.StatusRecord, letters []plan.Letter, p plan.Period) bool {
	return NextStep(months, letters, p) == StepList
}

// runLocks holds a *sync.Mutex per jurisdiction code.
var runLocks sync.Map

// RunResult is what a run of the engine for a month did.
type RunResult struct {
	Period   plan.Period
	Timeline *Timeline
	// Steps are the ladder's decisions per project ID (StepNone left out).
	Steps map[string]Step
	// Drafted are the letters drafted by this run; Withdrawn the drafts of
	// 提示函 it replaced by a 督办函.
	Drafted   []plan.Letter
	Withdrawn []plan.Letter
	// Listed are the IDs of the projects on the 挂牌督办 list.
	Listed []string
}

// Run brings the status history of a plan's jurisdiction up to date
// through period and climbs the ladder for that month: it drafts the
// 提示函 and 督办函 called for (the supervisor reviews, edits and issues
// them) and returns the 挂牌督办 list. Running it again for the same month
// drafts nothing twice. actor needs ActionIssueLetter on the jurisdiction
// (its supervisor, or plan.SystemUser from the command line).
func (e *Engine) Run(ctx context.Context, actor *plan.User, planID string, period plan.Period) (*RunResult, error) {
	pv, err := e.publishedPlan(ctx, planID, period)
	if err != nil {
		return nil, err
	}
	code := pv.JurisdictionCode
	if err := plan.Authorize(actor, plan.ActionIssueLetter, plan.Resource{Kind: plan.ResourceJurisdiction, JurisdictionCode: code}); err != nil {
		return nil, err
	}
	// One run per jurisdiction at a time in this process, so that two
	// supervisors pressing the button together do not draft a letter twice.
	mu, _ := runLocks.LoadOrStore(code, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	tl, err := e.Refresh(ctx, actor, code, period, false)
	if err != nil {
		return nil, err
	}
	letters, err := e.Store.ListLetters(ctx, actor, store.LetterFilter{JurisdictionCode: code, Year: period.Year})
	if err != nil {
		return nil, err
	}
	byProject := map[string][]plan.Letter{}
	for _, l := range letters {
		byProject[l.ProjectID] = append(byProject[l.ProjectID], l)
	}
	res := &RunResult{Period: period, Timeline: tl, Steps: map[string]Step{}}
	for i := range tl.Projects {
		p := &tl.Projects[i]
		months := tl.Months[p.ID]
		step := NextStep(months, byProject[p.ID], period)
		if step == StepNone {
			continue
		}
		res.Steps[p.ID] = step
		cur := tl.Status(p.ID, period)
		switch step {
		case StepList:
			res.Listed = append(res.Listed, p.ID)
		case StepPrompt, StepSupervision:
			kind := plan.LetterKind(step)
			if kind == plan.LetterSupervision {
				for _, l := range episodeLetters(byProject[p.ID], episodeStart(months, period), period) {
					if l.Kind == plan.LetterPrompt && l.State == plan.LetterDraft {
						w, err := e.Store.WithdrawLetter(ctx, actor, l.ID, "已升级为督办函")
						if err != nil {
							return nil, err
						}
						res.Withdrawn = append(res.Withdrawn, *w)
					}
				}
			}
			draft := e.draftText(pv, p, tl, cur, kind, byProject[p.ID])
			l, err := e.Store.DraftLetter(ctx, actor, draft)
			if err != nil {
				return nil, err
			}
			res.Drafted = append(res.Drafted, *l)
		}
	}
	sort.Strings(res.Listed)
	return res, nil
}

func (e *Engine) publishedPlan(ctx context.Context, planID string, period plan.Period) (*plan.PlanVersion, error) {
	pv, err := e.Store.GetPlan(ctx, planID)
	if err != nil {
		return nil, err
	}
	if pv.State == plan.PlanDraft {
		return nil, plan.Errorf(plan.EInvalid, "计划尚未发布")
	}
	if !period.Valid() || period.Year != pv.Year {
		return nil, plan.FieldError("period", "月份 %s 不在计划年度 %d 内", period, pv.Year)
	}
	return pv, nil
}

// draftText writes the letter the ladder calls for: title, 正文 and
// 落款, citing the plan, the month's figures and any earlier 提示函.
func (e *Engine) draftText(pv *plan.PlanVersion, p *plan.ProjectRecord, tl *Timeline, cur *store.StatusRecord, kind plan.LetterKind, letters []plan.Letter) store.LetterDraft {
	doc := pv.Document
	office := e.Config.LetterIssuer(pv.JurisdictionCode, doc.Jurisdiction.Name)
	cite := "《" + doc.Title + "》"
	if doc.DocNumber != nil && *doc.DocNumber != "" {
		cite += "（" + *doc.DocNumber + "）"
	}
	per := cur.Period
	var facts []string
	if line := tl.Line(p.ID); line != nil && cur.Status != plan.StatusNotReported {
		for i, t := range line.Targets {
			if i >= len(cur.Targets) || !cur.Targets[i].Behind {
				continue
			}
			exp, act := t.Expected, (*plan.Decimal)(nil)
			if int(per.Month) <= len(t.Months) {
				exp = t.Months[per.Month-1].Expected
				for k := int(per.Month) - 1; k >= 0; k-- {
					if t.Months[k].Actual != nil {
						act = t.Months[k].Actual
						break
					}
				}
			}
			a := "0"
			if act != nil {
				a = formatNum(*act)
			}
			facts = append(facts, fmt.Sprintf("“%s”按计划应完成%s%s，实际完成%s%s，为计划的%.0f%%", t.Metric, formatNum(exp), t.Unit, a, t.Unit, cur.Targets[i].Ratio*100))
		}
	}
	situation := "进展" + cur.Status.Label()
	switch cur.Status {
	case plan.StatusNotReported:
		situation = per.Label() + "进展情况逾期未报送"
	case plan.StatusBehind:
		if len(facts) == 0 {
			situation = "进展滞后（" + cur.Reason + "）"
		}
	}
	title := innerQuotes(p.Title)
	first := fmt.Sprintf("根据%s要求，%s对照各牵头单位上报的月度计划，对%d年民生实事项目推进情况进行了调度。截至%d年%d月底，你单位牵头的第%d件民生实事“%s”%s",
		cite, office, pv.Year, per.Year, per.Month, p.Seq, title, situation)
	if len(facts) > 0 {
		first += "：" + strings.Join(facts, "；")
	}
	first += "。"
	d := store.LetterDraft{ProjectID: p.ID, Kind: kind, Period: per, Status: cur.Status, Reason: cur.Reason,
		Issuer: office, ResponseDays: e.Config.responseDays(kind)}
	switch kind {
	case plan.LetterPrompt:
		d.Title = "关于加快“" + title + "”项目进度的工作提示函"
		d.Body = first + "\n请你单位高度重视，认真分析原因，制定切实可行的整改措施，倒排工期、压实责任，加快推进项目实施，确保按期完成年度目标任务。"
	default:
		d.Title = "关于督促加快“" + title + "”项目进度的督办函"
		var earlier []string
		for _, l := range letters {
			if l.Kind == plan.LetterPrompt && l.State.Sent() && l.IssuedAt != nil {
				earlier = append(earlier, fmt.Sprintf("%s印发《工作提示函》（%s）", l.IssuedAt.In(plan.Shanghai).Format("2006年1月2日"), l.DocNumber))
			}
		}
		if len(earlier) > 0 {
			first += "我室已于" + strings.Join(earlier, "、") + "，但项目进展仍未明显改善。"
		}
		d.Body = first + "\n请你单位主要负责同志亲自研究部署，逐项查找问题原因，明确整改措施、责任人和完成时限，确保项目尽快回到序时进度。" +
			"\n逾期未整改到位的，将列入挂牌督办，并在全" + jurisdictionWord(doc.Jurisdiction.Name) + "民生实事调度通报中予以通报。"
	}
	return d
}

// innerQuotes turns double quotes inside a text that will itself be
// quoted into single ones: “推进‘两整治一提升’行动”.
func innerQuotes(s string) string {
	return strings.NewReplacer("“", "‘", "”", "’", "\"", "'").Replace(s)
}

// jurisdictionWord is 区, 县 or 市 as a document says 全区/全县/全市.
func jurisdictionWord(name string) string {
	r := []rune(name)
	if len(r) > 0 {
		switch last := r[len(r)-1]; last {
		case '区', '县', '市', '省', '旗':
			return string(last)
		}
	}
	return "区"
}

// InspectionStep is the ladder for a visit that found less than was
// reported (核查不符). A report that does not hold up on site is worse
// than a project that is merely behind — the figures the whole
// supervision rests on are in doubt — so:
//
//   - a 督办函 of the year still open (drafted, issued or answered) → no
//     new letter: the visit is on the project page and in the bulletin,
//     and the supervisor may cite it in that letter;
//   - a discrepancy of at least supervisionShortfall of a reported figure
//     (20% by default), or a 提示函 already sent this year and not closed
//     → 督办函;
//   - a 提示函 still in draft → nothing more (the supervisor edits it);
//   - otherwise → 工作提示函.
func InspectionStep(v *plan.Inspection, letters []plan.Letter, supervisionShortfall float64) Step {
	if !v.Discrepant {
		return StepNone
	}
	var promptSent, promptDraft bool
	for _, l := range letters {
		if l.State == plan.LetterWithdrawn || l.State == plan.LetterClosed {
			continue
		}
		switch {
		case l.Kind == plan.LetterSupervision:
			return StepNone
		case l.State.Sent():
			promptSent = true
		default:
			promptDraft = true
		}
	}
	worst := 0.0
	for _, f := range v.ShortFindings() {
		worst = max(worst, f.ShortRatio())
	}
	switch {
	case worst >= supervisionShortfall || promptSent:
		return StepSupervision
	case promptDraft:
		return StepNone
	}
	return StepPrompt
}
