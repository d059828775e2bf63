package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// The 人大票决 pages: the list of rounds, a round's page (proposing,
// moderation and shortlisting for the supervisor, the ballot for a
// deputy, the result for everyone), the public proposal page (no login),
// and the deputies' year-end evaluation on a project's page.

func (s *Server) votePageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /votes", s.requirePage(s.votesPage))
	mux.HandleFunc("POST /votes", s.requirePage(s.votesCreate))
	mux.HandleFunc("GET /votes/{roundID}", s.requirePage(s.roundPage))
	mux.HandleFunc("POST /votes/{roundID}/settings", s.requirePage(s.roundSettingsSubmit))
	mux.HandleFunc("POST /votes/{roundID}/candidates", s.requirePage(s.roundPropose))
	mux.HandleFunc("POST /votes/{roundID}/candidates/{candidateID}", s.requirePage(s.roundModerate))
	mux.HandleFunc("POST /votes/{roundID}/ballot", s.requirePage(s.roundBallot))
	mux.HandleFunc("POST /votes/{roundID}/state", s.requirePage(s.roundState))
	mux.HandleFunc("GET /public/votes/{roundID}", s.publicRoundPage)
	mux.HandleFunc("POST /public/votes/{roundID}", s.publicRoundPropose)
	mux.HandleFunc("POST /projects/{projectID}/evaluation", s.requirePage(s.evaluationSubmit))
}

type votesPage struct {
	basePage
	Jurisdiction string
	Code         string
	Rounds       []plan.Round
	CanCreate    bool
	NextYear     int
	Errors       fieldErrors
}

// votesPage: GET /votes — the rounds of the user's jurisdiction; the
// supervisor opens a new one here.
func (s *Server) votesPage(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadVotesPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "votes", pg)
}

func (s *Server) loadVotesPage(r *http.Request) (*votesPage, error) {
	ctx, u := r.Context(), userOf(r)
	pg := &votesPage{basePage: s.base(r, "人大票决", "votes"), Code: u.JurisdictionCode, NextYear: s.Now().In(plan.Shanghai).Year() + 1, Errors: fieldErrors{}}
	if j, err := s.Store.GetJurisdiction(ctx, u.JurisdictionCode); err == nil {
		pg.Jurisdiction = j.Name
	}
	pg.CanCreate = plan.Can(u, plan.ActionManageRound, plan.Resource{Kind: plan.ResourceJurisdiction, JurisdictionCode: u.JurisdictionCode})
	var err error
	pg.Rounds, err = s.Store.ListRounds(ctx, u.JurisdictionCode)
	return pg, err
}

func (s *Server) votesCreate(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	year, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err != nil {
		year = 0 // CreateRound names the field
	}
	rd, err := s.Store.CreateRound(r.Context(), u, u.JurisdictionCode, year, r.PostFormValue("title"))
	if err != nil {
		pg, lerr := s.loadVotesPage(r)
		if lerr != nil {
			s.pageFail(w, r, lerr)
			return
		}
		pg.Errors, _, pg.Error = problemsOf(err)
		s.render(w, r, statusFor(err), "votes", pg)
		return
	}
	redirect(w, r, "/votes/"+url.PathEscape(rd.ID), "round")
}

// roundPageData is a round's page: what the user may do decides which
// sections show.
type roundPageData struct {
	basePage
	R            *roundView
	Jurisdiction string
	Manage       bool // the supervisor of the round's jurisdiction
	Propose      bool // a unit (or the supervisor) may propose now
	Vote         bool // a deputy who has not voted, voting open
	Deputy       bool
	Pending      []plan.Candidate
	Proposed     []plan.Candidate
	Shortlisted  []plan.Candidate
	Others       []plan.Candidate // rejected and merged
	Names        map[string]string
	Winners      []plan.TallyEntry
	Form         proposalRequest
	FormInv      string
	Chosen       map[string]bool
	Errors       fieldErrors
	PublicURL    string
}

