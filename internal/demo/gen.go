package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"minsheng/internal/division"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// Scales of synthetic data.
const (
	ScaleDistrict = "district" // one county-level jurisdiction
	ScaleProvince = "province" // every county of one province (江西, about 100)
	ScaleNational = "national" // every county-level jurisdiction of the mainland (about 2,850)
)

// GenOptions say what Generate writes.
type GenOptions struct {
	Scale string
	// Months of reports, from January (default 10: January–October).
	Months int
	// Counties per transaction (default 20).
	Batch int
	// Progress, if set, gets a line now and then.
	Progress io.Writer
}

// GenStats counts what Generate wrote.
type GenStats struct {
	Counties, Projects, Targets, MonthlyValues, Reports, ReportValues, Users int
	Elapsed                                                                  time.Duration
}

// genProvince is the province of ScaleProvince, genDistrict the county of
// ScaleDistrict.
const (
	genProvince = "36"
	genDistrict = "360112"
)

// GenCounties returns the county-level jurisdictions of a scale.
func GenCounties(scale string) ([]division.Division, error) {
	var out []division.Division
	switch scale {
	case ScaleDistrict:
		d, _ := division.ByCode(genDistrict)
		return []division.Division{d}, nil
	case ScaleProvince, ScaleNational:
		for _, d := range division.All(division.LevelCounty) {
			// The mainland: 台湾 (71), 香港 (81) and 澳门 (82) have no such plans.
			if d.Code >= "710000" || scale == ScaleProvince && !strings.HasPrefix(d.Code, genProvince) {
				continue
			}
			out = append(out, d)
		}
		return out, nil
	}
	return nil, plan.FieldError("scale", "规模应为 district、province 或 national，而不是「%s」", scale)
}

// Generate fills an empty database with synthetic plans shaped like the
// seeds: per county 15 projects of 4 targets, published, with approved
// monthly plans and months of accepted reports. It writes with
// store.BulkLoad, a batch of counties per transaction, each batch audited
// by one summary row; then an admin and a leader per province (password
// Password). The figures are deterministic per county.
// Errors: conflict when the database already has plans.
func Generate(ctx context.Context, st *store.Store, o GenOptions) (*GenStats, error) {
	start := time.Now()
	if o.Months == 0 {
		o.Months = 10
	}
	if o.Months < 1 || o.Months > 12 {
		return nil, plan.FieldError("months", "月数应在 1 到 12 之间")
	}
	if o.Batch <= 0 {
		o.Batch = 20
	}
	counties, err := GenCounties(o.Scale)
	if err != nil {
		return nil, err
	}
	existing, err := st.ListPlans(ctx, store.PlanFilter{Year: Year})
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		return nil, plan.Errorf(plan.EConflict, "数据库中已有 %d 年的计划；合成数据只写入空数据库", Year)
	}
	stats := &GenStats{}
	// Build batches on one goroutine while the other writes.
	type batch struct {
		d   *store.BulkData
		err error
	}
	batches := make(chan batch, 2)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	nBatches := (len(counties) + o.Batch - 1) / o.Batch
	go func() {
		defer close(batches)
		seen := map[string]bool{}
		for b := 0; b < nBatches; b++ {
			d := &store.BulkData{Label: fmt.Sprintf("gen %s %d/%d", o.Scale, b+1, nBatches)}
			for _, c := range counties[b*o.Batch : min(len(counties), (b+1)*o.Batch)] {
				for _, a := range append(division.Ancestors(c), c) {
					if !seen[a.Code] {
						seen[a.Code] = true
						d.Jurisdictions = append(d.Jurisdictions, plan.JurisdictionRecord{Code: a.Code, Name: a.Name, Level: a.Level, ParentCode: a.ParentCode})
					}
				}
				genCounty(d, c, o.Months)
			}
			select {
			case batches <- batch{d: d}:
			case <-ctx.Done():
				return
			}
		}
	}()
	done := 0
	for b := range batches {
		if _, err := st.BulkLoad(ctx, plan.SystemUser, b.d); err != nil {
			return nil, fmt.Errorf("%s：%w", b.d.Label, err)
		}
		stats.Counties += len(b.d.Plans)
		stats.Projects += len(b.d.Projects)
		for _, p := range b.d.Projects {
			stats.Targets += len(p.Targets)
		}
		for _, mp := range b.d.MonthlyPlans {
			for _, mt := range mp.Targets {
				for _, v := range mt.Cumulative {
					if v != nil {
						stats.MonthlyValues++
					}
				}
			}
		}
		stats.Reports += len(b.d.Reports)
		for _, r := range b.d.Reports {
			stats.ReportValues += len(r.Targets)
		}
		done++
		if o.Progress != nil && (done%max(1, nBatches/20) == 0 || done == nBatches) {
			fmt.Fprintf(o.Progress, "已写入 %d/%d 个县级行政区（%.0f 秒）\n", stats.Counties, len(counties), time.Since(start).Seconds())
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n, err := genUsers(ctx, st, counties)
	if err != nil {
		return nil, err
	}
	stats.Users = n
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "更新查询统计信息（ANALYZE）……\n")
	}
	if err := st.Analyze(ctx); err != nil {
		return nil, err
	}
	stats.Elapsed = time.Since(start)
	return stats, nil
}

