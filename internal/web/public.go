package web

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

// The public portal (公开): published plans and their honest progress for
// residents, without login. Every page and download is built from
// published plans and accepted reports only (public_data.go), is the
// same for every visitor, sets no cookie, and is cacheable: its ETag and
// Last-Modified come from the last change of the data it shows
// (store.PlanVersion, ProjectVersion: its jurisdiction's year and what is
// not confined to one; DataVersion for the index), and the server keeps
// the bytes it rendered until that moves, so a repeated view costs one
// read of two primary-key rows and a write to one county's reports leaves
// every other plan's pages cached.
//
// Residents' feedback (votes, comments) is on separate pages that are not
// cached (public_feedback.go).

// Portal is the configuration and state of the portal. Set it before
// Handler; NewPortal fills the defaults.
type Portal struct {
	Config supervise.PortalConfig
	// SMS sends verification codes when Config.PhoneVerification is on.
	SMS SMSSender
	// DeviceKey signs residents' device tokens (public_feedback.go).
	DeviceKey []byte

	limits *rateLimits
	cache  pageCache
}

// NewPortal returns a portal with cfg; deviceKey nil: a random key (device
// tokens then last until the server restarts).
func NewPortal(cfg supervise.PortalConfig, sms SMSSender, deviceKey []byte) *Portal {
	if deviceKey == nil {
		deviceKey = randomKey()
	}
	return &Portal{Config: cfg, SMS: sms, DeviceKey: deviceKey, limits: newRateLimits()}
}

// publicRoutes lists the portal's pages and API (no login) and the
// residents' feedback endpoints.
func (s *Server) publicRoutes(mux *http.ServeMux) {
	index, planPage, projectPage := s.publicCached(s.indexVersion), s.publicCached(s.planVersion), s.publicCached(s.projectVersion)
	mux.HandleFunc("GET /public/{$}", index(s.publicIndexPage))
	mux.HandleFunc("GET /public/plans/{planID}", planPage(s.publicPlanPage))
	mux.HandleFunc("GET /public/plans/{planID}/progress.json", planPage(s.publicPlanDownload))
	mux.HandleFunc("GET /public/plans/{planID}/progress.csv", planPage(s.publicPlanDownload))
	mux.HandleFunc("GET /public/projects/{projectID}", projectPage(s.publicProjectPage))
	mux.HandleFunc("GET /public/projects/{projectID}/qr.svg", projectPage(s.publicQR))
	mux.HandleFunc("GET /public/projects/{projectID}/qr.png", projectPage(s.publicQR))
	mux.HandleFunc("GET /public/photos/{sha256}", s.publicPhoto)

	mux.HandleFunc("GET /api/v1/public/plans", index(s.publicPlansAPI))
	mux.HandleFunc("GET /api/v1/public/plans/{planID}", planPage(s.publicPlanAPI))
	mux.HandleFunc("GET /api/v1/public/projects/{projectID}", projectPage(s.publicProjectAPI))

	s.feedbackRoutes(mux)
	s.feedbackAdminRoutes(mux)
}

// cachedResponse is a rendered public response and the version of the
// data it was rendered from.
type cachedResponse struct {
	status      int
	contentType string
	disposition string
	body        []byte
	version     store.Version
}

// pageCache keeps the rendered public responses, the public view of each
// plan (which a plan's pages, downloads and every one of its projects'
// pages share) and the 民生码 drawn, each with the data version it was
// built from: an entry serves a request of the same version only, so a
// write makes stale exactly the pages of its scope (store.Scope).
type pageCache struct {
	mu      sync.Mutex
	entries map[string]*cachedResponse // by base and path with query
	plans   map[string]*publicPlan     // by base and plan ID
	// qr holds QR codes by base and path: a code depends on the address
	// it encodes only, not on the data, and drawing one costs milliseconds.
	qr map[string][]byte
}

// maxCachedPages bounds the cache: at national scale there are more pages
// than are worth keeping; past it the cache starts again.
const maxCachedPages = 4096

func sameVersion(a, b store.Version) bool { return a.All == b.All && a.Scope == b.Scope }

// room empties the cache when it is full; c.mu is held.
func (c *pageCache) room() {
	if c.entries == nil || len(c.entries)+len(c.plans)+len(c.qr) >= maxCachedPages {
		c.entries, c.plans, c.qr = map[string]*cachedResponse{}, map[string]*publicPlan{}, map[string][]byte{}
	}
}

func (c *pageCache) get(v store.Version, key string) *cachedResponse {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[key]; e != nil && sameVersion(e.version, v) {
		return e
	}
	return nil
}

