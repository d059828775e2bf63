package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserLetterCycle: the supervisor drafts a 工作提示函 from the
// project page, edits and issues it (文号, deadline); the deadline passes
// and the list flags the letter red; the lead unit answers late with a
// photo; the supervisor closes it. Each page is looked at in both widths.
func TestBrowserLetterCycle(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	b := newBrowserRun(t, ts)
	p1 := f.projects[0]

	sup := b.tab()
	b.login(sup, "ducha")
	b.open(sup, "/projects/"+p1.ID+"?period=2024-10")
	b.do(sup, chromedp.Click(chromedp.CSS(`form.draft-letter button`)))
	b.waitText(sup, ".flash.ok", "已起草函件")
	body, _ := chromedp.Run(sup, chromedp.Evaluate[string](`document.querySelector('#in-body').value`))
	if !strings.Contains(body, p1.Title) {
		t.Errorf("the draft does not name the project: %q", body)
	}
	b.shot(sup, "letter-draft")
	// A bad deadline is refused beside its field; nothing is issued.
	b.do(sup,
		chromedp.SetValue(chromedp.CSS("#in-days"), "九十"),
		chromedp.Click(chromedp.CSS(`button[value="issue"]`)),
	)
	b.waitText(sup, ".field.invalid .field-error", "工作日天数")
	b.do(sup,
		chromedp.SetValue(chromedp.CSS("#in-days"), "5"),
		chromedp.SetValue(chromedp.CSS("#in-body"), body+"\n请于11月底前完成10月计划投资。"),
		chromedp.Click(chromedp.CSS(`button[value="issue"]`)),
	)
	b.waitText(sup, ".flash.ok", "函件已印发")
	if h := b.text(sup, "h1"); !strings.Contains(h, "章贡督提〔2024〕1号") {
		t.Errorf("issued letter heading: %q", h)
	}
	letterPath := strings.TrimPrefix(b.location(sup), ts.URL)
	letterPath = letterPath[:strings.Index(letterPath, "?")]
	b.shot(sup, "letter-issued")

	// Issued on Tuesday 12 November with 5 working days: due on the 19th.
	// On the 21st the list shows it overdue, in red.
	// (Nine days on, the session has expired: log in again.)
	f.clock.Set(pageCST(2024, time.November, 21, 10))
	b.login(sup, "ducha")
	b.open(sup, "/letters")
	if s := b.text(sup, "#letters-issued li.overdue"); !strings.Contains(s, "答复逾期") {
		t.Errorf("the overdue letter is not flagged: %q", s)
	}
	b.shot(sup, "letters")

	rep := b.tab()
	b.login(rep, "renshe")
	b.open(rep, "/letters")
	if s := b.text(rep, "#letters-issued"); !strings.Contains(s, "章贡督提〔2024〕1号") {
		t.Errorf("the unit does not see its letter: %q", s)
	}
	if n, _ := chromedp.Run(rep, chromedp.Evaluate[int](`document.querySelectorAll('#letters-drafts').length`)); n != 0 {
		t.Error("the unit sees a drafts section")
	}
	b.shot(rep, "letters-unit")
	b.open(rep, letterPath)
	if s := b.text(rep, "#overdue-flag"); !strings.Contains(s, "已逾期") {
		t.Errorf("overdue flag: %q", s)
	}
	b.do(rep,
		chromedp.SetUploadFiles(chromedp.CSS("#in-file"), []string{pagePNG(t)}),
		chromedp.Click(chromedp.CSS(`#letter-attachments button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#letter-attachments .thumbs img")),
		chromedp.SetValue(chromedp.CSS("#in-answer"), "已召开专题推进会，明确分管副局长牵头，11月30日前完成10月计划投资并报送佐证材料。"),
		chromedp.Click(chromedp.CSS(`#answer button[type="submit"]`)),
	)
	b.waitText(rep, ".flash.ok", "已提交整改落实情况")
	b.shot(rep, "letter-answer")

	b.open(sup, letterPath)
	if s := b.text(sup, "#overdue-flag"); !strings.Contains(s, "逾期后答复") {
		t.Errorf("late answer flag: %q", s)
	}
	b.do(sup,
		chromedp.SetValue(chromedp.CSS("#in-close"), "整改措施具体，予以办结。"),
		chromedp.Click(chromedp.CSS(`.review-box button.primary`)),
	)
	b.waitText(sup, ".flash.ok", "已办结")
	b.waitText(sup, "h1", "已办结")
	if s := b.text(sup, "ol.timeline"); !strings.Contains(s, "印发") || !strings.Contains(s, "答复") || !strings.Contains(s, "办结") {
		t.Errorf("events: %q", s)
	}
	b.shot(sup, "letter-closed")
	b.open(sup, "/letters")
	if s := b.text(sup, "#letters-closed"); !strings.Contains(s, "章贡督提〔2024〕1号") {
		t.Errorf("closed letter not listed as closed: %q", s)
	}
	b.open(sup, letterPath+"/print")
	b.waitText(sup, "body", "章贡督提〔2024〕1号")
	buf, err := chromedp.Run(sup, chromedp.FullScreenshot(100))
	if err == nil {
		err = writeShot(b, "letter-print-desktop.png", buf)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func writeShot(b *browserRun, name string, png []byte) error {
	return os.WriteFile(filepath.Join(b.shotsDir, name), png, 0o644)
}
