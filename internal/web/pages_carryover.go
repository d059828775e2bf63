package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// carryOverRoutes: the carry-over of multi-year projects into next year's
// plan, on the plan's page and in the API.
func (s *Server) carryOverRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/plans/{planID}/carryover", s.getCarryOver)
	mux.HandleFunc("PUT /api/v1/plans/{planID}/carryover", s.requireUser(s.saveCarryOver))
	mux.HandleFunc("GET /api/v1/projects/{projectID}/history", s.requireUser(s.projectHistoryAPI))
	mux.HandleFunc("POST /plans/{planID}/carryover", s.requirePage(s.carryOverSubmit))
}

// carryOption is one choice of a carry-over select.
type carryOption struct {
	Value, Label string
	Selected     bool
}

// carrySub is a sub-project row of the carry-over form.
type carrySub struct {
	Index     int
	Name      string
	Years     string
	MultiYear bool
	Options   []carryOption
	YearEnd   string // % of the whole at year end, as typed or saved
	Reached   string // % reached by last year's linked sub-project
	Share     string // this year's share as it stands in the draft
	Field     string
}

// carryProject is a project row of the carry-over form.
type carryProject struct {
	Index   int
	Seq     int
	Title   string
	Options []carryOption
	Subs    []carrySub
}

// carryView is the 跨年度结转 section of a plan's page.
type carryView struct {
	PlanID   string
	Year     int
	PrevYear int
	HasPrev  bool
	Saved    bool
	CanEdit  bool
	Rev      int
	Projects []carryProject
	// Dropped are last year's multi-year sub-projects not continued by
	// any row of this plan (finished, or left out: the supervisor checks).
	Dropped []string
	Errors  fieldErrors
	CSRF    string
}

// carryOverView builds the section for a plan the user may read; nil when
// the plan has neither last year's plan to continue nor multi-year rows.
func (s *Server) carryOverView(r *http.Request, pv *plan.PlanVersion, canEdit bool) (*carryView, error) {
	co, err := s.Store.GetCarryOver(r.Context(), userOf(r), pv.ID)
	if err != nil {
		return nil, err
	}
	v := &carryView{PlanID: pv.ID, Year: co.Year, PrevYear: co.PrevYear, HasPrev: len(co.Prev) > 0, Saved: co.Saved,
		CanEdit: canEdit, Rev: pv.Rev, Errors: fieldErrors{}, CSRF: CSRFOf(r)}
	if !v.HasPrev && len(co.Items) == 0 {
		return nil, nil
	}
	multi := map[string]plan.MultiYearItem{}
	for _, it := range co.Items {
		multi[strconv.Itoa(it.ProjectIndex)+"|"+it.Subproject] = it
	}
	used := map[string]bool{}
	for _, l := range co.Links {
		used[l.PrevSubprojectID] = true
	}
	for i, p := range pv.Document.Projects {
		cp := carryProject{Index: i, Seq: p.Seq, Title: p.Title}
		if v.HasPrev {
			sel := ""
			if l := co.Link(i, ""); l != nil {
				sel = l.PrevProjectID
			}
			cp.Options = append(cp.Options, carryOption{"", "新项目（不结转）", sel == ""})
			for _, pp := range co.Prev {
				cp.Options = append(cp.Options, carryOption{pp.ID, "第" + strconv.Itoa(pp.Seq) + "件 " + pp.Title, sel == pp.ID})
			}
		}
		for k, sp := range p.Subprojects {
			it, isMulti := multi[strconv.Itoa(i)+"|"+sp.Name]
			if !v.HasPrev && !isMulti {
				continue
			}
			cs := carrySub{Index: k, Name: sp.Name, MultiYear: isMulti, Field: "s." + strconv.Itoa(i) + "." + strconv.Itoa(k)}
			if sp.Years != nil {
				cs.Years = *sp.Years
			}
			l := co.Link(i, sp.Name)
			sel := ""
			if l != nil && l.PrevSubprojectID != "" {
				sel = l.PrevProjectID + "|" + l.PrevSubprojectID
				if r, ok := co.Reached[l.PrevSubprojectID]; ok {
					cs.Reached = r.String()
				}
			}
			switch {
			case l != nil && l.YearEnd != nil:
				cs.YearEnd = l.YearEnd.String()
			case isMulti && it.YearEnd != nil:
				cs.YearEnd = it.YearEnd.String()
			}
			if isMulti && it.TargetIndex >= 0 {
				cs.Share = p.Targets[it.TargetIndex].Value.String()
			}
			if v.HasPrev {
				cs.Options = append(cs.Options, carryOption{"", "新建（不结转）", sel == ""})
				for _, pp := range co.Prev {
					for _, ps := range pp.Subprojects {
						if ps.RetiredBy != "" {
							continue
						}
						label := "第" + strconv.Itoa(pp.Seq) + "件 · " + ps.Name
						if ps.Years != nil {
							label += "（" + *ps.Years + "）"
						}
						val := pp.ID + "|" + ps.ID
						cs.Options = append(cs.Options, carryOption{val, label, sel == val})
					}
				}
			}
			cp.Subs = append(cp.Subs, cs)
		}
		if v.HasPrev || len(cp.Subs) > 0 {
			v.Projects = append(v.Projects, cp)
		}
	}
	for _, pp := range co.Prev {
		for _, ps := range pp.Subprojects {
			if ps.Years == nil || used[ps.ID] {
				continue
			}
			if _, to, ok := plan.YearSpan(*ps.Years); ok && to >= co.Year {
				v.Dropped = append(v.Dropped, "第"+strconv.Itoa(pp.Seq)+"件 · "+ps.Name+"（"+*ps.Years+"）")
			}
		}
	}
	return v, nil
}

