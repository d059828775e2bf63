package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"

	"minsheng/internal/plan"
)

// 人大票决 (plan/vote.go): rounds, candidates, secret ballots and the
// deputies' year-end evaluation.
//
// Secrecy. Who voted is vote_voters (round, user); what was voted is
// vote_ballots (random key, round, choices). Nothing links the two: a
// ballot has no voter, no time, and a key from crypto/rand (never NewID,
// which tests make sequential); the tables are WITHOUT ROWID on SQLite;
// and every cast rewrites all of the round's ballots with new keys in
// random order, so that on PostgreSQL they all carry the latest
// transaction's xmin and a heap order that says nothing. The audit row of
// a cast names the deputy and not the choices; the ballots themselves
// enter the audit log only when the round closes, all together, sorted,
// under the supervisor's name. Evaluations are kept the same way.
// docs/人大票决.md has the threat model.

// publicActor is the audit log's name for a visitor without a login (a
// public proposal). It is never a session's user: Can allows it nothing.
var publicActor = &plan.User{ID: "public", Username: "public"}

const roundColumns = "id, jurisdiction_code, year, title, state, version, max_choices, seats, result, ballots_hash, plan_id, created_at, created_by, opened_at, closed_at, adopted_at"

func scanRound(r interface{ Scan(...any) error }) (*plan.Round, error) {
	var rd plan.Round
	var result, created string
	var opened, closed, adopted sql.NullString
	err := r.Scan(&rd.ID, &rd.JurisdictionCode, &rd.Year, &rd.Title, &rd.State, &rd.Version, &rd.MaxChoices, &rd.Seats,
		&result, &rd.BallotsHash, &rd.PlanID, &created, &rd.CreatedBy, &opened, &closed, &adopted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("票决轮次不存在")
	}
	if err != nil {
		return nil, err
	}
	if result != "" {
		rd.Result = &plan.TallyResult{}
		if err := fromJSON(result, rd.Result); err != nil {
			return nil, fmt.Errorf("round %s: result: %w", rd.ID, err)
		}
	}
	rd.CreatedAt, rd.OpenedAt, rd.ClosedAt, rd.AdoptedAt = parseTS(created), parseTSPtr(opened), parseTSPtr(closed), parseTSPtr(adopted)
	return &rd, nil
}

func getRound(c conn, id string) (*plan.Round, error) {
	return scanRound(c.row("SELECT "+roundColumns+" FROM vote_rounds WHERE id = ?", id))
}

// GetRound returns a round; rounds are public. Errors: not_found.
func (s *Store) GetRound(ctx context.Context, id string) (*plan.Round, error) {
	var rd *plan.Round
	err := s.read(ctx, func(c conn) error {
		var err error
		rd, err = getRound(c, id)
		return err
	})
	return rd, err
}

// ListRounds returns the rounds of a jurisdiction ("" for all), newest
// year first.
func (s *Store) ListRounds(ctx context.Context, jurisdictionCode string) ([]plan.Round, error) {
	var out []plan.Round
	err := s.read(ctx, func(c conn) error {
		q, args := "SELECT "+roundColumns+" FROM vote_rounds", []any{}
		if jurisdictionCode != "" {
			q, args = q+" WHERE jurisdiction_code = ?", append(args, jurisdictionCode)
		}
		rows, err := c.query(q+" ORDER BY year DESC, jurisdiction_code", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			rd, err := scanRound(rows)
			if err != nil {
				return err
			}
			out = append(out, *rd)
		}
		return rows.Err()
	})
	return out, err
}

