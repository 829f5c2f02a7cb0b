package litigation

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// HearingInput is a hearing on input (the hear action, POST/PATCH hearings).
type HearingInput struct {
	HeldOn        string // POST/PATCH hearings; the hear action uses effective_on
	AppearedRole  string // head | deputy_head | staff | lawyer | none, or the Chinese name
	AppearedName  string
	AppearedPost  string
	Summoned      bool
	AbsenceReason string
	Note          string
}

// HearingPatch edits a hearing; nil fields stay.
type HearingPatch struct {
	Version       int64
	HeldOn        *string
	AppearedRole  *string
	AppearedName  *string
	AppearedPost  *string
	Summoned      *bool
	AbsenceReason *string
	Note          *string
}

// HearingView is a hearing as callers see it.
type HearingView struct {
	ID            int64  `json:"id"`
	LitigationID  int64  `json:"litigation_id"`
	HeldOn        string `json:"held_on"`
	AppearedRole  string `json:"appeared_role"`
	HeadAppeared  bool   `json:"head_appeared"`
	AppearedName  string `json:"appeared_name"`
	AppearedPost  string `json:"appeared_post"`
	Summoned      bool   `json:"summoned"`
	AbsenceReason string `json:"absence_reason"`
	Note          string `json:"note"`
	Version       int64  `json:"version"`
}

func hearingView(h *models.Hearing) HearingView {
	return HearingView{ID: h.ID, LitigationID: h.LitigationID, HeldOn: h.HeldOn, AppearedRole: h.AppearedRole,
		HeadAppeared: contains(HeadRoles, h.AppearedRole), AppearedName: h.AppearedName, AppearedPost: h.AppearedPost,
		Summoned: h.Summoned, AbsenceReason: h.AbsenceReason, Note: h.Note, Version: h.Version}
}

// checkHearing validates a hearing's appearance. 2020 规定 Art. 8–9: when the
// court summoned the head and no head appeared, the absence needs a reason;
// ALL Art. 3(3): if the head cannot appear, a staff member (not only a
// lawyer) must — recorded, not refused, since it is the court's sanction.
func checkHearing(f fieldErrs, prefix string, in *HearingInput) {
	role := parseCode(f, prefix+"appeared_role", codes.AppearedRoles, in.AppearedRole, true)
	in.AppearedRole = role
	in.AppearedName = strings.TrimSpace(in.AppearedName)
	in.AppearedPost = strings.TrimSpace(in.AppearedPost)
	in.AbsenceReason = strings.TrimSpace(in.AbsenceReason)
	in.Note = strings.TrimSpace(in.Note)
	limit(f, prefix+"appeared_name", in.AppearedName, 100)
	limit(f, prefix+"appeared_post", in.AppearedPost, 100)
	if role != "" && in.Summoned && !contains(HeadRoles, role) && in.AbsenceReason == "" {
		f.add(prefix+"absence_reason", "法院通知负责人出庭而负责人未出庭的，须说明理由（出庭应诉规定第八、九条）",
			"the court summoned the head and no head appeared: give the reason (SPC 2020 Provisions Art. 8–9)")
	}
	if role != "" && role != "none" && in.AppearedName == "" && contains(HeadRoles, role) {
		f.add(prefix+"appeared_name", "请填写出庭负责人姓名", "name the head who appeared")
	}
}

func hearingRow(c *models.LitigationCase, heldOn string, in *HearingInput, now time.Time) *models.Hearing {
	return &models.Hearing{LitigationID: c.ID, OrganID: c.OrganID, HeldOn: heldOn, AppearedRole: in.AppearedRole,
		AppearedName: in.AppearedName, AppearedPost: in.AppearedPost, Summoned: in.Summoned,
		AbsenceReason: in.AbsenceReason, Note: in.Note, Version: 1, CreatedAt: now, UpdatedAt: now}
}