// put keeps r unless a response from newer data is there already (a
// request that read the version before a write that another has seen).
func (c *pageCache) put(key string, r *cachedResponse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[key]; old != nil && !r.version.NotOlder(old.version) {
		return
	}
	c.room()
	c.entries[key] = r
}

func (c *pageCache) plan(v store.Version, key string) *publicPlan {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.plans[key]; p != nil && sameVersion(p.version, v) {
		return p
	}
	return nil
}

func (c *pageCache) putPlan(key string, p *publicPlan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.plans[key]; old != nil && !p.version.NotOlder(old.version) {
		return
	}
	c.room()
	c.plans[key] = p
}

func (c *pageCache) qrCode(key string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.qr[key]
}

func (c *pageCache) putQR(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.room()
	c.qr[key] = b
}

// clear drops every page and plan view, as if every version had moved
// (benchmarks); QR codes stay, as they do across writes.
func (c *pageCache) clear() {
	c.mu.Lock()
	c.entries, c.plans = map[string]*cachedResponse{}, map[string]*publicPlan{}
	c.mu.Unlock()
}

// publicKey is the data version a public response depends on and the
// plan it belongs to ("" for the index, and for a project that does not
// exist).
type publicKey struct {
	store.Version
	planID string
}

// publicVersion reads the publicKey of a request.
type publicVersion func(r *http.Request) (publicKey, error)

func (s *Server) indexVersion(r *http.Request) (publicKey, error) {
	v, err := s.Store.DataVersion(r.Context())
	return publicKey{Version: v}, err
}

func (s *Server) planVersion(r *http.Request) (publicKey, error) {
	v, err := s.Store.PlanVersion(r.Context(), r.PathValue("planID"))
	return publicKey{Version: v, planID: r.PathValue("planID")}, err
}

func (s *Server) projectVersion(r *http.Request) (publicKey, error) {
	v, planID, err := s.Store.ProjectVersion(r.Context(), r.PathValue("projectID"))
	return publicKey{Version: v, planID: planID}, err
}

// publicRender builds a public response from the data of version k;
// errors are shown as the API or the page shows them.
type publicRender func(r *http.Request, k publicKey) (*cachedResponse, error)

// publicCached serves a public response with validators from the data
// version that version reads: 304 when the client has it, the cached
// bytes when the server has them, else renders them. Only 200s are
// cached.
func (s *Server) publicCached(version publicVersion) func(publicRender) http.HandlerFunc {
	return func(render publicRender) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			k, err := version(r)
			if err != nil {
				s.publicFail(w, r, err)
				return
			}
			key := s.publicBase(r) + r.URL.Path + "?" + r.URL.RawQuery
			h := fnv.New64a()
			h.Write([]byte(key))
			etag := fmt.Sprintf(`"%d.%d-%x"`, k.All, k.Scope, h.Sum64())
			hd := w.Header()
			hd.Set("ETag", etag)
			// Stored anywhere, but revalidated on every view: a 304 costs one
			// read, and an approved comment or a new report shows at once.
			hd.Set("Cache-Control", "public, no-cache")
			if !k.At.IsZero() {
				hd.Set("Last-Modified", k.At.UTC().Format(http.TimeFormat))
			}
			if notModified(r, etag, k.At) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			cr := s.Portal.cache.get(k.Version, key)
			if cr == nil {
				if cr, err = render(r, k); err != nil {
					hd.Del("ETag")
					hd.Del("Last-Modified")
					hd.Set("Cache-Control", "no-store")
					s.publicFail(w, r, err)
					return
				}
				cr.version = k.Version
				s.Portal.cache.put(key, cr)
			}
			writeCached(w, r, cr)
		}
	}
}

func writeCached(w http.ResponseWriter, r *http.Request, cr *cachedResponse) {
	hd := w.Header()
	hd.Set("Content-Type", cr.contentType)
	if cr.disposition != "" {
		hd.Set("Content-Disposition", cr.disposition)
	}
	hd.Set("Content-Length", strconv.Itoa(len(cr.body)))
	w.WriteHeader(cr.status)
	if r.Method != http.MethodHead {
		w.Write(cr.body)
	}
}

// notModified applies If-None-Match, or else If-Modified-Since (HTTP
// dates have whole seconds).
func notModified(r *http.Request, etag string, at time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == "*" {
				return true
			}
		}
		return false
	}
	if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !at.IsZero() {
		return !at.Truncate(time.Second).After(ims)
	}
	return false
}

