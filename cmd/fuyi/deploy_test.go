package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// repoFile reads a file at the repository root (tests run in cmd/fuyi).
func repoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var fuyiVarRE = regexp.MustCompile(`\bFUYI_[A-Z0-9_]+\b`)

// knownVariable reports whether name is a configSettings variable, or
// NAME_FILE of a secret one.
func knownVariable(name string) bool {
	for _, s := range configSettings {
		if name == s.Env || (s.Secret && name == s.Env+"_FILE") {
			return true
		}
	}
	return false
}

// TestDeployFilesUseOnlyKnownVariables checks docker-compose.yml, the
// Dockerfile and deploy/nginx.conf statically (no Docker engine here): the
// YAML parses, every FUYI_* name exists in the config loader, the services,
// ports, healthchecks, volumes and secrets are there, the Dockerfile has its
// three stages, a non-root USER, EXPOSE and HEALTHCHECK.
func TestDeployFilesUseOnlyKnownVariables(t *testing.T) {
	compose := repoFile(t, "docker-compose.yml")
	dockerfile := repoFile(t, "Dockerfile")
	nginx := repoFile(t, "deploy/nginx.conf")
	for file, text := range map[string]string{"docker-compose.yml": compose, "Dockerfile": dockerfile, "deploy/nginx.conf": nginx} {
		for _, name := range fuyiVarRE.FindAllString(text, -1) {
			if !knownVariable(name) {
				t.Errorf("%s uses %s, which configSettings does not know", file, name)
			}
		}
	}

	type healthcheck struct {
		Test []string `yaml:"test"`
	}
	type service struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Environment map[string]string `yaml:"environment"`
		Secrets     []string          `yaml:"secrets"`
		Volumes     []string          `yaml:"volumes"`
		Ports       []string          `yaml:"ports"`
		Healthcheck *healthcheck      `yaml:"healthcheck"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
	}
	var doc struct {
		Services map[string]service `yaml:"services"`
		Volumes  map[string]any     `yaml:"volumes"`
		Secrets  map[string]struct {
			File string `yaml:"file"`
		} `yaml:"secrets"`
	}
	if err := yaml.Unmarshal([]byte(compose), &doc); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	db, ok := doc.Services["db"]
	if !ok || !strings.HasPrefix(db.Image, "postgres:") || db.Healthcheck == nil || len(db.Healthcheck.Test) == 0 {
		t.Errorf("db: want a postgres image with a healthcheck, got %+v", db)
	}
	if len(db.Volumes) == 0 || !strings.HasSuffix(db.Volumes[0], ":/var/lib/postgresql/data") {
		t.Errorf("db: no data volume: %v", db.Volumes)
	}
	replicas := 0
	for name, s := range doc.Services {
		if s.Build == nil && s.Image != "fuyi:latest" {
			continue
		}
		replicas++
		if s.Environment["FUYI_DATABASE_URL_FILE"] == "" || s.Environment["FUYI_JWT_SECRET_FILE"] == "" {
			t.Errorf("%s: secrets must come through FUYI_DATABASE_URL_FILE and FUYI_JWT_SECRET_FILE: %v", name, s.Environment)
		}
		if s.Environment["FUYI_DATABASE_URL"] != "" || s.Environment["FUYI_JWT_SECRET"] != "" {
			t.Errorf("%s: a secret in plain environment", name)
		}
		if s.Healthcheck == nil || !strings.Contains(strings.Join(s.Healthcheck.Test, " "), "/readyz") {
			t.Errorf("%s: healthcheck should hit /readyz: %+v", name, s.Healthcheck)
		}
		if s.DependsOn["db"].Condition != "service_healthy" {
			t.Errorf("%s: should wait for a healthy db", name)
		}
		for _, sec := range s.Secrets {
			if doc.Secrets[sec].File == "" {
				t.Errorf("%s: secret %s is not defined with a file", name, sec)
			}
		}
	}
	if replicas < 2 {
		t.Errorf("%d fuyi replicas, want 2", replicas)
	}
	proxy, ok := doc.Services["proxy"]
	if !ok || !strings.HasPrefix(proxy.Image, "nginx:") || len(proxy.Ports) == 0 || proxy.Healthcheck == nil {
		t.Errorf("proxy: want an nginx image with ports and a healthcheck, got %+v", proxy)
	}
	if !strings.Contains(strings.Join(proxy.Volumes, " "), "./deploy/nginx.conf:/etc/nginx/nginx.conf") {
		t.Errorf("proxy does not mount deploy/nginx.conf: %v", proxy.Volumes)
	}
	for _, v := range []string{"pgdata", "fuyi-data"} {
		if _, ok := doc.Volumes[v]; !ok {
			t.Errorf("volume %s not declared", v)
		}
	}
	for _, upstream := range []string{"server fuyi1:8080", "server fuyi2:8080", "proxy_pass http://fuyi;"} {
		if !strings.Contains(nginx, upstream) {
			t.Errorf("deploy/nginx.conf lacks %q", upstream)
		}
	}

	// Dockerfile: three stages, cgo, a non-root user in the final stage.
	stages := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(dockerfile, -1)
	wantStages := []string{"node:20", "golang:1.26", "debian:bookworm-slim"}
	if len(stages) != len(wantStages) {
		t.Fatalf("Dockerfile has %d stages, want %d", len(stages), len(wantStages))
	}
	for i, w := range wantStages {
		if !strings.HasPrefix(stages[i][1], w) {
			t.Errorf("Dockerfile stage %d is %s, want %s", i+1, stages[i][1], w)
		}
	}
	final := dockerfile[strings.LastIndex(dockerfile, "\nFROM "):]
	user := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindStringSubmatch(final)
	if user == nil || strings.HasPrefix(user[1], "root") || strings.HasPrefix(user[1], "0") {
		t.Errorf("final stage must run as a non-root USER, got %v", user)
	}
	for _, want := range []string{"CGO_ENABLED=1", "\nEXPOSE 8080", "\nHEALTHCHECK ", "/healthz", "npm run build", "COPY --from=frontend", "COPY --from=build"} {
		if !strings.Contains(dockerfile, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}

// TestOperationsDocCoversEveryVariable checks that docs/operations.md lists
// every configSettings variable with its default on the same line, and
// mentions no FUYI_* variable the config loader does not know.
func TestOperationsDocCoversEveryVariable(t *testing.T) {
	doc := repoFile(t, "docs/operations.md")
	lines := strings.Split(doc, "\n")
	for _, s := range configSettings {
		found := false
		for _, l := range lines {
			if strings.Contains(l, "`"+s.Env+"`") && strings.HasPrefix(strings.TrimSpace(l), "|") {
				found = true
				if s.Default != "" && !strings.Contains(l, "`"+s.Default+"`") {
					t.Errorf("docs/operations.md: the row of %s does not give its default `%s`", s.Env, s.Default)
				}
			}
		}
		if !found {
			t.Errorf("docs/operations.md has no table row for %s", s.Env)
		}
	}
	for _, name := range fuyiVarRE.FindAllString(doc, -1) {
		if !knownVariable(name) {
			t.Errorf("docs/operations.md mentions %s, which configSettings does not know", name)
		}
	}
}
