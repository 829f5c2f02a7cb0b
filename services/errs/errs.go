// Package errs defines Fuyi's categorised errors. Services return them; the
// api package maps each Kind to one HTTP status. Every message exists in
// zh-CN and English; field errors name the field.
package errs

import (
	"errors"
	"fmt"
)

// Kind is the category of an error.
type Kind int

// The error categories.
const (
	KindInternal        Kind = iota // 500, reveals nothing
	KindInvalid                     // 400, validation; Fields names the fields
	KindUnauthenticated             // 401
	KindForbidden                   // 403
	KindNotFound                    // 404
	KindConflict                    // 409, stale version, duplicate, state conflict
	KindRule                        // 422, a domain rule refuses the action
	KindTooMany                     // 429
	KindTooLarge                    // 413
)

// Msg is a message in both languages.
type Msg struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// In returns the message in lang ("en" or anything else for zh-CN).
func (m Msg) In(lang string) string {
	if lang == "en" && m.EN != "" {
		return m.EN
	}
	return m.ZH
}

// Error is a categorised, bilingual error.
type Error struct {
	Kind    Kind
	Code    string
	Message Msg
	Fields  map[string]Msg
	// Details carries extra machine-readable data (e.g. current_status, allowed_actions).
	Details map[string]any
	// RetryAfter (seconds) accompanies KindTooMany.
	RetryAfter int
	Err        error
}

func (e *Error) Error() string {
	s := e.Code + ": " + e.Message.EN
	for k, v := range e.Fields {
		s += fmt.Sprintf("; %s: %s", k, v.EN)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Field adds a field error and returns e.
func (e *Error) Field(name, zh, en string) *Error {
	if e.Fields == nil {
		e.Fields = map[string]Msg{}
	}
	e.Fields[name] = Msg{ZH: zh, EN: en}
	return e
}

// With adds a detail and returns e.
func (e *Error) With(key string, v any) *Error {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details[key] = v
	return e
}

// New makes an error of a kind.
func New(kind Kind, code, zh, en string) *Error {
	return &Error{Kind: kind, Code: code, Message: Msg{ZH: zh, EN: en}}
}

// Invalid is a 400 validation error; add fields with Field.
func Invalid(zh, en string) *Error { return New(KindInvalid, "validation_failed", zh, en) }

// InvalidField is a 400 naming one field.
func InvalidField(field, zh, en string) *Error {
	return Invalid("输入有误："+zh, "invalid input: "+en).Field(field, zh, en)
}

// NotFound is a 404 for a kind of thing ("case", "案件").
func NotFound(what, zhWhat string) *Error {
	return New(KindNotFound, "not_found", zhWhat+"不存在", what+" not found")
}

// Forbidden is a 403.
func Forbidden(zh, en string) *Error { return New(KindForbidden, "forbidden", zh, en) }

// Unauthenticated is a 401.
func Unauthenticated(zh, en string) *Error {
	return New(KindUnauthenticated, "unauthenticated", zh, en)
}

// Conflict is a 409.
func Conflict(code, zh, en string) *Error { return New(KindConflict, code, zh, en) }

// Stale is the 409 for a write with an old version.
func Stale(current int64) *Error {
	return New(KindConflict, "stale_version",
		"记录已被他人修改，请刷新后重试",
		"the record was changed by someone else; reload and try again").With("current_version", current)
}

// Rule is a 422 domain-rule refusal.
func Rule(code, zh, en string) *Error { return New(KindRule, code, zh, en) }

// Internal wraps an unexpected error; its text is logged, never shown.
func Internal(err error) *Error {
	return &Error{Kind: KindInternal, Code: "internal", Message: Msg{ZH: "服务器内部错误", EN: "internal server error"}, Err: err}
}

// As returns the *Error inside err, or an internal error wrapping it.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}
