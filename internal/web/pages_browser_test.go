package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"minsheng/internal/plan"
)

// Browser tests drive Debian's chromium with chromedp. They skip when no
// chromium is installed (.ci/run installs it). Every request a page makes
// is recorded: none may go to another host. Uncaught script errors and
// console errors (a CSP violation is one) fail the test. Screenshots of
// each page at 1366 px and 375 px (and of a logged-in page's menu opened
// at 375 px) go to artifacts/screenshots/ (or
// $MINSHENG_ARTIFACTS/screenshots).

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

type browserRun struct {
	t        *testing.T
	root     context.Context
	ts       *httptest.Server
	shotsDir string

	mu       sync.Mutex
	requests []string
	problems []string
}

func newBrowserRun(t *testing.T, ts *httptest.Server) *browserRun {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("未找到 chromium，跳过浏览器测试（apt-get install chromium fonts-noto-cjk 后可运行；CI 的 .ci/run 会安装）")
	}
	if testing.Short() {
		t.Skip("-short：跳过浏览器测试")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.WindowSize(1366, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelRoot(); cancelAlloc() })
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("chromium 无法启动：%v", err)
	}
	dir := os.Getenv("MINSHENG_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts")
	}
	b := &browserRun{t: t, root: root, ts: ts, shotsDir: filepath.Join(dir, "screenshots")}
	if err := os.MkdirAll(b.shotsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.checkRequests)
	return b
}

// tab opens a tab with cookies of its own (a browser context), recording
// its requests and console problems.
func (b *browserRun) tab() context.Context {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatal(err)
	}
	if err := chromedp.Listen(ctx, b.record); err != nil {
		b.t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		b.t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		b.t.Fatal(err)
	}
	return ctx
}

func (b *browserRun) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, e.Request.URL)
	case *runtime.EventExceptionThrown:
		msg := e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
		b.problems = append(b.problems, "script error: "+msg)
	case *cdplog.EventEntryAdded:
		if e.Entry.Level == cdplog.EntryLevelError && !strings.Contains(e.Entry.Text, "status of 4") {
			b.problems = append(b.problems, "console: "+e.Entry.Text+" "+e.Entry.URL)
		}
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			b.problems = append(b.problems, "console.error")
		}
	}
}

// checkRequests fails the test for any request to another host, and for
// any script or console error.
func (b *browserRun) checkRequests() {
	b.mu.Lock()
	defer b.mu.Unlock()
	own, _ := url.Parse(b.ts.URL)
	n := 0
	for _, raw := range b.requests {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "data" && u.Scheme != "blob" && u.Host != own.Host) {
			b.t.Errorf("a page requested another host: %s", raw)
		}
		n++
	}
	if n == 0 {
		b.t.Errorf("no request was recorded")
	}
	for _, p := range b.problems {
		b.t.Errorf("browser: %s", p)
	}
}

// do runs steps one after another. A step that found its node in a
// document then replaced (a redirect still loading, a re-layout) fails
// with a stale node ID before it acts — chromedp resolves the node, and
// scrolls to it, before it clicks or types — so it is run again, alone.
func (b *browserRun) do(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for _, step := range steps {
		var err error
		for try := 0; try < 3; try++ {
			if err = chromedp.Do(tctx, step); !staleNode(err) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			b.t.Fatalf("browser at %s: %v", loc, err)
		}
	}
}

// staleNode tells whether err is Chrome's answer about a node ID that no
// longer names a node.
func staleNode(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "No node with given id") || strings.Contains(err.Error(), "Could not find node with given id"))
}

