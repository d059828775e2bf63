package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"minsheng/internal/demo"
	"minsheng/internal/web"
)

func runServe(e env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "监听地址")
	db := dbFlag(fs, e)
	withDemo := fs.Bool("demo", false, "空数据库时导入内置的三份方案并生成演示数据")
	cfgPath := configFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return exitUnusable
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	st, eng, status := openEngine(e, *db, *cfgPath)
	if st == nil {
		return status
	}
	defer st.Close()
	if *withDemo {
		logins, err := demo.Load(e.ctx, st, time.Now())
		if err != nil {
			fmt.Fprintln(e.stderr, "生成演示数据失败：", err)
			return 1
		}
		demo.PrintLogins(e.stdout, logins)
	}
	site := web.New(st, log)
	site.Engine = eng
	srv := &http.Server{Handler: site.Handler(), ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "无法监听 %s：%v\n", *addr, err)
		return 1
	}
	fmt.Fprintf(e.stdout, "民生实事平台已启动：http://%s/\n", ln.Addr())
	go func() {
		<-e.ctx.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	return 0
}
