package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"minsheng/internal/division"
	"minsheng/internal/indicator"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// The pages of the hierarchy (层级: 任务分解, roll-up, links of repeated
// projects; 分解任务 for the lower units) and of the comparison of
// standards across places (对比).

func init() {
	pageFuncs["indicatorName"] = indicatorName
	for k, v := range map[string]string{
		"split":    "已保存任务分解，各地报送单位将在“分解任务”中看到本地任务。",
		"linked":   "已确认关联：该下级项目在汇总中不再重复计算。",
		"unlinked": "已取消关联。",
		"mapped":   "已保存该目标对应的指标。",
		"unmapped": "已撤销人工对应，恢复按指标表匹配。",
		"share":    "已报送分解任务的完成情况。",
	} {
		flashMessages[k] = v
	}
}

// ---- 对比 ----

type compareOption struct {
	Code, Name string
	Selected   bool
}

type yearOption struct {
	Year     int
	Selected bool
}

// mappable is a target a person may map to an indicator on the page.
type mappable struct {
	indicator.Target
	Current string // the indicator it is mapped to by hand, "" none
}

type comparePage struct {
	basePage
	Places     []compareOption
	Years      []yearOption
	Indicators []indicator.Indicator
	Chosen     indicator.Indicator
	C          *comparison
	Chart      *chart
	// Unmatched: standard-like targets nobody mapped; CanMap says, per
	// target ID, whether the user may map it.
	Unmatched []indicator.Target
	// Manual: targets mapped by hand that the user may change back.
	Manual []mappable
	CanMap map[string]bool
	Query  string
}

// comparePage: GET /compare — the standards of published plans side by
// side (every indicator × the chosen jurisdictions and years), a chart of
// one indicator, and the standard-like targets no indicator matches.
func (s *Server) comparePage(w http.ResponseWriter, r *http.Request) {
	ctx, u, q := r.Context(), userOf(r), r.URL.Query()
	// The table shows every indicator; ?indicator= picks the chart's.
	chosen := queryList(q, "indicator")
	plans, err := s.Store.PublishedPlans(ctx)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	all := url.Values{"jurisdiction": q["jurisdiction"], "year": q["year"]}
	if len(all["jurisdiction"]) == 0 {
		all["jurisdiction"] = defaultPlaces(u, plans)
	}
	c, err := s.compareQuery(ctx, all)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	for _, id := range chosen {
		if err := checkIndicator(id); err != nil {
			s.pageFail(w, r, err)
			return
		}
	}
	pg := comparePage{basePage: s.base(r, "各地标准对比", "compare"), C: c, Indicators: indicator.Default().All(), CanMap: map[string]bool{},
		Query: r.URL.RawQuery}
	chosenCodes, chosenYears := map[string]bool{}, map[int]bool{}
	for _, col := range c.Columns {
		chosenCodes[col.JurisdictionCode], chosenYears[col.Year] = true, true
	}
	seen := map[string]bool{}
	var years []int
	for _, pp := range plans {
		if !seen[pp.JurisdictionCode] {
			seen[pp.JurisdictionCode] = true
			pg.Places = append(pg.Places, compareOption{Code: pp.JurisdictionCode, Name: placeName(pp.JurisdictionCode, pp.JurisdictionName), Selected: chosenCodes[pp.JurisdictionCode]})
		}
		if !slices.Contains(years, pp.Year) {
			years = append(years, pp.Year)
		}
	}
	slices.Sort(years)
	for _, y := range years {
		pg.Years = append(pg.Years, yearOption{Year: y, Selected: chosenYears[y]})
	}

	// The chart: the indicator asked for, else the first set in two columns or more.
	pick := -1
	if len(chosen) > 0 {
		pick = slices.IndexFunc(c.Items, func(x indicator.Comparison) bool { return x.Indicator.ID == chosen[0] })
	}
	for i := 0; pick < 0 && i < len(c.Items); i++ {
		if c.Items[i].Set >= 2 {
			pick = i
		}
	}
	if pick < 0 && len(c.Items) > 0 {
		pick = 0
	}
	if pick >= 0 {
		it := c.Items[pick]
		pg.Chosen = it.Indicator
		years := map[int]bool{}
		for _, col := range c.Columns {
			years[col.Year] = true
		}
		ch := &chart{ID: "chart-compare", Type: "bar", Title: it.Indicator.Name + "（" + it.Indicator.Unit + "）", Unit: it.Indicator.Unit,
			Caption: "数值取自各地已发布计划中对应该指标的目标；未设定的地区为空。"}
		series := chartSeries{Name: it.Indicator.Name, Kind: "bar", Color: colorAccent}
		for _, cell := range it.Cells {
			name := cell.JurisdictionName
			if len(years) > 1 {
				name += fmt.Sprintf(" %d", cell.Year)
			}
			ch.Categories = append(ch.Categories, name)
			series.Data = append(series.Data, floatOf(cell.Value))
		}
		ch.Series = []chartSeries{series}
		pg.Chart = ch
	}

	canMap := func(t *indicator.Target) bool {
		return plan.Can(u, plan.ActionMapIndicator, plan.Resource{Kind: plan.ResourceProject, JurisdictionCode: t.JurisdictionCode})
	}
	pg.Unmatched = c.Unmatched
	for i := range c.Unmatched {
		pg.CanMap[c.Unmatched[i].TargetID] = canMap(&c.Unmatched[i])
	}
	for _, t := range c.targets {
		if t.Override != nil && canMap(&t) {
			pg.Manual = append(pg.Manual, mappable{Target: t, Current: *t.Override})
		}
	}
	s.render(w, r, http.StatusOK, "compare", pg)
}

