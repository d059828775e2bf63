package plan

import (
	"cmp"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/emmansun/gmsm/sm3"
)

// TallyResult is the count of a round, reproducible from the stored
// ballots alone: Tally over the same ballots gives the same result, and
// BallotsHash lets anyone holding the ballot export check that it is the
// export the result was counted from.
type TallyResult struct {
	Ballots     int          `json:"ballots"` // ballots cast
	Blank       int          `json:"blank"`   // ballots choosing no candidate
	Seats       int          `json:"seats"`
	BallotsHash string       `json:"ballots_hash"`
	Candidates  []TallyEntry `json:"candidates"` // in ranking order
}

// TallyEntry is one candidate's line of the result.
type TallyEntry struct {
	CandidateID string `json:"candidate_id"`
	Seq         int    `json:"seq"`
	Name        string `json:"name"`
	Votes       int    `json:"votes"`
	Rank        int    `json:"rank"` // 1 + the number of candidates with more votes
	Elected     bool   `json:"elected"`
	// ByLot marks the candidates tied across the last seat, whose order
	// the drawing of lots (LotKey) decided.
	ByLot bool `json:"by_lot,omitempty"`
}

// Winners returns the elected entries in ranking order.
func (r *TallyResult) Winners() []TallyEntry {
	var out []TallyEntry
	for _, e := range r.Candidates {
		if e.Elected {
			out = append(out, e)
		}
	}
	return out
}

// Tally counts ballots for the shortlisted candidates and elects seats of
// them. The rule (docs/人大票决.md):
//
//  1. each ballot gives one vote to each candidate it names; a blank
//     ballot counts as cast and gives none;
//  2. candidates are ranked by votes, most first;
//  3. the first seats candidates are elected, but never one with no vote;
//  4. candidates with equal votes are ordered by lot: by LotKey(hash, ID),
//     a draw anyone can repeat from the published ballots hash and that
//     nobody could know before the last ballot was cast.
//
// A ballot naming a candidate not on the shortlist is an error (the store
// never keeps one).
func Tally(shortlist []Candidate, ballots []Ballot, seats int) (*TallyResult, error) {
	res := &TallyResult{Ballots: len(ballots), Seats: seats, BallotsHash: BallotsDigest(ballots)}
	votes := map[string]int{}
	for _, c := range shortlist {
		votes[c.ID] = 0
	}
	for _, b := range ballots {
		if len(b) == 0 {
			res.Blank++
		}
		for _, id := range b {
			if _, ok := votes[id]; !ok {
				return nil, Errorf(EInvalid, "选票中有不在入围名单中的候选项目 %s", id)
			}
			votes[id]++
		}
	}
	for _, c := range shortlist {
		res.Candidates = append(res.Candidates, TallyEntry{CandidateID: c.ID, Seq: c.Seq, Name: c.Name, Votes: votes[c.ID]})
	}
	slices.SortFunc(res.Candidates, func(a, b TallyEntry) int {
		if a.Votes != b.Votes {
			return b.Votes - a.Votes
		}
		return cmp.Compare(LotKey(res.BallotsHash, a.CandidateID), LotKey(res.BallotsHash, b.CandidateID))
	})
	for i := range res.Candidates {
		e := &res.Candidates[i]
		e.Rank = i + 1
		if i > 0 && res.Candidates[i-1].Votes == e.Votes {
			e.Rank = res.Candidates[i-1].Rank
		}
		e.Elected = i < seats && e.Votes > 0
	}
	// The tie across the last seat: elected and not elected with the same
	// votes.
	if seats > 0 && seats < len(res.Candidates) {
		last, next := res.Candidates[seats-1], res.Candidates[seats]
		if last.Votes == next.Votes && last.Votes > 0 {
			for i := range res.Candidates {
				if res.Candidates[i].Votes == last.Votes {
					res.Candidates[i].ByLot = true
				}
			}
		}
	}
	return res, nil
}

// LotKey is a candidate's lot in a tie: SM3 of the ballots hash, a colon
// and its ID, in hex; the lower key ranks first.
func LotKey(ballotsHash, candidateID string) string {
	sum := sm3.Sum([]byte(ballotsHash + ":" + candidateID))
	return hex.EncodeToString(sum[:])
}

// ExportBallots is the ballot export: one line per ballot (Ballot.String,
// an empty line for a blank ballot), lines sorted, each ending in "\n".
// Sorting makes the export independent of storage order and says nothing
// of when a ballot was cast.
func ExportBallots(ballots []Ballot) string {
	lines := make([]string, len(ballots))
	for i, b := range ballots {
		c := slices.Clone(b)
		slices.Sort(c)
		lines[i] = Ballot(c).String()
	}
	slices.Sort(lines)
	var sb strings.Builder
	for _, l := range lines {
		sb.WriteString(l)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// BallotsDigest is the SM3 hash (hex) of ExportBallots: published with the
// result, it lets anyone holding the export check it, e.g. with
// `gmssl sm3 < ballots.txt`.
func BallotsDigest(ballots []Ballot) string {
	sum := sm3.Sum([]byte(ExportBallots(ballots)))
	return hex.EncodeToString(sum[:])
}

// ParseBallotExport reads an export back into ballots.
func ParseBallotExport(text string) []Ballot {
	if text == "" {
		return nil
	}
	var out []Ballot
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		out = append(out, ParseBallot(l))
	}
	return out
}
