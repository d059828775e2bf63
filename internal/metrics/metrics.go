// Package metrics holds the Prometheus metrics of the process, served at
// /metrics. Any package may count what it does here; the names are
// documented in docs/运维手册.md.
package metrics

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry is the process's own registry (not the client library's
// global one), with the Go runtime and process collectors.
var Registry = prometheus.NewRegistry()

var (
	// RequestDuration is the latency of HTTP requests by route pattern
	// (e.g. "PUT /api/v1/projects/{projectID}/reports/{period}"), so that
	// IDs do not make a series each.
	RequestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "minsheng_http_request_duration_seconds",
		Help:    "HTTP 请求耗时（秒），按路由、方法、状态码",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "code"})
	// ReportsSubmitted counts monthly reports submitted (not repeats).
	ReportsSubmitted = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "minsheng_reports_submitted_total",
		Help: "已报送的月度进展报告数",
	})
	// RemindersSent counts reminders sent to units, by channel; the
	// reminder sender increments it.
	RemindersSent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "minsheng_reminders_sent_total",
		Help: "已发送的催报提醒数，按渠道",
	}, []string{"channel"})
	// Logins counts login attempts by outcome (ok, failed, locked,
	// limited).
	Logins = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "minsheng_logins_total",
		Help: "登录尝试次数，按结果",
	}, []string{"outcome"})
	// RateLimited counts requests refused by a rate limit, by limit.
	RateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "minsheng_rate_limited_total",
		Help: "因频率限制被拒绝的请求数，按限制",
	}, []string{"limit"})
)

var queue struct {
	sync.Mutex
	depth func() float64
}

// SetQueueDepth names the function that tells how many writes wait for
// the database; the last one set is read at each scrape.
func SetQueueDepth(f func() float64) {
	queue.Lock()
	queue.depth = f
	queue.Unlock()
}

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		RequestDuration, ReportsSubmitted, RemindersSent, Logins, RateLimited,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "minsheng_write_queue_depth",
			Help: "等待写入数据库的请求数（SQLite：排队的写事务；PostgreSQL：使用中的连接）",
		}, func() float64 {
			queue.Lock()
			defer queue.Unlock()
			if queue.depth == nil {
				return 0
			}
			return queue.depth()
		}),
	)
}

// Handler serves the registry in Prometheus' text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry})
}
