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
	"minsheng/internal/supervise"
)

// The public portal (公开): published plans and their honest progress for
// residents, without login. Every page and download is built from
// published plans and accepted reports only (public_data.go), is the
// same for every visitor, sets no cookie, and is cacheable: its ETag and
// Last-Modified come from the data's last change (store.DataVersion), and
// the server keeps the bytes it rendered until the data moves, so a
// repeated view costs one primary-key read.
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
	mux.HandleFunc("GET /public/{$}", s.publicCached(s.publicIndexPage))
	mux.HandleFunc("GET /public/plans/{planID}", s.publicCached(s.publicPlanPage))
	mux.HandleFunc("GET /public/plans/{planID}/progress.json", s.publicCached(s.publicPlanDownload))
	mux.HandleFunc("GET /public/plans/{planID}/progress.csv", s.publicCached(s.publicPlanDownload))
	mux.HandleFunc("GET /public/projects/{projectID}", s.publicCached(s.publicProjectPage))
	mux.HandleFunc("GET /public/projects/{projectID}/qr.svg", s.publicCached(s.publicQR))
	mux.HandleFunc("GET /public/projects/{projectID}/qr.png", s.publicCached(s.publicQR))
	mux.HandleFunc("GET /public/photos/{sha256}", s.publicPhoto)

	mux.HandleFunc("GET /api/v1/public/plans", s.publicCached(s.publicPlansAPI))
	mux.HandleFunc("GET /api/v1/public/plans/{planID}", s.publicCached(s.publicPlanAPI))
	mux.HandleFunc("GET /api/v1/public/projects/{projectID}", s.publicCached(s.publicProjectAPI))

	s.feedbackRoutes(mux)
	s.feedbackAdminRoutes(mux)
}

// cachedResponse is a rendered public response.
type cachedResponse struct {
	status      int
	contentType string
	disposition string
	body        []byte
}

// pageCache keeps, for one data version, the rendered public responses
// and the public view of each plan, which a plan's pages, downloads and
// every one of its projects' pages share.
type pageCache struct {
	mu      sync.Mutex
	version int64
	entries map[string]*cachedResponse
	plans   map[string]*publicPlan
}

// maxCachedPages bounds the cache: at national scale there are more pages
// than are worth keeping; past it the cache starts again.
const maxCachedPages = 4096

// at makes the cache hold version, emptying it for a newer one; it
// reports false for an older one (a request that read the data before a
// write that another has seen already).
func (c *pageCache) at(version int64) bool {
	if version < c.version {
		return false
	}
	if c.entries == nil || version > c.version || len(c.entries)+len(c.plans) >= maxCachedPages {
		c.version, c.entries, c.plans = version, map[string]*cachedResponse{}, map[string]*publicPlan{}
	}
	return true
}

func (c *pageCache) get(version int64, key string) *cachedResponse {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return nil
	}
	return c.entries[key]
}

func (c *pageCache) put(version int64, key string, r *cachedResponse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at(version) {
		c.entries[key] = r
	}
}

func (c *pageCache) plan(version int64, key string) *publicPlan {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return nil
	}
	return c.plans[key]
}

func (c *pageCache) putPlan(version int64, key string, p *publicPlan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at(version) {
		c.plans[key] = p
	}
}

// clear empties the cache (benchmarks: the cost after a write).
func (c *pageCache) clear() {
	c.mu.Lock()
	c.entries, c.plans = nil, nil
	c.mu.Unlock()
}

// publicRender builds a public response from the data; errors are shown
// as the API or the page shows them.
type publicRender func(r *http.Request) (*cachedResponse, error)

