package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"minsheng/internal/documents"
	"minsheng/internal/plan"
)

// runExport: minsheng export ledger --plan ID [--period 2024-10] -o FILE.xlsx.
func runExport(e env, args []string) int {
	if len(args) == 0 || args[0] != "ledger" {
		fmt.Fprintln(e.stderr, "用法：minsheng export ledger --plan 计划ID [--period 2024-10] -o 台账.xlsx [--db …]")
		return exitUnusable
	}
	fs := flag.NewFlagSet("export ledger", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	planID := fs.String("plan", "", "计划 ID（见 /api/v1/plans）")
	periodFlag := fs.String("period", "", "统计截至的月份，如 2024-10（默认上个月）")
	out := fs.String("o", "", "输出的 .xlsx 文件")
	db := dbFlag(fs, e)
	cfgPath := configFlag(fs, e)
	if err := fs.Parse(args[1:]); err != nil {
		return exitUnusable
	}
	if *planID == "" || *out == "" {
		fmt.Fprintln(e.stderr, "请给出 --plan 和 -o")
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
	l, err := eng.Ledger(e.ctx, plan.SystemUser, *planID, period)
	if err != nil {
		fmt.Fprintln(e.stderr, "导出失败：", plan.ErrorMessage(err))
		return 1
	}
	var buf bytes.Buffer
	if err := documents.WriteLedger(&buf, l); err != nil {
		fmt.Fprintln(e.stderr, "导出失败：", err)
		return 1
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(e.stderr, "无法写入文件：", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "已导出 %s（%d 个项目，截至 %s）\n", *out, len(l.Projects), period.Label())
	return 0
}
