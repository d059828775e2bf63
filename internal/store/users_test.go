package store

import (
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("正确的密码123")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=") {
		t.Fatalf("hash %q, %v", h, err)
	}
	if ok, err := CheckPassword(h, "正确的密码123"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := CheckPassword(h, "错误的密码123"); ok {
		t.Fatal("wrong password accepted")
	}
	if h2, _ := HashPassword("正确的密码123"); h2 == h {
		t.Fatal("no salt")
	}
	if _, err := CheckPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Fatal("foreign hash format accepted")
	}
}

func TestUsersAndSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		// Only admins create users; names are unique; roles are checked.
		admin := f.user(t, "管理员", plan.RoleAdmin, "", "")
		err := s.CreateUser(ctx, f.sup, &plan.User{Username: "x", Role: plan.RoleLeader, JurisdictionCode: "360112"}, "12345678")
		wantCode(t, err, plan.EForbidden)
		err = s.CreateUser(ctx, admin, &plan.User{Username: "人社局填报", Role: plan.RoleReporter, UnitID: f.repA.UnitID}, "12345678")
		wantCode(t, err, plan.EConflict)
		err = s.CreateUser(ctx, admin, &plan.User{Username: "y", Role: "mayor", JurisdictionCode: "360112"}, "12345678")
		wantCode(t, err, plan.EInvalid)
		err = s.CreateUser(ctx, admin, &plan.User{Username: "z", Role: plan.RoleReporter, JurisdictionCode: "360112"}, "12345678")
		wantCode(t, err, plan.EInvalid) // a reporter needs a unit
		err = s.CreateUser(ctx, admin, &plan.User{Username: "w", Role: plan.RoleLeader, JurisdictionCode: "360112"}, "short")
		wantCode(t, err, plan.EInvalid)
		if f.repA.JurisdictionCode != "360112" {
			t.Fatalf("jurisdiction not taken from the unit: %q", f.repA.JurisdictionCode)
		}

		u := must(s.Authenticate(ctx, "人社局填报", "密码-12345678"))(t)
		if u.ID != f.repA.ID || u.Role != plan.RoleReporter || u.UnitID != f.repA.UnitID {
			t.Fatalf("authenticated %+v", u)
		}
		_, err = s.Authenticate(ctx, "人社局填报", "wrong-password")
		wantCode(t, err, plan.EUnauthorized)
		_, err = s.Authenticate(ctx, "没有这个人", "whatever")
		wantCode(t, err, plan.EUnauthorized)

		// Five failures in a row lock the account, even for the right password.
		for i := 0; i < DefaultMaxLoginFailures; i++ {
			s.Authenticate(ctx, "区领导", "wrong-password")
		}
		_, err = s.Authenticate(ctx, "区领导", "密码-12345678")
		wantCode(t, err, plan.EUnauthorized)
		if !strings.Contains(plan.ErrorMessage(err), "锁定") {
			t.Fatalf("lock message: %s", plan.ErrorMessage(err))
		}
		s.Now = func() time.Time { return june3.Add(DefaultLockout + time.Minute) }
		must(s.Authenticate(ctx, "区领导", "密码-12345678"))(t)
		s.Now = func() time.Time { return june3 }

		// Sessions: only the token's hash is stored.
		token, sess := must2(s.CreateSession(ctx, f.repA.ID))(t)
		if len(token) < 40 || !sess.ExpiresAt.Equal(june3.Add(DefaultSessionTTL)) {
			t.Fatalf("session %q %+v", token, sess)
		}
		var n int
		if err := s.DB().QueryRow(conn{pg: s.postgres}.q("SELECT COUNT(*) FROM sessions WHERE token_hash = ?"), token).Scan(&n); err != nil || n != 0 {
			t.Fatalf("token stored in clear (%d, %v)", n, err)
		}
		_, who := must2(s.LookupSession(ctx, token))(t)
		if who.ID != f.repA.ID {
			t.Fatalf("session user %s", who.ID)
		}
		_, _, err = s.LookupSession(ctx, "forged")
		wantCode(t, err, plan.EUnauthorized)
		// Touching extends; past expiry it is gone.
		s.Now = func() time.Time { return june3.Add(DefaultSessionTTL - time.Minute) }
		if err := s.TouchSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		s.Now = func() time.Time { return june3.Add(DefaultSessionTTL + time.Minute) }
		must2(s.LookupSession(ctx, token))(t)
		s.Now = func() time.Time { return june3.Add(3 * DefaultSessionTTL) }
		_, _, err = s.LookupSession(ctx, token)
		wantCode(t, err, plan.EUnauthorized)
		wantCode(t, s.TouchSession(ctx, token), plan.EUnauthorized)
		if n := must(s.DeleteExpiredSessions(ctx))(t); n != 1 {
			t.Fatalf("expired sessions deleted: %d", n)
		}
		s.Now = func() time.Time { return june3 }
		token2, _ := must2(s.CreateSession(ctx, f.repA.ID))(t)
		if err := s.DeleteSession(ctx, token2); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.LookupSession(ctx, token2)
		wantCode(t, err, plan.EUnauthorized)
		// Disabling a user ends its sessions.
		token3, _ := must2(s.CreateSession(ctx, f.conB.ID))(t)
		if err := s.SetUserDisabled(ctx, admin, f.conB.ID, true); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.LookupSession(ctx, token3)
		wantCode(t, err, plan.EUnauthorized)
		_, err = s.Authenticate(ctx, "团区委填报", "密码-12345678")
		wantCode(t, err, plan.EUnauthorized)
		// A new password works, the old one not.
		if err := s.SetPassword(ctx, f.repA, f.repA.ID, "新密码-87654321"); err != nil {
			t.Fatal(err)
		}
		must(s.Authenticate(ctx, "人社局填报", "新密码-87654321"))(t)
		wantCode(t, s.SetPassword(ctx, f.repC, f.repA.ID, "别人的密码-1234"), plan.EForbidden)
		if rep := must(s.VerifyAudit(ctx))(t); rep.Break != nil {
			t.Fatal(rep.Break)
		}
	})
}

