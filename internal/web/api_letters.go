package web

import (
	"net/http"
	"strconv"
	"strings"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// letterRoutes: the letters of the escalation ladder (工作提示函, 督办函).
// The supervisor drafts, edits, issues, sends back, withdraws and closes;
// the reporting unit answers with evidence. The store checks every action
// with plan.Can; letters are never deleted.
func (s *Server) letterRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/letters", s.requireUser(s.listLetters))
	mux.HandleFunc("POST /api/v1/letters", s.requireUser(s.draftLetter))
	mux.HandleFunc("GET /api/v1/letters/{letterID}", s.requireUser(s.getLetter))
	mux.HandleFunc("PUT /api/v1/letters/{letterID}", s.requireUser(s.editLetter))
	mux.HandleFunc("POST /api/v1/letters/{letterID}/issue", s.requireUser(s.issueLetter))
	mux.HandleFunc("POST /api/v1/letters/{letterID}/response", s.requireUser(s.answerLetter))
	mux.HandleFunc("POST /api/v1/letters/{letterID}/attachments", s.requireUser(s.attachLetter))
	mux.HandleFunc("POST /api/v1/letters/{letterID}/close", s.requireUser(s.letterMove))
	mux.HandleFunc("POST /api/v1/letters/{letterID}/reject", s.requireUser(s.letterMove))
	mux.HandleFunc("POST /api/v1/letters/{letterID}/withdraw", s.requireUser(s.letterMove))
}

// letterView is a letter with what was done to it.
type letterView struct {
	*plan.Letter
	Events []plan.LetterEvent `json:"events"`
}

// letterFilter reads the list's query: jurisdiction, year, project,
// kind, state, unit (a unit ID: letters addressed to it), overdue=true,
// open=true.
func (s *Server) letterFilter(r *http.Request) (store.LetterFilter, error) {
	q := r.URL.Query()
	f := store.LetterFilter{JurisdictionCode: q.Get("jurisdiction"), ProjectID: q.Get("project"),
		Kind: plan.LetterKind(q.Get("kind")), State: plan.LetterState(q.Get("state")),
		Overdue: q.Get("overdue") == "true", Open: q.Get("open") == "true"}
	if v := q.Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2000 || y > 2100 {
			return f, badRequest("bad_request", "year", "年度应为 2024 这样的四位数字，而不是 %q", v)
		}
		f.Year = y
	}
	if f.Kind != "" && !f.Kind.Valid() {
		return f, badRequest("bad_request", "kind", "函件类型应为 prompt（工作提示函）或 supervision（督办函），而不是 %q", f.Kind)
	}
	switch f.State {
	case "", plan.LetterDraft, plan.LetterIssued, plan.LetterAnswered, plan.LetterClosed, plan.LetterWithdrawn:
	default:
		return f, badRequest("bad_request", "state", "函件状态应为 draft、issued、answered、closed 或 withdrawn，而不是 %q", f.State)
	}
	if id := q.Get("unit"); id != "" {
		unit, err := s.Store.GetUnit(r.Context(), id)
		if err != nil {
			return f, badRequest("bad_request", "unit", "没有这个单位：%s", id)
		}
		f.Unit = unit.Name
	}
	return f, nil
}

