package main

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"minsheng/internal/config"
	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

// configFlag adds --config to a subcommand: the configuration file
// (JSON: the supervision rules, and for serve the server and security
// sections), defaulting to MINSHENG_CONFIG, then the older
// MINSHENG_SUPERVISION_CONFIG; without one the documented defaults apply.
func configFlag(fs *flag.FlagSet, e env) *string {
	def := e.getenv("MINSHENG_CONFIG")
	if def == "" {
		def = e.getenv("MINSHENG_SUPERVISION_CONFIG")
	}
	return fs.String("config", def, "配置文件（JSON，见 docs/运维手册.md 与 docs/督查规则.md；默认取 MINSHENG_CONFIG，否则用内置默认值）")
}

func loadConfig(path string) (config.Config, error) {
	c, err := config.Load(path)
	if err != nil {
		return c, err
	}
	return c, c.Apply()
}

// openEngine opens the database and the supervision engine under the
// configuration at cfgPath. On failure it has said why on stderr and
// returns the exit status.
func openEngine(e env, dsn, cfgPath string) (*store.Store, *supervise.Engine, int) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return nil, nil, exitUnusable
	}
	return openEngineWith(e, dsn, cfg)
}

// openEngineWith opens the database under a loaded configuration: the
// store takes the configured due day and identity rules.
func openEngineWith(e env, dsn string, cfg config.Config) (*store.Store, *supervise.Engine, int) {
	st, err := openStore(e, dsn)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return nil, nil, 1
	}
	st.DueDay = cfg.DueDay
	cfg.Security.ApplyTo(st)
	return st, supervise.New(st, cfg.Config), 0
}

// periodArg reads --period, defaulting to the month before now.
func periodArg(e env, s string) (plan.Period, error) {
	if s == "" {
		return plan.PeriodOf(e.now()).Prev(), nil
	}
	p, err := plan.ParsePeriod(s)
	if err != nil {
		return p, fmt.Errorf("--period 应为 2024-10 这样的月份，而不是 %q", s)
	}
	return p, nil
}

// runSupervise: minsheng supervise --plan ID --period 2024-10 — brings the
// status history up to date through the month and climbs the escalation
// ladder for it, drafting the letters it calls for.
func runSupervise(e env, args []string) int {
	fs := flag.NewFlagSet("supervise", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	planID := fs.String("plan", "", "计划 ID（见 /api/v1/plans）")
	periodFlag := fs.String("period", "", "判定的月份，如 2024-10（默认上个月）")
	recompute := fs.Bool("recompute", false, "按现行计划重新判定此前各月（默认只重算输入有变化的月份）")
	cfgPath := configFlag(fs, e)
	db := dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return exitUnusable
	}
	if *planID == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "用法：minsheng supervise --plan 计划ID [--period 2024-10] [--recompute] [--config 规则.json] [--db …]")
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
	if *recompute {
		pv, err := st.GetPlan(e.ctx, *planID)
		if err != nil {
			fmt.Fprintln(e.stderr, "督查失败：", plan.ErrorMessage(err))
			return 1
		}
		if _, err := eng.Refresh(e.ctx, plan.SystemUser, pv.JurisdictionCode, period, true); err != nil {
			fmt.Fprintln(e.stderr, "督查失败：", plan.ErrorMessage(err))
			return 1
		}
	}
	res, err := eng.Run(e.ctx, plan.SystemUser, *planID, period)
	if err != nil {
		fmt.Fprintln(e.stderr, "督查失败：", plan.ErrorMessage(err))
		return 1
	}
	printRun(e.stdout, res)
	return 0
}

func printRun(w io.Writer, res *supervise.RunResult) {
	tl := res.Timeline
	fmt.Fprintf(w, "%s 项目状态（更新 %d 个月份）：\n", res.Period.Label(), len(tl.Changes))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "序号\t项目\t状态\t督查\t说明")
	counts := map[plan.Status]int{}
	for _, p := range tl.Projects {
		rec := tl.Status(p.ID, res.Period)
		if rec == nil {
			continue
		}
		counts[rec.Status]++
		label := rec.Status.Label()
		if rec.DueSoon {
			label += "·临期"
		}
		step := ""
		if s := res.Steps[p.ID]; s != supervise.StepNone {
			step = s.Label()
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", p.Seq, clipRunes(p.Title, 18), label, step, clipRunes(rec.Reason, 40))
	}
	tw.Flush()
	fmt.Fprint(w, "合计：")
	for _, s := range plan.Statuses {
		fmt.Fprintf(w, "%s %d  ", s.Label(), counts[s])
	}
	fmt.Fprintln(w)
	for _, l := range res.Withdrawn {
		fmt.Fprintf(w, "已作废草稿 %s：%s（%s）\n", l.ID, l.Title, l.Note)
	}
	if len(res.Drafted) == 0 {
		fmt.Fprintln(w, "本次未起草新的函件。")
	}
	for _, l := range res.Drafted {
		fmt.Fprintf(w, "已起草%s %s：%s\n", l.Kind.Label(), l.ID, l.Title)
	}
	if len(res.Listed) > 0 {
		fmt.Fprintf(w, "挂牌督办项目 %d 个。\n", len(res.Listed))
	}
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