// publicCached serves a public response with validators from the data
// version: 304 when the client has it, the cached bytes when the server
// has them, else renders them. Only 200s are cached.
func (s *Server) publicCached(render publicRender) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		seq, at, err := s.Store.DataVersion(r.Context())
		if err != nil {
			s.publicFail(w, r, err)
			return
		}
		key := r.URL.Path + "?" + r.URL.RawQuery
		h := fnv.New64a()
		h.Write([]byte(s.publicBase(r) + key))
		etag := fmt.Sprintf(`"%d-%x"`, seq, h.Sum64())
		hd := w.Header()
		hd.Set("ETag", etag)
		// Stored anywhere, but revalidated on every view: a 304 costs one
		// read, and an approved comment or a new report shows at once.
		hd.Set("Cache-Control", "public, no-cache")
		if !at.IsZero() {
			hd.Set("Last-Modified", at.UTC().Format(http.TimeFormat))
		}
		if notModified(r, etag, at) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		ck := s.publicBase(r) + key
		cr := s.Portal.cache.get(seq, ck)
		if cr == nil {
			if cr, err = render(r); err != nil {
				hd.Del("ETag")
				hd.Del("Last-Modified")
				hd.Set("Cache-Control", "no-store")
				s.publicFail(w, r, err)
				return
			}
			s.Portal.cache.put(seq, ck, cr)
		}
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
func (s *Server) publicIndexPage(r *http.Request) (*cachedResponse, error) {
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
func (s *Server) publicPlanPage(r *http.Request) (*cachedResponse, error) {
	base := s.publicBase(r)
	pp, err := s.publicPlanData(r.Context(), r.PathValue("planID"), base)
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
func (s *Server) publicPlanDownload(r *http.Request) (*cachedResponse, error) {
	pp, err := s.publicPlanData(r.Context(), r.PathValue("planID"), s.publicBase(r))
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
// reports (newest first) and approved comments. Errors: not_found (also
// for a project of a plan not published, or retired).
func (s *Server) publicProjectData(ctx context.Context, projectID, base string) (*publicPlan, *publicProjectDetail, error) {
	p, err := s.Store.GetProject(ctx, projectID)
	if err != nil {
		return nil, nil, err
	}
	if p.RetiredBy != "" {
		return nil, nil, plan.Errorf(plan.ENotFound, "项目已在新版本计划中撤销")
	}
	pp, err := s.publicPlanData(ctx, p.PlanID, base)
	if err != nil {
		return nil, nil, err
	}
	var proj *publicProjectDetail
	for i := range pp.Projects {
		if pp.Projects[i].ID == p.ID {
			proj = &publicProjectDetail{publicProject: pp.Projects[i]}
		}
	}
	if proj == nil {
		return nil, nil, plan.Errorf(plan.ENotFound, "项目不存在")
	}
	if proj.Reports, err = s.Store.PublicReports(ctx, p.JurisdictionCode, p.Year, p.ID); err != nil {
		return nil, nil, err
	}
	proj.Reports = nonNil(proj.Reports)
	for i, j := 0, len(proj.Reports)-1; i < j; i, j = i+1, j-1 {
		proj.Reports[i], proj.Reports[j] = proj.Reports[j], proj.Reports[i]
	}
	if proj.Comments, err = s.Store.ApprovedComments(ctx, p.ID); err != nil {
		return nil, nil, err
	}
	proj.Comments = nonNil(proj.Comments)
	return pp, proj, nil
}

// publicProjectPage: GET /public/projects/{projectID} — the shareable
// page of a project (民生码 leads here), laid out for a phone first.
func (s *Server) publicProjectPage(r *http.Request) (*cachedResponse, error) {
	base := s.publicBase(r)
	pp, proj, err := s.publicProjectData(r.Context(), r.PathValue("projectID"), base)
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
func (s *Server) publicPlansAPI(r *http.Request) (*cachedResponse, error) {
	plans, err := s.publicPlans(r.Context(), s.publicBase(r))
	if err != nil {
		return nil, err
	}
	return jsonResponse(items(plans)), nil
}

// publicPlanAPI: GET /api/v1/public/plans/{planID}.
func (s *Server) publicPlanAPI(r *http.Request) (*cachedResponse, error) {
	pp, err := s.publicPlanData(r.Context(), r.PathValue("planID"), s.publicBase(r))
	if err != nil {
		return nil, err
	}
	return jsonResponse(pp), nil
}

// publicProjectAPI: GET /api/v1/public/projects/{projectID}.
func (s *Server) publicProjectAPI(r *http.Request) (*cachedResponse, error) {
	_, proj, err := s.publicProjectData(r.Context(), r.PathValue("projectID"), s.publicBase(r))
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
