package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"minsheng/internal/config"
	"minsheng/internal/demo"
	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/web"
)

func runServe(e env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", "", "监听地址（默认取配置 server.addr：127.0.0.1:8080）")
	db := dbFlag(fs, e)
	withDemo := fs.Bool("demo", false, "空数据库时导入内置的三份方案并生成演示数据")
	cfgPath := configFlag(fs, e)
	tlsCert := fs.String("tls-cert", "", "TLS 证书（PEM）；与 --tls-key 同时给出时只提供 HTTPS")
	tlsKey := fs.String("tls-key", "", "TLS 私钥（PEM）")
	logFormat := fs.String("log-format", "", "日志格式：text 或 json（默认取配置 server.log_format）")
	anchorDir := fs.String("anchor-dir", "", "每天把审计链头写入此目录（默认取配置 server.anchor_dir）")
	if err := fs.Parse(args); err != nil {
		return exitUnusable
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUnusable
	}
	// Flags given on the command line win over the file.
	for flagValue, key := range map[*string]*string{addr: &cfg.Server.Addr, tlsCert: &cfg.Server.TLSCert, tlsKey: &cfg.Server.TLSKey,
		logFormat: &cfg.Server.LogFormat, anchorDir: &cfg.Server.AnchorDir} {
		if *flagValue != "" {
			*key = *flagValue
		}
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(e.stderr, "参数错误："+plan.ErrorMessage(err))
		return exitUnusable
	}
	log := newLogger(e.stderr, cfg.Server)
	st, eng, status := openEngineWith(e, *db, cfg)
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
	configureSite(site, cfg)
	if err := setupPortal(e, st, site, cfg.Portal, *withDemo); err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUnusable
	}
	// The demo accounts are printed with their password for a newcomer to
	// try at once: no forced change there.
	site.RequirePasswordChange = !*withDemo
	defer startReminders(e.ctx, st, eng.Config, log, e.stdout)()
	go func() { // seconds to a minute at national scale, after an upgrade
		if err := st.EnsureRollupFacts(e.ctx); err != nil && e.ctx.Err() == nil {
			log.Warn("重算汇总事实失败，将在首次汇总时重试", "err", err)
		}
	}()
	if cfg.Server.AnchorDir != "" {
		go anchorDaily(e.ctx, st, cfg.Server.AnchorDir, log)
	}
	srv := &http.Server{Handler: site.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute,
		IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "无法监听 %s：%v\n", cfg.Server.Addr, err)
		return 1
	}
	scheme := "http"
	if cfg.Server.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(e.stdout, "民生实事平台已启动：%s://%s/\n", scheme, ln.Addr())
	go func() {
		<-e.ctx.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if cfg.Server.TLSCert != "" {
		err = srv.ServeTLS(ln, cfg.Server.TLSCert, cfg.Server.TLSKey)
	} else {
		err = srv.Serve(ln)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	return 0
}

// configureSite sets the server's limits and security from the
// configuration.
func configureSite(site *web.Server, cfg config.Config) {
	tls := cfg.Server.TLSCert != ""
	site.SecureCookies, site.HSTS = tls, tls
	site.MaxBodyBytes = int64(cfg.Server.MaxBodyMB) << 20
	site.Store.MaxAttachmentBytes = int64(cfg.Server.MaxUploadMB) << 20
	site.MaxUploadBytes = site.Store.MaxAttachmentBytes + 1<<20
	site.TrustedProxies, _ = config.Prefixes(cfg.Server.TrustedProxies) // validated
	site.MetricsAllow, _ = config.Prefixes(cfg.Server.MetricsAllow)
	sec := cfg.Security
	site.Limits = web.NewLimits(sec.LoginPerMinute, sec.LoginPerMinutePerAddress, sec.PublicPerMinute)
	site.RequirePasswordChange = true
}

func newLogger(w io.Writer, s config.Server) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(s.LogLevel)) // validated
	opts := &slog.HandlerOptions{Level: level}
	if s.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// anchorDaily writes the audit chain's head into dir at start and then
// once a day (checked hourly, so a day is not missed across a restart).
func anchorDaily(ctx context.Context, st *store.Store, dir string, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if path, err := st.WriteAnchor(ctx, dir); err != nil {
			log.Error("audit anchor", "dir", dir, "err", err)
		} else if path != "" {
			log.Info("audit anchor written", "path", path)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