func TestUnitsAndJurisdictions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		u1 := must(s.EnsureUnit(ctx, f.sup, "360112", " 区教体局 "))(t)
		u2 := must(s.EnsureUnit(ctx, f.sup, "360112", "区教体局"))(t)
		if u1.ID != u2.ID || u1.Name != "区教体局" {
			t.Fatalf("find-or-create made two units: %+v %+v", u1, u2)
		}
		_, err := s.EnsureUnit(ctx, f.repA, "360112", "新单位")
		wantCode(t, err, plan.EForbidden)
		_, err = s.EnsureUnit(ctx, f.sup, "360112", "  ")
		wantCode(t, err, plan.EInvalid)
		_, err = s.EnsureJurisdiction(ctx, plan.SystemUser, plan.JurisdictionRecord{Code: "36A112"})
		wantCode(t, err, plan.EInvalid)
		j := must(s.GetJurisdiction(ctx, "360112"))(t)
		if j.Name != "南昌市新建区" || j.Level != plan.LevelCounty {
			t.Fatalf("jurisdiction from the plan: %+v", j)
		}
		units := must(s.ListUnits(ctx, "360112"))(t)
		var names []string
		for _, u := range units {
			names = append(names, u.Name)
		}
		// The four units the plan names, plus 区教体局 (sort order is the
		// database's collation, so it is not compared).
		if got := strings.Join(names, " "); len(units) != 5 || !strings.Contains(got, "区教体局") {
			t.Fatalf("units: %s", got)
		}
		mine := must(s.ListProjects(ctx, ProjectFilter{UnitID: f.repA.UnitID}))(t)
		if len(mine) != 1 || mine[0].ID != f.p1.ID {
			t.Fatalf("unit A's projects: %d", len(mine))
		}
	})
}
