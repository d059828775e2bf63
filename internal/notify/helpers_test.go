package notify

import (
	"bufio"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/internal/docimport"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// smtpServer is a small SMTP server for the tests: it speaks enough of
// RFC 5321 for net/smtp (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and
// keeps every message it accepted. failData makes it refuse DATA with a
// temporary error.
type smtpServer struct {
	ln net.Listener

	mu       sync.Mutex
	msgs     []*mail.Message
	rcpts    [][]string
	failData bool
}

func newSMTPServer(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 test.local ESMTP")
	var rcpts []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-test.local")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			rcpts = nil
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			rcpts = append(rcpts, strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<>"))
			say("250 OK")
		case cmd == "DATA":
			s.mu.Lock()
			fail := s.failData
			s.mu.Unlock()
			if fail {
				say("451 try again later")
				continue
			}
			say("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			m, err := mail.ReadMessage(strings.NewReader(data.String()))
			if err != nil {
				say("554 bad message")
				continue
			}
			s.mu.Lock()
			s.msgs, s.rcpts = append(s.msgs, m), append(s.rcpts, rcpts)
			s.mu.Unlock()
			say("250 queued")
		case cmd == "RSET", cmd == "NOOP":
			say("250 OK")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

// received returns the accepted messages' Message-IDs, decoded subjects
// and bodies.
func (s *smtpServer) received(t *testing.T) (ids, subjects, bodies []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	dec := new(mime.WordDecoder)
	for _, m := range s.msgs {
		ids = append(ids, m.Header.Get("Message-ID"))
		subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		subjects = append(subjects, subj)
		raw, _ := io.ReadAll(m.Body)
		body, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
		if err != nil {
			t.Fatalf("body is not base64: %v", err)
		}
		bodies = append(bodies, strings.ReplaceAll(string(body), "\r\n", "\n"))
	}
	return ids, subjects, bodies
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func cst(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, plan.Shanghai)
}

// world is a store with the 新建区 seed plan published, on a clock.
type world struct {
	st    *store.Store
	dsn   string
	clock *clock
	admin *plan.User
}

func openWorld(t *testing.T) *world {
	t.Helper()
	store.PasswordParams.Memory, store.PasswordParams.Time = 1024, 1
	ctx := context.Background()
	w := &world{dsn: filepath.Join(t.TempDir(), "notify.db"), clock: &clock{t: cst(2024, time.March, 1, 9)}}
	w.reopen(t)
	raw, err := os.ReadFile("../../testdata/seeds/xinjian-2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := docimport.Import("xinjian-2024.txt", raw)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := w.st.SaveDraftPlan(ctx, plan.SystemUser, doc, string(raw))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.PublishPlan(ctx, plan.SystemUser, pv.ID); err != nil {
		t.Fatal(err)
	}
	w.admin = &plan.User{Username: "admin", Role: plan.RoleAdmin}
	if err := w.st.CreateUser(ctx, plan.SystemUser, w.admin, "admin-password-1"); err != nil {
		t.Fatal(err)
	}
	return w
}

// reopen opens the database again, as a restarted process would.
func (w *world) reopen(t *testing.T) {
	t.Helper()
	if w.st != nil {
		w.st.Close()
	}
	st, err := store.Open(context.Background(), w.dsn)
	if err != nil {
		t.Fatal(err)
	}
	st.Now = w.clock.Now
	w.st = st
	t.Cleanup(func() { st.Close() })
}

func (w *world) unit(t *testing.T, name string) string {
	t.Helper()
	u, err := w.st.FindUnit(context.Background(), "360112", name)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