// defaultPlaces are the jurisdictions the 对比 page starts with: those
// with a published plan in the user's province (all for a user without a
// jurisdiction), at most twelve, so that a national installation does not
// open on thousands of columns.
func defaultPlaces(u *plan.User, plans []store.PublishedPlan) []string {
	const most = 12
	prefix := ""
	if u != nil && len(u.JurisdictionCode) == 6 {
		prefix = u.JurisdictionCode[:2]
	}
	var out []string
	for _, pp := range plans {
		if len(out) < most && strings.HasPrefix(pp.JurisdictionCode, prefix) && !slices.Contains(out, pp.JurisdictionCode) {
			out = append(out, pp.JurisdictionCode)
		}
	}
	return out
}

// indicatorName names an indicator for the page ("" → 不对应任何指标).
func indicatorName(id string) string {
	if id == "" {
		return "不对应任何指标"
	}
	if ind, ok := indicator.Default().Get(id); ok {
		return ind.Name
	}
	return id
}

// compareMap: POST /compare/targets/{targetID} — map a target to an
// indicator (indicator_id; "-" for none), or undo a mapping (clear=1).
func (s *Server) compareMap(w http.ResponseWriter, r *http.Request) {
	back := "/compare"
	if q := r.PostFormValue("back"); q != "" && !strings.ContainsAny(q, "\r\n#") {
		back += "?" + q
	}
	id, u := r.PathValue("targetID"), userOf(r)
	var err error
	flash := "mapped"
	if r.PostFormValue("clear") == "1" {
		err, flash = s.Store.ClearIndicatorOverride(r.Context(), u, id), "unmapped"
	} else {
		ind := r.PostFormValue("indicator_id")
		switch ind {
		case "":
			err = plan.FieldError("indicator_id", "请选择要对应的指标")
		case "-":
			ind = ""
		}
		if err == nil {
			err = checkIndicator(ind)
		}
		if err == nil {
			err = s.Store.SetIndicatorOverride(r.Context(), u, id, ind)
		}
	}
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	redirect(w, r, back, flash)
}

// ---- 层级 ----

// splitView is one split target on the page: its roll-up, the chart
// comparing the lower jurisdictions, and which of them lag.
type splitView struct {
	store.SplitRollup
	Chart   *chart
	Lagging []string
}

