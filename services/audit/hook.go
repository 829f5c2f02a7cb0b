package audit

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"

	"gorm.io/gorm"

	"fuyi/models"
)

// CaseHook is a lifecycle.Hook: it records every create, edit and transition
// of a case inside the case's own transaction — the whole case after a
// create, the changed fields before and after an edit or transition. The
// actor comes from the context (WithActor), else it is the system (imports
// from the command line, the demo).
func (s *Service) CaseHook(ctx context.Context, tx *gorm.DB, before, after *models.Case) error {
	if after == nil {
		return nil
	}
	e := Entry{Actor: ActorFrom(ctx), Subject: "case:" + strconv.FormatInt(after.ID, 10), OrganID: after.OrganID}
	if before == nil {
		e.Action = ActionCaseCreate
		b, err := json.Marshal(after)
		if err != nil {
			return err
		}
		e.After = string(b)
	} else {
		e.Action = ActionCaseUpdate
		old, cur := diffCase(before, after)
		if len(cur) == 0 {
			return nil
		}
		b1, err := json.Marshal(old)
		if err != nil {
			return err
		}
		b2, err := json.Marshal(cur)
		if err != nil {
			return err
		}
		e.Before, e.After = string(b1), string(b2)
	}
	return s.Append(ctx, tx, e)
}

// diffCase returns the fields that differ between a and b (by Go field
// name; bookkeeping timestamps left out), with their old and new values.
func diffCase(a, b *models.Case) (map[string]any, map[string]any) {
	old, cur := map[string]any{}, map[string]any{}
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	t := va.Type()
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Name
		switch name {
		case "UpdatedAt", "CreatedAt", "EditedInAppAt":
			continue
		}
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if !reflect.DeepEqual(x, y) {
			old[name], cur[name] = x, y
		}
	}
	return old, cur
}
