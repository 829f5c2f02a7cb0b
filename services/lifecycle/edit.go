package lifecycle

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
	"fuyi/services/pii"
)

// EditInput changes a case (PATCH): nil fields are left alone. Version is
// required. Dates that transitions set (accepted_on, closed_on, …) may be
// corrected once set but neither set nor cleared here — that is the state
// machine's job.
type EditInput struct {
	Version int64

	Applicant     *string
	Applicants    *[]PartyInput
	ApplicantType *string
	Agent         *string
	ThirdParties  *[]PartyInput
	RespondentID  *int64
	// RespondentName is the exact name of one of the organ's agencies.
	RespondentName      *string
	ActType             *string
	Area                *string
	ActDocumentNo       *string
	ActDate             *string // "" clears
	Request             *string
	Channel             *string
	HandlerID           *int64 // 0 clears
	Note                *string
	CompensationClaimed *int64
	CompensationAwarded *int64
	HearingHeld         *bool
	CommitteeConsulted  *bool

	ReceivedOn           *string
	CorrectionNoticeOn   *string
	CorrectionReceivedOn *string
	AcceptedOn           *string
	IntakeOn             *string
	ClosedOn             *string
	ServedOn             *string
	ArchivedOn           *string
	CopySentOn           *string // "" clears
	ReplyReceivedOn      *string // "" clears
}