// genUsers adds an admin (gen-admin) and a leader per province (gen-36 for
// 江西) who can read its dashboards.
func genUsers(ctx context.Context, st *store.Store, counties []division.Division) (int, error) {
	hash, err := store.HashPassword(Password)
	if err != nil {
		return 0, err
	}
	users := []*plan.User{{Username: "gen-admin", DisplayName: "合成数据管理员", Role: plan.RoleAdmin}}
	seen := map[string]bool{}
	for _, c := range counties {
		p := c.Code[:2]
		if seen[p] {
			continue
		}
		seen[p] = true
		users = append(users, &plan.User{Username: "gen-" + p, DisplayName: "省级领导 " + p, Role: plan.RoleLeader, JurisdictionCode: p + "0000"})
	}
	return len(users), st.CreateUsersHashed(ctx, plan.SystemUser, users, hash)
}

// template is a project type of the synthetic plans, after the seeds.
type template struct {
	title, lead string
	helpers     []string
	inv         [2]int // investment range, 万元
	targets     [4]targetTemplate
}

type targetTemplate struct {
	metric, comparator, unit, kind string
	lo, hi                         float64
	places                         int32
}

func q(metric, unit string, lo, hi float64, places int32) targetTemplate {
	return targetTemplate{metric, plan.Exactly, unit, plan.KindQuantity, lo, hi, places}
}

func atLeast(metric, unit string, lo, hi float64, places int32) targetTemplate {
	return targetTemplate{metric, plan.AtLeast, unit, plan.KindQuantity, lo, hi, places}
}

func rate(metric string, lo, hi float64) targetTemplate {
	return targetTemplate{metric, plan.AtLeast, "%", plan.KindRate, lo, hi, 0}
}

func standard(metric string, lo, hi float64) targetTemplate {
	return targetTemplate{metric, plan.Exactly, "元", plan.KindStandard, lo, hi, 0}
}

func works(metric string, lo, hi float64) targetTemplate {
	return targetTemplate{metric, plan.AtLeast, "%", plan.KindProgress, lo, hi, 0}
}

func milestone(metric string) targetTemplate {
	return targetTemplate{metric, plan.Exactly, "项", plan.KindMilestone, 1, 1, 0}
}