type splitCandidate struct {
	ProjectSeq   int
	ProjectTitle string
	Target       plan.TargetRecord
	Split        bool
}

type hierarchyPage struct {
	basePage
	Scope      *scope
	V          *hierarchyView
	Splits     []splitView
	Candidates []splitCandidate
	// CanSplit: the user may split this jurisdiction's targets and link
	// its projects (its supervisor).
	CanSplit bool
	// ShareForm: the shares given to this jurisdiction the user reports.
	ReportsShares      bool
	ChildrenWithShares map[string]bool
}

// levelScope is pageScope for the hierarchy: a jurisdiction without a plan
// of its own (a county of a city that splits its targets) takes its
// default month from the nearest jurisdiction above that has one.
func (s *Server) levelScope(r *http.Request) (*scope, error) {
	sc, err := s.pageScope(r)
	if err != nil || sc.HasPlan || r.URL.Query().Get("period") != "" {
		return sc, err
	}
	d, ok := division.ByCode(sc.Code)
	if !ok {
		return sc, nil
	}
	if sc.Name == sc.Code {
		sc.Name = division.FullName(d)
	}
	if !slices.ContainsFunc(sc.Options, func(o scopeOption) bool { return o.Code == sc.Code }) {
		// The selector lists jurisdictions with a plan; keep this one selected.
		sc.Options = append([]scopeOption{{Code: sc.Code, Name: sc.Name}}, sc.Options...)
	}
	anc := division.Ancestors(d)
	for i := len(anc) - 1; i >= 0; i-- {
		for _, o := range sc.Options {
			if o.Code == anc[i].Code && len(o.Years) > 0 {
				if sc.Period, err = s.defaultPeriod(r.Context(), o.Code, o.Years); err != nil {
					return nil, err
				}
				sc.Periods = sc.Periods[:0]
				last := time.December
				if now := plan.PeriodOf(s.Now()); now.Year == sc.Period.Year && now.Month > sc.Period.Month {
					last = now.Month
				} else if now.Year == sc.Period.Year {
					last = sc.Period.Month
				}
				for m := time.January; m <= last; m++ {
					sc.Periods = append(sc.Periods, plan.Period{Year: sc.Period.Year, Month: m})
				}
				return sc, nil
			}
		}
	}
	return sc, nil
}

