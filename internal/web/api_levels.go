package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"minsheng/internal/division"
	"minsheng/internal/indicator"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// levelRoutes: the jurisdiction hierarchy (任务分解, links of repeated
// projects, roll-ups) and the comparison of standards across places.
func (s *Server) levelRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/indicators", s.listIndicators)
	mux.HandleFunc("GET /api/v1/compare", s.compare)
	mux.HandleFunc("PUT /api/v1/targets/{targetID}/indicator", s.requireUser(s.mapIndicator))
	mux.HandleFunc("DELETE /api/v1/targets/{targetID}/indicator", s.requireUser(s.unmapIndicator))

	mux.HandleFunc("GET /api/v1/hierarchy", s.requireUser(s.hierarchy))
	mux.HandleFunc("GET /api/v1/targets/{targetID}/shares", s.requireUser(s.targetShares))
	mux.HandleFunc("PUT /api/v1/targets/{targetID}/shares", s.requireUser(s.splitTarget))
	mux.HandleFunc("GET /api/v1/shares", s.requireUser(s.listShares))
	mux.HandleFunc("PUT /api/v1/shares/{shareID}/reports/{period}", s.requireUser(s.reportShare))
	mux.HandleFunc("POST /api/v1/links", s.requireUser(s.createLink))
	mux.HandleFunc("DELETE /api/v1/links/{linkID}", s.requireUser(s.deleteLink))

	mux.HandleFunc("GET /compare", s.requirePage(s.comparePage))
	mux.HandleFunc("POST /compare/targets/{targetID}", s.requirePage(s.compareMap))
	mux.HandleFunc("GET /hierarchy", s.requirePage(s.hierarchyPage))
	mux.HandleFunc("GET /hierarchy/targets/{targetID}/split", s.requirePage(s.splitPage))
	mux.HandleFunc("POST /hierarchy/targets/{targetID}/split", s.requirePage(s.splitSubmit))
	mux.HandleFunc("POST /hierarchy/links", s.requirePage(s.linkSubmit))
	mux.HandleFunc("POST /hierarchy/links/{linkID}/delete", s.requirePage(s.unlinkSubmit))
	mux.HandleFunc("GET /shares", s.requirePage(s.sharesPage))
	mux.HandleFunc("POST /shares/{shareID}", s.requirePage(s.shareSubmit))
}

// maxCompareColumns bounds a comparison: jurisdictions × years.
const maxCompareColumns = 60

// comparison is the answer of GET /api/v1/compare and the 对比 page's data.
type comparison struct {
	Columns []indicator.Column     `json:"columns"`
	Items   []indicator.Comparison `json:"items"`
	// Unmatched are the standard-like targets of the columns' plans that
	// no indicator matches and nobody mapped.
	Unmatched []indicator.Target `json:"unmatched"`
	// Targets are every target read, for the page's mapping forms.
	targets []indicator.Target
}

// queryList reads a repeated or comma-separated query parameter.
func queryList(q url.Values, key string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range q[key] {
		for _, x := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '，' || r == ' ' }) {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	return out
}

// placeName is the short name of a jurisdiction (新建区), for columns and
// charts; stored names carry the city (南昌市新建区).
func placeName(code, stored string) string {
	if d, ok := division.ByCode(code); ok {
		return d.Name
	}
	if stored != "" {
		return stored
	}
	return code
}

