package store

import (
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/internal/plan"
)

func letterDraft(f *fixture, kind plan.LetterKind) LetterDraft {
	return LetterDraft{ProjectID: f.p1.ID, Kind: kind, Period: period("2024-05"), Status: plan.StatusBehind, Reason: "进度滞后",
		Title: "关于加快推进“支持重点群体就业创业”项目的工作提示函", Body: "截至5月底，该项目进展滞后。", Issuer: "南昌市新建区人民政府督查室", ResponseDays: 5}
}

// TestLetterLifecycle: draft, edit, issue with a serial number and a
// working-day deadline, the unit answers with evidence, the supervisor
// sends the answer back, the unit answers again, the supervisor closes.
// Every step is an event and an audit row; nothing is ever deleted.
func TestLetterLifecycle(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		// Drafting is the supervisor's (or the engine's).
		_, err := s.DraftLetter(ctx, f.repA, letterDraft(f, plan.LetterPrompt))
		wantCode(t, err, plan.EForbidden)
		_, err = s.DraftLetter(ctx, f.otherSup, letterDraft(f, plan.LetterPrompt))
		wantCode(t, err, plan.EForbidden)
		bad := letterDraft(f, plan.LetterPrompt)
		bad.Title = " "
		_, err = s.DraftLetter(ctx, f.sup, bad)
		wantCode(t, err, plan.EInvalid)

		l := must(s.DraftLetter(ctx, f.sup, letterDraft(f, plan.LetterPrompt)))(t)
		if l.State != plan.LetterDraft || l.Serial != 0 || l.DocNumber != "" ||
			strings.Join(l.Recipients, "、") != "区人社局" || strings.Join(l.CC, "、") != "团区委" || l.ProjectSeq != 1 {
			t.Fatalf("draft: %+v", l)
		}
		// The draft is the supervisor's alone.
		_, err = s.GetLetter(ctx, f.repA, l.ID)
		wantCode(t, err, plan.ENotFound)
		if ls := must(s.ListLetters(ctx, f.repA, LetterFilter{ProjectID: f.p1.ID}))(t); len(ls) != 0 {
			t.Errorf("unit lists %d drafts", len(ls))
		}
		_, err = s.AnswerLetter(ctx, f.repA, l.ID, "整改")
		wantCode(t, err, plan.ENotFound)

		edit := LetterEdit{Version: l.Version, Title: l.Title, Body: "截至5月底，该项目进展滞后，请加快推进。", Issuer: l.Issuer, ResponseDays: 3}
		l = must(s.EditLetter(ctx, f.sup, l.ID, edit))(t)
		if l.ResponseDays != 3 || !strings.Contains(l.Body, "请加快") || l.Version != 2 {
			t.Fatalf("edited: %+v", l)
		}
		_, err = s.EditLetter(ctx, f.sup, l.ID, edit) // stale version
		wantCode(t, err, plan.EConflict)

		// Issued on Monday 3 June 2024: three working days → Thursday 6 June.
		l = must(s.IssueLetter(ctx, f.sup, l.ID, LetterIssue{Version: l.Version}))(t)
		if l.State != plan.LetterIssued || l.Serial != 1 || l.DocNumber != "新建督提〔2024〕1号" || l.DueDate != "2024-06-06" || l.IssuedAt == nil {
			t.Fatalf("issued: %+v", l)
		}
		_, err = s.EditLetter(ctx, f.sup, l.ID, LetterEdit{Version: l.Version, Title: "x", ResponseDays: 3})
		wantCode(t, err, plan.EConflict)
		_, err = s.WithdrawLetter(ctx, f.sup, l.ID, "不发了")
		wantCode(t, err, plan.EConflict)

		// The units read it now; only the lead unit answers.
		for _, u := range []*plan.User{f.repA, f.conB, f.leader} {
			must(s.GetLetter(ctx, u, l.ID))(t)
		}
		_, err = s.GetLetter(ctx, f.repC, l.ID)
		wantCode(t, err, plan.EForbidden)
		_, err = s.AnswerLetter(ctx, f.conB, l.ID, "整改")
		wantCode(t, err, plan.EForbidden)
		_, err = s.AnswerLetter(ctx, f.repC, l.ID, "整改")
		wantCode(t, err, plan.EForbidden)
		_, err = s.AnswerLetter(ctx, f.repA, l.ID, "  ")
		wantCode(t, err, plan.EInvalid)
		_, err = s.AddLetterAttachment(ctx, f.repC, l.ID, "x.png", pngBytes(1))
		wantCode(t, err, plan.EForbidden)
		_, err = s.AddLetterAttachment(ctx, f.repA, l.ID, "x.txt", []byte("plain text"))
		wantCode(t, err, plan.EInvalid)

		// Evidence shares the attachments table with reports: one copy per SHA-256.
		photo := pngBytes(9)
		must(s.AddReportAttachment(ctx, f.repA, f.p1.ID, period("2024-05"), "现场.png", photo))(t)
		before := must(s.AttachmentCount(ctx))(t)
		a := must(s.AddLetterAttachment(ctx, f.repA, l.ID, "整改现场.png", photo))(t)
		if n := must(s.AttachmentCount(ctx))(t); n != before {
			t.Errorf("attachments %d → %d: the same photo stored twice", before, n)
		}
		if ids := must(s.AttachmentLetters(ctx, a.SHA256))(t); len(ids) != 1 || ids[0] != l.ID {
			t.Errorf("AttachmentLetters: %v", ids)
		}

		l = must(s.AnswerLetter(ctx, f.repA, l.ID, "已召开专题会，增派人员，6月底前完成进度。"))(t)
		if l.State != plan.LetterAnswered || l.AnsweredAt == nil || len(l.Attachments) != 1 || l.Attachments[0].Name != "整改现场.png" {
			t.Fatalf("answered: %+v", l)
		}
		if l.OverdueAt(s.Now()) || l.Overdue {
			t.Error("answered on the day of issue is not overdue")
		}
		_, err = s.RejectAnswer(ctx, f.sup, l.ID, "")
		wantCode(t, err, plan.EInvalid)
		_, err = s.CloseLetter(ctx, f.repA, l.ID, "")
		wantCode(t, err, plan.EForbidden)
		l = must(s.RejectAnswer(ctx, f.sup, l.ID, "措施不具体，请明确时间节点"))(t)
		if l.State != plan.LetterIssued || l.Note != "措施不具体，请明确时间节点" {
			t.Fatalf("rejected: %+v", l)
		}
		l = must(s.AnswerLetter(ctx, f.repA, l.ID, "6月10日前完成贷款审批200笔，6月30日前放款3000万元。"))(t)
		l = must(s.CloseLetter(ctx, f.sup, l.ID, "整改到位，予以办结"))(t)
		if l.State != plan.LetterClosed || l.ClosedAt == nil {
			t.Fatalf("closed: %+v", l)
		}
		_, err = s.AnswerLetter(ctx, f.repA, l.ID, "再答复")
		wantCode(t, err, plan.EConflict)

		events := must(s.LetterEvents(ctx, f.sup, l.ID))(t)
		var acts []string
		for _, e := range events {
			acts = append(acts, string(e.Action))
		}
		if got := strings.Join(acts, ","); got != "draft,edit,issue,attach,answer,reject,answer,close" {
			t.Errorf("events: %s", got)
		}

		// Serial numbers run per kind and year; a withdrawn draft keeps none.
		w := must(s.DraftLetter(ctx, f.sup, letterDraft(f, plan.LetterPrompt)))(t)
		w = must(s.WithdrawLetter(ctx, f.sup, w.ID, "项目已赶上进度"))(t)
		if w.State != plan.LetterWithdrawn {
			t.Fatalf("withdrawn: %+v", w)
		}
		_, err = s.IssueLetter(ctx, f.sup, w.ID, LetterIssue{})
		wantCode(t, err, plan.EConflict)
		d2 := letterDraft(f, plan.LetterSupervision)
		d2.ProjectID = f.p2.ID
		s2 := must(s.DraftLetter(ctx, f.sup, d2))(t)
		s2 = must(s.IssueLetter(ctx, f.sup, s2.ID, LetterIssue{}))(t)
		p2 := must(s.DraftLetter(ctx, f.sup, letterDraft(f, plan.LetterPrompt)))(t)
		p2 = must(s.IssueLetter(ctx, f.sup, p2.ID, LetterIssue{Prefix: "新建区"}))(t)
		if s2.DocNumber != "新建督办〔2024〕1号" || p2.DocNumber != "新建区督提〔2024〕2号" || s2.Recipients[0] != "区民政局" || len(s2.CC) != 0 {
			t.Errorf("serials: %s %s %v", s2.DocNumber, p2.DocNumber, s2.Recipients)
		}

		// Everything is kept, and the audit log holds every step.
		all := must(s.ListLetters(ctx, f.sup, LetterFilter{JurisdictionCode: "360112", Year: 2024}))(t)
		if len(all) != 4 {
			t.Errorf("%d letters, want 4 (none deleted)", len(all))
		}
		if open := must(s.ListLetters(ctx, f.sup, LetterFilter{Open: true}))(t); len(open) != 2 {
			t.Errorf("%d open letters, want 2", len(open))
		}
		if unit := must(s.ListLetters(ctx, f.repA, LetterFilter{}))(t); len(unit) != 2 {
			t.Errorf("the lead unit lists %d letters, want its 2 issued ones", len(unit))
		}
		rows := must(s.AuditRows(ctx, 0, 0))(t)
		n := 0
		for _, r := range rows {
			if r.Entity == "letter" {
				n++
			}
		}
		if n != 8+2+2+2 {
			t.Errorf("%d letter audit rows, want 14", n)
		}
		if rep := must(s.VerifyAudit(ctx))(t); rep.Break != nil {
			t.Errorf("audit chain broken: %+v", rep.Break)
		}
	})
}