func (s *Server) loadRoundPage(r *http.Request) (*roundPageData, error) {
	u := userOf(r)
	v, err := s.loadRoundView(r, r.PathValue("roundID"))
	if err != nil {
		return nil, err
	}
	pg := &roundPageData{basePage: s.base(r, v.Title, "votes"), R: v, Names: map[string]string{}, Chosen: map[string]bool{}, Errors: fieldErrors{},
		PublicURL: "/public/votes/" + url.PathEscape(v.ID)}
	if j, err := s.Store.GetJurisdiction(r.Context(), v.JurisdictionCode); err == nil {
		pg.Jurisdiction = j.Name
	}
	res := plan.RoundResource(v.Round)
	pg.Manage = plan.Can(u, plan.ActionManageRound, res)
	pg.Propose = v.State == plan.RoundProposing && plan.Can(u, plan.ActionPropose, res)
	pg.Deputy = plan.Can(u, plan.ActionCastBallot, res)
	pg.Vote = pg.Deputy && v.State == plan.RoundVoting && !v.HasVoted
	for _, c := range v.Candidates {
		pg.Names[c.ID] = c.Name
		switch c.State {
		case plan.CandidatePending:
			pg.Pending = append(pg.Pending, c)
		case plan.CandidateProposed:
			pg.Proposed = append(pg.Proposed, c)
		case plan.CandidateShortlisted:
			pg.Shortlisted = append(pg.Shortlisted, c)
		default:
			pg.Others = append(pg.Others, c)
		}
	}
	if v.Result != nil {
		pg.Winners = v.Result.Winners()
	}
	return pg, nil
}

// roundPage: GET /votes/{roundID}.
func (s *Server) roundPage(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadRoundPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "vote", pg)
}

// roundRetry shows the round's page again after a refused form, with the
// error and what the user had entered.
func (s *Server) roundRetry(w http.ResponseWriter, r *http.Request, err error, fill func(pg *roundPageData)) {
	pg, lerr := s.loadRoundPage(r)
	if lerr != nil {
		s.pageFail(w, r, lerr)
		return
	}
	pg.Errors, _, pg.Error = problemsOf(err)
	if fill != nil {
		fill(pg)
	}
	s.render(w, r, statusFor(err), "vote", pg)
}

// redirectAt is redirect to a place in the page (#fragment).
func redirectAt(w http.ResponseWriter, r *http.Request, to, flash, fragment string) {
	http.Redirect(w, r, to+"?ok="+url.QueryEscape(flash)+"#"+fragment, http.StatusSeeOther)
}

func roundURL(r *http.Request) string { return "/votes/" + url.PathEscape(r.PathValue("roundID")) }

func formInt(r *http.Request, name string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
	return n
}

func (s *Server) roundSettingsSubmit(w http.ResponseWriter, r *http.Request) {
	in := store.RoundSettings{Version: formInt(r, "version"), Title: r.PostFormValue("title"),
		MaxChoices: formInt(r, "max_choices"), Seats: formInt(r, "seats")}
	if _, err := s.Store.SetRoundSettings(r.Context(), userOf(r), r.PathValue("roundID"), in); err != nil {
		s.roundRetry(w, r, err, nil)
		return
	}
	redirect(w, r, roundURL(r), "settings")
}

// proposalForm reads a proposal form; a bad investment is reported on its
// field like any other mistake.
func proposalForm(r *http.Request) (proposalRequest, string, error) {
	p := proposalRequest{Name: r.PostFormValue("name"), Content: r.PostFormValue("content"),
		UnitName: r.PostFormValue("unit_name"), Reason: r.PostFormValue("reason")}
	raw := strings.TrimSpace(r.PostFormValue("investment_wan"))
	if raw != "" {
		d, err := plan.ParseDecimal(raw)
		if err != nil {
			return p, raw, plan.FieldError("investment_wan", "估算投资应为数字（万元），如 300 或 12.5")
		}
		p.Investment = &d
	}
	return p, raw, nil
}

