package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
)

func TestPasswordPolicy(t *testing.T) {
	strict := PasswordPolicy{MinLength: 8, MinClasses: 3}
	for _, c := range []struct {
		password string
		ok       bool
	}{
		{"Abc-1234", true},
		{"abcdefg1!", true},
		{"民生实事Ab12", true},  // Han characters count as "other"
		{"Ab1-", false},     // too short
		{"abcdefgh", false}, // one class
		{"abcd1234", false}, // two classes
		{"ABCD-EFGH", false},
	} {
		err := strict.Check(c.password)
		if (err == nil) != c.ok {
			t.Errorf("Check(%q) = %v, want ok %v", c.password, err, c.ok)
		}
		if err != nil && (plan.ErrorCode(err) != plan.EInvalid || !strings.Contains(plan.ErrorMessage(err), "密码")) {
			t.Errorf("Check(%q): %v is not a Chinese field error", c.password, err)
		}
	}
}

// TestPasswordLifecycle: an account an administrator made must change its
// password; the last five passwords cannot come back; a reset by the
// administrator ends the user's sessions and obliges a change again; a
// password past its age obliges a change at login and on every session.
func TestPasswordLifecycle(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		clock := june3
		s.Now = func() time.Time { return clock }
		admin := f.user(t, "管理员", plan.RoleAdmin, "", "")
		s.Passwords = PasswordPolicy{MinLength: 8, MinClasses: 3, History: 5, MaxAge: 90 * 24 * time.Hour}

		wantCode(t, s.CreateUser(ctx, admin, &plan.User{Username: "弱", Role: plan.RoleLeader, JurisdictionCode: "360112"}, "password1"), plan.EInvalid)
		u := &plan.User{Username: "新领导", Role: plan.RoleLeader, JurisdictionCode: "360112"}
		must(0, s.CreateUser(ctx, admin, u, "Start-pass-0"))(t)
		got := must(s.Authenticate(ctx, "新领导", "Start-pass-0"))(t)
		if !got.MustChangePassword {
			t.Fatal("an account an administrator made need not change its password")
		}

		wantCode(t, s.ChangePassword(ctx, got, "wrong", "Next-pass-1"), plan.EInvalid)
		passwords := []string{"Start-pass-0"}
		for i := 1; i <= 6; i++ {
			clock = clock.Add(time.Hour)
			next := "Next-pass-" + string(rune('0'+i))
			must(0, s.ChangePassword(ctx, got, passwords[len(passwords)-1], next))(t)
			passwords = append(passwords, next)
		}
		cur := passwords[len(passwords)-1]
		// The current one and the four before it are refused; the sixth
		// back is allowed again.
		for _, old := range passwords[len(passwords)-5:] {
			err := s.ChangePassword(ctx, got, cur, old)
			wantCode(t, err, plan.EInvalid)
			if !strings.Contains(plan.ErrorMessage(err), "最近 5 次") {
				t.Errorf("reuse of %s: %s", old, plan.ErrorMessage(err))
			}
		}
		after := must(s.Authenticate(ctx, "新领导", cur))(t)
		if after.MustChangePassword {
			t.Error("a password the user chose itself must still be changed")
		}

		// A reset by the administrator: sessions end, a change is due.
		token, _ := must2(s.CreateSession(ctx, u.ID))(t)
		must(0, s.SetPassword(ctx, admin, u.ID, "Reset-pass-9"))(t)
		if _, _, err := s.LookupSession(ctx, token); plan.ErrorCode(err) != plan.EUnauthorized {
			t.Errorf("session after a reset: %v", err)
		}
		if !must(s.Authenticate(ctx, "新领导", "Reset-pass-9"))(t).MustChangePassword {
			t.Error("after an administrator's reset no change is due")
		}
		must(0, s.ChangePassword(ctx, after, "Reset-pass-9", "Own-pass-10"))(t)

		// Ninety days on, the password has expired: at login and on a
		// session already open.
		token, _ = must2(s.CreateSession(ctx, u.ID))(t)
		clock = clock.Add(91 * 24 * time.Hour)
		if !must(s.Authenticate(ctx, "新领导", "Own-pass-10"))(t).MustChangePassword {
			t.Error("an expired password need not be changed at login")
		}
		token, _ = must2(s.CreateSession(ctx, u.ID))(t)
		if _, su, err := s.LookupSession(ctx, token); err != nil || !su.MustChangePassword {
			t.Errorf("expired password on a session: %v %+v", err, su)
		}
	})
}

// TestLoginsAudited: a success and a failure each leave an audit row
// naming the user.
func TestLoginsAudited(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		seq, _ := must2(s.AuditHead(f.ctx))(t)
		s.Authenticate(f.ctx, "区领导", "wrong-password")
		must(s.Authenticate(f.ctx, "区领导", "密码-12345678"))(t)
		var actions []string
		for _, r := range must(s.AuditRows(f.ctx, seq+1, 0))(t) {
			if r.EntityID != f.leader.ID {
				t.Errorf("audit row %s names %s", r.Action, r.EntityID)
			}
			actions = append(actions, r.Action)
		}
		if strings.Join(actions, ",") != "user.login_failed,user.login" {
			t.Errorf("audit of a failure and a success: %v", actions)
		}
	})
}

// TestAuditAnchors: the chain cut back and its head rewritten passes
// VerifyAudit (a consistent, shorter chain) but not the anchors written
// before.
func TestAuditAnchors(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		dir := t.TempDir()
		path := must(s.WriteAnchor(f.ctx, dir))(t)
		if again := must(s.WriteAnchor(f.ctx, dir))(t); again != "" || !strings.HasSuffix(path, "audit-anchor-2024-06-03.txt") {
			t.Fatalf("anchors %q then %q", path, again)
		}
		anchors := must(ReadAnchors(dir))(t)
		if brk := must(s.CheckAnchors(f.ctx, anchors))(t); brk != nil {
			t.Fatalf("untouched chain: %v", brk)
		}
		// Cut the last row and point the head at the one before.
		seq, _ := must2(s.AuditHead(f.ctx))(t)
		prev := must(s.AuditRows(f.ctx, seq-1, seq-1))(t)[0]
		w := conn{x: s.WriteDB(), ctx: f.ctx, pg: s.Postgres()}
		if _, err := w.exec("DELETE FROM audit_log WHERE seq = ?", seq); err != nil {
			t.Fatal(err)
		}
		if _, err := w.exec("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", prev.Seq, prev.Hash); err != nil {
			t.Fatal(err)
		}
		if rep := must(s.VerifyAudit(f.ctx))(t); rep.Break != nil {
			t.Fatalf("the cut chain should verify on its own: %v", rep.Break)
		}
		brk := must(s.CheckAnchors(f.ctx, anchors))(t)
		if brk == nil || brk.Seq != seq || !strings.Contains(brk.Message, "不存在") {
			t.Errorf("anchors against a cut chain: %+v", brk)
		}
		os.WriteFile(filepath.Join(dir, "audit-anchor-2024-06-04.txt"), []byte("garbage\n"), 0o600)
		_, err := ReadAnchors(dir)
		wantCode(t, err, plan.EInvalid)
	})
}