// compareQuery reads ?indicator=&jurisdiction=&year= (each repeatable or
// comma-separated) and lays out the comparison. No jurisdiction: every
// one with a published plan for the years; no year: every year they have
// a published plan for; no indicator: all.
func (s *Server) compareQuery(ctx context.Context, q url.Values) (*comparison, error) {
	set := indicator.Default()
	ids := queryList(q, "indicator")
	for _, id := range ids {
		if _, ok := set.Get(id); !ok {
			return nil, plan.FieldError("indicator", "没有指标「%s」；可用的指标见 GET /api/v1/indicators", id)
		}
	}
	var years []int
	for _, y := range queryList(q, "year") {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			return nil, badRequest("bad_request", "year", "年度应为 2000–2100 的数字，如 2024，而不是「%s」", y)
		}
		if !slices.Contains(years, n) {
			years = append(years, n)
		}
	}
	codes := queryList(q, "jurisdiction")
	if len(codes) > maxCompareColumns || len(years) > maxCompareColumns {
		return nil, badRequest("bad_request", "jurisdiction", "一次最多对比 %d 个地区·年度", maxCompareColumns)
	}
	for _, c := range codes {
		if !plan.ValidJurisdictionCode(c) {
			return nil, badRequest("bad_request", "jurisdiction", "行政区划代码应为 6 位数字，而不是「%s」", c)
		}
	}
	plans, err := s.Store.PublishedPlans(ctx)
	if err != nil {
		return nil, err
	}
	type key struct {
		code string
		year int
	}
	planOf, names := map[key]string{}, map[string]string{}
	for _, pp := range plans {
		planOf[key{pp.JurisdictionCode, pp.Year}] = pp.ID
		names[pp.JurisdictionCode] = pp.JurisdictionName
	}
	if len(codes) == 0 {
		seen := map[string]bool{}
		for _, pp := range plans {
			if (len(years) == 0 || slices.Contains(years, pp.Year)) && !seen[pp.JurisdictionCode] {
				seen[pp.JurisdictionCode] = true
				codes = append(codes, pp.JurisdictionCode)
			}
		}
	}
	if len(years) == 0 {
		chosen := map[string]bool{}
		for _, c := range codes {
			chosen[c] = true
		}
		for _, pp := range plans {
			if chosen[pp.JurisdictionCode] && !slices.Contains(years, pp.Year) {
				years = append(years, pp.Year)
			}
		}
		slices.Sort(years)
	}
	if len(codes)*len(years) > maxCompareColumns {
		return nil, badRequest("bad_request", "jurisdiction", "一次最多对比 %d 个地区·年度，现为 %d 个地区 × %d 个年度", maxCompareColumns, len(codes), len(years))
	}
	out := &comparison{Columns: []indicator.Column{}}
	for _, c := range codes {
		for _, y := range years {
			out.Columns = append(out.Columns, indicator.Column{JurisdictionCode: c, JurisdictionName: placeName(c, names[c]), Year: y, PlanID: planOf[key{c, y}]})
		}
	}
	if len(out.Columns) > 0 {
		if out.targets, err = s.Store.IndicatorTargets(ctx, codes, years); err != nil {
			return nil, err
		}
	}
	out.Items = set.Compare(out.targets, ids, out.Columns)
	if out.Items == nil {
		out.Items = []indicator.Comparison{}
	}
	out.Unmatched = set.Unmatched(out.targets)
	if out.Unmatched == nil {
		out.Unmatched = []indicator.Target{}
	}
	return out, nil
}

// listIndicators: GET /api/v1/indicators — the canonical indicators of
// data/indicators.tsv. Public, like the plans they are read from.
func (s *Server) listIndicators(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, items(indicator.Default().All()))
}

