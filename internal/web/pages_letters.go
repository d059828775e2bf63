package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"minsheng/internal/documents"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// letterPageRoutes: 督办 — the letters list, a letter's page (the
// supervisor edits, issues, sends back and closes; the lead unit answers
// with evidence), its .docx and printable HTML, and drafting from the
// project page.
func (s *Server) letterPageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /letters", s.requirePage(s.lettersPage))
	mux.HandleFunc("GET /letters/{letterID}", s.requirePage(s.letterPage))
	mux.HandleFunc("POST /letters/{letterID}", s.requirePage(s.letterSubmit))
	mux.HandleFunc("POST /letters/{letterID}/attachments", s.requirePage(s.letterAttach))
	mux.HandleFunc("GET /letters/{letterID}/document.docx", s.requirePage(s.letterDocx))
	mux.HandleFunc("GET /letters/{letterID}/print", s.requirePage(s.letterPrint))
	mux.HandleFunc("POST /projects/{projectID}/letters", s.requirePage(s.projectDraftLetter))
}

// letterGroup is one section of the list.
type letterGroup struct {
	ID, Title, Empty string
	Letters          []plan.Letter
}

type lettersPage struct {
	basePage
	Groups     []letterGroup
	Kind       string
	Overdue    bool
	Unit       string
	Units      []plan.Unit
	Supervisor bool
	Total      int
	OverdueN   int
}

// lettersPage: GET /letters — 督办: the supervisor's drafts to review,
// letters issued and awaiting an answer (overdue ones first, in red),
// answers to close, and the closed; a unit sees the letters sent to it.
// ?kind=, ?overdue=true and ?unit= (a unit ID) narrow the list.
func (s *Server) lettersPage(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	q := r.URL.Query()
	pg := lettersPage{basePage: s.base(r, "督办函件", "letters"), Kind: q.Get("kind"), Overdue: q.Get("overdue") == "true",
		Unit: q.Get("unit"), Supervisor: u.Role == plan.RoleSupervisor}
	f, err := s.letterFilter(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	f.State = ""
	ls, err := s.Store.ListLetters(ctx, u, f)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	if pg.Supervisor && u.JurisdictionCode != "" {
		if pg.Units, err = s.Store.ListUnits(ctx, u.JurisdictionCode); err != nil {
			s.pageFail(w, r, err)
			return
		}
	}
	// Newest first within a state; overdue answers lead the waiting.
	slices.SortStableFunc(ls, func(a, b plan.Letter) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		return b.UpdatedAt.Compare(a.UpdatedAt)
	})
	groups := []letterGroup{
		{ID: "drafts", Title: "待审阅的草稿", Empty: "没有待审阅的草稿。"},
		{ID: "issued", Title: "已印发、待答复", Empty: "没有待答复的函件。"},
		{ID: "answered", Title: "已答复、待办结", Empty: "没有待办结的函件。"},
		{ID: "closed", Title: "已办结", Empty: "没有已办结的函件。"},
		{ID: "withdrawn", Title: "已作废", Empty: ""},
	}
	at := map[plan.LetterState]int{plan.LetterDraft: 0, plan.LetterIssued: 1, plan.LetterAnswered: 2, plan.LetterClosed: 3, plan.LetterWithdrawn: 4}
	for _, l := range ls {
		groups[at[l.State]].Letters = append(groups[at[l.State]].Letters, l)
		if l.Overdue && l.State.Open() {
			pg.OverdueN++
		}
	}
	pg.Total = len(ls)
	for _, g := range groups {
		if g.ID == "drafts" && !pg.Supervisor || g.ID == "withdrawn" && len(g.Letters) == 0 {
			continue
		}
		pg.Groups = append(pg.Groups, g)
	}
	s.render(w, r, http.StatusOK, "letters", pg)
}

// letterForm is the supervisor's edit of a draft as typed.
type letterForm struct {
	Version      int
	Title        string
	Recipients   string
	CC           string
	Body         string
	Issuer       string
	ResponseDays string
}

type letterEventView struct {
	plan.LetterEvent
	Actor string
}

type letterPage struct {
	basePage
	L            *plan.Letter
	Doc          documents.LetterDoc // the letter as printed
	P            *plan.ProjectRecord
	Events       []letterEventView
	Form         letterForm
	Errors       fieldErrors
	Answer       string
	Note         string
	CanEdit      bool
	CanAnswer    bool
	CanClose     bool
	CanReject    bool
	DaysOverdue  int
	UploadAction string
	AttachError  string
}

// letterPage: GET /letters/{letterID}.
func (s *Server) letterPage(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadLetterPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "letter", pg)
}

