package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"fuyi/services/pii"
)

// Config is everything fuyi reads from flags and FUYI_* variables.
type Config struct {
	Addr           string
	DataDir        string
	DatabaseURL    string
	JWTSecret      string
	LogFormat      string
	LogLevel       string
	DemoPassword   string
	MaxBodyBytes   int64
	MaxUploadBytes int64
	BehindTLS      bool
	SweepInterval  time.Duration
	ShutdownGrace  time.Duration
	TrustedProxies []string
	MetricsToken   string
	// IDKey is the 32-byte AES-256 key sealing parties' ID numbers at rest;
	// nil stores them as given.
	IDKey []byte
}

// setting describes one configuration variable: its environment name, the
// flag that overrides it, its default, and whether it is a secret (then
// NAME_FILE may name a file holding it).
type setting struct {
	Env     string
	Flag    string
	Default string
	Secret  bool
	Help    string
}

// configSettings is the one list of FUYI_* variables; docs/operations.md documents
// each and a test checks that the docs and docker-compose.yml use only these.
var configSettings = []setting{
	{"FUYI_ADDR", "addr", "127.0.0.1:8080", false, "address to listen on (host:port)"},
	{"FUYI_DATA_DIR", "data-dir", "./data", false, "directory of the SQLite database and attachments"},
	{"FUYI_DATABASE_URL", "database-url", "", true, "postgres://… to use PostgreSQL instead of SQLite"},
	{"FUYI_JWT_SECRET", "jwt-secret", "", true, "HMAC secret of access tokens (≥32 bytes); generated and kept in the database when empty"},
	{"FUYI_LOG_FORMAT", "log-format", "text", false, "text or json"},
	{"FUYI_LOG_LEVEL", "log-level", "info", false, "debug, info, warn or error"},
	{"FUYI_DEMO_PASSWORD", "demo-password", "", true, "password of the demo users (generated and printed when empty)"},
	{"FUYI_MAX_BODY_BYTES", "max-body-bytes", "2097152", false, "largest JSON request body (413 beyond)"},
	{"FUYI_MAX_UPLOAD_BYTES", "max-upload-bytes", "67108864", false, "largest uploaded file (ledgers, attachments)"},
	{"FUYI_BEHIND_TLS", "behind-tls", "false", false, "true when a TLS-terminating proxy fronts fuyi (adds HSTS)"},
	{"FUYI_SWEEP_INTERVAL", "sweep-interval", "5m", false, "how often serve runs the deadline sweep (0 disables)"},
	{"FUYI_SHUTDOWN_TIMEOUT", "shutdown-timeout", "20s", false, "how long SIGTERM waits for in-flight requests"},
	{"FUYI_TRUSTED_PROXIES", "trusted-proxies", "", false, "comma-separated proxy addresses/CIDRs whose X-Forwarded-For is trusted"},
	{"FUYI_METRICS_TOKEN", "metrics-token", "", true, "bearer token that /metrics requires; when empty /metrics answers direct loopback clients only"},
	{"FUYI_ID_KEY", "id-key", "", true, "base64 or hex of 32 random bytes: encrypts parties' ID numbers at rest (AES-256-GCM); when empty they are stored in plaintext"},
}

// registerConfigFlags adds the configSettings' flags to fs.
func registerConfigFlags(fs *flag.FlagSet) map[string]*string {
	vals := map[string]*string{}
	for _, s := range configSettings {
		vals[s.Env] = fs.String(s.Flag, "", fmt.Sprintf("%s (env %s, default %q)", s.Help, s.Env, s.Default))
	}
	return vals
}

