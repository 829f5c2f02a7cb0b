package main

import (
	"fmt"
	"sort"
	"strings"

	"fuyi/services/errs"
)

// describe turns a service error into a readable CLI error naming every field.
func describe(err error) error {
	e := errs.As(err)
	if e.Kind == errs.KindInternal {
		return err
	}
	var b strings.Builder
	b.WriteString(e.Message.ZH + " / " + e.Message.EN)
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s: %s / %s", k, e.Fields[k].ZH, e.Fields[k].EN)
	}
	return fmt.Errorf("%s", b.String())
}