func (s *Server) loadLetterPage(r *http.Request) (*letterPage, error) {
	ctx, u, id := r.Context(), userOf(r), r.PathValue("letterID")
	l, err := s.Store.GetLetter(ctx, u, id)
	if err != nil {
		return nil, err
	}
	p, err := s.Store.GetProject(ctx, l.ProjectID)
	if err != nil {
		return nil, err
	}
	evs, err := s.Store.LetterEvents(ctx, u, id)
	if err != nil {
		return nil, err
	}
	title := l.Title
	if l.DocNumber != "" {
		title = l.DocNumber + " " + title
	}
	pg := &letterPage{basePage: s.base(r, title, "letters"), L: l, P: p, Errors: fieldErrors{}, Answer: l.Answer,
		Doc: documents.LetterDocument(l)}
	pg.UploadAction = "/letters/" + url.PathEscape(l.ID) + "/attachments?csrf_token=" + url.QueryEscape(pg.CSRF)
	var ids []string
	for _, e := range evs {
		ids = append(ids, e.ActorID)
	}
	names := s.userNames(ctx, ids...)
	for i := len(evs) - 1; i >= 0; i-- {
		pg.Events = append(pg.Events, letterEventView{LetterEvent: evs[i], Actor: names[evs[i].ActorID]})
	}
	res := plan.LetterResource(p, l.State)
	sent := l.State == plan.LetterIssued || l.State == plan.LetterAnswered
	pg.CanEdit = l.State == plan.LetterDraft && plan.Can(u, plan.ActionIssueLetter, res)
	pg.CanAnswer = sent && plan.Can(u, plan.ActionAnswerLetter, res)
	pg.CanClose = sent && plan.Can(u, plan.ActionIssueLetter, res)
	pg.CanReject = l.State == plan.LetterAnswered && pg.CanClose
	if l.Overdue && l.AnsweredAt == nil && l.State.Open() {
		pg.DaysOverdue = int(s.Now().Sub(l.Due())/(24*time.Hour)) + 1
	}
	pg.Form = letterForm{Version: l.Version, Title: l.Title, Recipients: strings.Join(l.Recipients, "、"), CC: strings.Join(l.CC, "、"),
		Body: l.Body, Issuer: l.Issuer, ResponseDays: strconv.Itoa(l.ResponseDays)}
	return pg, nil
}

// splitUnits reads a list of unit names typed into one line: separated by
// 、，, ; or line breaks.
func splitUnits(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、，,；;\n\r", r) }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

var letterFlash = map[string]string{"save": "letter-saved", "issue": "letter-issued", "answer": "letter-answered",
	"close": "letter-closed", "reject": "letter-rejected", "withdraw": "letter-withdrawn"}

// letterSubmit: POST /letters/{letterID} with action = save or issue (the
// supervisor's edit of a draft, issued after saving), answer (the unit),
// close, reject or withdraw (the supervisor, with a note).
func (s *Server) letterSubmit(w http.ResponseWriter, r *http.Request) {
	ctx, u, id := r.Context(), userOf(r), r.PathValue("letterID")
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		s.pageFail(w, r, badRequest("bad_request", "", "表单无法读取"))
		return
	}
	f := r.PostForm
	action := f.Get("action")
	form := letterForm{Title: f.Get("title"), Recipients: f.Get("recipients"), CC: f.Get("cc"), Body: f.Get("body"),
		Issuer: f.Get("issuer"), ResponseDays: strings.TrimSpace(f.Get("response_days"))}
	form.Version, _ = strconv.Atoi(f.Get("version"))
	var err error
	switch action {
	case "save", "issue":
		days, convErr := strconv.Atoi(form.ResponseDays)
		if convErr != nil {
			err = plan.FieldError("response_days", "答复期限应填写工作日天数，如 5")
			break
		}
		var l *plan.Letter
		l, err = s.Store.EditLetter(ctx, u, id, store.LetterEdit{Version: form.Version, Title: form.Title,
			Recipients: splitUnits(form.Recipients), CC: splitUnits(form.CC), Body: strings.ReplaceAll(form.Body, "\r\n", "\n"),
			Issuer: strings.TrimSpace(form.Issuer), ResponseDays: days})
		if err == nil && action == "issue" {
			_, err = s.Engine.Issue(ctx, u, id, l.Version)
		}
	case "answer":
		_, err = s.Store.AnswerLetter(ctx, u, id, f.Get("answer"))
	case "close":
		_, err = s.Store.CloseLetter(ctx, u, id, f.Get("note"))
	case "reject":
		_, err = s.Store.RejectAnswer(ctx, u, id, f.Get("note"))
	case "withdraw":
		_, err = s.Store.WithdrawLetter(ctx, u, id, f.Get("note"))
	default:
		err = plan.FieldError("action", "未知的操作")
	}
	if err == nil {
		redirect(w, r, "/letters/"+url.PathEscape(id), letterFlash[action])
		return
	}
	pg, lerr := s.loadLetterPage(r)
	if lerr != nil {
		s.pageFail(w, r, lerr)
		return
	}
	switch plan.ErrorCode(err) {
	case plan.EInvalid, plan.EConflict, plan.EForbidden:
	default:
		s.pageFail(w, r, err)
		return
	}
	fe, _, msg := problemsOf(err)
	pg.Errors, pg.Error = fe, "尚未保存："+msg
	if action == "save" || action == "issue" {
		pg.Form = form
	}
	pg.Answer, pg.Note = f.Get("answer"), f.Get("note")
	status := http.StatusUnprocessableEntity
	if code := plan.ErrorCode(err); code != plan.EInvalid {
		status = statusOf[code]
	}
	s.render(w, r, status, "letter", pg)
}