// hierarchyPage: GET /hierarchy — 层级: where the jurisdiction sits, the
// roll-up of each target it split among those below (table and chart by
// county), the targets it can still split, the lower plans' projects that
// repeat its own (confirmed and suggested), and what those above asked of
// it.
func (s *Server) hierarchyPage(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	sc, err := s.levelScope(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	v, err := s.loadHierarchy(ctx, sc.Code, sc.Period)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	pg := hierarchyPage{basePage: s.base(r, v.Jurisdiction.Name+" 层级与任务分解", "hierarchy"), Scope: sc, V: v,
		CanSplit: plan.Can(u, plan.ActionSplitTarget, plan.Resource{Kind: plan.ResourceProject, JurisdictionCode: sc.Code}) && len(v.Children) > 0}
	for _, sp := range v.Splits {
		pg.Splits = append(pg.Splits, splitChart(sp))
	}
	if pg.CanSplit && v.Jurisdiction.PlanID != "" {
		ps, err := s.Store.ListProjects(ctx, store.ProjectFilter{JurisdictionCode: sc.Code, Year: sc.Period.Year})
		if err != nil {
			s.pageFail(w, r, err)
			return
		}
		split := map[string]bool{}
		for _, sp := range v.Splits {
			split[sp.Target.ID] = true
		}
		for _, p := range ps {
			for _, t := range p.ActiveTargets() {
				if t.Splittable() {
					pg.Candidates = append(pg.Candidates, splitCandidate{ProjectSeq: p.Seq, ProjectTitle: p.Title, Target: t, Split: split[t.ID]})
				}
			}
		}
	}
	for _, sh := range v.Shares {
		if u.UnitID == sh.UnitID {
			pg.ReportsShares = true
		}
	}
	s.render(w, r, http.StatusOK, "hierarchy", pg)
}

// splitChart draws a split's lower jurisdictions side by side: completion
// against 序时进度, so that the one lagging shows at a glance.
func splitChart(sp store.SplitRollup) splitView {
	v := splitView{SplitRollup: sp}
	ch := &chart{ID: "chart-split-" + sp.Target.ID, Type: "bar", Unit: sp.Target.Unit,
		Label:   fmt.Sprintf("%s 各地完成情况", sp.Target.Metric),
		Caption: "柱：截至当月各地累计完成数；虚线：按序时进度应完成数。"}
	done := chartSeries{Name: "累计完成", Kind: "bar", Color: colorActual}
	due := chartSeries{Name: "序时应完成", Color: colorPlanned, Dashed: true}
	task := chartSeries{Name: "分解任务", Kind: "bar", Color: "#c5cde0"}
	type lag struct {
		name string
		r    float64
	}
	var lags []lag
	for _, l := range sp.Lines {
		ch.Categories = append(ch.Categories, l.JurisdictionName)
		task.Data = append(task.Data, floatOf(&l.Value))
		done.Data = append(done.Data, floatOf(l.Actual))
		exp := l.Expected
		due.Data = append(due.Data, floatOf(&exp))
		if l.Status == plan.StatusBehind || l.Status == plan.StatusFarBehind || l.Status == plan.StatusNotReported {
			r := -1.0
			if l.Actual != nil && exp.IsPositive() {
				r = l.Actual.Div(exp.Decimal).InexactFloat64()
			}
			lags = append(lags, lag{l.JurisdictionName, r})
		}
	}
	sort.SliceStable(lags, func(i, j int) bool { return lags[i].r < lags[j].r })
	for _, l := range lags {
		v.Lagging = append(v.Lagging, l.name)
	}
	ch.Series = []chartSeries{task, done, due}
	v.Chart = ch
	return v
}

// ---- 任务分解 form ----

type splitRow struct {
	Code, Name string
	Value      string
	Unit       string
	Errors     []string
}

type splitPage struct {
	basePage
	R     *store.SplitRollup
	Upper string
	Rows  []splitRow
	Sum   []string // messages about the shares as a whole
}

func (s *Server) loadSplitPage(r *http.Request) (*splitPage, *plan.ProjectRecord, error) {
	ctx, u := r.Context(), userOf(r)
	ru, err := s.Store.SplitRollup(ctx, r.PathValue("targetID"), plan.PeriodOf(s.Now()))
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Store.GetProject(ctx, ru.ProjectID)
	if err != nil {
		return nil, nil, err
	}
	if err := plan.Authorize(u, plan.ActionSplitTarget, plan.ProjectResource(p)); err != nil {
		return nil, nil, err
	}
	pg := &splitPage{basePage: s.base(r, "任务分解："+ru.Target.Metric, "hierarchy"), R: ru, Upper: placeName(p.JurisdictionCode, "")}
	current := map[string]store.ShareLine{}
	for _, l := range ru.Lines {
		current[l.JurisdictionCode] = l
	}
	units := p.LeadUnitNames()
	if len(units) == 0 {
		units = p.ResponsibleUnitNames()
	}
	for _, c := range division.Children(p.JurisdictionCode) {
		if c.Level == division.LevelTown {
			continue
		}
		row := splitRow{Code: c.Code, Name: c.Name}
		if l, ok := current[c.Code]; ok {
			row.Value, row.Unit = l.Value.String(), l.UnitName
		} else if len(units) > 0 {
			row.Unit = lowerUnitName(units[0], c.Name)
		}
		pg.Rows = append(pg.Rows, row)
	}
	return pg, p, nil
}

// lowerUnitName suggests the name of the lower jurisdiction's unit that
// matches a higher unit: 市教育局 → 县教育局 in a 县, 区教育局 in a 区.
func lowerUnitName(upper, lowerName string) string {
	rs := []rune(lowerName)
	if len(rs) == 0 {
		return upper
	}
	level := string(rs[len(rs)-1])
	for _, p := range []string{"市", "省", "区", "县"} {
		if rest, ok := strings.CutPrefix(upper, p); ok {
			return level + rest
		}
	}
	return upper
}

// splitPage: GET /hierarchy/targets/{targetID}/split — one row per
// jurisdiction below: its share and the unit that reports it.
func (s *Server) splitPage(w http.ResponseWriter, r *http.Request) {
	pg, _, err := s.loadSplitPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "split", pg)
}

