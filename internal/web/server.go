// Package web is the HTTP face of the platform: the JSON API under /api/v1
// and the Chinese pages. Handlers are thin: decode, call the store, encode.
package web

import (
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"minsheng/internal/metrics"
	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

//go:embed static
var staticFiles embed.FS

// Server holds what every handler needs. Set the exported fields before
// calling Handler.
type Server struct {
	Store *store.Store
	// Engine judges every project's status; the dashboard, the ledger and
	// the bulletin all take their statuses from it.
	Engine *supervise.Engine
	Log    *slog.Logger
	// SecureCookies marks the session cookie Secure; on behind TLS.
	SecureCookies bool
	// HSTS sends Strict-Transport-Security: the server speaks TLS.
	HSTS bool
	// RequirePasswordChange holds a user whose password must be changed
	// (set by an administrator, or expired) to the password page. Off by
	// default (tests and tools); serve turns it on.
	RequirePasswordChange bool
	// Limits are the rate limits (none by default; serve sets them from
	// the configuration).
	Limits Limits
	// TrustedProxies may name the client in X-Forwarded-For;
	// MetricsAllow may read /metrics (loopback by default).
	TrustedProxies []netip.Prefix
	MetricsAllow   []netip.Prefix
	// MaxBodyBytes bounds a request body; uploads get MaxUploadBytes.
	MaxBodyBytes   int64
	MaxUploadBytes int64
	// Now is the clock, replaced in tests.
	Now func() time.Time
	// Portal configures the public portal and residents' feedback
	// (public*.go).
	Portal *Portal

	// pages are the parsed page templates (pages.go): parsed once, by New,
	// or on first use for a Server built without it.
	pages     *pageSet
	pagesOnce sync.Once
}

// New returns a server over a store with default limits.
func New(st *store.Store, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{
		Store:          st,
		Engine:         supervise.New(st, supervise.DefaultConfig()),
		Log:            log,
		MaxBodyBytes:   1 << 20,
		MaxUploadBytes: st.MaxAttachmentBytes + 1<<20,
		Now:            time.Now,
		MetricsAllow:   []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")},
		Portal:         NewPortal(supervise.DefaultPortalConfig(), nil, nil),
	}
	metrics.SetQueueDepth(func() float64 { return float64(st.QueueDepth()) })
	s.pageSet() // parse the templates now, not on the first request
	return s
}

// Handler returns the whole site: routes wrapped in the middleware every
// request goes through.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheForever(http.FileServerFS(static))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /metrics", s.metricsHandler())

	var h http.Handler = routeRecorder(mux)
	h = s.authenticate(h)
	h = s.limitPublic(h)
	h = crossOrigin(h)
	h = s.secureHeaders(h)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	return h
}
