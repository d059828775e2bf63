package supervise

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"minsheng/internal/documents"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// The bulletin counts residents' votes as they stood at the month's end
// and names the projects whose 满意率 is low.
func TestBulletinSatisfaction(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "m.db"))
	w := newWorld(t, st)
	w.report(t, w.p1, "2024-05", "5", "2024-06-03 09:00")
	vote := func(p *plan.ProjectRecord, n int, c plan.Rating, when string) {
		t.Helper()
		w.clock = at(when)
		for i := range n {
			if err := st.Vote(w.ctx, p.ID, store.VoteInput{Choice: c, Device: fmt.Sprintf("%s-%s-%d", p.ID, c, i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	bulletin := func() documents.Bulletin {
		t.Helper()
		w.clock = at("2024-06-12 09:00")
		b, err := w.eng.Bulletin(w.ctx, w.pv.ID, plan.MustPeriod("2024-05"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if b := bulletin(); b.Satisfaction != "" {
		t.Fatalf("without votes: %q", b.Satisfaction)
	}
	vote(w.p1, 3, plan.RatingSatisfied, "2024-05-10 10:00")
	vote(w.p1, 1, plan.RatingBasic, "2024-05-11 10:00")
	vote(w.p2, 2, plan.RatingBasic, "2024-05-12 10:00")
	vote(w.p2, 4, plan.RatingUnsatisfied, "2024-05-13 10:00")
	vote(w.p3, 9, plan.RatingUnsatisfied, "2024-06-02 10:00") // after May: not counted
	b := bulletin()
	want := "群众满意度测评：截至5月底，群众对2件民生实事评价10人次，其中满意3、基本满意3、不满意4，满意率60%；满意率低于80%的项目：第2件“改造老旧小区”（33.3%，6人次），请牵头单位认真研究群众意见、改进工作。"
	if b.Satisfaction != want {
		t.Fatalf("satisfaction:\n got %s\nwant %s", b.Satisfaction, want)
	}
	var html strings.Builder
	if err := documents.WriteBulletinHTML(&html, b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "满意率60%") {
		t.Error("the printable bulletin lacks the satisfaction sentence")
	}
}