// TestStatusHistoryRows: only changed months are written; the old row is
// kept as superseded; one audit row per recomputation.
func TestStatusHistoryRows(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		rec := func(p *plan.ProjectRecord, per string, st plan.Status, basis string) StatusRecord {
			return StatusRecord{ProjectID: p.ID, Period: period(per), Status: st, Ratio: 1, Basis: basis, Reason: st.Label(),
				Targets: []plan.TargetAssessment{{ID: "t", Status: st, Ratio: 1}}}
		}
		_, err := s.SaveStatuses(ctx, f.repA, "360112", 2024, nil)
		wantCode(t, err, plan.EForbidden)
		first := []StatusRecord{rec(f.p1, "2024-04", plan.StatusOnTrack, "a"), rec(f.p1, "2024-05", plan.StatusBehind, "b"), rec(f.p2, "2024-05", plan.StatusOnTrack, "c")}
		ch := must(s.SaveStatuses(ctx, f.sup, "360112", 2024, first))(t)
		if len(ch) != 3 {
			t.Fatalf("changes %+v", ch)
		}
		// The same again: nothing written, no audit row.
		seq, _ := must2(s.AuditHead(ctx))(t)
		if ch := must(s.SaveStatuses(ctx, f.sup, "360112", 2024, first))(t); len(ch) != 0 {
			t.Errorf("unchanged inputs changed %+v", ch)
		}
		if seq2, _ := must2(s.AuditHead(ctx))(t); seq2 != seq {
			t.Errorf("audit rows for nothing: %d → %d", seq, seq2)
		}
		// May of p1 corrected.
		ch = must(s.SaveStatuses(ctx, plan.SystemUser, "360112", 2024, []StatusRecord{rec(f.p1, "2024-05", plan.StatusOnTrack, "b2")}))(t)
		if len(ch) != 1 || ch[0].From != plan.StatusBehind || ch[0].To != plan.StatusOnTrack {
			t.Errorf("changes %+v", ch)
		}
		hist := must(s.StatusHistory(ctx, "360112", 2024))(t)
		if len(hist) != 3 {
			t.Fatalf("%d current rows", len(hist))
		}
		revs := must(s.StatusRevisions(ctx, f.p1.ID, period("2024-05")))(t)
		if len(revs) != 2 || revs[0].Status != plan.StatusBehind || revs[0].SupersededAt == nil || revs[1].SupersededAt != nil || len(revs[1].Targets) != 1 {
			t.Errorf("revisions %+v", revs)
		}
	})
}

// TestSaveStatusesConcurrently: pages refreshing the same months at once
// all succeed and leave one current row per month.
func TestSaveStatusesConcurrently(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		var recs []StatusRecord
		for _, p := range []*plan.ProjectRecord{f.p1, f.p2, f.p3} {
			for m := 1; m <= 5; m++ {
				recs = append(recs, StatusRecord{ProjectID: p.ID, Period: plan.Period{Year: 2024, Month: time.Month(m)}, Status: plan.StatusOnTrack, Ratio: 1, Basis: "x"})
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.SaveStatuses(f.ctx, plan.SystemUser, "360112", 2024, recs)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent save: %v", err)
			}
		}
		if hist := must(s.StatusHistory(f.ctx, "360112", 2024))(t); len(hist) != len(recs) {
			t.Errorf("%d current rows, want %d", len(hist), len(recs))
		}
	})
}
