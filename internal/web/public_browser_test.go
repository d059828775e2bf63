package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minsheng/internal/store"
)

// TestBrowserPublicPortal: a resident opens a project's public page on a
// phone (375 px) without logging in, votes and leaves a comment with a
// phone number; the supervisor sees the comment in the moderation queue
// with the number masked and approves it; it then appears on the public
// page, without the number.
func TestBrowserPublicPortal(t *testing.T) {
	f := newPageFixture(t)
	f.st.Sealer = testBox(t)
	ts := f.start(t)
	b := newBrowserRun(t, ts)
	p := f.projects[2] // October accepted

	res := b.tab()
	b.open(res, "/public/")
	b.shot(res, "public-index")
	b.open(res, "/public/plans/"+p.PlanID)
	if s := b.text(res, ".pub-projects"); !strings.Contains(s, p.Title) || !strings.Contains(s, "目标完成") {
		t.Fatalf("plan page: %.200s", s)
	}
	b.shot(res, "public-plan")
	b.open(res, "/public/projects/"+p.ID)
	if s := b.text(res, "main"); !strings.Contains(s, "2024年10月进展") || !strings.Contains(s, "民生码") {
		t.Fatalf("project page: %.300s", s)
	}
	b.shot(res, "public-project")
	b.do(res, chromedp.Click(chromedp.CSS(`a[href$="/feedback"]`)), chromedp.WaitVisible(chromedp.CSS(`input[name="choice"]`)))
	b.do(res,
		chromedp.Click(chromedp.CSS(`input[value="basic"]`)),
		chromedp.Click(chromedp.CSS(`button[value="vote"]`)),
	)
	b.waitText(res, ".flash.ok", "感谢您的评价")
	b.do(res,
		chromedp.SetValue(chromedp.CSS("#body"), "希望周末也能办理，方便上班族。"),
		chromedp.SetValue(chromedp.CSS(`input[name="name"]`), "王五"),
		chromedp.SetValue(chromedp.CSS(`input[name="comment_phone"]`), "13700001111"),
		chromedp.Click(chromedp.CSS(`button[value="comment"]`)),
	)
	b.waitText(res, ".flash.ok", "审核后公开")
	b.shot(res, "public-feedback")
	if got, _ := f.st.SatisfactionResults(f.ctx, fixtureCode, 2024, time.Time{}); got[p.ID].Basic != 1 {
		t.Errorf("vote not counted: %+v", got[p.ID])
	}

	sup := b.tab()
	b.login(sup, "ducha")
	b.open(sup, "/moderation")
	if s := b.text(sup, ".review-list"); !strings.Contains(s, "137****1111") || strings.Contains(s, "13700001111") || !strings.Contains(s, "王*") {
		t.Fatalf("moderation queue: %s", s)
	}
	b.shot(sup, "moderation")
	b.do(sup, chromedp.Click(chromedp.CSS(`.review-list button.primary`)))
	b.waitText(sup, ".flash.ok", "意见已通过")

	b.open(res, "/public/projects/"+p.ID)
	b.waitText(res, ".pub-comments", "希望周末也能办理")
	if s := b.text(res, ".pub-comments"); strings.Contains(s, "1111") || !strings.Contains(s, "王*") {
		t.Errorf("public comment: %s", s)
	}
	// The vote is on the supervisor's dashboard; the release page of an
	// accepted report offers its texts and photos.
	b.open(sup, "/dashboard?jurisdiction="+fixtureCode+"&period=2024-10")
	if s := b.text(sup, "#h-satisfaction + p"); !strings.Contains(s, "共 1 人次评价") || !strings.Contains(s, "满意率 100%") {
		t.Errorf("dashboard satisfaction: %s", s)
	}
	b.open(sup, "/projects/"+p.ID+"/reports/2024-10/release")
	b.shot(sup, "release")

	comments, err := f.st.CommentQueue(f.ctx, f.sup, fixtureCode, store.CommentApproved)
	if err != nil || len(comments) != 1 {
		t.Fatalf("approved: %v %v", comments, err)
	}
}
