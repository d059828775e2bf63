package documents

import (
	"fmt"
	"io"
	"time"

	"minsheng/internal/plan"
)

// Bulletin is the monthly 调度通报 of a jurisdiction's 民生实事: summary
// figures, the status of every project, the ranking of lead units, the
// projects praised, the projects lagging and those under 挂牌督办, and
// the early warnings of the year-end forecast. internal/supervise
// assembles it from the store; this package only lays it out.
type Bulletin struct {
	Jurisdiction string      // 南昌市新建区
	Period       plan.Period // the month reported on
	Title        string      // 关于2024年1—10月民生实事项目推进情况的通报
	Issue        string      // 第10期
	Issuer       string      // 落款
	Recipients   string      // 主送
	Date         time.Time   // 成文日期
	Summary      BulletinSummary
	Rows         []BulletinRow
	Ranking      []UnitRank
	Praise       []BulletinItem
	Lagging      []BulletinItem
	Listed       []BulletinItem
	Warnings     []BulletinItem
	// Visits are the month's on-site inspections (实地督查情况).
	Visits []BulletinVisit
	// Satisfaction is the residents' votes sentence of 总体情况 ("" without
	// votes).
	Satisfaction string
	// Funds are the projects' money (bulletin_funds.go), by seq.
	Funds []BulletinFunds
	// Requirements are the 下步工作要求 paragraphs.
	Requirements []string
}

// BulletinSummary are the headline figures. Rates are fractions (0.85);
// a rate whose denominator is zero is nil.
type BulletinSummary struct {
	Projects    int
	Done        int
	OnTrack     int
	Behind      int
	FarBehind   int
	NotReported int
	Due         int
	// Completion is the mean over projects of their completion of the
	// annual targets (完成率).
	Completion *float64
	// Started is the share of projects with any progress or money spent
	// (开工率).
	Started *float64
	// Disbursement is the 资金拨付率: funds disbursed over funds allocated,
	// each project's planned investment through the month standing in for
	// an allocation it did not report (store.SummarizeFunds);
	// Investment is investment completed over the year's planned.
	Disbursement *float64
	Investment   *float64
	// Money in 万元.
	Allocated         plan.Decimal
	PlannedInvestment plan.Decimal
	ActualInvestment  plan.Decimal
	Disbursed         plan.Decimal
}

// BulletinRow is one project's line of the status table.
type BulletinRow struct {
	Seq        int
	Title      string
	LeadUnits  string
	Targets    string // the annual targets, 口袋公园12个；…
	Progress   string // the running totals reported, 口袋公园10个；…
	Completion *float64
	Status     plan.Status
	DueSoon    bool // the 临期 warning
	Forecast   string
	Warning    bool // early warning: green but the forecast misses
}

// UnitRank is a lead unit's place in the ranking.
type UnitRank struct {
	Rank        int
	Unit        string
	Projects    int
	Done        int
	OnTrack     int
	Behind      int // 滞后 and 严重滞后
	NotReported int
	Score       float64 // 0–100
}

// BulletinItem is a project named in a list, with why.
type BulletinItem struct {
	Seq   int
	Title string
	Units string
	Text  string
}

// BulletinVisit is an on-site visit of the month.
type BulletinVisit struct {
	Date       string // 10月15日
	Seq        int
	Title      string
	Units      string
	Inspectors string
	Place      string
	// Text says what was found: the figures that did not hold up, or that
	// they did; Letter the letter the visit started (已起草工作提示函,
	// 已下发督办函（…号）).
	Text       string
	Discrepant bool
	Letter     string
}

// VisitsText is the opening sentence of the 实地督查情况 section.
func (b *Bulletin) VisitsText() string {
	n := 0
	for _, v := range b.Visits {
		if v.Discrepant {
			n++
		}
	}
	return fmt.Sprintf("本月共开展实地督查%d次，其中%d次发现上报进展与现场情况不符。", len(b.Visits), n)
}

// VisitText is one visit as a numbered paragraph of the section.
func (v BulletinVisit) VisitText(i int) string {
	s := fmt.Sprintf("%d. %s，督查人员（%s）到第%d件“%s”（%s）现场（%s）督查：%s", i+1, v.Date, v.Inspectors, v.Seq, v.Title, v.Units, v.Place, v.Text)
	if v.Letter != "" {
		s += "；" + v.Letter
	}
	return s + "。"
}

// SectionNo is the Chinese number of the bulletin's section after the
// five fixed ones, which come only when they have content: visits,
// warnings, requirements.
func (b *Bulletin) SectionNo(name string) string {
	n := 5
	for _, s := range []struct {
		name string
		on   bool
	}{{"visits", len(b.Visits) > 0}, {"warnings", len(b.Warnings) > 0}, {"requirements", len(b.Requirements) > 0}} {
		if s.on {
			n++
		}
		if s.name == name {
			break
		}
	}
	return chineseNumber(n)
}