// splitSubmit: POST /hierarchy/targets/{targetID}/split. Rows left empty
// get no share; the store checks the rest (sum, units) and nothing is
// saved unless all is right.
func (s *Server) splitSubmit(w http.ResponseWriter, r *http.Request) {
	pg, p, err := s.loadSplitPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	var shares []plan.ShareInput
	var rowOf []int
	bad := false
	for i := range pg.Rows {
		row := &pg.Rows[i]
		row.Value = strings.TrimSpace(r.PostFormValue("value_" + row.Code))
		row.Unit = strings.TrimSpace(r.PostFormValue("unit_" + row.Code))
		if row.Value == "" {
			continue
		}
		v, err := plan.ParseDecimal(row.Value)
		if err != nil {
			row.Errors = append(row.Errors, fmt.Sprintf("%s的分解数「%s」不是数字", row.Name, row.Value))
			bad = true
			continue
		}
		shares = append(shares, plan.ShareInput{JurisdictionCode: row.Code, Value: v, Unit: row.Unit})
		rowOf = append(rowOf, i)
	}
	if bad {
		pg.Error = "有填写错误，请按提示修改后再保存；本次未保存任何内容。"
		s.render(w, r, http.StatusUnprocessableEntity, "split", pg)
		return
	}
	if _, err := s.Store.SplitTarget(r.Context(), userOf(r), r.PathValue("targetID"), shares); err != nil {
		fe, _, msg := problemsOf(err)
		for field, msgs := range fe {
			var i int
			if _, scanErr := fmt.Sscanf(field, "shares[%d]", &i); scanErr == nil && i < len(rowOf) {
				pg.Rows[rowOf[i]].Errors = append(pg.Rows[rowOf[i]].Errors, msgs...)
			} else {
				pg.Sum = append(pg.Sum, msgs...)
			}
		}
		pg.Error = msg + "（本次未保存任何内容）"
		s.render(w, r, statusFor(err), "split", pg)
		return
	}
	redirect(w, r, "/hierarchy?jurisdiction="+url.QueryEscape(p.JurisdictionCode), "split")
}

// linkSubmit: POST /hierarchy/links — confirm a suggested link.
func (s *Server) linkSubmit(w http.ResponseWriter, r *http.Request) {
	l, err := s.Store.LinkProjects(r.Context(), userOf(r), r.PostFormValue("upper_project_id"), r.PostFormValue("lower_project_id"))
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	redirect(w, r, hierarchyBack(r, l.UpperJurisdictionCode), "linked")
}

// unlinkSubmit: POST /hierarchy/links/{linkID}/delete.
func (s *Server) unlinkSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.UnlinkProjects(r.Context(), userOf(r), r.PathValue("linkID")); err != nil {
		s.pageFail(w, r, err)
		return
	}
	redirect(w, r, hierarchyBack(r, userOf(r).JurisdictionCode), "unlinked")
}

func hierarchyBack(r *http.Request, code string) string {
	to := "/hierarchy?jurisdiction=" + url.QueryEscape(code)
	if p, err := plan.ParsePeriod(r.PostFormValue("period")); err == nil {
		to += "&period=" + p.String()
	}
	return to
}

// ---- 分解任务 (the lower units) ----

type shareRow struct {
	store.ShareTask
	Latest   *store.ShareReport
	Periods  []plan.Period
	Errors   fieldErrors
	Actual   string
	Note     string
	Selected string
}

type sharesPage struct {
	basePage
	Rows []shareRow
	Year int
}

