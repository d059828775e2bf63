package main

import (
	"bufio"
	"flag"
	"fmt"
	"strings"

	"minsheng/internal/plan"
)

// runUser: minsheng user add --username U --role ROLE [--unit NAME]
// [--jurisdiction CODE] --password-stdin.
func runUser(e env, args []string) int {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(e.stderr, "用法：minsheng user add --username U --role ROLE [--unit 单位名称] [--jurisdiction 代码] --password-stdin [--db …]")
		return exitUnusable
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	username := fs.String("username", "", "用户名")
	role := fs.String("role", "", "角色：admin、supervisor、reporter、contributor、leader、deputy")
	unit := fs.String("unit", "", "所属单位名称（reporter、contributor 必填）")
	jurisdiction := fs.String("jurisdiction", "", "行政区划代码，如 360112")
	fromStdin := fs.Bool("password-stdin", false, "从标准输入读取密码")
	db := dbFlag(fs, e)
	if err := fs.Parse(args[1:]); err != nil {
		return exitUnusable
	}
	if !*fromStdin {
		fmt.Fprintln(e.stderr, "请用 --password-stdin 从标准输入提供密码（不要写在命令行上）")
		return exitUnusable
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		fmt.Fprintln(e.stderr, "没有从标准输入读到密码", err)
		return exitUnusable
	}
	st, err := openStore(e, *db)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	defer st.Close()
	u := &plan.User{Username: *username, Role: plan.Role(*role), JurisdictionCode: *jurisdiction}
	if *unit != "" {
		if *jurisdiction == "" {
			fmt.Fprintln(e.stderr, "指定单位时必须同时给出 --jurisdiction")
			return exitUnusable
		}
		un, err := st.EnsureUnit(e.ctx, plan.SystemUser, *jurisdiction, *unit)
		if err != nil {
			fmt.Fprintln(e.stderr, plan.ErrorMessage(err))
			return 1
		}
		u.UnitID = un.ID
	}
	if err := st.CreateUser(e.ctx, plan.SystemUser, u, password); err != nil {
		fmt.Fprintln(e.stderr, "创建用户失败：", plan.ErrorMessage(err))
		return 1
	}
	fmt.Fprintf(e.stdout, "已创建用户 %s（%s）\n", u.Username, u.Role.Label())
	return 0
}