// AddHearing records a hearing of record id. While the suit is before the
// court (notified, defence filed, heard) it is the hear transition and moves
// the record to heard; later (a hearing entered after the judgment) it only
// adds the row, with a hearing_added event, and bumps the version.
// version is the record's version.
func (s *Service) AddHearing(ctx context.Context, p *auth.Principal, id, version int64, in HearingInput) (*View, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		before, err := loadLitigation(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if contains(open, before.Status) {
			return s.transitionTx(ctx, tx, p, id, TransitionInput{Action: ActHear, EffectiveOn: in.HeldOn, Version: version, Hearing: in, Note: in.Note})
		}
		if !p.CanWriteCases() {
			return forbiddenWrite()
		}
		if version == 0 {
			return errs.InvalidField("version", "必须提供版本号", "version is required")
		}
		if version != before.Version {
			return errs.Stale(before.Version)
		}
		f := fieldErrs{}
		checkHearing(f, "", &in)
		s.checkHeldOn(f, before, in.HeldOn)
		if err := f.err(); err != nil {
			return err
		}
		h := hearingRow(before, in.HeldOn, &in, s.now().UTC())
		if err := tx.Create(h).Error; err != nil {
			return errs.Internal(err)
		}
		if err := rollupHearings(tx, before.Kind, nil, []*models.Hearing{h}); err != nil {
			return err
		}
		c := *before
		return s.save(ctx, tx, p, before, &c, "hearing_added", ptr(in.HeldOn),
			map[string]any{"hearing_id": h.ID, "appeared_role": h.AppearedRole, "appeared_name": h.AppearedName}, in.Note)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

func (s *Service) checkHeldOn(f fieldErrs, c *models.LitigationCase, heldOn string) {
	if dateCheck(f, "held_on", heldOn, true, s.today()) {
		if heldOn < c.NotifiedOn {
			f.add("held_on", "开庭日期不能早于收到应诉通知日期（"+c.NotifiedOn+"）", "held_on must not precede notified_on ("+c.NotifiedOn+")")
		}
		if c.ConcludedOn != nil && heldOn > *c.ConcludedOn {
			f.add("held_on", "开庭日期不能晚于裁判日期（"+*c.ConcludedOn+"）", "held_on must not follow concluded_on ("+*c.ConcludedOn+")")
		}
	}
}

// UpdateHearing edits hearing hid of record id (hearing version checked);
// the record gets a hearing_edited event and a new version.
func (s *Service) UpdateHearing(ctx context.Context, p *auth.Principal, id, hid int64, in HearingPatch) (*View, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		before, err := loadLitigation(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !p.CanWriteCases() {
			return forbiddenWrite()
		}
		var h models.Hearing
		if err := tx.Where("id = ? AND litigation_id = ?", hid, id).Take(&h).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errs.NotFound("hearing", "庭审记录")
			}
			return errs.Internal(err)
		}
		if in.Version == 0 {
			return errs.InvalidField("version", "必须提供庭审记录版本号", "version is required")
		}
		if in.Version != h.Version {
			return errs.Stale(h.Version)
		}
		hi := HearingInput{HeldOn: h.HeldOn, AppearedRole: h.AppearedRole, AppearedName: h.AppearedName, AppearedPost: h.AppearedPost,
			Summoned: h.Summoned, AbsenceReason: h.AbsenceReason, Note: h.Note}
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&hi.HeldOn, in.HeldOn)
		set(&hi.AppearedRole, in.AppearedRole)
		set(&hi.AppearedName, in.AppearedName)
		set(&hi.AppearedPost, in.AppearedPost)
		set(&hi.AbsenceReason, in.AbsenceReason)
		set(&hi.Note, in.Note)
		if in.Summoned != nil {
			hi.Summoned = *in.Summoned
		}
		f := fieldErrs{}
		hi.HeldOn = strings.TrimSpace(hi.HeldOn)
		checkHearing(f, "", &hi)
		s.checkHeldOn(f, before, hi.HeldOn)
		if err := f.err(); err != nil {
			return err
		}
		now := s.now().UTC()
		res := tx.Model(&models.Hearing{}).Where("id = ? AND version = ?", h.ID, h.Version).Updates(map[string]any{
			"held_on": hi.HeldOn, "appeared_role": hi.AppearedRole, "appeared_name": hi.AppearedName,
			"appeared_post": hi.AppearedPost, "summoned": hi.Summoned, "absence_reason": hi.AbsenceReason,
			"note": hi.Note, "version": h.Version + 1, "updated_at": now,
		})
		if res.Error != nil {
			return errs.Internal(res.Error)
		}
		if res.RowsAffected == 0 {
			return errs.Stale(h.Version)
		}
		after := models.Hearing{OrganID: h.OrganID, HeldOn: hi.HeldOn, AppearedRole: hi.AppearedRole}
		if err := rollupHearings(tx, before.Kind, []*models.Hearing{&h}, []*models.Hearing{&after}); err != nil {
			return err
		}
		c := *before
		return s.save(ctx, tx, p, before, &c, "hearing_edited", ptr(hi.HeldOn),
			map[string]any{"hearing_id": h.ID, "appeared_role": hi.AppearedRole, "before_role": h.AppearedRole}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// Hearings returns the hearings of record id in date order.
func (s *Service) Hearings(ctx context.Context, p *auth.Principal, id int64) ([]HearingView, error) {
	if _, err := loadLitigation(ctx, s.db.Read, p, id); err != nil {
		return nil, err
	}
	return s.hearings(ctx, s.db.Read, id)
}

func (s *Service) hearings(ctx context.Context, q *gorm.DB, id int64) ([]HearingView, error) {
	var hs []models.Hearing
	if err := q.WithContext(ctx).Where("litigation_id = ?", id).Order("held_on, id").Find(&hs).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]HearingView, 0, len(hs))
	for i := range hs {
		out = append(out, hearingView(&hs[i]))
	}
	return out, nil
}
