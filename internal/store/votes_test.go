package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/internal/docimport"
	"minsheng/internal/plan"
)

// seedCandidates are the fifteen projects of 新建区's 2024 plan as
// proposals: name, content and lead unit as a unit would propose them.
// Five of them were chosen by the district's deputies ([区人大票决项目]).
func seedCandidates(t *testing.T) (all []plan.Candidate, congress []string) {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/seeds/xinjian-2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := docimport.Import("xinjian-2024.txt", raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range doc.Projects {
		unit := "区发改委"
		if len(p.LeadUnits) > 0 {
			unit = p.LeadUnits[0]
		}
		all = append(all, plan.Candidate{Name: p.Title, Content: p.Text, UnitName: unit, Investment: p.Investment,
			Reason: "群众反映强烈，纳入年度民生实事"})
		if p.Tags != nil && plan.HasCongressTag(p.Tags) {
			congress = append(congress, p.Title)
		}
	}
	if len(all) != 15 || len(congress) < 5 {
		t.Fatalf("seed: %d projects, %d 票决 %v", len(all), len(congress), congress)
	}
	return all, congress
}

// voteFixture is the fixture with a 2025 round of 新建区 whose shortlist
// is the seed's projects, K and seats set, voting open, and deputies.
type voteFixture struct {
	*fixture
	round    *plan.Round
	short    []plan.Candidate
	deputies []*plan.User
}

func newVoteFixture(t *testing.T, s *Store, shortlist, k, seats, deputies int) *voteFixture {
	t.Helper()
	f := &voteFixture{fixture: newFixture(t, s)}
	ctx := f.ctx
	f.round = must(s.CreateRound(ctx, f.sup, "360112", 2025, ""))(t)
	cands, _ := seedCandidates(t)
	for _, c := range cands[:shortlist] {
		cd := must(s.ProposeCandidate(ctx, f.repA, f.round.ID, c))(t)
		f.short = append(f.short, *must(s.ModerateCandidate(ctx, f.sup, cd.ID, CandidateShortlist, ""))(t))
	}
	f.round = must(s.SetRoundSettings(ctx, f.sup, f.round.ID, RoundSettings{Version: f.round.Version, MaxChoices: k, Seats: seats}))(t)
	f.round = must(s.OpenVoting(ctx, f.sup, f.round.ID, f.round.Version))(t)
	for i := range deputies {
		f.deputies = append(f.deputies, f.user(t, fmt.Sprintf("代表%02d", i+1), plan.RoleDeputy, "", "360112"))
	}
	return f
}

func TestVoteRoundLifecycle(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		cands, congress := seedCandidates(t)

		if _, err := s.CreateRound(ctx, f.repA, "360112", 2025, ""); plan.ErrorCode(err) != plan.EForbidden {
			t.Fatalf("reporter creates a round: %v", err)
		}
		rd := must(s.CreateRound(ctx, f.sup, "360112", 2025, ""))(t)
		if rd.Title != "南昌市新建区2025年民生实事项目人大代表票决" || rd.State != plan.RoundProposing {
			t.Fatalf("round: %+v", rd)
		}
		_, err := s.CreateRound(ctx, f.sup, "360112", 2025, "又一轮")
		wantCode(t, err, plan.EConflict)

		// Units propose the seed's projects; a resident proposes one more
		// and a duplicate; a bad proposal changes nothing.
		var ids []string
		for _, c := range cands {
			ids = append(ids, must(s.ProposeCandidate(ctx, f.repA, rd.ID, c))(t).ID)
		}
		_, err = s.ProposeCandidate(ctx, f.deputy, rd.ID, cands[0])
		wantCode(t, err, plan.EForbidden)
		_, err = s.ProposePublic(ctx, rd.ID, plan.Candidate{Name: "", Content: "x", UnitName: "区民政局", Reason: "y"})
		if pe, _ := err.(*plan.Error); pe == nil || pe.Field != "name" {
			t.Fatalf("empty name: %v", err)
		}
		pub := must(s.ProposePublic(ctx, rd.ID, plan.Candidate{Name: "建设社区老年食堂", Content: "在长堎街道新建社区老年食堂3个",
			UnitName: "区民政局", Reason: "老年人就餐难", Investment: dec("300")}))(t)
		dup := must(s.ProposePublic(ctx, rd.ID, plan.Candidate{Name: "加强井盖整治", Content: "井盖老是响", UnitName: "区城管执法局", Reason: "夜里吵"}))(t)
		if pub.State != plan.CandidatePending || pub.Source != plan.SourcePublic || pub.ProposedBy != "" {
			t.Fatalf("public proposal: %+v", pub)
		}
		// Before moderation only the supervisor sees public proposals.
		if got := must(s.ListCandidates(ctx, nil, rd.ID))(t); len(got) != 15 {
			t.Fatalf("anonymous sees %d candidates, want 15", len(got))
		}
		if got := must(s.ListCandidates(ctx, f.sup, rd.ID))(t); len(got) != 17 {
			t.Fatalf("supervisor sees %d candidates, want 17", len(got))
		}
		must(s.ModerateCandidate(ctx, f.sup, pub.ID, CandidateApprove, ""))(t)
		_, err = s.ModerateCandidate(ctx, f.repA, pub.ID, CandidateShortlist, "")
		wantCode(t, err, plan.EForbidden)
		_, err = s.ModerateCandidate(ctx, f.sup, dup.ID, CandidateMerge, dup.ID)
		wantCode(t, err, plan.EInvalid)
		merged := must(s.ModerateCandidate(ctx, f.sup, dup.ID, CandidateMerge, ids[13]))(t)
		if merged.State != plan.CandidateMerged || merged.MergedInto != ids[13] {
			t.Fatalf("merged: %+v", merged)
		}
		_, err = s.ModerateCandidate(ctx, f.sup, pub.ID, "delete", "")
		wantCode(t, err, plan.EInvalid)

		// Shortlist eight: the five 票决 projects, two others and the
		// resident's; K = 5, five winners.
		var shortlist []string
		for i, c := range cands {
			if slices.Contains(congress[:5], c.Name) || i < 2 {
				shortlist = append(shortlist, ids[i])
			}
		}
		shortlist = append(shortlist, pub.ID)
		for _, id := range shortlist {
			must(s.ModerateCandidate(ctx, f.sup, id, CandidateShortlist, ""))(t)
		}
		_, err = s.OpenVoting(ctx, f.sup, rd.ID, rd.Version+1)
		wantCode(t, err, plan.EConflict) // a version the supervisor cannot have read
		_, err = s.SetRoundSettings(ctx, f.sup, rd.ID, RoundSettings{Version: rd.Version, MaxChoices: 0, Seats: 5})
		if pe, _ := err.(*plan.Error); pe == nil || pe.Field != "max_choices" {
			t.Fatalf("K = 0: %v", err)
		}
		rd = must(s.SetRoundSettings(ctx, f.sup, rd.ID, RoundSettings{Version: rd.Version, MaxChoices: 9, Seats: 5}))(t)
		_, err = s.OpenVoting(ctx, f.sup, rd.ID, rd.Version)
		if pe, _ := err.(*plan.Error); pe == nil || pe.Field != "max_choices" {
			t.Fatalf("K above the shortlist: %v", err)
		}
		rd = must(s.SetRoundSettings(ctx, f.sup, rd.ID, RoundSettings{Version: rd.Version, MaxChoices: 5, Seats: 5}))(t)
		wantCode(t, s.CastBallot(ctx, f.deputy, rd.ID, nil), plan.EConflict) // not open yet
		rd = must(s.OpenVoting(ctx, f.sup, rd.ID, rd.Version))(t)
		_, err = s.ProposeCandidate(ctx, f.repA, rd.ID, cands[0])
		wantCode(t, err, plan.EConflict)

		// Nine deputies: each votes for the five 票决 projects but one
		// swaps in a non-票决 candidate, so the count is known.
		congressIDs := shortlist[:0:0]
		for i, c := range cands {
			if slices.Contains(congress[:5], c.Name) && slices.Contains(shortlist, ids[i]) {
				congressIDs = append(congressIDs, ids[i])
			}
		}
		deputies := []*plan.User{f.deputy}
		for i := range 8 {
			deputies = append(deputies, f.user(t, fmt.Sprintf("代表%d", i), plan.RoleDeputy, "", "360112"))
		}
		for i, d := range deputies {
			choice := slices.Clone(congressIDs)
			choice[i%5] = pub.ID
			if i == 8 {
				choice = nil // a blank ballot
			}
			if err := s.CastBallot(ctx, d, rd.ID, choice); err != nil {
				t.Fatalf("deputy %d: %v", i, err)
			}
		}
		wantCode(t, s.CastBallot(ctx, f.deputy, rd.ID, congressIDs[:1]), plan.EConflict)
		wantCode(t, s.CastBallot(ctx, f.leader, rd.ID, congressIDs[:1]), plan.EForbidden)
		wantCode(t, s.CastBallot(ctx, f.user(t, "代表X", plan.RoleDeputy, "", "360112"), rd.ID, shortlist[:6]), plan.EInvalid)
		if voted, all, err := s.Turnout(ctx, rd.ID); err != nil || voted != 9 || all != 10 {
			t.Fatalf("turnout %d/%d %v", voted, all, err)
		}
		_, _, err = s.RoundBallots(ctx, rd.ID)
		wantCode(t, err, plan.EConflict) // no ballot is shown while voting runs

		rd = must(s.CloseRound(ctx, f.sup, rd.ID, rd.Version))(t)
		res := rd.Result
		if res.Ballots != 9 || res.Blank != 1 || rd.BallotsHash != res.BallotsHash {
			t.Fatalf("result: %+v", res)
		}
		// Each 票决 candidate: 8 voters minus the one who swapped it out
		// (i%5, for i < 8: candidates 0–2 twice, 3–4 once); the resident's
		// 8 votes.
		want := map[string]int{pub.ID: 8}
		for j, id := range congressIDs {
			want[id] = 8 - []int{2, 2, 2, 1, 1}[j]
		}
		var winners []string
		for _, e := range res.Candidates {
			if e.Votes != want[e.CandidateID] {
				t.Errorf("%s: %d votes, want %d", e.Name, e.Votes, want[e.CandidateID])
			}
			if e.Elected {
				winners = append(winners, e.CandidateID)
			}
		}
		if len(winners) != 5 || !slices.Contains(winners, pub.ID) || !slices.Contains(winners, congressIDs[3]) || !slices.Contains(winners, congressIDs[4]) {
			t.Fatalf("winners %v", winners)
		}
		// Reproducible: the stored ballots count to the stored result.
		bs, short, err := s.RoundBallots(ctx, rd.ID)
		if err != nil {
			t.Fatal(err)
		}
		again, err := plan.Tally(short, bs, rd.Seats)
		if err != nil || fmt.Sprint(again) != fmt.Sprint(res) || plan.BallotsDigest(bs) != rd.BallotsHash {
			t.Fatalf("recount differs:\n%+v\n%+v", again, res)
		}

		// Adoption: the 2025 plan does not exist yet, so the winners make
		// version 1 as a draft; a second adoption is refused.
		_, _, err = s.AdoptRound(ctx, f.deputy, rd.ID, rd.Version)
		wantCode(t, err, plan.EForbidden)
		rd2, pv, err := s.AdoptRound(ctx, f.sup, rd.ID, rd.Version)
		if err != nil {
			t.Fatal(err)
		}
		if rd2.State != plan.RoundAdopted || rd2.PlanID != pv.ID || pv.Version != 1 || pv.State != plan.PlanDraft || len(pv.Document.Projects) != 5 {
			t.Fatalf("adopted: %+v %+v", rd2, pv)
		}
		_, _, err = s.AdoptRound(ctx, f.sup, rd.ID, rd2.Version)
		wantCode(t, err, plan.EConflict)
		for _, p := range pv.Document.Projects {
			if !slices.Equal(p.Tags, []string{plan.CongressTag}) || len(p.LeadUnits) != 1 {
				t.Fatalf("adopted project: %+v", p)
			}
		}
		must(s.PublishPlan(ctx, f.sup, pv.ID))(t)
		ps := must(s.ListProjects(ctx, ProjectFilter{PlanID: pv.ID}))(t)
		if len(ps) != 5 || !ps[0].CongressVoted() || ps[0].Title != pv.Document.Projects[0].Title {
			t.Fatalf("published: %d projects %+v", len(ps), ps[0])
		}

		// Year-end evaluation: not before December of the year.
		p := ps[0]
		wantCode(t, s.EvaluateProject(ctx, f.deputy, p.ID, plan.RatingSatisfied), plan.EConflict)
		s.Now = func() time.Time { return time.Date(2025, 12, 10, 9, 0, 0, 0, plan.Shanghai) }
		wantCode(t, s.EvaluateProject(ctx, f.deputy, p.ID, "great"), plan.EInvalid)
		wantCode(t, s.EvaluateProject(ctx, f.leader, p.ID, plan.RatingSatisfied), plan.EForbidden)
		wantCode(t, s.EvaluateProject(ctx, f.deputy, f.p2.ID, plan.RatingSatisfied), plan.EForbidden) // not 票决
		for i, d := range deputies[:6] {
			if err := s.EvaluateProject(ctx, d, p.ID, []plan.Rating{plan.RatingSatisfied, plan.RatingBasic, plan.RatingUnsatisfied}[i%3]); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, s.EvaluateProject(ctx, f.deputy, p.ID, plan.RatingUnsatisfied), plan.EConflict)
		ev := must(s.ProjectEvaluation(ctx, p.ID))(t)
		if ev.Satisfied != 2 || ev.Basic != 2 || ev.Unsatisfied != 2 || ev.Rate().String() != "66.7" {
			t.Fatalf("evaluation: %+v rate %v", ev, ev.Rate())
		}
		if m := must(s.Evaluations(ctx, "360112", 2025))(t); len(m) != 1 || m[p.ID].Total() != 6 {
			t.Fatalf("evaluations: %+v", m)
		}
		if ok := must(s.HasEvaluated(ctx, f.deputy.ID, p.ID))(t); !ok {
			t.Fatal("HasEvaluated false")
		}
		if rep := must(s.VerifyAudit(ctx))(t); rep.Break != nil {
			t.Fatalf("audit chain: %+v", rep.Break)
		}
	})
}