func (s *Server) roundPropose(w http.ResponseWriter, r *http.Request) {
	p, raw, err := proposalForm(r)
	if err == nil {
		_, err = s.Store.ProposeCandidate(r.Context(), userOf(r), r.PathValue("roundID"), p.candidate())
	}
	if err != nil {
		s.roundRetry(w, r, err, func(pg *roundPageData) { pg.Form, pg.FormInv = p, raw })
		return
	}
	redirectAt(w, r, roundURL(r), "proposed", "candidates")
}

func (s *Server) roundModerate(w http.ResponseWriter, r *http.Request) {
	action := r.PostFormValue("action")
	if _, err := s.Store.ModerateCandidate(r.Context(), userOf(r), r.PathValue("candidateID"), action, r.PostFormValue("into")); err != nil {
		s.roundRetry(w, r, err, nil)
		return
	}
	redirectAt(w, r, roundURL(r), "moderated", "candidates")
}

func (s *Server) roundBallot(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.pageFail(w, r, badRequest("bad_request", "", "无法读取表单"))
		return
	}
	choices := r.PostForm["choice"]
	if err := s.Store.CastBallot(r.Context(), userOf(r), r.PathValue("roundID"), choices); err != nil {
		s.roundRetry(w, r, err, func(pg *roundPageData) {
			for _, c := range choices {
				pg.Chosen[c] = true
			}
		})
		return
	}
	redirect(w, r, roundURL(r), "voted")
}

func (s *Server) roundState(w http.ResponseWriter, r *http.Request) {
	ctx, u, id, version := r.Context(), userOf(r), r.PathValue("roundID"), formInt(r, "version")
	var err error
	flash := ""
	switch action := r.PostFormValue("action"); action {
	case "open":
		_, err = s.Store.OpenVoting(ctx, u, id, version)
		flash = "opened"
	case "close":
		_, err = s.Store.CloseRound(ctx, u, id, version)
		flash = "closed"
	case "adopt":
		var pv *plan.PlanVersion
		if _, pv, err = s.Store.AdoptRound(ctx, u, id, version); err == nil {
			redirect(w, r, "/plans/"+url.PathEscape(pv.ID), "adopted")
			return
		}
	default:
		err = plan.FieldError("action", "未知操作「%s」", action)
	}
	if err != nil {
		s.roundRetry(w, r, err, nil)
		return
	}
	redirect(w, r, roundURL(r), flash)
}

// publicRoundData is the public page of a round.
type publicRoundData struct {
	basePage
	R            *roundView
	Jurisdiction string
	Listed       []plan.Candidate // proposed and shortlisted
	Form         proposalRequest
	FormInv      string
	Errors       fieldErrors
	Sent         bool
}

func (s *Server) loadPublicRound(r *http.Request) (*publicRoundData, error) {
	v, err := s.loadRoundView(r, r.PathValue("roundID"))
	if err != nil {
		return nil, err
	}
	pg := &publicRoundData{basePage: s.base(r, v.Title, ""), R: v, Errors: fieldErrors{}, Sent: r.URL.Query().Get("ok") == "sent"}
	if j, err := s.Store.GetJurisdiction(r.Context(), v.JurisdictionCode); err == nil {
		pg.Jurisdiction = j.Name
	}
	for _, c := range v.Candidates {
		if c.State == plan.CandidateProposed || c.State == plan.CandidateShortlisted {
			pg.Listed = append(pg.Listed, c)
		}
	}
	return pg, nil
}

// publicRoundPage: GET /public/votes/{roundID} — no login: the round, its
// candidates, the result when counted, and the form residents propose
// with.
func (s *Server) publicRoundPage(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadPublicRound(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "vote_public", pg)
}

