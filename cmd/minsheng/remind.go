package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"minsheng/internal/notify"
	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

// runRemind: minsheng remind [--dry-run] [--date 2024-11-06] — one pass of
// the reminders by hand: works out the day's reminders, enqueues those not
// enqueued before and sends what is due. --dry-run prints what it would
// send and changes nothing.
func runRemind(e env, args []string) int {
	fs := flag.NewFlagSet("remind", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dryRun := fs.Bool("dry-run", false, "只列出将要发送的提醒，不入队、不发送")
	date := fs.String("date", "", "按哪一天计算（如 2024-11-06，默认今天）")
	cfgPath := configFlag(fs, e)
	db := dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return exitUnusable
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "用法：minsheng remind [--dry-run] [--date 2024-11-06] [--config 规则.json] [--db …]")
		return exitUnusable
	}
	now := e.now
	if *date != "" {
		d, err := time.ParseInLocation(time.DateOnly, *date, plan.Shanghai)
		if err != nil {
			fmt.Fprintf(e.stderr, "--date 应为 2024-11-06 这样的日期，而不是 %q\n", *date)
			return exitUnusable
		}
		// The day as seen at the configured sending hour.
		now = func() time.Time { return d.Add(9 * time.Hour) }
	}
	st, eng, status := openEngine(e, *db, *cfgPath)
	if st == nil {
		return status
	}
	defer st.Close()
	st.Now = now
	sc := &notify.Scheduler{Store: st, Config: eng.Config, Now: now}
	if *dryRun {
		pass, err := sc.Plan(e.ctx)
		if err != nil {
			fmt.Fprintln(e.stderr, "计算提醒失败：", plan.ErrorMessage(err))
			return 1
		}
		return printPass(e, st, pass)
	}
	pass, added, err := sc.Run(e.ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "提醒入队失败：", plan.ErrorMessage(err))
		return 1
	}
	ch := notify.NewChannels(eng.Config.Reminders.Email)
	ch.Now = now
	snd := &notify.Sender{Store: st, Channels: ch, Config: eng.Config.Reminders}
	res, err := snd.SendDue(e.ctx)
	fmt.Fprintf(e.stdout, "%s：应发提醒 %d 条，新入队 %d 条；本次发送成功 %d 条，待重试 %d 条，放弃 %d 条；无联系方式 %d 个单位次。\n",
		pass.Day.Format(time.DateOnly), len(pass.Messages), len(added), res.Sent, res.Retried, res.Failed, len(pass.Unaddressed))
	if err != nil {
		fmt.Fprintln(e.stderr, "发送中断：", plan.ErrorMessage(err))
		return 1
	}
	return 0
}

// printPass prints a dry run: every message with its channel and whether
// an earlier pass already enqueued it, then the units nobody can reach.
func printPass(e env, st *store.Store, pass *notify.Pass) int {
	var keys []string
	for _, m := range pass.Messages {
		keys = append(keys, m.Key)
	}
	done, err := st.EnqueuedKeys(e.ctx, keys)
	if err != nil {
		fmt.Fprintln(e.stderr, plan.ErrorMessage(err))
		return 1
	}
	fmt.Fprintf(e.stdout, "%s 的提醒（试运行，不入队、不发送）：%d 条\n", pass.Day.Format(time.DateOnly), len(pass.Messages))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "类型\t单位\t渠道\t地址\t标题\t状态")
	for _, m := range pass.Messages {
		state := "将发送"
		if done[m.Key] {
			state = "此前已入队"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", notify.KindLabel(m.Kind), pass.Units[m.UnitID], channelLabel(m.Channel), maskAddress(m.Address), m.Subject, state)
	}
	tw.Flush()
	for _, r := range pass.Unaddressed {
		fmt.Fprintf(e.stdout, "无法提醒：%s 未设置邮箱或群机器人（%s：%s）\n", r.UnitName, notify.KindLabel(r.Kind), r.Subject)
	}
	return 0
}

func channelLabel(c string) string {
	switch c {
	case notify.ChannelEmail:
		return "邮件"
	case store.WebhookWeCom:
		return "企业微信"
	case store.WebhookDingTalk:
		return "钉钉"
	}
	return c
}

// maskAddress hides a webhook's access token.
func maskAddress(a string) string {
	if u, err := url.Parse(a); err == nil && u.RawQuery != "" {
		return strings.SplitN(a, "?", 2)[0] + "?…"
	}
	return a
}

// startReminders runs the reminder loop of serve until the returned stop
// is called (or ctx ends); stop waits for a delivery under way.
func startReminders(ctx context.Context, st *store.Store, cfg supervise.Config, log *slog.Logger, out io.Writer) (stop func()) {
	if !cfg.Reminders.Enabled {
		fmt.Fprintln(out, "提醒未启用（reminders.enabled 为 false）。")
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		notify.Run(ctx, st, cfg, log)
	}()
	return func() { cancel(); wg.Wait() }
}