// TestAdoptIntoExistingPlan: winners join the newest draft as a
// correction, or a new version copied from the published plan; a winner
// already in the plan is tagged, not added twice.
func TestAdoptIntoExistingPlan(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		rd := must(s.CreateRound(ctx, f.sup, "360112", 2024, ""))(t)
		var short []string
		for _, c := range []plan.Candidate{
			{Name: "改造提升农村公路", Content: "改造提升农村公路50公里", UnitName: "区交通局", Reason: "出行难"},
			{Name: "建设社区老年食堂", Content: "新建社区老年食堂3个", UnitName: "区民政局", Reason: "就餐难", Investment: dec("300")},
		} {
			cd := must(s.ProposeCandidate(ctx, f.sup, rd.ID, c))(t)
			must(s.ModerateCandidate(ctx, f.sup, cd.ID, CandidateShortlist, ""))(t)
			short = append(short, cd.ID)
		}
		rd = must(s.SetRoundSettings(ctx, f.sup, rd.ID, RoundSettings{Version: rd.Version, MaxChoices: 2, Seats: 2}))(t)
		rd = must(s.OpenVoting(ctx, f.sup, rd.ID, rd.Version))(t)
		if err := s.CastBallot(ctx, f.deputy, rd.ID, short); err != nil {
			t.Fatal(err)
		}
		rd = must(s.CloseRound(ctx, f.sup, rd.ID, rd.Version))(t)
		_, pv, err := s.AdoptRound(ctx, f.sup, rd.ID, rd.Version)
		if err != nil {
			t.Fatal(err)
		}
		if pv.Version != 2 || pv.State != plan.PlanDraft || len(pv.Document.Projects) != 4 || pv.SourceText != "原文" {
			t.Fatalf("new version: v%d %s %d projects", pv.Version, pv.State, len(pv.Document.Projects))
		}
		road, canteen := pv.Document.Projects[2], pv.Document.Projects[3]
		if road.Title != "改造提升农村公路" || !slices.Equal(road.Tags, []string{plan.CongressTag}) || len(road.Targets) != 1 {
			t.Fatalf("existing project not tagged: %+v", road)
		}
		if canteen.Seq != 4 || canteen.Investment.String() != "300" || canteen.LeadUnits[0] != "区民政局" {
			t.Fatalf("new project: %+v", canteen)
		}
		must(s.PublishPlan(ctx, f.sup, pv.ID))(t)
		p3 := must(s.GetProject(ctx, f.p3.ID))(t)
		if !p3.CongressVoted() { // the same row, now tagged
			t.Fatalf("p3 tags %v", p3.Tags)
		}
	})
}

