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
	mux.HandleFunc("GET /api/v1/rollup", s.requireUser(s.rollup))

	mux.HandleFunc("GET /api/v1/users", s.requireUser(s.listUsers))
	mux.HandleFunc("POST /api/v1/users", s.requireUser(s.createUser))
	mux.HandleFunc("GET /api/v1/units", s.requireUser(s.listUnits))

	s.inspectionRoutes(mux)
	s.letterRoutes(mux)
	s.levelRoutes(mux) // api_levels.go
	s.voteRoutes(mux)
	s.publicRoutes(mux)
	s.carryOverRoutes(mux)
	s.reminderRoutes(mux)

	s.pageRoutes(mux)
	s.passwordRoutes(mux)
	s.totpRoutes(mux)
	s.bulkRoutes(mux)

	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, "not_found", "没有这个接口："+r.Method+" "+r.URL.Path, "")
	})
}

// pageRoutes lists the Chinese pages (pages_*.go). Forms post to the page
// they belong to; every page but the login needs a logged-in user.
func (s *Server) pageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.loginSubmit)
	mux.HandleFunc("POST /logout", s.requirePage(s.logoutSubmit))

	mux.HandleFunc("GET /dashboard", s.requirePage(s.dashboardPage))
	mux.HandleFunc("GET /projects", s.requirePage(s.projectsPage))
	mux.HandleFunc("GET /projects/{projectID}", s.requirePage(s.projectPage))
	mux.HandleFunc("GET /units/{unitID}", s.requirePage(s.unitPage))

	mux.HandleFunc("GET /projects/{projectID}/monthly-plan", s.requirePage(s.monthlyPage))
	mux.HandleFunc("POST /projects/{projectID}/monthly-plan", s.requirePage(s.monthlySubmit))
	mux.HandleFunc("POST /projects/{projectID}/monthly-plan/review", s.requirePage(s.monthlyReview))

	mux.HandleFunc("GET /projects/{projectID}/reports/{period}", s.requirePage(s.reportPage))
	mux.HandleFunc("POST /projects/{projectID}/reports/{period}", s.requirePage(s.reportSubmit))
	mux.HandleFunc("POST /projects/{projectID}/reports/{period}/attachments", s.requirePage(s.reportAttach))
	mux.HandleFunc("POST /projects/{projectID}/reports/{period}/contribution", s.requirePage(s.reportContribute))
	mux.HandleFunc("POST /projects/{projectID}/reports/{period}/review", s.requirePage(s.reportReview))

	mux.HandleFunc("GET /review", s.requirePage(s.reviewPage))
	s.letterPageRoutes(mux)
	s.reminderPageRoutes(mux)
	mux.HandleFunc("GET /documents/{name}", s.requirePage(s.documentPage))

	mux.HandleFunc("GET /import", s.requirePage(s.importPage))
	mux.HandleFunc("POST /import", s.requirePage(s.importSubmit))
	mux.HandleFunc("GET /plans/{planID}", s.requirePage(s.planPage))
	mux.HandleFunc("POST /plans/{planID}", s.requirePage(s.planCorrect))
	mux.HandleFunc("POST /plans/{planID}/publish", s.requirePage(s.planPublish))

	s.votePageRoutes(mux)

	mux.HandleFunc("GET /admin", s.requirePage(s.adminPage))
	mux.HandleFunc("POST /admin/users", s.requirePage(s.adminCreateUser))
	mux.HandleFunc("POST /admin/users/{userID}/disabled", s.requirePage(s.adminSetDisabled))
	mux.HandleFunc("POST /admin/users/{userID}/password", s.requirePage(s.adminSetPassword))
	mux.HandleFunc("POST /admin/units", s.requirePage(s.adminCreateUnit))

	mux.HandleFunc("/", s.pageNotFound)
}
