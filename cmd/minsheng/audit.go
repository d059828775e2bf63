package main

import (
	"flag"
	"fmt"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// runAudit: minsheng audit verify — exit 0 when the chain is intact, 1
// when a row was edited, removed or reordered (it says which).
func runAudit(e env, args []string) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(e.stderr, "用法：minsheng audit verify [--anchors 目录] [--db …]")
		return exitUnusable
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	db := dbFlag(fs, e)
	anchors := fs.String("anchors", "", "同时核对此目录中每天写下的审计链头（serve --anchor-dir）")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUnusable
	}
	st, err := openStore(e, *db)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUnusable
	}
	defer st.Close()
	rep, err := st.VerifyAudit(e.ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "校验失败：", err)
		return exitUnusable
	}
	if rep.Break != nil {
		fmt.Fprintf(e.stdout, "审计日志被篡改：%s\n", rep.Break.Error())
		return 1
	}
	if *anchors != "" {
		list, err := store.ReadAnchors(*anchors)
		if err != nil {
			fmt.Fprintln(e.stderr, plan.ErrorMessage(err))
			return exitUnusable
		}
		brk, err := st.CheckAnchors(e.ctx, list)
		if err != nil {
			fmt.Fprintln(e.stderr, "校验失败：", err)
			return exitUnusable
		}
		if brk != nil {
			fmt.Fprintf(e.stdout, "审计日志被篡改：%s\n", brk.Error())
			return 1
		}
		fmt.Fprintf(e.stdout, "审计日志与 %d 个锚点一致\n", len(list))
	}
	fmt.Fprintf(e.stdout, "审计日志完整：共 %d 条记录\n", rep.Rows)
	return 0
}
