// Command minsheng runs the 民生实事 platform: the web server, the plan
// importer and the administrative subcommands. Each subcommand lives in a
// file of its own; this one only dispatches.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// env is what a subcommand gets from the world, so that tests can run the
// real program in-process.
type env struct {
	ctx    context.Context
	now    func() time.Time
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name, usage string
	run         func(e env, args []string) int
}

func commands() []command {
	return []command{
		{"serve", "serve [--addr 127.0.0.1:8080] [--db FILE|postgres://…] [--demo]   启动网页与接口服务", runServe},
		{"import", "import [--format json|text] [--save] [--db …] FILE…   读取民生实事方案文件", runImport},
		{"user", "user add --username U --role ROLE [--unit 单位] [--jurisdiction 代码] --password-stdin   添加用户", runUser},
		{"audit", "audit verify [--db …]   校验审计日志", runAudit},
		{"backup", "backup -o FILE [--db …]   在线备份数据库（服务可照常运行）", runBackup},
		{"restore", "restore -i FILE [--db 新数据库文件]   从备份恢复（服务须先停止）", runRestore},
		{"gen", "gen --scale district|province|national [--db …]   生成用于性能测试的合成数据", runGen},
		{"export", "export ledger|bulletin|letters --plan ID [--period 2024-10] -o FILE|DIR [--db …]   导出工作台账、调度通报、督办函件", runExportDocs},
		{"votes", "votes tally|ballots --round ID [--ballots 文件] [-o 文件] [--db …]   人大票决：按选票重新计票核对结果，或导出选票", runVotes},
		{"remind", "remind [--dry-run] [--date 2024-11-06] [--config 规则.json] [--db …]   计算并发送报送、答复提醒（--dry-run 只列出）", runRemind},
		{"supervise", "supervise --plan ID [--period 2024-10] [--config 规则.json] [--db …]   判定项目状态并起草提示函、督办函", runSupervise},
	}
}

// run returns the process exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{ctx: ctx, now: time.Now, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		return 2
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "未知的子命令：%s\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "用法：minsheng <子命令> [参数]")
	for _, c := range commands() {
		fmt.Fprintln(w, "  minsheng "+c.usage)
	}
}
