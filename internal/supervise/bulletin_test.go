package supervise

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/internal/demo"
	"minsheng/internal/documents"
	"minsheng/internal/docx"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// TestBulletin: project 1 lags and is under 挂牌督办 after a 督办函,
// project 2 finished early, project 3 is on plan but its pace projects a
// miss at year end. The bulletin says all of that, in .docx and HTML.
func TestBulletin(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "m.db"))
	w := newWorld(t, st)
	ctx := w.ctx
	p1 := []string{"0.5", "1", "1.2", "1.5"}
	p2 := []string{"3", "6", "12", "12"}
	p3 := []string{"1", "2", "3", "4"}
	for m := range 4 {
		per := plan.Period{Year: 2024, Month: time.Month(m + 1)}
		when := per.Next().Start().AddDate(0, 0, 2).Add(9 * time.Hour).Format("2006-01-02 15:04")
		w.report(t, w.p1, per.String(), p1[m], when)
		if m < 3 {
			w.report(t, w.p2, per.String(), p2[m], when)
		}
		w.report(t, w.p3, per.String(), p3[m], when)
		res := w.run(t, per.String(), per.Next().Start().AddDate(0, 0, 11).Add(9*time.Hour).Format("2006-01-02 15:04"))
		for _, l := range res.Drafted {
			if _, err := w.eng.Issue(ctx, w.sup, l.ID, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Project 3 reported 4 by April, on plan; a monthly plan keeps it on
	// plan while its pace falls short: make its May figure stall.
	w.report(t, w.p3, "2024-05", "4.6", "2024-06-03 09:00")
	w.report(t, w.p1, "2024-05", "1.6", "2024-06-03 09:00")
	w.clock = at("2024-06-12 09:00")
	b, err := w.eng.Bulletin(ctx, w.pv.ID, plan.MustPeriod("2024-05"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Title != "关于2024年1—5月民生实事项目推进情况的通报" || b.Issuer != "南昌市新建区人民政府办公室" || b.Issue != "2024年第5期" {
		t.Errorf("heading: %q %q %q", b.Title, b.Issuer, b.Issue)
	}
	s := b.Summary
	if s.Projects != 3 || s.Done != 1 || s.OnTrack != 1 || s.FarBehind != 1 || s.Started == nil || *s.Started != 1 {
		t.Errorf("summary %+v", s)
	}
	if s.Disbursement == nil || s.PlannedInvestment.String() != "3600" || s.Disbursed.String() != "15" {
		t.Errorf("money: planned %s disbursed %s rate %v", s.PlannedInvestment, s.Disbursed, s.Disbursement)
	}
	if len(b.Praise) != 1 || b.Praise[0].Seq != 2 || !strings.Contains(b.Praise[0].Text, "3月提前完成") {
		t.Errorf("praise %+v", b.Praise)
	}
	if len(b.Listed) != 1 || b.Listed[0].Seq != 1 || !strings.Contains(b.Listed[0].Text, "新建督办〔2024〕1号") {
		t.Errorf("listed %+v; lagging %+v", b.Listed, b.Lagging)
	}
	if len(b.Warnings) != 1 || b.Warnings[0].Seq != 3 || !strings.Contains(b.Warnings[0].Text, "预计年底完成约") {
		t.Errorf("warnings %+v (rows %+v)", b.Warnings, b.Rows)
	}
	if len(b.Ranking) != 3 || b.Ranking[0].Unit != "区住建局" || b.Ranking[2].Unit != "区城管局" {
		t.Errorf("ranking %+v", b.Ranking)
	}

	var dx, html bytes.Buffer
	if err := documents.WriteBulletinDocx(&dx, b); err != nil {
		t.Fatal(err)
	}
	blocks, err := docx.Read(bytes.NewReader(dx.Bytes()), int64(dx.Len()))
	if err != nil {
		t.Fatalf("the .docx does not read back: %v", err)
	}
	var text strings.Builder
	for _, bl := range blocks {
		text.WriteString(bl.Text)
		for _, r := range bl.Table {
			text.WriteString(strings.Join(r, "|"))
		}
		text.WriteString("\n")
	}
	for _, want := range []string{b.Title, "一、总体情况", "已完成1件", "建设城市口袋公园", "挂牌督办", "通报表扬", "年底完成预警", "区住建局", "南昌市新建区人民政府办公室"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("docx lacks %q", want)
		}
	}
	if err := documents.WriteBulletinHTML(&html, b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "@page", "严重滞后", "第2件“改造老旧小区”", "新建督办〔2024〕1号"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(html.String(), "http://") && !strings.Contains(html.String(), `xmlns="http://www.w3.org/2000/svg"`) {
		t.Error("HTML refers to something outside")
	}

	// The letters print too.
	ls, err := st.ListLetters(ctx, w.sup, store.LetterFilter{ProjectID: w.p1.ID})
	if err != nil || len(ls) == 0 {
		t.Fatalf("letters %d %v", len(ls), err)
	}
	doc := documents.LetterDocument(&ls[0])
	dx.Reset()
	html.Reset()
	if err := documents.WriteLetterDocx(&dx, doc); err != nil {
		t.Fatal(err)
	}
	if blocks, err = docx.Read(bytes.NewReader(dx.Bytes()), int64(dx.Len())); err != nil {
		t.Fatal(err)
	}
	text.Reset()
	for _, bl := range blocks {
		text.WriteString(bl.Text + "\n")
	}
	for _, want := range []string{"南昌市新建区人民政府督查室", "新建督办〔2024〕1号", "区城管局：", "项目进度的督办函", "个工作日内", "抄送：区住建局。"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("letter docx lacks %q:\n%s", want, text.String())
		}
	}
	if err := documents.WriteLetterHTML(&html, doc); err != nil || !strings.Contains(html.String(), "新建督办〔2024〕1号") {
		t.Errorf("letter HTML: %v", err)
	}
}

// TestRenderDemo writes the bulletin and letters of the demo data into
// $MINSHENG_DOC_OUT, for looking at (converted to PDF and PNG by hand);
// skipped unless it is set.
func TestRenderDemo(t *testing.T) {
	out := os.Getenv("MINSHENG_DOC_OUT")
	if out == "" {
		t.Skip("MINSHENG_DOC_OUT 未设置")
	}
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "demo.db"))
	now := time.Date(2024, 11, 12, 10, 0, 0, 0, plan.Shanghai)
	st.Now = func() time.Time { return now }
	if _, err := demo.Load(ctx, st, now); err != nil {
		t.Fatal(err)
	}
	plans, err := st.ListPlans(ctx, store.PlanFilter{})
	if err != nil {
		t.Fatal(err)
	}
	eng := New(st, DefaultConfig())
	for _, pv := range plans {
		if pv.State != plan.PlanPublished || !strings.Contains(pv.Document.Jurisdiction.Name, "新建") {
			continue
		}
		for m := time.January; m <= time.October; m++ {
			res, err := eng.Run(ctx, plan.SystemUser, pv.ID, plan.Period{Year: 2024, Month: m})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range res.Drafted {
				if m < 10 {
					if _, err := eng.Issue(ctx, plan.SystemUser, l.ID, 0); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		b, err := eng.Bulletin(ctx, pv.ID, plan.MustPeriod("2024-10"))
		if err != nil {
			t.Fatal(err)
		}
		write := func(name string, fn func(*bytes.Buffer) error) {
			var buf bytes.Buffer
			if err := fn(&buf); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, name), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("bulletin.docx", func(w *bytes.Buffer) error { return documents.WriteBulletinDocx(w, b) })
		write("bulletin.html", func(w *bytes.Buffer) error { return documents.WriteBulletinHTML(w, b) })
		ls, err := st.ListLetters(ctx, plan.SystemUser, store.LetterFilter{JurisdictionCode: pv.JurisdictionCode})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			if l.Kind == plan.LetterSupervision && l.State.Sent() {
				d := documents.LetterDocument(&l)
				write("letter.docx", func(w *bytes.Buffer) error { return documents.WriteLetterDocx(w, d) })
				write("letter.html", func(w *bytes.Buffer) error { return documents.WriteLetterHTML(w, d) })
				break
			}
		}
		t.Logf("%d projects, %d letters", len(b.Rows), len(ls))
	}
}
