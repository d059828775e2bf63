package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

type sourceLine struct {
	N       int
	Text    string
	Flagged bool // a finding points at it
}

type findingView struct {
	Index int
	plan.Finding
}

type planProjectView struct {
	Index    int
	P        plan.Project
	Category string
	Findings []findingView
}

type planPage struct {
	basePage
	PV          *plan.PlanVersion
	Lines       []sourceLine
	Findings    []findingView
	Projects    []planProjectView
	Published   []plan.ProjectRecord
	CanEdit     bool
	CanPublish  bool
	HasErrors   bool
	Comparators []option
	Kinds       []option
	// Carry is the 跨年度结转 section (pages_carryover.go), nil when
	// there is nothing to carry over or set.
	Carry *carryView
}

// planPage: GET /plans/{planID} — a draft shown beside its source text,
// with its findings, every field correctable, and the publish button; a
// published version lists its projects.
func (s *Server) planPage(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadPlanPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "plan", pg)
}

func (s *Server) loadPlanPage(r *http.Request) (*planPage, error) {
	ctx, u := r.Context(), userOf(r)
	pv, err := s.readablePlan(r)
	if err != nil {
		return nil, err
	}
	doc := &pv.Document
	pg := &planPage{basePage: s.base(r, doc.Title, "import"), PV: pv, HasErrors: doc.HasErrors()}
	pg.Wide = pv.State == plan.PlanDraft
	pg.CanEdit = pv.State == plan.PlanDraft && plan.Can(u, plan.ActionEditPlan, plan.PlanResource(pv))
	pg.CanPublish = pv.State == plan.PlanDraft && plan.Can(u, plan.ActionPublishPlan, plan.PlanResource(pv))
	for _, c := range []string{plan.AtLeast, plan.MoreThan, plan.Exactly, plan.About, plan.AtMost, plan.LessThan} {
		pg.Comparators = append(pg.Comparators, option{c, comparatorLabels[c]})
	}
	for _, k := range []string{plan.KindQuantity, plan.KindRate, plan.KindStandard, plan.KindProgress, plan.KindMilestone} {
		pg.Kinds = append(pg.Kinds, option{k, kindLabels[k]})
	}
	flagged := map[int]bool{}
	bySeq := map[int][]findingView{}
	for i, f := range doc.Findings {
		fv := findingView{Index: i, Finding: f}
		pg.Findings = append(pg.Findings, fv)
		if f.Line != nil && f.Severity != plan.SeverityInfo {
			flagged[*f.Line] = true
		}
		if f.ProjectSeq != nil {
			bySeq[*f.ProjectSeq] = append(bySeq[*f.ProjectSeq], fv)
		}
	}
	if pv.SourceText != "" {
		for i, l := range strings.Split(pv.SourceText, "\n") {
			pg.Lines = append(pg.Lines, sourceLine{N: i + 1, Text: strings.TrimRight(l, "\r"), Flagged: flagged[i+1]})
		}
	}
	cats := map[int]string{}
	for _, c := range doc.Categories {
		cats[c.Seq] = c.Title
	}
	for i, p := range doc.Projects {
		v := planProjectView{Index: i, P: p, Findings: bySeq[p.Seq]}
		if p.CategorySeq != nil {
			v.Category = cats[*p.CategorySeq]
		}
		pg.Projects = append(pg.Projects, v)
	}
	if pv.State != plan.PlanDraft {
		if pg.Published, err = s.Store.ListProjects(ctx, store.ProjectFilter{PlanID: pv.ID}); err != nil {
			return nil, err
		}
	}
	if pg.Carry, err = s.carryOverView(r, pv, pg.CanEdit); err != nil {
		return nil, err
	}
	return pg, nil
}