// CreateRound opens the candidate round of a jurisdiction for a year (one
// per jurisdiction and year), collecting proposals. Needs
// ActionManageRound. Errors: invalid, forbidden, conflict (exists).
func (s *Store) CreateRound(ctx context.Context, actor *plan.User, code string, year int, title string) (*plan.Round, error) {
	if year < 2000 || year > 2100 {
		return nil, plan.FieldError("year", "年度 %d 无效", year)
	}
	title = strings.TrimSpace(title)
	var rd *plan.Round
	err := s.write(ctx, actor, func(t *tx) error {
		if err := plan.Authorize(actor, plan.ActionManageRound, plan.Resource{Kind: plan.ResourceJurisdiction, JurisdictionCode: code}); err != nil {
			return err
		}
		if err := t.requireJurisdiction(code); err != nil {
			return err
		}
		if title == "" {
			j, err := getJurisdiction(t.conn, code)
			if err != nil {
				return err
			}
			title = fmt.Sprintf("%s%d年民生实事项目人大代表票决", j.Name, year)
		}
		var n int
		if err := t.row("SELECT COUNT(*) FROM vote_rounds WHERE jurisdiction_code = ? AND year = ?", code, year).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return plan.Errorf(plan.EConflict, "%d 年的票决轮次已经存在", year)
		}
		rd = &plan.Round{ID: s.id("vr"), JurisdictionCode: code, Year: year, Title: title, State: plan.RoundProposing, Version: 1,
			MaxChoices: 1, Seats: 1, CreatedAt: t.now, CreatedBy: actor.ID}
		if _, err := t.exec(`INSERT INTO vote_rounds (id, jurisdiction_code, year, title, state, version, max_choices, seats, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, rd.ID, code, year, title, string(rd.State), rd.Version, rd.MaxChoices, rd.Seats,
			ts(t.now), actor.ID); err != nil {
			return err
		}
		return t.audit("vote.round_create", "vote_round", rd.ID, nil, rd)
	})
	return rd, err
}

// anyVersion asks roundOp not to check the round's version: a change of a
// candidate leaves the round as it is.
const anyVersion = -1

// roundOp loads a round for a change by its supervisor: the version the
// supervisor read must be current, and the round in one of the states.
func (t *tx) roundOp(id string, version int, states ...plan.RoundState) (*plan.Round, error) {
	rd, err := getRound(t.conn, id)
	if err != nil {
		return nil, err
	}
	if err := plan.Authorize(t.actor, plan.ActionManageRound, plan.RoundResource(rd)); err != nil {
		return nil, err
	}
	if version != anyVersion && version != rd.Version {
		return nil, staleConflict()
	}
	for _, st := range states {
		if rd.State == st {
			return rd, nil
		}
	}
	return nil, plan.Errorf(plan.EConflict, "票决轮次%s，不能进行此操作", rd.State.Label())
}

// bumpRound writes the round's state and settings, checking its version.
func (t *tx) bumpRound(before, after *plan.Round) error {
	res, err := t.exec(`UPDATE vote_rounds SET title = ?, state = ?, version = version + 1, max_choices = ?, seats = ?, result = ?,
		ballots_hash = ?, plan_id = ?, opened_at = ?, closed_at = ?, adopted_at = ? WHERE id = ? AND version = ?`,
		after.Title, string(after.State), after.MaxChoices, after.Seats, resultJSON(after.Result), after.BallotsHash, after.PlanID,
		tsPtr(after.OpenedAt), tsPtr(after.ClosedAt), tsPtr(after.AdoptedAt), after.ID, before.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return staleConflict()
	}
	after.Version = before.Version + 1
	return nil
}

func resultJSON(r *plan.TallyResult) string {
	if r == nil {
		return ""
	}
	return toJSON(r)
}

// RoundSettings are what the supervisor sets before voting opens.
type RoundSettings struct {
	Version    int    `json:"version"`
	Title      string `json:"title"`
	MaxChoices int    `json:"max_choices"`
	Seats      int    `json:"seats"`
}

// SetRoundSettings sets a proposing round's title, K and number of
// winners. Needs ActionManageRound. Errors: invalid, not_found, conflict,
// forbidden.
func (s *Store) SetRoundSettings(ctx context.Context, actor *plan.User, id string, in RoundSettings) (*plan.Round, error) {
	var rd *plan.Round
	err := s.write(ctx, actor, func(t *tx) error {
		before, err := t.roundOp(id, in.Version, plan.RoundProposing)
		if err != nil {
			return err
		}
		after := *before
		after.MaxChoices, after.Seats = in.MaxChoices, in.Seats
		if title := strings.TrimSpace(in.Title); title != "" {
			after.Title = title
		}
		if err := after.ValidateSettings(-1); err != nil {
			return err
		}
		if err := t.bumpRound(before, &after); err != nil {
			return err
		}
		rd = &after
		return t.audit("vote.round_settings", "vote_round", id, before, rd)
	})
	return rd, err
}

const candidateColumns = "id, round_id, seq, name, content, investment_wan, unit_name, reason, source, proposed_by, state, merged_into, created_at"

func scanCandidate(r interface{ Scan(...any) error }) (*plan.Candidate, error) {
	var c plan.Candidate
	var inv sql.NullString
	var created string
	err := r.Scan(&c.ID, &c.RoundID, &c.Seq, &c.Name, &c.Content, &inv, &c.UnitName, &c.Reason, &c.Source, &c.ProposedBy,
		&c.State, &c.MergedInto, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("候选项目不存在")
	}
	if err != nil {
		return nil, err
	}
	if c.Investment, err = scanDec(inv); err != nil {
		return nil, err
	}
	c.CreatedAt = parseTS(created)
	return &c, nil
}

func loadCandidates(c conn, roundID string, states ...plan.CandidateState) ([]plan.Candidate, error) {
	q, args := "SELECT "+candidateColumns+" FROM vote_candidates WHERE round_id = ?", []any{roundID}
	if len(states) > 0 {
		q += " AND state IN (?" + strings.Repeat(", ?", len(states)-1) + ")"
		for _, st := range states {
			args = append(args, string(st))
		}
	}
	rows, err := c.query(q+" ORDER BY CASE WHEN seq = 0 THEN 1 ELSE 0 END, seq, created_at, id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []plan.Candidate
	for rows.Next() {
		cd, err := scanCandidate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *cd)
	}
	return out, rows.Err()
}

// ListCandidates returns a round's candidates, shortlisted ones first in
// ballot order. Proposals awaiting moderation and rejected ones are
// listed only for a user who may manage the round.
func (s *Store) ListCandidates(ctx context.Context, actor *plan.User, roundID string) ([]plan.Candidate, error) {
	var out []plan.Candidate
	err := s.read(ctx, func(c conn) error {
		rd, err := getRound(c, roundID)
		if err != nil {
			return err
		}
		if plan.Can(actor, plan.ActionManageRound, plan.RoundResource(rd)) {
			out, err = loadCandidates(c, roundID)
		} else {
			out, err = loadCandidates(c, roundID, plan.CandidateProposed, plan.CandidateShortlisted, plan.CandidateMerged)
		}
		return err
	})
	return out, err
}

// ProposeCandidate adds a unit's (or the supervisor's) proposal to a
// proposing round. Needs ActionPropose. Errors: invalid, not_found,
// conflict (not proposing), forbidden.
func (s *Store) ProposeCandidate(ctx context.Context, actor *plan.User, roundID string, in plan.Candidate) (*plan.Candidate, error) {
	return s.propose(ctx, actor, roundID, in)
}

// ProposePublic adds a resident's proposal, without a login, to a
// proposing round; it waits for the supervisor's moderation before it is
// listed. Errors: invalid, not_found, conflict (not proposing).
func (s *Store) ProposePublic(ctx context.Context, roundID string, in plan.Candidate) (*plan.Candidate, error) {
	return s.propose(ctx, publicActor, roundID, in)
}

func (s *Store) propose(ctx context.Context, actor *plan.User, roundID string, in plan.Candidate) (*plan.Candidate, error) {
	c := plan.Candidate{Name: strings.TrimSpace(in.Name), Content: strings.TrimSpace(in.Content), Investment: in.Investment,
		UnitName: strings.TrimSpace(in.UnitName), Reason: strings.TrimSpace(in.Reason)}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	err := s.write(ctx, actor, func(t *tx) error {
		rd, err := getRound(t.conn, roundID)
		if err != nil {
			return err
		}
		c.Source, c.State = plan.SourcePublic, plan.CandidatePending
		if actor != publicActor {
			if err := plan.Authorize(actor, plan.ActionPropose, plan.RoundResource(rd)); err != nil {
				return err
			}
			c.Source, c.State, c.ProposedBy = plan.SourceUnit, plan.CandidateProposed, actor.ID
		}
		if rd.State != plan.RoundProposing {
			return plan.Errorf(plan.EConflict, "票决轮次%s，已停止征集候选项目", rd.State.Label())
		}
		c.ID, c.RoundID, c.CreatedAt = s.id("vc"), roundID, t.now
		if _, err := t.exec(`INSERT INTO vote_candidates (id, round_id, seq, name, content, investment_wan, unit_name, reason, source,
			proposed_by, state, merged_into, created_at) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)`,
			c.ID, roundID, c.Name, c.Content, decPtr(c.Investment), c.UnitName, c.Reason, c.Source, c.ProposedBy, string(c.State), ts(t.now)); err != nil {
			return err
		}
		return t.audit("vote.propose", "vote_candidate", c.ID, nil, c)
	})
	return &c, err
}

// Moderation and shortlisting actions of the supervisor (ModerateCandidate).
const (
	CandidateApprove     = "approve"     // a public proposal becomes a candidate
	CandidateReject      = "reject"      // a proposal is not taken up
	CandidateShortlist   = "shortlist"   // onto the ballot
	CandidateUnshortlist = "unshortlist" // off the ballot again
	CandidateMerge       = "merge"       // a duplicate, merged into another candidate
)

// ModerateCandidate moves a candidate of a proposing round: approve or
// reject a pending public proposal, reject a proposal, shortlist it
// (numbering it on the ballot) or take it off, or merge a duplicate into
// another candidate of the round (into). Needs ActionManageRound.
// Errors: invalid (unknown action, bad target), not_found, conflict,
// forbidden.
func (s *Store) ModerateCandidate(ctx context.Context, actor *plan.User, id, action, into string) (*plan.Candidate, error) {
	from := map[string][]plan.CandidateState{
		CandidateApprove:     {plan.CandidatePending},
		CandidateReject:      {plan.CandidatePending, plan.CandidateProposed},
		CandidateShortlist:   {plan.CandidateProposed},
		CandidateUnshortlist: {plan.CandidateShortlisted},
		CandidateMerge:       {plan.CandidatePending, plan.CandidateProposed, plan.CandidateShortlisted},
	}[action]
	if from == nil {
		return nil, plan.FieldError("action", "未知操作「%s」，应为 approve、reject、shortlist、unshortlist 或 merge", action)
	}
	var out *plan.Candidate
	err := s.write(ctx, actor, func(t *tx) error {
		before, err := scanCandidate(t.row("SELECT "+candidateColumns+" FROM vote_candidates WHERE id = ?", id))
		if err != nil {
			return err
		}
		if _, err := t.roundOp(before.RoundID, anyVersion, plan.RoundProposing); err != nil {
			return err
		}
		if !containsState(from, before.State) {
			return plan.Errorf(plan.EConflict, "候选项目「%s」%s，不能进行此操作", before.Name, before.State.Label())
		}
		after := *before
		switch action {
		case CandidateApprove:
			after.State = plan.CandidateProposed
		case CandidateReject:
			after.State = plan.CandidateRejected
		case CandidateShortlist:
			after.State = plan.CandidateShortlisted
			if err := t.row("SELECT COALESCE(MAX(seq), 0) + 1 FROM vote_candidates WHERE round_id = ?", before.RoundID).Scan(&after.Seq); err != nil {
				return err
			}
		case CandidateUnshortlist:
			after.State, after.Seq = plan.CandidateProposed, 0
		case CandidateMerge:
			target, err := scanCandidate(t.row("SELECT "+candidateColumns+" FROM vote_candidates WHERE id = ?", into))
			if plan.ErrorCode(err) == plan.ENotFound || err == nil && (target.RoundID != before.RoundID || target.ID == before.ID) {
				return plan.FieldError("into", "请选择本轮的另一个候选项目作为合并目标")
			}
			if err != nil {
				return err
			}
			if target.State != plan.CandidateProposed && target.State != plan.CandidateShortlisted {
				return plan.FieldError("into", "候选项目「%s」%s，不能作为合并目标", target.Name, target.State.Label())
			}
			after.State, after.Seq, after.MergedInto = plan.CandidateMerged, 0, target.ID
		}
		if _, err := t.exec("UPDATE vote_candidates SET state = ?, seq = ?, merged_into = ? WHERE id = ? AND state = ?",
			string(after.State), after.Seq, after.MergedInto, id, string(before.State)); err != nil {
			return err
		}
		out = &after
		return t.audit("vote.candidate_"+action, "vote_candidate", id, before, out)
	})
	return out, err
}

func containsState(states []plan.CandidateState, s plan.CandidateState) bool {
	for _, x := range states {
		if x == s {
			return true
		}
	}
	return false
}

// OpenVoting starts the vote of a proposing round; K and the number of
// winners must fit the shortlist. Needs ActionManageRound. Errors:
// invalid, not_found, conflict, forbidden.
func (s *Store) OpenVoting(ctx context.Context, actor *plan.User, id string, version int) (*plan.Round, error) {
	var rd *plan.Round
	err := s.write(ctx, actor, func(t *tx) error {
		before, err := t.roundOp(id, version, plan.RoundProposing)
		if err != nil {
			return err
		}
		var n int
		if err := t.row("SELECT COUNT(*) FROM vote_candidates WHERE round_id = ? AND state = 'shortlisted'", id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return plan.Errorf(plan.EInvalid, "还没有入围的候选项目，不能开始投票")
		}
		if err := before.ValidateSettings(n); err != nil {
			return err
		}
		after := *before
		now := t.now
		after.State, after.OpenedAt = plan.RoundVoting, &now
		if err := t.bumpRound(before, &after); err != nil {
			return err
		}
		rd = &after
		return t.audit("vote.open", "vote_round", id, map[string]any{"state": before.State},
			map[string]any{"state": after.State, "shortlisted": n, "max_choices": after.MaxChoices, "seats": after.Seats})
	})
	return rd, err
}

// CastBallot records a deputy's secret ballot: the candidates chosen
// (none for a blank ballot, at most the round's K). A deputy votes once:
// the voter row's key (round, user) makes a second ballot, however close
// in time, a conflict, in the same transaction that stores the ballot.
// Needs ActionCastBallot. Errors: invalid, not_found, conflict (already
// voted, not voting), forbidden.
func (s *Store) CastBallot(ctx context.Context, actor *plan.User, roundID string, choices []string) error {
	return s.write(ctx, actor, func(t *tx) error {
		// Casts of a round take turns on its row: each rewrites all the
		// round's ballots (shuffleIn), which two at once would duplicate
		// on PostgreSQL.
		if err := t.lockRow("vote_rounds", "state", roundID); err != nil {
			return err
		}
		rd, err := getRound(t.conn, roundID)
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionCastBallot, plan.RoundResource(rd)); err != nil {
			return err
		}
		if rd.State != plan.RoundVoting {
			return plan.Errorf(plan.EConflict, "票决轮次%s，不能投票", rd.State.Label())
		}
		short, err := candidateIDs(t.conn, roundID)
		if err != nil {
			return err
		}
		ballot, err := plan.Ballot(choices).Canonical(short, rd.MaxChoices)
		if err != nil {
			return err
		}
		if _, err := t.exec("INSERT INTO vote_voters (round_id, user_id) VALUES (?, ?)", roundID, actor.ID); err != nil {
			if plan.ErrorCode(mapError(err)) == plan.EConflict {
				return plan.Errorf(plan.EConflict, "您已在本轮投过票，每位代表只能投一次")
			}
			return err
		}
		if err := t.shuffleIn("vote_ballots", "round_id", "choices", roundID, ballot.String()); err != nil {
			return err
		}
		// Who cast a ballot, never what it says.
		return t.audit("vote.cast", "vote_round", roundID, nil, map[string]any{"ballot_cast": true})
	})
}

// shuffleIn adds a row (key, value) to table and rewrites all the rows of
// key with new random IDs in random order, so that no row's ID, place or
// (on PostgreSQL) inserting transaction tells which one came last.
func (t *tx) shuffleIn(table, keyCol, valueCol, key, value string) error {
	rows, err := t.query("SELECT "+valueCol+" FROM "+table+" WHERE "+keyCol+" = ?", key)
	if err != nil {
		return err
	}
	values := []string{value}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		values = append(values, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM "+table+" WHERE "+keyCol+" = ?", key); err != nil {
		return err
	}
	mrand.Shuffle(len(values), func(i, j int) { values[i], values[j] = values[j], values[i] })
	for _, v := range values {
		if _, err := t.exec("INSERT INTO "+table+" (id, "+keyCol+", "+valueCol+") VALUES (?, ?, ?)", secretID(), key, v); err != nil {
			return err
		}
	}
	return nil
}

// lockRow takes the write lock of a row (PostgreSQL; SQLite has one
// writer anyway) by a no-op update of a column that is no key, held to the
// end of the transaction.
func (t *tx) lockRow(table, col, id string) error {
	_, err := t.exec("UPDATE "+table+" SET "+col+" = "+col+" WHERE id = ?", id)
	return err
}

// secretID is a key for a ballot or an evaluation: random, from
// crypto/rand, with no order.
func secretID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func candidateIDs(c conn, roundID string) ([]string, error) {
	cs, err := loadCandidates(c, roundID, plan.CandidateShortlisted)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(cs))
	for i, cd := range cs {
		ids[i] = cd.ID
	}
	return ids, nil
}

// HasVoted reports whether the user has cast a ballot in the round.
func (s *Store) HasVoted(ctx context.Context, userID, roundID string) (bool, error) {
	var n int
	err := s.read(ctx, func(c conn) error {
		return c.row("SELECT COUNT(*) FROM vote_voters WHERE round_id = ? AND user_id = ?", roundID, userID).Scan(&n)
	})
	return n > 0, err
}

// Turnout is how many deputies have voted in a round and how many active
// deputies the jurisdiction has.
func (s *Store) Turnout(ctx context.Context, roundID string) (voted, deputies int, err error) {
	err = s.read(ctx, func(c conn) error {
		if err := c.row("SELECT COUNT(*) FROM vote_voters WHERE round_id = ?", roundID).Scan(&voted); err != nil {
			return err
		}
		return c.row(`SELECT COUNT(*) FROM users u JOIN vote_rounds r ON r.jurisdiction_code = u.jurisdiction_code
			WHERE r.id = ? AND u.role = 'deputy' AND u.disabled = 0`, roundID).Scan(&deputies)
	})
	return voted, deputies, err
}

func loadBallots(c conn, roundID string) ([]plan.Ballot, error) {
	rows, err := c.query("SELECT choices FROM vote_ballots WHERE round_id = ?", roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []plan.Ballot
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		out = append(out, plan.ParseBallot(line))
	}
	return out, rows.Err()
}

// RoundBallots returns the stored ballots of a closed round, for the
// export and for recounting (plan.Tally). No ballot is shown while voting
// runs. Errors: not_found, conflict (still voting).
func (s *Store) RoundBallots(ctx context.Context, roundID string) ([]plan.Ballot, []plan.Candidate, error) {
	var bs []plan.Ballot
	var short []plan.Candidate
	err := s.read(ctx, func(c conn) error {
		rd, err := getRound(c, roundID)
		if err != nil {
			return err
		}
		if rd.State != plan.RoundClosed && rd.State != plan.RoundAdopted {
			return plan.Errorf(plan.EConflict, "投票结束后才能查看和导出选票")
		}
		if bs, err = loadBallots(c, roundID); err != nil {
			return err
		}
		short, err = loadCandidates(c, roundID, plan.CandidateShortlisted)
		return err
	})
	return bs, short, err
}

// CloseRound ends the vote and counts it (plan.Tally); the result and the
// hash of the ballots are fixed with the round, and the ballots, sorted
// and with no voter, enter the audit log. Needs ActionManageRound.
// Errors: not_found, conflict, forbidden.
func (s *Store) CloseRound(ctx context.Context, actor *plan.User, id string, version int) (*plan.Round, error) {
	var rd *plan.Round
	err := s.write(ctx, actor, func(t *tx) error {
		before, err := t.roundOp(id, version, plan.RoundVoting)
		if err != nil {
			return err
		}
		bs, err := loadBallots(t.conn, id)
		if err != nil {
			return err
		}
		var voters int
		if err := t.row("SELECT COUNT(*) FROM vote_voters WHERE round_id = ?", id).Scan(&voters); err != nil {
			return err
		}
		if voters != len(bs) {
			// A ballot added or removed outside CastBallot.
			return plan.Errorf(plan.EConflict, "选票数 %d 与投票人数 %d 不一致，不能计票，请核查数据库", len(bs), voters)
		}
		short, err := loadCandidates(t.conn, id, plan.CandidateShortlisted)
		if err != nil {
			return err
		}
		res, err := plan.Tally(short, bs, before.Seats)
		if err != nil {
			return err
		}
		after := *before
		now := t.now
		after.State, after.ClosedAt, after.Result, after.BallotsHash = plan.RoundClosed, &now, res, res.BallotsHash
		if err := t.bumpRound(before, &after); err != nil {
			return err
		}
		rd = &after
		return t.audit("vote.close", "vote_round", id, map[string]any{"state": before.State},
			map[string]any{"state": after.State, "result": res, "ballots": strings.Split(strings.TrimSuffix(plan.ExportBallots(bs), "\n"), "\n")})
	})
	return rd, err
}

// AdoptRound puts a closed round's winners into the year's plan, through
// the plan's own versions: into the newest draft when there is one (a
// correction), otherwise into a new draft version copied from the
// published plan, otherwise into a new first version holding only them.
// The supervisor then reviews the draft (targets, units) and publishes it
// as any other. Needs ActionManageRound and ActionImportPlan. Errors:
// not_found, conflict, forbidden.
func (s *Store) AdoptRound(ctx context.Context, actor *plan.User, id string, version int) (*plan.Round, *plan.PlanVersion, error) {
	var rd *plan.Round
	var pv *plan.PlanVersion
	err := s.write(ctx, actor, func(t *tx) error {
		before, err := t.roundOp(id, version, plan.RoundClosed)
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionImportPlan, plan.Resource{Kind: plan.ResourceJurisdiction, JurisdictionCode: before.JurisdictionCode}); err != nil {
			return err
		}
		short, err := loadCandidates(t.conn, id, plan.CandidateShortlisted)
		if err != nil {
			return err
		}
		var winners []plan.Candidate
		for _, e := range before.Result.Winners() { // ranking order
			for _, c := range short {
				if c.ID == e.CandidateID {
					winners = append(winners, c)
				}
			}
		}
		if pv, err = t.adoptInto(before, winners); err != nil {
			return err
		}
		after := *before
		now := t.now
		after.State, after.AdoptedAt, after.PlanID = plan.RoundAdopted, &now, pv.ID
		if err := t.bumpRound(before, &after); err != nil {
			return err
		}
		rd = &after
		return t.audit("vote.adopt", "vote_round", id, map[string]any{"state": before.State},
			map[string]any{"state": after.State, "plan_id": pv.ID, "plan_version": pv.Version})
	})
	return rd, pv, err
}

func (t *tx) adoptInto(rd *plan.Round, winners []plan.Candidate) (*plan.PlanVersion, error) {
	latest, err := scanPlan(t.row("SELECT "+planColumns+" FROM plans WHERE jurisdiction_code = ? AND year = ? AND state IN ('draft', 'published') ORDER BY version DESC LIMIT 1",
		rd.JurisdictionCode, rd.Year))
	if err != nil && plan.ErrorCode(err) != plan.ENotFound {
		return nil, err
	}
	var doc plan.Plan
	source := ""
	if latest != nil {
		doc, source = latest.Document, latest.SourceText
	} else {
		j, err := getJurisdiction(t.conn, rd.JurisdictionCode)
		if err != nil {
			return nil, err
		}
		code, level := j.Code, j.Level
		doc = plan.Plan{Jurisdiction: plan.Jurisdiction{Name: j.Name, Code: &code, Level: &level}, Year: rd.Year,
			Title: fmt.Sprintf("%s%d年民生实事（人大代表票决项目）", j.Name, rd.Year), Source: plan.Source{File: rd.Title},
			Categories: []plan.Category{}, Findings: []plan.Finding{}}
	}
	plan.AddCongressProjects(&doc, winners)
	if latest != nil && latest.State == plan.PlanDraft {
		return t.replaceDraft(latest, latest.Rev, &doc, "plan.vote_adopt")
	}
	pv, err := t.insertDraft(rd.JurisdictionCode, &doc, source)
	if err != nil {
		return nil, err
	}
	return pv, t.audit("plan.vote_adopt", "plan", pv.ID, nil, planAudit(pv))
}

// EvaluateProject records a deputy's year-end evaluation of a 票决
// project, once per deputy and project, kept secret like a ballot. It is
// open from plan.EvaluationOpens of the project's year. Needs
// ActionEvaluate. Errors: invalid (rating), not_found, conflict (already
// evaluated, too early), forbidden.
func (s *Store) EvaluateProject(ctx context.Context, actor *plan.User, projectID string, rating plan.Rating) error {
	if !rating.Valid() {
		return plan.FieldError("rating", "测评结果「%s」无效，应为 satisfied（满意）、basic（基本满意）或 unsatisfied（不满意）", rating)
	}
	return s.write(ctx, actor, func(t *tx) error {
		if err := t.lockRow("projects", "updated_at", projectID); err != nil { // as in CastBallot
			return err
		}
		p, err := getProject(t.conn, projectID)
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionEvaluate, plan.ProjectResource(p)); err != nil {
			return err
		}
		if opens := plan.EvaluationOpens(p.Year); t.now.Before(opens) {
			return plan.Errorf(plan.EConflict, "年终满意度测评自 %s 起开放", opens.Format("2006年1月2日"))
		}
		if _, err := t.exec("INSERT INTO vote_evaluators (project_id, user_id) VALUES (?, ?)", projectID, actor.ID); err != nil {
			if plan.ErrorCode(mapError(err)) == plan.EConflict {
				return plan.Errorf(plan.EConflict, "您已对该项目进行过测评，每位代表只能测评一次")
			}
			return err
		}
		if err := t.shuffleIn("vote_evaluations", "project_id", "rating", projectID, string(rating)); err != nil {
			return err
		}
		return t.audit("vote.evaluate", "project", projectID, nil, map[string]any{"evaluated": true})
	})
}

// HasEvaluated reports whether the user has evaluated the project.
func (s *Store) HasEvaluated(ctx context.Context, userID, projectID string) (bool, error) {
	var n int
	err := s.read(ctx, func(c conn) error {
		return c.row("SELECT COUNT(*) FROM vote_evaluators WHERE project_id = ? AND user_id = ?", projectID, userID).Scan(&n)
	})
	return n > 0, err
}

// Evaluations returns the deputies' evaluations of the projects of a
// jurisdiction and year (every project with at least one), by project ID.
func (s *Store) Evaluations(ctx context.Context, code string, year int) (map[string]plan.Evaluation, error) {
	return s.evaluations(ctx, "p.jurisdiction_code = ? AND p.year = ?", code, year)
}

// ProjectEvaluation returns the deputies' evaluation of one project.
func (s *Store) ProjectEvaluation(ctx context.Context, projectID string) (plan.Evaluation, error) {
	m, err := s.evaluations(ctx, "p.id = ?", projectID)
	e := m[projectID]
	e.ProjectID = projectID
	return e, err
}

func (s *Store) evaluations(ctx context.Context, where string, args ...any) (map[string]plan.Evaluation, error) {
	out := map[string]plan.Evaluation{}
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query("SELECT e.project_id, e.rating, COUNT(*) FROM vote_evaluations e JOIN projects p ON p.id = e.project_id WHERE "+
			where+" GROUP BY e.project_id, e.rating", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, rating string
			var n int
			if err := rows.Scan(&id, &rating, &n); err != nil {
				return err
			}
			e := out[id]
			e.ProjectID = id
			for range n {
				e.Add(plan.Rating(rating))
			}
			out[id] = e
		}
		return rows.Err()
	})
	return out, err
}
