package web

import (
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"minsheng/internal/metrics"
)

// statusRecorder remembers the status a handler wrote and the route
// pattern that served it, for the log and the latency metric.
type statusRecorder struct {
	http.ResponseWriter
	status int
	route  string
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs each request and observes its latency by route (the
// mux's pattern, so that IDs in paths do not make a series each).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		elapsed := time.Since(start)
		route := rec.route
		if route == "" {
			route = "unmatched"
		}
		metrics.RequestDuration.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Observe(elapsed.Seconds())
		if strings.HasPrefix(r.URL.Path, "/static/") {
			return
		}
		s.Log.Info("request", "method", r.Method, "path", r.URL.Path, "route", route, "status", rec.status,
			"ms", elapsed.Milliseconds(), "client", s.clientAddr(r))
	})
}

// routeRecorder tells the statusRecorder which pattern of the mux served
// a request: the mux sets Request.Pattern on the request it was given,
// which the middleware outside has only a copy of.
func routeRecorder(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if rec, ok := w.(*statusRecorder); ok {
			rec.route = r.Pattern
		}
	})
}

// recoverPanics turns a panic into a 500 with a Chinese message and logs
// the stack: a bug must not take the server down.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic", "err", v, "path", r.URL.Path, "stack", string(debug.Stack()))
				writeJSONError(w, http.StatusInternalServerError, "internal", "系统内部错误，请稍后重试或联系管理员", "")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// secureHeaders sets what every response carries: no framing, no MIME
// sniffing, and a Content-Security-Policy that allows only this origin's
// scripts — no inline script, nothing from another host; over TLS, HSTS.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if s.HSTS {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests a browser sends from another
// site (Sec-Fetch-Site / Origin); API clients with a bearer token send
// neither header and pass.
func crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusForbidden, "forbidden", "跨站请求被拒绝", "")
	}))
	return cop.Handler(next)
}

func cacheForever(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		next.ServeHTTP(w, r)
	})
}
