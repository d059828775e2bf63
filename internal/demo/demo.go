// Package demo fills databases with plausible data. Load gives a newcomer a
// living programme: the three bundled 2024 plans published, an account for
// every role, and ten months of monthly plans and reports, written through
// the store like a year of real work (validated, audited, on a simulated
// clock). Generate writes synthetic plans of a district, a province or the
// whole country for benchmarks, in bulk.
//
// Both are deterministic: a seeded random source makes the same figures,
// states and IDs on every run, so screenshots stay stable.
package demo

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"minsheng"
	"minsheng/internal/docimport"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// Password is the password of every demo account.
const Password = "demo1234"

// Year is the year of the bundled plans.
const Year = 2024

// lastMonth is the latest month the demo reports (its reports are due on
// 5 November 2024; the demo's clock stops on the 8th at noon).
var lastMonth = plan.Period{Year: Year, Month: time.October}

// Login is a demo account printed at start.
type Login struct {
	Username, Password string
	Role               plan.Role
	Jurisdiction       string // the jurisdiction's name; "" for the admin
	Unit               string // the unit's name, for reporters and contributors
}

// Load fills an empty database; on a database that has plans it does
// nothing and returns no logins. now caps the months reported: only months
// whose reports were due before now (and at most January–October 2024).
func Load(ctx context.Context, st *store.Store, now time.Time) ([]Login, error) {
	existing, err := st.ListPlans(ctx, store.PlanFilter{})
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		return nil, nil
	}
	last := lastMonth
	if p := plan.PeriodOf(now).Prev(); p.Before(last) {
		last = p
	}
	l := &loader{ctx: ctx, st: st, rng: rand.New(rand.NewPCG(2024, 11)), ids: rand.New(rand.NewPCG(2024, 12)),
		names: usernames{}, last: last}
	savedNow, savedID := st.Now, st.NewID
	defer func() { st.Now, st.NewID = savedNow, savedID }()
	st.NewID = l.newID
	if err := l.publish(); err != nil {
		return nil, err
	}
	if err := l.createUsers(); err != nil {
		return nil, err
	}
	l.planYear()
	if err := l.run(); err != nil {
		return nil, err
	}
	if err := l.splitCity(); err != nil { // levels.go
		return nil, err
	}
	if err := l.voteRounds(); err != nil {
		return nil, err
	}
	return l.logins, nil
}

type loader struct {
	ctx    context.Context
	st     *store.Store
	rng    *rand.Rand // figures and decisions
	ids    *rand.Rand // IDs, apart so that a change of figures keeps IDs
	names  usernames
	last   plan.Period
	juris  []*jurisdiction
	works  []*work
	events []event
	logins []Login
	byUnit map[string]*plan.User // unit ID → its reporter or contributor
}

type jurisdiction struct {
	code, name, prefix         string
	projects                   []plan.ProjectRecord
	units                      []plan.Unit
	supervisor, leader, deputy *plan.User
}

func (l *loader) newID() string {
	var b [12]byte
	for i := range b {
		b[i] = byte(l.ids.UintN(256))
	}
	return hex.EncodeToString(b[:])
}

// at sets the store's clock for the next write.
func (l *loader) at(t time.Time) {
	l.st.Now = func() time.Time { return t }
}

func day(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, plan.Shanghai)
}