// L in a unit name is the level's character: 区人社局, 县人社局, 旗人社局.
var templates = [15]template{
	{"支持重点群体就业创业", "L人社局", []string{"团L委", "L财政局"}, [2]int{300, 1500}, [4]targetTemplate{
		q("新增发放创业担保贷款", "亿元", 0.5, 3, 2), rate("扶持个人创业担保贷款占贷款总数", 50, 60), rate("到期贷款回收率", 95, 98), atLeast("城镇新增就业", "人", 2000, 12000, 0)}},
	{"提高城乡低保保障标准", "L民政局", []string{"L财政局"}, [2]int{2000, 8000}, [4]targetTemplate{
		standard("城乡低保月人均保障标准", 850, 1100), standard("特困人员供养标准", 1100, 1400), standard("特困失能人员照料护理补贴标准", 1400, 1700), atLeast("临时救助", "人次", 500, 3000, 0)}},
	{"持续完善养老服务体系", "L民政局", nil, [2]int{500, 5000}, [4]targetTemplate{
		q("区域性中心敬老院", "家", 1, 4, 0), q("新增养老床位", "张", 50, 400, 0), q("城市老年助餐点", "个", 3, 20, 0), q("特殊困难老年人家庭适老化改造", "户", 100, 800, 0)}},
	{"学前、义务教育基础设施建设", "L教体局", []string{"L发改委", "L财政局"}, [2]int{5000, 30000}, [4]targetTemplate{
		q("校建项目", "个", 2, 6, 0), q("新增学位", "个", 1000, 6000, 0), q("新增幼儿园园位", "个", 200, 900, 0), works("主体工程量", 60, 100)}},
	{"提升基层医疗卫生服务能力", "L卫健委", nil, [2]int{800, 6000}, [4]targetTemplate{
		q("村卫生室标准化建设", "个", 10, 60, 0), atLeast("家庭医生签约服务", "万人", 5, 20, 1), q("免费两癌筛查", "人", 3000, 15000, 0), atLeast("乡镇卫生院达到服务能力推荐标准", "家", 2, 8, 0)}},
	{"推进城镇老旧小区改造", "L住建局", []string{"L财政局", "L发改委"}, [2]int{8000, 60000}, [4]targetTemplate{
		q("老旧小区改造", "个", 5, 40, 0), q("楼栋", "栋", 80, 1500, 0), q("受益居民", "户", 2000, 20000, 0), q("加装电梯", "部", 10, 120, 0)}},
	{"改造提升农村公路", "L交通运输局", nil, [2]int{3000, 20000}, [4]targetTemplate{
		q("农村公路提升改造", "公里", 30, 200, 1), q("危桥改造", "座", 2, 15, 0), q("公路安防工程", "公里", 20, 120, 1), q("新建改建公交候车亭", "个", 10, 60, 0)}},
	{"推进城乡供水一体化", "L水利局", []string{"L住建局"}, [2]int{3000, 25000}, [4]targetTemplate{
		q("新建改造供水管网", "公里", 20, 150, 2), q("受益人口", "万人", 1, 10, 1), rate("农村自来水普及率", 90, 99), rate("水质达标率", 95, 99)}},
	{"城市燃气管道等老化更新改造", "L住建局", []string{"L城管局"}, [2]int{3000, 20000}, [4]targetTemplate{
		q("改造低压庭院燃气管道", "公里", 10, 80, 2), q("居民燃气安全装置", "户", 5000, 100000, 0), q("更换锈蚀立管", "公里", 20, 200, 2), works("总工程量", 70, 100)}},
	{"改善残疾人生活和照顾服务", "L残联", []string{"L民政局"}, [2]int{100, 1500}, [4]targetTemplate{
		atLeast("困难重度残疾人家庭无障碍改造", "户", 100, 800, 0), q("残疾儿童康复救助", "名", 50, 300, 0), q("辅助器具适配", "件", 200, 1500, 0), q("残疾人就业培训", "人次", 100, 600, 0)}},
	{"发展普惠托育服务", "L卫健委", []string{"L发改委"}, [2]int{500, 4000}, [4]targetTemplate{
		q("托育服务中心", "个", 1, 4, 0), q("新增托位", "个", 100, 600, 0), rate("普惠托位占比", 50, 70), q("托育从业人员培训", "人次", 100, 500, 0)}},
	{"全民健身设施建设和文化惠民", "L文广新旅局", nil, [2]int{200, 2000}, [4]targetTemplate{
		atLeast("全民健身苑点", "个", 3, 20, 0), q("全民健身多功能运动场", "个", 1, 6, 0), q("送文化下乡活动", "场", 30, 200, 0), q("送电影下乡活动", "场", 200, 1500, 0)}},
	{"城市排水防涝和污水处理", "L城管局", []string{"L住建局", "L财政局"}, [2]int{5000, 40000}, [4]targetTemplate{
		q("新建改造雨污管网", "公里", 5, 60, 2), q("易涝点整治", "处", 3, 20, 0), milestone("污水处理厂提标改造并投入使用"), rate("污水集中收集率", 60, 80)}},
	{"医院新院区建设", "L卫健委", []string{"L建投集团"}, [2]int{10000, 80000}, [4]targetTemplate{
		milestone("人民医院新院区建设并投入使用"), q("新增床位", "张", 200, 1000, 0), works("工程量", 50, 100), q("医疗设备购置", "台", 50, 400, 0)}},
	{"守护群众舌尖上的安全", "L市场监管局", nil, [2]int{300, 3000}, [4]targetTemplate{
		q("农贸市场标准化改造", "个", 2, 10, 0), atLeast("食品快检", "批次", 5000, 30000, 0), rate("明厨亮灶覆盖率", 85, 98), q("学校食堂“互联网+明厨亮灶”", "所", 30, 200, 0)}},
}

