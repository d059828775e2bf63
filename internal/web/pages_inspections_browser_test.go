package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minsheng/internal/plan"
)

// TestBrowserInspection: the supervisor records a visit to project 1 that
// finds half of the figure last reported, with a photo; a wrong entry is
// refused beside its field first. The project page shows the visit, the
// reports it found short and the letter drafted; the lead unit sees
// 核查不符 on its report.
func TestBrowserInspection(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	b := newBrowserRun(t, ts)
	p1 := f.projects[0]
	reported, err := f.st.LastReported(f.ctx, p1.ID, "2024-11")
	if err != nil {
		t.Fatal(err)
	}
	var tg plan.TargetRecord
	for _, x := range p1.ActiveTargets() {
		if r, ok := reported[x.ID]; ok && x.Kind == plan.KindQuantity && r.Value.IsPositive() {
			tg = x
			break
		}
	}
	if tg.ID == "" {
		t.Fatal("project 1 has no reported quantity")
	}
	last := reported[tg.ID]
	half := last.Value.DivRound(plan.DecimalFromInt(2).Decimal, 2).String()

	sup := b.tab()
	b.login(sup, "ducha")
	b.open(sup, "/projects/"+p1.ID)
	b.do(sup, chromedp.Click(chromedp.CSS(`a[href$="/inspections/new"]`)))
	b.waitText(sup, "h1", "登记实地督查")
	if got := b.text(sup, "#f-findings\\[0\\]\\.found td:nth-of-type(1)"); !strings.Contains(got, last.Period.Label()) {
		t.Errorf("last reported cell %q lacks %s", got, last.Period.Label())
	}
	// Without inspectors, and with a word for a number: refused, in place.
	b.do(sup,
		chromedp.SetValue(chromedp.CSS("#in-place"), "区人社局创业服务中心"),
		chromedp.SetValue(chromedp.CSS(`input[name="found.`+tg.ID+`"]`), "一半"),
		chromedp.Click(chromedp.CSS(`.inspection-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#error-summary")),
	)
	summary := b.text(sup, "#error-summary")
	for _, want := range []string{"督查人员", tg.Metric + "」的核查数应为数字"} {
		if !strings.Contains(summary, want) {
			t.Errorf("error summary %q lacks %q", summary, want)
		}
	}
	b.shot(sup, "inspection-errors")
	b.do(sup,
		chromedp.SetValue(chromedp.CSS("#in-date"), "2024-11-10"),
		chromedp.SetValue(chromedp.CSS("#in-inspectors"), "李明、王芳"),
		chromedp.SetValue(chromedp.CSS(`input[name="found.`+tg.ID+`"]`), half),
		chromedp.SetValue(chromedp.CSS(`input[name="note.`+tg.ID+`"]`), "台账与上报数不一致"),
		chromedp.SetValue(chromedp.CSS("#in-narrative"), "现场查阅贷款发放台账，抽查20户创业主体。"),
		chromedp.SetUploadFiles(chromedp.CSS("#in-photos"), []string{pagePNG(t)}),
	)
	b.shot(sup, "inspection-form")
	b.do(sup, chromedp.Click(chromedp.CSS(`.inspection-form button[type="submit"]`)))
	b.waitText(sup, ".flash.ok", "核查不符，已按督办规则起草函件")
	b.waitText(sup, "#h-visits", "实地督查")
	visit := b.text(sup, ".visits li")
	for _, want := range []string{"2024-11-10", "核查不符", "李明、王芳", "区人社局创业服务中心", half, "督办函"} {
		if !strings.Contains(visit, want) {
			t.Errorf("visit on the project page lacks %q: %s", want, visit)
		}
	}
	// The thumbnail loads lazily: in view, it must arrive (served to the
	// supervisor through the visit's access check).
	b.do(sup, chromedp.ScrollIntoView(chromedp.CSS(".visits .thumbs img")))
	loaded := false
	for range 50 {
		if ok, _ := chromedp.Run(sup, chromedp.Evaluate[bool](`(() => { const i = document.querySelector('.visits .thumbs img'); return i.complete && i.naturalWidth > 0 })()`)); ok {
			loaded = true
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !loaded {
		t.Error("the photo does not load")
	}
	if got := b.text(sup, ".timeline:not(.visits) .state-mismatch"); got != "核查不符" {
		t.Errorf("report timeline mark %q", got)
	}
	b.do(sup, chromedp.ScrollIntoView(chromedp.CSS("#h-visits")))
	b.shot(sup, "project-visits")

	rep := b.tab()
	b.login(rep, "renshe")
	b.open(rep, "/projects/"+p1.ID+"/reports/"+last.Period.String())
	if got := b.text(rep, "#mismatch"); !strings.Contains(got, "现场核查 "+half) {
		t.Errorf("report banner: %s", got)
	}
	b.shot(rep, "report-mismatch")
	// A unit cannot open the form.
	b.open(rep, "/projects/"+p1.ID+"/inspections/new")
	if got := b.text(rep, "h1"); !strings.Contains(got, "无权访问") {
		t.Errorf("reporter opens the visit form: %s", got)
	}
}
