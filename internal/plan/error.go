package plan

import (
	"errors"
	"fmt"
)

// Error codes. They are stable machine codes: the HTTP layer maps each to a
// status (invalid→400/422, unauthorized→401, forbidden→403, not_found→404,
// conflict→409, too_large→413, unavailable→503) and clients may switch on
// them.
const (
	EInvalid      = "invalid"
	ENotFound     = "not_found"
	EConflict     = "conflict"
	EForbidden    = "forbidden"
	EUnauthorized = "unauthorized"
	ETooLarge     = "too_large"
	// EUnavailable: the database cannot take the request now (disk full,
	// database restarting); nothing was changed and a retry may succeed.
	EUnavailable = "unavailable"
	EInternal    = "internal"
)

// Error is the one error type the domain and the store return for anything
// a user can cause or must be told about. Message is Chinese and meant for
// the user; Field names the input field at fault, when there is one.
// Details carries every problem of a validation, the first error of which
// is also in Message/Field.
type Error struct {
	Code    string    `json:"code"`
	Message string    `json:"message"`
	Field   string    `json:"field,omitempty"`
	Details []Problem `json:"details,omitempty"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EInvalid *Error about one field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, EInternal for any
// other non-nil error and "" for nil. Unknown errors are internal because
// they are bugs or outages, never the user's fault.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err. Internal errors get a
// generic message so that SQL or file paths never reach a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "系统内部错误，请稍后重试或联系管理员"
}

// Severity of a Problem found by a validation.
const (
	ProblemError   = "error"   // blocks saving or submitting
	ProblemWarning = "warning" // shown to the user, does not block
)

// Problem is one finding of a validation, tied to a field.
type Problem struct {
	Field    string `json:"field"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
}

// Problems is the result of a validation.
type Problems []Problem

func (ps *Problems) errorf(field, format string, args ...any) {
	*ps = append(*ps, Problem{Field: field, Message: fmt.Sprintf(format, args...), Severity: ProblemError})
}

func (ps *Problems) warnf(field, format string, args ...any) {
	*ps = append(*ps, Problem{Field: field, Message: fmt.Sprintf(format, args...), Severity: ProblemWarning})
}

// Errors returns only the blocking problems.
func (ps Problems) Errors() Problems { return ps.filter(ProblemError) }

// Warnings returns only the non-blocking problems.
func (ps Problems) Warnings() Problems { return ps.filter(ProblemWarning) }

func (ps Problems) filter(sev string) Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == sev {
			out = append(out, p)
		}
	}
	return out
}

// Err returns nil when there is no blocking problem, otherwise an EInvalid
// *Error whose Message and Field are those of the first error and whose
// Details list every problem (warnings included, so one answer says all).
func (ps Problems) Err() error {
	errs := ps.Errors()
	if len(errs) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: errs[0].Message, Field: errs[0].Field, Details: append(Problems(nil), ps...)}
}
