package web

import (
	"net/http"
	"net/url"
	"strings"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// reminderRoutes: the units' reminder addresses (the admin) and the
// outbox of reminders (the supervisor of the jurisdiction, the admin).
func (s *Server) reminderRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/contacts", s.requireUser(s.listContacts))
	mux.HandleFunc("PUT /api/v1/units/{unitID}/contact", s.requireUser(s.setContact))
	mux.HandleFunc("GET /api/v1/outbox", s.requireUser(s.listOutbox))
}

// listContacts: the units of a jurisdiction (?jurisdiction=, all when
// omitted) with their addresses; the admin's.
func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) {
	if err := plan.Authorize(userOf(r), plan.ActionManageUnits, plan.Resource{Kind: plan.ResourceUnit}); err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := s.Store.UnitContacts(r.Context(), r.URL.Query().Get("jurisdiction"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items(cs))
}

func (s *Server) setContact(w http.ResponseWriter, r *http.Request) {
	var in store.ContactInput
	if err := plan.Authorize(userOf(r), plan.ActionManageUnits, plan.Resource{Kind: plan.ResourceUnit}); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Store.SetUnitContact(r.Context(), userOf(r), r.PathValue("unitID"), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// listOutbox: the newest reminders with their delivery state (?state=
// pending, sent or failed); a robot's access token is not shown.
func (s *Server) listOutbox(w http.ResponseWriter, r *http.Request) {
	ms, err := s.outbox(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items(ms))
}

func (s *Server) outbox(r *http.Request) ([]store.OutboxMessage, error) {
	st := r.URL.Query().Get("state")
	switch st {
	case "", store.OutboxPending, store.OutboxSent, store.OutboxFailed:
	default:
		return nil, badRequest("bad_request", "state", "状态应为 pending、sent 或 failed，而不是 %q", st)
	}
	ms, err := s.Store.ListOutbox(r.Context(), userOf(r), store.OutboxFilter{State: st})
	for i := range ms {
		ms[i].Address = maskWebhook(ms[i].Address)
	}
	return ms, err
}

// maskWebhook hides the query of a webhook URL (its access token).
func maskWebhook(a string) string {
	if u, err := url.Parse(a); err == nil && u.Scheme != "" && u.RawQuery != "" {
		return strings.SplitN(a, "?", 2)[0] + "?…"
	}
	return a
}
