package main

import (
	"context"
	"fmt"
)

func init() {
	addCommand(&command{
		Name:    "audit",
		Summary: "check the audit trail: walk the hash chain and name the first altered or deleted row (exit 1)",
		Usage:   "verify",
		Examples: `  fuyi audit verify
  fuyi audit verify --database-url postgres://fuyi@db/fuyi
  # prints the head (last id and hash): keep it somewhere else, a later
  # head that does not extend it means the newest rows were removed`,
		Run: func(ctx context.Context, env *cmdEnv, _ any, args []string) error {
			if len(args) != 1 || args[0] != "verify" {
				return errUsage
			}
			a, err := openApp(ctx, env.cfg, env.stderr, false)
			if err != nil {
				return err
			}
			defer a.Close()
			res, err := a.audit.Verify(ctx)
			if err != nil {
				return err
			}
			if res.Break != nil {
				fmt.Fprintf(env.stderr, "fuyi audit verify: FAILED after %d intact rows: %s\n", res.Rows, res.Break)
				return exitCode(1)
			}
			fmt.Fprintf(env.stdout, "audit trail intact: %d rows, head id %d hash %s\n", res.Rows, res.HeadID, res.HeadHash)
			return nil
		},
	})
}
