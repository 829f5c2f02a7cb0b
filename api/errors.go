package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"fuyi/services/errs"
)

// errorBody is the one error envelope of the API.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	Details   map[string]any    `json:"details,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// statusOf is the one mapping from error kinds to HTTP status codes.
func statusOf(k errs.Kind) int {
	switch k {
	case errs.KindInvalid:
		return http.StatusBadRequest
	case errs.KindUnauthenticated:
		return http.StatusUnauthorized
	case errs.KindForbidden:
		return http.StatusForbidden
	case errs.KindNotFound:
		return http.StatusNotFound
	case errs.KindConflict:
		return http.StatusConflict
	case errs.KindRule:
		return http.StatusUnprocessableEntity
	case errs.KindTooMany:
		return http.StatusTooManyRequests
	case errs.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

// lang returns "en" or "zh" from the request's Accept-Language (zh-CN default).
func lang(c *gin.Context) string {
	if l := c.Query("lang"); l != "" {
		if strings.HasPrefix(strings.ToLower(l), "en") {
			return "en"
		}
		return "zh"
	}
	al := strings.ToLower(c.GetHeader("Accept-Language"))
	for _, part := range strings.Split(al, ",") {
		tag := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "zh"
}

// fail writes err as the error envelope and aborts the request. A 500 logs
// the cause and reveals nothing.
func fail(c *gin.Context, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = errs.New(errs.KindTooLarge, "too_large", "请求体过大", "request body too large")
	}
	e := errs.As(err)
	status := statusOf(e.Kind)
	l := lang(c)
	body := errorBody{Error: errorDetail{Code: e.Code, Message: e.Message.In(l), Details: e.Details, RequestID: c.GetString(ctxRequestID)}}
	if len(e.Fields) > 0 {
		body.Error.Fields = map[string]string{}
		for k, v := range e.Fields {
			body.Error.Fields[k] = v.In(l)
		}
	}
	if status == http.StatusInternalServerError {
		slog.ErrorContext(c.Request.Context(), "internal error", "err", err, "request_id", c.GetString(ctxRequestID), "path", c.FullPath())
		body.Error.Details = nil
	}
	if e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	c.AbortWithStatusJSON(status, body)
}

// bindJSON decodes the body into dst; a malformed body is a 400.
func bindJSON(c *gin.Context, dst any) bool {
	if err := c.ShouldBindJSON(dst); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(c, err)
			return false
		}
		fail(c, errs.Invalid("请求体不是有效的 JSON："+err.Error(), "the body is not valid JSON: "+err.Error()))
		return false
	}
	return true
}

// pathID parses the :id path parameter; a bad one is a 404 (nothing there).
func pathID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		fail(c, errs.NotFound("resource", "记录"))
		return 0, false
	}
	return id, true
}
