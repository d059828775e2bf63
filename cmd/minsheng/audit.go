package main

import (
	"flag"
	"fmt"
)

// runAudit: minsheng audit verify — exit 0 when the chain is intact, 1
// when a row was edited, removed or reordered (it says which).
func runAudit(e env, args []string) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(e.stderr, "用法：minsheng audit verify [--db …]")
		return exitUnusable
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	db := dbFlag(fs, e)
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
	fmt.Fprintf(e.stdout, "审计日志完整：共 %d 条记录\n", rep.Rows)
	return 0
}
