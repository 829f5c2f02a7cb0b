package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"fuyi/services/auth"
)

type userOpts struct {
	username, role, display, organs, passwordFile string
}

func init() {
	addCommand(&command{
		Name:    "user",
		Summary: "manage users: fuyi user add --username NAME --role ROLE [--organs ID,…] (password from stdin)",
		Usage:   "add --username NAME --role admin|manager|officer|reporter [--display-name …] [--organs 1,2] [--password-file FILE]",
		Examples: `  echo 'a-long-secret-pass' | fuyi user add --username zhang --role officer --organs 1
  fuyi user add --username li --role manager --password-file /run/secrets/li`,
		Flags: func(fs *flag.FlagSet) any {
			o := &userOpts{}
			fs.StringVar(&o.username, "username", "", "login name")
			fs.StringVar(&o.role, "role", "", "admin, manager, officer or reporter")
			fs.StringVar(&o.display, "display-name", "", "name shown in the app")
			fs.StringVar(&o.organs, "organs", "", "comma-separated organ ids the user may see")
			fs.StringVar(&o.passwordFile, "password-file", "", "read the password from this file (default: stdin)")
			return o
		},
		Run: runUser,
	})
}

func runUser(ctx context.Context, env *cmdEnv, opts any, args []string) error {
	o := opts.(*userOpts)
	if len(args) != 1 || args[0] != "add" {
		return errUsage
	}
	if o.username == "" || o.role == "" {
		fmt.Fprintln(env.stderr, "fuyi user add: --username and --role are required")
		return errUsage
	}
	var pw string
	if o.passwordFile != "" {
		b, err := os.ReadFile(o.passwordFile)
		if err != nil {
			return fmt.Errorf("--password-file: %w", err)
		}
		pw = strings.TrimRight(string(b), "\r\n")
	} else {
		line, err := bufio.NewReader(env.stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("reading the password from stdin: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	var organIDs []int64
	for _, s := range strings.Split(o.organs, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("--organs: %q is not an organ id", s)
		}
		organIDs = append(organIDs, id)
	}
	a, err := openApp(ctx, env.cfg, env.stderr, true)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.auth.CreateUser(ctx, auth.NewUser{Username: o.username, DisplayName: o.display, Role: o.role, Password: pw, OrganIDs: organIDs})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.stdout, "created user %s (id %d, role %s)\n", u.Username, u.ID, u.Role)
	return nil
}