// pct prints a fraction as a percentage with one decimal.
func pct(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *f*100)
}

// pct0 prints a fraction as a whole percentage, for narrow columns.
func pct0(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", *f*100)
}

func money(d plan.Decimal) string { return d.Round(2).String() }

// SummaryText is the 总体情况 paragraph.
func (b *Bulletin) SummaryText() string {
	s := b.Summary
	text := fmt.Sprintf("截至%d年%d月底，全%s%d件民生实事中，已完成%d件，正常推进%d件，滞后%d件，严重滞后%d件，未按时报送进展%d件",
		b.Period.Year, b.Period.Month, jurisdictionWord(b.Jurisdiction), s.Projects, s.Done, s.OnTrack, s.Behind, s.FarBehind, s.NotReported)
	if s.Due > 0 {
		text += fmt.Sprintf("，尚在报送期内%d件", s.Due)
	}
	text += fmt.Sprintf("。项目总体完成率%s，开工率%s", pct(s.Completion), pct(s.Started))
	return text + fundsSummaryText(s) + "。"
}

// jurisdictionWord is 区, 县 or 市 as a document says 全区/全县/全市.
func jurisdictionWord(name string) string {
	r := []rune(name)
	if len(r) > 0 {
		switch last := r[len(r)-1]; last {
		case '区', '县', '市', '省', '旗':
			return string(last)
		}
	}
	return "区"
}

func statusText(r BulletinRow) string {
	s := r.Status.Label()
	if r.DueSoon {
		s += "（临期）"
	}
	if r.Warning {
		s += "（预警）"
	}
	return s
}

