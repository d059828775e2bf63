package notify

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

// remindWorld has the units of 新建区 with e-mail addresses (so every
// reminder is an e-mail to the test SMTP server) and the clock at the
// first 催报 of October's reports.
func remindWorld(t *testing.T) (*world, *smtpServer, supervise.Config) {
	w := openWorld(t)
	ctx := context.Background()
	srv := newSMTPServer(t)
	for _, name := range []string{"区人社局", "区民政局", "区住建局", "区教体局"} {
		if _, err := w.st.SetUnitContact(ctx, w.admin, w.unit(t, name), store.ContactInput{Email: "u" + w.unit(t, name) + "@xinjian.gov.cn"}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := supervise.DefaultConfig()
	cfg.Reminders.Email = supervise.SMTP{Host: "127.0.0.1", Port: srv.port(), From: "ducha@xinjian.gov.cn", TLS: "none"}
	cfg.Reminders.MaxAttempts, cfg.Reminders.RetrySeconds = 3, 60
	w.clock.Set(cst(2024, time.November, 6, 9))
	return w, srv, cfg
}

func newSender(w *world, cfg supervise.Config) *Sender {
	ch := NewChannels(cfg.Reminders.Email)
	ch.Now = w.clock.Now
	return &Sender{Store: w.st, Channels: ch, Config: cfg.Reminders}
}

func outboxStates(t *testing.T, w *world) map[string]int {
	all, err := w.st.ListOutbox(context.Background(), w.admin, store.OutboxFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, m := range all {
		n[m.State]++
	}
	return n
}

// TestOutboxAcrossRestarts: reminders enqueued and then the process stops
// before sending are sent after the restart, each once; running the
// scheduler again on the same day adds nothing. A process that stops
// after the server took a message but before marking it sent sends it
// again after the lease — with the same Message-ID, so that the receiver
// can drop the copy — and every other message of the batch it had claimed
// once.
func TestOutboxAcrossRestarts(t *testing.T) {
	w, srv, cfg := remindWorld(t)
	ctx := context.Background()
	sc := &Scheduler{Store: w.st, Config: cfg, Now: w.clock.Now}
	_, added, err := sc.Run(ctx)
	if err != nil || len(added) != 4 {
		t.Fatalf("enqueued %d: %v", len(added), err)
	}

	// Stop between enqueue and send: a new process finds them all.
	w.reopen(t)
	sc.Store = w.st
	if _, again, err := sc.Run(ctx); err != nil || len(again) != 0 {
		t.Fatalf("the same day's pass enqueued %d again: %v", len(again), err)
	}
	res, err := newSender(w, cfg).SendDue(ctx)
	if err != nil || res.Sent != 4 {
		t.Fatalf("sent %+v: %v", res, err)
	}
	ids, _, _ := srv.received(t)
	if len(ids) != 4 || len(unique(ids)) != 4 {
		t.Fatalf("received %v", ids)
	}
	if res, _ := newSender(w, cfg).SendDue(ctx); res.Sent != 0 {
		t.Errorf("sent again: %+v", res)
	}

	// The next 催报 (the 9th): the process stops right after the server
	// took the first message.
	w.clock.Set(cst(2024, time.November, 9, 9))
	if _, added, err = sc.Run(ctx); err != nil || len(added) != 4 {
		t.Fatalf("second pass enqueued %d: %v", len(added), err)
	}
	errStop := errors.New("killed")
	crashing := newSender(w, cfg)
	var taken store.OutboxMessage
	crashing.beforeMark = func(m store.OutboxMessage) error { taken = m; return errStop }
	if _, err := crashing.SendDue(ctx); !errors.Is(err, errStop) {
		t.Fatalf("the crash did not stop the sender: %v", err)
	}
	w.reopen(t)
	// Restarted at once: the batch the dead sender claimed (all four) is
	// leased to it and waits; nothing is lost.
	if res, err := newSender(w, cfg).SendDue(ctx); err != nil || res.Sent != 0 {
		t.Fatalf("within the lease: %+v %v", res, err)
	}
	if n := outboxStates(t, w); n[store.OutboxPending] != 4 || n[store.OutboxSent] != 4 {
		t.Fatalf("outbox after restart: %v", n)
	}
	w.clock.Set(w.clock.Now().Add(Lease + time.Second))
	if res, err := newSender(w, cfg).SendDue(ctx); err != nil || res.Sent != 4 {
		t.Fatalf("after the lease: %+v %v", res, err)
	}
	if n := outboxStates(t, w); n[store.OutboxSent] != 8 || len(n) != 1 {
		t.Fatalf("outbox at the end: %v", n)
	}
	ids, _, _ = srv.received(t)
	count := map[string]int{}
	for _, id := range ids {
		count[id]++
	}
	for id, n := range count {
		want := 1
		if id == MessageID(taken) {
			want = 2 // at least once: the same message, the same ID
		}
		if n != want {
			t.Errorf("Message-ID %s received %d times, want %d", id, n, want)
		}
	}
	if len(count) != 8 {
		t.Errorf("distinct messages received: %d, want 8", len(count))
	}
}

// TestOutboxRetries: a server that refuses is tried again after the
// backoff (60 s, then 120 s), and after max_attempts the message is
// failed with the server's answer kept for the outbox page; a robot that
// recovers gets the message on the next try.
func TestOutboxRetries(t *testing.T) {
	w, srv, cfg := remindWorld(t)
	ctx := context.Background()
	srv.failData = true
	sc := &Scheduler{Store: w.st, Config: cfg, Now: w.clock.Now}
	if _, _, err := sc.Run(ctx); err != nil {
		t.Fatal(err)
	}
	snd := newSender(w, cfg)
	start := w.clock.Now()
	for i, at := range []time.Duration{0, 59 * time.Second, 60 * time.Second, 179 * time.Second, 180 * time.Second} {
		w.clock.Set(start.Add(at))
		res, err := snd.SendDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []Result{{Retried: 4}, {}, {Retried: 4}, {}, {Failed: 4}}[i]
		if res != want {
			t.Errorf("at +%s: %+v, want %+v", at, res, want)
		}
	}
	all, _ := w.st.ListOutbox(ctx, w.admin, store.OutboxFilter{State: store.OutboxFailed})
	if len(all) != 4 || all[0].Attempts != 3 || all[0].LastError == "" {
		t.Fatalf("failed: %+v", all)
	}

	// A robot that fails once, then takes it.
	var mu sync.Mutex
	calls := 0
	ts := robot(t, func(*http.Request, string) {}, "")
	ts.Config.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			http.Error(rw, "busy", http.StatusServiceUnavailable)
			return
		}
		rw.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	})
	added, err := w.st.Enqueue(ctx, []store.OutboxMessage{{Key: "k1", Channel: "wecom", Address: ts.URL + "?key=x", JurisdictionCode: "360112", Kind: KindReportLate, Subject: "s", Body: "b"}})
	if err != nil || len(added) != 1 {
		t.Fatal(err)
	}
	if res, _ := snd.SendDue(ctx); res.Retried != 1 {
		t.Errorf("first try: %+v", res)
	}
	w.clock.Set(w.clock.Now().Add(time.Minute))
	if res, _ := snd.SendDue(ctx); res.Sent != 1 {
		t.Errorf("second try: %+v", res)
	}
}

func unique(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}