func TestOneBallotPerDeputyConcurrently(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newVoteFixture(t, s, 4, 2, 2, 12)
		ctx := f.ctx
		// The same deputy submits eight times at once: one ballot.
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { errs[i] = s.CastBallot(ctx, f.deputies[0], f.round.ID, []string{f.short[i%4].ID}) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch plan.ErrorCode(err) {
			case "":
				ok++
			case plan.EConflict:
			default:
				t.Fatalf("double submit: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d ballots accepted for one deputy: %v", ok, errs)
		}
		// Eleven other deputies at once: eleven more ballots, none lost or
		// doubled by the rewrite of the round's ballots.
		for i, d := range f.deputies[1:] {
			wg.Go(func() {
				if err := s.CastBallot(ctx, d, f.round.ID, []string{f.short[i%4].ID, f.short[(i+1)%4].ID}); err != nil {
					t.Errorf("deputy %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		var ballots, voters int
		s.DB().QueryRow("SELECT COUNT(*) FROM vote_ballots").Scan(&ballots)
		s.DB().QueryRow("SELECT COUNT(*) FROM vote_voters").Scan(&voters)
		if ballots != 12 || voters != 12 {
			t.Fatalf("%d ballots, %d voters; want 12 and 12", ballots, voters)
		}
		rd := must(s.CloseRound(ctx, f.sup, f.round.ID, f.round.Version))(t)
		total := 0
		for _, e := range rd.Result.Candidates {
			total += e.Votes
		}
		if rd.Result.Ballots != 12 || total != 1+22 {
			t.Fatalf("result %+v", rd.Result)
		}
	})
}

// TestBallotSecrecy inspects every stored column of the ballots, the
// voters and the audit rows: nothing pairs a deputy with a choice.
func TestBallotSecrecy(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		// Sequential IDs and a clock that moves: a ballot must take
		// neither.
		var mu sync.Mutex
		n := 0
		s.NewID = func() string { mu.Lock(); defer mu.Unlock(); n++; return fmt.Sprintf("%08d", n) }
		tick := june3
		s.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); tick = tick.Add(time.Second); return tick }
		f := newVoteFixture(t, s, 3, 1, 1, 5)
		ctx := f.ctx
		startSeq, _, _ := s.AuditHead(ctx)
		choice := map[string]string{} // deputy ID → candidate ID: what secrecy must hide
		for i, d := range f.deputies {
			c := f.short[i%3].ID
			choice[d.ID] = c
			if err := s.CastBallot(ctx, d, f.round.ID, []string{c}); err != nil {
				t.Fatal(err)
			}
		}
		deputyIDs, candIDs := []string{}, []string{}
		for _, d := range f.deputies {
			deputyIDs = append(deputyIDs, d.ID)
		}
		for _, c := range f.short {
			candIDs = append(candIDs, c.ID)
		}
		timeLike := func(v string) bool {
			_, err := time.Parse("2006-01-02T15:04:05", v[:min(len(v), 19)])
			return err == nil
		}

		ballots := rowsOf(t, s.DB(), "SELECT * FROM vote_ballots")
		if len(ballots) != 5 {
			t.Fatalf("%d ballots", len(ballots))
		}
		for _, row := range ballots {
			if len(row) != 3 {
				t.Fatalf("vote_ballots has columns %v: a new column must be checked here", row)
			}
			for col, v := range row {
				if containsAny(v, deputyIDs) || timeLike(v) {
					t.Errorf("ballot column %s = %q names a deputy or a time", col, v)
				}
			}
			if id := row["id"]; len(id) != 32 || strings.HasPrefix(id, "0000") {
				t.Errorf("ballot ID %q is not a random key", id)
			}
		}
		for _, row := range rowsOf(t, s.DB(), "SELECT * FROM vote_voters") {
			if len(row) != 2 {
				t.Fatalf("vote_voters has columns %v: a new column must be checked here", row)
			}
			for col, v := range row {
				if containsAny(v, candIDs) || timeLike(v) {
					t.Errorf("voter column %s = %q names a candidate or a time", col, v)
				}
			}
		}
		// The audit rows of the casts name the deputy, never a choice.
		casts := rowsOf(t, s.DB(), fmt.Sprintf("SELECT * FROM audit_log WHERE seq > %d ORDER BY seq", startSeq))
		if len(casts) != 5 {
			t.Fatalf("%d audit rows for 5 casts", len(casts))
		}
		for _, row := range casts {
			for col, v := range row {
				if containsAny(v, candIDs) {
					t.Errorf("audit row %s: column %s = %q names a candidate", row["seq"], col, v)
				}
			}
		}
		// No rowid (SQLite); on PostgreSQL every ballot carries the same
		// inserting transaction, the last cast's.
		if s.Postgres() {
			var xmins int
			s.DB().QueryRow("SELECT COUNT(DISTINCT xmin::text) FROM vote_ballots").Scan(&xmins)
			if xmins != 1 {
				t.Errorf("ballots carry %d different xmin: the order of casts shows", xmins)
			}
		} else if _, err := s.DB().Exec("SELECT rowid FROM vote_ballots"); err == nil {
			t.Error("vote_ballots has a rowid")
		}
		// Closing puts the ballots in the audit log under the supervisor,
		// sorted, with no deputy.
		rd := must(s.CloseRound(ctx, f.sup, f.round.ID, f.round.Version))(t)
		closeRow := rowsOf(t, s.DB(), "SELECT * FROM audit_log WHERE action = 'vote.close'")[0]
		if closeRow["actor"] != f.sup.ID || containsAny(closeRow["after_json"], deputyIDs) || !strings.Contains(closeRow["after_json"], rd.BallotsHash) {
			t.Errorf("close audit row: %v", closeRow)
		}
		// What an administrator can learn stays what the result says: the
		// count matches the choices.
		counts := map[string]int{}
		for _, c := range choice {
			counts[c]++
		}
		for _, e := range rd.Result.Candidates {
			if e.Votes != counts[e.CandidateID] {
				t.Errorf("%s: %d votes, want %d", e.CandidateID, e.Votes, counts[e.CandidateID])
			}
		}
	})
}

