package notify

import (
	"fmt"
	"strings"
	"time"

	"minsheng/internal/plan"
)

func cnDate(t time.Time) string {
	t = t.In(plan.Shanghai)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// reportText is a reminder to report a month's progress: before the due
// day a 提醒, after it a 催报 that counts the days.
func reportText(kind, unit string, per plan.Period, due, today time.Time, projects []*plan.ProjectRecord, issuer string) (string, string) {
	var list strings.Builder
	for i, p := range projects {
		fmt.Fprintf(&list, "%d. 第%d件“%s”\n", i+1, p.Seq, p.Title)
	}
	var subject, body string
	if kind == KindReportDue {
		subject = fmt.Sprintf("关于按时报送%s民生实事项目进展情况的提醒", per.Label())
		body = fmt.Sprintf("%s：\n根据民生实事月度调度工作安排，%s项目进展情况应于%s前报送。截至%s，你单位牵头的以下项目尚未报送：\n%s请抓紧在民生实事管理系统中填报并按时报送。",
			unit, per.Label(), cnDate(due), cnDate(today), list.String())
	} else {
		subject = fmt.Sprintf("关于催报%s民生实事项目进展情况的通知", per.Label())
		body = fmt.Sprintf("%s：\n%s项目进展情况应于%s前报送，现已逾期%d天，你单位牵头的以下项目仍未报送：\n%s请于收到本通知后立即填报。逾期未报送的，将在民生实事调度通报中予以通报。",
			unit, per.Label(), cnDate(due), days(due, today), list.String())
	}
	return subject, body + "\n" + issuer + "\n" + cnDate(today)
}

// letterText is a reminder to answer a letter: near its deadline, or
// after it.
func letterText(kind, unit string, l *plan.Letter, dueDay, today time.Time) (string, string) {
	doc := "《" + l.Title + "》"
	if l.DocNumber != "" {
		doc += "（" + l.DocNumber + "）"
	}
	issued := ""
	if l.IssuedAt != nil {
		issued = "于" + cnDate(*l.IssuedAt) + "印发的"
	}
	var subject, body string
	if kind == KindLetterDue {
		subject = fmt.Sprintf("关于%s答复期限即将届满的提醒", l.Kind.Label())
		body = fmt.Sprintf("%s：\n%s%s%s答复期限为%s，目前你单位尚未答复。请于期限届满前在民生实事管理系统中报送整改落实情况并上传佐证材料。",
			unit, l.Issuer, issued, doc, cnDate(dueDay))
	} else {
		subject = fmt.Sprintf("关于%s逾期未答复的催办通知", l.Kind.Label())
		body = fmt.Sprintf("%s：\n%s%s%s答复期限已于%s届满，现已逾期%d天，你单位仍未答复。请立即报送整改落实情况。逾期未整改到位的，将列入挂牌督办，并在民生实事调度通报中予以通报。",
			unit, l.Issuer, issued, doc, cnDate(dueDay), days(dueDay, today))
	}
	return subject, body + "\n" + l.Issuer + "\n" + cnDate(today)
}
