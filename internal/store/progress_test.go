package store

import (
	"fmt"
	"strings"
	"testing"

	"minsheng/internal/plan"
	"minsheng/internal/progress"
)

// progressCSV is an uploaded CSV of the 进展填报 sheet: one line per row,
// columns 编码, 民生实事名称, 子项目/指标, 累计完成值, 累计完成投资, 累计到位资金,
// 累计拨付资金, 本月进展.
func progressCSV(t *testing.T, lines ...string) *progress.File {
	t.Helper()
	text := "编码,民生实事名称,子项目/指标,累计完成值,累计完成投资（万元）,累计到位资金（万元）,累计拨付资金（万元）,本月进展\n" + strings.Join(lines, "\n")
	f, err := progress.Parse("进展.csv", []byte(text))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return f
}

func TestApplyProgress(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx, may := f.ctx, period("2024-05")
		p1, sub := f.p1, f.p1.Subprojects[0]
		t0, t1 := p1.Targets[0], p1.Targets[1]
		file := progressCSV(t,
			fmt.Sprintf("P:%s,%s,（项目合计）,,120,200,80,贷款发放顺利", p1.ID, p1.Title),
			fmt.Sprintf("S:%s,%s,%s,,100,150,\"60\",", sub.ID, p1.Title, sub.Name),
			fmt.Sprintf("T:%s,%s,%s,0.6,,,,", t0.ID, p1.Title, t0.Metric),
			fmt.Sprintf("T:%s,%s,%s,96,,,,", t1.ID, p1.Title, t1.Metric),
		)

		// A dry run says what would change and writes nothing.
		res := must(s.ApplyProgress(ctx, f.repA, may, file, true))(t)
		if !res.DryRun || res.Reports != 1 || res.Created != 1 || len(res.Changes) != 9 {
			t.Fatalf("dry run: %+v", res)
		}
		if c := res.Changes[0]; c.Field != "累计完成投资（万元）" || c.After != "120" || c.Before != "" || !strings.Contains(c.Place, "第2行 E列") {
			t.Fatalf("first change: %+v", c)
		}
		if _, err := s.GetReport(ctx, f.repA, p1.ID, may); plan.ErrorCode(err) != plan.ENotFound {
			t.Fatalf("the dry run wrote a report: %v", err)
		}

		// For real: a draft with every value, audited.
		seq, _, err := s.AuditHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res = must(s.ApplyProgress(ctx, f.repA, may, file, false))(t)
		if res.DryRun || res.Reports != 1 {
			t.Fatalf("apply: %+v", res)
		}
		r := must(s.GetReport(ctx, f.repA, p1.ID, may))(t)
		if r.State != plan.ReportDraft || r.Investment.String() != "120" || r.Allocated.String() != "200" || r.Disbursed.String() != "80" ||
			r.Progress != "贷款发放顺利" || r.Actual(t0.ID).String() != "0.6" || r.Actual(t1.ID).String() != "96" ||
			len(r.Funds) != 1 || r.Funds[0].Disbursed.String() != "60" || r.Funds[0].Spent.String() != "100" {
			t.Fatalf("report after upload: %+v %+v", r, r.Funds)
		}
		rows := must(s.AuditRows(ctx, seq+1, seq+10))(t)
		var actions []string
		for _, a := range rows {
			actions = append(actions, a.Action)
		}
		if strings.Join(actions, " ") != "report.save report.bulk" {
			t.Fatalf("audit: %v", actions)
		}
		// The same file again changes nothing.
		if res := must(s.ApplyProgress(ctx, f.repA, may, file, false))(t); res.Reports != 0 || len(res.Changes) != 0 {
			t.Fatalf("second upload: %+v", res)
		}

		// A file with problems anywhere writes nothing, and says where.
		bad := progressCSV(t,
			fmt.Sprintf("P:%s,%s,（项目合计）,,130,,,", p1.ID, p1.Title),              // fine alone
			fmt.Sprintf("T:%s,%s,%s,101,,,,", t1.ID, p1.Title, t1.Metric),       // a rate above 100%
			fmt.Sprintf("P:%s,%s,（项目合计）,,5,,,", f.p2.ID, f.p2.Title),            // another unit's project
			fmt.Sprintf("S:%s,%s,改过的名字,,1,,,", sub.ID, p1.Title),                // name no longer matches
			fmt.Sprintf("T:%s,%s,%s,1,,,,", "tgt_unknown", p1.Title, t0.Metric), // unknown key
		)
		_, err = s.ApplyProgress(ctx, f.repA, may, bad, false)
		wantCode(t, err, plan.EForbidden) // another unit's row makes it a refusal
		var places []string
		for _, d := range err.(*plan.Error).Details {
			places = append(places, d.Message)
		}
		// (The rate above 100% is not judged: the project's rows are refused
		// as a whole while a name does not match its key.)
		want := []string{"第6行 A列（编码）：编码“T:tgt_unknown”在系统中找不到",
			"第5行 C列（子项目/指标）：编码对应的是“创业担保贷款”，与此格“改过的名字”不符",
			"第4行：第2件“建设区域性中心敬老院”不是本单位负责填报的项目"}
		if len(places) != len(want) {
			t.Fatalf("problems:\n%s", strings.Join(places, "\n"))
		}
		for i := range want {
			if !strings.Contains(places[i], want[i]) {
				t.Errorf("problem %d: %s\nwant …%s…", i, places[i], want[i])
			}
		}
		if r2 := must(s.GetReport(ctx, f.repA, p1.ID, may))(t); r2.Version != r.Version || r2.Investment.String() != "120" {
			t.Fatalf("a refused upload changed the report: %+v", r2)
		}

		// The report rules, each problem at its cell; blank cells keep the
		// draft's values (the investment stays 120).
		_, err = s.ApplyProgress(ctx, f.repA, may, progressCSV(t,
			fmt.Sprintf("P:%s,%s,（项目合计）,,,210,,", p1.ID, p1.Title),
			fmt.Sprintf("T:%s,%s,%s,101,,,,", t1.ID, p1.Title, t1.Metric)), false)
		wantCode(t, err, plan.EInvalid)
		if d := err.(*plan.Error).Details; len(d) != 1 || !strings.Contains(d[0].Message, "第3行 D列（累计完成值）：「到期贷款回收率」为百分比") {
			t.Fatalf("rule problems: %+v", d)
		}

		// A submitted report is closed to uploads.
		must(s.SubmitReport(ctx, f.repA, p1.ID, may, r.Version))(t)
		_, err = s.ApplyProgress(ctx, f.repA, may, progressCSV(t, fmt.Sprintf("P:%s,%s,（项目合计）,,130,,,", p1.ID, p1.Title)), false)
		wantCode(t, err, plan.EInvalid)
		if !strings.Contains(err.Error(), "已报送待审核，不能再修改") {
			t.Fatalf("submitted: %v", err)
		}
	})
}
