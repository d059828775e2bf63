package main

import (
	"flag"
	"fmt"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// runBackup: minsheng backup -o FILE — a consistent copy made while the
// server keeps running (SQLite: VACUUM INTO; PostgreSQL: pg_dump).
func runBackup(e env, args []string) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	out := fs.String("o", "", "备份文件路径（不得已存在）")
	db := dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return exitUnusable
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "用法：minsheng backup -o 备份文件 [--db …]")
		return exitUnusable
	}
	st, err := openStore(e, *db)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	defer st.Close()
	if err := st.Backup(e.ctx, *out); err != nil {
		fmt.Fprintln(e.stderr, "备份失败："+plan.ErrorMessage(err)+detail(err))
		return 1
	}
	seq, hash, err := st.AuditHead(e.ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "备份已写入，但读取审计链头失败：", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "已备份到 %s（备份时审计日志至第 %d 条，链头 %s）\n", *out, seq, hash)
	return 0
}

// runRestore: minsheng restore -i FILE --db NEW.db — brings a SQLite
// backup back as a new database file, checked before it gets its name.
func runRestore(e env, args []string) int {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	in := fs.String("i", "", "备份文件路径")
	db := dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return exitUnusable
	}
	if *in == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "用法：minsheng restore -i 备份文件 [--db 新数据库文件]（服务须先停止，目标文件不得已存在）")
		return exitUnusable
	}
	rep, err := store.Restore(e.ctx, *in, *db)
	if err != nil {
		fmt.Fprintln(e.stderr, "恢复失败："+plan.ErrorMessage(err)+detail(err))
		if plan.ErrorCode(err) == plan.EInternal {
			return 1
		}
		return exitUnusable
	}
	fmt.Fprintf(e.stdout, "已从 %s 恢复到 %s：完整性检查通过，审计日志 %d 条完整\n", *in, *db, rep.Rows)
	return 0
}

// detail is the cause of an internal error, for the operator at the
// console (a user on the web never sees it).
func detail(err error) string {
	if plan.ErrorCode(err) == plan.EInternal {
		return "（" + err.Error() + "）"
	}
	return ""
}
