package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

// What the public portal shows, built from published plans and accepted
// reports only (store.PublicReports): the same value is the JSON of
// /api/v1/public/…, the open-data downloads and the data of the pages.

// publicPlanSummary is one published plan in the portal's index.
type publicPlanSummary struct {
	ID               string `json:"id"`
	JurisdictionCode string `json:"jurisdiction_code"`
	Jurisdiction     string `json:"jurisdiction"`
	Year             int    `json:"year"`
	URL              string `json:"url"`
}

// publicPlan is a published plan with every project's progress.
type publicPlan struct {
	ID               string          `json:"id"`
	JurisdictionCode string          `json:"jurisdiction_code"`
	Jurisdiction     string          `json:"jurisdiction"`
	Year             int             `json:"year"`
	Title            string          `json:"title"`
	DocNumber        *string         `json:"doc_number"`
	Issuer           *string         `json:"issuer"`
	PublishedAt      *time.Time      `json:"published_at,omitempty"`
	AsOf             *plan.Period    `json:"as_of"`                // the latest month with an accepted report
	Investment       *plan.Decimal   `json:"total_investment_wan"` // nil when no project states it
	InvestmentDone   *plan.Decimal   `json:"investment_done_wan"`
	ByStatus         map[string]int  `json:"by_status"`
	Projects         []publicProject `json:"projects"`
	URL              string          `json:"url"`
	Note             string          `json:"note"`

	// reports are the accepted reports by project ID, by month: a
	// project's page shows its history from here.
	reports map[string][]store.PublicReport
	version store.Version // of the data it was built from
}

// publicProject is a project with its progress by its latest accepted
// report.
type publicProject struct {
	ID               string              `json:"id"`
	PlanID           string              `json:"plan_id"`
	Seq              int                 `json:"seq"`
	Category         string              `json:"category,omitempty"`
	Title            string              `json:"title"`
	Text             string              `json:"text"`
	Tags             []string            `json:"tags"`
	LeadUnits        []string            `json:"lead_units"`
	ResponsibleUnits []string            `json:"responsible_units"`
	Leaders          []string            `json:"leaders"`
	Investment       *plan.Decimal       `json:"investment_wan"`
	Status           plan.Status         `json:"status,omitempty"` // "" until a report is accepted
	StatusLabel      string              `json:"status_label"`
	AsOf             *plan.Period        `json:"as_of"`
	Completion       *float64            `json:"completion_percent"`
	InvestmentDone   *plan.Decimal       `json:"investment_done_wan"`
	Disbursed        *plan.Decimal       `json:"disbursed_wan"`
	Targets          []publicTarget      `json:"targets"`
	Latest           *store.PublicReport `json:"latest_report"`
	URL              string              `json:"url"`
}

// publicProjectDetail is a project's own page: its line, the history of
// accepted reports (newest first) and the approved comments.
type publicProjectDetail struct {
	publicProject
	Reports  []store.PublicReport `json:"reports"`
	Comments []store.Comment      `json:"comments"`
}

// publicTarget is a target with its latest accepted actual.
type publicTarget struct {
	ID         string        `json:"id"`
	Text       string        `json:"text"`
	Metric     string        `json:"metric"`
	Comparator string        `json:"comparator"`
	Value      plan.Decimal  `json:"value"`
	Unit       string        `json:"unit"`
	Kind       string        `json:"kind"`
	Actual     *plan.Decimal `json:"actual"`
	Percent    *float64      `json:"percent"` // actual / value, for running totals
}

const publicNote = "进展数据仅取自经民生办/督查室审核确认的月度报告；状态为该报告所在月份的督查结论。"

// publicPlanData returns the public view of a published plan at version
// k, built once per version and shared: callers must not change it.
// Errors: not_found (no such plan, or not published).
func (s *Server) publicPlanData(ctx context.Context, k publicKey, base string) (*publicPlan, error) {
	key := base + "|" + k.planID
	if pp := s.Portal.cache.plan(k.Version, key); pp != nil {
		return pp, nil
	}
	pp, err := s.buildPublicPlan(ctx, k.planID, base)
	if err != nil {
		return nil, err
	}
	pp.version = k.Version
	s.Portal.cache.putPlan(key, pp)
	return pp, nil
}