// TestEvaluationSecrecy: the same separation for the year-end evaluation.
func TestEvaluationSecrecy(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		s.Now = func() time.Time { return time.Date(2024, 12, 20, 9, 0, 0, 0, plan.Shanghai) }
		d2 := f.user(t, "代表二", plan.RoleDeputy, "", "360112")
		for i, d := range []*plan.User{f.deputy, d2} {
			if err := s.EvaluateProject(f.ctx, d, f.p1.ID, plan.Ratings[i]); err != nil {
				t.Fatal(err)
			}
		}
		for _, row := range rowsOf(t, s.DB(), "SELECT * FROM vote_evaluations") {
			if len(row) != 3 || containsAny(row["id"]+row["project_id"]+row["rating"], []string{f.deputy.ID, d2.ID}) {
				t.Errorf("evaluation row %v", row)
			}
		}
		for _, row := range rowsOf(t, s.DB(), "SELECT * FROM audit_log WHERE action = 'vote.evaluate'") {
			if strings.Contains(row["after_json"], "satisfied") || strings.Contains(row["after_json"], "basic") {
				t.Errorf("audit row shows a rating: %v", row)
			}
		}
	})
}

func containsAny(v string, xs []string) bool {
	for _, x := range xs {
		if x != "" && strings.Contains(v, x) {
			return true
		}
	}
	return false
}

// rowsOf reads every column of every row of a query as text.
func rowsOf(t *testing.T, db *sql.DB, q string) []map[string]string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []map[string]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for i, c := range cols {
			m[c] = vals[i].String
		}
		out = append(out, m)
	}
	return out
}

// TestCloseRefusesStuffedBallots: a ballot written without a voter (by
// hand, in the database) stops the count.
func TestCloseRefusesStuffedBallots(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newVoteFixture(t, s, 2, 1, 1, 1)
		if err := s.CastBallot(f.ctx, f.deputies[0], f.round.ID, []string{f.short[0].ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.WriteDB().Exec(conn{pg: s.Postgres()}.q("INSERT INTO vote_ballots (id, round_id, choices) VALUES ('stuffed', ?, ?)"), f.round.ID, f.short[1].ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.CloseRound(f.ctx, f.sup, f.round.ID, f.round.Version)
		wantCode(t, err, plan.EConflict)
		if !strings.Contains(err.Error(), "不一致") {
			t.Fatalf("err = %v", err)
		}
	})
}
