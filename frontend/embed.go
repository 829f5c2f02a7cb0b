// Package frontend embeds the built Vue SPA (frontend/dist/spa) into the fuyi binary.
package frontend

import (
	"embed"
	"io/fs"
)

// dist holds frontend/dist; dist/.placeholder is committed so the embed compiles without Node.
//
//go:embed all:dist
var dist embed.FS

// SPA returns the built single-page app as a file system rooted at dist/spa, and whether a
// built index.html exists there (false when the frontend has not been built).
func SPA() (fs.FS, bool) {
	sub, err := fs.Sub(dist, "dist/spa")
	if err != nil {
		return nil, false
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return sub, false
	}
	return sub, true
}