func (s *Server) listLetters(w http.ResponseWriter, r *http.Request) {
	f, err := s.letterFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ls, err := s.Store.ListLetters(r.Context(), userOf(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items(ls))
}

// draftRequest asks for a letter about a project's month, drafted by the
// engine from its status (the supervisor edits it before issuing).
type draftRequest struct {
	ProjectID string          `json:"project_id"`
	Kind      plan.LetterKind `json:"kind"`
	Period    string          `json:"period"`
}

func (s *Server) draftLetter(w http.ResponseWriter, r *http.Request) {
	var in draftRequest
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	l, err := s.draft(r, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, l)
}

// draft checks who asks before what is asked, then lets the engine write
// the letter.
func (s *Server) draft(r *http.Request, in draftRequest) (*plan.Letter, error) {
	ctx, u := r.Context(), userOf(r)
	p, err := s.Store.GetProject(ctx, in.ProjectID)
	if err != nil {
		if plan.ErrorCode(err) == plan.ENotFound {
			return nil, plan.FieldError("project_id", "没有这个项目：%s", in.ProjectID)
		}
		return nil, err
	}
	if err := plan.Authorize(u, plan.ActionIssueLetter, plan.LetterResource(p, "")); err != nil {
		return nil, err
	}
	if !in.Kind.Valid() {
		return nil, plan.FieldError("kind", "函件类型应为 prompt（工作提示函）或 supervision（督办函），而不是「%s」", in.Kind)
	}
	per, err := plan.ParsePeriod(in.Period)
	if err != nil {
		return nil, plan.FieldError("period", "月份格式应为 2024-05，而不是「%s」", in.Period)
	}
	return s.Engine.DraftFor(ctx, u, p.PlanID, p.ID, per, in.Kind)
}

func (s *Server) getLetter(w http.ResponseWriter, r *http.Request) {
	ctx, u, id := r.Context(), userOf(r), r.PathValue("letterID")
	l, err := s.Store.GetLetter(ctx, u, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	evs, err := s.Store.LetterEvents(ctx, u, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if evs == nil {
		evs = []plan.LetterEvent{}
	}
	writeJSON(w, http.StatusOK, letterView{Letter: l, Events: evs})
}

func (s *Server) editLetter(w http.ResponseWriter, r *http.Request) {
	var in store.LetterEdit
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	l, err := s.Store.EditLetter(r.Context(), userOf(r), r.PathValue("letterID"), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// letterRequest is the optional body of the letter actions.
type letterRequest struct {
	Version int    `json:"version"`
	Answer  string `json:"answer"`
	Note    string `json:"note"`
}

func (s *Server) readLetterRequest(w http.ResponseWriter, r *http.Request) (letterRequest, error) {
	var req letterRequest
	if r.ContentLength == 0 {
		return req, nil
	}
	err := s.decodeJSON(w, r, &req)
	return req, err
}

// issueLetter: the 文号 and the response deadline are set by the engine's
// configuration (docs/督查规则.md).
func (s *Server) issueLetter(w http.ResponseWriter, r *http.Request) {
	req, err := s.readLetterRequest(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l, err := s.Engine.Issue(r.Context(), userOf(r), r.PathValue("letterID"), req.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (s *Server) answerLetter(w http.ResponseWriter, r *http.Request) {
	req, err := s.readLetterRequest(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l, err := s.Store.AnswerLetter(r.Context(), userOf(r), r.PathValue("letterID"), req.Answer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// attachLetter: multipart field "file", evidence of the unit's answer.
func (s *Server) attachLetter(w http.ResponseWriter, r *http.Request) {
	name, data, err := s.uploadedFile(w, r, "file", s.Store.MaxAttachmentBytes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.Store.AddLetterAttachment(r.Context(), userOf(r), r.PathValue("letterID"), name, data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

// letterMove: close (办结, optional note), reject (整改不到位, note
// required), withdraw (a draft, note required) — the last part of the path.
func (s *Server) letterMove(w http.ResponseWriter, r *http.Request) {
	req, err := s.readLetterRequest(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l, err := s.moveLetter(r, req.Note)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// moveLetter applies the action named by the path's last element.
func (s *Server) moveLetter(r *http.Request, note string) (*plan.Letter, error) {
	ctx, u, id := r.Context(), userOf(r), r.PathValue("letterID")
	switch path := r.URL.Path; {
	case strings.HasSuffix(path, "/close"):
		return s.Store.CloseLetter(ctx, u, id, note)
	case strings.HasSuffix(path, "/reject"):
		return s.Store.RejectAnswer(ctx, u, id, note)
	case strings.HasSuffix(path, "/withdraw"):
		return s.Store.WithdrawLetter(ctx, u, id, note)
	}
	return nil, plan.Errorf(plan.ENotFound, "没有这个操作")
}

// letterAttachmentReadable reports whether the user may read a letter
// whose answer links the file.
func (s *Server) letterAttachmentReadable(r *http.Request, sha string) (bool, error) {
	ids, err := s.Store.AttachmentLetters(r.Context(), sha)
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		if _, err := s.Store.GetLetter(r.Context(), userOf(r), id); err == nil {
			return true, nil
		}
	}
	return false, nil
}