// WriteBulletinDocx writes the bulletin as a .docx in the 简报 layout:
// the red masthead, the issue and date over a red rule, then the
// document in GB/T 9704 type.
func WriteBulletinDocx(w io.Writer, b Bulletin) error {
	var bs []block
	bs = append(bs,
		p(run{text: b.Jurisdiction + "民生实事调度通报", font: fontTitle, size: sizeXiaoChu * 3 / 4, color: red}).with(func(p *para) {
			p.align, p.exact, p.before, p.after = "center", -1, 200, 200
		}),
		p(run{text: b.Issue}).with(func(p *para) { p.align = "center" }),
		p(run{text: b.Issuer + "\t" + dateOrBlank(b.Date)}).with(func(p *para) {
			p.align, p.border, p.tabRight = "left", "red2", true
		}),
		p(),
		p(run{text: b.Title, font: fontTitle, size: size2}).with(func(p *para) { p.align, p.exact = "center", 640 }),
		p(),
		p(run{text: b.Recipients + "："}).with(func(p *para) { p.align = "left" }),
		bodyPara(fmt.Sprintf("为推动%d年民生实事项目落地见效，根据各牵头单位报送的月度进展，现将%d年1—%d月民生实事项目推进情况通报如下。", b.Period.Year, b.Period.Year, b.Period.Month)),
	)
	heading := func(text string) block {
		return p(run{text: text, font: fontHei}).with(func(p *para) { p.firstLine, p.keepNext = 2*charWidth, true })
	}
	sub := func(text string) block {
		return p(run{text: text, font: fontKai}).with(func(p *para) { p.firstLine, p.keepNext = 2*charWidth, true })
	}
	n := 0
	next := func(title string) block {
		n++
		return heading(chineseNumber(n) + "、" + title)
	}
	bs = append(bs, next("总体情况"), bodyPara(b.SummaryText()))
	if b.Satisfaction != "" {
		bs = append(bs, bodyPara(b.Satisfaction))
	}
	bs = append(bs, fundsBlocks(&b)...)

	bs = append(bs, next("项目推进情况"), bodyPara("各项目截至本月底的年度目标、累计完成和状态如下表（状态按各项目月度计划或序时进度判定；“预计年底”为按已报月份累计值线性推算的年底完成值）。"))
	rows := [][]cell{}
	for _, r := range b.Rows {
		rows = append(rows, []cell{{text: itoa(r.Seq), align: "center"}, {text: r.Title}, {text: r.LeadUnits}, {text: r.Targets},
			{text: r.Progress}, {text: pct0(r.Completion), align: "center"}, {text: statusText(r), align: "center", bold: r.Status.NeedsAttention()},
			{text: r.Forecast}})
	}
	bs = append(bs, block{t: &table{widths: []int{560, 1500, 1000, 1750, 1600, 700, 800, 934},
		header: []cell{{text: "序号", align: "center"}, {text: "项目名称", align: "center"}, {text: "牵头单位", align: "center"}, {text: "年度目标", align: "center"},
			{text: "累计完成", align: "center"}, {text: "完成率", align: "center"}, {text: "状态", align: "center"}, {text: "预计年底", align: "center"}},
		rows: rows}}, p())

	bs = append(bs, next("牵头单位推进排名"), bodyPara("按各牵头单位所牵头项目的综合进度取平均排名：已完成计100分，其余按实际完成占计划的比例计分（最多100分），本月报告逾期扣10分，未报送计0分。"))
	rows = nil
	for _, u := range b.Ranking {
		rows = append(rows, []cell{{text: itoa(u.Rank), align: "center"}, {text: u.Unit}, {text: itoa(u.Projects), align: "center"},
			{text: itoa(u.Done), align: "center"}, {text: itoa(u.OnTrack), align: "center"}, {text: itoa(u.Behind), align: "center"},
			{text: itoa(u.NotReported), align: "center"}, {text: fmt.Sprintf("%.1f", u.Score), align: "center"}})
	}
	bs = append(bs, block{t: &table{widths: []int{700, 2544, 900, 900, 900, 1100, 900, 900},
		header: []cell{{text: "排名", align: "center"}, {text: "牵头单位", align: "center"}, {text: "项目数", align: "center"}, {text: "已完成", align: "center"},
			{text: "正常", align: "center"}, {text: "滞后", align: "center"}, {text: "未报送", align: "center"}, {text: "综合进度", align: "center"}},
		rows: rows}}, p())

	bs = append(bs, next("通报表扬"))
	if len(b.Praise) == 0 {
		bs = append(bs, bodyPara("本期无提前完成或超序时进度的项目。"))
	} else {
		bs = append(bs, bodyPara("以下项目提前完成年度目标或进度明显快于计划，对其牵头单位予以通报表扬："))
		for i, it := range b.Praise {
			bs = append(bs, bodyPara(fmt.Sprintf("%d. 第%d件“%s”（%s）：%s。", i+1, it.Seq, it.Title, it.Units, it.Text)))
		}
	}

	bs = append(bs, next("滞后及挂牌督办项目"), sub("（一）进度滞后项目"))
	if len(b.Lagging) == 0 {
		bs = append(bs, bodyPara("本期无进度滞后项目。"))
	}
	for i, it := range b.Lagging {
		bs = append(bs, bodyPara(fmt.Sprintf("%d. 第%d件“%s”（%s）：%s。", i+1, it.Seq, it.Title, it.Units, it.Text)))
	}
	bs = append(bs, sub("（二）挂牌督办项目"))
	if len(b.Listed) == 0 {
		bs = append(bs, bodyPara("本期无挂牌督办项目。"))
	} else {
		bs = append(bs, bodyPara("以下项目经下发督办函后仍严重滞后，予以挂牌督办，请牵头单位主要负责同志亲自研究、限期整改："))
	}
	for i, it := range b.Listed {
		bs = append(bs, bodyPara(fmt.Sprintf("%d. 第%d件“%s”（%s）：%s。", i+1, it.Seq, it.Title, it.Units, it.Text)))
	}
	if len(b.Visits) > 0 {
		bs = append(bs, next("实地督查情况"), bodyPara(b.VisitsText()))
		for i, v := range b.Visits {
			bs = append(bs, bodyPara(v.VisitText(i)))
		}
	}
	if len(b.Warnings) > 0 {
		bs = append(bs, next("年底完成预警"), bodyPara("以下项目目前按计划推进，但按已报进度推算，年底难以完成年度目标，请牵头单位提前研判、加快进度："))
		for i, it := range b.Warnings {
			bs = append(bs, bodyPara(fmt.Sprintf("%d. 第%d件“%s”（%s）：%s。", i+1, it.Seq, it.Title, it.Units, it.Text)))
		}
	}
	if len(b.Requirements) > 0 {
		bs = append(bs, next("下步工作要求"))
		for _, s := range b.Requirements {
			bs = append(bs, bodyPara(s))
		}
	}
	bs = append(bs, p(), p())
	bs = append(bs, signature(b.Issuer, b.Date)...)
	return writeDocx(w, docxDoc{blocks: bs, pageNumbers: true})
}

var chineseDigits = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// chineseNumber writes 1–99 as 一 … 九十九.
func chineseNumber(n int) string {
	switch {
	case n <= 10:
		return chineseDigits[n]
	case n < 20:
		return "十" + chineseDigits[n%10]
	case n%10 == 0:
		return chineseDigits[n/10] + "十"
	}
	return chineseDigits[n/10] + "十" + chineseDigits[n%10]
}
