package supervise

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/internal/documents"
	"minsheng/internal/docx"
	"minsheng/internal/plan"
)

func TestInspectionStep(t *testing.T) {
	short := func(reported, found string) *plan.Inspection {
		f := plan.InspectionFinding{Reported: plan.MustDecimal(reported).Ptr(), Found: plan.MustDecimal(found), Period: plan.MustPeriod("2024-05")}
		plan.JudgeFinding(&f, plan.AtLeast, 0.05)
		return &plan.Inspection{Discrepant: f.Short, Findings: []plan.InspectionFinding{f}}
	}
	letter := func(kind plan.LetterKind, state plan.LetterState) plan.Letter {
		return plan.Letter{Kind: kind, State: state}
	}
	for _, c := range []struct {
		name    string
		v       *plan.Inspection
		letters []plan.Letter
		want    Step
	}{
		{"within tolerance", short("1200", "1150"), nil, StepNone},
		{"short 10%: prompt", short("1200", "1080"), nil, StepPrompt},
		{"short 25%: supervision at once", short("1200", "900"), nil, StepSupervision},
		{"short exactly 20%: supervision", short("100", "80"), nil, StepSupervision},
		{"prompt sent before: supervision", short("1200", "1080"), []plan.Letter{letter(plan.LetterPrompt, plan.LetterIssued)}, StepSupervision},
		{"prompt answered: supervision", short("1200", "1080"), []plan.Letter{letter(plan.LetterPrompt, plan.LetterAnswered)}, StepSupervision},
		{"prompt closed: a new prompt", short("1200", "1080"), []plan.Letter{letter(plan.LetterPrompt, plan.LetterClosed)}, StepPrompt},
		{"prompt in draft: edit it", short("1200", "1080"), []plan.Letter{letter(plan.LetterPrompt, plan.LetterDraft)}, StepNone},
		{"prompt in draft, far short: supervision", short("1200", "900"), []plan.Letter{letter(plan.LetterPrompt, plan.LetterDraft)}, StepSupervision},
		{"supervision open: nothing", short("1200", "900"), []plan.Letter{letter(plan.LetterSupervision, plan.LetterIssued)}, StepNone},
		{"supervision withdrawn: supervision", short("1200", "900"), []plan.Letter{letter(plan.LetterSupervision, plan.LetterWithdrawn)}, StepSupervision},
	} {
		if got := InspectionStep(c.v, c.letters, 0.2); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	// A target kept low is short when the reality is higher.
	f := plan.InspectionFinding{Reported: plan.MustDecimal("4.5").Ptr(), Found: plan.MustDecimal("5.5")}
	plan.JudgeFinding(&f, plan.AtMost, 0.05)
	if !f.Short || f.Shortfall.String() != "1" {
		t.Errorf("rate kept low: %+v", f)
	}
}

// TestRecordInspection: the 口袋公园 project reported 6 by May; the visit
// in June finds 4 (a third short): the engine drafts a 督办函 at once that
// cites both figures, in the visit's transaction; a visit that finds what
// was reported drafts nothing; the June bulletin's 实地督查情况 names both
// visits, in .docx and HTML, with its sections numbered in order.
func TestRecordInspection(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "m.db"))
	w := newWorld(t, st)
	for m, v := range []string{"1", "2", "3", "4", "6"} {
		per := plan.Period{Year: 2024, Month: time.Month(m + 1)}
		w.report(t, w.p1, per.String(), v, per.Next().Start().AddDate(0, 0, 2).Format("2006-01-02")+" 09:00")
		w.report(t, w.p2, per.String(), v, per.Next().Start().AddDate(0, 0, 2).Format("2006-01-02")+" 09:00")
	}
	w.clock = at("2024-06-20 10:00")
	in := plan.InspectionInput{Date: "2024-06-18", Inspectors: []string{"李明", "王芳"}, Place: "长堎街道口袋公园工地",
		Narrative: "现场查看在建口袋公园。", Escalate: true,
		Findings: []plan.InspectionFound{{TargetID: w.p1.Targets[0].ID, Found: plan.MustDecimal("4").Ptr(), Note: "2个尚未动工"}}}
	_, err := w.eng.RecordInspection(w.ctx, w.rep, w.p1.ID, in)
	if plan.ErrorCode(err) != plan.EForbidden {
		t.Fatalf("a unit records a visit: %v", err)
	}
	v, err := w.eng.RecordInspection(w.ctx, w.sup, w.p1.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Discrepant || v.LetterID == "" {
		t.Fatalf("visit %+v", v)
	}
	l, err := st.GetLetter(w.ctx, w.sup, v.LetterID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2024年6月18日", "李明、王芳", "长堎街道口袋公园工地", "5月报送累计6个", "现场核实为4个", "少2个", "上报进展与实际情况不符"} {
		if !strings.Contains(l.Body, want) {
			t.Errorf("letter body lacks %q:\n%s", want, l.Body)
		}
	}
	if l.Kind != plan.LetterSupervision || l.Period != plan.MustPeriod("2024-05") || !strings.Contains(l.Title, "实地督查核查不符的督办函") {
		t.Errorf("letter %s %s %q", l.Kind, l.Period, l.Title)
	}

	// Recorded later the same day: visits of one date are listed in the
	// order they were recorded (created_at), and the same instant would
	// leave the order to their random IDs.
	w.clock = at("2024-06-20 10:30")
	ok := in
	ok.Findings = []plan.InspectionFound{{TargetID: w.p2.Targets[0].ID, Found: plan.MustDecimal("6").Ptr()}}
	ok.Place = "老旧小区改造现场"
	v2, err := w.eng.RecordInspection(w.ctx, w.sup, w.p2.ID, ok)
	if err != nil || v2.Discrepant || v2.LetterID != "" {
		t.Fatalf("matching visit %+v %v", v2, err)
	}

	w.clock = at("2024-07-12 10:00")
	b, err := w.eng.Bulletin(w.ctx, w.pv.ID, plan.MustPeriod("2024-06"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Visits) != 2 || !b.Visits[0].Discrepant || b.Visits[0].Date != "6月18日" || !strings.Contains(b.Visits[0].Letter, "已起草督办函") {
		t.Fatalf("visits %+v", b.Visits)
	}
	var dx, html bytes.Buffer
	if err := documents.WriteBulletinDocx(&dx, b); err != nil {
		t.Fatal(err)
	}
	if err := documents.WriteBulletinHTML(&html, b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"六、实地督查情况", "本月共开展实地督查2次，其中1次发现上报进展与现场情况不符", "“口袋公园”上报6个，现场核实4个，核查不符", "与上报6个相符", "七、"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	blocks, err := docx.Read(bytes.NewReader(dx.Bytes()), int64(dx.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, bl := range blocks {
		text.WriteString(bl.Text + "\n")
	}
	for _, want := range []string{"六、实地督查情况", "1. 6月18日，督查人员（李明、王芳）到第1件“建设城市口袋公园”（区城管局）现场（长堎街道口袋公园工地）督查", "已起草督办函", "七、下步工作要求"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("docx lacks %q", want)
		}
	}
	// The month before has no visit and no section.
	b, err = w.eng.Bulletin(w.ctx, w.pv.ID, plan.MustPeriod("2024-05"))
	if err != nil || len(b.Visits) != 0 {
		t.Fatalf("May visits %+v %v", b.Visits, err)
	}
	html.Reset()
	documents.WriteBulletinHTML(&html, b)
	if strings.Contains(html.String(), "实地督查情况") {
		t.Error("a section without visits")
	}
}
