package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/internal/docimport"
	"minsheng/internal/docx"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// supervisedDB is a SQLite file with the 新建区 plan published and project
// 1 reporting January to March 2024 (behind from February); the others
// never report.
func supervisedDB(t *testing.T) (dbPath, planID string) {
	t.Helper()
	ctx := context.Background()
	dbPath = filepath.Join(t.TempDir(), "m.db")
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := time.Date(2024, 2, 1, 9, 0, 0, 0, plan.Shanghai)
	st.Now = func() time.Time { return clock }
	raw, err := os.ReadFile("../../testdata/seeds/xinjian-2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := docimport.Import("xinjian-2024.txt", raw)
	if err != nil {
		t.Fatal(err)
	}
	sys := plan.SystemUser
	pv, err := st.SaveDraftPlan(ctx, sys, doc, "")
	if err != nil {
		t.Fatal(err)
	}
	if pv, err = st.PublishPlan(ctx, sys, pv.ID); err != nil {
		t.Fatal(err)
	}
	ps, err := st.ListProjects(ctx, store.ProjectFilter{PlanID: pv.ID})
	if err != nil {
		t.Fatal(err)
	}
	p1 := ps[0]
	for i, share := range []string{"0.1", "0.1", "0.15"} {
		per := plan.Period{Year: 2024, Month: time.Month(i + 1)}
		clock = per.Next().Start().AddDate(0, 0, 1).Add(9 * time.Hour)
		in := store.ReportInput{Progress: "推进中", Investment: plan.MustDecimal("20").Ptr(), Disbursed: plan.MustDecimal("10").Ptr()}
		for _, tg := range p1.ActiveTargets() {
			v := tg.Value.Mul(plan.MustDecimal(share))
			in.Targets = append(in.Targets, plan.ReportTarget{TargetID: tg.ID, Actual: &v})
		}
		r, _, err := st.SaveReport(ctx, sys, p1.ID, per, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SubmitReport(ctx, sys, p1.ID, per, r.Version); err != nil {
			t.Fatal(err)
		}
	}
	return dbPath, pv.ID
}

func TestSuperviseAndExportCommands(t *testing.T) {
	db, planID := supervisedDB(t)
	dir := t.TempDir()

	status, out, errOut := runCLI(t, "supervise", "--db", db, "--plan", planID, "--period", "2024-03")
	if status != 0 {
		t.Fatalf("supervise: %d %s", status, errOut)
	}
	for _, want := range []string{"2024年3月 项目状态", "起草督办函", "已起草督办函", "未报送"} {
		if !strings.Contains(out, want) {
			t.Errorf("supervise output lacks %q:\n%s", want, out)
		}
	}
	// A second run drafts nothing new.
	if status, out, _ = runCLI(t, "supervise", "--db", db, "--plan", planID, "--period", "2024-03"); status != 0 || !strings.Contains(out, "本次未起草新的函件") {
		t.Errorf("second run: %d\n%s", status, out)
	}

	docxPath := filepath.Join(dir, "通报.docx")
	if status, out, errOut = runCLI(t, "export", "bulletin", "--db", db, "--plan", planID, "--period", "2024-03", "-o", docxPath); status != 0 {
		t.Fatalf("export bulletin: %d %s", status, errOut)
	}
	raw, err := os.ReadFile(docxPath)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := docx.Read(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, b := range blocks {
		text.WriteString(b.Text)
		for _, r := range b.Table {
			text.WriteString(strings.Join(r, " "))
		}
	}
	for _, want := range []string{"关于2024年1—3月民生实事项目推进情况的通报", "南昌市新建区人民政府办公室", "牵头单位推进排名", "支持重点群体就业创业"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("bulletin lacks %q", want)
		}
	}
	htmlPath := filepath.Join(dir, "通报.html")
	if status, _, errOut = runCLI(t, "export", "bulletin", "--db", db, "--plan", planID, "--period", "2024-03", "-o", htmlPath); status != 0 {
		t.Fatalf("export bulletin html: %d %s", status, errOut)
	}
	if h, _ := os.ReadFile(htmlPath); !bytes.Contains(h, []byte("<svg")) || !bytes.Contains(h, []byte("@page")) {
		t.Error("bulletin HTML without chart or print styles")
	}

	// Drafts are exported on request; issued letters by default (none yet).
	letters := filepath.Join(dir, "函件")
	if status, out, errOut = runCLI(t, "export", "letters", "--db", db, "--plan", planID, "--state", "draft", "-o", letters); status != 0 {
		t.Fatalf("export letters: %d %s", status, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(letters, "*.docx"))
	if len(files) == 0 || !strings.Contains(out, "已导出") {
		t.Fatalf("no letters written: %s", out)
	}
	if status, out, _ = runCLI(t, "export", "letters", "--db", db, "--plan", planID, "-o", filepath.Join(dir, "空")); status != 0 || !strings.Contains(out, "已导出 0 件") {
		t.Errorf("issued letters: %d %s", status, out)
	}
	id := strings.TrimSuffix(filepath.Base(files[0]), ".docx")
	id = id[strings.Index(id, "草稿-")+len("草稿-"):]
	one := filepath.Join(dir, "one.html")
	if status, _, errOut = runCLI(t, "export", "letters", "--db", db, "--id", id, "-o", one); status != 0 {
		t.Fatalf("export one letter: %d %s", status, errOut)
	}
	if h, _ := os.ReadFile(one); !bytes.Contains(h, []byte("草稿，尚未印发")) || !bytes.Contains(h, []byte("督办函")) {
		t.Error("letter HTML")
	}

	// The ledger still exports through the same command.
	if status, _, errOut = runCLI(t, "export", "ledger", "--db", db, "--plan", planID, "--period", "2024-03", "-o", filepath.Join(dir, "台账.xlsx")); status != 0 {
		t.Errorf("export ledger: %d %s", status, errOut)
	}
}

func TestSuperviseCommandErrors(t *testing.T) {
	db, planID := supervisedDB(t)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"status": {"on_track_ratio": 2}}`), 0o644)
	good := filepath.Join(t.TempDir(), "good.json")
	os.WriteFile(good, []byte(`{"status": {"on_track_ratio": 0.8, "far_behind_ratio": 0.5, "far_behind_after_months": 2, "grace_days": 5, "deadline_warning_days": 30}, "prefixes": {"360112": "新建区"}}`), 0o644)
	defer plan.SetDefaultThresholds(plan.BuiltinThresholds)
	tests := []struct {
		args   []string
		status int
		inErr  string
	}{
		{[]string{"supervise", "--db", db}, exitUnusable, "用法"},
		{[]string{"supervise", "--db", db, "--plan", planID, "--period", "2024-13"}, exitUnusable, "--period"},
		{[]string{"supervise", "--db", db, "--plan", planID, "--config", bad}, exitUnusable, "on_track_ratio"},
		{[]string{"supervise", "--db", db, "--plan", "nope", "--period", "2024-03"}, 1, "计划"},
		{[]string{"supervise", "--db", db, "--plan", planID, "--period", "2023-03"}, 1, "不在计划年度"},
		{[]string{"supervise", "--db", db, "--plan", planID, "--period", "2024-03", "--config", good, "--recompute"}, 0, ""},
		{[]string{"export", "bulletin", "--db", db, "--plan", planID, "-o", "x.pdf"}, exitUnusable, "docx 或 html"},
		{[]string{"export", "letters", "--db", db, "-o", "x"}, exitUnusable, "用法"},
		{[]string{"export", "memo"}, exitUnusable, "用法"},
		{[]string{"export", "letters", "--db", db, "--id", "ltr_nope", "-o", filepath.Join(t.TempDir(), "x.docx")}, 1, "函件不存在"},
	}
	for _, tt := range tests {
		status, _, errOut := runCLI(t, tt.args...)
		if status != tt.status || !strings.Contains(errOut, tt.inErr) {
			t.Errorf("%v: %d %q, want %d containing %q", tt.args, status, errOut, tt.status, tt.inErr)
		}
	}
}
