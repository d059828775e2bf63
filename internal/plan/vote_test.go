package plan

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestCanVotes(t *testing.T) {
	round := RoundResource(&Round{JurisdictionCode: "360112"})
	voted := ProjectResource(&ProjectRecord{JurisdictionCode: "360112", Tags: []string{CongressTag}})
	plain := ProjectResource(&ProjectRecord{JurisdictionCode: "360112"})
	var (
		sup       = &User{Role: RoleSupervisor, JurisdictionCode: "360112"}
		citySup   = &User{Role: RoleSupervisor, JurisdictionCode: "360100"}
		rep       = &User{Role: RoleReporter, UnitID: "A", JurisdictionCode: "360112"}
		otherRep  = &User{Role: RoleReporter, UnitID: "X", JurisdictionCode: "360702"}
		con       = &User{Role: RoleContributor, UnitID: "B", JurisdictionCode: "360112"}
		leader    = &User{Role: RoleLeader, JurisdictionCode: "360112"}
		deputy    = &User{Role: RoleDeputy, JurisdictionCode: "360112"}
		cityDep   = &User{Role: RoleDeputy, JurisdictionCode: "360100"}
		offDeputy = &User{Role: RoleDeputy, JurisdictionCode: "360112", Disabled: true}
		admin     = &User{Role: RoleAdmin}
	)
	tests := []struct {
		name   string
		u      *User
		action Action
		res    Resource
		want   bool
	}{
		{"anyone reads a round", nil, ActionRead, round, true},
		{"supervisor manages its round", sup, ActionManageRound, round, true},
		{"city supervisor does not manage a county's round", citySup, ActionManageRound, round, false},
		{"reporter does not manage", rep, ActionManageRound, round, false},
		{"deputy does not manage", deputy, ActionManageRound, round, false},
		{"admin does not manage", admin, ActionManageRound, round, false},
		{"reporter proposes in its jurisdiction", rep, ActionPropose, round, true},
		{"contributor proposes in its jurisdiction", con, ActionPropose, round, true},
		{"supervisor proposes", sup, ActionPropose, round, true},
		{"reporter of another county does not propose", otherRep, ActionPropose, round, false},
		{"leader does not propose", leader, ActionPropose, round, false},
		{"deputy casts a ballot in its jurisdiction", deputy, ActionCastBallot, round, true},
		{"city deputy does not vote in a county", cityDep, ActionCastBallot, round, false},
		{"disabled deputy does not vote", offDeputy, ActionCastBallot, round, false},
		{"supervisor does not vote", sup, ActionCastBallot, round, false},
		{"leader does not vote", leader, ActionCastBallot, round, false},
		{"anonymous does not vote", nil, ActionCastBallot, round, false},
		{"deputy evaluates a 票决 project", deputy, ActionEvaluate, voted, true},
		{"deputy does not evaluate another project", deputy, ActionEvaluate, plain, false},
		{"city deputy does not evaluate a county project", cityDep, ActionEvaluate, voted, false},
		{"supervisor does not evaluate", sup, ActionEvaluate, voted, false},
	}
	for _, tt := range tests {
		if got := Can(tt.u, tt.action, tt.res); got != tt.want {
			t.Errorf("%s: Can = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestBallotCanonical(t *testing.T) {
	short := []string{"c1", "c2", "c3"}
	tests := []struct {
		in      Ballot
		k       int
		want    string
		wantErr string
	}{
		{Ballot{}, 2, "", ""},
		{Ballot{"c3", "c1"}, 2, "c1,c3", ""},
		{Ballot{"c1", "c2", "c3"}, 2, "", "最多只能选择 2 个"},
		{Ballot{"c2", "c2"}, 2, "", "只能选择一次"},
		{Ballot{"c9"}, 2, "", "不在本轮入围名单中"},
	}
	for _, tt := range tests {
		got, err := tt.in.Canonical(short, tt.k)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || ErrorCode(err) != EInvalid {
				t.Errorf("Canonical(%v) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("Canonical(%v) = %q, %v; want %q", tt.in, got.String(), err, tt.want)
		}
	}
}

func ballots(lines ...string) []Ballot {
	var out []Ballot
	for _, l := range lines {
		out = append(out, ParseBallot(l))
	}
	return out
}

func TestTally(t *testing.T) {
	short := []Candidate{{ID: "a", Seq: 1, Name: "甲"}, {ID: "b", Seq: 2, Name: "乙"}, {ID: "c", Seq: 3, Name: "丙"}, {ID: "d", Seq: 4, Name: "丁"}}
	tests := []struct {
		name    string
		ballots []Ballot
		seats   int
		votes   string // candidate:votes by candidate ID
		elected string // sorted IDs
		blank   int
		byLot   string // sorted IDs marked ByLot
	}{
		{"no ballots", nil, 2, "a:0 b:0 c:0 d:0", "", 0, ""},
		{"only blank ballots", ballots("", "", ""), 2, "a:0 b:0 c:0 d:0", "", 3, ""},
		{"clear winners", ballots("a,b", "a,c", "a,b", "b,d", ""), 2, "a:3 b:3 c:1 d:1", "a,b", 1, ""},
		{"winner with one seat", ballots("a", "a", "b"), 1, "a:2 b:1 c:0 d:0", "a", 0, ""},
		{"tie across the last seat is drawn by lot", ballots("a,b", "a,c", "a,d"), 2, "a:3 b:1 c:1 d:1", "", 0, "b,c,d"},
		{"tie inside the seats needs no lot", ballots("a,b", "a,b", "c"), 2, "a:2 b:2 c:1 d:0", "a,b", 0, ""},
		{"no candidate is elected without a vote", ballots("a", ""), 3, "a:1 b:0 c:0 d:0", "a", 1, ""},
		{"all seats", ballots("a,b,c,d"), 4, "a:1 b:1 c:1 d:1", "a,b,c,d", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Tally(short, tt.ballots, tt.seats)
			if err != nil {
				t.Fatal(err)
			}
			if res.Ballots != len(tt.ballots) || res.Blank != tt.blank {
				t.Errorf("ballots %d blank %d, want %d %d", res.Ballots, res.Blank, len(tt.ballots), tt.blank)
			}
			if res.BallotsHash != BallotsDigest(tt.ballots) {
				t.Errorf("hash %s is not the digest of the ballots", res.BallotsHash)
			}
			var got []string
			for _, e := range res.Candidates {
				got = append(got, fmt.Sprintf("%s:%d", e.CandidateID, e.Votes))
			}
			byID := slices.Clone(got)
			slices.Sort(byID)
			if strings.Join(byID, " ") != tt.votes {
				t.Errorf("ranking %v, want prefix %q", got, tt.votes)
			}
			var elected, lot []string
			for _, e := range res.Candidates {
				if e.ByLot {
					lot = append(lot, e.CandidateID)
				}
			}
			for _, c := range short { // sorted by ID
				for _, e := range res.Winners() {
					if e.CandidateID == c.ID {
						elected = append(elected, c.ID)
					}
				}
			}
			if tt.name == "tie across the last seat is drawn by lot" {
				// a and exactly one of b, c, d: the one with the lowest lot.
				best := "b"
				for _, id := range []string{"c", "d"} {
					if LotKey(res.BallotsHash, id) < LotKey(res.BallotsHash, best) {
						best = id
					}
				}
				tt.elected = "a," + best
			}
			if strings.Join(elected, ",") != tt.elected {
				t.Errorf("elected %v, want %s", elected, tt.elected)
			}
			slices.Sort(lot)
			if strings.Join(lot, ",") != tt.byLot {
				t.Errorf("by lot %v, want %s", lot, tt.byLot)
			}
			for i, e := range res.Candidates {
				if i > 0 && res.Candidates[i-1].Votes < e.Votes {
					t.Errorf("ranking not by votes: %v", got)
				}
				if i > 0 && res.Candidates[i-1].Votes == e.Votes && e.Rank != res.Candidates[i-1].Rank {
					t.Errorf("equal votes, different ranks: %+v", res.Candidates)
				}
			}
		})
	}
}

func TestTallyRefusesUnknownCandidate(t *testing.T) {
	_, err := Tally([]Candidate{{ID: "a"}}, ballots("a,z"), 1)
	if ErrorCode(err) != EInvalid {
		t.Fatalf("err = %v, want invalid", err)
	}
}

func TestTallyIndependentOfBallotOrder(t *testing.T) {
	short := []Candidate{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	r1, _ := Tally(short, ballots("a,b", "c", "", "b"), 1)
	r2, _ := Tally(short, ballots("b", "", "b,a", "c"), 1)
	if fmt.Sprint(r1) != fmt.Sprint(r2) {
		t.Fatalf("order changed the result:\n%+v\n%+v", r1, r2)
	}
}

func TestBallotExportRoundTrip(t *testing.T) {
	for _, bs := range [][]Ballot{nil, ballots(""), ballots("", ""), ballots("b,a", "", "c")} {
		text := ExportBallots(bs)
		back := ParseBallotExport(text)
		if len(back) != len(bs) || ExportBallots(back) != text {
			t.Errorf("export %q read back as %v", text, back)
		}
	}
	if got := ExportBallots(ballots("c", "b,a", "")); got != "\na,b\nc\n" {
		t.Errorf("export = %q", got)
	}
}

func TestEvaluationRate(t *testing.T) {
	tests := []struct {
		e    Evaluation
		want string
	}{
		{Evaluation{}, ""},
		{Evaluation{Satisfied: 3}, "100"},
		{Evaluation{Satisfied: 1, Basic: 1, Unsatisfied: 1}, "66.7"},
		{Evaluation{Unsatisfied: 2}, "0"},
		{Evaluation{Satisfied: 10, Basic: 7, Unsatisfied: 3}, "85"},
	}
	for _, tt := range tests {
		got := ""
		if r := tt.e.Rate(); r != nil {
			got = r.String()
		}
		if got != tt.want {
			t.Errorf("%+v rate = %q, want %q", tt.e, got, tt.want)
		}
	}
}

func TestCandidateValidate(t *testing.T) {
	c := Candidate{Name: "建设社区食堂", Content: "新建社区食堂3个", UnitName: "区民政局", Reason: "老年人就餐难"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.Name, c.Investment = " ", MustDecimal("-1").Ptr()
	err := c.Validate()
	pe, _ := err.(*Error)
	if pe == nil || pe.Field != "name" || len(pe.Details) != 2 {
		t.Fatalf("err = %#v", err)
	}
}