// letterAttach: POST /letters/{letterID}/attachments, multipart field
// "file" (CSRF token in the query); htmx gets the evidence list back.
func (s *Server) letterAttach(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("letterID")
	name, data, err := s.uploadedFile(w, r, "file", s.Store.MaxAttachmentBytes)
	if err == nil {
		_, err = s.Store.AddLetterAttachment(r.Context(), userOf(r), id, name, data)
	}
	if err == nil && !isHTMX(r) {
		redirect(w, r, "/letters/"+url.PathEscape(id), "attached")
		return
	}
	pg, lerr := s.loadLetterPage(r)
	if lerr != nil {
		s.pageFail(w, r, lerr)
		return
	}
	if err != nil {
		pg.AttachError = plan.ErrorMessage(err)
	}
	if isHTMX(r) {
		s.renderFragment(w, r, "letter", "letter-attachments", pg)
		return
	}
	pg.Error = "附件未上传：" + pg.AttachError
	s.render(w, r, http.StatusUnprocessableEntity, "letter", pg)
}

// letterDocx: the letter as a .docx (GB/T 9704 信函格式).
func (s *Server) letterDocx(w http.ResponseWriter, r *http.Request) {
	l, err := s.Store.GetLetter(r.Context(), userOf(r), r.PathValue("letterID"))
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := documents.WriteLetterDocx(&buf, documents.LetterDocument(l)); err != nil {
		s.pageFail(w, r, err)
		return
	}
	name := l.Title
	if l.DocNumber != "" {
		name = l.DocNumber + " " + name
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name+".docx"))
	w.Write(buf.Bytes())
}

// letterPrint: the letter as a printable A4 page.
func (s *Server) letterPrint(w http.ResponseWriter, r *http.Request) {
	l, err := s.Store.GetLetter(r.Context(), userOf(r), r.PathValue("letterID"))
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := documents.WriteLetterHTML(&buf, documents.LetterDocument(l)); err != nil {
		s.pageFail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

// projectDraftLetter: POST /projects/{projectID}/letters with kind and
// period — the supervisor asks for a letter from the project page and
// reviews the draft on the letter's page.
func (s *Server) projectDraftLetter(w http.ResponseWriter, r *http.Request) {
	l, err := s.draft(r, draftRequest{ProjectID: r.PathValue("projectID"), Kind: plan.LetterKind(r.PostFormValue("kind")), Period: r.PostFormValue("period")})
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	redirect(w, r, "/letters/"+url.PathEscape(l.ID), "letter-drafted")
}

// projectLetters is what the project page shows of its letters: those the
// user may read, and whether the user may draft one.
type projectLetters struct {
	Letters  []plan.Letter
	CanDraft bool
}

func (s *Server) lettersOfProject(ctx context.Context, u *plan.User, p *plan.ProjectRecord) (projectLetters, error) {
	ls, err := s.Store.ListLetters(ctx, u, store.LetterFilter{ProjectID: p.ID})
	return projectLetters{Letters: ls, CanDraft: p.RetiredBy == "" && plan.Can(u, plan.ActionIssueLetter, plan.LetterResource(p, ""))}, err
}

// chineseDate is the 成文日期 of a letter: 2024年11月12日.
func chineseDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	s := t.In(plan.Shanghai)
	return strconv.Itoa(s.Year()) + "年" + strconv.Itoa(int(s.Month())) + "月" + strconv.Itoa(s.Day()) + "日"
}
