package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emmansun/gmsm/sm3"

	"minsheng/internal/metrics"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// Residents' feedback: a satisfaction vote and comments per project, from
// the project's feedback page (a form, no script needed) or the API.
// Against stuffing: a limit per client address and hour for each kind of
// write, one vote per project and device (a signed token issued on the
// first visit of the feedback page or the first vote; a revote replaces),
// and, when configured, a phone number verified by an SMS code — then the
// number is the voter. These pages are never cached.

// DeviceCookie holds a resident's device token.
const DeviceCookie = "minsheng_device"

// DeviceHeader carries the device token of an API client.
const DeviceHeader = "X-Device-Token"

func randomKey() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return k
}

// newDeviceToken returns a token: a random ID and its HMAC-SM3 under the
// portal's device key, so that the server needs to store nothing to know
// it issued the token.
func (p *Portal) newDeviceToken() string {
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		panic(err)
	}
	return p.signDevice(hex.EncodeToString(id))
}

func (p *Portal) signDevice(id string) string {
	m := hmac.New(sm3.New, p.DeviceKey)
	m.Write([]byte("device:" + id))
	return id + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// deviceID returns the ID of a request's device token when its signature
// holds, else "".
func (p *Portal) deviceID(r *http.Request) string {
	tok := r.Header.Get(DeviceHeader)
	if tok == "" {
		if c, err := r.Cookie(DeviceCookie); err == nil {
			tok = c.Value
		}
	}
	id, _, ok := strings.Cut(tok, ".")
	if !ok || len(id) != 32 || subtle.ConstantTimeCompare([]byte(p.signDevice(id)), []byte(tok)) != 1 {
		return ""
	}
	return id
}

// ensureDevice returns the request's device ID, issuing a token (as a
// cookie, and returned for API clients) when it has none.
func (s *Server) ensureDevice(w http.ResponseWriter, r *http.Request) (id, token string) {
	if id := s.Portal.deviceID(r); id != "" {
		return id, ""
	}
	token = s.Portal.newDeviceToken()
	http.SetCookie(w, &http.Cookie{Name: DeviceCookie, Value: token, Path: "/public/", MaxAge: 400 * 24 * 3600,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	id, _, _ = strings.Cut(token, ".")
	return id, token
}

// rateLimits counts each client address's writes per kind in fixed
// windows of an hour.
type rateLimits struct {
	mu      sync.Mutex
	windows map[string]*rateWindow
}

type rateWindow struct {
	start time.Time
	n     int
}

func newRateLimits() *rateLimits { return &rateLimits{windows: map[string]*rateWindow{}} }

// allow counts one request of kind from addr and reports whether it is
// within limit per hour, and if not how long until it is.
func (l *rateLimits) allow(kind, addr string, limit int, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.windows) > 100000 {
		for k, w := range l.windows {
			if now.Sub(w.start) >= time.Hour {
				delete(l.windows, k)
			}
		}
	}
	key := kind + "|" + addr
	w := l.windows[key]
	if w == nil || now.Sub(w.start) >= time.Hour {
		w = &rateWindow{start: now}
		l.windows[key] = w
	}
	if w.n >= limit {
		return false, w.start.Add(time.Hour).Sub(now)
	}
	w.n++
	return true, 0
}

// limit applies the hourly limit of a kind of write to the request's
// client address (ops.go: behind server.trusted_proxies, the address they
// name). It comes on top of the per-minute limit of every public write
// (limitPublic): a burst is cut there, a steady trickle of one kind here.
func (s *Server) limit(r *http.Request, kind string, perHour int) error {
	ok, wait := s.Portal.limits.allow(kind, s.clientAddr(r), perHour, s.Now())
	if ok {
		return nil
	}
	metrics.RateLimited.WithLabelValues(kind).Inc()
	return &plan.Error{Code: "rate_limited", Message: fmt.Sprintf("操作过于频繁，请 %d 分钟后再试", int(wait.Minutes())+1)}
}

// SMSSender sends a text message; phone verification needs one.
type SMSSender interface {
	SendSMS(ctx context.Context, phone, text string) error
}

// HTTPSMS posts {"phone","text"} as JSON to a government SMS gateway and
// takes any 2xx as sent.
type HTTPSMS struct {
	URL    string
	Client *http.Client
}

// SendSMS sends one message.
func (h HTTPSMS) SendSMS(ctx context.Context, phone, text string) error {
	body, _ := json.Marshal(map[string]string{"phone": phone, "text": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	c := h.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("短信网关不可用：%w", err)
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("短信网关返回 %s", res.Status)
	}
	return nil
}

func smsText(code string) string {
	return fmt.Sprintf("【民生实事】您的验证码为%s，%d分钟内有效，用于民生实事满意度评价。如非本人操作请忽略。", code, int(store.PhoneCodeTTL.Minutes()))
}

// sendPhoneCode issues a code for a phone number and texts it. sent is
// false when one was sent less than a minute ago (that one holds).
func (s *Server) sendPhoneCode(r *http.Request, phone string) (sent bool, wait time.Duration, err error) {
	if !s.Portal.Config.PhoneVerification || s.Portal.SMS == nil {
		return false, 0, plan.FieldError("phone", "本平台未开启手机验证，无需获取验证码")
	}
	if err := s.limit(r, "code", s.Portal.Config.CodesPerHour); err != nil {
		return false, 0, err
	}
	code, wait, err := s.Store.IssuePhoneCode(r.Context(), phone)
	if err != nil || code == "" {
		return false, wait, err
	}
	p, _ := store.NormalizePhone("phone", phone)
	if err := s.Portal.SMS.SendSMS(r.Context(), p, smsText(code)); err != nil {
		s.Log.Error("sms", "err", err)
		return false, 0, &plan.Error{Code: "sms_failed", Message: "验证码短信发送失败，请稍后再试"}
	}
	return true, 0, nil
}

// voteRequest is the body of a vote (API) or the vote form.
type voteRequest struct {
	Choice plan.Rating `json:"choice"`
	Phone  string      `json:"phone,omitempty"`
	Code   string      `json:"code,omitempty"`
}

// castVote applies the limits and the phone check and records the vote.
func (s *Server) castVote(r *http.Request, projectID, device string, in voteRequest) error {
	if err := s.limit(r, "vote", s.Portal.Config.VotesPerHour); err != nil {
		return err
	}
	v := store.VoteInput{Choice: in.Choice, Device: device}
	if s.Portal.Config.PhoneVerification {
		if strings.TrimSpace(in.Phone) == "" {
			return plan.FieldError("phone", "本平台评价需验证手机号：请填写手机号并获取短信验证码")
		}
		if strings.TrimSpace(in.Code) == "" {
			return plan.FieldError("code", "请填写短信验证码")
		}
		if err := s.Store.CheckPhoneCode(r.Context(), in.Phone, in.Code); err != nil {
			return err
		}
		v.Phone = in.Phone
	}
	return s.Store.Vote(r.Context(), projectID, v)
}

// voteResponse answers a vote through the API.
type voteResponse struct {
	ProjectID   string      `json:"project_id"`
	Choice      plan.Rating `json:"choice"`
	DeviceToken string      `json:"device_token,omitempty"` // issued now: send it as X-Device-Token next time
}

// voteAPI: POST /api/v1/public/projects/{projectID}/votes.
func (s *Server) voteAPI(w http.ResponseWriter, r *http.Request) {
	var in voteRequest
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	id, token := s.ensureDevice(w, r)
	if err := s.castVote(r, r.PathValue("projectID"), id, in); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, voteResponse{ProjectID: r.PathValue("projectID"), Choice: in.Choice, DeviceToken: token})
}

// commentAPI: POST /api/v1/public/projects/{projectID}/comments — into
// the moderation queue.
func (s *Server) commentAPI(w http.ResponseWriter, r *http.Request) {
	var in store.CommentInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.limit(r, "comment", s.Portal.Config.CommentsPerHour); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Store.AddComment(r.Context(), r.PathValue("projectID"), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

// phoneCodeResponse answers a request for a code.
type phoneCodeResponse struct {
	Sent       bool   `json:"sent"`
	RetryAfter int    `json:"retry_after_seconds,omitempty"`
	Message    string `json:"message"`
}

func phoneCodeAnswer(sent bool, wait time.Duration) phoneCodeResponse {
	if sent {
		return phoneCodeResponse{Sent: true, Message: fmt.Sprintf("验证码已发送，%d 分钟内有效", int(store.PhoneCodeTTL.Minutes()))}
	}
	secs := int(wait.Seconds()) + 1
	return phoneCodeResponse{RetryAfter: secs, Message: fmt.Sprintf("验证码刚刚已发送，仍然有效；如未收到，请 %d 秒后再获取", secs)}
}

// phoneCodeAPI: POST /api/v1/public/phone-codes {"phone"}.
func (s *Server) phoneCodeAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	sent, wait, err := s.sendPhoneCode(r, in.Phone)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, phoneCodeAnswer(sent, wait))
}

// feedbackRoutes lists the residents' feedback pages and API.
func (s *Server) feedbackRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /public/projects/{projectID}/feedback", s.feedbackPage)
	mux.HandleFunc("POST /public/projects/{projectID}/feedback", s.feedbackSubmit)
	mux.HandleFunc("POST /api/v1/public/projects/{projectID}/votes", s.voteAPI)
	mux.HandleFunc("POST /api/v1/public/projects/{projectID}/comments", s.commentAPI)
	mux.HandleFunc("POST /api/v1/public/phone-codes", s.phoneCodeAPI)
}

// feedbackData is the feedback page's data.
type feedbackData struct {
	publicPageData
	Choices    []plan.Rating
	NeedPhone  bool
	Personal   bool // the key is configured: name and phone may be given
	Msg        feedbackMsg
	CommentMax int
	CSRF       string // a logged-in visitor's forms need it too
}

var feedbackFlash = map[string]string{
	"voted":     "感谢您的评价！同一设备再次评价将替换上一次的评价。",
	"commented": "感谢您的意见！意见经审核后公开显示。",
}

// feedbackPage: GET /public/projects/{projectID}/feedback — the vote and
// comment forms. It issues the device token on the first visit.
func (s *Server) feedbackPage(w http.ResponseWriter, r *http.Request) {
	s.ensureDevice(w, r)
	s.renderFeedback(w, r, http.StatusOK, feedbackMsg{Flash: feedbackFlash[r.URL.Query().Get("ok")]})
}

// feedbackMsg is what the feedback page says after a post: a success, or
// an error with the fields it concerns, and the form as it was sent.
type feedbackMsg struct {
	Flash, Error string
	Fields       fieldErrors
	Form         map[string]string
}

func (s *Server) renderFeedback(w http.ResponseWriter, r *http.Request, status int, m feedbackMsg) {
	base := s.publicBase(r)
	_, proj, err := s.publicProject(r)
	if err != nil {
		w.Header().Set("Cache-Control", "no-store")
		s.publicFail(w, r, err)
		return
	}
	if m.Fields == nil {
		m.Fields = fieldErrors{}
	}
	if m.Form == nil {
		m.Form = map[string]string{}
	}
	d := feedbackData{publicPageData: publicPageData{Title: "评价与意见 · " + proj.Title, Project: proj, Base: base},
		Choices: plan.Ratings, NeedPhone: s.Portal.Config.PhoneVerification, Personal: s.Store.Sealer != nil,
		Msg: m, CommentMax: store.MaxCommentRunes, CSRF: CSRFOf(r)}
	t := s.pageSet().pages["public_feedback"]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "public_layout", d); err != nil {
		s.Log.Error("template", "page", "public_feedback", "err", err)
		http.Error(w, "系统内部错误：页面无法显示", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// feedbackSubmit: POST /public/projects/{projectID}/feedback — the form's
// action field says which: vote, comment or code (get an SMS code).
func (s *Server) feedbackSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		s.renderFeedback(w, r, http.StatusBadRequest, feedbackMsg{Error: "无法读取表单"})
		return
	}
	projectID := r.PathValue("projectID")
	form := map[string]string{}
	for _, k := range []string{"choice", "phone", "code", "body", "name", "comment_phone"} {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	var err error
	flash := ""
	switch r.PostFormValue("action") {
	case "vote":
		id, _ := s.ensureDevice(w, r)
		if err = s.castVote(r, projectID, id, voteRequest{Choice: plan.Rating(form["choice"]), Phone: form["phone"], Code: form["code"]}); err == nil {
			http.Redirect(w, r, "/public/projects/"+projectID+"/feedback?ok=voted", http.StatusSeeOther)
			return
		}
	case "comment":
		if err = s.limit(r, "comment", s.Portal.Config.CommentsPerHour); err == nil {
			if _, err = s.Store.AddComment(r.Context(), projectID, store.CommentInput{Body: form["body"], Name: form["name"], Phone: form["comment_phone"]}); err == nil {
				http.Redirect(w, r, "/public/projects/"+projectID+"/feedback?ok=commented", http.StatusSeeOther)
				return
			}
			if e, ok := err.(*plan.Error); ok && e.Field == "phone" {
				err = plan.FieldError("comment_phone", "%s", e.Message)
			}
		}
	case "code":
		var sent bool
		var wait time.Duration
		if sent, wait, err = s.sendPhoneCode(r, form["phone"]); err == nil {
			flash = phoneCodeAnswer(sent, wait).Message
		}
	default:
		err = plan.FieldError("action", "未知的操作")
	}
	if err != nil {
		fe, _, msg := problemsOf(err)
		status := statusOf[plan.ErrorCode(err)]
		if status == 0 {
			status = http.StatusBadRequest
		}
		if plan.ErrorCode(err) == plan.EInternal {
			s.Log.Error("internal error", "path", r.URL.Path, "err", err)
			status = http.StatusInternalServerError
		}
		s.renderFeedback(w, r, status, feedbackMsg{Error: msg, Fields: fe, Form: form})
		return
	}
	s.renderFeedback(w, r, http.StatusOK, feedbackMsg{Flash: flash, Form: form})
}
