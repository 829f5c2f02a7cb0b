package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig(nil, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.DatabaseURL != "" || c.LogFormat != "text" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	cases := map[string]map[string]string{
		"FUYI_ADDR":             {"FUYI_ADDR": "8080"},
		"FUYI_DATABASE_URL":     {"FUYI_DATABASE_URL": "mysql://x"},
		"FUYI_JWT_SECRET":       {"FUYI_JWT_SECRET": "short"},
		"FUYI_LOG_FORMAT":       {"FUYI_LOG_FORMAT": "xml"},
		"FUYI_MAX_BODY_BYTES":   {"FUYI_MAX_BODY_BYTES": "-1"},
		"FUYI_SWEEP_INTERVAL":   {"FUYI_SWEEP_INTERVAL": "often"},
		"FUYI_TRUSTED_PROXIES":  {"FUYI_TRUSTED_PROXIES": "not-an-ip"},
		"FUYI_JWT_SECRET_FILE":  {"FUYI_JWT_SECRET_FILE": "/nonexistent/secret"},
		"FUYI_BEHIND_TLS":       {"FUYI_BEHIND_TLS": "maybe"},
		"FUYI_SHUTDOWN_TIMEOUT": {"FUYI_SHUTDOWN_TIMEOUT": "0s"},
		"FUYI_ID_KEY":           {"FUYI_ID_KEY": "not-a-key"},
		"FUYI_ID_KEY_FILE":      {"FUYI_ID_KEY_FILE": "/nonexistent/key"},
	}
	for name, env := range cases {
		_, err := loadConfig(nil, envOf(env))
		if err == nil || !strings.HasPrefix(err.Error(), name) {
			t.Errorf("%s: error %v does not name the variable", name, err)
		}
	}
}

func TestConfigSecretFromFileAndFlagOverridesEnv(t *testing.T) {
	f := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(f, []byte(strings.Repeat("s", 40)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	flags := registerConfigFlags(fs)
	if err := fs.Parse([]string{"--addr", "127.0.0.1:9999"}); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(flags, envOf(map[string]string{"FUYI_JWT_SECRET_FILE": f, "FUYI_ADDR": "127.0.0.1:1111"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.JWTSecret != strings.Repeat("s", 40) || c.Addr != "127.0.0.1:9999" {
		t.Fatalf("got secret %q addr %q", c.JWTSecret, c.Addr)
	}
}

func TestFlagsAfterArguments(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	organ := fs.String("organ", "", "")
	pos, err := parseInterspersed(fs, []string{"a.xlsx", "--organ", "X", "b.csv"})
	if err != nil || *organ != "X" || len(pos) != 2 || pos[0] != "a.xlsx" || pos[1] != "b.csv" {
		t.Fatalf("pos %v organ %q err %v", pos, *organ, err)
	}
}

func TestUnknownCommandAndBadConfigExitCodes(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, nil, &out, &errb, envOf(nil)); code != 2 {
		t.Fatalf("unknown command exit %d", code)
	}
	errb.Reset()
	if code := run(context.Background(), []string{"migrate"}, nil, &out, &errb, envOf(map[string]string{"FUYI_ADDR": "bad"})); code != 2 || !strings.Contains(errb.String(), "FUYI_ADDR") {
		t.Fatalf("bad config: exit %d, %q", code, errb.String())
	}
}

func TestMigrateAndUserAdd(t *testing.T) {
	dir := t.TempDir()
	env := envOf(map[string]string{"FUYI_DATA_DIR": dir})
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"migrate"}, nil, &out, &errb, env); code != 0 {
		t.Fatalf("migrate exit %d: %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "fuyi.db")); err != nil {
		t.Fatalf("no sqlite file: %v", err)
	}
	out.Reset()
	code := run(context.Background(), []string{"user", "add", "--username", "zhang", "--role", "officer"}, strings.NewReader("a-Long-enough-pass\n"), &out, &errb, env)
	if code != 0 || !strings.Contains(out.String(), "created user zhang") {
		t.Fatalf("user add exit %d: %s %s", code, out.String(), errb.String())
	}
	errb.Reset()
	code = run(context.Background(), []string{"user", "add", "--username", "li", "--role", "officer"}, strings.NewReader("123456\n"), &out, &errb, env)
	if code == 0 || !strings.Contains(errb.String(), "password") {
		t.Fatalf("weak password accepted: exit %d %s", code, errb.String())
	}
}

func TestConfigIDKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xab}, 32)
	c, err := loadConfig(nil, envOf(nil))
	if err != nil || c.IDKey != nil {
		t.Fatalf("default IDKey %x, %v", c.IDKey, err)
	}
	f := filepath.Join(t.TempDir(), "idkey")
	if err := os.WriteFile(f, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, env := range []map[string]string{{"FUYI_ID_KEY_FILE": f}, {"FUYI_ID_KEY": hex.EncodeToString(key)}} {
		c, err := loadConfig(nil, envOf(env))
		if err != nil || !bytes.Equal(c.IDKey, key) {
			t.Fatalf("%v: IDKey %x, %v", env, c.IDKey, err)
		}
	}
	for _, bad := range []string{base64.StdEncoding.EncodeToString(key[:16]), hex.EncodeToString(key[:31]), "zz"} {
		_, err := loadConfig(nil, envOf(map[string]string{"FUYI_ID_KEY": bad}))
		if err == nil || !strings.HasPrefix(err.Error(), "FUYI_ID_KEY:") || strings.Contains(err.Error(), bad) {
			t.Errorf("FUYI_ID_KEY=%q: error %v", bad, err)
		}
	}
}