// levelChar is the character county units begin with: 区, 县, 市 or 旗.
func levelChar(name string) string {
	for _, c := range []string{"区", "县", "市", "旗"} {
		if strings.HasSuffix(name, c) {
			return c
		}
	}
	return "县"
}

// genCounty adds one county's published plan, monthly plans and reports.
func genCounty(d *store.BulkData, c division.Division, months int) {
	h := fnv.New64a()
	h.Write([]byte(c.Code))
	rng := rand.New(rand.NewPCG(h.Sum64(), 2024))
	lc := levelChar(c.Name)
	code := c.Code
	unitIDs := map[string]string{}
	unit := func(pattern string) (string, string) {
		name := strings.ReplaceAll(pattern, "L", lc)
		if id, ok := unitIDs[name]; ok {
			return id, name
		}
		id := fmt.Sprintf("un_%s_%02d", code, len(unitIDs)+1)
		unitIDs[name] = id
		d.Units = append(d.Units, plan.Unit{ID: id, JurisdictionCode: code, Name: name})
		return id, name
	}
	planID := "pl_" + code
	doc := plan.Plan{
		Source:       plan.Source{File: "synthetic", Encoding: "utf-8"},
		Jurisdiction: plan.Jurisdiction{Name: division.FullName(c), Code: &code, Level: ptr(plan.LevelCounty)},
		Year:         Year,
		Title:        fmt.Sprintf("%s%d年民生实事安排方案（合成数据）", c.Name, Year),
		Categories:   []plan.Category{},
		Findings:     []plan.Finding{},
	}
	var total decimal.Decimal
	for i, tp := range templates {
		seq := i + 1
		pid := fmt.Sprintf("pj_%s_%02d", code, seq)
		inv := plan.Decimal{Decimal: decimal.NewFromInt(int64(tp.inv[0] + rng.IntN(tp.inv[1]-tp.inv[0]+1)))}
		total = total.Add(inv.Decimal)
		p := plan.ProjectRecord{ID: pid, PlanID: planID, JurisdictionCode: code, Year: Year, Seq: seq, Title: tp.title,
			Tags: []string{}, Leaders: []string{}, Investment: &inv}
		dp := plan.Project{Seq: seq, Title: tp.title, Tags: []string{}, Leaders: []string{}, Investment: &inv, ResponsibleUnits: []string{}}
		id, name := unit(tp.lead)
		p.Units = append(p.Units, plan.ProjectUnit{UnitID: id, UnitName: name, Role: plan.UnitLead})
		dp.LeadUnits = []string{name}
		for _, hp := range tp.helpers {
			id, name := unit(hp)
			p.Units = append(p.Units, plan.ProjectUnit{UnitID: id, UnitName: name, Role: plan.UnitResponsible})
			dp.ResponsibleUnits = append(dp.ResponsibleUnits, name)
		}
		var texts []string
		for k, tt := range tp.targets {
			v := decimal.NewFromFloat(tt.lo + rng.Float64()*(tt.hi-tt.lo)).Round(tt.places)
			if v.IsZero() {
				v = decimal.NewFromInt(1)
			}
			text := tt.metric + v.String() + tt.unit
			texts = append(texts, text)
			tr := plan.TargetRecord{ID: fmt.Sprintf("tg_%s_%02d%d", code, seq, k+1), ProjectID: pid, Seq: k + 1, Text: text,
				Metric: tt.metric, Comparator: tt.comparator, Value: plan.Decimal{Decimal: v}, Unit: tt.unit, Kind: tt.kind}
			p.Targets = append(p.Targets, tr)
			dp.Targets = append(dp.Targets, plan.Target{Text: text, Metric: tt.metric, Comparator: tt.comparator, Value: tr.Value, Unit: tt.unit, Kind: tt.kind})
		}
		p.Text = strings.Join(texts, "，") + "。"
		dp.Text = p.Text
		d.Projects = append(d.Projects, p)
		doc.Projects = append(doc.Projects, dp)

		// The year: a course, a pace (most on plan, some behind, a few early).
		crs := randomCourse(rng)
		pc := onPlan
		switch x := rng.Float64(); {
		case x < 0.12:
			pc = behind
		case x < 0.2:
			pc = early
		}
		f := newFate(rng, pc, crs)
		mp := plan.MonthlyPlan{ProjectID: pid, State: plan.MonthlyApproved, Version: 3,
			Deadline: plan.Period{Year: Year, Month: time.Month(crs.end)}.End().AddDate(0, 0, -1).Format("2006-01-02")}
		actual := make([][12]*plan.Decimal, len(p.Targets))
		for k := range p.Targets {
			t := &p.Targets[k]
			planned := plannedTarget(t, crs)
			mp.Targets = append(mp.Targets, plan.MonthlyTarget{TargetID: t.ID, Cumulative: planned})
			actual[k] = actualTarget(rng, t, planned, crs, f)
		}
		mp.Investment = plannedInvestment(&inv, crs)
		d.MonthlyPlans = append(d.MonthlyPlans, mp)
		invs, disbs, allocs := actualInvestment(rng, &inv, mp.Investment, crs, f)
		for m := 1; m <= months; m++ {
			per := plan.Period{Year: Year, Month: time.Month(m)}
			dd := 1 + rng.IntN(4)
			if rng.Float64() < 0.05 {
				dd = 6 + rng.IntN(4) // late
			}
			submitted := per.Next().Start().Add(time.Duration(dd-1)*24*time.Hour + time.Duration(9+rng.IntN(8))*time.Hour)
			accepted := submitted.Add(time.Duration(20+rng.IntN(48)) * time.Hour)
			r := plan.Report{ID: fmt.Sprintf("rp_%s_%02d_%02d", code, seq, m), ProjectID: pid, Period: per, State: plan.ReportAccepted,
				Version: 3, Investment: invs[m-1], Disbursed: disbs[m-1], Allocated: allocs[m-1],
				Progress:  fmt.Sprintf("截至%d月底，累计完成投资%s万元，各项工作按月度计划推进。", m, invs[m-1]),
				CreatedAt: submitted.Add(-time.Hour), UpdatedAt: accepted, SubmittedAt: &submitted, AcceptedAt: &accepted}
			if pc == behind && m >= f.from {
				r.Progress = fmt.Sprintf("截至%d月底，累计完成投资%s万元，进度滞后于月度计划。", m, invs[m-1])
				r.Problems = "项目资金到位较慢，影响工程进度。"
			}
			for k := range p.Targets {
				r.Targets = append(r.Targets, plan.ReportTarget{TargetID: p.Targets[k].ID, Actual: actual[k][m-1]})
			}
			d.Reports = append(d.Reports, r)
		}
	}
	doc.TotalInvestment = &plan.Decimal{Decimal: total}
	doc.DeclaredCount = ptr(len(templates))
	d.Plans = append(d.Plans, plan.PlanVersion{ID: planID, JurisdictionCode: code, Year: Year, Version: 1, State: plan.PlanPublished, Document: doc})
}

func ptr[T any](v T) *T { return &v }