// publish imports the bundled plans and publishes them on 8 January 2024.
func (l *loader) publish() error {
	files, err := fs.Glob(minsheng.Seeds, "testdata/seeds/*.txt")
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("程序中没有内置的方案文件")
	}
	// By jurisdiction code, so that the order does not depend on file names.
	type doc struct {
		p    *plan.Plan
		text string
	}
	var docs []doc
	for _, f := range files {
		raw, err := fs.ReadFile(minsheng.Seeds, f)
		if err != nil {
			return err
		}
		p, err := docimport.Import(path.Base(f), raw)
		if err != nil {
			return err
		}
		if p.Jurisdiction.Code == nil {
			return fmt.Errorf("%s：没有行政区划代码", f)
		}
		text, err := docimport.Text(path.Base(f), raw)
		if err != nil {
			return err
		}
		docs = append(docs, doc{p, text})
	}
	sort.Slice(docs, func(i, j int) bool { return *docs[i].p.Jurisdiction.Code < *docs[j].p.Jurisdiction.Code })
	for i, d := range docs {
		l.at(day(Year, time.January, 8, 9, 30+i))
		pv, err := l.st.SaveDraftPlan(l.ctx, plan.SystemUser, d.p, d.text)
		if err != nil {
			return fmt.Errorf("保存方案「%s」：%w", d.p.Title, err)
		}
		l.at(day(Year, time.January, 8, 10, 30+i))
		if _, err := l.st.PublishPlan(l.ctx, plan.SystemUser, pv.ID); err != nil {
			return fmt.Errorf("发布方案「%s」：%w", d.p.Title, err)
		}
		code := pv.JurisdictionCode
		j := &jurisdiction{code: code, name: shortName(d.p.Jurisdiction.Name), prefix: prefixOf(code)}
		if j.projects, err = l.st.ListProjects(l.ctx, store.ProjectFilter{JurisdictionCode: code, Year: Year}); err != nil {
			return err
		}
		if j.units, err = l.st.ListUnits(l.ctx, code); err != nil {
			return err
		}
		l.juris = append(l.juris, j)
	}
	return nil
}

// shortName drops the city from a district's name: 南昌市新建区 → 新建区.
func shortName(name string) string {
	if i := strings.Index(name, "市"); i >= 0 && i+len("市") < len(name) {
		return name[i+len("市"):]
	}
	return name
}

// createUsers makes the admin; per jurisdiction a supervisor, a leader and
// a deputy; a reporter for every unit that reports on a project; and a
// contributor for up to three units named only as responsible units. One
// password hash serves them all (hashing costs half a second each).
func (l *loader) createUsers() error {
	hash, err := store.HashPassword(Password)
	if err != nil {
		return err
	}
	l.byUnit = map[string]*plan.User{}
	var users []*plan.User
	add := func(u *plan.User, j *jurisdiction, unit string) *plan.User {
		users = append(users, u)
		jn := ""
		if j != nil {
			jn = j.name
		}
		l.logins = append(l.logins, Login{Username: u.Username, Password: Password, Role: u.Role, Jurisdiction: jn, Unit: unit})
		return u
	}
	add(&plan.User{Username: l.names.take("admin"), DisplayName: "系统管理员", Role: plan.RoleAdmin}, nil, "")
	for _, j := range l.juris {
		j.supervisor = add(&plan.User{Username: l.names.take(j.prefix + "-supervisor"), DisplayName: j.name + "民生办",
			Role: plan.RoleSupervisor, JurisdictionCode: j.code}, j, "")
		j.leader = add(&plan.User{Username: l.names.take(j.prefix + "-leader"), DisplayName: j.name + "分管领导",
			Role: plan.RoleLeader, JurisdictionCode: j.code}, j, "")
		j.deputy = add(&plan.User{Username: l.names.take(j.prefix + "-deputy"), DisplayName: j.name + "人大代表",
			Role: plan.RoleDeputy, JurisdictionCode: j.code}, j, "")
		unitName := map[string]string{}
		for _, u := range j.units {
			unitName[u.ID] = u.Name
		}
		// Units in the order the plan first names them.
		var reporting, responsible []string
		for i := range j.projects {
			p := &j.projects[i]
			for _, id := range p.ReportingUnitIDs() {
				if !slices.Contains(reporting, id) {
					reporting = append(reporting, id)
				}
			}
		}
		for i := range j.projects {
			for _, id := range j.projects[i].ResponsibleUnitIDs() {
				if !slices.Contains(reporting, id) && !slices.Contains(responsible, id) {
					responsible = append(responsible, id)
				}
			}
		}
		if len(responsible) > 3 {
			responsible = responsible[:3]
		}
		for k, ids := range [][]string{reporting, responsible} {
			role := plan.RoleReporter
			if k == 1 {
				role = plan.RoleContributor
			}
			for n, id := range ids {
				slug := unitSlug(unitName[id])
				if slug == "" {
					slug = fmt.Sprintf("unit%02d", n+1)
					if role == plan.RoleContributor {
						slug = fmt.Sprintf("helper%02d", n+1)
					}
				}
				u := add(&plan.User{Username: l.names.take(j.prefix + "-" + slug), DisplayName: unitName[id],
					Role: role, UnitID: id, JurisdictionCode: j.code}, j, unitName[id])
				l.byUnit[id] = u
			}
		}
	}
	l.at(day(Year, time.January, 9, 9, 0))
	return l.st.CreateUsersHashed(l.ctx, plan.SystemUser, users, hash)
}

