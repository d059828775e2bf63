package store

import (
	"encoding/json"
	"slices"
	"testing"

	"minsheng/internal/plan"
)

func TestReportFunds(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx, apr, may := f.ctx, period("2024-04"), period("2024-05")
		sub := f.p1.Subprojects[0].ID
		in := f.fullReport(0, "0.5", "96", "120")
		in.Disbursed, in.Allocated = dec("90.5"), dec("150")
		in.Funds = []plan.SubprojectFunds{{SubprojectID: sub, Allocated: dec("100"), Disbursed: dec("80.25"), Spent: dec("110")}}
		r, warnings, err := s.SaveReport(ctx, f.repA, f.p1.ID, apr, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(warnings) != 0 {
			t.Fatalf("warnings: %+v", warnings)
		}
		if r.Allocated.String() != "150" || len(r.Funds) != 1 || r.Funds[0].Disbursed.String() != "80.25" || r.Funds[0].Spent.String() != "110" {
			t.Fatalf("saved funds: %+v %+v", r.Allocated, r.Funds)
		}
		revs := must(s.ReportRevisions(ctx, f.repA, f.p1.ID, apr))(t)
		if got := revs[len(revs)-1].Snapshot; got.Allocated == nil || len(got.Funds) != 1 {
			t.Fatalf("revision snapshot without funds: %+v", got)
		}
		must(s.SubmitReport(ctx, f.repA, f.p1.ID, apr, r.Version))(t)
		must(s.AcceptReport(ctx, f.sup, f.p1.ID, apr))(t)

		// May: a year-to-date figure may not fall below April's accepted one.
		for _, c := range []struct {
			name, field string
			edit        func(in *ReportInput)
		}{
			{"allocation falls", "allocated_wan", func(in *ReportInput) { in.Allocated = dec("149") }},
			{"sub-project disbursed falls", "funds." + sub + ".disbursed_wan", func(in *ReportInput) { in.Funds[0].Disbursed = dec("80") }},
			{"negative spent", "funds." + sub + ".spent_wan", func(in *ReportInput) { in.Funds[0].Spent = dec("-1") }},
			{"unknown sub-project", "funds.sp_nope", func(in *ReportInput) { in.Funds[0].SubprojectID = "sp_nope" }},
		} {
			t.Run(c.name, func(t *testing.T) {
				in := f.fullReport(0, "0.6", "96", "130")
				in.Disbursed, in.Allocated = dec("100"), dec("150")
				in.Funds = []plan.SubprojectFunds{{SubprojectID: sub, Allocated: dec("100"), Disbursed: dec("90"), Spent: dec("120")}}
				c.edit(&in)
				_, _, err := s.SaveReport(ctx, f.repA, f.p1.ID, may, in)
				wantCode(t, err, plan.EInvalid)
				if e := err.(*plan.Error); e.Field != c.field {
					t.Fatalf("field %q (%s), want %q", e.Field, e.Message, c.field)
				}
			})
		}
		if _, err := s.GetReport(ctx, f.repA, f.p1.ID, may); plan.ErrorCode(err) != plan.ENotFound {
			t.Fatalf("a refused save left a report: %v", err)
		}

		// Disbursed above allocated is a warning, not an error.
		in = f.fullReport(0, "0.6", "96", "170")
		in.Disbursed, in.Allocated = dec("160"), dec("150")
		_, warnings, err = s.SaveReport(ctx, f.repA, f.p1.ID, may, in)
		if err != nil || len(warnings) != 1 || warnings[0].Field != "disbursed_wan" {
			t.Fatalf("warnings %+v, err %v", warnings, err)
		}

		// FundsOf: April's accepted figures, carried into May (a draft does
		// not count), planned from the annual investment (500 × m/12).
		all := must(s.FundsOf(ctx, []plan.ProjectRecord{*f.p1}, nil, may))(t)
		pf := all[f.p1.ID]
		if len(pf.Months) != 5 || len(pf.Subprojects) != 1 {
			t.Fatalf("months %d subprojects %d", len(pf.Months), len(pf.Subprojects))
		}
		l := pf.Latest()
		if l.ReportState != "" || l.Project.Allocated.String() != "150" || l.Project.Disbursed.String() != "90.5" ||
			l.Project.Spent.String() != "120" || l.Project.Planned.String() != "208.3333" {
			t.Fatalf("May line: %+v %+v", l, l.Project)
		}
		if apr := pf.Months[3]; apr.ReportState != plan.ReportAccepted || apr.Subprojects[0].Disbursed.String() != "80.25" ||
			apr.Subprojects[0].Planned.String() != "166.6667" {
			t.Fatalf("April: %+v %+v", apr, apr.Subprojects)
		}
		if pf.Months[0].Project.Allocated != nil {
			t.Fatal("January has funds nobody reported")
		}
		sum := SummarizeFunds(all)
		if !sum.HasRate || sum.WithAllocation != 1 || sum.Rate < 0.603 || sum.Rate > 0.604 {
			t.Fatalf("summary %+v", sum)
		}
	})
}

// TestWrittenReportAsStored: a write returns (and records in its revision
// and audit row) the report's content as it kept it in memory
// (reportOp.asStored), not read back. It must be what a read gives: the
// targets and sub-projects' funds in the project's order whatever the
// order sent, decimals however they were written.
func TestWrittenReportAsStored(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx, apr := f.ctx, period("2024-04")
		content := func(version int) ReportInput {
			in := f.fullReport(version, "0.50", "096.0", "120.10")
			slices.Reverse(in.Targets)
			in.Allocated = dec("150.000")
			for _, sp := range f.p1.Subprojects {
				in.Funds = append(in.Funds, plan.SubprojectFunds{SubprojectID: sp.ID, Allocated: dec("100.50"), Disbursed: dec("80.250")})
			}
			slices.Reverse(in.Funds)
			return in
		}
		same := func(step string, got *plan.Report) {
			t.Helper()
			stored, _ := json.Marshal(must(s.GetReport(ctx, f.repA, f.p1.ID, apr))(t))
			revs := must(s.ReportRevisions(ctx, f.repA, f.p1.ID, apr))(t)
			snapshot, _ := json.Marshal(revs[len(revs)-1].Snapshot)
			returned, _ := json.Marshal(got)
			if string(returned) != string(stored) || string(snapshot) != string(stored) {
				t.Errorf("%s:\nreturned %s\nrevision %s\n  stored %s", step, returned, snapshot, stored)
			}
		}
		r, _, err := s.SaveReport(ctx, f.repA, f.p1.ID, apr, content(0))
		if err != nil {
			t.Fatal(err)
		}
		same("new draft", r)
		r, _, err = s.SaveReport(ctx, f.repA, f.p1.ID, apr, content(r.Version))
		if err != nil {
			t.Fatal(err)
		}
		same("draft saved again", r)
		r, _, err = s.SaveAndSubmitReport(ctx, f.repA, f.p1.ID, apr, content(r.Version))
		if err != nil {
			t.Fatal(err)
		}
		same("saved and submitted", r)
		same("accepted", must(s.AcceptReport(ctx, f.sup, f.p1.ID, apr))(t))
	})
}