func (s *Server) buildPublicPlan(ctx context.Context, planID, base string) (*publicPlan, error) {
	pv, err := s.Store.GetPlan(ctx, planID)
	if err != nil {
		return nil, err
	}
	if pv.State != plan.PlanPublished {
		return nil, plan.Errorf(plan.ENotFound, "计划不存在或尚未发布")
	}
	reports, err := s.Store.PublicReports(ctx, pv.JurisdictionCode, pv.Year, "")
	if err != nil {
		return nil, err
	}
	latest := map[string]*store.PublicReport{}
	byProject := map[string][]store.PublicReport{}
	var asOf *plan.Period
	for i := range reports {
		r := &reports[i]
		byProject[r.ProjectID] = append(byProject[r.ProjectID], *r)
		if l := latest[r.ProjectID]; l == nil || l.Period.Before(r.Period) {
			latest[r.ProjectID] = r
		}
		if asOf == nil || asOf.Before(r.Period) {
			asOf = &r.Period
		}
	}
	tl, projects, err := s.publicStatuses(ctx, pv, asOf)
	if err != nil {
		return nil, err
	}
	out := &publicPlan{ID: pv.ID, JurisdictionCode: pv.JurisdictionCode, Year: pv.Year, Title: pv.Document.Title,
		DocNumber: pv.Document.DocNumber, Issuer: pv.Document.Issuer, PublishedAt: pv.PublishedAt, AsOf: asOf,
		ByStatus: map[string]int{}, Projects: []publicProject{}, URL: base + "/public/plans/" + pv.ID, Note: publicNote,
		reports: byProject}
	if j, err := s.Store.GetJurisdiction(ctx, pv.JurisdictionCode); err == nil {
		out.Jurisdiction = j.Name
	}
	for i := range projects {
		pp := publicProjectOf(&projects[i], latest[projects[i].ID], tl, base)
		out.Projects = append(out.Projects, pp)
		out.ByStatus[string(pp.Status)]++
		out.Investment = addDec(out.Investment, pp.Investment)
		out.InvestmentDone = addDec(out.InvestmentDone, pp.InvestmentDone)
	}
	return out, nil
}

