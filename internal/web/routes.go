package web

import "net/http"

// routes lists every endpoint of the site in one place. The API's names are
// fixed by spec/interfaces.md.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/openapi.json", s.openAPI)
	mux.HandleFunc("POST /api/v1/session", s.login)
	mux.HandleFunc("DELETE /api/v1/session", s.requireUser(s.logout))
	mux.HandleFunc("GET /api/v1/me", s.requireUser(s.me))

	mux.HandleFunc("GET /api/v1/plans", s.listPlans)
	mux.HandleFunc("GET /api/v1/plans/{planID}", s.getPlan)
	mux.HandleFunc("POST /api/v1/plans/import", s.requireUser(s.importPlan))
	mux.HandleFunc("PUT /api/v1/plans/{planID}", s.requireUser(s.correctPlan))
	mux.HandleFunc("POST /api/v1/plans/{planID}/publish", s.requireUser(s.publishPlan))

	mux.HandleFunc("GET /api/v1/projects", s.listProjects)
	mux.HandleFunc("GET /api/v1/projects/{projectID}", s.getProject)
	mux.HandleFunc("GET /api/v1/projects/{projectID}/status", s.requireUser(s.projectStatus))

	mux.HandleFunc("GET /api/v1/projects/{projectID}/monthly-plan", s.requireUser(s.getMonthlyPlan))
	mux.HandleFunc("PUT /api/v1/projects/{projectID}/monthly-plan", s.requireUser(s.saveMonthlyPlan))
	mux.HandleFunc("POST /api/v1/projects/{projectID}/monthly-plan/{action}", s.requireUser(s.monthlyPlanAction))

	mux.HandleFunc("GET /api/v1/reports", s.requireUser(s.listReports))
	mux.HandleFunc("GET /api/v1/projects/{projectID}/reports/{period}", s.requireUser(s.getReport))
	mux.HandleFunc("PUT /api/v1/projects/{projectID}/reports/{period}", s.requireUser(s.saveReport))
	mux.HandleFunc("GET /api/v1/projects/{projectID}/reports/{period}/revisions", s.requireUser(s.reportRevisions))
	mux.HandleFunc("POST /api/v1/projects/{projectID}/reports/{period}/contributions", s.requireUser(s.contribute))
	mux.HandleFunc("POST /api/v1/projects/{projectID}/reports/{period}/attachments", s.requireUser(s.attach))
	mux.HandleFunc("POST /api/v1/projects/{projectID}/reports/{period}/{action}", s.requireUser(s.reportAction))
	mux.HandleFunc("GET /api/v1/attachments/{sha256}", s.requireUser(s.getAttachment))

	mux.HandleFunc("GET /api/v1/dashboard", s.requireUser(s.dashboard))

	mux.HandleFunc("GET /api/v1/users", s.requireUser(s.listUsers))
	mux.HandleFunc("POST /api/v1/users", s.requireUser(s.createUser))
	mux.HandleFunc("GET /api/v1/units", s.requireUser(s.listUnits))

	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, "not_found", "没有这个接口："+r.Method+" "+r.URL.Path, "")
	})
}
