package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"minsheng/internal/documents"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

const exportUsage = `用法：
  minsheng export ledger   --plan 计划ID [--period 2024-10] -o 台账.xlsx [--db …]
  minsheng export bulletin --plan 计划ID [--period 2024-10] -o 通报.docx|通报.html [--config 规则.json] [--db …]
  minsheng export letters  --plan 计划ID [--period 2024-10] [--state issued|draft|answered|closed|withdrawn|all] [--format docx|html] -o 目录 [--db …]
  minsheng export letters  --id 函件ID -o 函件.docx|函件.html [--db …]`

// runExportDocs dispatches minsheng export: the ledger (export.go), the
// monthly bulletin and the letters.
func runExportDocs(e env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, exportUsage)
		return exitUnusable
	}
	switch args[0] {
	case "ledger":
		return runExport(e, args)
	case "bulletin":
		return runExportBulletin(e, args[1:])
	case "letters", "letter":
		return runExportLetters(e, args[1:])
	}
	fmt.Fprintln(e.stderr, exportUsage)
	return exitUnusable
}

// docFormat is the format an output file's extension asks for.
func docFormat(path, flagValue string) (string, error) {
	f := strings.ToLower(flagValue)
	if f == "" {
		f = strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
		if f == "htm" {
			f = "html"
		}
	}
	if f != "docx" && f != "html" {
		return "", fmt.Errorf("输出格式应为 docx 或 html（由 -o 的扩展名或 --format 指定），而不是 %q", f)
	}
	return f, nil
}

// runExportBulletin: minsheng export bulletin --plan ID --period 2024-10 -o FILE.docx.
func runExportBulletin(e env, args []string) int {
	fs := flag.NewFlagSet("export bulletin", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	planID := fs.String("plan", "", "计划 ID")
	periodFlag := fs.String("period", "", "通报截至的月份，如 2024-10（默认上个月）")
	out := fs.String("o", "", "输出文件：.docx 或 .html")
	format := fs.String("format", "", "docx 或 html（默认按 -o 的扩展名）")
	cfgPath := configFlag(fs, e)
	db := dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return exitUnusable
	}
	if *planID == "" || *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, exportUsage)
		return exitUnusable
	}
	f, err := docFormat(*out, *format)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUnusable
	}
	period, err := periodArg(e, *periodFlag)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUnusable
	}
	st, eng, status := openEngine(e, *db, *cfgPath)
	if st == nil {
		return status
	}
	defer st.Close()
	b, err := eng.Bulletin(e.ctx, *planID, period)
	if err != nil {
		fmt.Fprintln(e.stderr, "导出失败：", plan.ErrorMessage(err))
		return 1
	}
	var buf bytes.Buffer
	if f == "html" {
		err = documents.WriteBulletinHTML(&buf, b)
	} else {
		err = documents.WriteBulletinDocx(&buf, b)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "导出失败：", err)
		return 1
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(e.stderr, "无法写入文件：", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "已导出 %s（%s，%d 个项目）\n", *out, b.Title, len(b.Rows))
	return 0
}

// runExportLetters: minsheng export letters --plan ID -o DIR, or --id ID -o FILE.
func runExportLetters(e env, args []string) int {
	fs := flag.NewFlagSet("export letters", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	planID := fs.String("plan", "", "计划 ID：导出该计划所属地区、年度的函件")
	id := fs.String("id", "", "只导出这一件函件")
	periodFlag := fs.String("period", "", "只导出针对该月份起草的函件，如 2024-10")
	state := fs.String("state", "issued", "函件状态：draft、issued、answered、closed、withdrawn，或 all（已印发的各状态：sent）")
	format := fs.String("format", "", "docx 或 html（默认按 -o 的扩展名，目录时为 docx）")
	out := fs.String("o", "", "输出目录（--plan）或文件（--id）")
	db := dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return exitUnusable
	}
	if (*planID == "") == (*id == "") || *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, exportUsage)
		return exitUnusable
	}
	var period plan.Period
	if *periodFlag != "" {
		p, err := periodArg(e, *periodFlag)
		if err != nil {
			fmt.Fprintln(e.stderr, err)
			return exitUnusable
		}
		period = p
	}
	st, err := openStore(e, *db)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	defer st.Close()
	write := func(path, f string, l *plan.Letter) error {
		var buf bytes.Buffer
		d := documents.LetterDocument(l)
		var err error
		if f == "html" {
			err = documents.WriteLetterHTML(&buf, d)
		} else {
			err = documents.WriteLetterDocx(&buf, d)
		}
		if err != nil {
			return err
		}
		return os.WriteFile(path, buf.Bytes(), 0o644)
	}
	if *id != "" {
		f, err := docFormat(*out, *format)
		if err != nil {
			fmt.Fprintln(e.stderr, err)
			return exitUnusable
		}
		l, err := st.GetLetter(e.ctx, plan.SystemUser, *id)
		if err != nil {
			fmt.Fprintln(e.stderr, "导出失败：", plan.ErrorMessage(err))
			return 1
		}
		if err := write(*out, f, l); err != nil {
			fmt.Fprintln(e.stderr, "无法写入文件：", err)
			return 1
		}
		fmt.Fprintf(e.stdout, "已导出 %s（%s）\n", *out, l.Title)
		return 0
	}
	f := strings.ToLower(*format)
	if f == "" {
		f = "docx"
	}
	if f != "docx" && f != "html" {
		fmt.Fprintf(e.stderr, "--format 应为 docx 或 html，而不是 %q\n", *format)
		return exitUnusable
	}
	pv, err := st.GetPlan(e.ctx, *planID)
	if err != nil {
		fmt.Fprintln(e.stderr, "导出失败：", plan.ErrorMessage(err))
		return 1
	}
	filter := store.LetterFilter{JurisdictionCode: pv.JurisdictionCode, Year: pv.Year}
	switch *state {
	case "all":
	case "issued":
		// issued: every letter that went out, whatever became of it.
	default:
		filter.State = plan.LetterState(*state)
	}
	letters, err := st.ListLetters(e.ctx, plan.SystemUser, filter)
	if err != nil {
		fmt.Fprintln(e.stderr, "导出失败：", plan.ErrorMessage(err))
		return 1
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(e.stderr, "无法创建目录：", err)
		return 1
	}
	n := 0
	for i := range letters {
		l := &letters[i]
		if *state == "issued" && !l.State.Sent() || !period.IsZero() && l.Period != period {
			continue
		}
		name := l.DocNumber
		if name == "" {
			name = "草稿-" + l.ID
		}
		name = fmt.Sprintf("%s-第%d件-%s.%s", l.Period, l.ProjectSeq, fileSafe(name), f)
		if err := write(filepath.Join(*out, name), f, l); err != nil {
			fmt.Fprintln(e.stderr, "无法写入文件：", err)
			return 1
		}
		n++
	}
	fmt.Fprintf(e.stdout, "已导出 %d 件函件到 %s\n", n, *out)
	return 0
}

// fileSafe replaces characters file systems refuse.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
			return '_'
		}
		return r
	}, s)
}