// publicStatuses judges the statuses of pv's jurisdiction through asOf
// (nil: no accepted report yet, no statuses) and returns them with pv's
// projects in force, which the status engine has read already.
func (s *Server) publicStatuses(ctx context.Context, pv *plan.PlanVersion, asOf *plan.Period) (*supervise.Timeline, []plan.ProjectRecord, error) {
	if asOf == nil {
		projects, err := s.Store.ListProjects(ctx, store.ProjectFilter{PlanID: pv.ID})
		return nil, projects, err
	}
	// Compute, not Statuses: a public page view must not write.
	tl, err := s.Engine.Compute(ctx, pv.JurisdictionCode, *asOf, false)
	if err != nil {
		return nil, nil, err
	}
	// The jurisdiction's projects in force of the year, in ListProjects'
	// order: those of this plan are what ListProjects{PlanID} returns.
	var projects []plan.ProjectRecord
	for _, p := range tl.Projects {
		if p.PlanID == pv.ID {
			projects = append(projects, p)
		}
	}
	return tl, projects, nil
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// addDec adds b to a sum that stays nil until a value comes.
func addDec(a, b *plan.Decimal) *plan.Decimal {
	switch {
	case b == nil:
		return a
	case a == nil:
		return b
	}
	sum := a.Add(*b)
	return &sum
}

// publicProjectOf is a project's public line: its latest accepted report
// (nil: none yet) and the status of that report's month.
func publicProjectOf(p *plan.ProjectRecord, latest *store.PublicReport, tl *supervise.Timeline, base string) publicProject {
	pp := publicProject{ID: p.ID, PlanID: p.PlanID, Seq: p.Seq, Category: p.CategoryTitle, Title: p.Title, Text: p.Text,
		Tags: nonNil(p.Tags), LeadUnits: nonNil(p.LeadUnitNames()), ResponsibleUnits: nonNil(p.ResponsibleUnitNames()), Leaders: nonNil(p.Leaders),
		Investment: p.Investment, StatusLabel: "暂无已审核的进展", Targets: []publicTarget{}, Latest: latest,
		URL: base + "/public/projects/" + p.ID}
	item := store.DashboardProject{}
	for _, t := range p.ActiveTargets() {
		pt := publicTarget{ID: t.ID, Text: t.Text, Metric: t.Metric, Comparator: t.Comparator, Value: t.Value, Unit: t.Unit, Kind: t.Kind}
		if latest != nil {
			pt.Actual = latest.Actual(t.ID)
		}
		if pt.Actual != nil && t.Cumulative() && t.Value.IsPositive() {
			pt.Percent = percent(ratio(pt.Actual.Decimal, t.Value.Decimal))
		}
		pp.Targets = append(pp.Targets, pt)
		item.Targets = append(item.Targets, store.DashboardTarget{Kind: t.Kind, Value: t.Value, Latest: pt.Actual,
			Lower: t.Comparator == plan.AtMost || t.Comparator == plan.LessThan})
	}
	if latest == nil {
		return pp
	}
	pp.AsOf, pp.InvestmentDone, pp.Disbursed = &latest.Period, latest.Investment, latest.Disbursed
	if c, ok := completion(&item); ok {
		pp.Completion = percent(c)
	}
	if tl != nil {
		if rec := tl.Status(p.ID, latest.Period); rec != nil {
			pp.Status, pp.StatusLabel = rec.Status, rec.Status.Label()
		}
	}
	return pp
}

// percent is a ratio as a percentage with one decimal.
func percent(r float64) *float64 {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return nil
	}
	v := math.Round(r*1000) / 10
	return &v
}

// publicCSV is the open-data table of a plan: one row per target (a
// project without targets has one row), UTF-8 with a BOM so that Excel
// reads the Chinese.
func publicCSV(pp *publicPlan) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.Write([]string{"地区", "年度", "序号", "类别", "项目名称", "牵头单位", "责任单位", "年度投资（万元）", "进展截至", "状态",
		"完成度（%）", "已完成投资（万元）", "已拨付（万元）", "目标", "目标值", "单位", "实际完成", "目标完成（%）", "项目ID", "目标ID"})
	for _, p := range pp.Projects {
		asOf, completion := "", ""
		if p.AsOf != nil {
			asOf = p.AsOf.String()
		}
		if p.Completion != nil {
			completion = strconv.FormatFloat(*p.Completion, 'f', -1, 64)
		}
		row := []string{pp.Jurisdiction, strconv.Itoa(pp.Year), strconv.Itoa(p.Seq), p.Category, p.Title, strings.Join(p.LeadUnits, "、"),
			strings.Join(p.ResponsibleUnits, "、"), decText(p.Investment), asOf, p.StatusLabel, completion, decText(p.InvestmentDone), decText(p.Disbursed)}
		if len(p.Targets) == 0 {
			w.Write(append(row, "", "", "", "", "", p.ID, ""))
			continue
		}
		for _, t := range p.Targets {
			pct := ""
			if t.Percent != nil {
				pct = strconv.FormatFloat(*t.Percent, 'f', -1, 64)
			}
			w.Write(append(append([]string{}, row...), t.Metric, t.Value.String(), t.Unit, decText(t.Actual), pct, p.ID, t.ID))
		}
	}
	w.Flush()
	return buf.Bytes()
}

func decText(d *plan.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// CompletionRatio is Completion as a 0–1 ratio (0 when unknown), for the
// progress bar.
func (p publicProject) CompletionRatio() float64 {
	if p.Completion == nil {
		return 0
	}
	return *p.Completion / 100
}