func (b *browserRun) text(ctx context.Context, sel string) string {
	b.t.Helper()
	var err error
	// A node found while a redirect is still loading can vanish before it
	// is read ("No node with given id"): look it up again.
	for range 3 {
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		var s string
		s, err = chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if err == nil {
			return strings.TrimSpace(s)
		}
		if !staleNode(err) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatalf("text of %s: %v", sel, err)
	return ""
}

// open navigates to a path of the site and waits for its charts.
func (b *browserRun) open(ctx context.Context, path string) {
	b.t.Helper()
	b.do(ctx, chromedp.Navigate(b.ts.URL+path))
	b.waitCharts(ctx)
}

func (b *browserRun) waitCharts(ctx context.Context) {
	b.t.Helper()
	for i := 0; i < 50; i++ {
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`Array.from(document.querySelectorAll('[data-chart]')).every(e => e.getAttribute('data-drawn'))`))
		if err == nil && done {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Errorf("charts not drawn on %s", b.location(ctx))
}

// waitText waits until the element's text contains want (a page loaded
// after a form post, or an htmx swap).
func (b *browserRun) waitText(ctx context.Context, sel, want string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.textContent : ""; })()`, sel)
	var got string
	for i := 0; i < 100; i++ {
		got, _ = chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if strings.Contains(got, want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("at %s: %s says %q, want %q", b.location(ctx), sel, got, want)
}

func (b *browserRun) location(ctx context.Context) string {
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// shot saves the page at desktop width and at 375 px.
func (b *browserRun) shot(ctx context.Context, name string) {
	b.t.Helper()
	for _, w := range []struct {
		suffix string
		width  int64
	}{{"desktop", 1366}, {"375", 375}} {
		b.do(ctx, chromedp.EmulateViewport(w.width, 900))
		time.Sleep(400 * time.Millisecond) // the charts redraw after a resize
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(b.shotsDir, name+"-"+w.suffix+".png"), buf, 0o644); err != nil {
			b.t.Fatal(err)
		}
		if w.width == 375 {
			// Nothing may stick out sideways on a phone.
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
			if wide {
				b.t.Errorf("%s is wider than 375 px", name)
			}
			b.phoneMenu(ctx, name)
		}
	}
	b.do(ctx, chromedp.EmulateViewport(1366, 900))
	time.Sleep(200 * time.Millisecond)
}

// phoneMenuProblem says what is wrong with the open phone menu of a
// logged-in page ("" when nothing): every link of the navigation must be
// in it, inside the screen and big enough to tap, and the row of links
// that runs off the edge must be hidden.
const phoneMenuProblem = `(() => {
	const m = document.querySelector('details.nav-menu');
	const row = document.querySelector('header nav.nav');
	if (!m.open) return 'the menu does not open';
	if (getComputedStyle(row).display !== 'none') return 'the row of links still shows';
	const links = Array.from(m.querySelectorAll('nav a'));
	if (links.length !== row.querySelectorAll('a').length) return links.length + ' links in the menu, ' + row.querySelectorAll('a').length + ' in the row';
	const bad = links.filter(a => {
		const r = a.getBoundingClientRect();
		return !a.checkVisibility() || r.left < 0 || r.right > window.innerWidth || r.height < 40;
	});
	return bad.length ? 'out of reach: ' + bad.map(a => a.textContent).join('、') : '';
})()`

// phoneMenu opens the menu of a logged-in page at 375 px, checks it
// (phoneMenuProblem), saves it as name-375-menu.png and closes it.
func (b *browserRun) phoneMenu(ctx context.Context, name string) {
	b.t.Helper()
	if has, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('details.nav-menu')`)); !has {
		return // not logged in
	}
	b.do(ctx, chromedp.Click(chromedp.CSS("details.nav-menu > summary")))
	if problem, err := chromedp.Run(ctx, chromedp.Evaluate[string](phoneMenuProblem)); err != nil || problem != "" {
		b.t.Errorf("%s: the phone menu: %s %v", name, problem, err)
	}
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shotsDir, name+"-375-menu.png"), buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.do(ctx, chromedp.Click(chromedp.CSS("details.nav-menu > summary")))
}