// work is one project's year.
type work struct {
	j        *jurisdiction
	p        *plan.ProjectRecord
	reporter *plan.User
	helpers  []*plan.User // users of its responsible units, who contribute
	course   course
	fate     fate
	monthly  plan.MonthlyPlanState // what its monthly plan reaches: approved, submitted or ""
	planned  map[string][12]*plan.Decimal
	actual   map[string][12]*plan.Decimal
	invPlan  [12]*plan.Decimal
	inv      [12]*plan.Decimal
	disb     [12]*plan.Decimal
	alloc    [12]*plan.Decimal
	// In the latest month: not reported at all, left a draft, or late.
	missingLast, draftLast, lateLast bool
	reports                          map[plan.Period]*plan.Report // the latest state of each report
}

// planYear decides every project's course, pace and monthly plan, and
// lays out the year's events.
func (l *loader) planYear() {
	for ji, j := range l.juris {
		order := l.rng.Perm(len(j.projects))
		role := func(k int) int {
			if k < len(order) {
				return order[k]
			}
			return -1
		}
		for i := range j.projects {
			p := &j.projects[i]
			w := &work{j: j, p: p, course: randomCourse(l.rng), monthly: plan.MonthlyApproved,
				planned: map[string][12]*plan.Decimal{}, actual: map[string][12]*plan.Decimal{}, reports: map[plan.Period]*plan.Report{}}
			if ids := p.ReportingUnitIDs(); len(ids) > 0 {
				w.reporter = l.byUnit[ids[0]]
			}
			for _, id := range p.ResponsibleUnitIDs() {
				if u := l.byUnit[id]; u != nil && !slices.Contains(p.ReportingUnitIDs(), id) {
					w.helpers = append(w.helpers, u)
				}
			}
			pc := onPlan
			switch i {
			case role(0):
				w.missingLast = ji < 2 // a couple of projects not reported for the latest month
				w.lateLast = ji == 2
			case role(1):
				w.lateLast = true
			case role(2):
				w.draftLast = ji == 2
			case role(3), role(4):
				pc = behind
			case role(5):
				pc = early
			case role(6):
				w.monthly = "" // no monthly plan: supervised against 序时进度
			case role(7):
				if ji == 0 {
					w.monthly = plan.MonthlySubmitted // waiting for approval
				}
			}
			if i == role(8) && len(j.projects) > 12 {
				pc = behind
			}
			w.fate = newFate(l.rng, pc, w.course)
			for _, t := range p.ActiveTargets() {
				w.planned[t.ID] = plannedTarget(&t, w.course)
				w.actual[t.ID] = actualTarget(l.rng, &t, w.planned[t.ID], w.course, w.fate)
			}
			w.invPlan = plannedInvestment(p.Investment, w.course)
			w.inv, w.disb, w.alloc = actualInvestment(l.rng, p.Investment, w.invPlan, w.course, w.fate)
			l.works = append(l.works, w)
		}
	}
	for i, w := range l.works {
		l.monthlyPlanEvents(i, w)
	}
	for m := time.January; m <= l.last.Month && l.last.Year == Year; m++ {
		for _, w := range l.works {
			l.reportEvents(w, plan.Period{Year: Year, Month: m})
		}
	}
}