// splitNames reads a list typed as 区人社局、团区委 (or with commas,
// semicolons or one per line).
func splitNames(v string) []string {
	out := []string{}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool {
		return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' || r == '\n' || r == '\r'
	}) {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// planCorrect: POST /plans/{planID} — the supervisor's corrections of a
// draft: the title block, each project's title, units, tags, leaders,
// investment and targets, and findings marked as checked.
func (s *Server) planCorrect(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadPlanPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
	if err := r.ParseForm(); err != nil {
		s.pageFail(w, r, badRequest("bad_request", "", "表单无法读取"))
		return
	}
	f := r.PostForm
	doc := pg.PV.Document // a copy of the struct; slices are replaced below
	fe := fieldErrors{}
	optional := func(v string) *string {
		if v = strings.TrimSpace(v); v == "" {
			return nil
		}
		return &v
	}
	if t := strings.TrimSpace(f.Get("title")); t != "" {
		doc.Title = t
	} else {
		fe.add("title", "标题不能为空")
	}
	doc.DocNumber, doc.Issuer = optional(f.Get("doc_number")), optional(f.Get("issuer"))
	if v := strings.TrimSpace(f.Get("declared_count")); v == "" {
		doc.DeclaredCount = nil
	} else if n, err := strconv.Atoi(v); err != nil || n < 0 {
		fe.add("declared_count", "文件称项目数应为整数")
	} else {
		doc.DeclaredCount = &n
	}
	doc.Projects = make([]plan.Project, len(pg.PV.Document.Projects))
	for i, p := range pg.PV.Document.Projects {
		k := "p." + strconv.Itoa(i) + "."
		if t := strings.TrimSpace(f.Get(k + "title")); t != "" {
			p.Title = t
		} else {
			fe.add(k+"title", "第 "+strconv.Itoa(p.Seq)+" 项的名称不能为空")
		}
		p.LeadUnits, p.ResponsibleUnits = splitNames(f.Get(k+"lead_units")), splitNames(f.Get(k+"responsible_units"))
		p.Tags, p.Leaders = splitNames(f.Get(k+"tags")), splitNames(f.Get(k+"leaders"))
		if d, ok := parseDecimalField(f.Get(k + "investment")); ok {
			p.Investment = d
		} else {
			fe.add(k+"investment", "第 "+strconv.Itoa(p.Seq)+" 项的年度投资应为数字（万元）")
		}
		p.Targets = append([]plan.Target(nil), p.Targets...)
		for j := range p.Targets {
			t := &p.Targets[j]
			tk := k + "t." + strconv.Itoa(j) + "."
			t.Metric = strings.TrimSpace(f.Get(tk + "metric"))
			if t.Metric == "" {
				fe.add(tk+"metric", "第 "+strconv.Itoa(p.Seq)+" 项第 "+strconv.Itoa(j+1)+" 个目标的指标名称不能为空")
			}
			if c := f.Get(tk + "comparator"); comparatorLabels[c] != "" {
				t.Comparator = c
			}
			if kd := f.Get(tk + "kind"); kindLabels[kd] != "" {
				t.Kind = kd
			}
			unit := strings.TrimSpace(f.Get(tk + "unit"))
			d, ok := parseDecimalField(f.Get(tk + "value"))
			switch {
			case !ok || d == nil:
				fe.add(tk+"value", "「"+t.Metric+"」的目标值应为数字")
			case !d.Equal(t.Value.Decimal) || unit != t.Unit:
				// The base value was scaled from the old figure: drop it
				// rather than keep a number that no longer agrees.
				t.Value, t.BaseValue, t.BaseUnit = *d, nil, nil
			}
			t.Unit = unit
		}
		doc.Projects[i] = p
	}
	doc.Findings = append([]plan.Finding(nil), pg.PV.Document.Findings...)
	for i := range doc.Findings {
		fd := &doc.Findings[i]
		if fd.Severity != plan.SeverityInfo && f.Get("f."+strconv.Itoa(i)+".checked") != "" {
			fd.Severity = plan.SeverityInfo
			fd.Message = "（已人工核对）" + fd.Message
		}
	}
	rev, _ := strconv.Atoi(f.Get("rev"))
	if len(fe) > 0 {
		pg.Error = "尚未保存："
		for _, msgs := range fe {
			pg.Error += msgs[0] + "；"
		}
		pg.PV.Document = doc
		s.render(w, r, http.StatusUnprocessableEntity, "plan", pg)
		return
	}
	if _, err := s.Store.UpdateDraftPlan(r.Context(), userOf(r), pg.PV.ID, rev, &doc); err != nil {
		pg.Error = "尚未保存：" + plan.ErrorMessage(err)
		if plan.ErrorCode(err) == plan.EInternal {
			s.pageFail(w, r, err)
			return
		}
		s.render(w, r, statusFor(err), "plan", pg)
		return
	}
	redirect(w, r, "/plans/"+url.PathEscape(pg.PV.ID), "corrected")
}

// planPublish: POST /plans/{planID}/publish — its projects start the
// monthly cycle; the dashboard of the jurisdiction follows.
func (s *Server) planPublish(w http.ResponseWriter, r *http.Request) {
	pv, err := s.Store.PublishPlan(r.Context(), userOf(r), r.PathValue("planID"))
	if err != nil {
		pg, lerr := s.loadPlanPage(r)
		if lerr != nil {
			s.pageFail(w, r, lerr)
			return
		}
		pg.Error = "未能发布：" + plan.ErrorMessage(err)
		s.render(w, r, statusFor(err), "plan", pg)
		return
	}
	redirect(w, r, "/plans/"+url.PathEscape(pv.ID), "published")
}