// printShot saves the page as it prints (media print, A4 width).
func (b *browserRun) printShot(ctx context.Context, name string) {
	b.t.Helper()
	b.do(ctx, chromedp.EmulateViewport(794, 1123))
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		b.t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	os.WriteFile(filepath.Join(b.shotsDir, name+"-print.png"), buf, 0o644)
	hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('header.top')).display === 'none'`))
	if !hidden {
		b.t.Errorf("%s: the navigation prints", name)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		b.t.Fatal(err)
	}
	b.do(ctx, chromedp.EmulateViewport(1366, 900))
}

func (b *browserRun) login(ctx context.Context, username string) {
	b.t.Helper()
	b.do(ctx,
		chromedp.Navigate(b.ts.URL+"/login"),
		chromedp.SetValue(chromedp.CSS("#username"), username),
		chromedp.SetValue(chromedp.CSS("#password"), fixturePassword),
		chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("header .who")), // at any width (the row of links hides on a phone)
	)
}

// pagePNG writes a small photo-like PNG.
func pagePNG(t *testing.T) string {
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for y := 0; y < 120; y++ {
		for x := 0; x < 160; x++ {
			img.Set(x, y, color.RGBA{uint8(60 + x/2), uint8(120 + y/2), 90, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	path := filepath.Join(t.TempDir(), "现场照片.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBrowserReportCycle: a unit reporter fills and submits a monthly
// report with an attachment; the supervisor returns it with a reason; the
// reporter sees the reason, corrects it and resubmits; the supervisor
// accepts; the dashboard's numbers change accordingly.
func TestBrowserReportCycle(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	b := newBrowserRun(t, ts)
	p1 := f.projects[0]
	reportPath := "/projects/" + p1.ID + "/reports/2024-10"

	sup := b.tab()
	b.login(sup, "ducha")
	b.open(sup, "/dashboard")
	notReportedBefore := b.text(sup, ".st-not_reported .st-count")
	investBefore := b.text(sup, ".kpi:nth-child(2) .kpi-value")
	if notReportedBefore != "3" {
		t.Fatalf("未报送 before: %s", notReportedBefore)
	}
	b.shot(sup, "dashboard")
	b.printShot(sup, "dashboard")

	rep := b.tab()
	b.login(rep, "renshe")
	if loc := b.location(rep); !strings.Contains(loc, "/units/") {
		t.Fatalf("reporter lands on %s, want the unit page", loc)
	}
	b.shot(rep, "unit")
	b.open(rep, reportPath)
	targets := p1.ActiveTargets()
	// A wrong number is refused beside its field, in Chinese, naming it.
	b.do(rep,
		chromedp.SetValue(chromedp.CSS("#in-"+targets[0].ID), "一百"),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS("#error-summary")),
	)
	if msg := b.text(rep, "#f-targets\\."+targets[0].ID+" .field-error"); !strings.Contains(msg, targets[0].Metric) {
		t.Errorf("field error %q does not name 「%s」", msg, targets[0].Metric)
	}
	b.shot(rep, "report-errors")
	for _, tg := range targets {
		v := tg.Value.String() // rates and levels: held
		if tg.Kind == plan.KindQuantity {
			v = tg.Value.Mul(plan.DecimalFromInt(10)).DivRound(plan.DecimalFromInt(12).Decimal, 2).String()
		}
		b.do(rep, chromedp.SetValue(chromedp.CSS("#in-"+tg.ID), v))
	}
	b.do(rep,
		chromedp.SetValue(chromedp.CSS("#in-investment"), "560"),
		chromedp.SetValue(chromedp.CSS("#in-disbursed"), "470"),
		chromedp.SetValue(chromedp.CSS("#in-progress"), "10月新增发放创业担保贷款，组织创业培训两期。"),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
	)
	b.waitText(rep, ".flash.ok", "已保存草稿")
	// The attachment goes up inline (htmx) and shows as a thumbnail.
	b.do(rep,
		chromedp.SetUploadFiles(chromedp.CSS("#in-file"), []string{pagePNG(t)}),
		chromedp.Click(chromedp.CSS(`#attachments button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#attachments .thumbs img")),
	)
	b.shot(rep, "report")
	b.do(rep, chromedp.Click(chromedp.CSS(`button[value="submit"]`)))
	b.waitText(rep, ".flash.ok", "已报送")

	// The supervisor returns it from the queue, inline.
	reason := "投资完成数与拨付凭证不符，请核实后重报"
	b.open(sup, "/review")
	item := "#review-" + p1.ID + "-2024-10"
	b.shot(sup, "review")
	b.do(sup,
		chromedp.SetValue(chromedp.CSS(item+" input[name=reason]"), reason),
		chromedp.Click(chromedp.CSS(item+" button.danger")),
	)
	b.waitText(sup, item, "已退回")

	// The reporter sees the reason on the unit page and on the report.
	b.open(rep, "/units/"+p1.ReportingUnitIDs()[0])
	if s := b.text(rep, "#h-returned + ul"); !strings.Contains(s, reason) {
		t.Errorf("unit page does not show the reason: %q", s)
	}
	b.open(rep, reportPath)
	if s := b.text(rep, "#return-reason"); !strings.Contains(s, reason) {
		t.Errorf("report page does not show the reason: %q", s)
	}
	b.do(rep,
		chromedp.SetValue(chromedp.CSS("#in-investment"), "540"),
		chromedp.SetValue(chromedp.CSS("#in-disbursed"), "460"),
		chromedp.Click(chromedp.CSS(`button[value="submit"]`)),
	)
	b.waitText(rep, ".flash.ok", "已报送")

	// The supervisor accepts from the report page.
	b.open(sup, reportPath)
	b.do(sup, chromedp.Click(chromedp.CSS(`.review-box button.primary`)))
	b.waitText(sup, ".flash.ok", "已确认")

	b.open(sup, "/dashboard")
	if after := b.text(sup, ".st-not_reported .st-count"); after != "2" {
		t.Errorf("未报送 after the report was accepted: %s, want 2", after)
	}
	if after := b.text(sup, ".kpi:nth-child(2) .kpi-value"); after == investBefore {
		t.Errorf("累计完成投资 did not change: %s", after)
	}

	// The other main pages, for the screenshots.
	b.open(sup, "/projects")
	b.shot(sup, "projects")
	b.open(sup, "/projects/"+f.projects[13].ID)
	b.shot(sup, "project")
	b.printShot(sup, "project")
	b.open(rep, "/projects/"+p1.ID+"/monthly-plan")
	b.shot(rep, "monthly")
	adm := b.tab()
	b.login(adm, "admin")
	b.shot(adm, "admin")
	f.user(t, "sheng", "省领导", plan.RoleLeader, "", "360000")
	prov := b.tab()
	b.login(prov, "sheng") // lands on the province's roll-up
	b.waitText(prov, "h1", "江西省 2024年民生实事汇总")
	b.shot(prov, "rollup")
	b.open(prov, "/projects")
	b.shot(prov, "rollup-projects")
	anon := b.tab()
	b.open(anon, "/login")
	b.shot(anon, "login")
}

