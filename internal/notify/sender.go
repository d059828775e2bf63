package notify

import (
	"context"
	"log/slog"
	"time"

	"minsheng/internal/metrics"
	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

// Lease is how long a claimed message is the sender's before another
// sender may take it: longer than any one delivery (the channels time out
// within a minute).
const Lease = 2 * time.Minute

// Sender delivers what is due in the outbox.
type Sender struct {
	Store    *store.Store
	Channels interface {
		Deliver(ctx context.Context, m store.OutboxMessage) error
	}
	Config supervise.Reminders
	Log    *slog.Logger
	// beforeMark runs after the channel took a message and before it is
	// marked sent; tests stop the sender there.
	beforeMark func(m store.OutboxMessage) error
}

// Result counts what one sending round did.
type Result struct {
	Sent, Retried, Failed int
}

// backoff is the wait before attempt n+1: RetrySeconds, doubling, at most
// six hours.
func (s *Sender) backoff(attempts int) time.Duration {
	d := time.Duration(s.Config.RetrySeconds) * time.Second
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// SendDue delivers the messages that are due, a batch at a time, until
// none is left or ctx ends.
func (s *Sender) SendDue(ctx context.Context) (Result, error) {
	var res Result
	for ctx.Err() == nil {
		batch, err := s.Store.ClaimOutbox(ctx, Lease, 20)
		if err != nil || len(batch) == 0 {
			return res, err
		}
		for _, m := range batch {
			if err := s.deliver(ctx, m, &res); err != nil {
				return res, err
			}
		}
	}
	return res, ctx.Err()
}

func (s *Sender) deliver(ctx context.Context, m store.OutboxMessage, res *Result) error {
	dctx, cancel := context.WithTimeout(ctx, time.Minute)
	err := s.Channels.Deliver(dctx, m)
	cancel()
	if err != nil {
		final := m.Attempts >= s.Config.MaxAttempts
		if final {
			res.Failed++
		} else {
			res.Retried++
		}
		if s.Log != nil {
			s.Log.Warn("reminder not delivered", "id", m.ID, "channel", m.Channel, "attempt", m.Attempts, "final", final, "err", err)
		}
		return s.Store.MarkAttemptFailed(ctx, m.ID, s.Store.Now().Add(s.backoff(m.Attempts)), err.Error(), final)
	}
	if s.beforeMark != nil {
		if err := s.beforeMark(m); err != nil {
			return err
		}
	}
	res.Sent++
	metrics.RemindersSent.WithLabelValues(m.Channel).Inc()
	return s.Store.MarkSent(ctx, m.ID)
}

// Run is the reminder loop of serve: every ScanMinutes, from SendHour on,
// it enqueues the day's reminders; every SendSeconds it sends what is due.
// It returns when ctx ends.
func Run(ctx context.Context, st *store.Store, cfg supervise.Config, log *slog.Logger) {
	sc := &Scheduler{Store: st, Config: cfg, Now: st.Now}
	ch := NewChannels(cfg.Reminders.Email)
	ch.Now = st.Now
	snd := &Sender{Store: st, Channels: ch, Config: cfg.Reminders, Log: log}
	scan := time.Duration(cfg.Reminders.ScanMinutes) * time.Minute
	var lastScan time.Time
	tick := time.NewTicker(time.Duration(cfg.Reminders.SendSeconds) * time.Second)
	defer tick.Stop()
	for {
		now := st.Now()
		if now.Sub(lastScan) >= scan && now.In(plan.Shanghai).Hour() >= cfg.Reminders.SendHour {
			lastScan = now
			if _, added, err := sc.Run(ctx); err != nil {
				log.Error("reminders: planning failed", "err", err)
			} else if len(added) > 0 {
				log.Info("reminders enqueued", "count", len(added))
			}
		}
		if r, err := snd.SendDue(ctx); err != nil && ctx.Err() == nil {
			log.Error("reminders: sending failed", "err", err)
		} else if r.Sent+r.Retried+r.Failed > 0 {
			log.Info("reminders sent", "sent", r.Sent, "retry", r.Retried, "failed", r.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
