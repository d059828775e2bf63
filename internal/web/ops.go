package web

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"minsheng/internal/metrics"
)

// Operations: readiness, metrics, client addresses and rate limits.

// readyz answers 200 when the database answers, 503 otherwise: a load
// balancer sends no traffic to an instance whose database is gone.
// /healthz (the process is up) does not touch the database.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.Ping(r.Context()); err != nil {
		s.Log.Error("readyz", "err", err)
		w.Header().Set("Retry-After", "5")
		writeJSONError(w, http.StatusServiceUnavailable, "unavailable", "数据库暂时不可用", "")
		return
	}
	w.Write([]byte("ok\n"))
}

// metricsHandler serves Prometheus metrics to the networks of
// MetricsAllow only: the figures say how the office works.
func (s *Server) metricsHandler() http.HandlerFunc {
	h := metrics.Handler()
	return func(w http.ResponseWriter, r *http.Request) {
		if !inPrefixes(remoteAddr(r), s.MetricsAllow) {
			writeJSONError(w, http.StatusForbidden, "forbidden", "本机地址之外不提供运行指标（见配置 server.metrics_allow）", "")
			return
		}
		h.ServeHTTP(w, r)
	}
}

func remoteAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the address a request came from: the peer, or, when the
// peer is a trusted proxy, the last address X-Forwarded-For names that is
// not itself a trusted proxy.
func (s *Server) clientAddr(r *http.Request) string {
	a := remoteAddr(r)
	if !inPrefixes(a, s.TrustedProxies) {
		return a.String()
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !inPrefixes(h.Unmap(), s.TrustedProxies) {
			return h.Unmap().String()
		}
	}
	return a.String()
}

// Limits are the rate limits of the server; a nil *keyedLimiter lets
// everything through.
type Limits struct {
	LoginPerUser    *keyedLimiter // login attempts per username
	LoginPerAddress *keyedLimiter // login attempts per client address
	Public          *keyedLimiter // public feedback and uploads per client address
}

// NewLimits returns limits of so many requests a minute (0: none), each
// with a burst of that many.
func NewLimits(loginPerUser, loginPerAddress, public int) Limits {
	return Limits{newKeyedLimiter(loginPerUser), newKeyedLimiter(loginPerAddress), newKeyedLimiter(public)}
}

// keyedLimiter is a token bucket per key (a username, an address),
// forgetting keys unused for ten minutes so that a flood of addresses
// cannot grow it without bound.
type keyedLimiter struct {
	perMinute int
	mu        sync.Mutex
	buckets   map[string]*bucket
	swept     time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

func newKeyedLimiter(perMinute int) *keyedLimiter {
	if perMinute <= 0 {
		return nil
	}
	return &keyedLimiter{perMinute: perMinute, buckets: map[string]*bucket{}}
}

// allow takes a token of key's bucket at now; false: over the limit.
func (k *keyedLimiter) allow(key string, now time.Time) bool {
	if k == nil {
		return true
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if now.Sub(k.swept) > time.Minute {
		for key, b := range k.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(k.buckets, key)
			}
		}
		k.swept = now
	}
	b := k.buckets[key]
	if b == nil {
		b = &bucket{l: rate.NewLimiter(rate.Limit(float64(k.perMinute)/60), k.perMinute)}
		k.buckets[key] = b
	}
	b.seen = now
	return b.l.AllowN(now, 1)
}

const tooManyMessage = "请求过于频繁，请一分钟后再试"

// tooMany answers 429 in Chinese.
func tooMany(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(60))
	writeJSONError(w, http.StatusTooManyRequests, "rate_limited", tooManyMessage, "")
}

// limitPublic bounds unsafe requests to the public pages and API
// (feedback from residents) and every upload, per client address.
func (s *Server) limitPublic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !safeMethod(r.Method) && (isPublicPath(r.URL.Path) || isUploadPath(r.URL.Path)) &&
			!s.Limits.Public.allow(s.clientAddr(r), s.Now()) {
			metrics.RateLimited.WithLabelValues("public").Inc()
			tooMany(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isPublicPath(p string) bool {
	return strings.HasPrefix(p, "/public/") || strings.HasPrefix(p, "/api/v1/public/")
}

func isUploadPath(p string) bool {
	return strings.HasSuffix(p, "/attachments") || strings.HasSuffix(p, "/import") || strings.HasSuffix(p, "/photos")
}

// loginLimited applies both login limits and returns the one exceeded,
// "" when the attempt may go on.
func (s *Server) loginLimited(r *http.Request, username string) string {
	now := s.Now()
	limit := ""
	switch {
	case !s.Limits.LoginPerAddress.allow(s.clientAddr(r), now):
		limit = "login_address"
	case !s.Limits.LoginPerUser.allow(strings.ToLower(strings.TrimSpace(username)), now):
		limit = "login_user"
	default:
		return ""
	}
	metrics.Logins.WithLabelValues("limited").Inc()
	metrics.RateLimited.WithLabelValues(limit).Inc()
	return limit
}
