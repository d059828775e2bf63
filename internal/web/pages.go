package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"minsheng/internal/plan"
)

// The Chinese pages: server-rendered html/template, readable without
// JavaScript; htmx (vendored) for a few inline actions; ECharts (vendored)
// for charts, drawn by static/app.js from JSON in data attributes, since
// the CSP allows no inline script. One handler per page file (pages_*.go),
// each parse → store → render; templates are parsed once, at New.

//go:embed templates/*.html
var templateFiles embed.FS

// pageSet holds one template set per page: the layout and partials
// (templates/_*.html) cloned with the page's own file, so that every page
// can define the same blocks.
type pageSet struct {
	pages map[string]*template.Template
}

// parsePages parses every template once. An error is a bug in an embedded
// file: tests catch it.
func parsePages() (*pageSet, error) {
	base := template.New("layout").Funcs(pageFuncs)
	partials, err := fs.Glob(templateFiles, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	if base, err = base.ParseFS(templateFiles, partials...); err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	ps := &pageSet{pages: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if t, err = t.ParseFS(templateFiles, f); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		ps.pages[name] = t
	}
	return ps, nil
}

// navItem is one link of the top navigation.
type navItem struct {
	Href, Label string
	Active      bool
}

// basePage is what the layout needs; every page's data embeds it.
type basePage struct {
	Title    string
	Nav      []navItem
	User     *plan.User
	UnitName string
	CSRF     string
	// Flash is a success message after a redirect (?ok=…), Error a message
	// shown at the top of the page.
	Flash string
	Error string
	// Wide pages use the full width (the import review).
	Wide bool
}

// base fills the layout's data for a request; active names the navigation
// entry of the page.
func (s *Server) base(r *http.Request, title, active string) basePage {
	u := userOf(r)
	b := basePage{Title: title, User: u, CSRF: CSRFOf(r), Flash: flashMessages[r.URL.Query().Get("ok")]}
	if u == nil {
		return b
	}
	if u.UnitID != "" {
		if unit, err := s.Store.GetUnit(r.Context(), u.UnitID); err == nil {
			b.UnitName = unit.Name
		}
	}
	add := func(key, href, label string) {
		b.Nav = append(b.Nav, navItem{Href: href, Label: label, Active: key == active})
	}
	if u.UnitID != "" && (u.Role == plan.RoleReporter || u.Role == plan.RoleContributor) {
		add("unit", "/units/"+url.PathEscape(u.UnitID), "我的任务")
	}
	if s.hasShares(r.Context(), u) {
		add("shares", "/shares", "分解任务")
	}
	if u.UnitID != "" && u.Role == plan.RoleReporter {
		add("bulk", "/bulk", "批量填报")
	}
	if u.Role != plan.RoleAdmin {
		add("dashboard", "/dashboard", "总览")
		add("projects", "/projects", "项目")
		add("hierarchy", "/hierarchy", "层级")
		add("votes", "/votes", "人大票决")
		add("letters", "/letters", "督办")
	}
	add("compare", "/compare", "对比")
	if u.Role == plan.RoleSupervisor {
		add("review", "/review", "审核")
		add("moderation", "/moderation", "意见审核")
		add("import", "/import", "导入计划")
	}
	if u.Role == plan.RoleAdmin {
		add("admin", "/admin", "用户与单位")
		add("contacts", "/admin/contacts", "提醒联系方式")
	}
	if u.Role == plan.RoleSupervisor || u.Role == plan.RoleAdmin {
		add("outbox", "/outbox", "提醒记录")
	}
	return b
}

// flashMessages are the fixed success messages a redirect may ask for.
var flashMessages = map[string]string{
	"saved":            "已保存草稿。",
	"own_password":     "密码已修改。",
	"totp_on":          "已启用动态验证码，下次登录时请填写。",
	"totp_off":         "已停用动态验证码。",
	"submitted":        "已报送，等待民生办/督查室审核。",
	"accepted":         "已确认该报告。",
	"returned":         "已退回，填报单位将看到退回理由。",
	"attached":         "附件已上传。",
	"contributed":      "已保存本单位的补充情况。",
	"approved":         "已审核通过月度计划。",
	"reopened":         "已重新打开，退回填报单位修改。",
	"published":        "计划已发布，项目进入月度调度。",
	"corrected":        "已保存对导入结果的修改。",
	"user":             "已创建用户。",
	"unit":             "已添加单位。",
	"disabled":         "已停用该用户。",
	"enabled":          "已启用该用户。",
	"password":         "已重设密码。",
	"inspected":        "已登记实地督查。",
	"inspected_letter": "已登记实地督查；核查不符，已按督办规则起草函件，请审核后印发。",
	"carryover":        "已保存跨年度结转设置。",

	"letter-drafted":   "已起草函件，请审阅、修改后印发。",
	"letter-saved":     "已保存函件草稿。",
	"letter-issued":    "函件已印发，已编定文号和答复期限。",
	"letter-answered":  "已提交整改落实情况。",
	"letter-closed":    "已办结。",
	"letter-rejected":  "已退回整改，牵头单位将看到退回理由。",
	"letter-withdrawn": "草稿已作废（留存备查）。",
	"round":            "已新建票决轮次，开始征集候选项目。",
	"settings":         "已保存票决设置。",
	"proposed":         "已提交候选项目。",
	"moderated":        "已更新候选项目。",
	"opened":           "已开始投票。",
	"voted":            "已投票。本轮为无记名投票，系统不保存您的选择。",
	"closed":           "投票已结束，计票结果已公布。",
	"adopted":          "当选项目已加入年度计划草稿，请补充目标后发布。",
	"evaluated":        "已提交年终满意度测评。",
	"approved-comment": "意见已通过，将在公开页面显示。",
	"rejected-comment": "意见未予通过，理由已记录。",
	"released":         "公开设置已保存，公开页面随即更新。",
	"contact":          "已保存该单位的提醒联系方式。",
}

// render executes a page into a buffer, so that a template error is a 500
// rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	s.renderTemplate(w, r, status, name, "layout", data)
}