// event is one write on the simulated clock.
type event struct {
	at   time.Time
	seq  int
	what string
	do   func() error
}

func (l *loader) add(at time.Time, what string, do func() error) {
	l.events = append(l.events, event{at: at, seq: len(l.events), what: what, do: do})
}

// run performs the events in time order, so that the audit log reads as a
// year of work.
func (l *loader) run() error {
	sort.SliceStable(l.events, func(i, j int) bool { return l.events[i].at.Before(l.events[j].at) })
	for _, e := range l.events {
		l.at(e.at)
		if err := e.do(); err != nil {
			return fmt.Errorf("%s（%s）：%w", e.what, e.at.In(plan.Shanghai).Format("2006-01-02 15:04"), err)
		}
	}
	return nil
}

func (l *loader) monthlyPlanEvents(i int, w *work) {
	if w.monthly == "" || w.reporter == nil {
		return
	}
	mp := &plan.MonthlyPlan{Investment: w.invPlan,
		Deadline: plan.Period{Year: Year, Month: time.Month(w.course.end)}.End().AddDate(0, 0, -1).Format("2006-01-02")}
	if w.p.Investment == nil {
		mp.Investment = [12]*plan.Decimal{}
	}
	for _, t := range w.p.ActiveTargets() {
		mp.Targets = append(mp.Targets, plan.MonthlyTarget{TargetID: t.ID, Cumulative: w.planned[t.ID]})
	}
	saveAt := day(Year, time.January, 15+i%8, 9+i%7, 10+i%40)
	what := w.j.name + "「" + w.p.Title + "」月度计划"
	var version int
	l.add(saveAt, what+"保存", func() error {
		out, err := l.st.SaveMonthlyPlan(l.ctx, w.reporter, w.p.ID, mp)
		if err == nil {
			version = out.Version
		}
		return err
	})
	l.add(saveAt.Add(40*time.Minute), what+"提交", func() error {
		_, err := l.st.SubmitMonthlyPlan(l.ctx, w.reporter, w.p.ID, version)
		return err
	})
	if w.monthly == plan.MonthlyApproved {
		l.add(day(Year, time.January, 24+i%5, 10+i%6, 5+i%50), what+"审核", func() error {
			_, err := l.st.ApproveMonthlyPlan(l.ctx, w.j.supervisor, w.p.ID)
			return err
		})
	}
}

var returnReasons = []string{
	"工作进展描述过于笼统，请补充具体完成数据和佐证材料后重新报送。",
	"本月进展与上月重复，请写明本月新增完成情况。",
	"请补充存在问题和下步打算，不能只写进展。",
}

var disbursedReason = "累计拨付资金与财政拨付台账不一致，请核实后重新报送。"

