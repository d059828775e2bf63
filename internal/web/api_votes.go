package web

import (
	"net/http"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// 人大票决 over the API: rounds, proposals (by units and, without a login,
// by the public), moderation and shortlisting, secret ballots, the result
// with its ballots hash and export, and the year-end evaluation.

func (s *Server) voteRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/votes/rounds", s.listRounds)
	mux.HandleFunc("POST /api/v1/votes/rounds", s.requireUser(s.createRound))
	mux.HandleFunc("GET /api/v1/votes/rounds/{roundID}", s.getRound)
	mux.HandleFunc("PUT /api/v1/votes/rounds/{roundID}", s.requireUser(s.roundSettings))
	mux.HandleFunc("GET /api/v1/votes/rounds/{roundID}/ballots", s.roundBallots)
	mux.HandleFunc("POST /api/v1/votes/rounds/{roundID}/candidates", s.requireUser(s.proposeCandidate))
	mux.HandleFunc("POST /api/v1/votes/rounds/{roundID}/ballot", s.requireUser(s.castBallot))
	mux.HandleFunc("POST /api/v1/votes/rounds/{roundID}/{action}", s.requireUser(s.roundAction))
	mux.HandleFunc("POST /api/v1/votes/candidates/{candidateID}/{action}", s.requireUser(s.moderateCandidate))
	mux.HandleFunc("POST /api/v1/public/votes/rounds/{roundID}/proposals", s.proposePublic)
	mux.HandleFunc("GET /api/v1/projects/{projectID}/evaluation", s.getEvaluation)
	mux.HandleFunc("POST /api/v1/projects/{projectID}/evaluation", s.requireUser(s.evaluateProject))
}

func (s *Server) listRounds(w http.ResponseWriter, r *http.Request) {
	rs, err := s.Store.ListRounds(r.Context(), r.URL.Query().Get("jurisdiction"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items(rs))
}

type createRoundRequest struct {
	JurisdictionCode string `json:"jurisdiction_code"`
	Year             int    `json:"year"`
	Title            string `json:"title"`
}

func (s *Server) createRound(w http.ResponseWriter, r *http.Request) {
	var req createRoundRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	rd, err := s.Store.CreateRound(r.Context(), userOf(r), req.JurisdictionCode, req.Year, req.Title)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rd)
}

// roundView is a round with the candidates the caller may see, the
// turnout, and whether the caller has voted.
type roundView struct {
	*plan.Round
	Candidates []plan.Candidate `json:"candidates"`
	Voted      int              `json:"voted"`
	Deputies   int              `json:"deputies"`
	HasVoted   bool             `json:"has_voted"`
}