// publicFail answers an error as JSON under /api/, else as a public page.
func (s *Server) publicFail(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasSuffix(r.URL.Path, ".json") || strings.HasSuffix(r.URL.Path, ".csv") {
		s.fail(w, r, err)
		return
	}
	err = asOutage(err)
	status, msg, title := http.StatusInternalServerError, plan.ErrorMessage(err), "出错了"
	if code := plan.ErrorCode(err); code != plan.EInternal {
		status = statusOf[code]
		if status == 0 {
			status = http.StatusBadRequest
		}
	} else {
		s.Log.Error("internal error", "path", r.URL.Path, "err", err)
	}
	if status == http.StatusServiceUnavailable {
		s.unavailable(w, r, err)
		title = "服务暂时不可用"
	}
	body, rerr := s.renderPublic("public_error", publicPageData{Title: title, Message: msg})
	if rerr != nil {
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}

// publicBase is the absolute address pages link and QR codes point to:
// the configured base URL, else the request's own.
func (s *Server) publicBase(r *http.Request) string {
	if b := s.Portal.Config.BaseURL; b != "" {
		return strings.TrimRight(b, "/")
	}
	scheme := "http"
	if r.TLS != nil || (inPrefixes(remoteAddr(r), s.TrustedProxies) && r.Header.Get("X-Forwarded-Proto") == "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// publicPageData is what the public templates get.
type publicPageData struct {
	Title   string
	Message string
	Plans   []publicPlanSummary
	Plan    *publicPlan
	Project *publicProjectDetail
	Base    string
}

// renderPublic executes a public page with the public layout.
func (s *Server) renderPublic(page string, data publicPageData) ([]byte, error) {
	t := s.pageSet().pages[page]
	if t == nil {
		return nil, fmt.Errorf("no page template %s", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "public_layout", data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func htmlResponse(body []byte) *cachedResponse {
	return &cachedResponse{status: http.StatusOK, contentType: "text/html; charset=utf-8", body: body}
}

func jsonResponse(v any) *cachedResponse {
	var buf bytes.Buffer
	writeJSONTo(&buf, v)
	return &cachedResponse{status: http.StatusOK, contentType: "application/json; charset=utf-8", body: buf.Bytes()}
}

// publicPlans lists the published plans, newest year first.
func (s *Server) publicPlans(ctx context.Context, base string) ([]publicPlanSummary, error) {
	pps, err := s.Store.PublishedPlans(ctx)
	if err != nil {
		return nil, err
	}
	out := []publicPlanSummary{}
	for _, p := range pps {
		out = append(out, publicPlanSummary{ID: p.ID, JurisdictionCode: p.JurisdictionCode, Jurisdiction: p.JurisdictionName,
			Year: p.Year, URL: base + "/public/plans/" + p.ID})
	}
	// Newest year first, then by code, as PublishedPlans sorts by code.
	slices.SortStableFunc(out, func(a, b publicPlanSummary) int { return b.Year - a.Year })
	return out, nil
}

// publicIndexPage: GET /public/ — the published plans.
func (s *Server) publicIndexPage(r *http.Request, _ publicKey) (*cachedResponse, error) {
	base := s.publicBase(r)
	plans, err := s.publicPlans(r.Context(), base)
	if err != nil {
		return nil, err
	}
	body, err := s.renderPublic("public_index", publicPageData{Title: "民生实事公开", Plans: plans, Base: base})
	if err != nil {
		return nil, err
	}
	return htmlResponse(body), nil
}

// publicPlanPage: GET /public/plans/{planID} — every project's progress.
func (s *Server) publicPlanPage(r *http.Request, k publicKey) (*cachedResponse, error) {
	base := s.publicBase(r)
	pp, err := s.publicPlanData(r.Context(), k, base)
	if err != nil {
		return nil, err
	}
	body, err := s.renderPublic("public_plan", publicPageData{Title: pp.Title, Plan: pp, Base: base})
	if err != nil {
		return nil, err
	}
	return htmlResponse(body), nil
}

// publicPlanDownload: GET /public/plans/{planID}/progress.json|.csv — the
// open-data files of a plan and its progress.
func (s *Server) publicPlanDownload(r *http.Request, k publicKey) (*cachedResponse, error) {
	pp, err := s.publicPlanData(r.Context(), k, s.publicBase(r))
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s%d年民生实事进展", pp.Jurisdiction, pp.Year)
	if strings.HasSuffix(r.URL.Path, ".csv") {
		return &cachedResponse{status: http.StatusOK, contentType: "text/csv; charset=utf-8",
			disposition: attachmentName(name + ".csv"), body: publicCSV(pp)}, nil
	}
	cr := jsonResponse(pp)
	cr.disposition = attachmentName(name + ".json")
	return cr, nil
}

// attachmentName is a Content-Disposition for a download with a Chinese
// file name (RFC 6266 filename*; an ASCII fallback for old clients).
func attachmentName(name string) string {
	ascii := "minsheng" + name[strings.LastIndexByte(name, '.'):]
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, pathEscapeAll(name))
}

func pathEscapeAll(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// publicProjectData is one project's public view with its accepted
// reports (newest first) and approved comments, at version k of its plan
// (publicKey from projectVersion). The reports come from the plan's view:
// only the comments are read for the project itself. Errors: not_found
// (also for a project of a plan not published, or retired).
func (s *Server) publicProjectData(ctx context.Context, k publicKey, projectID, base string) (*publicPlan, *publicProjectDetail, error) {
	var pp *publicPlan
	var proj *publicProjectDetail
	var err error
	if k.planID != "" {
		pp, err = s.publicPlanData(ctx, k, base)
	}
	if pp != nil {
		if i := slices.IndexFunc(pp.Projects, func(p publicProject) bool { return p.ID == projectID }); i >= 0 {
			proj = &publicProjectDetail{publicProject: pp.Projects[i]}
		}
	}
	if proj == nil {
		return nil, nil, s.publicProjectMissing(ctx, projectID, err)
	}
	// The plan's view is shared: the project's history is a reversed copy.
	hist := pp.reports[projectID]
	proj.Reports = make([]store.PublicReport, len(hist))
	for i := range hist {
		proj.Reports[len(hist)-1-i] = hist[i]
	}
	if proj.Comments, err = s.Store.ApprovedComments(ctx, projectID); err != nil {
		return nil, nil, err
	}
	proj.Comments = nonNil(proj.Comments)
	return pp, proj, nil
}

// publicProjectMissing says why a project has no public page: retired, or
// its plan's error (planErr), or no such project.
func (s *Server) publicProjectMissing(ctx context.Context, projectID string, planErr error) error {
	p, err := s.Store.GetProject(ctx, projectID)
	switch {
	case err != nil:
		return err
	case p.RetiredBy != "":
		return plan.Errorf(plan.ENotFound, "项目已在新版本计划中撤销")
	case planErr != nil:
		return planErr
	}
	return plan.Errorf(plan.ENotFound, "项目不存在")
}

// publicProject is publicProjectData at the version read now (the
// feedback page, which is not cached).
func (s *Server) publicProject(r *http.Request) (*publicPlan, *publicProjectDetail, error) {
	k, err := s.projectVersion(r)
	if err != nil {
		return nil, nil, err
	}
	return s.publicProjectData(r.Context(), k, r.PathValue("projectID"), s.publicBase(r))
}

// publicProjectPage: GET /public/projects/{projectID} — the shareable
// page of a project (民生码 leads here), laid out for a phone first.
func (s *Server) publicProjectPage(r *http.Request, k publicKey) (*cachedResponse, error) {
	base := s.publicBase(r)
	pp, proj, err := s.publicProjectData(r.Context(), k, r.PathValue("projectID"), base)
	if err != nil {
		return nil, err
	}
	body, err := s.renderPublic("public_project", publicPageData{Title: proj.Title, Plan: pp, Project: proj, Base: base})
	if err != nil {
		return nil, err
	}
	return htmlResponse(body), nil
}

// publicPlansAPI: GET /api/v1/public/plans.
func (s *Server) publicPlansAPI(r *http.Request, _ publicKey) (*cachedResponse, error) {
	plans, err := s.publicPlans(r.Context(), s.publicBase(r))
	if err != nil {
		return nil, err
	}
	return jsonResponse(items(plans)), nil
}

// publicPlanAPI: GET /api/v1/public/plans/{planID}.
func (s *Server) publicPlanAPI(r *http.Request, k publicKey) (*cachedResponse, error) {
	pp, err := s.publicPlanData(r.Context(), k, s.publicBase(r))
	if err != nil {
		return nil, err
	}
	return jsonResponse(pp), nil
}

// publicProjectAPI: GET /api/v1/public/projects/{projectID}.
func (s *Server) publicProjectAPI(r *http.Request, k publicKey) (*cachedResponse, error) {
	_, proj, err := s.publicProjectData(r.Context(), k, r.PathValue("projectID"), s.publicBase(r))
	if err != nil {
		return nil, err
	}
	return jsonResponse(proj), nil
}

// publicPhoto: GET /public/photos/{sha256} — a photo the supervisor
// released, addressed by its content's hash.
func (s *Server) publicPhoto(w http.ResponseWriter, r *http.Request) {
	sha := strings.ToLower(r.PathValue("sha256"))
	data, ct, err := s.Store.PublicPhoto(r.Context(), sha)
	if err != nil {
		s.publicFail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("ETag", `"`+sha+`"`)
	// An hour, not for good: a release can be withdrawn.
	h.Set("Cache-Control", "public, max-age=3600")
	if notModified(r, `"`+sha+`"`, time.Time{}) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", ct)
	w.Write(data)
}