func (s *Server) loadSharesPage(r *http.Request) (*sharesPage, error) {
	u := userOf(r)
	if !u.Role.NeedsUnit() {
		return nil, plan.Errorf(plan.EForbidden, "分解任务由承担任务的单位报送；民生办和领导请在“层级”中查看各地完成情况")
	}
	now := plan.PeriodOf(s.Now())
	year := now.Year
	if y := r.URL.Query().Get("year"); y != "" {
		if _, err := fmt.Sscanf(y, "%d", &year); err != nil {
			return nil, badRequest("bad_request", "year", "年度应为数字，如 2024")
		}
	}
	tasks, err := s.Store.ShareTasks(r.Context(), "", u.UnitID, year)
	if err != nil {
		return nil, err
	}
	if len(tasks) == 0 && r.URL.Query().Get("year") == "" {
		// The latest year the unit has tasks for.
		for y := year - 1; y >= year-3 && len(tasks) == 0; y-- {
			if tasks, err = s.Store.ShareTasks(r.Context(), "", u.UnitID, y); err != nil {
				return nil, err
			}
			if len(tasks) > 0 {
				year = y
			}
		}
	}
	pg := &sharesPage{basePage: s.base(r, "分解任务", "shares"), Year: year}
	for _, t := range tasks {
		row := shareRow{ShareTask: t, Errors: fieldErrors{}}
		if n := len(t.Reports); n > 0 {
			row.Latest = &t.Reports[n-1]
		}
		last := time.December
		if now.Year == year {
			last = now.Month
		}
		for m := time.January; m <= last; m++ {
			row.Periods = append(row.Periods, plan.Period{Year: year, Month: m})
		}
		if len(row.Periods) > 0 {
			row.Selected = row.Periods[len(row.Periods)-1].String()
			if len(row.Periods) > 1 && now.Year == year {
				row.Selected = now.Prev().String() // the month whose figure is due
			}
		}
		pg.Rows = append(pg.Rows, row)
	}
	return pg, nil
}

// sharesPage: GET /shares — the tasks higher plans split to the user's
// unit, with a form per task for the month's cumulative figure.
func (s *Server) sharesPage(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadSharesPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "shares", pg)
}

// shareSubmit: POST /shares/{shareID} — period, actual, note.
func (s *Server) shareSubmit(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadSharesPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	id := r.PathValue("shareID")
	// i < 0: not the unit's task (or not this year's); the store says which.
	i := slices.IndexFunc(pg.Rows, func(x shareRow) bool { return x.ID == id })
	actual := strings.TrimSpace(r.PostFormValue("actual"))
	note := strings.TrimSpace(r.PostFormValue("note"))
	per, perr := plan.ParsePeriod(r.PostFormValue("period"))
	v, verr := plan.ParseDecimal(actual)
	switch {
	case perr != nil:
		err = badRequest("bad_period", "period", "请选择月份")
	case actual == "":
		err = plan.FieldError("actual", "请填写截至本月的累计完成数")
	case verr != nil:
		err = plan.FieldError("actual", "累计完成数「%s」不是数字", actual)
	default:
		err = s.Store.SaveShareReport(r.Context(), userOf(r), id, per, v, note)
	}
	if err == nil {
		redirect(w, r, "/shares?year="+fmt.Sprint(pg.Year), "share")
		return
	}
	if i < 0 {
		s.pageFail(w, r, err)
		return
	}
	fe, _, msg := problemsOf(err)
	row := &pg.Rows[i]
	row.Errors, row.Actual, row.Note = fe, actual, note
	if perr == nil {
		row.Selected = per.String()
	}
	pg.Error = msg
	s.render(w, r, statusFor(err), "shares", pg)
}

// hasShares reports whether the user's unit has tasks split to it, for the
// navigation.
func (s *Server) hasShares(ctx context.Context, u *plan.User) bool {
	if u == nil || !u.Role.NeedsUnit() {
		return false
	}
	ok, err := s.Store.UnitHasShares(ctx, u.UnitID)
	return err == nil && ok
}