// reportEvents lays out one project's report for one month: contributions,
// saving, submitting, perhaps a return and a resubmission, acceptance —
// on the days of the following month a real unit would. In the latest
// month the clock stops on the 8th at noon, so that what comes later has
// not happened yet.
func (l *loader) reportEvents(w *work, per plan.Period) {
	if w.reporter == nil {
		return
	}
	latest := per == l.last
	if latest && w.missingLast {
		return
	}
	cutoff := per.Next().Start().Add(7*24*time.Hour + 12*time.Hour)
	base := per.Next().Start()
	late := l.rng.Float64() < 0.07 || latest && w.lateLast
	returned := l.rng.Float64() < 0.07
	contribute := len(w.helpers) > 0 && l.rng.Float64() < 0.4
	d := 1 + l.rng.IntN(4)
	if late {
		d = 6 + l.rng.IntN(3)
		if latest {
			d = 6 + l.rng.IntN(2) // before the clock stops
		}
	}
	saveAt := base.Add(time.Duration(d-1)*24*time.Hour + time.Duration(9+l.rng.IntN(7))*time.Hour + time.Duration(l.rng.IntN(60))*time.Minute)
	submitAt := saveAt.Add(time.Duration(20+l.rng.IntN(100)) * time.Minute)
	in := l.reportInput(w, per)
	what := w.j.name + "「" + w.p.Title + "」" + per.Label() + "报告"
	add := func(at time.Time, action string, do func() error) {
		if !at.After(cutoff) {
			l.add(at, what+action, do)
		}
	}
	if contribute {
		h := w.helpers[l.rng.IntN(len(w.helpers))]
		text := fmt.Sprintf("%s按职责配合做好%s相关工作，本月无新增问题。", unitOf(w, h), w.p.Title)
		add(saveAt.Add(-time.Duration(2+l.rng.IntN(30))*time.Hour), "责任单位补充", func() error {
			r, err := l.st.AddContribution(l.ctx, h, w.p.ID, per, store.ContributionInput{Text: text})
			if err == nil {
				w.reports[per] = r
			}
			return err
		})
	}
	save := func(in store.ReportInput) func() error {
		return func() error {
			if r := w.reports[per]; r != nil {
				in.Version = r.Version
			}
			r, _, err := l.st.SaveReport(l.ctx, w.reporter, w.p.ID, per, in)
			if err == nil {
				w.reports[per] = r
			}
			return err
		}
	}
	submit := func() error {
		r, err := l.st.SubmitReport(l.ctx, w.reporter, w.p.ID, per, w.reports[per].Version)
		if err == nil {
			w.reports[per] = r
		}
		return err
	}
	first := in
	reason := returnReasons[l.rng.IntN(len(returnReasons))]
	if returned && in.Disbursed != nil && in.Disbursed.IsPositive() && l.rng.IntN(2) == 0 {
		// The first submission overstates the funds disbursed.
		over := dec(in.Disbursed.Decimal.Mul(plan.MustDecimal("1.05").Decimal).Round(2))
		if over.LessThanOrEqual(in.Investment.Decimal) {
			first.Disbursed, reason = over, disbursedReason
		}
	} else if returned {
		first.Problems, first.NextSteps = "", ""
	}
	add(saveAt, "保存", save(first))
	if latest && w.draftLast {
		return
	}
	add(submitAt, "报送", submit)
	lastSubmit := submitAt
	if returned {
		returnAt := base.Add(time.Duration(d)*24*time.Hour + time.Duration(10+l.rng.IntN(6))*time.Hour)
		if !returnAt.After(submitAt) {
			returnAt = submitAt.Add(2 * time.Hour)
		}
		add(returnAt, "退回", func() error {
			r, err := l.st.ReturnReport(l.ctx, w.j.supervisor, w.p.ID, per, reason)
			if err == nil {
				w.reports[per] = r
			}
			return err
		})
		resaveAt := returnAt.Add(time.Duration(20+l.rng.IntN(6)) * time.Hour)
		fixed := in
		fixed.Progress += "（已按退回意见核实更正）"
		add(resaveAt, "修改", save(fixed))
		lastSubmit = resaveAt.Add(30 * time.Minute)
		add(lastSubmit, "重新报送", submit)
	}
	acceptAt := lastSubmit.Add(time.Duration(1+l.rng.IntN(3)) * 24 * time.Hour).Truncate(time.Hour).Add(time.Duration(l.rng.IntN(5)) * time.Hour)
	if acceptAt.Before(lastSubmit) {
		acceptAt = lastSubmit.Add(24 * time.Hour)
	}
	add(acceptAt, "确认", func() error {
		r, err := l.st.AcceptReport(l.ctx, w.j.supervisor, w.p.ID, per)
		if err == nil {
			w.reports[per] = r
		}
		return err
	})
}

func unitOf(w *work, u *plan.User) string {
	for _, pu := range w.p.Units {
		if pu.UnitID == u.UnitID {
			return pu.UnitName
		}
	}
	return u.DisplayName
}