// TestBrowserImportPlan: a supervisor uploads a seed document, sees the
// parsed plan beside its source text with the findings, corrects a field
// and publishes; the project list shows the correction.
func TestBrowserImportPlan(t *testing.T) {
	f := newPageFixture(t)
	ts := f.start(t)
	b := newBrowserRun(t, ts)
	f.user(t, "xinjian", "新建区督查室", "supervisor", "", "360112")
	sup := b.tab()
	b.login(sup, "xinjian")
	b.open(sup, "/import")
	b.shot(sup, "import")
	seed, _ := filepath.Abs("../../testdata/seeds/xinjian-2024.txt")
	b.do(sup,
		chromedp.SetUploadFiles(chromedp.CSS("#in-plan-file"), []string{seed}),
		chromedp.Click(chromedp.CSS(`form.upload button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".side-by-side")),
	)
	// Poll: the upload answers with a redirect, and a node found during
	// the navigation may be gone when it is read.
	b.waitText(sup, ".source-text", "新府发〔2024〕5号")
	if n, _ := chromedp.Run(sup, chromedp.Evaluate[int](`document.querySelectorAll('details.project-edit').length`)); n != 15 {
		t.Fatalf("parsed projects: %d, want 15", n)
	}
	b.shot(sup, "plan-review")
	b.do(sup,
		chromedp.SetValue(chromedp.CSS(`input[name="p.0.title"]`), "支持重点群体就业创业（已核对）"),
		chromedp.Click(chromedp.CSS(`.plan-form .form-actions button`)),
	)
	b.waitText(sup, ".flash.ok", "已保存对导入结果的修改")
	b.do(sup, chromedp.Click(chromedp.CSS(`form.publish button`)))
	b.waitText(sup, ".flash.ok", "已发布")
	b.open(sup, "/projects?jurisdiction=360112&period=2024-10")
	if s := b.text(sup, "table.list tbody"); !strings.Contains(s, "支持重点群体就业创业（已核对）") {
		t.Errorf("the corrected title is not in the project list")
	}
}
