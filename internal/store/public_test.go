package store

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"minsheng/internal/plan"
)

// a 1×1 PNG: an image attachment.
var tinyPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

// Only accepted reports are public; of them the figures and 进展情况 by
// default, 存在问题/下一步 and photos only after the supervisor released
// them, and only for the version released.
func TestPublicReportsAndRelease(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx, may, june := f.ctx, period("2024-05"), period("2024-06")
		in := f.fullReport(0, "0.5", "96", "100")
		in.Problems = "部分贷款审批偏慢（内部）"
		r := saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, in))(t)
		photo := must(s.AddReportAttachment(ctx, f.repA, f.p1.ID, may, "现场.png", tinyPNG))(t)
		pdf := must(s.AddReportAttachment(ctx, f.repA, f.p1.ID, may, "台账.pdf", []byte("%PDF-1.4 test")))(t)
		r = must(s.GetReport(ctx, f.repA, f.p1.ID, may))(t)

		public := func() []PublicReport {
			t.Helper()
			return must(s.PublicReports(ctx, "360112", 2024, ""))(t)
		}
		if got := public(); len(got) != 0 {
			t.Fatalf("a draft is public: %+v", got)
		}
		r = must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version))(t)
		if got := public(); len(got) != 0 {
			t.Fatalf("a submitted report is public: %+v", got)
		}
		// June's draft of the same project stays private beside May's accepted one.
		saved(s.SaveReport(ctx, f.repA, f.p1.ID, june, f.fullReport(0, "0.7", "96", "150")))(t)
		// Releasing needs an accepted report.
		_, err := s.ReleaseReport(ctx, f.sup, f.p1.ID, may, ReleaseInput{Progress: true})
		wantCode(t, err, plan.EConflict)
		must(s.AcceptReport(ctx, f.sup, f.p1.ID, may))(t)

		got := public()
		if len(got) != 1 || got[0].Period != may || got[0].Actual(f.p1.Targets[0].ID).String() != "0.5" || got[0].Investment.String() != "100" {
			t.Fatalf("accepted report: %+v", got)
		}
		if got[0].Progress != "已发放贷款" || got[0].Problems != "" || got[0].NextSteps != "" || len(got[0].Photos) != 0 {
			t.Fatalf("defaults: progress %q problems %q next %q photos %v", got[0].Progress, got[0].Problems, got[0].NextSteps, got[0].Photos)
		}
		if _, _, err := s.PublicPhoto(ctx, photo.SHA256); plan.ErrorCode(err) != plan.ENotFound {
			t.Fatalf("unreleased photo served: %v", err)
		}

		// Who may release: the supervisor of the jurisdiction only.
		for _, u := range []*plan.User{f.repA, f.leader, f.otherSup, nil} {
			if _, err := s.ReleaseReport(ctx, u, f.p1.ID, may, ReleaseInput{Problems: true}); err == nil {
				t.Fatalf("%v released a report", u)
			}
		}
		// A PDF is not a photo; a file of another report is refused.
		_, err = s.ReleaseReport(ctx, f.sup, f.p1.ID, may, ReleaseInput{Photos: []string{pdf.SHA256}})
		wantCode(t, err, plan.EInvalid)
		_, err = s.ReleaseReport(ctx, f.sup, f.p1.ID, may, ReleaseInput{Photos: []string{strings.Repeat("0", 64)}})
		wantCode(t, err, plan.EInvalid)

		v0, _, err := s.ProjectVersion(ctx, f.p1.ID)
		if err != nil {
			t.Fatal(err)
		}
		rel := must(s.ReleaseReport(ctx, f.sup, f.p1.ID, may, ReleaseInput{Progress: true, Problems: true, Photos: []string{strings.ToUpper(photo.SHA256)}}))(t)
		if !rel.Problems || rel.NextSteps || len(rel.Photos) != 1 || rel.ReportVersion == 0 {
			t.Fatalf("release: %+v", rel)
		}
		v1, _, _ := s.ProjectVersion(ctx, f.p1.ID)
		if v1.Scope <= v0.Scope || v1.All != v0.All || !v1.At.Equal(june3.UTC()) {
			t.Fatalf("version %+v → %+v: the release is one audited write to its jurisdiction's year", v0, v1)
		}
		rows := must(s.AuditRows(ctx, v1.Scope, v1.Scope))(t)
		if rows[0].Action != "release" || rows[0].Actor != f.sup.ID || !bytes.Contains(rows[0].After, []byte(`"problems":true`)) {
			t.Fatalf("audit row: %+v", rows[0])
		}
		got = public()
		if got[0].Problems != in.Problems || got[0].NextSteps != "" || len(got[0].Photos) != 1 || got[0].Photos[0].Name != "现场.png" {
			t.Fatalf("released: %+v", got[0])
		}
		data, ct, err := s.PublicPhoto(ctx, photo.SHA256)
		if err != nil || ct != "image/png" || !bytes.Equal(data, tinyPNG) {
			t.Fatalf("public photo: %s %v", ct, err)
		}
		if _, _, err := s.PublicPhoto(ctx, pdf.SHA256); plan.ErrorCode(err) != plan.ENotFound {
			t.Fatalf("unreleased file served: %v", err)
		}
		rel2, _ := must2(s.GetRelease(ctx, f.sup, f.p1.ID, may))(t)
		if !rel2.Problems || len(rel2.Photos) != 1 {
			t.Fatalf("GetRelease: %+v", rel2)
		}

		// Reopened: nothing of it is public. Accepted again: a new version,
		// back to the defaults until released anew.
		r = must(s.ReopenReport(ctx, f.sup, f.p1.ID, may, "数据有误"))(t)
		if got := public(); len(got) != 0 {
			t.Fatalf("a reopened report is public: %+v", got)
		}
		if _, _, err := s.PublicPhoto(ctx, photo.SHA256); plan.ErrorCode(err) != plan.ENotFound {
			t.Fatalf("photo of a reopened report served: %v", err)
		}
		r = saved(s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(r.Version, "0.6", "96", "110")))(t)
		r = must(s.SubmitReport(ctx, f.repA, f.p1.ID, may, r.Version))(t)
		must(s.AcceptReport(ctx, f.sup, f.p1.ID, may))(t)
		got = public()
		if len(got) != 1 || got[0].Actual(f.p1.Targets[0].ID).String() != "0.6" || got[0].Problems != "" || len(got[0].Photos) != 0 {
			t.Fatalf("re-accepted: %+v", got)
		}
		if _, _, err := s.PublicPhoto(ctx, photo.SHA256); plan.ErrorCode(err) != plan.ENotFound {
			t.Fatalf("photo released for the old version served: %v", err)
		}
		// One project's reports only.
		if got := must(s.PublicReports(ctx, "360112", 2024, f.p2.ID))(t); len(got) != 0 {
			t.Fatalf("p2: %+v", got)
		}
	})
}