// Edit changes case id as p in one transaction: validation (every field
// error at once), the guarded versioned update (stale → 409), an "edit"
// event whose payload holds the before/after of the changed fields (personal
// numbers masked), a version snapshot and the hooks.
func (s *Service) Edit(ctx context.Context, p *auth.Principal, id int64, in EditInput) (*CaseView, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		before, err := loadCase(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !p.CanWriteCases() {
			return forbiddenWrite()
		}
		if in.Version == 0 {
			return errs.InvalidField("version", "必须提供案件版本号", "version is required")
		}
		if err := CheckVersion(before, in.Version); err != nil {
			return err
		}
		c := *before
		f := fieldErrs{}
		today := s.today()
		changes := map[string][2]any{}
		setStr := func(field string, dst *string, v *string, max int) {
			if v == nil {
				return
			}
			nv := strings.TrimSpace(*v)
			limit(f, field, nv, max)
			if nv != *dst {
				changes[field] = [2]any{*dst, nv}
				*dst = nv
			}
		}
		setCode := func(field string, dst *string, v *string, list codes.List, required bool) {
			if v == nil {
				return
			}
			nv := parseCode(f, field, list, *v, required)
			if _, bad := f[field]; !bad && nv != *dst {
				changes[field] = [2]any{*dst, nv}
				*dst = nv
			}
		}
		setStr("agent", &c.Agent, in.Agent, 200)
		setStr("act_document_no", &c.ActDocumentNo, in.ActDocumentNo, 200)
		setStr("request", &c.Request, in.Request, 5000)
		setStr("note", &c.Note, in.Note, 5000)
		setCode("applicant_type", &c.ApplicantType, in.ApplicantType, codes.ApplicantTypes, false)
		setCode("act_type", &c.ActType, in.ActType, codes.ActTypes, true)
		setCode("area", &c.Area, in.Area, codes.Areas, false)
		setCode("channel", &c.Channel, in.Channel, codes.Channels, false)
		setBool := func(field string, dst *bool, v *bool) {
			if v != nil && *v != *dst {
				changes[field] = [2]any{*dst, *v}
				*dst = *v
			}
		}
		setBool("hearing_held", &c.HearingHeld, in.HearingHeld)
		setBool("committee_consulted", &c.CommitteeConsulted, in.CommitteeConsulted)
		setMoney := func(field string, dst *int64, v *int64) {
			if v == nil {
				return
			}
			if *v < 0 {
				f.add(field, "金额不能为负数", "must not be negative")
				return
			}
			if *v != *dst {
				changes[field] = [2]any{*dst, *v}
				*dst = *v
			}
		}
		setMoney("compensation_claimed", &c.CompensationClaimed, in.CompensationClaimed)
		setMoney("compensation_awarded", &c.CompensationAwarded, in.CompensationAwarded)

		// Dates. received_on is always set; the transition-owned ones may be
		// corrected only when set; copy/reply dates and act_date may be cleared.
		if in.ReceivedOn != nil {
			nv := strings.TrimSpace(*in.ReceivedOn)
			if dateCheck(f, "received_on", nv, true, today) && nv != c.ReceivedOn {
				changes["received_on"] = [2]any{c.ReceivedOn, nv}
				c.ReceivedOn = nv
				if r := regimeFor(nv); r != c.Regime {
					changes["regime"] = [2]any{c.Regime, r}
					c.Regime = r
				}
				if c.Regime != RegimeRL2023 && c.Procedure == ProcedureSimplified {
					f.add("received_on", "2024年1月1日前收到的申请不适用简易程序，本案为简易程序", "a simplified-procedure case must have been received from 2024-01-01 (RL2023 Art. 53)")
				}
			}
		}
		owned := []struct {
			field string
			dst   **string
			v     *string
		}{
			{"correction_notice_on", &c.CorrectionNoticeOn, in.CorrectionNoticeOn},
			{"correction_received_on", &c.CorrectionReceivedOn, in.CorrectionReceivedOn},
			{"accepted_on", &c.AcceptedOn, in.AcceptedOn},
			{"intake_on", &c.IntakeOn, in.IntakeOn},
			{"closed_on", &c.ClosedOn, in.ClosedOn},
			{"served_on", &c.ServedOn, in.ServedOn},
			{"archived_on", &c.ArchivedOn, in.ArchivedOn},
		}
		for _, o := range owned {
			if o.v == nil {
				continue
			}
			if *o.dst == nil {
				f.add(o.field, "该日期由相应的程序操作记录，案件尚未进行到这一步", "this date is recorded by its transition; the case has not reached that step")
				continue
			}
			nv := strings.TrimSpace(*o.v)
			if dateCheck(f, o.field, nv, true, today) && nv != **o.dst {
				changes[o.field] = [2]any{**o.dst, nv}
				*o.dst = ptr(nv)
			}
		}
		clearable := []struct {
			field string
			dst   **string
			v     *string
		}{
			{"act_date", &c.ActDate, in.ActDate},
			{"copy_sent_on", &c.CopySentOn, in.CopySentOn},
			{"reply_received_on", &c.ReplyReceivedOn, in.ReplyReceivedOn},
		}
		for _, o := range clearable {
			if o.v == nil {
				continue
			}
			nv := strings.TrimSpace(*o.v)
			old := ""
			if *o.dst != nil {
				old = **o.dst
			}
			if nv == "" {
				if old != "" {
					changes[o.field] = [2]any{old, nil}
					*o.dst = nil
				}
				continue
			}
			if dateCheck(f, o.field, nv, false, today) && nv != old {
				changes[o.field] = [2]any{old, nv}
				*o.dst = ptr(nv)
			}
		}
		if c.ActDate != nil && *c.ActDate > c.ReceivedOn {
			f.add("act_date", "行政行为日期不能晚于收件日期", "act_date must not be after received_on")
		}
		checkDateOrder(&dateView{ReceivedOn: c.ReceivedOn, CorrectionNoticeOn: c.CorrectionNoticeOn,
			CorrectionReceivedOn: c.CorrectionReceivedOn, AcceptedOn: c.AcceptedOn, ClosedOn: c.ClosedOn,
			ServedOn: c.ServedOn, ArchivedOn: c.ArchivedOn, IntakeOn: c.IntakeOn,
			CopySentOn: c.CopySentOn, ReplyReceivedOn: c.ReplyReceivedOn}, f)
		if c.SuspendedOn != nil && c.AcceptedOn != nil && *c.SuspendedOn < *c.AcceptedOn {
			f.add("accepted_on", "受理日期不能晚于中止日期（"+*c.SuspendedOn+"）", "accepted_on must not be after the suspension date ("+*c.SuspendedOn+")")
		}

		// Respondent and handler.
		if in.RespondentID != nil || in.RespondentName != nil {
			var rid int64
			var rname string
			if in.RespondentID != nil {
				rid = *in.RespondentID
			} else {
				rname = *in.RespondentName
			}
			if rid == 0 && strings.TrimSpace(rname) == "" {
				f.add("respondent", "请填写被申请人", "respondent is required")
			} else {
				nid, err := resolveRespondent(tx, c.OrganID, rid, rname, f)
				if err != nil {
					return err
				}
				if nid != 0 && nid != c.RespondentID {
					changes["respondent_id"] = [2]any{c.RespondentID, nid}
					c.RespondentID = nid
				}
			}
		}
		if in.HandlerID != nil {
			old := any(nil)
			if c.HandlerID != nil {
				old = *c.HandlerID
			}
			if *in.HandlerID == 0 {
				if c.HandlerID != nil {
					changes["handler_id"] = [2]any{old, nil}
					c.HandlerID = nil
				}
			} else if c.HandlerID == nil || *c.HandlerID != *in.HandlerID {
				if err := checkHandler(tx, c.OrganID, *in.HandlerID, f); err != nil {
					return err
				}
				changes["handler_id"] = [2]any{old, *in.HandlerID}
				c.HandlerID = ptr64(*in.HandlerID)
			}
		}

		// Parties: a given list replaces the old one.
		var applicants, thirds []PartyInput
		partiesChanged := false
		var oldParties []models.CaseParty
		if in.Applicants != nil || in.ThirdParties != nil || in.Applicant != nil {
			if err := tx.Where("case_id = ?", c.ID).Order("role, position, id").Find(&oldParties).Error; err != nil {
				return errs.Internal(err)
			}
			for _, op := range oldParties {
				if s.pii.Enabled() && op.IDNumber != "" && !strings.HasPrefix(op.IDNumber, pii.Prefix) {
					partiesChanged = true // re-written below, so sealed
				}
				idNumber, err := s.openIDNumber(op.IDNumber)
				if err != nil {
					return err
				}
				pi := PartyInput{Name: op.Name, Type: op.PartyType, IDNumber: idNumber, Phone: op.Phone, Address: op.Address}
				if op.Role == PartyApplicant {
					applicants = append(applicants, pi)
				} else if op.Role == PartyThirdParty {
					thirds = append(thirds, pi)
				}
			}
			oldA, oldT := applicants, thirds
			if in.Applicants != nil {
				applicants = normaliseParties(*in.Applicants)
				s.validateParties(f, "applicants", applicants)
			} else if in.Applicant != nil {
				name := strings.TrimSpace(*in.Applicant)
				typ := c.ApplicantType
				if len(applicants) == 1 {
					applicants[0].Name = name
				} else {
					applicants = []PartyInput{{Name: name, Type: typ}}
				}
			}
			if in.ThirdParties != nil {
				thirds = normaliseParties(*in.ThirdParties)
				s.validateParties(f, "third_parties", thirds)
			}
			if joinNames(applicants) == "" {
				f.add("applicant", "请填写申请人", "applicant is required")
			}
			if !reflect.DeepEqual(oldA, applicants) {
				changes["applicants"] = [2]any{maskedParties(oldA), maskedParties(applicants)}
				partiesChanged = true
			}
			if !reflect.DeepEqual(oldT, thirds) {
				changes["third_parties"] = [2]any{maskedParties(oldT), maskedParties(thirds)}
				partiesChanged = true
			}
			if name := joinNames(applicants); name != c.Applicant {
				limit(f, "applicant", name, 300)
				changes["applicant"] = [2]any{c.Applicant, name}
				c.Applicant = name
			}
		}
		if err := f.err(); err != nil {
			return err
		}
		if partiesChanged {
			if err := tx.Where("case_id = ? AND role IN ?", c.ID, []string{PartyApplicant, PartyThirdParty}).Delete(&models.CaseParty{}).Error; err != nil {
				return errs.Internal(err)
			}
			if err := s.writeParties(tx, c.ID, applicants, thirds); err != nil {
				return err
			}
		}
		payload := map[string]any{}
		for k, v := range changes {
			payload[k] = map[string]any{"before": v[0], "after": v[1]}
		}
		b, _ := json.Marshal(payload)
		ev := &models.CaseEvent{Action: "edit", FromStatus: c.Status, ToStatus: c.Status, Payload: string(b)}
		return s.save(ctx, tx, p, before, &c, ev)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

func maskedParties(ps []PartyInput) []map[string]string {
	out := make([]map[string]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, map[string]string{"name": p.Name, "type": p.Type,
			"id_number": MaskIDNumber(p.IDNumber), "phone": MaskPhone(p.Phone)})
	}
	return out
}

func ptr64(v int64) *int64 { return &v }
