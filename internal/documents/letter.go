package documents

import (
	"fmt"
	"io"
	"strings"
	"time"

	"minsheng/internal/plan"
)

// LetterDoc is a 工作提示函 or 督办函 as printed: the 信函格式 of
// GB/T 9704 (the issuing office in red over a red double rule, the 文号
// under it on the right), the title, the 主送, the 正文, the answer
// requirement, the 落款 and 成文日期, and the 抄送 in the 版记.
type LetterDoc struct {
	Kind       string // 工作提示函, 督办函
	Issuer     string // 发文机关 and 落款
	DocNumber  string // 文号; "" while a draft
	Title      string
	Recipients []string // 主送
	CC         []string // 抄送
	Paragraphs []string // 正文
	// Response is the answer requirement (请于…前…报送…).
	Response string
	// Date is the 成文日期; zero prints blanks to fill in.
	Date time.Time
	// Draft marks a letter not yet issued.
	Draft bool
	// Answer is the unit's 整改措施 and state, printed as an appendix
	// when set.
	Answer string
}

// LetterDocument lays out a stored letter.
func LetterDocument(l *plan.Letter) LetterDoc {
	d := LetterDoc{Kind: l.Kind.Label(), Issuer: l.Issuer, DocNumber: l.DocNumber, Title: l.Title,
		Recipients: l.Recipients, CC: l.CC, Draft: l.State == plan.LetterDraft || l.State == plan.LetterWithdrawn}
	for _, para := range strings.Split(l.Body, "\n") {
		if s := strings.TrimSpace(para); s != "" {
			d.Paragraphs = append(d.Paragraphs, s)
		}
	}
	to := l.Issuer
	if to == "" {
		to = "督查部门"
	}
	if due := l.Due(); !due.IsZero() {
		d.Response = fmt.Sprintf("请于%s前（%d个工作日内）将整改落实情况书面报送%s，并在民生实事管理系统中上传佐证材料。",
			chineseDate(due.AddDate(0, 0, -1)), l.ResponseDays, to)
	} else if l.ResponseDays > 0 {
		d.Response = fmt.Sprintf("请于收到本函后%d个工作日内将整改落实情况书面报送%s，并在民生实事管理系统中上传佐证材料。", l.ResponseDays, to)
	}
	if l.IssuedAt != nil {
		d.Date = *l.IssuedAt
	}
	if l.Answer != "" {
		d.Answer = l.Answer
	}
	return d
}

// chineseDate is 2024年3月18日.
func chineseDate(t time.Time) string {
	t = t.In(plan.Shanghai)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

func dateOrBlank(t time.Time) string {
	if t.IsZero() {
		return "　　年　月　日"
	}
	return chineseDate(t)
}

// signature lays out the 落款 and 成文日期 at the right: the date four
// characters from the right edge, the issuer centred over it (GB/T 9704
// 7.3.5 for documents without a seal).
func signature(issuer string, date time.Time) []block {
	ds := dateOrBlank(date)
	dn, in := len([]rune(ds)), len([]rune(issuer))
	// The date string mixes digits (half width) with characters.
	digits := 0
	for _, r := range ds {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	dateWidth := (dn-digits)*charWidth + digits*charWidth/2
	right := 4 * charWidth
	issuerRight := right + (dateWidth-in*charWidth)/2
	if issuerRight < 0 {
		issuerRight = 0
	}
	return []block{
		{p: &para{runs: []run{{text: issuer}}, align: "right", right: issuerRight}},
		{p: &para{runs: []run{{text: ds}}, align: "right", right: right}},
	}
}

// WriteLetterDocx writes the letter as a .docx.
func WriteLetterDocx(w io.Writer, d LetterDoc) error {
	var bs []block
	if d.Draft {
		bs = append(bs, p(run{text: "【草稿，尚未印发】", font: fontHei, size: size4, color: red}).with(func(p *para) { p.align = "left"; p.exact = -1 }))
	}
	// 发文机关标志 in red 小标宋, the red double rule, the 文号 at the right.
	bs = append(bs,
		p(run{text: d.Issuer, font: fontTitle, size: size1, color: red}).with(func(p *para) {
			p.align = "center"
			p.exact = -1
			p.before = 240
			p.border = "red2"
			p.after = 120
		}),
		p(run{text: orBlank(d.DocNumber, "〔　　〕　号")}).with(func(p *para) { p.align = "right" }),
		p(),
		p(run{text: d.Title, font: fontTitle, size: size2}).with(func(p *para) {
			p.align = "center"
			p.exact = 640
		}),
		p(),
		p(run{text: strings.Join(d.Recipients, "、") + "："}).with(func(p *para) { p.align = "left" }),
	)
	for _, s := range d.Paragraphs {
		bs = append(bs, bodyPara(s))
	}
	if d.Response != "" {
		bs = append(bs, bodyPara(d.Response))
	}
	bs = append(bs, p(), p())
	bs = append(bs, signature(d.Issuer, d.Date)...)
	if d.Answer != "" {
		bs = append(bs, p(), p(run{text: "附：整改落实情况（牵头单位答复）", font: fontHei}).with(func(p *para) { p.align = "left" }))
		for _, s := range strings.Split(d.Answer, "\n") {
			if s = strings.TrimSpace(s); s != "" {
				bs = append(bs, bodyPara(s))
			}
		}
	}
	// 版记: 抄送 between two rules, in 4号.
	if len(d.CC) > 0 {
		bs = append(bs, p(), p(run{text: "抄送：" + strings.Join(d.CC, "、") + "。", size: size4}).with(func(p *para) {
			p.align = "left"
			p.left, p.right = charWidth*14/16, charWidth*14/16
			p.border = "top+bottom"
			p.exact = -1
			p.before = 120
		}))
	}
	return writeDocx(w, docxDoc{blocks: bs, pageNumbers: true})
}

func orBlank(s, blank string) string {
	if s == "" {
		return blank
	}
	return s
}