func (s *Server) publicRoundPropose(w http.ResponseWriter, r *http.Request) {
	p, raw, err := proposalForm(r)
	if err == nil {
		err = s.limit(r, "proposal", proposalsPerHour)
	}
	if err == nil {
		_, err = s.Store.ProposePublic(r.Context(), r.PathValue("roundID"), p.candidate())
	}
	if err != nil {
		pg, lerr := s.loadPublicRound(r)
		if lerr != nil {
			s.pageFail(w, r, lerr)
			return
		}
		pg.Errors, _, pg.Error = problemsOf(err)
		pg.Form, pg.FormInv = p, raw
		s.render(w, r, statusFor(err), "vote_public", pg)
		return
	}
	http.Redirect(w, r, "/public/votes/"+url.PathEscape(r.PathValue("roundID"))+"?ok=sent#propose", http.StatusSeeOther)
}

// evaluationPanel is the year-end evaluation on a 票决 project's page.
type evaluationPanel struct {
	ProjectID string
	E         evaluationView
	Ratings   []plan.Rating
	CanRate   bool   // a deputy of the jurisdiction who has not rated it, window open
	Done      bool   // this deputy has rated it
	Opens     string // when the window opens, while it is closed
	CSRF      string
}

// loadEvaluationPanel returns the panel for a 票决 project, nil for any
// other.
func (s *Server) loadEvaluationPanel(r *http.Request, p *plan.ProjectRecord) (*evaluationPanel, error) {
	if !p.CongressVoted() {
		return nil, nil
	}
	u := userOf(r)
	e, err := s.Store.ProjectEvaluation(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	ep := &evaluationPanel{ProjectID: p.ID, E: evaluationOf(e), Ratings: plan.Ratings, CSRF: CSRFOf(r)}
	if opens := plan.EvaluationOpens(p.Year); s.Now().Before(opens) {
		ep.Opens = opens.Format("2006年1月2日")
	}
	if u != nil && plan.Can(u, plan.ActionEvaluate, plan.ProjectResource(p)) {
		if ep.Done, err = s.Store.HasEvaluated(r.Context(), u.ID, p.ID); err != nil {
			return nil, err
		}
		ep.CanRate = !ep.Done && ep.Opens == ""
	}
	return ep, nil
}

func (s *Server) evaluationSubmit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("projectID")
	err := s.Store.EvaluateProject(r.Context(), userOf(r), id, plan.Rating(r.PostFormValue("rating")))
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	redirectAt(w, r, "/projects/"+url.PathEscape(id), "evaluated", "evaluation")
}

// mergeTarget is what the merge form of a candidate needs: the other
// candidates it can be merged into.
type mergeTarget struct {
	RoundID, CSRF string
	C             plan.Candidate
	Targets       []plan.Candidate
}

func mergeArgs(pg *roundPageData, c plan.Candidate) mergeTarget {
	m := mergeTarget{RoundID: pg.R.ID, CSRF: pg.CSRF, C: c}
	for _, list := range [][]plan.Candidate{pg.Shortlisted, pg.Proposed} {
		for _, o := range list {
			if o.ID != c.ID {
				m.Targets = append(m.Targets, o)
			}
		}
	}
	return m
}

// congressRate is a 票决 project's line of the dashboard's evaluation
// table.
type congressRate struct {
	P *plan.ProjectRecord
	E evaluationView
}

// congressRates lists the scope's 票决 projects with their year-end
// evaluation once there is one to show: in December, or when a deputy
// has evaluated.
func (s *Server) congressRates(ctx context.Context, sc *scope, rows []projectRow) ([]congressRate, error) {
	evs, err := s.Store.Evaluations(ctx, sc.Code, sc.Period.Year)
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 && sc.Period.Month != 12 {
		return nil, nil
	}
	var out []congressRate
	for _, row := range rows {
		if row.P.CongressVoted() {
			out = append(out, congressRate{P: row.P, E: evaluationOf(evs[row.P.ID])})
		}
	}
	return out, nil
}
