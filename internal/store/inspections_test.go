package store

import (
	"strings"
	"testing"

	"minsheng/internal/plan"
)

// TestInspections: a visit is set beside the figures last reported (the
// submitted May report, not the draft), judged with the tolerance, marks
// the report it found short and drafts the ladder's letter in the same
// transaction; photos are stored once; units read their own project's
// visits, nobody else's; bad input changes nothing.
func TestInspections(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		may := period("2024-05")
		r := saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(0, "1.2", "96", "200")))(t)
		must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version))(t)
		// A June draft is not "reported": the visit compares with May.
		saved(s.SaveReport(ctx, f.repA, f.p1.ID, period("2024-06"), f.fullReport(0, "1.4", "97", "300")))(t)

		loan, rate := f.p1.Targets[0].ID, f.p1.Targets[1].ID
		in := plan.InspectionInput{Date: "2024-06-01", Inspectors: []string{"李明", " 王芳 ", ""}, Place: "区人社局创业服务中心",
			Narrative: "抽查贷款台账。", Escalate: true,
			Findings: []plan.InspectionFound{
				{TargetID: loan, Found: dec("0.9"), Note: "台账只有0.9亿元"},
				{TargetID: rate, Found: dec("94")}, // within 5% of 96
			}}
		var asked []plan.Letter
		draft := func(v *plan.Inspection, p *plan.ProjectRecord, letters []plan.Letter) *LetterDraft {
			asked = letters
			return &LetterDraft{ProjectID: p.ID, Kind: plan.LetterPrompt, Period: v.ShortFindings()[0].Period,
				Title: "关于核查不符的工作提示函", Body: "经现场核查，上报数据与实际不符。", Issuer: "南昌市新建区人民政府督查室", ResponseDays: 5}
		}

		// Only the supervisor of the jurisdiction records visits.
		for _, u := range []*plan.User{f.repA, f.leader, f.otherSup, f.deputy} {
			_, err := s.CreateInspection(ctx, u, f.p1.ID, in, 0.05, draft)
			wantCode(t, err, plan.EForbidden)
		}
		// Bad input: each problem named by field, nothing stored.
		bad := in
		bad.Date, bad.Inspectors, bad.Place = "2024-13-01", nil, " "
		bad.Findings = []plan.InspectionFound{{TargetID: "tgt_nope", Found: dec("1")}, {TargetID: loan, Found: dec("-1")}}
		_, err := s.CreateInspection(ctx, f.sup, f.p1.ID, bad, 0.05, draft)
		wantCode(t, err, plan.EInvalid)
		fields := map[string]bool{}
		for _, p := range err.(*plan.Error).Details {
			fields[p.Field] = true
		}
		for _, want := range []string{"date", "inspectors", "place", "findings[0].target_id", "findings[1].found"} {
			if !fields[want] {
				t.Errorf("no problem for %s: %v", want, err.(*plan.Error).Details)
			}
		}
		future := in
		future.Date = "2024-06-04" // the clock is 3 June
		_, err = s.CreateInspection(ctx, f.sup, f.p1.ID, future, 0.05, draft)
		wantCode(t, err, plan.EInvalid)
		if vs := must(s.ListInspections(ctx, f.sup, InspectionFilter{ProjectID: f.p1.ID}))(t); len(vs) != 0 {
			t.Fatalf("bad input stored %d visits", len(vs))
		}

		v := must(s.CreateInspection(ctx, f.sup, f.p1.ID, in, 0.05, draft))(t)
		if !v.Discrepant || v.LetterID == "" || strings.Join(v.Inspectors, "、") != "李明、王芳" || len(v.Findings) != 2 || len(asked) != 0 {
			t.Fatalf("visit: %+v (letters seen %d)", v, len(asked))
		}
		f0, f1 := v.Findings[0], v.Findings[1]
		if !f0.Short || f0.Period != may || f0.Reported.String() != "1.2" || f0.Shortfall.String() != "0.3" || f0.Metric != "新增发放创业担保贷款" {
			t.Errorf("loan finding: %+v", f0)
		}
		if f1.Short || f1.Reported.String() != "96" {
			t.Errorf("rate finding: %+v", f1)
		}
		if !v.Checks(may) || v.Checks(period("2024-06")) {
			t.Errorf("checks: May %v June %v", v.Checks(may), v.Checks(period("2024-06")))
		}
		l := must(s.GetLetter(ctx, f.sup, v.LetterID))(t)
		if l.Kind != plan.LetterPrompt || l.State != plan.LetterDraft || l.Period != may || l.ProjectID != f.p1.ID {
			t.Errorf("letter: %+v", l)
		}

		// A second visit sees the letter of the first.
		in2 := in
		in2.Findings = []plan.InspectionFound{{TargetID: loan, Found: dec("1.2")}}
		v2 := must(s.CreateInspection(ctx, f.sup, f.p1.ID, in2, 0.05, draft))(t)
		if v2.Discrepant || v2.LetterID != "" {
			t.Errorf("matching visit: %+v", v2)
		}
		in2.Findings = []plan.InspectionFound{{TargetID: loan, Found: dec("1")}}
		in2.Escalate = false
		v3 := must(s.CreateInspection(ctx, f.sup, f.p1.ID, in2, 0.05, draft))(t)
		if !v3.Discrepant || v3.LetterID != "" || len(asked) != 0 {
			t.Errorf("no escalation asked: %+v", v3)
		}
		in2.Escalate = true
		must(s.CreateInspection(ctx, f.sup, f.p1.ID, in2, 0.05, draft))(t)
		if len(asked) != 1 || asked[0].ID != v.LetterID {
			t.Errorf("the ladder saw %d letters, want the first visit's", len(asked))
		}

		// Photos: sniffed, bounded, kept once per SHA-256.
		png := pngBytes(7)
		photo := must(s.AddInspectionPhoto(ctx, f.sup, v.ID, "现场.png", png))(t)
		must(s.AddInspectionPhoto(ctx, f.sup, v2.ID, "同一张.png", png))(t)
		_, err = s.AddInspectionPhoto(ctx, f.sup, v.ID, "a.txt", []byte("not a photo"))
		wantCode(t, err, plan.EInvalid)
		_, err = s.AddInspectionPhoto(ctx, f.repA, v.ID, "x.png", png)
		wantCode(t, err, plan.EForbidden)
		_, err = s.AddInspectionPhoto(ctx, f.sup, "insp_nope", "x.png", png)
		wantCode(t, err, plan.ENotFound)
		s.MaxAttachmentBytes = 10
		_, err = s.AddInspectionPhoto(ctx, f.sup, v.ID, "big.png", png)
		wantCode(t, err, plan.ETooLarge)
		s.MaxAttachmentBytes = DefaultMaxAttachmentBytes
		if ids := must(s.AttachmentInspections(ctx, strings.ToUpper(photo.SHA256)))(t); len(ids) != 2 {
			t.Errorf("photo linked to %d visits, want 2", len(ids))
		}

		// Reading: the project's units and leaders, not another unit, not
		// another jurisdiction, not the public.
		for _, u := range []*plan.User{f.sup, f.repA, f.conB, f.leader, f.deputy} {
			vs := must(s.ListInspections(ctx, u, InspectionFilter{ProjectID: f.p1.ID}))(t)
			if len(vs) != 4 {
				t.Errorf("%s reads %d visits", u.Username, len(vs))
			}
			got := must(s.GetInspection(ctx, u, v.ID))(t)
			if len(got.Photos) != 1 || got.Photos[0].Name != "现场.png" || got.Photos[0].ContentType != "image/png" || len(got.Findings) != 2 || !got.Findings[0].Short {
				t.Errorf("%s reads %+v", u.Username, got)
			}
		}
		for _, u := range []*plan.User{f.repC, f.otherSup, nil} {
			_, err := s.ListInspections(ctx, u, InspectionFilter{ProjectID: f.p1.ID})
			if c := plan.ErrorCode(err); c != plan.EForbidden && c != plan.EUnauthorized {
				t.Errorf("user %v lists visits: %v", u, err)
			}
			_, err = s.GetInspection(ctx, u, v.ID)
			wantCode(t, err, plan.ENotFound)
			if vs := must(s.ListInspections(ctx, u, InspectionFilter{JurisdictionCode: "360112"}))(t); len(vs) != 0 {
				t.Errorf("user %v reads %d visits of the jurisdiction", u, len(vs))
			}
		}
		if vs := must(s.ListInspections(ctx, f.sup, InspectionFilter{JurisdictionCode: "360112", From: "2024-06-01", To: "2024-06-30"}))(t); len(vs) != 4 {
			t.Errorf("June visits: %d", len(vs))
		}
		if vs := must(s.ListInspections(ctx, f.sup, InspectionFilter{JurisdictionCode: "360112", From: "2024-05-01", To: "2024-05-31"}))(t); len(vs) != 0 {
			t.Errorf("May visits: %d", len(vs))
		}

		// Every write is in the audit chain, which still verifies.
		if rep := must(s.VerifyAudit(ctx))(t); rep.Break != nil {
			t.Fatalf("audit: %+v", rep)
		}
		n := 0
		for _, row := range must(s.AuditRows(ctx, 1, 0))(t) {
			if row.Entity == "inspection" {
				n++
			}
		}
		if n != 6 { // four visits, two photos
			t.Errorf("%d inspection audit rows, want 6", n)
		}
	})
}

// TestMigrationOutOfOrder: a database that has the later migrations but
// not 00006 (it landed after them) gets it on the next start.
func TestMigrationOutOfOrder(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		ctx := t.Context()
		for _, q := range []string{"DROP TABLE subproject_predecessors", "DROP TABLE project_predecessors", "DROP TABLE carryover_links",
			"DROP TABLE inspection_photos", "DROP TABLE inspection_findings", "DROP TABLE inspections",
			"DELETE FROM goose_db_version WHERE version_id = 6"} {
			if _, err := s.WriteDB().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		again := openTest(t, dsn)
		if _, err := again.ListInspections(ctx, plan.SystemUser, InspectionFilter{}); err != nil {
			t.Fatalf("00006 not applied on reopening: %v", err)
		}
	})
}
