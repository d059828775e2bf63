package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// apiError is the one shape of every API error.
type apiError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Field   string         `json:"field,omitempty"`
	Details []plan.Problem `json:"details,omitempty"`
}

// statusOf maps the domain's error codes to HTTP statuses.
var statusOf = map[string]int{
	plan.EInvalid:      http.StatusUnprocessableEntity,
	plan.ENotFound:     http.StatusNotFound,
	plan.EConflict:     http.StatusConflict,
	plan.EForbidden:    http.StatusForbidden,
	plan.EUnauthorized: http.StatusUnauthorized,
	plan.ETooLarge:     http.StatusRequestEntityTooLarge,
	plan.EUnavailable:  http.StatusServiceUnavailable,
	// Input that cannot even be read is 400; input read but wrong is 422.
	"bad_json":    http.StatusBadRequest,
	"bad_request": http.StatusBadRequest,
	"bad_period":  http.StatusBadRequest,
	// Too many requests from one address (public proposals, residents' feedback).
	"rate_limited": http.StatusTooManyRequests,
	"sms_failed":   http.StatusServiceUnavailable,
}

// asOutage returns an outage the store left unmapped (store.IsUnavailable:
// disk full, PostgreSQL down) as the domain's unavailable error, its cause
// kept for the log, so that the API and the pages answer it alike: 503,
// retry. Any other error comes back as it is.
func asOutage(err error) error {
	var e *plan.Error
	if !errors.As(err, &e) && store.IsUnavailable(err) {
		return fmt.Errorf("%w: %w", &plan.Error{Code: plan.EUnavailable, Message: "数据库暂时无法写入或连接，本次操作未生效，请稍后重试"}, err)
	}
	return err
}

// failFor answers err as a page to a browser asking for one (wantsPage),
// else as JSON: for what runs before the handler (the session lookup).
func (s *Server) failFor(w http.ResponseWriter, r *http.Request, err error) {
	if wantsPage(r) {
		s.pageFail(w, r, err)
		return
	}
	s.fail(w, r, err)
}

// fail writes err as a JSON error. Errors that are not plan.Errors are
// bugs or outages: outages are 503 (asOutage), the rest is logged and
// shown as a generic 500.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	err = asOutage(err)
	var e *plan.Error
	errors.As(err, &e)
	if e == nil {
		s.Log.Error("internal error", "path", r.URL.Path, "err", err)
		writeJSONError(w, http.StatusInternalServerError, plan.EInternal, plan.ErrorMessage(err), "")
		return
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusBadRequest
	}
	if status == http.StatusServiceUnavailable {
		s.unavailable(w, r, err)
	}
	writeJSON(w, status, apiError{Code: e.Code, Message: e.Message, Field: e.Field, Details: e.Details})
}

// unavailable logs an outage (the operator must see it; the user is told
// to retry) and asks clients to wait a few seconds.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.Error("database unavailable", "path", r.URL.Path, "err", err)
	w.Header().Set("Retry-After", "5")
}

func writeJSONError(w http.ResponseWriter, status int, code, msg, field string) {
	writeJSON(w, status, apiError{Code: code, Message: msg, Field: field})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	writeJSONTo(w, v)
}

func writeJSONTo(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// list is how the API returns a collection; Next is the cursor of the
// next page of a paged list (paging.go).
type list[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

func items[T any](xs []T) list[T] {
	if xs == nil {
		xs = []T{}
	}
	return list[T]{Items: xs}
}

// decodeJSON reads a JSON body into v, refusing unknown fields, trailing
// data and bodies over the limit, with a Chinese message naming the field.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &plan.Error{Code: "bad_json", Message: "请求体只能包含一个 JSON 对象"}
	}
	return nil
}

// jsonError explains a decoding failure in Chinese, naming the field.
func jsonError(err error) *plan.Error {
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
		tooBig  *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooBig):
		return &plan.Error{Code: plan.ETooLarge, Message: fmt.Sprintf("请求体超过 %d 字节上限", tooBig.Limit)}
	case errors.As(err, &syntax):
		return &plan.Error{Code: "bad_json", Message: fmt.Sprintf("JSON 格式错误（第 %d 个字节附近）", syntax.Offset)}
	case errors.As(err, &typeErr):
		return &plan.Error{Code: "bad_json", Field: typeErr.Field, Message: fmt.Sprintf("字段「%s」的类型不对：应为%s", typeErr.Field, jsonTypeName(typeErr.Type.String()))}
	case errors.Is(err, io.EOF):
		return &plan.Error{Code: "bad_json", Message: "请求体为空，应为 JSON 对象"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &plan.Error{Code: "bad_json", Field: field, Message: fmt.Sprintf("未知字段「%s」", field)}
	}
	return &plan.Error{Code: "bad_json", Message: "无法读取 JSON：" + err.Error()}
}

func jsonTypeName(t string) string {
	switch {
	case strings.Contains(t, "int"), strings.Contains(t, "Decimal"), strings.Contains(t, "float"):
		return "数值"
	case strings.Contains(t, "string"):
		return "字符串"
	case strings.HasPrefix(t, "[]"):
		return "数组"
	}
	return "对象"
}

func badRequest(code, field, format string, args ...any) *plan.Error {
	return &plan.Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}
