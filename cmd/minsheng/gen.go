package main

import (
	"flag"
	"fmt"

	"minsheng/internal/demo"
	"minsheng/internal/plan"
)

// runGen: minsheng gen --scale district|province|national — synthetic
// plans, monthly plans and reports for benchmarks, written in bulk into an
// empty database.
func runGen(e env, args []string) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	scale := fs.String("scale", demo.ScaleDistrict, "规模：district（一个县区）、province（江西省全部县区）、national（全国约 2,850 个县级行政区）")
	months := fs.Int("months", 10, "报告月数（从 1 月起）")
	batch := fs.Int("batch", 20, "每个事务写入的县区数")
	db := dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return exitUnusable
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "多余的参数：%v\n", fs.Args())
		return exitUnusable
	}
	if _, err := demo.GenCounties(*scale); err != nil {
		fmt.Fprintln(e.stderr, plan.ErrorMessage(err))
		return exitUnusable
	}
	st, err := openStore(e, *db)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	defer st.Close()
	stats, err := demo.Generate(e.ctx, st, demo.GenOptions{Scale: *scale, Months: *months, Batch: *batch, Progress: e.stderr})
	if err != nil {
		// An operator's command: the whole error, SQL included, helps.
		fmt.Fprintln(e.stderr, "生成合成数据失败：", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "已生成 %s 规模的合成数据，用时 %.1f 秒：\n", *scale, stats.Elapsed.Seconds())
	fmt.Fprintf(e.stdout, "  县级行政区 %d，项目 %d，目标 %d\n", stats.Counties, stats.Projects, stats.Targets)
	fmt.Fprintf(e.stdout, "  月度计划值 %d，月报 %d，月报目标值 %d\n", stats.MonthlyValues, stats.Reports, stats.ReportValues)
	fmt.Fprintf(e.stdout, "  账号 %d 个：gen-admin（管理员）、gen-省代码（省级领导，如 gen-36），密码均为 %s\n", stats.Users, demo.Password)
	return 0
}
