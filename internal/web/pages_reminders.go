package web

import (
	"net/http"
	"net/url"

	"minsheng/internal/notify"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// reminderPageRoutes: the admin's page of the units' reminder addresses,
// and the outbox page (提醒记录) of the supervisor and the admin.
func (s *Server) reminderPageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/contacts", s.requirePage(s.contactsPage))
	mux.HandleFunc("POST /admin/contacts/{unitID}", s.requirePage(s.contactSubmit))
	mux.HandleFunc("GET /outbox", s.requirePage(s.outboxPage))
}

type contactsPage struct {
	basePage
	Jurisdictions []plan.JurisdictionRecord
	Code          string
	Contacts      []store.UnitContact
	// Failed is the unit whose form was refused, with its input and
	// problems.
	Failed string
	Input  store.ContactInput
	Errors fieldErrors
}

// contactsPage: GET /admin/contacts?jurisdiction=360112 — each unit's
// e-mail and group robot (企业微信 or 钉钉).
func (s *Server) contactsPage(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadContactsPage(r, r.URL.Query().Get("jurisdiction"))
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "contacts", pg)
}

func (s *Server) loadContactsPage(r *http.Request, code string) (*contactsPage, error) {
	ctx := r.Context()
	if err := plan.Authorize(userOf(r), plan.ActionManageUnits, plan.Resource{Kind: plan.ResourceUnit}); err != nil {
		return nil, err
	}
	pg := &contactsPage{basePage: s.base(r, "提醒联系方式", "contacts"), Errors: fieldErrors{}}
	js, err := s.Store.ListJurisdictions(ctx)
	if err != nil {
		return nil, err
	}
	pg.Jurisdictions = js
	if code == "" && len(js) > 0 {
		code = js[0].Code
	}
	pg.Code = code
	if pg.Contacts, err = s.Store.UnitContacts(ctx, code); err != nil {
		return nil, err
	}
	return pg, nil
}

// contactSubmit: POST /admin/contacts/{unitID}.
func (s *Server) contactSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		s.pageFail(w, r, badRequest("bad_request", "", "表单无法读取"))
		return
	}
	f := r.PostForm
	in := store.ContactInput{Email: f.Get("email"), WebhookKind: f.Get("webhook_kind"), WebhookURL: f.Get("webhook_url"),
		WebhookSecret: f.Get("webhook_secret"), ClearSecret: f.Get("clear_secret") == "1"}
	c, err := s.Store.SetUnitContact(r.Context(), userOf(r), r.PathValue("unitID"), in)
	if err == nil {
		// The flash goes before the fragment that scrolls back to the unit.
		http.Redirect(w, r, "/admin/contacts?jurisdiction="+url.QueryEscape(c.JurisdictionCode)+"&ok=contact#unit-"+url.PathEscape(c.UnitID), http.StatusSeeOther)
		return
	}
	if code := plan.ErrorCode(err); code != plan.EInvalid {
		s.pageFail(w, r, err)
		return
	}
	pg, lerr := s.loadContactsPage(r, f.Get("jurisdiction"))
	if lerr != nil {
		s.pageFail(w, r, lerr)
		return
	}
	fe, _, msg := problemsOf(err)
	pg.Failed, pg.Input, pg.Errors, pg.Error = r.PathValue("unitID"), in, fe, "尚未保存："+msg
	s.render(w, r, http.StatusUnprocessableEntity, "contacts", pg)
}

type outboxRow struct {
	store.OutboxMessage
	KindLabel string
	UnitName  string
}

type outboxPage struct {
	basePage
	State  string
	Rows   []outboxRow
	Counts map[string]int
}

// outboxPage: GET /outbox?state= — the reminders sent, waiting and
// failed (with the channel's last error).
func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) {
	ms, err := s.outbox(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	pg := outboxPage{basePage: s.base(r, "提醒记录", "outbox"), State: r.URL.Query().Get("state"), Counts: map[string]int{}}
	units := map[string]string{}
	for _, m := range ms {
		if _, ok := units[m.UnitID]; !ok && m.UnitID != "" {
			if u, err := s.Store.GetUnit(r.Context(), m.UnitID); err == nil {
				units[m.UnitID] = u.Name
			}
		}
		pg.Rows = append(pg.Rows, outboxRow{OutboxMessage: m, KindLabel: notify.KindLabel(m.Kind), UnitName: units[m.UnitID]})
		pg.Counts[m.State]++
	}
	s.render(w, r, http.StatusOK, "outbox", pg)
}
