package api

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"fuyi/services/errs"
)

// noRoute serves the SPA: a file of the build when it exists (hashed assets
// cached forever), index.html for any other GET (client-side routes, never
// cached). /api/* never falls through to the SPA.
func (s *Server) noRoute(c *gin.Context) {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/api/") || p == "/api" {
		fail(c, errs.New(errs.KindNotFound, "no_route", "接口不存在", "no such API route"))
		return
	}
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		fail(c, errs.New(errs.KindNotFound, "no_route", "页面不存在", "not found"))
		return
	}
	if s.SPA == nil {
		c.Header("Cache-Control", "no-store")
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(placeholderPage))
		return
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name != "" && name != "index.html" {
		if st, err := fs.Stat(s.SPA, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				c.Header("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				c.Header("Cache-Control", "no-cache")
			}
			c.FileFromFS(name, http.FS(s.SPA))
			return
		}
		if strings.HasPrefix(name, "assets/") {
			fail(c, errs.NotFound("asset", "资源"))
			return
		}
	}
	index, err := fs.ReadFile(s.SPA, "index.html")
	if err != nil {
		fail(c, errs.Internal(err))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", index)
}

const placeholderPage = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>复议 Fuyi</title>
<body><h1>复议 Fuyi</h1><p>前端尚未构建。请运行 <code>make run</code>。</p>
<p>The web app is not built into this binary. Run <code>make run</code>; the API is at <code>/api/v1</code>.</p></body></html>`
