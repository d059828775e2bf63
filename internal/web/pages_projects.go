package web

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"minsheng/internal/plan"
)

type option struct {
	Value, Label string
}

type sortLink struct {
	Key, Label, Href string
	Active, Desc     bool
}

type projectsPage struct {
	basePage
	Scope      *scope
	Rows       []projectRow
	Total      int
	Q          string
	Category   string
	Unit       string
	Status     string
	Tag        string
	Leader     string
	Categories []option
	Units      []option
	Leaders    []string
	Statuses   []plan.Status
	Sorts      []sortLink
	Desc       bool
	Matching   int // rows that pass the filters, on every page
	Pager      pager
}

// projectsPage: GET /projects — 项目列表 with filters (category, unit,
// status, 人大票决, leader), a text search and sortable columns.
func (s *Server) projectsPage(w http.ResponseWriter, r *http.Request) {
	sc, err := s.pageScope(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	_, rows, err := s.projectRows(r.Context(), sc.Code, sc.Period)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	q := r.URL.Query()
	pg := projectsPage{basePage: s.base(r, "项目列表", "projects"), Scope: sc, Total: len(rows),
		Q: strings.TrimSpace(q.Get("q")), Category: q.Get("category"), Unit: q.Get("unit"), Status: q.Get("status"),
		Tag: q.Get("tag"), Leader: q.Get("leader"), Statuses: plan.Statuses}

	// Options come from all rows, before filtering.
	cats, units, leaders := map[string]string{}, map[string]string{}, map[string]bool{}
	for _, row := range rows {
		p := row.P
		if p.CategorySeq != nil {
			cats[strconv.Itoa(*p.CategorySeq)] = p.CategoryTitle
		}
		for _, u := range p.Units {
			units[u.UnitID] = u.UnitName
		}
		for _, l := range projectLeaders(p) {
			leaders[l] = true
		}
	}
	for k, v := range cats {
		pg.Categories = append(pg.Categories, option{k, v})
	}
	sort.Slice(pg.Categories, func(i, j int) bool {
		a, _ := strconv.Atoi(pg.Categories[i].Value)
		b, _ := strconv.Atoi(pg.Categories[j].Value)
		return a < b
	})
	for k, v := range units {
		pg.Units = append(pg.Units, option{k, v})
	}
	sort.Slice(pg.Units, func(i, j int) bool { return pg.Units[i].Label < pg.Units[j].Label })
	for l := range leaders {
		pg.Leaders = append(pg.Leaders, l)
	}
	sort.Strings(pg.Leaders)

	for _, row := range rows {
		if pg.matches(&row) {
			pg.Rows = append(pg.Rows, row)
		}
	}
	key, desc := q.Get("sort"), q.Get("dir") == "desc"
	pg.Desc = desc
	sortRows(pg.Rows, key, desc)
	for _, sl := range []struct{ key, label string }{{"seq", "序号"}, {"title", "项目"}, {"status", "状态"}, {"completion", "完成率"}, {"investment", "年度投资"}} {
		v := url.Values{}
		for k, vs := range q {
			if k != "sort" && k != "dir" && k != "ok" && k != "page" {
				v[k] = vs
			}
		}
		active := key == sl.key || (key == "" && sl.key == "seq")
		v.Set("sort", sl.key)
		if active && !desc {
			v.Set("dir", "desc")
		}
		pg.Sorts = append(pg.Sorts, sortLink{Key: sl.key, Label: sl.label, Href: "/projects?" + v.Encode(), Active: active, Desc: active && desc})
	}
	pg.Matching = len(pg.Rows)
	pg.Rows, pg.Pager = paginate(r, pg.Rows)
	s.render(w, r, http.StatusOK, "projects", pg)
}

// projectLeaders are the project's responsible leaders and those of its
// sub-projects.
func projectLeaders(p *plan.ProjectRecord) []string {
	out := append([]string(nil), p.Leaders...)
	for _, sp := range p.Subprojects {
		for _, l := range sp.Leaders {
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

func (pg *projectsPage) matches(row *projectRow) bool {
	p := row.P
	if pg.Category != "" && (p.CategorySeq == nil || strconv.Itoa(*p.CategorySeq) != pg.Category) {
		return false
	}
	if pg.Unit != "" && !slices.ContainsFunc(p.Units, func(u plan.ProjectUnit) bool { return u.UnitID == pg.Unit }) {
		return false
	}
	switch pg.Status {
	case "":
	case "attention":
		if !row.Status.NeedsAttention() {
			return false
		}
	default:
		if string(row.Status) != pg.Status {
			return false
		}
	}
	if pg.Tag == "congress" && !p.CongressVoted() {
		return false
	}
	if pg.Leader != "" && !slices.Contains(projectLeaders(p), pg.Leader) {
		return false
	}
	if pg.Q != "" {
		hay := []string{p.Title, p.Text, p.CategoryTitle, strings.Join(p.Tags, " "), strings.Join(projectLeaders(p), " ")}
		for _, u := range p.Units {
			hay = append(hay, u.UnitName)
		}
		for _, sp := range p.Subprojects {
			hay = append(hay, sp.Name, strings.Join(sp.Locations, " "))
			if sp.Content != nil {
				hay = append(hay, *sp.Content)
			}
		}
		text := strings.Join(hay, "\n")
		for _, word := range strings.Fields(pg.Q) {
			if !strings.Contains(text, word) {
				return false
			}
		}
	}
	return true
}

var statusRank = map[plan.Status]int{plan.StatusFarBehind: 0, plan.StatusNotReported: 1, plan.StatusBehind: 2, plan.StatusDue: 3, plan.StatusOnTrack: 4, plan.StatusDone: 5}

func sortRows(rows []projectRow, key string, desc bool) {
	less := func(a, b *projectRow) bool { return a.P.Seq < b.P.Seq }
	switch key {
	case "title":
		less = func(a, b *projectRow) bool { return a.P.Title < b.P.Title }
	case "status":
		less = func(a, b *projectRow) bool { return statusRank[a.Status] < statusRank[b.Status] }
	case "completion":
		less = func(a, b *projectRow) bool { return a.Completion < b.Completion }
	case "investment":
		less = func(a, b *projectRow) bool {
			switch {
			case a.P.Investment == nil:
				return b.P.Investment != nil
			case b.P.Investment == nil:
				return false
			}
			return a.P.Investment.LessThan(b.P.Investment.Decimal)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if desc {
			return less(&rows[j], &rows[i])
		}
		return less(&rows[i], &rows[j])
	})
}