var (
	problemsBehind = []string{
		"受征地拆迁影响，部分点位开工滞后。",
		"项目资金到位较慢，影响工程进度。",
		"连续降雨天气影响室外施工，进度低于月度计划。",
		"部分群众意愿不统一，协调工作量大，推进较慢。",
	}
	nextBehind = []string{
		"倒排工期、挂图作战，加派施工力量，力争下月追上进度。",
		"提请区政府专题调度，协调解决资金和用地问题。",
	}
	nextOnPlan = []string{
		"继续按月度计划推进，加强调度，确保按期完成。",
		"做好过程资料收集，确保质量和安全。",
		"持续跟踪服务对象，巩固工作成效。",
	}
)

// reportInput writes the month's report: figures from the project's year,
// a progress text that quotes them.
func (l *loader) reportInput(w *work, per plan.Period) store.ReportInput {
	m := int(per.Month)
	in := store.ReportInput{}
	var parts []string
	for _, t := range w.p.ActiveTargets() {
		a := w.actual[t.ID][m-1]
		in.Targets = append(in.Targets, plan.ReportTarget{TargetID: t.ID, Actual: a})
		if len(parts) >= 2 {
			continue
		}
		switch {
		case t.Kind == plan.KindRate:
			parts = append(parts, fmt.Sprintf("%s为%s%%", t.Metric, a))
		case t.Kind == plan.KindStandard:
			parts = append(parts, fmt.Sprintf("%s已按%s%s落实到位", t.Metric, a, t.Unit))
		case t.Kind == plan.KindMilestone:
			if a.IsPositive() {
				parts = append(parts, t.Metric+"已完成")
			} else {
				parts = append(parts, t.Metric+"正在加紧推进")
			}
		default:
			pct := "0"
			if t.Value.IsPositive() {
				pct = a.Decimal.Mul(hundred).Div(t.Value.Decimal).Round(1).String()
			}
			parts = append(parts, fmt.Sprintf("%s累计完成%s%s，为年度目标的%s%%", t.Metric, a, t.Unit, pct))
		}
	}
	text := fmt.Sprintf("截至%d月底，", m)
	if len(parts) > 0 {
		text += strings.Join(parts, "；") + "。"
	} else {
		text += "按实施方案推进" + w.p.Title + "各项工作，完成当月工作任务。"
	}
	if w.inv[m-1] != nil {
		in.Investment, in.Disbursed, in.Allocated = w.inv[m-1], w.disb[m-1], w.alloc[m-1]
		in.Funds = subprojectFunds(w.p.Subprojects, in.Allocated, in.Disbursed, in.Investment)
		text += fmt.Sprintf("累计到位资金%s万元，完成投资%s万元，拨付资金%s万元。", w.alloc[m-1], w.inv[m-1], w.disb[m-1])
	}
	in.Progress = text
	behindNow := w.fate.pace == behind && m >= w.fate.from
	switch {
	case behindNow:
		in.Problems = problemsBehind[l.rng.IntN(len(problemsBehind))]
		in.NextSteps = nextBehind[l.rng.IntN(len(nextBehind))]
	default:
		in.Problems = "无。"
		in.NextSteps = nextOnPlan[l.rng.IntN(len(nextOnPlan))]
	}
	return in
}

// PrintLogins writes the demo accounts as a table, with the password.
func PrintLogins(w io.Writer, logins []Login) {
	if len(logins) == 0 {
		return
	}
	fmt.Fprintf(w, "演示账号（密码均为 %s）：\n", logins[0].Password)
	rows := [][]string{{"用户名", "角色", "行政区划", "单位"}}
	for i, l := range logins {
		if i > 0 && l.Jurisdiction != logins[i-1].Jurisdiction {
			rows = append(rows, nil) // a blank line between jurisdictions
		}
		j, u := l.Jurisdiction, l.Unit
		if j == "" {
			j = "—"
		}
		if u == "" {
			u = "—"
		}
		if l.Password != logins[0].Password {
			u += "（密码 " + l.Password + "）"
		}
		rows = append(rows, []string{l.Username, l.Role.Label(), j, u})
	}
	table(w, rows)
}
