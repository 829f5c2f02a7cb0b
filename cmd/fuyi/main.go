// Command fuyi is the Fuyi server and its command-line tools: serve, migrate,
// user, demo, report, import, export, sweep, calendar, backup.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand.
type command struct {
	Name     string
	Summary  string
	Usage    string
	Examples string
	// Flags adds the command's own flags.
	Flags func(fs *flag.FlagSet) any
	Run   func(ctx context.Context, env *cmdEnv, opts any, args []string) error
}

// cmdEnv is what every subcommand gets.
type cmdEnv struct {
	cfg    *Config
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

var commands = map[string]*command{}

func addCommand(c *command) { commands[c.Name] = c }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// FUYI_CPU_PROFILE=FILE writes a CPU profile of the whole run (make bench uses it).
	if f := os.Getenv("FUYI_CPU_PROFILE"); f != "" {
		if out, err := os.Create(f); err == nil {
			_ = pprof.StartCPUProfile(out)
		}
	}
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	pprof.StopCPUProfile()
	stop()
	os.Exit(code)
}

// errUsage marks a usage error (exit code 2).
var errUsage = errors.New("usage")

// run executes one fuyi invocation and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "--help" || name == "-h" {
		printUsage(stdout)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "fuyi: unknown command %q\n\n", name)
		printUsage(stderr)
		return 2
	}
	fs := flag.NewFlagSet("fuyi "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgFlags := registerConfigFlags(fs)
	var opts any
	if cmd.Flags != nil {
		opts = cmd.Flags(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: fuyi %s %s\n\n%s\n\n", name, cmd.Usage, cmd.Summary)
		if cmd.Examples != "" {
			fmt.Fprintf(fs.Output(), "examples:\n%s\n\n", cmd.Examples)
		}
		fmt.Fprintln(fs.Output(), "flags:")
		fs.PrintDefaults()
	}
	positional, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	cfg, err := loadConfig(cfgFlags, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "fuyi: configuration: %v\n", err)
		return 2
	}
	env := &cmdEnv{cfg: cfg, stdin: stdin, stdout: stdout, stderr: stderr}
	if err := cmd.Run(ctx, env, opts, positional); err != nil {
		if errors.Is(err, errUsage) {
			fs.Usage()
			return 2
		}
		var ec exitCode
		if errors.As(err, &ec) {
			return int(ec)
		}
		fmt.Fprintf(stderr, "fuyi %s: %v\n", name, err)
		return 1
	}
	return 0
}

// exitCode is an error that carries a specific exit status (the message has
// already been printed).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// parseInterspersed parses flags that may stand before or after positional
// arguments (`fuyi import --organ X a.xlsx` and `fuyi import a.xlsx --organ X`).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if rest[0] == "--" {
			return append(positional, rest[1:]...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "fuyi — 行政复议与行政应诉案件管理 (administrative reconsideration and litigation case tracker)")
	fmt.Fprintln(w, "\nusage: fuyi <command> [flags] [args]   (serve is the default)\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --help. Configuration comes from flags and FUYI_* variables (see docs/operations.md).")
}
