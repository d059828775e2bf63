package supervise

import (
	"context"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// Issue issues a draft letter with the configuration's 文号 pattern and
// prefix for the jurisdiction and its calendar of working days. version
// is the draft version the supervisor reviewed (0: no check). Drafting,
// editing, answering and closing go straight to the store
// (store.DraftLetter, EditLetter, AnswerLetter, AddLetterAttachment,
// RejectAnswer, CloseLetter, WithdrawLetter), which checks plan.Can.
func (e *Engine) Issue(ctx context.Context, actor *plan.User, letterID string, version int) (*plan.Letter, error) {
	l, err := e.Store.GetLetter(ctx, actor, letterID)
	if err != nil {
		return nil, err
	}
	return e.Store.IssueLetter(ctx, actor, letterID, store.LetterIssue{
		Version:         version,
		DocNumberFormat: e.Config.docNumberFormat(l.Kind),
		Prefix:          e.Config.Prefixes[l.JurisdictionCode],
		Calendar:        e.Config.Calendar,
	})
}

// DraftFor drafts, for the supervisor, the letter the ladder would write
// for a project's month (kind chosen by the supervisor, who may write
// letters the ladder did not ask for). The statuses are brought up to date
// first.
func (e *Engine) DraftFor(ctx context.Context, actor *plan.User, planID, projectID string, period plan.Period, kind plan.LetterKind) (*plan.Letter, error) {
	pv, err := e.publishedPlan(ctx, planID, period)
	if err != nil {
		return nil, err
	}
	tl, err := e.Refresh(ctx, actor, pv.JurisdictionCode, period, false)
	if err != nil {
		return nil, err
	}
	var p *plan.ProjectRecord
	for i := range tl.Projects {
		if tl.Projects[i].ID == projectID {
			p = &tl.Projects[i]
		}
	}
	if p == nil {
		return nil, plan.Errorf(plan.ENotFound, "项目不在该计划中")
	}
	letters, err := e.Store.ListLetters(ctx, actor, store.LetterFilter{ProjectID: projectID})
	if err != nil {
		return nil, err
	}
	return e.Store.DraftLetter(ctx, actor, e.draftText(pv, p, tl, tl.Status(p.ID, period), kind, letters))
}
