package workflow

import (
	"context"
	"errors"
	"slices"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/clock"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
)

// MaxBulkAssign caps the cases one bulk assignment may change.
const MaxBulkAssign = 500

// AssignInput (re)assigns the handler and/or the second handler of cases:
// either the listed IDs or the cases matching Filter. A nil HandlerID or
// SecondHandlerID leaves that role alone; 0 clears it. Version is checked
// when exactly one id is given and it is not 0.
type AssignInput struct {
	IDs             []int64
	Filter          *lifecycle.ListFilter
	HandlerID       *int64
	SecondHandlerID *int64
	Version         int64
	Note            string
}

// AssignResult lists the cases changed and those already so assigned.
type AssignResult struct {
	Changed   []int64
	Unchanged []int64
}

// Assign (re)assigns handlers in one transaction (all or nothing); every
// change is an "assign" event with the before/after of each role.
//
// Managers and admins assign anyone of the case's organ (not a reporter).
// An officer may only take an unassigned case for themselves (handler_id =
// their own id, the case has no handler, second handler untouched).
func (s *Service) Assign(ctx context.Context, p *auth.Principal, in AssignInput) (*AssignResult, error) {
	if p == nil {
		return nil, errs.Unauthenticated("请先登录", "authentication required")
	}
	if !p.CanWriteCases() {
		return nil, forbidden()
	}
	// Another organ's case is not found, whatever else is wrong.
	for _, id := range in.IDs {
		if _, err := lifecycle.LoadCase(ctx, s.db.Read, p, id); err != nil {
			return nil, errs.As(err).With("case_id", id)
		}
	}
	selfTake := !p.IsManager()
	if selfTake && (in.HandlerID == nil || *in.HandlerID != p.UserID || in.SecondHandlerID != nil) {
		return nil, errs.Forbidden("承办人只能认领未分配的案件给自己；分配、改派由科长或管理员办理",
			"an officer may only take an unassigned case for themselves; managers assign and reassign")
	}
	if in.HandlerID == nil && in.SecondHandlerID == nil {
		return nil, errs.InvalidField("handler_id", "请指定承办人或第二承办人", "handler_id or second_handler_id is required")
	}
	if in.HandlerID != nil && in.SecondHandlerID != nil && *in.HandlerID != 0 && *in.HandlerID == *in.SecondHandlerID {
		return nil, errs.InvalidField("second_handler_id", "第二承办人不能与承办人相同", "the second handler must differ from the handler")
	}
	ids := slices.Clone(in.IDs)
	if in.Filter != nil {
		if len(ids) > 0 {
			return nil, errs.InvalidField("filter", "case_ids 与 filter 只能二选一", "give case_ids or filter, not both")
		}
		var err error
		if ids, err = s.cases.IDs(ctx, p, *in.Filter, MaxBulkAssign); err != nil {
			return nil, err
		}
	} else if len(ids) == 0 {
		return nil, errs.InvalidField("case_ids", "请选择案件", "case_ids is required")
	}
	if len(ids) > MaxBulkAssign {
		return nil, errs.InvalidField("case_ids", "一次最多分配500件", "at most 500 cases at once")
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	version := int64(0)
	if len(ids) == 1 {
		version = in.Version
	}
	res := &AssignResult{Changed: []int64{}, Unchanged: []int64{}}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		checked := map[int64]map[int64]bool{} // organ → user → ok
		check := func(field string, organ int64, uid *int64) error {
			if uid == nil || *uid == 0 {
				return nil
			}
			if checked[organ] == nil {
				checked[organ] = map[int64]bool{}
			}
			if ok, seen := checked[organ][*uid]; seen {
				if !ok {
					return badHandler(field)
				}
				return nil
			}
			ok, err := eligible(ctx, tx, organ, *uid)
			if err != nil {
				return err
			}
			checked[organ][*uid] = ok
			if !ok {
				return badHandler(field)
			}
			return nil
		}
		for _, id := range ids {
			c, err := lifecycle.LoadCase(ctx, tx, p, id)
			if err != nil {
				return errs.As(err).With("case_id", id)
			}
			if err := check("handler_id", c.OrganID, in.HandlerID); err != nil {
				return err
			}
			if err := check("second_handler_id", c.OrganID, in.SecondHandlerID); err != nil {
				return err
			}
			if selfTake && c.HandlerID != nil && *c.HandlerID != p.UserID {
				return errs.Forbidden("该案件已有承办人，改派须由科长办理", "the case already has a handler; a manager reassigns it").With("case_id", id)
			}
			changed := (in.HandlerID != nil && !sameUser(c.HandlerID, *in.HandlerID)) ||
				(in.SecondHandlerID != nil && !sameUser(c.SecondHandlerID, *in.SecondHandlerID))
			if !changed {
				res.Unchanged = append(res.Unchanged, id)
				continue
			}
			_, err = s.cases.Change(ctx, tx, p, id, version, "assign", in.Note, func(c *models.Case) (any, error) {
				payload := map[string]any{}
				names := []int64{}
				for _, x := range []*int64{c.HandlerID, c.SecondHandlerID, in.HandlerID, in.SecondHandlerID} {
					if x != nil && *x != 0 {
						names = append(names, *x)
					}
				}
				nm, err := userNames(ctx, tx, names)
				if err != nil {
					return nil, err
				}
				side := func(uid *int64) map[string]any {
					if uid == nil || *uid == 0 {
						return nil
					}
					return map[string]any{"id": *uid, "name": nm[*uid]}
				}
				if in.HandlerID != nil && !sameUser(c.HandlerID, *in.HandlerID) {
					payload["handler"] = map[string]any{"before": side(c.HandlerID), "after": side(in.HandlerID)}
					c.HandlerID = nilIfZero(*in.HandlerID)
				}
				if in.SecondHandlerID != nil && !sameUser(c.SecondHandlerID, *in.SecondHandlerID) {
					payload["second_handler"] = map[string]any{"before": side(c.SecondHandlerID), "after": side(in.SecondHandlerID)}
					c.SecondHandlerID = nilIfZero(*in.SecondHandlerID)
				}
				if c.HandlerID != nil && c.SecondHandlerID != nil && *c.HandlerID == *c.SecondHandlerID {
					return nil, errs.InvalidField("second_handler_id", "第二承办人不能与承办人相同", "the second handler must differ from the handler")
				}
				if len(ids) > 1 {
					payload["bulk"] = len(ids)
				}
				return payload, nil
			})
			if err != nil {
				var e *errs.Error
				if errors.As(err, &e) && e.Details["case_id"] == nil {
					return e.With("case_id", id)
				}
				return err
			}
			res.Changed = append(res.Changed, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func badHandler(field string) error {
	return errs.InvalidField(field, "承办人须为本复议机关的在职工作人员（非统计员）", "the handler must be an active user of the case's organ (not a reporter)")
}

// eligible reports whether user uid may handle cases of organ.
func eligible(ctx context.Context, q *gorm.DB, organ, uid int64) (bool, error) {
	var n int64
	err := q.WithContext(ctx).Model(&models.User{}).
		Joins("JOIN user_organs uo ON uo.user_id = users.id AND uo.organ_id = ?", organ).
		Where("users.id = ? AND users.active = ? AND users.role <> ?", uid, true, auth.RoleReporter).Count(&n).Error
	if err != nil {
		return false, errs.Internal(err)
	}
	return n > 0, nil
}

func sameUser(cur *int64, want int64) bool {
	if want == 0 {
		return cur == nil
	}
	return cur != nil && *cur == want
}

func nilIfZero(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

// Workload is one handler's load: open cases, cases with a step due within
// 5 working days, cases with an overdue step. HandlerID 0 is "unassigned".
type Workload struct {
	HandlerID   int64
	HandlerName string
	Open        int64
	DueSoon     int64
	Overdue     int64
}

// Workload returns the load of every handler of the organ (managers and
// admins only), handlers with no open case included, and the unassigned row.
func (s *Service) Workload(ctx context.Context, p *auth.Principal, organID int64) ([]Workload, error) {
	if p == nil || !p.IsManager() {
		return nil, forbidden()
	}
	organ, err := organFor(p, organID)
	if err != nil {
		return nil, err
	}
	q := s.db.Read.WithContext(ctx)
	today := s.today()
	soon := s.addWorkingDays(ctx, today, 5)
	type row struct {
		HandlerID *int64
		N         int64
	}
	count := func(extra string, args ...any) (map[int64]int64, error) {
		var rows []row
		sql := "SELECT cases.handler_id AS handler_id, COUNT(*) AS n FROM cases WHERE cases.organ_id = ? AND cases.status IN ? " + extra + " GROUP BY cases.handler_id"
		if err := q.Raw(sql, append([]any{organ, openStatuses}, args...)...).Scan(&rows).Error; err != nil {
			return nil, errs.Internal(err)
		}
		out := map[int64]int64{}
		for _, r := range rows {
			var id int64
			if r.HandlerID != nil {
				id = *r.HandlerID
			}
			out[id] += r.N
		}
		return out, nil
	}
	open, err := count("")
	if err != nil {
		return nil, err
	}
	dueSoon, err := count(`AND EXISTS (SELECT 1 FROM deadlines d WHERE d.subject_type = 'case' AND d.subject_id = cases.id
		AND d.status IN ('open', 'missed') AND d.met_on IS NULL AND d.due_on >= ? AND d.due_on <= ?)`, today, soon)
	if err != nil {
		return nil, err
	}
	overdue, err := count("AND EXISTS (SELECT 1 FROM deadlines d WHERE d.subject_type = 'case' AND d.subject_id = cases.id AND "+clock.OverdueSQL("d")+")", today)
	if err != nil {
		return nil, err
	}
	var users []models.User
	if err := q.Model(&models.User{}).Joins("JOIN user_organs uo ON uo.user_id = users.id AND uo.organ_id = ?", organ).
		Where("users.active = ? AND users.role <> ?", true, auth.RoleReporter).Order("users.id").Find(&users).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := []Workload{}
	seen := map[int64]bool{}
	for _, u := range users {
		name := u.DisplayName
		if name == "" {
			name = u.Username
		}
		seen[u.ID] = true
		out = append(out, Workload{HandlerID: u.ID, HandlerName: name, Open: open[u.ID], DueSoon: dueSoon[u.ID], Overdue: overdue[u.ID]})
	}
	// Handlers no longer active or granted but still holding cases.
	var missing []int64
	for id := range open {
		if id != 0 && !seen[id] {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	nm, err := userNames(ctx, q, missing)
	if err != nil {
		return nil, err
	}
	for _, id := range missing {
		out = append(out, Workload{HandlerID: id, HandlerName: nm[id], Open: open[id], DueSoon: dueSoon[id], Overdue: overdue[id]})
	}
	out = append(out, Workload{HandlerID: 0, HandlerName: "未分配", Open: open[0], DueSoon: dueSoon[0], Overdue: overdue[0]})
	return out, nil
}