// loadConfig resolves every setting: flag, else environment, else NAME_FILE
// for secrets, else the default; then validates. Errors name the variable.
func loadConfig(flags map[string]*string, getenv func(string) string) (*Config, error) {
	raw := map[string]string{}
	for _, s := range configSettings {
		v := ""
		if f := flags[s.Env]; f != nil && *f != "" {
			v = *f
		} else if e := getenv(s.Env); e != "" {
			v = e
		} else if file := getenv(s.Env + "_FILE"); file != "" && s.Secret {
			b, err := os.ReadFile(file)
			if err != nil {
				return nil, fmt.Errorf("%s_FILE: %w", s.Env, err)
			}
			v = strings.TrimSpace(string(b))
			if v == "" {
				return nil, fmt.Errorf("%s_FILE: %s is empty", s.Env, file)
			}
		} else {
			v = s.Default
		}
		raw[s.Env] = v
	}
	c := &Config{
		Addr:         raw["FUYI_ADDR"],
		DataDir:      raw["FUYI_DATA_DIR"],
		DatabaseURL:  raw["FUYI_DATABASE_URL"],
		JWTSecret:    raw["FUYI_JWT_SECRET"],
		LogFormat:    raw["FUYI_LOG_FORMAT"],
		LogLevel:     raw["FUYI_LOG_LEVEL"],
		DemoPassword: raw["FUYI_DEMO_PASSWORD"],
		MetricsToken: raw["FUYI_METRICS_TOKEN"],
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return nil, fmt.Errorf("FUYI_ADDR: %q is not host:port", c.Addr)
	}
	if c.DataDir == "" {
		return nil, fmt.Errorf("FUYI_DATA_DIR: must not be empty")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return nil, fmt.Errorf("FUYI_DATABASE_URL: must start with postgres:// or postgresql://")
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		return nil, fmt.Errorf("FUYI_JWT_SECRET: must be at least 32 bytes (got %d)", len(c.JWTSecret))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return nil, fmt.Errorf("FUYI_LOG_FORMAT: must be text or json, got %q", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return nil, fmt.Errorf("FUYI_LOG_LEVEL: must be debug, info, warn or error, got %q", c.LogLevel)
	}
	var err error
	if c.MaxBodyBytes, err = positiveInt(raw, "FUYI_MAX_BODY_BYTES"); err != nil {
		return nil, err
	}
	if c.MaxUploadBytes, err = positiveInt(raw, "FUYI_MAX_UPLOAD_BYTES"); err != nil {
		return nil, err
	}
	if c.BehindTLS, err = strconv.ParseBool(raw["FUYI_BEHIND_TLS"]); err != nil {
		return nil, fmt.Errorf("FUYI_BEHIND_TLS: must be true or false, got %q", raw["FUYI_BEHIND_TLS"])
	}
	if c.SweepInterval, err = time.ParseDuration(raw["FUYI_SWEEP_INTERVAL"]); err != nil || c.SweepInterval < 0 {
		return nil, fmt.Errorf("FUYI_SWEEP_INTERVAL: must be a duration like 5m, got %q", raw["FUYI_SWEEP_INTERVAL"])
	}
	if c.ShutdownGrace, err = time.ParseDuration(raw["FUYI_SHUTDOWN_TIMEOUT"]); err != nil || c.ShutdownGrace <= 0 {
		return nil, fmt.Errorf("FUYI_SHUTDOWN_TIMEOUT: must be a positive duration like 20s, got %q", raw["FUYI_SHUTDOWN_TIMEOUT"])
	}
	if v := raw["FUYI_ID_KEY"]; v != "" {
		if c.IDKey, err = pii.ParseKey(v); err != nil {
			return nil, fmt.Errorf("FUYI_ID_KEY: %w", err)
		}
	}
	if v := raw["FUYI_TRUSTED_PROXIES"]; v != "" {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if net.ParseIP(p) == nil {
				if _, _, err := net.ParseCIDR(p); err != nil {
					return nil, fmt.Errorf("FUYI_TRUSTED_PROXIES: %q is neither an IP nor a CIDR", p)
				}
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	return c, nil
}

func positiveInt(raw map[string]string, name string) (int64, error) {
	n, err := strconv.ParseInt(raw[name], 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s: must be a positive integer, got %q", name, raw[name])
	}
	return n, nil
}