func (s *Server) loadRoundView(r *http.Request, id string) (*roundView, error) {
	ctx, u := r.Context(), userOf(r)
	rd, err := s.Store.GetRound(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &roundView{Round: rd}
	if v.Candidates, err = s.Store.ListCandidates(ctx, u, id); err != nil {
		return nil, err
	}
	if v.Candidates == nil {
		v.Candidates = []plan.Candidate{}
	}
	if v.Voted, v.Deputies, err = s.Store.Turnout(ctx, id); err != nil {
		return nil, err
	}
	if u != nil && u.Role == plan.RoleDeputy {
		if v.HasVoted, err = s.Store.HasVoted(ctx, u.ID, id); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (s *Server) getRound(w http.ResponseWriter, r *http.Request) {
	v, err := s.loadRoundView(r, r.PathValue("roundID"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) roundSettings(w http.ResponseWriter, r *http.Request) {
	var req store.RoundSettings
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	rd, err := s.Store.SetRoundSettings(r.Context(), userOf(r), r.PathValue("roundID"), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rd)
}

// roundBallots: the ballot export of a closed round, as text: one line per
// ballot, sorted. Its SM3 hash is the round's ballots_hash.
func (s *Server) roundBallots(w http.ResponseWriter, r *http.Request) {
	bs, _, err := s.Store.RoundBallots(r.Context(), r.PathValue("roundID"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ballots-`+r.PathValue("roundID")+`.txt"`)
	w.Write([]byte(plan.ExportBallots(bs)))
}

// proposalRequest is a proposal as the API and the forms take it.
type proposalRequest struct {
	Name       string        `json:"name"`
	Content    string        `json:"content"`
	Investment *plan.Decimal `json:"investment_wan"`
	UnitName   string        `json:"unit_name"`
	Reason     string        `json:"reason"`
}

func (p proposalRequest) candidate() plan.Candidate {
	return plan.Candidate{Name: p.Name, Content: p.Content, Investment: p.Investment, UnitName: p.UnitName, Reason: p.Reason}
}

func (s *Server) proposeCandidate(w http.ResponseWriter, r *http.Request) {
	var req proposalRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Store.ProposeCandidate(r.Context(), userOf(r), r.PathValue("roundID"), req.candidate())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

// proposePublic: a resident's proposal, no login; it waits for
// moderation. Limited per client address (proposalsPerHour).
func (s *Server) proposePublic(w http.ResponseWriter, r *http.Request) {
	if err := s.limit(r, "proposal", proposalsPerHour); err != nil {
		s.fail(w, r, err)
		return
	}
	var req proposalRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Store.ProposePublic(r.Context(), r.PathValue("roundID"), req.candidate())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The public sees that it was received, not the internal record.
	writeJSON(w, http.StatusCreated, map[string]any{"id": c.ID, "state": c.State, "message": "已收到您的建议，经审核后列入候选项目"})
}

type moderateRequest struct {
	Into string `json:"into"`
}

func (s *Server) moderateCandidate(w http.ResponseWriter, r *http.Request) {
	var req moderateRequest
	if r.ContentLength != 0 {
		if err := s.decodeJSON(w, r, &req); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	c, err := s.Store.ModerateCandidate(r.Context(), userOf(r), r.PathValue("candidateID"), r.PathValue("action"), req.Into)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

type ballotRequest struct {
	Choices []string `json:"choices"`
}

// castBallot answers 201 with nothing of the ballot: the server keeps no
// link to give back.
func (s *Server) castBallot(w http.ResponseWriter, r *http.Request) {
	var req ballotRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Store.CastBallot(r.Context(), userOf(r), r.PathValue("roundID"), req.Choices); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"ballot_cast": true})
}

type versionRequest struct {
	Version int `json:"version"`
}

// roundAction: open (voting), close (count) or adopt (into the plan).
func (s *Server) roundAction(w http.ResponseWriter, r *http.Request) {
	var req versionRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, u, id := r.Context(), userOf(r), r.PathValue("roundID")
	var rd *plan.Round
	var err error
	switch action := r.PathValue("action"); action {
	case "open":
		rd, err = s.Store.OpenVoting(ctx, u, id, req.Version)
	case "close":
		rd, err = s.Store.CloseRound(ctx, u, id, req.Version)
	case "adopt":
		rd, _, err = s.Store.AdoptRound(ctx, u, id, req.Version)
	default:
		err = &plan.Error{Code: plan.ENotFound, Message: "未知操作「" + action + "」，应为 open、close 或 adopt"}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rd)
}

// evaluationView is a project's year-end evaluation with its rate.
type evaluationView struct {
	plan.Evaluation
	Total int           `json:"total"`
	Rate  *plan.Decimal `json:"rate"`
}

func evaluationOf(e plan.Evaluation) evaluationView {
	return evaluationView{Evaluation: e, Total: e.Total(), Rate: e.Rate()}
}

func (s *Server) getEvaluation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("projectID")
	if _, err := s.Store.GetProject(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := s.Store.ProjectEvaluation(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, evaluationOf(e))
}

type evaluateRequest struct {
	Rating plan.Rating `json:"rating"`
}

func (s *Server) evaluateProject(w http.ResponseWriter, r *http.Request) {
	var req evaluateRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Store.EvaluateProject(r.Context(), userOf(r), r.PathValue("projectID"), req.Rating); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"evaluated": true})
}

// proposalsPerHour bounds residents' 人大票决 proposals per client
// address and hour (the portal's hourly limits, public_feedback.go: behind
// server.trusted_proxies, the address they name).
const proposalsPerHour = 20