// compare: GET /api/v1/compare — standards of published plans side by
// side. Public, like the plans.
func (s *Server) compare(w http.ResponseWriter, r *http.Request) {
	c, err := s.compareQuery(r.Context(), r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

type mapIndicatorRequest struct {
	IndicatorID *string `json:"indicator_id"`
}

// checkIndicator refuses an indicator ID the file in force does not know
// ("" is allowed: the target measures none).
func checkIndicator(id string) error {
	if id == "" {
		return nil
	}
	if _, ok := indicator.Default().Get(id); !ok {
		return plan.FieldError("indicator_id", "没有指标「%s」；可用的指标见 GET /api/v1/indicators", id)
	}
	return nil
}

// mapIndicator: PUT /api/v1/targets/{targetID}/indicator.
func (s *Server) mapIndicator(w http.ResponseWriter, r *http.Request) {
	var req mapIndicatorRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.IndicatorID == nil {
		s.fail(w, r, plan.FieldError("indicator_id", "请给出 indicator_id（空字符串表示该目标不对应任何指标）"))
		return
	}
	if err := checkIndicator(*req.IndicatorID); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("targetID")
	if err := s.Store.SetIndicatorOverride(r.Context(), userOf(r), id, *req.IndicatorID); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, store.IndicatorOverride{TargetID: id, IndicatorID: *req.IndicatorID})
}

// unmapIndicator: DELETE /api/v1/targets/{targetID}/indicator.
func (s *Server) unmapIndicator(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.ClearIndicatorOverride(r.Context(), userOf(r), r.PathValue("targetID")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// place is a jurisdiction in the hierarchy.
type place struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Level  string `json:"level"`
	PlanID string `json:"plan_id,omitempty"` // its published plan of the year
}

// hierarchyView is a jurisdiction's place in the hierarchy for a month:
// where it sits, what it split among those below, which of their
// projects repeat its own, and what those above asked of it.
type hierarchyView struct {
	Jurisdiction place                  `json:"jurisdiction"`
	Ancestors    []place                `json:"ancestors"`
	Children     []place                `json:"children"`
	Period       plan.Period            `json:"period"`
	Splits       []store.SplitRollup    `json:"splits"`
	Links        []store.ProjectLink    `json:"links"`
	Suggestions  []store.LinkSuggestion `json:"suggestions"`
	Shares       []store.ShareTask      `json:"shares"`
}

func (s *Server) loadHierarchy(ctx context.Context, code string, per plan.Period) (*hierarchyView, error) {
	d, ok := division.ByCode(code)
	if !ok || len(code) != 6 {
		return nil, plan.FieldError("jurisdiction", "行政区划代码 %s 不存在", code)
	}
	plans, err := s.Store.PublishedPlans(ctx)
	if err != nil {
		return nil, err
	}
	planOf := map[string]string{}
	for _, pp := range plans {
		if pp.Year == per.Year {
			planOf[pp.JurisdictionCode] = pp.ID
		}
	}
	v := &hierarchyView{Jurisdiction: place{d.Code, d.Name, d.Level, planOf[d.Code]}, Ancestors: []place{}, Children: []place{}, Period: per}
	for _, a := range division.Ancestors(d) {
		v.Ancestors = append(v.Ancestors, place{a.Code, a.Name, a.Level, planOf[a.Code]})
	}
	for _, c := range division.Children(code) {
		if c.Level != division.LevelTown {
			v.Children = append(v.Children, place{c.Code, c.Name, c.Level, planOf[c.Code]})
		}
	}
	if v.Splits, err = s.Store.SplitRollups(ctx, code, per); err != nil {
		return nil, err
	}
	if v.Links, err = s.Store.Links(ctx, code, per.Year); err != nil {
		return nil, err
	}
	if v.Suggestions, err = s.Store.LinkSuggestions(ctx, code, per.Year); err != nil {
		return nil, err
	}
	if v.Shares, err = s.Store.ShareTasks(ctx, code, "", per.Year); err != nil {
		return nil, err
	}
	if v.Links == nil {
		v.Links = []store.ProjectLink{}
	}
	if v.Suggestions == nil {
		v.Suggestions = []store.LinkSuggestion{}
	}
	if v.Shares == nil {
		v.Shares = []store.ShareTask{}
	}
	return v, nil
}

// hierarchy: GET /api/v1/hierarchy?jurisdiction=361100&period=2024-05.
// Like the dashboard it shows figures of published projects only, so every
// logged-in user may read it.
func (s *Server) hierarchy(w http.ResponseWriter, r *http.Request) {
	code, per, err := placeAndPeriod(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.loadHierarchy(r.Context(), code, per)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// targetShares: GET /api/v1/targets/{targetID}/shares?period=2024-05 — the
// split of a target and each lower jurisdiction's figure for the month.
func (s *Server) targetShares(w http.ResponseWriter, r *http.Request) {
	per, err := period(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ru, err := s.Store.SplitRollup(r.Context(), r.PathValue("targetID"), per)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ru)
}

type splitRequest struct {
	Shares []plan.ShareInput `json:"shares"`
}

// splitTarget: PUT /api/v1/targets/{targetID}/shares — 任务分解.
func (s *Server) splitTarget(w http.ResponseWriter, r *http.Request) {
	var req splitRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	shares, err := s.Store.SplitTarget(r.Context(), userOf(r), r.PathValue("targetID"), req.Shares)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items(shares))
}

// listShares: GET /api/v1/shares?year=2024[&jurisdiction=361103] — the
// shares given to the user's unit or, for others, to a jurisdiction.
func (s *Server) listShares(w http.ResponseWriter, r *http.Request) {
	u, q := userOf(r), r.URL.Query()
	year, err := strconv.Atoi(q.Get("year"))
	if err != nil {
		s.fail(w, r, badRequest("bad_request", "year", "请给出年度，如 year=2024"))
		return
	}
	code, unit := q.Get("jurisdiction"), ""
	if u.Role.NeedsUnit() {
		code, unit = "", u.UnitID
	} else if code == "" {
		code = u.JurisdictionCode
	}
	tasks, err := s.Store.ShareTasks(r.Context(), code, unit, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items(tasks))
}

type shareReportRequest struct {
	Actual *plan.Decimal `json:"actual"`
	Note   string        `json:"note"`
}

// reportShare: PUT /api/v1/shares/{shareID}/reports/{period} — the
// cumulative figure of a share by the end of the month.
func (s *Server) reportShare(w http.ResponseWriter, r *http.Request) {
	per, err := period(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req shareReportRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Actual == nil {
		s.fail(w, r, plan.FieldError("actual", "请填写截至本月的累计完成数"))
		return
	}
	id := r.PathValue("shareID")
	if err := s.Store.SaveShareReport(r.Context(), userOf(r), id, per, *req.Actual, strings.TrimSpace(req.Note)); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"share_id": id, "period": per, "actual": req.Actual, "note": strings.TrimSpace(req.Note)})
}

type linkRequest struct {
	UpperProjectID string `json:"upper_project_id"`
	LowerProjectID string `json:"lower_project_id"`
}

// createLink: POST /api/v1/links — a lower plan's project repeats a
// higher one.
func (s *Server) createLink(w http.ResponseWriter, r *http.Request) {
	var req linkRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	l, err := s.Store.LinkProjects(r.Context(), userOf(r), req.UpperProjectID, req.LowerProjectID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, l)
}

// deleteLink: DELETE /api/v1/links/{linkID}.
func (s *Server) deleteLink(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.UnlinkProjects(r.Context(), userOf(r), r.PathValue("linkID")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
