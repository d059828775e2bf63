package store

import (
	"testing"

	"minsheng/internal/plan"
)

// A write confined to a jurisdiction's year moves that year's data
// version and not the version of everything (so other plans' public pages
// stay cached); a write no public page shows moves neither; any other
// write moves the version of everything, which every public page depends
// on.
func TestDataVersions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx, may := f.ctx, period("2024-05")
		var commentID string
		cases := []struct {
			name  string
			moves string // "year": 360112/2024's version only; "all": everything's; "": neither
			write func() error
		}{
			{"save report", "year", func() error {
				_, _, err := s.SaveReport(ctx, f.repA, f.p1.ID, may, f.fullReport(0, "0.5", "96", "100"))
				return err
			}},
			{"resident comment, pending", "", func() error {
				c, err := s.AddComment(ctx, f.p1.ID, CommentInput{Body: "路修得好"})
				if c != nil {
					commentID = c.ID
				}
				return err
			}},
			{"moderate comment", "year", func() error {
				_, err := s.ModerateComment(ctx, f.sup, commentID, true, "")
				return err
			}},
			{"satisfaction vote", "year", func() error {
				return s.Vote(ctx, f.p2.ID, VoteInput{Choice: plan.RatingSatisfied, Device: "dev1"})
			}},
			{"login", "", func() error {
				_, _, err := s.CreateSession(ctx, f.repA.ID)
				return err
			}},
			{"new user", "", func() error {
				f.user(t, "新用户", plan.RoleLeader, "", "360112")
				return nil
			}},
			{"jurisdiction", "all", func() error {
				_, err := s.EnsureJurisdiction(ctx, plan.SystemUser, plan.JurisdictionRecord{Code: "360111", Name: "南昌市青山湖区", Level: plan.LevelCounty})
				return err
			}},
		}
		for _, c := range cases {
			before := must(s.PlanVersion(ctx, f.pv.ID))(t)
			if err := c.write(); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			after := must(s.PlanVersion(ctx, f.pv.ID))(t)
			head, _, err := s.AuditHead(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := before
			switch c.moves {
			case "year":
				want.Scope = head
			case "all":
				want.All = head
			}
			if after.All != want.All || after.Scope != want.Scope {
				t.Errorf("%s: version %+v → %+v, want %+v (audit head %d)", c.name, before, after, want, head)
			}
			pv, planID, err := s.ProjectVersion(ctx, f.p3.ID)
			if err != nil || pv != after || planID != f.pv.ID {
				t.Errorf("%s: project version %+v of plan %q (%v), plan version %+v", c.name, pv, planID, err, after)
			}
			if all := must(s.DataVersion(ctx))(t); all.All != after.All || all.Scope != 0 {
				t.Errorf("%s: DataVersion %+v, plan version %+v", c.name, all, after)
			}
		}
		if v, planID, err := s.ProjectVersion(ctx, "prj_none"); err != nil || planID != "" || v.Scope != 0 || v.All == 0 {
			t.Errorf("unknown project: %+v %q %v", v, planID, err)
		}
	})
}