// carryOverSubmit: POST /plans/{planID}/carryover — the supervisor's
// carry-over decisions and year-end shares; this year's shares go into
// the draft's targets.
func (s *Server) carryOverSubmit(w http.ResponseWriter, r *http.Request) {
	pv, err := s.readablePlan(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		s.pageFail(w, r, badRequest("bad_request", "", "表单无法读取"))
		return
	}
	f := r.PostForm
	var links []plan.CarryLink
	fe := fieldErrors{}
	for i, p := range pv.Document.Projects {
		if id := f.Get("p." + strconv.Itoa(i)); id != "" {
			links = append(links, plan.CarryLink{ProjectIndex: i, PrevProjectID: id})
		}
		for k, sp := range p.Subprojects {
			key := strconv.Itoa(i) + "." + strconv.Itoa(k)
			sel, end := f.Get("s."+key), strings.TrimSpace(f.Get("e."+key))
			if sel == "" && end == "" {
				continue
			}
			l := plan.CarryLink{ProjectIndex: i, Subproject: sp.Name}
			l.PrevProjectID, l.PrevSubprojectID, _ = strings.Cut(sel, "|")
			if end != "" {
				d, ok := parseDecimalField(end)
				if !ok {
					fe.add("s."+key, "子项目「"+sp.Name+"」的年末累计完成比例应为 0 到 100 的数字")
					continue
				}
				l.YearEnd = d
			}
			links = append(links, l)
		}
	}
	rev, _ := strconv.Atoi(f.Get("rev"))
	if len(fe) == 0 {
		_, err = s.Store.SaveCarryOver(r.Context(), userOf(r), pv.ID, rev, links)
		if err == nil {
			http.Redirect(w, r, "/plans/"+url.PathEscape(pv.ID)+"?ok=carryover#carryover", http.StatusSeeOther)
			return
		}
		if plan.ErrorCode(err) == plan.EInternal {
			s.pageFail(w, r, err)
			return
		}
	}
	pg, lerr := s.loadPlanPage(r)
	if lerr != nil {
		s.pageFail(w, r, lerr)
		return
	}
	status := http.StatusUnprocessableEntity
	if err != nil {
		pg.Error = "结转设置未保存：" + plan.ErrorMessage(err)
		status = statusFor(err)
	} else {
		pg.Error = "结转设置未保存，请修改标出的内容。"
	}
	if pg.Carry != nil {
		for k, v := range fe {
			pg.Carry.Errors[k] = v
		}
	}
	s.render(w, r, status, "plan", pg)
}

// historyView is the 跨年度进展 section of a project's page.
type historyView struct {
	Prev    []plan.ProjectRecord // nearest year first
	Subs    []subHistoryView
	Reports []timelineReport // the nearest earlier year's reports
}

// subHistoryView is a continuing sub-project with its share of the whole
// (0–1) for the progress bar.
type subHistoryView struct {
	store.SubprojectHistory
	Ratio float64
}

// projectHistory is the section for a project that continues earlier
// years' (nil otherwise), with the nearest year's reports the user may
// read.
func (s *Server) projectHistory(ctx context.Context, u *plan.User, p *plan.ProjectRecord) (*historyView, error) {
	h, err := s.Store.ProjectHistory(ctx, p.ID)
	if err != nil || len(h.Prev) == 0 && len(h.Subprojects) == 0 {
		return nil, err
	}
	hv := &historyView{Prev: h.Prev}
	for _, sh := range h.Subprojects {
		f, _ := sh.Cumulative.Float64()
		hv.Subs = append(hv.Subs, subHistoryView{SubprojectHistory: sh, Ratio: min(max(f/100, 0), 1)})
	}
	if len(h.Prev) > 0 {
		hv.Reports, err = s.reportTimeline(ctx, u, &h.Prev[0])
	}
	return hv, err
}
