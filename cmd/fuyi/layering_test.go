package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection enforces cmd → api → services → models (DESIGN §2):
// models imports nothing of ours; services never imports api, cmd, gin or
// net/http; api never imports models or gorm; frontend imports nothing of ours.
func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}|{{join .Imports " "}}`, "fuyi/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type rule struct {
		pkgPrefix string
		forbidden []string
	}
	rules := []rule{
		{"fuyi/models", []string{"fuyi/services", "fuyi/api", "fuyi/cmd", "fuyi/frontend", "github.com/gin-gonic/gin", "net/http"}},
		{"fuyi/services", []string{"fuyi/api", "fuyi/cmd", "fuyi/frontend", "github.com/gin-gonic/gin", "net/http"}},
		{"fuyi/api", []string{"fuyi/models", "fuyi/cmd", "gorm.io/gorm"}},
		{"fuyi/frontend", []string{"fuyi/"}},
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, "|")
		for _, r := range rules {
			if pkg != r.pkgPrefix && !strings.HasPrefix(pkg, r.pkgPrefix+"/") {
				continue
			}
			checked++
			for _, imp := range strings.Fields(imports) {
				for _, f := range r.forbidden {
					if imp == f || strings.HasPrefix(imp, f+"/") || (strings.HasSuffix(f, "/") && strings.HasPrefix(imp, f)) {
						t.Errorf("%s imports %s: dependencies must point cmd → api → services → models", pkg, imp)
					}
				}
			}
		}
	}
	if checked < 4 {
		t.Fatalf("checked only %d packages; is go list seeing the module?", checked)
	}
}