// renderFragment executes one named template of a page, for htmx.
func (s *Server) renderFragment(w http.ResponseWriter, r *http.Request, page, fragment string, data any) {
	s.renderTemplate(w, r, http.StatusOK, page, fragment, data)
}

func (s *Server) renderTemplate(w http.ResponseWriter, r *http.Request, status int, page, tmpl string, data any) {
	t := s.pageSet().pages[page]
	if t == nil {
		s.Log.Error("no such page template", "page", page)
		http.Error(w, "系统内部错误", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, tmpl, data); err != nil {
		s.Log.Error("template", "page", page, "template", tmpl, "err", err)
		http.Error(w, "系统内部错误：页面无法显示", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// pageSet returns the parsed templates, parsing them now for a Server
// built without New.
func (s *Server) pageSet() *pageSet {
	s.pagesOnce.Do(func() {
		if s.pages == nil {
			ps, err := parsePages()
			if err != nil {
				panic("web: templates: " + err.Error())
			}
			s.pages = ps
		}
	})
	return s.pages
}

// requirePage wraps a page that needs a logged-in user: an anonymous
// visitor is sent to the login page, and back afterwards.
func (s *Server) requirePage(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if userOf(r) == nil {
			target := "/login"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		h(w, r)
	}
}

// errorPage is the data of the error page.
type errorPage struct {
	basePage
	Status  int
	Message string
}

// pageFail shows err as a page: the domain's codes become statuses as in
// the API, an outage is 503 as there (asOutage); anything else is logged
// and shown as a generic 500.
func (s *Server) pageFail(w http.ResponseWriter, r *http.Request, err error) {
	err = asOutage(err)
	var e *plan.Error
	status, msg := http.StatusInternalServerError, plan.ErrorMessage(err)
	if errors.As(err, &e) {
		if e.Code == plan.EUnauthorized && userOf(r) == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if st, ok := statusOf[e.Code]; ok {
			status = st
		} else {
			status = http.StatusBadRequest
		}
		if status == http.StatusServiceUnavailable {
			s.unavailable(w, r, err)
		}
	} else {
		s.Log.Error("internal error", "path", r.URL.Path, "err", err)
	}
	title := "出错了"
	switch status {
	case http.StatusNotFound:
		title = "找不到页面"
	case http.StatusForbidden:
		title = "无权访问"
	case http.StatusServiceUnavailable:
		title = "服务暂时不可用"
	}
	s.render(w, r, status, "error", errorPage{basePage: s.base(r, title, ""), Status: status, Message: msg})
}

// pageNotFound answers every path no route knows.
func (s *Server) pageNotFound(w http.ResponseWriter, r *http.Request) {
	s.pageFail(w, r, plan.Errorf(plan.ENotFound, "没有这个页面：%s", r.URL.Path))
}

// wantsPage reports whether a request comes from a page's form (a browser
// asking for HTML outside the API), so that an error is shown as a page.
func wantsPage(r *http.Request) bool {
	return !strings.HasPrefix(r.URL.Path, "/api/") && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// isHTMX reports whether htmx sent the request (it then wants a fragment).
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// redirect answers a form post with a redirect to a page (303, so that the
// browser GETs it), adding ?ok=flash.
func redirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "ok=" + url.QueryEscape(flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// localPath returns p when it is a path of this site, otherwise def: a
// ?next= must not send a user to another host.
func localPath(p, def string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return def
	}
	return p
}

// home is where a user starts: a unit's own task list, the admin's users,
// everyone else the dashboard.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	switch {
	case u == nil:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	case u.UnitID != "" && (u.Role == plan.RoleReporter || u.Role == plan.RoleContributor):
		http.Redirect(w, r, "/units/"+url.PathEscape(u.UnitID), http.StatusSeeOther)
	case u.Role == plan.RoleAdmin:
		http.Redirect(w, r, "/admin", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	}
}

// fieldErrors groups the problems of a validation by field, for forms
// that show each message beside its input.
type fieldErrors map[string][]string

func (fe fieldErrors) add(field, msg string) { fe[field] = append(fe[field], msg) }

// Has reports whether the field has a message (templates: aria-invalid).
func (fe fieldErrors) Has(field string) bool { return len(fe[field]) > 0 }

// Of returns the messages of a field.
func (fe fieldErrors) Of(field string) []string { return fe[field] }

// problemsOf turns a store error into field messages and a summary; a
// non-validation error gives only the summary.
func problemsOf(err error) (fieldErrors, []plan.Problem, string) {
	fe := fieldErrors{}
	var e *plan.Error
	if !errors.As(err, &e) {
		return fe, nil, plan.ErrorMessage(err)
	}
	var list []plan.Problem
	for _, p := range e.Details {
		if p.Severity == plan.ProblemError {
			fe.add(p.Field, p.Message)
			list = append(list, p)
		}
	}
	if len(list) == 0 {
		fe.add(e.Field, e.Message)
		list = append(list, plan.Problem{Field: e.Field, Message: e.Message, Severity: plan.ProblemError})
	}
	return fe, list, e.Message
}
